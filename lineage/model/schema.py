"""The typed inventory model (format ``lineage/1``).

One pydantic model per record kind of ``docs/spec/inventory.md``. Every model
forbids unknown keys, is frozen, and reads each value as the type its field has,
so YAML 1.1 surprises (``country: NO``, ``name: yes``) cannot change meaning: the
loaders hand over raw text and the field type decides.

Example:
    >>> flow = Flow(id="F1", **{"from": "a", "to": "b"}, items=["name"], start="2024-04-01")
    >>> flow.start.isoformat(), flow.frm, flow.to
    ('2024-04-01', 'a', 'b')
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from sys import intern
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field,
                      PrivateAttr, model_validator)
from pydantic_core import PydanticCustomError

__all__ = [
    "BASES", "ROLES", "ITEM_KINDS", "NOTICE_KINDS", "EVENT_KINDS",
    "Record", "DataItem", "Purpose", "Party", "Contract", "Consent", "Notice",
    "Responsible", "Provider", "Revision", "Event", "StopRequest", "Exemption",
    "Flow", "Waiver", "Inventory", "COLLECTIONS", "Policy", "PolicyClause", "CLAUSE_KEY",
    "POLICY_CLAUSES", "parse_date", "DateFormError", "DATE_FORMS_TEXT", "Volume",
    "optional_date",
]

ROLES = ("self", "outsourcee", "joint_user", "third_party", "successor",
         "public_body", "data_subject", "academic")
ITEM_KINDS = ("personal", "sensitive", "linkable")
BASES = ("consent", "law", "life", "public_health", "government", "academic",
         "opt_out", "outsourcing", "succession", "joint_use")
NOTICE_KINDS = ("opt_out", "joint_use")
EVENT_KINDS = ("merger", "split", "transfer")

#: The date forms people type, after full-width digits and separators are folded.
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
#: What a spreadsheet adds to a date it shows: a day of the week (Excel's 長い日付形式,
#: ``2023年2月1日(水)``), checked against the date; a time of midnight (``2025/10/15 0:00``).
_WEEKDAY = re.compile(r"\s*\(([月火水木金土日])(?:曜日?)?\)$")
_WEEKDAYS = "月火水木金土日"
_MIDNIGHT = re.compile(r"(?: +|T)0?0:00(?::00(?:\.0+)?)?$")
_TIME = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
#: Longer than any accepted form with its weekday and time (令和10年12月31日(水) 00:00:00.000).
_LONGEST_DATE = 40


def _shown(value: str) -> str:
    """A value as a message shows it: its repr, cut to 60 characters."""
    return repr(value) if len(value) <= 60 else repr(value[:57]) + "..."
#: A spreadsheet's day number shown as a number (45301 is 2024-01-10): 5 digits from 1982.
_SERIAL = re.compile(r"^[3-9]\d{4}(?:\.0+)?$")
_SERIAL_DAY0 = dt.date(1899, 12, 30)
#: A date of a Japanese era (令和7年6月15日, 令和元年, R7.6.15): an office's everyday form.
_ERA_DATE = re.compile(r"^(令和|平成|昭和|[RHS])(\d{1,2}|元)(?:年(\d{1,2})月(\d{1,2})日|"
                       r"[./](\d{1,2})[./](\d{1,2}))$")
#: Each era: its first day and its last (the next era's first day is the day after).
_ERAS = {"令和": (dt.date(2019, 5, 1), dt.date.max),
         "平成": (dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
         "昭和": (dt.date(1926, 12, 25), dt.date(1989, 1, 7))}
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
#: How the accepted forms are named in messages.
DATE_FORMS_TEXT = "YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, 令和N年M月D日 (R7.6.15)"


class DateFormError(ValueError):
    """A value that is not a date in any accepted form, with both languages' messages.

    Example:
        >>> try:
        ...     parse_date("April 1")
        ... except DateFormError as exc:
        ...     print(exc.message_ja)
        日付として読めません: 'April 1'（使える形: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, 令和N年M月D日 (R7.6.15)）
    """

    def __init__(self, message: str, message_ja: str):
        super().__init__(message)
        self.message = message
        self.message_ja = message_ja


def parse_date(value: object) -> dt.date:
    """Read a date as people write it: ISO, ``2024/4/1``, ``2024年4月1日``, full-width digits,
    a Japanese era (``令和7年4月1日``, ``令和元年``, ``R7.4.1``).

    A ``date`` passes through; a ``datetime`` at midnight (what Excel stores)
    becomes its date. The one date reader of the model, the loaders and the
    library API, so every form accepts the same dates.

    Example:
        >>> [parse_date(v).isoformat() for v in ("2024-04-01", "2024/4/1", "２０２４年４月１日",
        ...                                      dt.datetime(2024, 4, 1))]
        ['2024-04-01', '2024-04-01', '2024-04-01', '2024-04-01']

    What spreadsheets write is read too: ``2019-4-1``, ``2021.6.1``, a day of the
    week that matches the date, a time of midnight:

        >>> [parse_date(v).isoformat() for v in ("2019-4-1", "2021.6.1", "2023年2月1日(水)",
        ...                                      "令和5年2月1日（水）", "2025/10/15 0:00",
        ...                                      "2025/1/1(水) 0:00", "2025-01-01T00:00:00")]
        ['2019-04-01', '2021-06-01', '2023-02-01', '2023-02-01', '2025-10-15', '2025-01-01', '2025-01-01']
        >>> parse_date("2023年2月1日(木)")
        Traceback (most recent call last):
        lineage.model.schema.DateFormError: '2023年2月1日(木)': 2023-02-01 is a Wednesday (水), not 木
        >>> parse_date("45301")
        Traceback (most recent call last):
        lineage.model.schema.DateFormError: cannot read '45301' as a date: it looks like a spreadsheet's day number (2024-01-10); give the cell a date format, or write 2024-01-10
        >>> parse_date("2024-02-30")
        Traceback (most recent call last):
        lineage.model.schema.DateFormError: not a real date: '2024-02-30' (day is out of range for month)
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise DateFormError(f"expected a date without a time of day, got {value!r}",
                                f"時刻のない日付を指定してください: {value!s}")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        # NFKC folds full-width digits and slashes (２０２４／０４／０１) to ASCII.
        text = unicodedata.normalize("NFKC", value).strip()
        if len(text) > _LONGEST_DATE:
            # No form is this long; the patterns below are not run on a long text (the
            # hostile review of round 14: 50,000 spaces in a date took 67 s).
            raise DateFormError(
                f"cannot read {_shown(value)} as a date (accepted forms: {DATE_FORMS_TEXT})",
                f"日付として読めません: {_shown(value)}（使える形: {DATE_FORMS_TEXT}）")
        # A spreadsheet's long form puts the weekday before the time (2025/1/1(水) 0:00).
        text = _MIDNIGHT.sub("", text)
        weekday = _WEEKDAY.search(text)
        if weekday:
            text = text[:weekday.start()]
        if _TIME.search(text):
            raise DateFormError(f"expected a date without a time of day, got {value!r}",
                                f"時刻のない日付を指定してください: {value!r}")
        day = _date_of(value, text)
        if day is not None:
            if weekday and _WEEKDAYS[day.weekday()] != weekday.group(1):
                shown = _WEEKDAYS[day.weekday()]
                raise DateFormError(
                    f"{value!r}: {day.isoformat()} is a {day.strftime('%A')} ({shown}), "
                    f"not {weekday.group(1)}",
                    f"{value!r}: {day.isoformat()} は {shown}曜日で、{weekday.group(1)}曜日では"
                    "ありません")
            return day
        if _SERIAL.match(text):
            # Not read as a date (a number is a number), but named for what it is.
            shown = (_SERIAL_DAY0 + dt.timedelta(days=int(float(text)))).isoformat()
            raise DateFormError(
                f"cannot read {value!r} as a date: it looks like a spreadsheet's day number "
                f"({shown}); give the cell a date format, or write {shown}",
                f"日付として読めません: {value!r} は表計算ソフトの日付のシリアル値のようです"
                f"（{shown}）。セルを日付の書式にするか、{shown} と書いてください")
    raise DateFormError(f"cannot read {value!r} as a date (accepted forms: {DATE_FORMS_TEXT})",
                        f"日付として読めません: {value!r}（使える形: {DATE_FORMS_TEXT}）")


