"""A JSON Schema of the inventory, generated from the model, for editors.

YAML editors (VS Code's YAML extension, JetBrains IDEs) validate and complete a
file against a JSON Schema as it is typed. The schema is derived from the
pydantic models of :mod:`lineage.model.schema`, so it cannot drift from what
``lineage`` accepts: unknown keys are errors, enumerations offer their values,
dates are ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYY年M月D日`` or a
Japanese era (``令和7年4月1日``, ``R7.4.1``) with half- or full-width digits, and every
field carries its Japanese label as a description. Text fields also accept numbers (an ID ``007`` or a name ``2024``
typed without quotes is text to lineage). Cross-record checks (references,
unique IDs) are beyond JSON Schema: ``lineage validate`` does them.

``fragment=True`` gives the schema for one file of a folder inventory, where
no top-level key is required.

Example:
    >>> s = inventory_schema()
    >>> s["required"], s["properties"]["format"]["const"]
    (['format', 'organisation', 'parties', 'flows'], 'lineage/1')
    >>> s["$defs"]["Flow"]["properties"]["from"]["description"]
    '提供元 (from)'
    >>> "required" in inventory_schema(fragment=True)
    False
"""

from __future__ import annotations

import json

from pydantic.json_schema import GenerateJsonSchema

from . import schema
from .schema import _LONGEST_DATE
from .tables import POLICY_SHEET, REVISIONS_SHEET, SHEET_LABELS, TOP_SHEET, label_ja

