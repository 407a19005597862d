"""The ``lineage`` command line: parse, call one library function, format, exit.

Exit codes (public): 0 nothing at or above ``--fail-on``; 1 unwaived findings
at that level; 2 the input could not be read or the arguments are wrong.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import LineageError
from .model.errors import InventoryError
from .output import jsonreport
from .terms import counted

__all__ = ["main", "cli"]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UserError(LineageError):
    """A problem the user can fix; printed as one line, exit 2.

    Example:
        >>> from click.testing import CliRunner
        >>> r = CliRunner().invoke(cli, ["check", "inventories/monocollabo", "--format", "xlsx"])
        >>> r.exit_code, r.output
        (2, 'error: --format xlsx writes a workbook: give -o FILE.xlsx\\n')
    """


def _colour() -> bool:
    return (sys.stdout is not None and sys.stdout.isatty()
            and not os.environ.get("NO_COLOR"))


def _tolerant_streams() -> None:
    """Let standard output and error in another encoding than UTF-8 (cp932: Japanese
    Windows redirected to a file) write what they cannot encode as ``\\u2717``
    escapes rather than stop the command with an internal error (the hostile review
    of round 15: ``check`` and ``report`` wrote nothing)."""
    import codecs
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            if codecs.lookup(encoding).name != "utf-8":
                stream.reconfigure(errors="backslashreplace")
        except (LookupError, ValueError, OSError):
            pass


def _style(enabled: bool):
    if not enabled:
        return lambda text, **_: text
    return click.style


def _date(ctx, param, value):
    if value is None:
        return None
    from .model.schema import DateFormError, parse_date
    try:
        return parse_date(value)
    except DateFormError as exc:
        raise click.BadParameter(exc.message_ja if _current_lang() == "ja" else exc.message) \
            from None


def default_lang() -> str:
    """``ja`` when the user's locale is Japanese, else ``en`` (the default of every ``--lang``).

    ``LINEAGE_LANG`` wins, then the POSIX order ``LC_ALL``, ``LC_MESSAGES``, ``LANG``.

    Example:
        >>> import os
        >>> old = os.environ.get("LINEAGE_LANG"); os.environ["LINEAGE_LANG"] = "ja"
        >>> default_lang()
        'ja'
        >>> os.environ["LINEAGE_LANG"] = "en"; default_lang()
        'en'
        >>> _ = os.environ.pop("LINEAGE_LANG") if old is None else os.environ.update(
        ...     LINEAGE_LANG=old)
    """
    for name in ("LINEAGE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


#: ``--lang`` of every command: outputs and messages in Japanese or English.
lang_option = click.option("--lang", type=click.Choice(["en", "ja"]), default=default_lang,
                           is_eager=True,  # known before other options' messages
                           show_default="ja in a Japanese locale, else en",
                           help="Language of the output and messages.")


def _current_lang() -> str:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get("lang") in ("en", "ja"):
            return ctx.params["lang"]
        ctx = ctx.parent
    return default_lang()


def _encoding(ctx, param, value):
    # for this command only: a program (or a test) running several commands in one
    # process must not read the next one's CSV files in this one's encoding
    from .model.csvfolder import forced_encoding
    ctx.with_resource(forced_encoding(None if value == "auto" else value))
    return value


def _ids(ctx, param, value):
    if not value:
        return None
    return [part.strip() for v in value for part in v.split(",") if part.strip()]


#: Longest message line printed (a megabyte-long name must not give a megabyte line).
MAX_MESSAGE = 500
#: Most problems printed for one failed load; the rest are counted.
MAX_PROBLEMS = 200


#: Bidirectional controls: they reorder the text shown after them (after U+202E,
#: ``txt.exe`` shows as ``exe.txt``), so a message could show a name other than the real one.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: object, limit: int = MAX_MESSAGE) -> str:
    """``text`` safe for a terminal: control characters escaped, cut to ``limit`` characters.

    User text reaches error messages; an ESC sequence there could clear the
    screen, a line break could forge an ``error:`` line of its own, and a
    bidirectional control could show the text after it reversed.

    Example:
        >>> clean("name\\x1b[2J\\nerror: forged")
        'name\\\\x1b[2J\\\\nerror: forged'
        >>> clean("report\\u202etxt.exe")
        'report\\\\u202etxt.exe'
        >>> len(clean("x" * 2000))
        501
    """
    out = []
    for ch in str(text):
        code = ord(ch)
        if code < 0x20 or 0x7f <= code <= 0x9f or ch in "\u2028\u2029\ufffe\uffff" \
                or 0xd800 <= code <= 0xdfff or ch in _BIDI:
            out.append(repr(ch)[1:-1] if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    line = "".join(out)
    return line if len(line) <= limit else line[:limit] + "…"


def printable(text: str) -> str:
    """A whole output text safe for a terminal: :func:`clean`'s escapes for every control
    character but line breaks and tabs, and no length limit. For text read back from a
    snapshot store, where a row added behind lineage's back may hold anything (the
    hostile review of round 13: a label setting the terminal's title).

    Example:
        >>> print(printable("#1 Q3\\x1b]0;pwned\\x07\\n#2\\u202eevil"))
        #1 Q3\\x1b]0;pwned\\x07
        #2\\u202eevil
    """
    return "\n".join("\t".join(clean(part, limit=sys.maxsize) for part in line.split("\t"))
                     for line in text.split("\n"))


def handle_errors(func):
    """Turn library errors into a message on stderr and exit code 2.

    Example:
        >>> import contextlib, sys
        >>> @handle_errors
        ... def fails():
        ...     raise UserError("no snapshot store here")
        >>> with contextlib.redirect_stderr(sys.stdout):
        ...     try:
        ...         fails()
        ...     except SystemExit as exc:
        ...         print("exit", exc.code)
        error: no snapshot store here
        exit 2
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        lang = kwargs.get("lang") if kwargs.get("lang") in ("en", "ja") else _current_lang()
        head = "エラー" if lang == "ja" else "error"
        try:
            return func(*args, **kwargs)
        except InventoryError as exc:
            for problem in exc.problems[:MAX_PROBLEMS]:
                click.echo(f"{head}: {clean(problem.text(lang))}", err=True)
            n = len(exc.problems)
            if n > MAX_PROBLEMS:
                click.echo(f"... ほか {n - MAX_PROBLEMS} 件" if lang == "ja" else
                           f"... {n - MAX_PROBLEMS} more", err=True)
            if getattr(exc, "truncated", False):  # the load stopped collecting them
                from .model.loading import MAX_LOAD_PROBLEMS as most
                click.echo(f"{most:,} 件を超える問題があるため読み込みを止めました。チェックして"
                           "いません。" if lang == "ja" else
                           f"more than {most:,} problems (the load stopped there); nothing "
                           "was checked.", err=True)
            else:
                click.echo(f"{n} 件の問題があるため、チェックしていません。" if lang == "ja" else
                           f"{n} problem{'s' if n != 1 else ''}; nothing was checked.", err=True)
            sys.exit(EXIT_ERROR)
        except LineageError as exc:
            message = getattr(exc, "message_ja", None) if lang == "ja" else None
            click.echo(f"{head}: {clean(message or exc)}", err=True)
            sys.exit(EXIT_ERROR)
        except OSError as exc:
            click.echo(f"{head}: {clean(_failed(exc))}: {clean(exc.strerror or exc)}", err=True)
            sys.exit(EXIT_ERROR)
    return wrapper


