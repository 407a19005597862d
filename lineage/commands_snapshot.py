"""``lineage snapshot ...`` (create, list, show, verify, diff) and ``lineage report``.

Each command calls one library function (:mod:`lineage.snapshots`,
:mod:`lineage.output.report_html`) and formats its result; registered on the
``cli`` group at the end of :mod:`lineage.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import (_QUICK_EXIT, EXIT_FINDINGS, EXIT_OK, UserError, _collector_paused, _date, _emit,
                  _packs, clean, encoding_option, end_progress, handle_errors, inventory_argument,
                  lang_option, output_file, output_suffix, printable)
from .snapshots import render
from .terms import counted
from .snapshots.store import Store, default_store

__all__ = ["snapshot", "report", "DEFAULT_STORE"]

#: The store of commands without an inventory argument, relative to the current folder.
DEFAULT_STORE = Path(".lineage") / "audits.db"


def _open(store: Path | None, *, create: bool = False) -> Store:
    return Store(store or DEFAULT_STORE, create=create)


store_option = click.option(
    "--store", type=click.Path(path_type=Path, dir_okay=False),
    help="Snapshot store file. Default: .lineage/audits.db next to the inventory "
         "(create, report) or in the current folder (other commands).")


@click.group()
def snapshot():
    """Keep audits as evidence and compare them (a hash-chained SQLite store).

    \b
    lineage snapshot create INVENTORY [--label TEXT]
    lineage snapshot list
    lineage snapshot show ID
    lineage snapshot verify
    lineage snapshot diff A B     (ID, label, latest, previous, or an inventory path)

    \b
    Examples:
      lineage snapshot create inventories/monocollabo --label 2026-Q3
      lineage snapshot diff previous latest --store inventories/monocollabo/.lineage/audits.db
    """


@snapshot.command("create")
@inventory_argument
@click.option("--label", help="A name for the snapshot, unique in the store (e.g. 2026-Q3).")
@store_option
@click.option("--rules", "packs", default=None,
              help="Rule packs, comma-separated (default: those of the store's latest "
                   "snapshot, else policy).")
@click.option("--as-of", callback=_date, help="Audit date (overrides the inventory's as_of).")
@lang_option
@handle_errors
def create(inventory, label, store, packs, as_of, lang):
    """Check INVENTORY and store the audit as a new snapshot.

    Exit 0: stored (whatever the findings). 2: the inventory could not be read,
    the label is taken, or the store could not be written (it is left as it was).

    \b
    Examples:
      lineage snapshot create inventories/monocollabo --label 2026-Q3
      lineage snapshot create inventories/monocollabo --label 2026-Q4 --as-of 2026-12-31
    """
    from .snapshots.api import snapshot as take
    path = store or default_store(inventory)
    with Store(path) as opened:
        # The packs of the store's latest snapshot by default, as `report` takes them:
        # a snapshot checked with fewer packs would read as every finding of the others
        # resolved (the trial of round 14 forgot --rules appi once).
        entries = opened.list()
        latest = tuple(entries[-1]["rules"]) if entries else None
        chosen = _packs(packs) if packs is not None else (latest or ("policy",))
        if latest and tuple(chosen) != latest:
            _note_packs(latest, chosen, lang, ("the latest snapshot",
                                               "最新のスナップショット"),
                        ("this one", "このスナップショット"))
        # as `check` runs its load and checks, and the snapshot's rows after them:
        # millions of objects that form no cycles, never scanned by the collector
        with _collector_paused():
            snap = take(inventory, store=opened, label=label, as_of=as_of, packs=chosen)
    s = snap.summary
    sev = s["severity"]
    end_progress()
    if lang == "ja":
        _emit(f"スナップショット {clean(snap.name)} を {clean(path)} に保存しました: フロー {s['flows']} 件、"
              f"エラー {sev['error']} 件、警告 {sev['warning']} 件、承認済み {sev['waived']} 件（指摘）\n"
              f"チェーンの先頭: sha256:{snap.chain_hash}\n", None)
    else:
        _emit(f"snapshot {clean(snap.name)} stored in {clean(path)}: {counted(s['flows'], 'flow')}, "
              f"findings: {sev['error']} error, {sev['warning']} warning, {sev['waived']} waived\n"
              f"chain head: sha256:{snap.chain_hash}\n", None)
    # the snapshot is committed and the store closed: the process may end without
    # freeing the inventory object by object (as `check` does)
    _QUICK_EXIT.set(True)


@snapshot.command("list")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@lang_option
@handle_errors
def list_(store, fmt, lang):
    """List snapshots, oldest first: date, label, counts by severity and kind, flows by route.

    Exit 0.

    \b
    Examples:
      lineage snapshot list
      lineage snapshot list --store inventories/monocollabo/.lineage/audits.db --format json
    """
    with _open(store) as opened:
        entries = opened.list()
    _emit(render.list_json(entries) if fmt == "json"
          else printable(render.list_table(entries, lang)), None, document=fmt == "json")


@snapshot.command("show")
@click.argument("ref")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@lang_option
@handle_errors
def show(ref, store, fmt, lang):
    """Show one snapshot (ID, label, latest or previous): hashes, flows, findings. Exit 0.

    \b
    Examples:
      lineage snapshot show latest
      lineage snapshot show 2026-Q3 --store inventories/monocollabo/.lineage/audits.db --lang ja
    """
    with _open(store) as opened:
        snap = opened.get(ref)
    _emit(render.show_json(snap) if fmt == "json" else printable(render.show_table(snap, lang)),
          None, document=fmt == "json")


def _chain_hash(ctx, param, value):
    # An empty or mistyped head (an unset shell variable, a truncated copy) must not
    # silently skip the check, nor be reported as a rewritten chain.
    if value is None:
        return None
    digest = value.strip().lower().removeprefix("sha256:")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        from .cli import _current_lang
        if _current_lang() == "ja":
            raise click.BadParameter(f"{value!r} はチェーンハッシュではありません "
                                     "(16進64桁、先頭の sha256: は省略可)")
        raise click.BadParameter(f"{value!r} is not a chain hash (64 hex digits, "
                                 "optionally after sha256:)")
    return digest


@snapshot.command("verify")
@store_option
@click.option("--head", callback=_chain_hash, help="A chain hash recorded elsewhere (minutes, a commit) that must "
                             "still be the head or in the chain.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@lang_option
@handle_errors
def verify(store, head, fmt, lang):
    """Recompute every snapshot's hash and walk the hash chain.

    Exit 0: intact. 1: a snapshot was altered or removed (each is listed), or the
    file is damaged. 2: no store, a store of a newer lineage, or --head is not a
    chain hash. The store is
    opened read-only and never changed.

    \b
    Examples:
      lineage snapshot verify
      lineage snapshot verify --store inventories/monocollabo/.lineage/audits.db --format json
    """
    from .snapshots.store import NewerStoreError, Problem, StoreError, VerifyResult
    path = store or DEFAULT_STORE
    try:
        opened = _open(store)
    except StoreError as exc:
        if not path.is_file() or isinstance(exc, NewerStoreError):
            raise
        # A file that is there but cannot be opened as a store is damage, not a usage error.
        reason = str(exc).removeprefix(f"{path}: ")
        result = VerifyResult(snapshots=0, head=None,
                              problems=(Problem(None, f"damaged or replaced: {reason}",
                                                f"壊れているか置き換えられています: {reason}"),))
    else:
        with opened:
            result = opened.verify()
            if head is not None:
                result = opened.verify_head(result, head)
    _emit(render.verify_json(result) if fmt == "json" else render.verify_text(result, path, lang),
          None, document=fmt == "json")
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@snapshot.command("diff")
@click.argument("a")
@click.argument("b")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
@lang_option
@click.option("--rules", "packs", default=None,
              help="Rule packs for an inventory path given as A or B (default: those of the "
                   "stored snapshot on the other side, else policy).")
@click.option("--as-of", callback=_date, help="Audit date for an inventory path given as A or B.")
@encoding_option
@handle_errors
def diff(a, b, store, fmt, lang, packs, as_of):
    """What changed from A to B: findings new, resolved and still open; records added,
    removed and changed, with their legal meaning.

    A and B are snapshot IDs, labels, latest, previous, or inventory paths (checked now).
    The store: --store, else .lineage/audits.db in the current folder, else the store
    of an inventory path given as A or B.
    Exit 0: B has no finding that A lacks. 1: B has new findings.

    \b
    Examples:
      lineage snapshot diff previous latest --store inventories/monocollabo/.lineage/audits.db
      lineage snapshot diff latest inventories/monocollabo
      lineage snapshot diff latest . --format markdown
    """
    from .snapshots.api import diff as compare
    path = store or DEFAULT_STORE
    if store is None and not path.exists():
        # the store `snapshot create INVENTORY` made, beside the inventory named here
        # (the trial of round 14: "latest: no such inventory" right after creating it)
        path = next((own for own in (default_store(ref) for ref in (a, b)
                                     if Path(ref).exists()) if own.is_file()), path)
        store = path if path.exists() else None
    opened = Store(path, create=False) if (store or path.exists()) else None
    try:
        # the default needs no check against the rule registry (a second of imports)
        chosen = (None if packs is None else ("policy",) if packs == "policy"
                  else _packs(packs))
        d = compare(a, b, store=opened, as_of=as_of, packs=chosen)
    finally:
        if opened is not None:
            opened.close()
    _note_packs(d.a.rules, d.b.rules, lang, ("A", "A "), ("B", "B "))
    if fmt == "json":
        text = render.diff_json(d)
    elif fmt == "markdown":
        text = printable(render.diff_markdown(d, lang))
    else:
        text = printable(render.diff_table(d, lang))
    _emit(text, None, document=fmt != "table")
    sys.exit(EXIT_FINDINGS if d.new else EXIT_OK)


def _note_packs(first, second, lang: str, one: tuple, two: tuple) -> None:
    """Say on stderr when two sides of a comparison were checked with other packs
    (``one``, ``two``: each side's name in English and Japanese): every finding of a
    pack on one side only would read as new or resolved."""
    if tuple(first) == tuple(second):
        return
    a, b = ",".join(first), ",".join(second)
    click.echo(f"注意: {one[1]}は {a}、{two[1]}は {b} で検査されています。片方だけのルールパックの"
               "指摘は比較しません" if lang == "ja" else
               f"note: {one[0]} was checked with {a} and {two[0]} with {b}; findings of a "
               "pack on one side only are not compared", err=True)


@click.command()
@inventory_argument
@click.option("-o", "--output", type=click.Path(),
              help="Write the report here (.html or .md). Default, or '-': standard output.")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]),
              help="Report format. Default: from the output's extension, else html.")
@click.option("--store", type=click.Path(path_type=Path, dir_okay=False),
              help="A snapshot store: adds the trend over its snapshots and the diff "
                   "since the previous one. Default: INVENTORY's own store, if it has one.")
@lang_option
@click.option("--rules", "packs", default=None,
              help="Rule packs, comma-separated (default: those of the store's latest "
                   "snapshot, else policy).")
@click.option("--as-of", callback=_date, help="Audit date (overrides the inventory's as_of).")
@click.option("--no-drawing", is_flag=True, help="Leave the flow map out (no Graphviz needed).")
@handle_errors
def report(inventory, output, fmt, store, lang, packs, as_of, no_drawing):
    """Write an audit report: summary, flow map, findings by kind with the policy text,
    each flow's route, waivers, and with --store the trend and the latest changes.

    The HTML file is self-contained (styles, drawing and charts inline; no
    scripts, no network). Exit 0: written. 2: could not run.

    \b
    Examples:
      lineage report inventories/monocollabo -o report.html --lang ja
      lineage report inventories/monocollabo -o report.md --no-drawing
    """
    from .audit import check
    from .output import report_html
    output = output_file(output, stdout=True) if output is not None else None  # before the load
    output_suffix(output, (".html", ".htm", ".md", ".markdown"), "an HTML or Markdown report",
                  "HTML か Markdown の報告書")
    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = "markdown" if suffix in (".md", ".markdown") else "html"
    if store is None and default_store(inventory).is_file():
        store = default_store(inventory)  # the one `snapshot create INVENTORY` keeps
    if store is not None and not store.is_file():
        raise UserError(f"{store}: no snapshot store here",
                        message_ja=f"{store}: スナップショットのストアがありません")
    opened = Store(store, create=False) if store is not None else None
    try:
        latest = opened.list()[-1]["rules"] if opened is not None and opened.list() else None
        # By default the packs of the store's latest snapshot, so that its diff
        # compares like with like (policy,appi snapshots read as all resolved else).
        chosen = _packs(packs) if packs is not None else (
            tuple(latest) if latest else ("policy",))
        audit = check(inventory, as_of=as_of, packs=chosen)
        rep = report_html.build(audit, store=opened, lang=lang, drawing=not no_drawing)
    finally:
        if opened is not None:
            opened.close()
    if latest:
        _note_packs(latest, chosen, lang, ("the latest snapshot", "最新のスナップショット"),
                    ("this report", "この報告書"))
    text = report_html.render_html(rep) if fmt == "html" else report_html.render_markdown(rep)
    _emit(text, output, document=True)
    if output is not None:
        click.echo(f"報告書を {clean(output)} に書き出しました" if lang == "ja"
                   else f"report written to {clean(output)}", err=True)
    sys.exit(EXIT_OK)

