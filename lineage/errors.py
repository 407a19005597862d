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
    """