def _failed(exc: OSError) -> str:
    """What an OSError is about: its file (and the second file of a rename or link), else
    the command that was running (an error such as a full disk may name no file).

    Example:
        >>> _failed(OSError(2, "No such file or directory", "a.yaml"))
        'a.yaml'
        >>> _failed(OSError(18, "Invalid cross-device link", "a", None, "b"))
        'a -> b'
        >>> _failed(OSError(28, "No space left on device"))
        'lineage'
    """
    if exc.filename is not None:
        second = getattr(exc, "filename2", None)
        return f"{exc.filename}" + (f" -> {second}" if second is not None else "")
    names = []
    ctx = click.get_current_context(silent=True)
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["lineage", *reversed(names)])


#: ``--encoding`` of every command that reads an inventory (CSV folders only).
encoding_option = click.option(
    "--encoding", type=click.Choice(["auto", "utf-8", "cp932", "shift_jis"],
                                    case_sensitive=False),
    default="auto", show_default=True, expose_value=False, is_eager=True, callback=_encoding,
    help="Text encoding of a CSV-folder inventory; auto: a BOM or valid UTF-8 means "
         "UTF-8, else Shift_JIS (CP932).")


def inventory_argument(func):
    """The INVENTORY argument, with ``--encoding`` for a CSV folder.

    Example:
        >>> [p.name for p in check.params][:2]
        ['inventory', 'encoding']
    """
    func = encoding_option(func)
    return click.argument("inventory", type=click.Path(path_type=Path))(func)


#: Commands defined in their own modules, imported when first called, so that a
#: quick command (``snapshot list``) does not load the rule engine and pandas.
LAZY_COMMANDS = {
    "trace": "commands_lineage", "upstream": "commands_lineage",
    "impact": "commands_lineage", "stop": "commands_lineage",
    "draw": "commands_draw", "export": "commands_draw",
    "snapshot": "commands_snapshot", "report": "commands_snapshot",
    "convert": "commands_workbench", "template": "commands_workbench",
    "schema": "commands_workbench",
    "explore": "commands_explore",
}


def _help_asked(args) -> bool:
    """Whether a command line asks for a help page (``--help``, ``-h``, or a bare group).

    Example:
        >>> _help_asked(["check", "--help"]), _help_asked(["check", "x"]), _help_asked([])
        (True, False, True)
    """
    args = list(args)
    return not args or "--help" in args or "-h" in args or args == ["snapshot"]