def _date_of(value: str, text: str) -> dt.date | None:
    """The date ``text`` (folded, without a weekday or time) writes in one of the
    forms, None in none; DateFormError for a form holding no real date."""
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                why_ja = ("月は 1〜12" if not 1 <= month <= 12 else "その月にない日"
                          if day >= 1 else "日は 1 以上")
                raise DateFormError(f"not a real date: {value!r} ({exc})",
                                    f"存在しない日付です: {value!r}（{why_ja}）") from None
    era = _ERA_DATE.match(text)
    return _era_date(value, era) if era else None


def _era_date(value: str, match: re.Match) -> dt.date:
    """The date of a Japanese era's year, month and day (元年 is year 1), refused when
    the era did not run on that day (平成31年5月1日 is 令和元年5月1日).

    Example:
        >>> [_era_date(v, _ERA_DATE.match(v)).isoformat() for v in ("令和元年5月1日", "R7.6.15", "H31/4/30")]
        ['2019-05-01', '2025-06-15', '2019-04-30']
        >>> _era_date("平成31年5月1日", _ERA_DATE.match("平成31年5月1日"))
        Traceback (most recent call last):
        lineage.model.schema.DateFormError: not a date of 平成: '平成31年5月1日' (平成 ran from 1989-01-08 to 2019-04-30)
    """
    name, year, *parts = match.groups()
    name = _ERA_LETTERS.get(name, name)
    month, day = (int(p) for p in parts if p is not None)
    first, last = _ERAS[name]
    try:
        date = dt.date(first.year + (1 if year == "元" else int(year)) - 1, month, day)
    except ValueError as exc:
        raise DateFormError(f"not a real date: {value!r} ({exc})",
                            f"存在しない日付です: {value!r}") from None
    if not first <= date <= last:
        until = "" if last == dt.date.max else f" to {last}"
        until_ja = "" if last == dt.date.max else f"〜{last}"
        raise DateFormError(f"not a date of {name}: {value!r} ({name} ran from {first}{until})",
                            f"{name}の日付ではありません: {value!r}（{name}は {first}{until_ja}）")
    return date


