"""Spreadsheet and editor commands: ``convert``, ``template``, ``schema``.

Each calls one library function (:func:`lineage.forms.convert`,
:func:`lineage.forms.template.write_template`,
:func:`lineage.model.jsonschema.schema_text`) and turns its errors into a
one-line message with exit 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli import UserError, _emit, clean, encoding_option, handle_errors, lang_option, output_file
from .forms import TARGETS

__all__ = ["convert", "template", "schema"]

_FORMS_JA = {"yaml-file": "YAML ファイル", "yaml-folder": "YAML フォルダ",
             "csv-folder": "CSV フォルダ", "xlsx": "Excel ブック"}


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--to", "to", type=click.Choice(TARGETS),
              help="Output form; needed when DESTINATION is a folder (yaml or csv).")
@click.option("--force", is_flag=True,
              help="Replace an existing file, or the inventory files of a non-empty folder.")
@encoding_option
@lang_option
@handle_errors
def convert(source, destination, to, force, lang):
    """Convert an inventory between YAML, a CSV folder and an Excel workbook.

    SOURCE is any inventory form. DESTINATION ending in .yaml or .yml is one
    YAML file, .xlsx an Excel workbook; a folder holds one file per collection,
    YAML or CSV as --to says. The model is kept exactly (dates, lists, notes,
    nested fields); YAML comments are not carried over. The input is never
    written over.

    Exit 0: written. 2: the inventory could not be read, or DESTINATION exists
    (use --force), is inside the input, or cannot be written.

    \b
    Examples:
      lineage convert inventories/monocollabo monocollabo.xlsx
      lineage convert monocollabo.xlsx inventory-csv --to csv
    """
    from .forms import convert as run, form_of
    if str(destination) == "-":  # standard output, for most tools: never a file named "-"
        raise UserError("-: convert writes files, not standard output; give a file or "
                        "folder name",
                        message_ja="-: convert は標準出力ではなくファイルに書き出します。"
                                   "ファイル名かフォルダ名を指定してください")
    form = form_of(destination, to)
    # a workbook in Japanese tabs and headers with --lang ja (the trial of round 13), a
    # CSV folder in Japanese file names and headers (the trial of round 14)
    run(source, destination, to=to, force=force,
        lang=lang if form in ("xlsx", "csv-folder") else None)
    _emit(f"{clean(destination)}: 書き出しました（{_FORMS_JA.get(form, form)}）\n" if lang == "ja"
          else f"{clean(destination)}: written ({form})\n", None)


@click.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@lang_option
@handle_errors
def template(output, force, lang):
    """Write a starter Excel workbook (OUTPUT.xlsx) to fill in.

    One sheet per collection with English and Japanese headers (--lang ja:
    Japanese tab names and headers only), drop-down lists for enumerations
    (role, kind, basis ...), true/false and IDs of other sheets (parties, items,
    purposes ...), and one example row per sheet that
    together form a valid inventory. Exit 0: written. 2: OUTPUT exists (use
    --force), is not an .xlsx path, or cannot be written.

    \b
    Examples:
      lineage template inventory.xlsx
      lineage template 棚卸し.xlsx --lang ja
    """
    from .forms.template import write_template
    write_template(output, force=force, lang=lang)
    _emit(f"{clean(output)}: テンプレートを書き出しました\n" if lang == "ja" else
          f"{clean(output)}: template written\n", None)


@click.command()
@click.option("--fragment", is_flag=True,
              help="Schema for one file of a folder inventory (no top-level key required).")
@click.option("-o", "--output", type=click.Path(),
              help="Write the schema to this file instead of standard output ('-': standard "
                   "output).")
@handle_errors
def schema(fragment, output):
    """Print the JSON Schema of the inventory format, for editors.

    Point your YAML editor at it to validate and complete inventory files as
    you type (see docs/workbench.md). Exit 0: printed. 2: could not write.

    \b
    Examples:
      lineage schema -o inventory.schema.json
      lineage schema --fragment
    """
    from .model.jsonschema import schema_text
    output = output_file(output, stdout=True) if output is not None else None
    _emit(schema_text(fragment=fragment), output, document=True)