class LazyGroup(click.Group):
    """A command group that imports a command's module on first use.

    Example:
        >>> isinstance(cli, LazyGroup), LAZY_COMMANDS["draw"]
        (True, 'commands_draw')
    """

    def list_commands(self, ctx):
        """Every command name, built in or lazy, sorted.

        Example:
            >>> cli.list_commands(None)[:4]
            ['check', 'convert', 'draw', 'explain']
        """
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def main(self, args=None, *rest, **kwargs):
        """Run the command line; a help page asked for in a Japanese locale is Japanese
        (:mod:`lineage.cli_help_ja`), the English texts are restored afterwards.

        Example:
            >>> from click.testing import CliRunner
            >>> r = CliRunner().invoke(cli, ["validate", "--help"], env={"LINEAGE_LANG": "ja"},
            ...                        prog_name="lineage")
            >>> r.output.splitlines()[0]
            '使い方: lineage validate [OPTIONS] INVENTORY'
        """
        argv = sys.argv[1:] if args is None else args
        # read only when click reports a usage error (``_localised``): a run that
        # has none does not import the Japanese messages
        self._usage_args = tuple(argv)
        if default_lang() != "ja" or not _help_asked(argv):
            return super().main(args, *rest, **kwargs)
        from .cli_help_ja import japanese_help
        with japanese_help(self):
            return super().main(args, *rest, **kwargs)

    def _localised(self, exc: click.UsageError) -> click.UsageError:
        from .cli_errors_ja import JapaneseUsageError, lang_in
        if lang_in(getattr(self, "_usage_args", ()), default_lang()) != "ja":
            return exc
        return exc if isinstance(exc, JapaneseUsageError) else JapaneseUsageError(exc)

    def make_context(self, info_name, args, parent=None, **extra):
        """The group's context; click's usage errors come out in Japanese under ``--lang ja``.

        Example:
            >>> from click.testing import CliRunner
            >>> r = CliRunner().invoke(cli, ["chek", "--lang", "ja"], prog_name="lineage")
            >>> r.exit_code, r.output.splitlines()[-1]
            (2, "エラー: コマンド 'chek' はありません")
        """
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise self._localised(exc) from None

    def invoke(self, ctx):
        """Run the chosen command; its usage errors are Japanese under ``--lang ja``.

        Example:
            >>> from click.testing import CliRunner
            >>> r = CliRunner().invoke(cli, ["check", "--formt", "json", "--lang", "ja"],
            ...                        prog_name="lineage")
            >>> r.output.splitlines()[-1]
            'エラー: オプション --formt はありません（もしかして: --format）'
        """
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise self._localised(exc) from None

    def get_command(self, ctx, name):
        """The command called ``name``, importing its module first if needed; None if unknown.

        Example:
            >>> cli.get_command(None, "snapshot").name, cli.get_command(None, "nope")
            ('snapshot', None)
        """
        if name not in self.commands and name in LAZY_COMMANDS:
            module = importlib.import_module(f".{LAZY_COMMANDS[name]}", __package__)
            self.add_command(getattr(module, name), name)
        return super().get_command(ctx, name)


class ProgressDisplay:
    """Draws the library's progress reports (:mod:`lineage.progress`) on standard error.

    Silent for the first :attr:`DELAY` seconds, so quick work shows nothing;
    then one click progress bar per stage (records read, flows checked, ...)
    with the count and the time left when the total is known.

    Example:
        >>> import io
        >>> err = io.StringIO()
        >>> show = ProgressDisplay(err, delay=0)
        >>> show("flows checked", 5, 10); show("flows checked", 10, 10); show.close()
        >>> "flows checked" in err.getvalue()
        True
    """

    DELAY = 2.0

    def __init__(self, file=None, delay: float | None = None):
        import time
        self.file = file if file is not None else sys.stderr
        self.delay = self.DELAY if delay is None else delay
        self.clock = time.monotonic
        self.start = self.clock()
        self.bar = None
        self.stage = None
        self.pos = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.bar is None and self.clock() - self.start < self.delay:
            return
        if stage != self.stage or self.bar is None:
            self.close()
            import itertools
            self.bar = click.progressbar(
                length=total, iterable=None if total is not None else itertools.count(),
                label=stage, file=self.file, show_pos=True, show_eta=True)
            self.bar.__enter__()
            self.stage, self.pos = stage, 0
        if done > self.pos:
            self.bar.update(done - self.pos)
            self.pos = done

    def close(self) -> None:
        """End the current bar's line (the next output starts on a fresh line).

        Example:
            >>> ProgressDisplay(delay=0).close()  # nothing was drawn: nothing to end
        """
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


_PROGRESS = "lineage.progress"  # the click context's key of the ProgressDisplay