def optional_date(value: object) -> dt.date | None:
    """``None`` or a date from any form :func:`parse_date` reads: the library's date arguments.

    Example:
        >>> optional_date("2026-04-01"), optional_date(None)
        (datetime.date(2026, 4, 1), None)
    """
    return None if value is None else parse_date(value)


#: Dates already read, by their text: an inventory writes the same few thousand
#: dates again and again, and one shared (immutable) date saves the parsing and
#: an object per field. Bounded so a hostile file cannot grow it without end.
_DATE_CACHE: dict[str, dt.date] = {}
_DATE_CACHE_MAX = 65_536


def _iso_date(value: object) -> object:
    """The field validator of every date: :func:`parse_date` as a pydantic error."""
    if type(value) is str:
        day = _DATE_CACHE.get(value)
        if day is not None:
            return day
    try:
        day = parse_date(value)
        if type(value) is str and len(_DATE_CACHE) < _DATE_CACHE_MAX:
            _DATE_CACHE[value] = day
        return day
    except DateFormError as exc:
        raise PydanticCustomError("date_form", "{message}",
                                  {"message": exc.message, "message_ja": exc.message_ja}) \
            from None


def _empty_is_absent(data: object, known=None) -> object:
    """Drop empty values (an empty cell, ``end:`` with nothing after it): absent, as the spec
    says. A key not in ``known`` (the record's field names and aliases) keeps its empty value,
    so that the unknown key is still an error (``{name: Siam Tours Co., Ltd.}`` in YAML's flow
    style makes a key ``Ltd.`` with no value)."""
    if isinstance(data, dict):
        for v in data.values():
            if v is None or (isinstance(v, str) and (not v or v.isspace())):
                return {k: v for k, v in data.items()
                        if (known is not None and k not in known)
                        or (v is not None and not (isinstance(v, str) and v.strip() == ""))}
        return data  # nothing to drop (every CSV and workbook row): no copy
    return data