__all__ = ["inventory_schema", "schema_text", "SCHEMA_DIALECT"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The forms people type (inventory.md: 2024-04-01, 2024/04/01, 2024年4月1日, "and full-width
# digits count as digits"), as lineage reads them. A digit is spelt out: JSON Schema's
# regular expressions are ECMA-262's, whose \d is ASCII only (Python's is any digit).
_DIGIT = "[0-9０-９]"
_DATE_PATTERN = (r"^\s*({d}{{4}}[-－]{d}{{1,2}}[-－]{d}{{1,2}}|{d}{{4}}[/／]{d}{{1,2}}[/／]{d}{{1,2}}"
                 r"|{d}{{4}}[.．]{d}{{1,2}}[.．]{d}{{1,2}}|{d}{{4}}年{d}{{1,2}}月{d}{{1,2}}日"
                 # a Japanese era (令和7年4月1日, 令和元年, R7.4.1): the loader checks its days
                 r"|(令和|平成|昭和|㋿|[RHSＲＨＳ])({d}{{1,2}}|元)(年{d}{{1,2}}月{d}{{1,2}}日"
                 r"|[./．／]{d}{{1,2}}[./．／]{d}{{1,2}}))"
                 # a spreadsheet's day of the week (checked by the loader) or midnight
                 r"(\s*[(（][月火水木金土日](曜日?)?[)）])?(([ 　]+|[TＴ])[0０]?[0０][:：][0０]{{2}}"
                 r"([:：][0０]{{2}}([.．][0０]+)?)?)?\s*$").format(d=_DIGIT)
# The sheet (for labels) of each model; nested models label their dotted column.
_SHEET_OF = {model.__name__: name for name, model in schema.COLLECTIONS.items()}
_SHEET_OF["Revision"] = REVISIONS_SHEET
_SHEET_OF["PolicyClause"] = POLICY_SHEET
_NESTED = {"Exemption": ("flows", "exemption"), "Responsible": ("notices", "responsible"),
           "Provider": ("notices", "provider"), "Policy": (TOP_SHEET, "policy")}


def _pattern(metadata) -> str | None:
    for m in metadata:
        found = getattr(m, "pattern", None) or _pattern(getattr(m, "metadata", ()) or ())
        if found:
            return found
    return None


# pydantic leaves out a pattern set beside a BeforeValidator; put the model's back.
_ID_PATTERN = _pattern(schema.Id.__metadata__)


class _Generator(GenerateJsonSchema):
    """Text accepts numbers too; dates are ISO text with a pattern."""

    def str_schema(self, core_schema):
        out = super().str_schema(core_schema)
        out["type"] = ["string", "number"]
        return out

    def date_schema(self, core_schema):
        # no longer than the loader reads (schema._LONGEST_DATE)
        return {"type": "string", "pattern": _DATE_PATTERN, "maxLength": _LONGEST_DATE}


def inventory_schema(*, fragment: bool = False) -> dict:
    """The JSON Schema (draft 2020-12) of an inventory file, as a dict.

    Example:
        >>> inventory_schema()["$defs"]["Party"]["properties"]["role"]["enum"][:2]
        ['self', 'outsourcee']
    """
    generated = schema.Inventory.model_json_schema(by_alias=True, mode="validation",
                                                   schema_generator=_Generator)
    out = {"$schema": SCHEMA_DIALECT,
           "title": "lineage inventory (format lineage/1)" +
                    (", one file of a folder" if fragment else ""),
           "description": "棚卸し: an organisation's personal-data flows and the evidence "
                          "that makes them lawful. See docs/spec/inventory.md.",
           **{k: v for k, v in generated.items() if k not in ("title", "description")}}
    for key, prop in out["properties"].items():
        prop.pop("title", None)
        if key in SHEET_LABELS:
            ja, en = SHEET_LABELS[key]
            prop["description"] = f"{ja} ({en})"
        else:
            prop["description"] = f"{label_ja(TOP_SHEET, key)} ({key})"
    for name, definition in out["$defs"].items():
        if "description" in definition:
            # A model's docstring is its description; its doctest is for developers.
            definition["description"] = definition["description"].split("\n\nExample:")[0]
        for key, prop in definition.get("properties", {}).items():
            prop.pop("title", None)
            if name in _NESTED:
                sheet, prefix = _NESTED[name]
                label = label_ja(sheet, f"{prefix}.{key}")
            else:
                label = label_ja(_SHEET_OF.get(name, TOP_SHEET), key)
            prop["description"] = f"{label} ({key})"
    clauses = out["$defs"]["Policy"]["properties"]["clauses"]
    clauses["description"] = ("ルールの条項 → 自社の方針の条番号と文言 (rule clause -> your own "
                              "policy's article label and text; reports quote only these). "
                              "Clauses the rules cite: " + ", ".join(schema.POLICY_CLAUSES))
    clauses["propertyNames"] = {"pattern": schema.CLAUSE_KEY,
                                "examples": list(schema.POLICY_CLAUSES)}
    clauses["additionalProperties"] = False
    _add_id_patterns(out)
    # the codes the loader accepts (ISO 3166-1 alpha-2 and XK), so an editor refuses UK too
    country = out["$defs"]["Party"]["properties"]["country"]
    country.pop("pattern", None)
    country["enum"] = sorted(schema.ISO_COUNTRIES)
    # pydantic writes the count's bound as "ge" beside a BeforeValidator; say it in JSON Schema.
    volume = out["$defs"]["Party"]["properties"]["volume"]
    count = {"type": "integer", "minimum": 0}
    volume["anyOf"] = [count, {"type": "object", "additionalProperties": count,
                               "propertyNames": {"pattern": _ID_PATTERN}}, {"type": "null"}]
    if fragment:
        out.pop("required", None)
    return out


def _add_id_patterns(node) -> None:
    """Every ID (the only text limited to 1-128 characters) gets the ID pattern."""
    if isinstance(node, dict):
        if node.get("minLength") == 1 and node.get("maxLength") == 128:
            node["pattern"] = _ID_PATTERN
        for value in node.values():
            _add_id_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _add_id_patterns(value)


def schema_text(*, fragment: bool = False) -> str:
    """The schema as the JSON text ``lineage schema`` prints (stable, UTF-8).

    Example:
        >>> schema_text().splitlines()[1]
        '  "$schema": "https://json-schema.org/draft/2020-12/schema",'
    """
    return json.dumps(inventory_schema(fragment=fragment), ensure_ascii=False, indent=2) + "\n"