def end_progress() -> None:
    """End the progress bar's line before a command writes its result, so the
    result starts on a line of its own on the terminal (the display draws a new
    bar if more work is reported after).

    Example:
        >>> import io
        >>> err = io.StringIO()
        >>> show = ProgressDisplay(err, delay=0)
        >>> with click.Context(cli) as ctx:
        ...     ctx.meta[_PROGRESS] = show
        ...     show("flows checked", 5, 10)
        ...     end_progress()
        >>> show.bar is None, err.getvalue().endswith("\\n")
        (True, True)
    """
    ctx = click.get_current_context(silent=True)
    display = ctx.meta.get(_PROGRESS) if ctx is not None else None
    if display is not None:
        display.close()


def wants_progress(quiet: bool = False) -> bool:
    """Whether to draw progress: a terminal on stderr, not ``--quiet``, not CI.

    Not with ``NO_COLOR`` or ``TERM=dumb`` either: the bar hides the cursor
    with an escape sequence, and those users asked for none.

    Example:
        >>> wants_progress(quiet=True)
        False
    """
    if quiet or any(os.environ.get(v) for v in ("CI", "LINEAGE_QUIET", "NO_COLOR")):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lineage")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress display on standard error (it shows only on a terminal, "
                   "for work that takes more than a couple of seconds).")
def cli(quiet):
    """Map personal-data flows and check each hop against the privacy policy.

    INVENTORY is a YAML file, a folder of YAML or CSV files, or an Excel
    workbook (format lineage/1).

    \b
    Examples:
      lineage check inventories/monocollabo
      lineage draw inventories/monocollabo -o map.svg --only-violations
    """
    from .files import end_run, start_run
    _tolerant_streams()
    start_run()  # from here, every file read is an input no output may replace
    ctx = click.get_current_context()
    ctx.call_on_close(end_run)
    if wants_progress(quiet):
        from .progress import reporting
        display = ProgressDisplay()
        ctx.meta[_PROGRESS] = display
        ctx.call_on_close(display.close)
        ctx.with_resource(reporting(display))


@cli.command()
@inventory_argument
@click.option("--rules", "packs", default="policy", show_default=True,
              help="Rule packs, comma-separated.")
@click.option("--select", multiple=True, callback=_ids, help="Only these rule IDs or prefixes.")
@click.option("--ignore", multiple=True, callback=_ids, help="Skip these rule IDs or prefixes.")
@click.option("--format", "fmt",
              type=click.Choice(["table", "json", "csv", "sarif", "junit", "xlsx"]),
              default="table", show_default=True)
@click.option("--as-of", callback=_date, help="Audit date (overrides the inventory's as_of).")
@lang_option
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error",
              show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are found.")
@click.option("-o", "--output", type=click.Path(),
              help="Write the report to this file instead of standard output ('-': standard "
                   "output).")
@click.option("--baseline", metavar="STORE[:SNAPSHOT]",
              help="Fail only on findings absent from this stored snapshot (default: the "
                   "latest); prints 'N new, M known' on standard error.")
@handle_errors
def check(inventory, packs, select, ignore, fmt, as_of, lang, fail_on, exit_zero, output,
          baseline):
    """Check every flow against the rules and report findings.

    Exit 0: no unwaived finding at --fail-on level (with --baseline: none that is
    new). 1: such findings. 2: the inventory could not be read or the arguments
    are wrong.

    \b
    Examples:
      lineage check inventories/monocollabo --format json
      lineage check inventories/monocollabo --select TP2 --fail-on warning
    """
    output = output_file(output, stdout=True) if output is not None else None  # before the load
    if fmt == "xlsx" and output is None:
        raise UserError("--format xlsx writes a workbook: give -o FILE.xlsx",
                        message_ja="--format xlsx はブックを書き出します。-o FILE.xlsx を指定してください")
    from .audit import check as run_check
    with _collector_paused():
        audit = run_check(inventory, as_of=as_of, packs=_packs(packs), select=select,
                          ignore=ignore)
    known = _baseline(baseline) if baseline else None
    if fmt == "json":
        # written as it is produced: a report of a million flows is never whole in memory
        text = jsonreport.chunks(jsonreport.report_data(audit))
    elif fmt == "csv":
        from .output import csvtable  # each format's writer only when asked for
        text = csvtable.chunks(audit, lang)
    elif fmt == "sarif":
        from .output import sarif
        text = sarif.render(audit, baseline=known, lang=lang)
    elif fmt == "junit":
        from .output import junit
        text = junit.render(audit, fail_on, lang, baseline=known)
    elif fmt == "xlsx":
        from .output import xlsx
        text = xlsx.render(audit, lang)
    else:
        from .output import table
        text = table.chunks(audit, lang, _style(_colour() and output is None), known)
    _emit(text, output, document=fmt != "table")
    code = audit.exit_code(fail_on)
    if known is not None:
        new, old = known.split(audit)
        if known.rules and tuple(known.rules) != tuple(audit.packs):
            # a gate that forgot --rules policy,appi would not see the Act's findings
            # (the trial of round 14)
            a, b = ",".join(known.rules), ",".join(audit.packs)
            click.echo(f"注意: 基準のスナップショットは {a}、この検査は {b} で検査されています"
                       if lang == "ja" else
                       f"note: the baseline was checked with {a} and this check with {b}",
                       err=True)
        click.echo(f"新規 {len(new)} 件、既知 {len(old)} 件" if lang == "ja"
                   else f"{len(new)} new, {len(old)} known", err=True)
        code = known.exit_code(audit, fail_on)
    else:
        # nothing left open (the report is written, no store was opened): the
        # process may end without freeing the inventory object by object
        _QUICK_EXIT.set(True)
    sys.exit(EXIT_OK if exit_zero else code)