#: Characters no text may hold: C0 controls but TAB, LF, CR; DEL and C1 controls
#: (ESC and CSI drive terminals); the non-characters U+FFFE/U+FFFF and lone
#: surrogates. They break SVG, GraphML, GEXF, JUnit and xlsx (XML 1.0) outputs.
#: And the bidirectional controls: embeddings, overrides and isolates (U+202A-U+202E,
#: U+2066-U+2069) and the invisible marks (U+200E, U+200F, U+061C), as error messages
#: and snapshot labels treat them: a name holding U+202E shows the text after it
#: reversed in a terminal, a spreadsheet or a page ("bank\u202egnp.exe" reads
#: "bankexe.png").
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
                      "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def control_character(text: str) -> str | None:
    """A description of the first forbidden control character in ``text``, or None.

    Example:
        >>> control_character("ok\\tfine"), control_character("bad\\x1b[2J")
        (None, 'control character U+001B at position 4')
        >>> control_character("bank\\u202egnp.exe")
        'bidirectional control U+202E at position 5'
    """
    found = _CONTROL.search(text)
    if found is None:
        return None
    kind = "bidirectional control" if _BIDI.match(found.group()) else "control character"
    return f"{kind} U+{ord(found.group()):04X} at position {found.start() + 1}"


def _text(value: object) -> object:
    """Read scalars as text: an ID ``007`` or a name ``yes`` stays as written."""
    if isinstance(value, str):
        bad = control_character(value)
        if bad is not None:
            raise ValueError(f"text holds a {bad}; remove it (control characters break "
                             "drawings, exports and terminals)")
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _id_list(value: object) -> object:
    """Accept ``a;b`` (CSV cells) and a lone scalar as a list."""
    if isinstance(value, str):
        # IDs repeat across records: one shared string each (sys.intern) saves memory
        return [intern(part.strip()) for part in value.split(";") if part.strip()]
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]

def _count(value: object) -> object:
    """A head count as typed: ``120000``, ``120,000``, full-width digits."""
    if isinstance(value, bool):
        return value  # refused by the int type: true is not a number of people
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "").replace("_", "")
        if text.isdigit():
            return int(text)
    return value


def _volume(value: object) -> object:
    """A number, or ``group: n`` pairs as a map; a cell writes them ``customers=120000;members=3500``.

    Anything else is refused here in words, in both languages: left to the union
    of a number and a map, pydantic would name its own internal types.

    Example:
        >>> _volume("customers=120,000; members: 3500")
        {'customers': 120000, 'members': 3500}
        >>> _volume("１２０００")
        12000
        >>> _volume("6万")
        Traceback (most recent call last):
        pydantic_core._pydantic_core.PydanticCustomError: '6万' is not a volume: a whole number of people (120000 or 120,000), or data-subject party IDs with numbers (customers=120000;members=3500)
    """
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if "=" in text or ":" in text:
            out: dict = {}
            for part in (p.strip() for p in text.split(";")):
                if not part:
                    continue
                key, sep, number = part.replace(":", "=").partition("=")
                if not sep:
                    _bad_volume(value)
                out[key.strip()] = _count(number)
            value = out
        else:
            value = _count(text)
    elif isinstance(value, dict):
        value = {_text(k): _count(v) for k, v in value.items()}
    counts = value.values() if isinstance(value, dict) else (value,)
    if not all(type(n) is int and n >= 0 for n in counts):
        _bad_volume(value)
    for key in value if isinstance(value, dict) else ():
        if (not isinstance(key, str) or len(key) > ID_MAX_LENGTH
                or re.fullmatch(ID_PATTERN, key) is None):
            shown = repr(key)[:80]
            _worded(f"{shown} in volume is not a party ID (the IDs of data-subject parties, "
                    "customers=120000;members=3500)",
                    f"volume の {shown} は当事者 ID ではありません(本人の当事者 ID ごとに "
                    "customers=120000;members=3500 のように書いてください)")
    return value


