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
from .cli import UserError, _date, handle_errors, inventory_argument
from .output import jsonreport

__all__ = ["trace", "upstream", "impact", "stop", "render"]


def _options(func):
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


def render(result, fmt: str) -> str:
    """The text of a query result in ``table``, ``json`` or ``csv`` form.

    Example:
        >>> r = analysis.stop("inventories/monocollabo", consent="C05")
        >>> print(render(r, "csv"), end="")
        hop,flow,from,to,items,route,reason
        0,F37,monocollabo,point-partner,birth_date;member_id,consent,relies on consent C05
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
            writer.writerow([_cell(row[c], ";") for c in columns])
        return out.getvalue()
    text = _table(columns, [[_cell(r[c], " > " if c in _PATH_COLUMNS else ", ")
                             for c in columns] for r in rows])
    holdings = result.extra.get("holdings")
    if holdings is not None:
        head = _table(["group", "item", "since"],
                      [[h["group"], h["item"], h["since"].isoformat()] for h in holdings])
        text = ("holds:\n" + head + "\nreceived downstream:\n" + text)
    if result.extra.get("truncated"):
        text += "(more routes exist; raise --limit)\n"
    return text


def _table(columns: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "(none)\n"
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


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
def trace(inventory, item, frm, depth, all_paths, limit, as_of, fmt):
    """Where an item can reach: every party, with the shortest route to it.

    Exit 0: answered. 2: unreadable inventory, unknown item or party.

    \b
    Examples:
      lineage trace inventories/monocollabo --item address --from mailing-house
      lineage trace inventories/monocollabo --item email --all-paths --format csv
    """
    result = analysis.trace(inventory, item, frm=frm, depth=depth, as_of=as_of,
                            all_paths=all_paths, limit=limit)
    click.echo(render(result, fmt), nl=False)


@click.command()
@inventory_argument
@click.option("--party", required=True, help="The party whose data to explain.")
@click.option("--item", help="Only this item.")
@_options
@handle_errors
def upstream(inventory, party, item, as_of, fmt):
    """Where a party's data came from, hop by hop, with the route of each hop.

    Exit 0: answered. 2: unreadable inventory, unknown item or party.

    \b
    Examples:
      lineage upstream inventories/monocollabo --party mailing-house
      lineage upstream inventories/monocollabo --party mailing-house --item address
    """
    result = analysis.upstream(inventory, party, item=item, as_of=as_of)
    click.echo(render(result, fmt), nl=False)


@click.command()
@inventory_argument
@click.option("--party", required=True, help="The party that leaks.")
@_options
@handle_errors
def impact(inventory, party, as_of, fmt):
    """Blast radius of a leak: what the party holds and who received it from it.

    Exit 0: answered. 2: unreadable inventory or unknown party.

    \b
    Examples:
      lineage impact inventories/monocollabo --party mailing-house
      lineage impact inventories/monocollabo --party mailing-house --format json
    """
    result = analysis.impact(inventory, party, as_of=as_of)
    click.echo(render(result, fmt), nl=False)


@click.command()
@inventory_argument
@click.option("--consent", help="A consent being withdrawn.")
@click.option("--subjects", help="A data-subject group asking to stop provision.")
@click.option("--item", help="Only this item.")
@_options
@handle_errors
def stop(inventory, consent, subjects, item, as_of, fmt):
    """What-if of a consent withdrawal or stop request: every flow that must stop.

    Exit 0: answered. 2: unreadable inventory, unknown consent, party or item.

    \b
    Examples:
      lineage stop inventories/monocollabo --consent C05
      lineage stop inventories/monocollabo --subjects members --item email
    """
    result = analysis.stop(inventory, consent=consent, subjects=subjects, item=item,
                           as_of=as_of)
    click.echo(render(result, fmt), nl=False)