def _baseline(spec: str):
    from .snapshots.baseline import Baseline
    from .snapshots.store import StoreError
    try:
        return Baseline.load(spec)
    except StoreError as exc:
        raise UserError(str(exc), message_ja=getattr(exc, "message_ja", None)) from None


@cli.command()
@inventory_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@lang_option
@handle_errors
def validate(inventory, fmt, lang):
    """Validate an inventory without checking rules.

    Lists every problem (file, line, record, field). Exit 0: valid.
    2: problems found or the inventory could not be read.

    \b
    Examples:
      lineage validate inventories/monocollabo
      lineage validate inventory.xlsx --format json
    """
    try:
        from .model.loading import load
        inv = load(inventory)
    except InventoryError as exc:
        if fmt == "json":
            # "truncated": the load stopped listing problems (there are more)
            _emit(jsonreport.dumps({"valid": False,
                                    "problems": [p.as_dict() for p in exc.problems],
                                    **({"truncated": True} if exc.truncated else {})}), None,
                  document=True)
            sys.exit(EXIT_ERROR)
        raise
    counts = {"parties": len(inv.parties), "flows": len(inv.flows)}
    if fmt == "json":
        _emit(jsonreport.dumps({"valid": True, "problems": [], "counts": counts}), None,
              document=True)
    else:
        _emit(f"{clean(inventory)}: 問題はありません（当事者 {counts['parties']} 件、フロー "
              f"{counts['flows']} 件）\n" if lang == "ja" else
              f"{clean(inventory)}: valid ({counted(counts['parties'], 'party', 'parties')}, "
              f"{counted(counts['flows'], 'flow')})\n", None)