def _worded(message: str, message_ja: str):
    """Refuse a value with a validator's own words, in both languages (the loader's
    "worded" kind).

    Example:
        >>> _worded("no", "いいえ")
        Traceback (most recent call last):
        pydantic_core._pydantic_core.PydanticCustomError: no
    """
    raise PydanticCustomError("worded", "{message}",
                              {"message": message, "message_ja": message_ja})


def _bad_volume(value: object):
    """Refuse a volume in words (see :func:`_volume`)."""
    shown = repr(value)[:80]
    _worded(f"{shown} is not a volume: a whole number of people (120000 or 120,000), or "
            "data-subject party IDs with numbers (customers=120000;members=3500)",
            f"{shown} は人数として読めません: 人数を整数で(120000 又は 120,000)、"
            "又は本人の当事者 ID ごとに(customers=120000;members=3500)書いてください")


Count = Annotated[int, BeforeValidator(_count), Field(ge=0)]

#: The marks a Japanese office types for yes and no in a spreadsheet's flag columns.
FLAG_WORDS = {"○": True, "◯": True, "〇": True, "はい": True, "有": True, "あり": True,
              "×": False, "✕": False, "いいえ": False, "無": False, "なし": False}


def _flag(value: object) -> object:
    """A flag as an office types it: ``true``/``false`` (and what pydantic reads as
    such), or ○/× and はい/いいえ (:data:`FLAG_WORDS`).

    Example:
        >>> [_flag(v) for v in ("○", " × ", "はい", "true", True)]
        [True, False, True, 'true', True]
    """
    if isinstance(value, str):
        got = FLAG_WORDS.get(value.strip())
        if got is not None:
            return got
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
#: A party's ``volume``: people whose data it holds, in all or per data-subject group.
#: What an ID may hold, and its longest length (the loader's fast path checks the same).
ID_PATTERN = r"^[A-Za-z0-9_.\-@/]+$"
ID_MAX_LENGTH = 128
#: A country: two capital letters (ISO 3166-1 alpha-2).
COUNTRY_PATTERN = r"^[A-Z]{2}$"
Volume = Annotated[Count | dict[Annotated[str, BeforeValidator(_text),
                                          Field(pattern=ID_PATTERN)], Count],
                   BeforeValidator(_volume)]
Text = Annotated[str, BeforeValidator(_text)]
Id = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=ID_MAX_LENGTH,
                                                   pattern=ID_PATTERN)]
#: The codes ISO 3166-1 assigns (249), and XK (Kosovo), which the EU and most systems use.
ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW XK""".split())
#: Codes people write that ISO does not assign, with the code they mean.
_COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EN": "GB", "JA": "JP", "KO": "KR", "ZH": "CN"}


def _iso_country(value: str) -> str:
    """A country code ISO 3166-1 assigns, or an error saying which code is meant.

    ``UK`` and ``EL`` are how the EU writes the United Kingdom and Greece, not ISO
    codes: taken as written they would be unknown countries, so a provision to
    London would be judged as one outside the EU/EEA/UK (AP221).

    Example:
        >>> _iso_country("GB")
        'GB'
        >>> _iso_country("UK")
        Traceback (most recent call last):
        pydantic_core._pydantic_core.PydanticCustomError: 'UK' is not an ISO 3166-1 alpha-2 country code: write GB
    """
    if value in ISO_COUNTRIES:
        return value
    meant = _COUNTRY_HINTS.get(value)
    if meant is not None:
        message = f"{value!r} is not an ISO 3166-1 alpha-2 country code: write {meant}"
        message_ja = (f"{value!r} は ISO 3166-1 alpha-2 の国コードではありません。"
                      f"{meant} と書いてください")
    else:
        message = (f"{value!r} is not a country code ISO 3166-1 alpha-2 assigns "
                   "(e.g. JP, US, GB)")
        message_ja = (f"{value!r} は ISO 3166-1 alpha-2 で割り当てられた国コードではありません"
                      "（例: JP、US、GB）")
    _worded(message, message_ja)


Country = Annotated[str, BeforeValidator(_text), Field(pattern=COUNTRY_PATTERN),
                    AfterValidator(_iso_country)]
IdList = Annotated[list[Id], BeforeValidator(_id_list)]
TextList = Annotated[list[Text], BeforeValidator(_id_list)]
DateList = Annotated[list[Date], BeforeValidator(_id_list)]


class Record(BaseModel):
    """Base of every record: unknown keys are errors, values are frozen.

    Example:
        >>> issubclass(Flow, Record), Flow.model_config["extra"], Flow.model_config["frozen"]
        (True, 'forbid', True)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              str_strip_whitespace=True)
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data):
        known = cls.__dict__.get("_known_keys")
        if known is None:
            known = frozenset(name for name, f in cls.model_fields.items()
                              for name in (name, f.alias) if name)
            type.__setattr__(cls, "_known_keys", known)
        return _empty_is_absent(data, known)


