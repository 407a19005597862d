"""Vocabulary shared by every layer: statuses, routes, and the ID sort order.

Kept free of heavy imports so that commands reading a snapshot store start fast.

Example:
    >>> sorted(["F10", "F2", "F1"], key=natural_key)
    ['F1', 'F2', 'F10']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from itertools import compress, islice, repeat
from operator import add, attrgetter, eq, getitem, itemgetter, le

__all__ = ["STATUSES", "STATUS_WORDS", "KIND_LABELS", "ROUTES", "ROUTE_LABELS", "route_label",
           "natural_key", "natural_sorted", "id_key", "law_only", "one_line", "counted",
           "count_list"]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and an English noun, singular for exactly one: "1 flow", "2 flows".

    Example:
        >>> counted(1, "flow"), counted(0, "flow"), counted(2, "party", "parties")
        ('1 flow', '0 flows', '2 parties')
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def count_list(pairs, lang: str = "en") -> str:
    """Counts with their words as a sentence in ``lang`` says them: "3 new, 9 resolved" in
    English, 「新規 3 件、解消 9 件」 in Japanese (a count after its word, with 件).

    Example:
        >>> count_list([(3, "new"), (9, "resolved")]), count_list([(20, "エラー"), (0, "警告")], "ja")
        ('3 new, 9 resolved', 'エラー 20 件、警告 0 件')
    """
    if lang == "ja":
        return "、".join(f"{word} {n} 件" for n, word in pairs)
    return ", ".join(f"{n} {word}" for n, word in pairs)


#: A flow's status in reports: the worst of its findings (rules.md).
STATUSES = ("ok", "warning", "violation", "waived")

#: The four statuses in the glossary's words.
STATUS_WORDS = {
    "violation": {"en": "violation", "ja": "違反"},
    "warning": {"en": "warning", "ja": "警告"},
    "waived": {"en": "waived", "ja": "承認済み"},
    "ok": {"en": "ok", "ja": "適合"},
}

#: Headings for the kinds of finding (rules.md), in both languages.
KIND_LABELS = {
    "no-consent": {"en": "No consent", "ja": "本人の同意なし"},
    "no-exemption": {"en": "Exemption not established", "ja": "例外の要件を満たさない"},
    "unannounced-items": {"en": "Items not announced", "ja": "通知・公表にない項目"},
    "unannounced": {"en": "Notice missing, late or incomplete", "ja": "通知・公表の不備"},
    "contract": {"en": "Outsourcing contract", "ja": "委託契約"},
    "re-provision": {"en": "Re-provision", "ja": "再提供"},
    "purpose": {"en": "Purpose of use", "ja": "利用目的"},
    "record": {"en": "Records and confirmation", "ja": "記録・確認"},
    "waiver": {"en": "Waivers", "ja": "承認の管理"},
}

#: A finding's severity in Japanese (English keeps the code: error, warning).
SEVERITY_JA = {"error": "エラー", "warning": "警告"}


def code_words(kind: str, severity: str, lang: str = "en") -> tuple[str, str]:
    """A finding's kind and severity as a table shows them: the codes in English, their
    words in Japanese (as ``lineage rules --lang ja``).

    Example:
        >>> code_words("no-consent", "error"), code_words("no-consent", "error", "ja")
        (('no-consent', 'error'), ('本人の同意なし', 'エラー'))
    """
    if lang != "ja":
        return kind, severity
    return KIND_LABELS.get(kind, {}).get("ja", kind), SEVERITY_JA.get(severity, severity)


#: Every route a flow can have (rules.md, "The flow table").
ROUTES = ("internal", "collection", "to_subject", "storage_only", "non_personal",
          "outsourcing", "succession", "joint_use", "law", "life", "public_health",
          "government", "academic", "opt_out", "consent", "external", "none")

ROUTE_LABELS = {
    "internal": {"en": "internal", "ja": "社内"},
    "collection": {"en": "collection", "ja": "取得"},
    "to_subject": {"en": "to the person", "ja": "本人への提供"},
    "storage_only": {"en": "storage only", "ja": "保管のみ"},
    "non_personal": {"en": "not personal data", "ja": "個人データ以外"},
    "outsourcing": {"en": "outsourcing", "ja": "委託"},
    "succession": {"en": "succession", "ja": "事業承継"},
    "joint_use": {"en": "joint use", "ja": "共同利用"},
    "law": {"en": "based on law", "ja": "法令に基づく"},
    "life": {"en": "protection of life", "ja": "生命・財産の保護"},
    "public_health": {"en": "public health", "ja": "公衆衛生"},
    "government": {"en": "public bodies", "ja": "国の機関等への協力"},
    "academic": {"en": "academic", "ja": "学術研究"},
    "opt_out": {"en": "opt-out", "ja": "オプトアウト"},
    "consent": {"en": "consent", "ja": "本人の同意"},
    "external": {"en": "external", "ja": "外部"},
    "none": {"en": "no route", "ja": "根拠なし"},
}


def route_label(route: str | None, lang: str = "en") -> str:
    """The display name of a route in ``lang``.

    Example:
        >>> route_label("outsourcing"), route_label("outsourcing", "ja")
        ('outsourcing', '委託')
    """
    if route is None:
        return ""
    return ROUTE_LABELS.get(route, {}).get(lang, route)


#: Display names of the party roles (the legend, the explorer, the Act's messages).
ROLE_WORDS = {
    "self": {"en": "organisation (division)", "ja": "組織（部門）"},
    "outsourcee": {"en": "outsourcee", "ja": "委託先"},
    "successor": {"en": "successor", "ja": "承継先"},
    "joint_user": {"en": "joint user", "ja": "共同利用者"},
    "third_party": {"en": "third party", "ja": "第三者"},
    "academic": {"en": "academic body", "ja": "学術研究機関"},
    "public_body": {"en": "public body", "ja": "公的機関"},
    "data_subject": {"en": "data subjects", "ja": "本人"},
}


def role_label(role: str | None, lang: str = "en") -> str:
    """The display name of a party role in ``lang`` (the code itself when unknown).

    Example:
        >>> role_label("third_party", "ja"), role_label("joint_user")
        ('第三者', 'joint user')
    """
    if role is None:
        return ""
    return ROLE_WORDS.get(role, {}).get(lang, role)


_DIGITS = re.compile(r"(\d+)")


@functools.lru_cache(maxsize=1 << 16)
def id_key(text: str) -> tuple:
    """:func:`natural_key` as a tuple, cached: for sorting the same IDs many times.

    Example:
        >>> id_key("F10") > id_key("F9")
        True
    """
    return tuple(natural_key(text))


#: What a terminal, a table row or a Markdown line takes as the end of a line.
_LINE_BREAKS = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text) -> str:
    """``text`` for a one-line context (a table row, a terminal line): each line break a space.

    A name may hold line breaks (a YAML ``"Acme\\nWest"``, a workbook cell with
    Alt+Enter); printed as they are, they would split a row in two.

    Example:
        >>> one_line("Acme\\r\\nWest\\u2028Branch\\nHQ")
        'Acme West Branch HQ'
    """
    return _LINE_BREAKS.sub(" ", str(text))


#: Characters no report text may carry raw: C0 controls but tab and line feed, DEL, C1,
#: bidirectional controls, line and paragraph separators, noncharacters.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069\u2028\u2029\ufffe\uffff]")


def escape_controls(text: str) -> str:
    """``text`` with every control character written as its escape (``\\x1b``,
    ``\\u202e``), tabs and line feeds kept: for a whole report whose text may come
    from a snapshot store written behind lineage's back (the hostile review of
    round 15 re-hashed one whose messages cleared the screen).

    Example:
        >>> escape_controls("ok\\n\\x1b[2J\\u202eevil\\tx")
        'ok\\n\\\\x1b[2J\\\\u202eevil\\tx'
        >>> escape_controls("line\\r\\nnext\\rover")
        'line\\nnext\\\\x0dover'
    """
    # a policy file saved on Windows ends its lines with CR LF: a line end, not a control
    # to show (the review of round 15 saw "\\x0d" at the end of every line)
    return _CONTROLS.sub(lambda m: (f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                                    else f"\\u{ord(m[0]):04x}"), text.replace("\r\n", "\n"))


def natural_key(text: str):
    """Sort key that puts F2 before F10.

    The text's runs of letters and of digits (as numbers) come first, in a tuple
    of their own: a run of letters is only ever compared with a run of letters,
    so ``F`` sorts before ``F1`` (a list with the text appended after the runs
    compared ``"F"`` with ``1`` there and raised TypeError). The text itself
    comes last, so that IDs that differ only in leading zeros (``F1``, ``F01``)
    still sort one way whatever order they came in.

    Example:
        >>> natural_key("TP222:F10")
        [('TP', 222, ':F', 10, ''), 'TP222:F10']
        >>> sorted(["F10", "F9", "F100", "F09", "F", "F1a"], key=natural_key)
        ['F', 'F1a', 'F09', 'F9', 'F10', 'F100']
    """
    # re.split with one group alternates text and digits, beginning with text:
    # the odd places are exactly the runs of digits
    parts = _DIGITS.split(text)
    parts[1::2] = map(int, parts[1::2])
    return [tuple(parts), text]


_ASCII_DIGITS = "0123456789"


def natural_sorted(records, key=attrgetter("id"), ids: list | None = None) -> list:
    """``records`` sorted by :func:`natural_key` of ``key(record)`` (their ID), stably.

    IDs of one shape, letters then a number (``F1`` ... ``F999999``), as large
    inventories have, are sorted by (letters, number, ID) with no key list per
    record: the same order as :func:`natural_key`'s, which the others keep.
    ``ids``: the keys of ``records``, in order, when the caller has read them.

    Example:
        >>> natural_sorted(["F10", "F9", "F09", "G1", "F100"], key=str)
        ['F09', 'F9', 'F10', 'F100', 'G1']
        >>> natural_sorted(["a2b", "a10", "a2"], key=str)
        ['a2', 'a2b', 'a10']
    """
    records = list(records)
    if ids is None:
        ids = list(map(key, records))
    if not set(map(type, ids)) <= {str}:
        return sorted(records, key=lambda r: natural_key(key(r)))
    if _in_natural_order(ids):
        # Large inventories usually list their records in order already: a
        # stable sort of a sequence in order leaves it as it is.
        return records
    heads = list(map(str.rstrip, ids, repeat(_ASCII_DIGITS)))
    if any(map(eq, heads, ids)) or any(
            not h.isascii() or _DIGITS.search(h) for h in set(heads)):
        # an ID without a final number, or with digits before it: the general key
        return sorted(records, key=lambda r: natural_key(key(r)))
    # natural_key(h + digits) is [(h, int(digits), ""), h + digits]; the index keeps it stable
    if any(len(i) > len(h) + 1 for i, h in compress(
            zip(ids, heads), map(str.startswith, ids, map(add, heads, repeat("0"))))):
        numbers = map(int, map(getitem, ids, map(slice, map(len, heads), repeat(None))))
    else:
        # no number with a leading zero: under one head, the longer ID is the larger
        # number, and of two as long the text orders them (ASCII digits)
        numbers = map(len, ids)
    order = sorted(zip(heads, numbers, ids, range(len(ids))))
    return list(map(records.__getitem__, map(itemgetter(3), order)))


def _in_natural_order(ids: list) -> bool:
    """Whether ``ids`` are known to be in :func:`natural_key` order already: every
    one the same letters followed by a number written without leading zeros
    (``F0`` ... ``F999999``), in order. False says nothing (the sort decides).

    For such IDs natural order is the numbers' order, which is (length, text):
    C-level passes over the whole list tell it, with no key per ID.

    Example:
        >>> _in_natural_order(["F1", "F2", "F10"]), _in_natural_order(["F1", "F10", "F2"])
        (True, False)
        >>> _in_natural_order(["F1", "F01"]), _in_natural_order(["F1", "G2"])
        (False, False)
    """
    if len(ids) < 2:
        return True
    head = ids[0].rstrip(_ASCII_DIGITS)
    if len(head) == len(ids[0]) or not head.isascii() or _DIGITS.search(head):
        return False
    text = "\n".join(ids)
    if not text.isascii() or text.count("\n") != len(ids) - 1:
        return False  # a line break inside an ID: the lines are not the IDs
    # The IDs as lines of one text: each line starts with the head and is the
    # head once its ASCII digits are gone, so it is the head, then digits.
    lines = b"\n" + text.encode()
    mark = b"\n" + head.encode()
    if (lines.count(mark) != len(ids)
            or lines.translate(None, _ASCII_DIGITS.encode()) != mark * len(ids)):
        return False
    # A number with a leading zero (a line of the head, 0, another digit): the
    # text's length then does not order the numbers.
    zero = mark + b"0"
    if lines.count(zero) > 16:  # many numbers starting with 0: the sort decides
        return False
    at = lines.find(zero)
    while at >= 0:
        if lines[at + len(zero):at + len(zero) + 1] not in (b"", b"\n"):
            return False
        at = lines.find(zero, at + 1)
    lengths = list(map(len, ids))
    if lengths[0] == len(head) or not all(map(le, lengths, islice(lengths, 1, None))):
        return False  # the head without a number (the shortest), or not by length
    # IDs as long (numbers as long, one run each as the lengths rise): the text
    # orders them.
    start = 0
    while start < len(ids):
        end = bisect_right(lengths, lengths[start], start)
        if not all(map(le, islice(ids, start, end - 1), islice(ids, start + 1, end))):
            return False
        start = end
    return True


def law_only(by_pack: dict | None) -> bool:
    """Whether a flow's statuses per pack say "satisfies the policy, breaks the Act"
    (inventory.md, ``policy_ok_law_violation``): the policy judged it and found no
    unwaived violation, the law pack found one.

    Example:
        >>> law_only({"policy": "ok", "appi": "violation"}), law_only({"appi": "violation"})
        (True, False)
        >>> law_only(None), law_only({"policy": "violation", "appi": "violation"})
        (False, False)
    """
    return bool(by_pack) and "policy" in by_pack and by_pack["policy"] != "violation" \
        and by_pack.get("appi") == "violation"


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: wide and full-width characters
    (漢字, かな, full-width digits) take two.

    Example:
        >>> display_width("AP201"), display_width("法第27条")
        (5, 8)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` and the spaces that make it ``width`` columns wide on a terminal.

    Example:
        >>> pad("法", 4) + "|", pad("abc", 2) + "|"
        ('法  |', 'abc|')
    """
    return text + " " * (width - display_width(text))