@cli.command()
@click.option("--rules", "packs", default=None, help="Only these packs (default: all).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
@lang_option
@handle_errors
def rules(packs, fmt, lang):
    """List every rule with its clause, kind, severity and title. Exit 0.

    \b
    Examples:
      lineage rules --lang ja
      lineage rules --rules appi
      lineage rules --format markdown > docs/rules.md
    """
    from .output import rulesdoc
    selected = rulesdoc.rules_of(_packs(packs) if packs else None)
    if fmt == "json":
        _emit(jsonreport.dumps(rulesdoc.as_json(selected)), None, document=True)
    elif fmt == "markdown":
        _emit(rulesdoc.markdown(selected), None, document=True)
    else:
        _emit(rulesdoc.table(selected, lang), None)


@cli.command()
@click.argument("rule")
@click.argument("inventory", required=False, type=click.Path(path_type=Path))
@encoding_option
@click.option("--rules", "packs", default=None,
              help="Rule packs the inventory is checked with, comma-separated (default: "
                   "policy, and the finding's own pack).")
@click.option("--as-of", callback=_date, help="Audit date (overrides the inventory's as_of).")
@lang_option
@handle_errors
def explain(rule, inventory, packs, as_of, lang):
    """Print a rule's documentation, clause, and a failing and a passing example.

    RULE is a rule ID, or a finding ID as reports show it (TP203:F08:dob), whose
    rule is explained. With INVENTORY, a finding ID is looked up in its check and
    printed first: its flow, message, every piece of evidence, remedy and your
    policy's words for the clause.

    Exit 0: printed. 2: no such rule, or no such finding in INVENTORY.

    \b
    Examples:
      lineage explain TP203
      lineage explain TP203:F08:dob
      lineage explain TP222:F30:phone inventories/monocollabo
    """
    from .output import rulesdoc
    from .rules.registry import REGISTRY
    # a finding ID pasted from a report names its rule first (the trial of round 14)
    found = REGISTRY.get(rule.split(":", 1)[0].strip())
    if inventory is None:
        _emit(rulesdoc.explain(found, lang), None)
        return
    if ":" not in rule:
        raise UserError(f"{rule}: give a finding ID as reports show it (such as "
                        f"{found.id}:F1) to explain one finding of {inventory}",
                        message_ja=f"{rule}: {inventory} の指摘を説明するには、レポートに表示される"
                                   f"指摘 ID（{found.id}:F1 など）を指定してください")
    pack = REGISTRY.pack_of(found.id)
    chosen = _packs(packs) if packs else tuple(dict.fromkeys(
        ("policy", *((pack,) if pack else ()))))
    from .audit import check as run_check
    audit = run_check(inventory, as_of=as_of, packs=chosen)
    wanted = rule.strip()
    finding = next((f for f in audit.results if f.id == wanted), None)
    # a lack a verdict's evidence names (TP223:F38 under TP101:F38): not reported on its
    # own, so the verdict that names it is what to show (the review of round 15)
    verdict = None if finding is not None else next(
        (f for f in audit.results if wanted in dict(f.evidence).get("lacks", ())), None)
    if verdict is not None:
        note = (f"{wanted} は単独の指摘ではありません。{verdict.id} の最も近い根拠に欠けている"
                "条件です:\n\n" if lang == "ja" else
                f"{wanted} is not reported on its own: it is what the closest route of "
                f"{verdict.id} lacks:\n\n")
        _emit(note + rulesdoc.finding_text(audit, verdict, lang) + "\n"
              + rulesdoc.explain(found, lang), None)
        return
    if finding is None:
        same = sorted(f.id for f in audit.results if f.rule == found.id)
        from .model.errors import did_you_mean
        hint = did_you_mean(wanted, same, lang) if same else ""
        shown = ", ".join(same[:5]) + (" ..." if len(same) > 5 else "")
        raise UserError(
            f"{wanted}: no such finding in {inventory} (checked with {','.join(chosen)}; "
            + (f"its {found.id} findings: {shown})" if same else f"no {found.id} finding)")
            + hint,
            message_ja=f"{wanted}: {inventory} にこの指摘はありません（{','.join(chosen)} で検査; "
                       + (f"{found.id} の指摘: {shown}）" if same else f"{found.id} の指摘はありません）")
                       + hint)
    _emit(rulesdoc.finding_text(audit, finding, lang) + "\n" + rulesdoc.explain(found, lang),
          None)


def _packs(text: str) -> tuple[str, ...]:
    """The packs of ``--rules``: comma-separated, each once in the order given.

    Example:
        >>> _packs("policy, appi,policy")
        ('policy', 'appi')
        >>> _packs(",")
        Traceback (most recent call last):
        lineage.rules.base.RuleSelectionError: --rules names no rule pack (known: appi, policy)
    """
    from .rules.registry import REGISTRY, RuleSelectionError
    packs = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    if not packs:
        known = ", ".join(sorted(REGISTRY.packs))
        raise RuleSelectionError(f"--rules names no rule pack (known: {known})",
                                 message_ja=f"--rules にルールパックがありません（あるもの: {known}）")
    for p in packs:
        if p not in REGISTRY.packs:
            known = ", ".join(sorted(REGISTRY.packs))
            raise RuleSelectionError(f"unknown rule pack '{p}' (known: {known})",
                                     message_ja=f"ルールパック '{p}' はありません（あるもの: {known}）")
    return packs


def _emit(text, output: Path | None, document: bool = False) -> None:
    """Write ``text`` (str, bytes, or an iterator of str and UTF-8 bytes pieces) to
    ``output`` or standard output; a file appears whole or not at all.

    ``document``: the text is a file's content (JSON, CSV, HTML, XML, Markdown),
    UTF-8 as its format says, so it goes to standard output as UTF-8 bytes whatever
    the terminal's encoding (a cp932 stdout would otherwise re-encode an HTML page
    that declares UTF-8).

    Every command writes its standard output through here, so a reader that stops
    early (``| head -1``) ends it quietly, with no traceback or error line."""
    if output is None:
        end_progress()
        if sys.stdout is None:  # started with standard output closed (`>&-`)
            raise UserError("cannot write to standard output: it is closed; give -o FILE",
                            message_ja="標準出力が閉じられているため書き出せません。"
                                       "-o FILE を指定してください")
        binary = getattr(sys.stdout, "buffer", None) is not None
        # bytes go to the binary stream beneath as they are when the terminal reads
        # UTF-8, or when the text is a document in UTF-8 whatever the terminal's
        # encoding; otherwise the terminal's encoding gets text
        raw = binary and (document or _utf8(sys.stdout))
        if document and binary:
            text = _utf8_pieces(text)
        try:
            if isinstance(text, (str, bytes)):
                click.echo(text, nl=False)
                return
            for piece in text:
                click.echo(piece if raw or type(piece) is str else piece.decode("utf-8"),
                           nl=False)
        except BrokenPipeError:
            _reader_gone()
        return
    write_atomic(output, _utf8_pieces(text))


def _utf8_pieces(text):
    """``text`` (str, bytes, or an iterator of str and bytes pieces) as UTF-8 bytes, or
    an iterator of them, as a file holds it.

    Example:
        >>> _utf8_pieces("日本"), list(_utf8_pieces(["a", b"b"]))
        (b'\\xe6\\x97\\xa5\\xe6\\x9c\\xac', [b'a', b'b'])
    """
    if isinstance(text, str):
        return text.encode("utf-8")
    if isinstance(text, bytes):
        return text
    return (p.encode("utf-8") if type(p) is str else p for p in text)


def _reader_gone() -> None:
    """The reader of standard output stopped early (``| head``): that is its choice,
    not an error. Send what is still buffered to the null device, so no later
    flush fails, and let the command exit with its own code."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no real descriptor: nothing to flush
        pass


def _utf8(stream) -> bool:
    """Whether ``stream`` encodes text as UTF-8 (so UTF-8 bytes may go to it as they are)."""
    import codecs
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "utf-8"
    except LookupError:
        return False


def output_file(path, stdout: bool = False) -> Path | None:
    """Refuse an output before slow work starts: a folder (or a path ending in ``/``),
    a missing folder, a symbolic link, a device or other special file.

    Takes the text as typed (``-o`` is not converted to a :class:`Path` first,
    which would drop a trailing ``/``). ``-`` is standard output, as for most
    command-line tools: None when the command can write there (``stdout``),
    refused otherwise (a drawing or workbook whose format comes from the
    file's extension), never a file named ``-``.

    Example:
        >>> output_file("inventories")
        Traceback (most recent call last):
        lineage.cli.UserError: inventories: is a folder, not a file
        >>> output_file("inventories/nonexist/")
        Traceback (most recent call last):
        lineage.cli.UserError: inventories/nonexist/: names a folder (it ends with '/'), not a file
        >>> output_file("/dev/zero")
        Traceback (most recent call last):
        lineage.files.OutputError: /dev/zero: is not a regular file (a character device); refusing to write to it
        >>> output_file("/dev/null")  # the null device: the output is dropped
        PosixPath('/dev/null')
        >>> output_file("-", stdout=True) is None
        True
    """
    from .files import check_output
    text = os.fspath(path)
    if text == "-":
        if stdout:
            return None
        raise UserError("-o -: this command writes a file, not standard output; give a file name",
                        message_ja="-o -: このコマンドは標準出力ではなくファイルに書き出します。"
                                   "ファイル名を指定してください")
    out = Path(text)
    if out.is_dir():
        raise UserError(f"{text}: is a folder, not a file",
                        message_ja=f"{text}: ファイルではなくフォルダです")
    if text.endswith(("/", os.sep)):
        raise UserError(f"{text}: names a folder (it ends with '/'), not a file",
                        message_ja=f"{text}: フォルダを指しています（末尾が '/'）。ファイルを指定してください")
    if not out.parent.is_dir():
        raise UserError(f"{text}: folder {out.parent} does not exist",
                        message_ja=f"{text}: フォルダ {out.parent} がありません")
    check_output(out)  # a symlink, a device, a named pipe
    return out


def output_suffix(output: Path | None, allowed: tuple[str, ...], what: str, what_ja: str) -> None:
    """Refuse an output whose extension is not one the command writes (``-o
    inventory.yaml`` for an HTML page would put a page where the user keeps
    something else).

    Example:
        >>> output_suffix(Path("r.HTML"), (".html", ".htm"), "an HTML page", "HTML")
        >>> output_suffix(Path("r.yaml"), (".html", ".htm"), "an HTML page", "HTML")
        Traceback (most recent call last):
        lineage.cli.UserError: r.yaml: this command writes an HTML page (.html, .htm); refusing to write it to a .yaml file
    """
    if output is None or output.suffix.lower() in allowed:
        return
    from .files import is_null_device
    try:
        if is_null_device(os.stat(output)):  # -o /dev/null: the output is dropped
            return
    except OSError:
        pass
    kinds = ", ".join(allowed)
    got = f"a {output.suffix} file" if output.suffix else "a file with no extension"
    got_ja = f"{output.suffix} のファイル" if output.suffix else "拡張子のないファイル"
    raise UserError(f"{output}: this command writes {what} ({kinds}); refusing to write it "
                    f"to {got}",
                    message_ja=f"{output}: このコマンドは{what_ja} ({kinds}) を書き出します。"
                               f"{got_ja}には書き込みません")


def write_atomic(path: Path, data) -> None:
    """Write ``data`` (bytes, or an iterable of bytes pieces) via a temporary file in the
    same folder, so no partial file is left.

    Example:
        >>> import pathlib, tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     out = pathlib.Path(tmp) / "report.txt"
        ...     write_atomic(out, b"ok\\n")
        ...     out.read_bytes()
        b'ok\\n'
    """
    from .files import write_atomic as write
    try:
        write(path, data)
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}",
                        message_ja=f"{path}: 書き込めません（{exc.strerror or exc}）") from None


class Interrupted(BaseException):
    """SIGTERM, SIGHUP or Ctrl-C: unwinds like an exception so every ``finally``
    runs (Graphviz is killed, temporary files are removed), then exits 128 + signal.

    Example:
        >>> Interrupted(15).signum
        15
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, frame):
    raise Interrupted(signum)


#: Allocations between young collections once the CLI runs. A load builds
#: millions of long-lived objects (records, dates, tuples) and no cycles: with
#: the default 700, the collector scans them again and again (about 40% of a
#: large check's CPU time, issue 14), for nothing to free.
GC_THRESHOLD = (100_000, 50, 100)


def _tune_gc() -> None:
    """Freeze what start-up built and collect young objects rarely (the CLI's process only).

    Example:
        >>> import gc
        >>> old = gc.get_threshold(); _tune_gc(); gc.get_threshold()[0] >= 100_000
        True
        >>> gc.set_threshold(*old); gc.unfreeze()
    """
    import gc
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


@contextlib.contextmanager
def _collector_paused():
    """Run a load and its checks without the cycle collector, then keep what they built out of it.

    Loading and checking build tens of millions of objects that live until the
    report is written and form no cycles (measured: a few hundred cyclic objects
    for 100,000 flows). Every one of them is still scanned twice by the young
    collections before it settles, about 10% of a check of a million flows
    for nothing to free. Paused, the collector scans none of them; frozen at the
    end, they stay out of the collections that follow (a disabled collector still
    lists new objects, and the first collection after would scan them all).
    Only the CLI's own process does this (:func:`main` without ``argv``).

    Example:
        >>> import gc
        >>> token = _OWN_PROCESS.set(True)
        >>> with _collector_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled(), gc.get_freeze_count() > 0
        (True, True)
        >>> gc.unfreeze(); _OWN_PROCESS.reset(token)
    """
    import gc
    if not _OWN_PROCESS.get() or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


#: True when :func:`main` runs as lineage's own process (no ``argv``).
_OWN_PROCESS: contextvars.ContextVar[bool] = contextvars.ContextVar("own_process",
                                                                    default=False)

#: Set by a command whose work is done and closed when it exits (``check``).
_QUICK_EXIT: contextvars.ContextVar[bool] = contextvars.ContextVar("quick_exit", default=False)


def _quick_exit(code) -> None:
    """End lineage's own process with ``code`` now: flush the standard streams, run
    the exit handlers, and leave without the interpreter's teardown.

    The teardown frees every object one by one: for an inventory of 100,000 flows
    about half a second, for a million several seconds, to give memory back to a
    process that is ending anyway. Returns (the caller exits as usual) when a
    stream cannot be flushed, a thread still runs, ``code`` is not a number, or a
    profiler or tracer watches the process (``python -m cProfile -o FILE -m
    lineage``, ``-m trace``, a debugger, coverage): those write their results
    after the program returns, which an early exit would lose.

    Example:
        >>> _quick_exit("not a number") is None
        True
    """
    if not (code is None or type(code) is int):
        return
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed pipe: the usual exit reports it as it always has
        return
    import atexit
    atexit._run_exitfuncs()
    try:  # what an exit handler wrote, on a pipe still in its buffer
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(code or 0)


def main(argv=None) -> None:
    """Entry point of the ``lineage`` script and ``python -m lineage``.

    Called without ``argv``, it takes the process as lineage's own: it tunes
    the garbage collector and, once ``check`` has written its report, ends the
    process at once (output flushed, exit handlers run, no teardown of the
    inventory). A program that runs lineage inside itself passes ``argv``
    (``main(sys.argv[1:])``) and gets ``SystemExit`` back as usual.

    Example:
        >>> try:
        ...     main(["validate", "inventories/monocollabo"])
        ... except SystemExit as exc:
        ...     print("exit", exc.code)
        inventories/monocollabo: valid (32 parties, 48 flows)
        exit 0
    """
    import signal
    _QUICK_EXIT.set(False)  # only a command of this run may ask for it
    _OWN_PROCESS.set(argv is None)
    if argv is None:
        # the process is lineage's own (the script, python -m lineage): a caller
        # passing argv may be a long-lived program whose collector is its business
        _tune_gc()
    previous = {}
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        if hasattr(signal, name):
            previous[getattr(signal, name)] = signal.signal(getattr(signal, name), _interrupt)
    try:
        cli.main(args=argv, prog_name="lineage", standalone_mode=True)
    except SystemExit as exc:
        if argv is None and _QUICK_EXIT.get():
            _quick_exit(exc.code)
        raise
    except Interrupted as exc:
        click.echo("interrupted", err=True)
        sys.exit(128 + exc.signum)
    except Exception as exc:  # a bug, not bad input: say so without a traceback
        if os.environ.get("LINEAGE_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {clean(exc)} "
                   "(set LINEAGE_DEBUG=1 for a traceback; please report it)", err=True)
        sys.exit(EXIT_ERROR)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