class DataItem(Record):
    """A data item (氏名, 住所, Cookie ID ...).

    Example:
        >>> DataItem(id="cookie", name="Cookie ID", kind="linkable").kind
        'linkable'
    """

    id: Id
    name: Text | None = None
    name_en: Text | None = None
    kind: Literal["personal", "sensitive", "linkable"] = "personal"


class Purpose(Record):
    """A purpose of use (利用目的) and when it was announced.

    Example:
        >>> Purpose(id="ads", name="広告配信", announced_on="2024-01-01").announced_on
        datetime.date(2024, 1, 1)
    """

    id: Id
    name: Text | None = None
    name_en: Text | None = None
    announced_on: Date | None = None
    third_party_provision: Flag = False


class Party(Record):
    """A node of the flow map: the organisation, an outsourcee, a group of people ...

    Example:
        >>> p = Party(id="ops", legal_entity="mc", country="NO")
        >>> p.role, p.country, p.groups
        ('third_party', 'NO', [])
    """

    id: Id
    name: Text | None = None
    name_en: Text | None = None
    role: Literal["self", "outsourcee", "joint_user", "third_party", "successor",
                  "public_body", "data_subject", "academic"] = "third_party"
    legal_entity: Id | None = None
    country: Country = "JP"
    equivalent_system: Date | None = None
    groups: IdList = []
    volume: Volume | None = None

    @property
    def entity(self) -> str:
        """The legal entity this party belongs to (its own ID by default).

        Example:
            >>> Party(id="ops", legal_entity="mc").entity, Party(id="mc").entity
            ('mc', 'mc')
        """
        return self.legal_entity or self.id


class Contract(Record):
    """An outsourcing contract (sections 1.5 and 4).

    Example:
        >>> k = Contract(id="K1", party="carrier", signed_on="2024-01-01", items="name;phone")
        >>> k.items, k.purposes, k.no_leak
        (['name', 'phone'], None, False)
    """

    id: Id
    party: Id
    signed_on: Date
    ends_on: Date | None = None
    purposes: IdList | None = None
    items: IdList | None = None
    no_leak: Flag = False
    no_re_provision: Flag = False
    sub_outsourcing: IdList = []
    audits: DateList = []


class Consent(Record):
    """Consent of the person (本人の同意) from one data-subject group.

    Example:
        >>> c = Consent(id="C1", subjects="customers", recipients=["partner"], items=["name"],
        ...             obtained_on="2024-01-01")
        >>> c.obtained_on, c.withdrawn_on
        (datetime.date(2024, 1, 1), None)
    """

    id: Id
    subjects: Id
    recipients: IdList
    items: IdList
    purposes: IdList = []
    obtained_on: Date
    withdrawn_on: Date | None = None
    foreign_info_given: Flag = False


class Responsible(Record):
    """The person responsible for jointly used data (管理について責任を有する者).

    Example:
        >>> Responsible(name="モノコラボ", representative="代表取締役").name
        'モノコラボ'
    """

    name: Text | None = None
    address: Text | None = None
    representative: Text | None = None


class Provider(Responsible):
    """The provider named in an opt-out notice (law pack).

    Example:
        >>> Provider(name="モノコラボ", address="東京都").address
        '東京都'
    """


