"""click's own usage errors (unknown option, missing argument, bad choice ...) in Japanese.

click prints them itself, before any command runs, so ``--lang ja`` cannot reach
them through :class:`lineage.errors.LineageError`; :class:`LazyGroup
<lineage.cli.LazyGroup>` wraps each one in :class:`JapaneseUsageError`, which
prints the usage line, the help hint and the message in Japanese.

Example:
    >>> import click
    >>> japanese_message(click.NoSuchOption("--colour", possibilities=["--color"]))
    'オプション --colour はありません（もしかして: --color）'
"""

from __future__ import annotations

import re

import click

__all__ = ["JapaneseUsageError", "japanese_message", "lang_in"]


def lang_in(args, default: str) -> str:
    """The ``--lang`` a command line asks for (``default`` if none or not a known one).

    Example:
        >>> lang_in(["check", "x", "--lang", "ja"], "en"), lang_in(["--lang=en"], "ja")
        ('ja', 'en')
        >>> lang_in(["check"], "ja"), lang_in(["--lang", "fr"], "en")
        ('ja', 'en')
    """
    args = [str(a) for a in args or ()]
    lang = default
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else \
            arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if value in ("en", "ja"):
            lang = value
    return lang


def _hint(exc: click.UsageError) -> str:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None and exc.ctx is not None:
        hint = param.get_error_hint(exc.ctx)
    elif isinstance(hint, (list, tuple)):
        hint = " / ".join(repr(h) for h in hint)
    return hint or ""


def _bad_value(exc: click.BadParameter) -> str:
    param, message = exc.param, exc.message
    if re.search(r"[^\x00-\x7f]", message):
        return message  # lineage's own check, already Japanese
    kind = getattr(param, "type", None)
    got = re.match(r"('.*?'|\S+)", message)
    got = got.group(1) if got else ""
    if isinstance(kind, click.Choice):
        return f"{got} は選べません（選べる値: {', '.join(map(str, kind.choices))}）"
    if isinstance(kind, (click.types.IntParamType, click.IntRange)):
        if "range" in message:
            return f"{got} は範囲外です"
        return f"{got} は整数ではありません"
    if isinstance(kind, (click.types.FloatParamType, click.FloatRange)):
        return f"{got} は数値ではありません"
    if isinstance(kind, click.Path):
        path = re.search(r"'(.*)'", message)
        name = f"'{path.group(1)}' " if path else ""
        if "does not exist" in message:
            return f"パス {name}がありません"
        return f"パス {name}は使えません"
    return "値が不正です"


def japanese_message(exc: click.UsageError) -> str:
    """The Japanese text of one of click's usage errors (without ``エラー:``).

    Example:
        >>> import click
        >>> japanese_message(click.UsageError("No such command 'chek'."))
        "コマンド 'chek' はありません"
        >>> japanese_message(click.UsageError("Got unexpected extra argument (x)"))
        '余分な引数があります (x)'
    """
    message = exc.message
    if isinstance(exc, click.NoSuchOption):
        maybe = sorted(exc.possibilities or ())
        return f"オプション {exc.option_name} はありません" + \
            (f"（もしかして: {', '.join(maybe)}）" if maybe else "")
    if isinstance(exc, click.MissingParameter):
        hint = _hint(exc)
        kind = exc.param_type or getattr(exc.param, "param_type_name", None) or ""
        kind = {"argument": "引数", "option": "オプション"}.get(kind, "値")
        return f"{kind} {hint} がありません".replace("  ", " ")
    if isinstance(exc, click.BadParameter):
        return f"{_hint(exc)} の値が不正です: {_bad_value(exc)}"
    if isinstance(exc, click.BadOptionUsage):
        name = exc.option_name
        if "requires an argument" in message or "requires" in message:
            return f"オプション {name} には値が必要です"
        if "does not take a value" in message:
            return f"オプション {name} は値を取りません"
        return f"オプション {name} の使い方が正しくありません"
    m = re.fullmatch(r"No such command '(.*)'\.", message)
    if m:
        return f"コマンド '{m.group(1)}' はありません"
    m = re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", message)
    if m:
        return f"余分な引数があります ({m.group(1)})"
    if re.search(r"[^\x00-\x7f]", message):
        return message
    return "コマンドラインが正しくありません"


class JapaneseUsageError(click.UsageError):
    """One of click's usage errors, shown in Japanese (same exit code).

    Example:
        >>> import click, contextlib, io, sys
        >>> err = io.StringIO()
        >>> with contextlib.redirect_stderr(err):
        ...     JapaneseUsageError(click.UsageError("No such command 'chek'.")).show()
        >>> err.getvalue()
        "エラー: コマンド 'chek' はありません\\n"
    """

    def __init__(self, original: click.UsageError):
        super().__init__(original.message, original.ctx)
        self.original = original
        self.exit_code = original.exit_code

    def show(self, file=None) -> None:
        """Print the usage line, the help hint and the message, in Japanese.

        Example:
            >>> JapaneseUsageError(click.UsageError("x")).exit_code
            2
        """
        ctx = self.ctx
        lines = []
        if ctx is not None:
            pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
            lines.append(f"使い方: {ctx.command_path} {pieces}".rstrip())
            if ctx.command.get_help_option(ctx) is not None:
                lines.append(f"詳しくは '{ctx.command_path} {ctx.help_option_names[0]}' "
                             "を見てください。")
            lines.append("")
        lines.append(f"エラー: {japanese_message(self.original)}")
        click.echo("\n".join(lines), file=file, err=file is None,
                   color=ctx.color if ctx is not None else None)
