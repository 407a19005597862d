"""The base of every error a user can fix.

Library code raises a subclass (an unreadable inventory, an unknown rule, a
store that is busy, a drawing Graphviz could not finish ...); the CLI prints
its message on one line and exits with 2, so no command needs its own wrapper.

Example:
    >>> class StoreBusy(LineageError):
    ...     pass
    >>> isinstance(StoreBusy("store is busy"), LineageError)
    True
"""

__all__ = ["LineageError"]


class LineageError(Exception):
    """Something in the user's input or arguments stops lineage from running.

    Example:
        >>> from lineage.model.errors import InventoryError
        >>> from lineage.rules.base import RuleSelectionError
        >>> issubclass(InventoryError, LineageError), issubclass(RuleSelectionError, LineageError)
        (True, True)
        >>> LineageError("unknown rule 'X'", message_ja="ルール 'X' はありません").message_ja
        "ルール 'X' はありません"
    """

    #: The message in Japanese, shown with ``--lang ja`` (None: the English one is shown).
    message_ja: str | None = None

    def __init__(self, *args, message_ja: str | None = None):
        super().__init__(*args)
        if message_ja is not None:
            self.message_ja = message_ja