class Revision(Record):
    """A change to a joint-use notice (5[3]).

    Example:
        >>> Revision(effective_on="2025-04-01", purposes=["ads", "shipping"]).effective_on
        datetime.date(2025, 4, 1)
    """

    effective_on: Date
    notified_on: Date | None = None
    purposes: IdList | None = None
    responsible: Responsible | None = None


class Notice(Record):
    """A published announcement: an opt-out notice or a joint-use notice.

    Example:
        >>> n = Notice(id="N1", kind="opt_out", methods="sftp;email", stop_on_request=True)
        >>> n.methods, n.published_on
        (['sftp', 'email'], None)
    """

    id: Id
    kind: Literal["opt_out", "joint_use"]
    published_on: Date | None = None
    items: IdList | None = None
    purposes: IdList | None = None
    # opt-out
    provision_in_purpose: Flag = False
    methods: TextList | None = None
    stop_on_request: Flag = False
    provider: Provider | None = None
    acquisition_method: Text | None = None
    request_method: Text | None = None
    update_method: Text | None = None
    start_on: Date | None = None
    ppc_filed_on: Date | None = None
    # joint use
    members: IdList | None = None
    responsible: Responsible | None = None
    revisions: list[Revision] = []


class Event(Record):
    """A business succession: ``to`` succeeds ``from`` on ``date``.

    Example:
        >>> e = Event(id="E1", kind="merger", date="2025-04-01", **{"from": "old-co", "to": "mc"})
        >>> e.frm, e.to, e.date
        ('old-co', 'mc', datetime.date(2025, 4, 1))
    """

    id: Id
    kind: Literal["merger", "split", "transfer"]
    date: Date
    frm: Id = Field(alias="from")
    to: Id


class StopRequest(Record):
    """A request to stop opt-out provision (5[1]5(4)).

    Example:
        >>> s = StopRequest(id="S1", notice="N1", subjects="customers", received_on="2025-03-01")
        >>> s.received_on, s.honoured_on
        (datetime.date(2025, 3, 1), None)
    """

    id: Id
    notice: Id | None = None
    flow: Id | None = None
    subjects: Id
    received_on: Date
    honoured_on: Date | None = None


class Exemption(Record):
    """The justification of an exemption of 5[1] items 1-4 (free text).

    Example:
        >>> Exemption(law="刑事訴訟法第197条第2項").law
        '刑事訴訟法第197条第2項'
    """

    law: Text | None = None
    document: Text | None = None
    consent_difficult: Text | None = None
    impediment: Text | None = None


class Flow(Record):
    """A flow of data items for purposes from one party to another: an edge.

    Example:
        >>> f = Flow(id="F1", **{"from": "mc", "to": "carrier"}, items="name;address",
        ...          start="2025-01-01")
        >>> f.items, f.basis, f.end
        (['name', 'address'], None, None)
    """

    id: Id
    frm: Id = Field(alias="from")
    to: Id
    items: Annotated[IdList, Field(min_length=1)]
    purposes: IdList = []
    basis: Literal["consent", "law", "life", "public_health", "government", "academic",
                   "opt_out", "outsourcing", "succession", "joint_use"] | None = None
    consents: IdList = []
    notice: Id | None = None
    contract: Id | None = None
    event: Id | None = None
    exemption: Exemption | None = None
    method: Text | None = None
    start: Date
    end: Date | None = None
    combined: Flag = False
    recipient_links: Flag = False
    recorded: Flag = False
    confirmed_acquisition: Flag = False
    improperly_acquired: Flag = False
    storage_only: Flag = False


class Waiver(Record):
    """An accepted finding, matched by rule, flow and optionally item.

    Example:
        >>> w = Waiver(rule="TP114", flow="F1", reason="共同研究", approved_by="DPO",
        ...            expires_on="2026-10-31")
        >>> w.expires_on, w.item
        (datetime.date(2026, 10, 31), None)
    """

    rule: Id
    flow: Id
    item: Id | None = None
    reason: Text
    approved_by: Text
    expires_on: Date


