"""Lineage commands: ``trace``, ``upstream``, ``impact``, ``stop``.

Each parses its options, calls the function of the same name in
:mod:`lineage.analysis` and prints its table as text, JSON or CSV. Exit 0: the
question was answered (even with no rows). 2: the inventory could not be read
or an item, party or consent is unknown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import click

from . import analysis
from .cli import _date, _emit, handle_errors, inventory_argument, lang_option
from .output import jsonreport
from .files import BOM, safe_cell
from .output.names import Names
from .terms import one_line, route_label
from .terms import display_width as _width, pad as _pad

__all__ = ["trace", "upstream", "impact", "stop", "render"]


def _options(func):
    func = lang_option(func)
    func = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]),
                        default="table", show_default=True)(func)
    func = click.option("--as-of", callback=_date,
                        help="Ignore flows that start after this date.")(func)
    return func


def _cell(value, sep: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return sep.join(_cell(v, sep) for v in value)
    return str(value)


_PATH_COLUMNS = {"path", "routes"}


#: Column headings of the terminal tables, in Japanese.
_HEADINGS_JA = {"party": "当事者", "hops": "ホップ数", "since": "開始日", "path": "経路のフロー",
                "hop": "ホップ", "flow": "フロー", "from": "提供元", "to": "提供先",
                "items": "データ項目", "route": "経路", "routes": "経路",
                "start": "開始日", "end": "終了日", "item": "データ項目",
                "groups": "本人", "reason": "理由", "group": "本人"}
_PARTY_COLUMNS = {"party", "from", "to", "group"}
_ITEM_COLUMNS = {"items", "item"}
_WORDS = {
    "en": {"holds": "holds:", "downstream": "received downstream:", "none": "(none)",
           "more": "(more routes exist; raise --limit)"},
    "ja": {"holds": "保有しているデータ:", "downstream": "その先で受け取った当事者:",
           "none": "（該当なし）", "more": "（ほかにも経路があります。--limit を増やしてください）"},
}


def _reason(text: str, lang: str, names) -> str:
    """A stop row's reason, in Japanese when asked (the library words it in English)."""
    if lang != "ja":
        return text
    for prefix, template in (("relies on consent ", "本人の同意 {} に依拠"),
                             ("opt-out provision of data of ", "{} のデータのオプトアウトによる提供"),
                             ("consent provision of data of ", "{} のデータの本人の同意による提供"),
                             ("downstream of ", "{} の先")):
        if text.startswith(prefix):
            rest = text[len(prefix):]
            return template.format(names.party(rest) if "data of" in prefix else rest)
    return text


def render(result, fmt: str, lang: str = "en", names=None) -> str:
    """The text of a query result in ``table``, ``json`` or ``csv`` form.

    The table names parties and items by display name with the ID beside it
    (``names``, a :class:`~lineage.output.names.Names`) and, in Japanese, has
    Japanese headings and routes; JSON and CSV keep IDs, for other programs.

    Example:
        >>> from lineage.model import load
        >>> from lineage.output.names import Names
        >>> inv = load("inventories/monocollabo")
        >>> r = analysis.stop(inv, consent="C05")
        >>> print(render(r, "csv").removeprefix(BOM), end="")
        hop,flow,from,to,items,route,reason
        0,F37,monocollabo,point-partner,birth_date;member_id,consent,relies on consent C05
        >>> render(r, "table", "ja", Names(inv, "ja")).split()[:4]
        ['ホップ', 'フロー', '提供元', '提供先']
    """
    if fmt == "json":
        return jsonreport.dumps(result.as_dict())
    columns = list(result.table.columns)
    rows = result.table.to_dict(orient="records")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            # an ID such as '@cmd' or '-1+1' must not run as a formula in a spreadsheet
            writer.writerow([safe_cell(_cell(row[c], ";")) for c in columns])
        return BOM + out.getvalue()
    words = _WORDS.get(lang, _WORDS["en"])

    def shown(column, value):
        if names is not None and column in _PARTY_COLUMNS:
            return names.party(value)
        if names is not None and column in _ITEM_COLUMNS:
            values = value if isinstance(value, (list, tuple)) else [value]
            return ", ".join(names.item(v) for v in values)
        if names is not None and column == "groups":
            return ", ".join(names.party(v) for v in value)
        if column in ("route", "routes"):
            values = value if isinstance(value, (list, tuple)) else [value]
            return " > ".join(route_label(v, lang) if lang == "ja" else v for v in values)
        if column == "reason":
            return _reason(value, lang, names)
        return _cell(value, " > " if column in _PATH_COLUMNS else ", ")

    heads = [_HEADINGS_JA.get(c, c) if lang == "ja" else c for c in columns]
    text = _table(heads, [[shown(c, r[c]) for c in columns] for r in rows], words["none"])
    holdings = result.extra.get("holdings")
    if holdings is not None:
        head = _table([_HEADINGS_JA[c] if lang == "ja" else c
                       for c in ("group", "item", "since")],
                      [[shown("group", h["group"]), shown("item", h["item"]),
                        h["since"].isoformat()] for h in holdings], words["none"])
        text = words["holds"] + "\n" + head + "\n" + words["downstream"] + "\n" + text
    people = result.extra.get("people")
    if people is not None:
        text = people_text(people, lang, names) + "\n" + text
    if result.extra.get("truncated"):
        text += words["more"] + "\n"
    return text


