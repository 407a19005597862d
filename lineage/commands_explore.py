"""``lineage explore``: write the offline explorer page of an audit.

Exit codes: 0 written; 2 bad arguments, unreadable inventory or unwritable file.
"""

from __future__ import annotations

import click

from .cli import (UserError, _date, _packs, clean, default_lang, handle_errors,
                  inventory_argument, output_file, output_suffix)

__all__ = ["explore"]


@click.command()
@inventory_argument
@click.option("-o", "--output", type=click.Path(), required=True,
              help="HTML file to write (one self-contained page that works offline).")
@click.option("--rules", "packs", default="policy", show_default=True,
              help="Rule packs, comma-separated.")
@click.option("--as-of", callback=_date, help="Audit date (overrides the inventory's as_of).")
@click.option("--lang", type=click.Choice(["en", "ja"]), default=default_lang, is_eager=True,
              show_default="ja in a Japanese locale, else en",
              help="Language the page opens in (switchable in the page) and of the messages.")
@handle_errors
def explore(inventory, output, packs, as_of, lang):
    """Write an explorer page: overview, focus, item trace, flow detail, filters, search.

    The page needs no network: open it from disk or send it as an attachment.

    \b
    Examples:
      lineage explore inventories/monocollabo -o explorer.html
      lineage explore inventories/monocollabo -o explorer.html --rules policy,appi --lang ja
    """
    output = output_file(output)
    output_suffix(output, (".html", ".htm"), "an HTML page", "HTML のページ")
    from .audit import check as run_check
    from .explorer import write_page
    audit = run_check(inventory, as_of=as_of, packs=_packs(packs))
    try:
        write_page(audit, output, lang=lang)
    except OSError as exc:
        raise UserError(f"{output}: {exc.strerror or exc}",
                        message_ja=f"{output}: 書き込めません（{exc.strerror or exc}）") from None
    s = audit.summary()
    n, f = len(audit.inventory.parties), s["flows"]
    if lang == "ja":
        click.echo(f"{clean(output)} を書き出しました: 当事者 {n} 件、フロー {f} 件、違反 "
                   f"{s['status']['violation']} 件", err=True)
    else:
        click.echo(f"wrote {clean(output)}: {n} part{'y' if n == 1 else 'ies'}, "
                   f"{f} flow{'' if f == 1 else 's'}, {s['status']['violation']} violating",
                   err=True)