#: A rule clause key as the rules cite it: ``5[1]``, ``5[1]5(3)``, ``1.5``, ``8``.
CLAUSE_KEY = r"^[0-9][0-9A-Za-z.\[\]()\-]{0,31}$"
#: The clause keys the policy rules cite (docs/spec/rules.md), for ``policy.clauses``.
POLICY_CLAUSES = ("1.5", "2", "3", "4", "5[1]", "5[1]1", "5[1]2", "5[1]3", "5[1]4", "5[1]5",
                  "5[1]5(1)", "5[1]5(2)", "5[1]5(3)", "5[1]5(4)", "5[2]1", "5[2]2", "5[2]3",
                  "5[3]", "8")


class PolicyClause(Record):
    """Where one rule clause lives in the organisation's own policy, and its words.

    Example:
        >>> PolicyClause(label="第6条第1項", text="当社は、…").label
        '第6条第1項'
    """

    label: Text | None = None
    text: Text | None = None


class Policy(Record):
    """The organisation's own policy text (``policy:`` of docs/spec/inventory.md).

    ``clauses`` maps a rule clause key (``5[1]``, ``5[2]3`` ...) to the article
    label and wording of the organisation's own policy; reports quote only
    these. ``file`` is the whole text, a path relative to the inventory (read
    by the loader, shown in the HTML report's appendix).

    Example:
        >>> p = Policy(title="個人情報保護方針", clauses={"5[1]": {"label": "第6条第1項"}})
        >>> p.clauses["5[1]"].label, p.clauses["5[1]"].text, p.full_text
        ('第6条第1項', None, None)
    """

    title: Text | None = None
    publisher: Text | None = None
    url: Text | None = None
    revised_on: Date | None = None
    file: Text | None = None
    clauses: dict[Annotated[str, Field(pattern=CLAUSE_KEY)], PolicyClause] = {}
    _text: str | None = PrivateAttr(default=None)

    @property
    def full_text(self) -> str | None:
        """The text of ``file`` as the loader read it (None when absent or not loaded).

        Example:
            >>> Policy(file="policy.md").full_text is None
            True
        """
        return self._text


#: Collections of an inventory in file order, with their record model.
COLLECTIONS: dict[str, type[Record]] = {
    "data_items": DataItem,
    "purposes": Purpose,
    "parties": Party,
    "contracts": Contract,
    "consents": Consent,
    "notices": Notice,
    "events": Event,
    "stop_requests": StopRequest,
    "flows": Flow,
    "waivers": Waiver,
}


class Inventory(BaseModel):
    """A whole inventory. ``data_items``/``purposes`` are ``None`` when absent.

    ``inventory.check()`` (as :func:`lineage.check`) is attached by the notebook
    API, :mod:`lineage.audit`, which ``lineage.load`` imports: the model itself
    never imports the engine.

    Absent ``data_items`` means every item a flow names is personal (spec); the
    distinction from an empty list is kept for that reason.

    Example:
        >>> inv = Inventory.model_validate({"format": "lineage/1", "organisation": "mc",
        ...     "parties": [{"id": "mc", "role": "self"}], "flows": []})
        >>> inv.data_items is None, inv.consents, inv.parties[0].role
        (True, [], 'self')
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["lineage/1"]
    organisation: Id
    as_of: Date | None = None
    note: Text | None = None
    policy: Policy | None = None
    data_items: list[DataItem] | None = None
    purposes: list[Purpose] | None = None
    parties: list[Party]
    contracts: list[Contract] = []
    consents: list[Consent] = []
    notices: list[Notice] = []
    events: list[Event] = []
    stop_requests: list[StopRequest] = []
    flows: list[Flow]
    waivers: list[Waiver] = []
    _source: object = PrivateAttr(default=None)

    @property
    def source(self):
        """Where each record came from (a :class:`~lineage.model.sources.SourceMap`).

        Example:
            >>> from lineage.model import load
            >>> loc = load("inventories/monocollabo").source.locate(("flows", 0, "start"))
            >>> loc.file.endswith("flows.yaml"), loc.line
            (True, 10)
        """
        return self._source