def people_text(people: dict, lang: str = "en", names=None) -> str:
    """"about N people's data" (約N人分のデータ) and how it was counted, as lines.

    Example:
        >>> print(people_text({"total": 1200, "groups": [{"group": "members",
        ...     "count": 1200, "source": "members"}], "unknown": []}, "ja"), end="")
        漏えい時の影響: 約1,200人分のデータ
          members: 1,200人（members の記録）
    """
    party = names.party if names is not None else str
    total = people.get("total")
    upper = people.get("upper_bound", False)
    if lang == "ja":
        head = ("漏えい時の影響: " + ((f"最大 約{total:,}人分のデータ（他の当事者の記録による上限を含む）"
                                       if upper else f"約{total:,}人分のデータ")
                                      if total is not None else "人数の記録がありません"))
        lines = [head] + [f"  {party(g['group'])}: {g['count']:,}人（{party(g['source'])} の記録）"
                          for g in people.get("groups", [])]
        if people.get("unknown"):
            lines.append("  人数の記録がない本人: " + "、".join(party(u) for u in people["unknown"]))
    else:
        head = ("if it leaks: " + ((f"up to about {total:,} people's data (counts recorded "
                                    "at other holders: an upper bound)" if upper else
                                    f"about {total:,} people's data") if total is not None
                                   else "no head count recorded (party volume)"))
        lines = [head] + [f"  {party(g['group'])}: {g['count']:,} (recorded at "
                          f"{party(g['source'])})" for g in people.get("groups", [])]
        if people.get("unknown"):
            lines.append("  groups without a count: "
                         + ", ".join(party(u) for u in people["unknown"]))
    return "\n".join(lines) + "\n"


def _table(columns: list[str], rows: list[list[str]], none: str = "(none)") -> str:
    if not rows:
        return none + "\n"
    rows = [[one_line(v) for v in r] for r in rows]  # a line break would split a row
    # Full-width characters take two terminal columns: pad by display width.
    widths = [max(_width(c), *(_width(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(_pad(v, w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def _load(inventory):
    from .model import load
    return load(inventory)


@click.command()
@inventory_argument
@click.option("--item", required=True, help="The data item to follow.")
@click.option("--from", "frm", help="Start from this party (default: data subjects and "
                                    "the organisation).")
@click.option("--depth", type=click.IntRange(min=1), help="At most this many flows.")
@click.option("--all-paths", is_flag=True, help="One row per simple route, not the shortest.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most routes listed with --all-paths.")
@_options
@handle_errors
def trace(inventory, item, frm, depth, all_paths, limit, as_of, fmt, lang):
    """Where an item can reach: every party, with the shortest route to it.

    Exit 0: answered. 2: unreadable inventory, unknown item or party.

    \b
    Examples:
      lineage trace inventories/monocollabo --item address --from mailing-house
      lineage trace inventories/monocollabo --item email --all-paths --format csv
    """
    inv = _load(inventory)
    result = analysis.trace(inv, item, frm=frm, depth=depth, as_of=as_of,
                            all_paths=all_paths, limit=limit)
    _emit(render(result, fmt, lang, Names(inv, lang)), None, document=fmt != "table")


@click.command()
@inventory_argument
@click.option("--party", required=True, help="The party whose data to explain.")
@click.option("--item", help="Only this item.")
@_options
@handle_errors
def upstream(inventory, party, item, as_of, fmt, lang):
    """Where a party's data came from, hop by hop, with the route of each hop.

    Exit 0: answered. 2: unreadable inventory, unknown item or party.

    \b
    Examples:
      lineage upstream inventories/monocollabo --party mailing-house
      lineage upstream inventories/monocollabo --party mailing-house --item address
    """
    inv = _load(inventory)
    result = analysis.upstream(inv, party, item=item, as_of=as_of)
    _emit(render(result, fmt, lang, Names(inv, lang)), None, document=fmt != "table")


@click.command()
@inventory_argument
@click.option("--party", required=True, help="The party that leaks.")
@_options
@handle_errors
def impact(inventory, party, as_of, fmt, lang):
    """Blast radius of a leak: what the party holds and who received it from it.

    Exit 0: answered. 2: unreadable inventory or unknown party.

    \b
    Examples:
      lineage impact inventories/monocollabo --party mailing-house
      lineage impact inventories/monocollabo --party mailing-house --format json
    """
    inv = _load(inventory)
    result = analysis.impact(inv, party, as_of=as_of)
    _emit(render(result, fmt, lang, Names(inv, lang)), None, document=fmt != "table")


@click.command()
@inventory_argument
@click.option("--consent", help="A consent being withdrawn.")
@click.option("--subjects", help="A data-subject group asking to stop provision.")
@click.option("--item", help="Only this item.")
@_options
@handle_errors
def stop(inventory, consent, subjects, item, as_of, fmt, lang):
    """What-if of a consent withdrawal or stop request: every flow that must stop.

    Exit 0: answered. 2: unreadable inventory, unknown consent, party or item.

    \b
    Examples:
      lineage stop inventories/monocollabo --consent C05
      lineage stop inventories/monocollabo --subjects members --item email
    """
    inv = _load(inventory)
    result = analysis.stop(inv, consent=consent, subjects=subjects, item=item, as_of=as_of)
    _emit(render(result, fmt, lang, Names(inv, lang)), None, document=fmt != "table")
