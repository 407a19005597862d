"""Hypothesis strategies for valid lineage inventories, and the transformations the
property tests apply to them (shuffle, rename, shift dates, add evidence, remove a flow).

An inventory is generated as the plain mapping a YAML file holds (text values), then
validated with lineage's own loader: a strategy that produced an invalid inventory is a
bug in the strategy, and the tests say so instead of filtering it away.

Example:
    >>> from hypothesis import given, settings
    >>> found = []
    >>> @settings(max_examples=3, derandomize=True, database=None)
    ... @given(inventories())
    ... def collect(data):
    ...     found.append(build(data).organisation)
    >>> collect()
    >>> found
    ['mc', 'mc', 'mc']
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re

from hypothesis import strategies as st

from lineage.model.errors import Location
from lineage.model.loading import build_inventory
from lineage.model.sources import RawInventory, SourceMap

__all__ = ["inventories", "build", "shuffled", "renamed", "shifted", "with_cover",
           "without_flow", "sink_flows", "ROLES", "ID_FIELDS"]

ROLES = ("outsourcee", "joint_user", "third_party", "successor", "public_body",
         "data_subject", "academic")
BASES = ("consent", "law", "life", "public_health", "government", "academic", "opt_out",
         "outsourcing", "succession", "joint_use")
EPOCH = dt.date(2024, 1, 1)
ITEMS = ("name", "email", "phone", "address", "health", "cookie", "ip", "score")
KINDS = {"health": "sensitive", "cookie": "linkable", "ip": "linkable"}
PURPOSES = ("shipping", "ads", "support", "research", "newsvc")
METHODS = ("sftp", "email", "api")


def _day(n: int) -> str:
    return (EPOCH + dt.timedelta(days=n)).isoformat()


days = st.integers(min_value=0, max_value=1100)


def _maybe(draw, strategy, p=0.5):
    return draw(strategy) if draw(st.floats(0, 1)) < p else None


@st.composite
def inventories(draw, max_flows: int = 12, focus: str | None = None):
    """A valid inventory mapping: parties of every role (some departments of one
    legal entity), items of every kind, purposes, consents, notices, contracts with
    sub-outsourcing, events, stop requests, waivers, and flows with and without a basis.
    ``focus="outsourcing"`` favours entrusting flows, sub-outsourcing and onward flows
    (the inventories re-provision, TP203, is about).
    """
    heavy = focus == "outsourcing"
    data: dict = {"format": "lineage/1", "organisation": "mc",
                  "as_of": _day(draw(st.integers(300, 1200)))}
    # Parties: the organisation, maybe departments, then a few of each role.
    parties = [{"id": "mc", "name": "モノコラボ", "role": "self"}]
    for n in range(draw(st.integers(0, 2))):
        parties.append({"id": f"mc-dept{n}", "legal_entity": "mc"})
    for role in ROLES:
        count = draw(st.integers(0 if role != "data_subject" else 1, 2))
        if heavy and role == "outsourcee":
            count = draw(st.integers(2, 3))
        for n in range(count):
            pid = f"{role[:4]}{n}"
            party = {"id": pid, "role": role}
            if role == "third_party" and draw(st.booleans()):
                party["groups"] = ["partners"]
            parties.append(party)
            if role in ("outsourcee", "third_party", "joint_user") and draw(
                    st.integers(0, 3)) == 0:
                parties.append({"id": f"{pid}-east", "legal_entity": pid, "role": role})
    data["parties"] = parties
    ids = [p["id"] for p in parties]
    subjects = [p["id"] for p in parties if p.get("role") == "data_subject"]
    outsourcees = [p["id"] for p in parties if p.get("role") == "outsourcee"]
    groups = sorted({g for p in parties for g in p.get("groups", [])})
    # Items and purposes: defined lists, or absent (every item personal).
    item_pool = list(ITEMS)
    if draw(st.integers(0, 5)):
        data["data_items"] = [{"id": i, "name": i, **({"kind": KINDS[i]} if i in KINDS else {})}
                              for i in item_pool]
    purposes_defined = draw(st.integers(0, 5)) > 0
    if purposes_defined:
        data["purposes"] = [
            {"id": p, "name": p,
             **({"announced_on": _day(draw(days))} if draw(st.integers(0, 4)) else {}),
             **({"third_party_provision": "true"} if draw(st.booleans()) else {})}
            for p in PURPOSES]
    def items():
        return draw(st.lists(st.sampled_from(item_pool), min_size=1, max_size=4, unique=True))

    def purposes(min_size=0):
        return draw(st.lists(st.sampled_from(PURPOSES), min_size=min_size, max_size=3,
                             unique=True))

    # Contracts: with outsourcees (and sometimes others), sub-outsourcing chains and rings.
    contracts = []
    for n, party in enumerate(draw(st.lists(st.sampled_from(outsourcees * 3 + ids[1:]),
                                            max_size=4))):
        start = draw(days)
        c = {"id": f"K{n + 1}", "party": party, "signed_on": _day(start),
             "no_leak": str(draw(st.booleans())).lower(),
             "no_re_provision": str(draw(st.integers(0, 3)) > 0).lower()}
        if draw(st.integers(0, 3)) == 0:
            c["ends_on"] = _day(start + draw(st.integers(0, 600)))
        if draw(st.integers(0, 2)) == 0:
            c["items"] = items()
        if draw(st.integers(0, 2)) == 0:
            c["purposes"] = purposes(1)
        subs = draw(st.lists(st.sampled_from(outsourcees + ids if heavy else ids), max_size=2,
                             unique=True))
        if subs:
            c["sub_outsourcing"] = subs
        contracts.append(c)
    data["contracts"] = contracts
    # Consents of data-subject groups.
    consents = []
    for n in range(draw(st.integers(0, 4))):
        start = draw(days)
        c = {"id": f"A{n + 1}", "subjects": draw(st.sampled_from(subjects)),
             "recipients": draw(st.lists(st.sampled_from(ids + groups), min_size=1,
                                         max_size=3, unique=True)),
             "items": items(), "purposes": purposes(), "obtained_on": _day(start)}
        if draw(st.integers(0, 3)) == 0:
            c["withdrawn_on"] = _day(start + draw(st.integers(0, 700)))
        consents.append(c)
    data["consents"] = consents
    # Notices: opt-out and joint use, complete or lacking elements, with revisions.
    notices = []
    for n in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(("opt_out", "joint_use")))
        note = {"id": f"N{n + 1}", "kind": kind}
        if draw(st.integers(0, 5)):
            note["published_on"] = _day(draw(st.integers(0, 500)))
        if draw(st.integers(0, 4)):
            note["items"] = items()
        if draw(st.integers(0, 4)):
            note["purposes"] = purposes(1)
        if kind == "opt_out":
            for key in ("provision_in_purpose", "stop_on_request"):
                if draw(st.integers(0, 4)):
                    note[key] = "true"
            if draw(st.integers(0, 4)):
                note["methods"] = draw(st.lists(st.sampled_from(METHODS), min_size=1,
                                                max_size=2, unique=True))
        else:
            joint = [p["id"] for p in parties if p.get("role") == "joint_user"]
            note["members"] = ["mc"] + draw(st.lists(st.sampled_from(joint * 3 + ids + groups),
                                                     max_size=3, unique=True))
            note["members"] = list(dict.fromkeys(note["members"]))
            if draw(st.integers(0, 4)):
                note["responsible"] = {"name": draw(st.sampled_from(("モノコラボ", "本社")))}
            revisions = []
            for _ in range(draw(st.integers(0, 2))):
                eff = draw(days)
                rev = {"effective_on": _day(eff)}
                if draw(st.integers(0, 2)):
                    rev["notified_on"] = _day(eff + draw(st.integers(-30, 30)))
                if draw(st.booleans()):
                    rev["purposes"] = purposes(1)
                if draw(st.booleans()):
                    rev["responsible"] = {"name": draw(st.sampled_from(("モノコラボ", "新会社")))}
                revisions.append(rev)
            if revisions:
                note["revisions"] = revisions
        notices.append(note)
    data["notices"] = notices
    # Succession events.
    events = []
    for n in range(draw(st.integers(0, 2))):
        a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        events.append({"id": f"V{n + 1}", "kind": draw(st.sampled_from(("merger", "split",
                                                                         "transfer"))),
                       "date": _day(draw(days)), "from": a, "to": b})
    data["events"] = events
    # Flows: collections, provisions, onward flows of outsourcees, back to subjects.
    flows = []
    n_flows = draw(st.integers(1, max_flows))
    for n in range(n_flows):
        shape = draw(st.sampled_from((0, 2, 2, 3, 3, 3, 4, 8)) if heavy
                     else st.integers(0, 9))
        org = ["mc"] + [i for i in ids if i.startswith("mc-")]
        if shape <= 1:
            frm = draw(st.sampled_from(subjects))
            to = draw(st.sampled_from(org + [i for i in ids if i not in org and i != frm]))
        elif shape == 2 and outsourcees:
            frm, to = draw(st.sampled_from(org)), draw(st.sampled_from(outsourcees))
        elif shape == 3 and outsourcees:
            frm = draw(st.sampled_from(outsourcees))
            to = draw(st.sampled_from([i for i in ids if i != frm]))
        elif shape <= 7:
            frm = draw(st.sampled_from(org))
            to = draw(st.sampled_from([i for i in ids if i not in org]))
        else:
            frm, to = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2,
                                    unique=True))
        start = draw(days)
        fid = draw(st.sampled_from((f"F{n + 1}", f"F{n + 1:02d}"))) if n else "F1"
        got = sorted({i for g in flows if g["to"] == frm for i in g["items"]})
        carried = (draw(st.lists(st.sampled_from(got), min_size=1, max_size=3, unique=True))
                   if got and draw(st.integers(0, 2)) else items())
        f = {"id": fid, "from": frm, "to": to, "items": carried, "start": _day(start)}
        if draw(st.booleans()) and not (heavy and shape == 2):
            f["purposes"] = purposes(1)
            if draw(st.integers(0, 9)) == 0:
                f["purposes"] = f["purposes"] + ["undefined-purpose"]
        if draw(st.integers(0, 2)) == 0:
            f["end"] = _day(start + draw(st.integers(0, 500)))
        if draw(st.integers(0, 1)) == 0 and not (heavy and shape == 2):
            f["basis"] = draw(st.sampled_from(BASES + ("joint_use", "opt_out", "consent")))
        if consents and draw(st.integers(0, 5)) == 0:
            f["consents"] = draw(st.lists(st.sampled_from([c["id"] for c in consents]),
                                          min_size=1, max_size=2, unique=True))
        if notices and draw(st.integers(0, 3)) == 0:
            f["notice"] = draw(st.sampled_from([x["id"] for x in notices]))
        if contracts and draw(st.integers(0, 5)) == 0:
            f["contract"] = draw(st.sampled_from([c["id"] for c in contracts]))
        if events and draw(st.integers(0, 4)) == 0:
            f["event"] = draw(st.sampled_from([e["id"] for e in events]))
        if draw(st.integers(0, 4)) == 0:
            f["exemption"] = {k: "根拠" for k in draw(st.lists(st.sampled_from(
                ("law", "document", "consent_difficult", "impediment")), min_size=1,
                max_size=2, unique=True))}
        if draw(st.booleans()):
            f["method"] = draw(st.sampled_from(METHODS))
        if draw(st.integers(0, 7)) == 0:
            f["combined"] = "true"
        if draw(st.integers(0, 15)) == 0:
            f["storage_only"] = "true"
        flows.append(f)
    # Zero-padded and plain IDs may coincide (F2 and F02 are different flows); keep unique.
    seen: set = set()
    for f in flows:
        while f["id"] in seen:
            f["id"] = f["id"] + "x"
        seen.add(f["id"])
    data["flows"] = flows
    # Stop requests naming a notice or a flow.
    stops = []
    opt_outs = [x["id"] for x in notices if x["kind"] == "opt_out"]
    for n in range(draw(st.integers(0, 2))):
        received = draw(days)
        s = {"id": f"S{n + 1}", "subjects": draw(st.sampled_from(subjects)),
             "received_on": _day(received)}
        if opt_outs and draw(st.booleans()):
            s["notice"] = draw(st.sampled_from(opt_outs))
        else:
            s["flow"] = draw(st.sampled_from([f["id"] for f in flows]))
        if draw(st.booleans()):
            s["honoured_on"] = _day(received + draw(st.integers(0, 60)))
        stops.append(s)
    data["stop_requests"] = stops
    # Waivers: some match a finding, some not, some expired.
    waivers = []
    for _ in range(draw(st.integers(0, 2))):
        w = {"rule": draw(st.sampled_from(("TP101", "TP103", "TP202", "TP203", "TP402"))),
             "flow": draw(st.sampled_from([f["id"] for f in flows])),
             "reason": "accepted", "approved_by": "DPO",
             "expires_on": _day(draw(st.integers(200, 1300)))}
        if draw(st.integers(0, 3)) == 0:
            w["item"] = draw(st.sampled_from(item_pool))
        waivers.append(w)
    data["waivers"] = waivers
    # The law pack's facts (Art. 25-31): foreign recipients and their checks, the foreign
    # information a consent gave, provision records, confirmed acquisitions, linking
    # recipients and supervision audits. Drawn last, so the rest of an inventory is as
    # before; rare, so most flows keep the Act's findings the missing facts give.
    for p in parties:
        if p.get("legal_entity") != "mc" and p["id"] != "mc" and draw(st.integers(0, 5)) == 0:
            p["country"] = draw(st.sampled_from(("US", "PH", "GB", "FR", "NO")))
            if draw(st.booleans()):
                p["equivalent_system"] = _day(draw(days))
    for c in consents:
        if draw(st.integers(0, 3)) == 0:
            c["foreign_info_given"] = "true"
    for c in contracts:
        if draw(st.integers(0, 2)) == 0:
            c["audits"] = sorted({_day(draw(days)) for _ in range(draw(st.integers(1, 2)))})
    for f in flows:
        for key, odds in (("recorded", 2), ("confirmed_acquisition", 3),
                          ("recipient_links", 4)):
            if draw(st.integers(0, odds)) == 0:
                f[key] = "true"
    return data


def build(data: dict):
    """Validate an inventory mapping with lineage's loader (raises on an invalid one).

    Example:
        >>> build({"format": "lineage/1", "organisation": "mc", "parties": [{"id": "mc"}],
        ...        "flows": []}).organisation
        'mc'
    """
    raw = RawInventory(copy.deepcopy(data), SourceMap(Location("<generated>")), "<generated>")
    return build_inventory(raw)


_COLLECTIONS = ("data_items", "purposes", "parties", "contracts", "consents", "notices",
                "events", "stop_requests", "flows", "waivers")


def shuffled(data: dict, seed: int) -> dict:
    """The same inventory with every collection's records in another order.

    Example:
        >>> d = {"flows": [{"id": "F1"}, {"id": "F2"}, {"id": "F3"}], "parties": []}
        >>> sorted(f["id"] for f in shuffled(d, 1)["flows"])
        ['F1', 'F2', 'F3']
    """
    rng = random.Random(seed)
    out = copy.deepcopy(data)
    for name in _COLLECTIONS:
        if isinstance(out.get(name), list):
            rng.shuffle(out[name])
    return out


#: Fields that hold IDs (or lists of IDs), per collection: what a renaming must follow.
ID_FIELDS = {
    "data_items": {"id": "item"}, "purposes": {"id": "purpose"},
    "parties": {"id": "party", "legal_entity": "party", "groups": "group"},
    "contracts": {"id": "contract", "party": "party", "items": "item",
                  "purposes": "purpose", "sub_outsourcing": "party"},
    "consents": {"id": "consent", "subjects": "party", "recipients": "party|group",
                 "items": "item", "purposes": "purpose"},
    "notices": {"id": "notice", "items": "item", "purposes": "purpose",
                "members": "party|group"},
    "events": {"id": "event", "from": "party", "to": "party"},
    "stop_requests": {"id": "stop", "notice": "notice", "flow": "flow",
                      "subjects": "party"},
    "flows": {"id": "flow", "from": "party", "to": "party", "items": "item",
              "purposes": "purpose", "consents": "consent", "notice": "notice",
              "contract": "contract", "event": "event"},
    "waivers": {"flow": "flow", "item": "item"},
}


def renamed(data: dict, seed: int) -> tuple[dict, dict]:
    """The inventory with every ID consistently renamed, and the renaming used.

    The renaming maps ``(kind, old)`` to a new ID; a party and a group of the same
    name stay distinct kinds.

    Example:
        >>> d = {"organisation": "mc", "parties": [{"id": "mc"}, {"id": "x", "legal_entity": "mc"}],
        ...      "flows": [{"id": "F1", "from": "x", "to": "mc", "items": ["a"]}]}
        >>> new, names = renamed(d, 0)
        >>> new["parties"][1]["legal_entity"] == new["organisation"] == names["party", "mc"]
        True
    """
    rng = random.Random(seed)
    names: dict = {}

    def rename(kind: str, old: str) -> str:
        key = (kind, old)
        if key not in names:
            while True:
                new = f"{kind[0]}{rng.randrange(10**6)}-{rng.choice('abcxyz')}"
                if new not in names.values():
                    break
            names[key] = new
        return names[key]

    out = copy.deepcopy(data)
    out["organisation"] = rename("party", out["organisation"])
    for name, fields in ID_FIELDS.items():
        for rec in out.get(name) or []:
            for field, kind in fields.items():
                if field not in rec:
                    continue
                value = rec[field]
                if kind == "party|group":
                    groups = {g for p in data["parties"] for g in p.get("groups", [])}
                    parties = {p["id"] for p in data["parties"]}
                    rec[field] = [rename("party", v) if v in parties else rename("group", v)
                                  if v in groups else v for v in value]
                elif isinstance(value, list):
                    rec[field] = [rename(kind, v) for v in value]
                else:
                    rec[field] = rename(kind, value)
            for rev in rec.get("revisions", []) if name == "notices" else ():
                if "purposes" in rev:
                    rev["purposes"] = [rename("purpose", v) for v in rev["purposes"]]
    return out, names


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shifted(data, days: int):
    """Every date (``YYYY-MM-DD`` text) moved by ``days``.

    Example:
        >>> shifted({"as_of": "2025-01-01", "flows": [{"start": "2024-12-31"}]}, 1)
        {'as_of': '2025-01-02', 'flows': [{'start': '2025-01-01'}]}
    """
    if isinstance(data, dict):
        return {k: shifted(v, days) for k, v in data.items()}
    if isinstance(data, list):
        return [shifted(v, days) for v in data]
    if isinstance(data, str) and _DATE.match(data):
        return (dt.date.fromisoformat(data) + dt.timedelta(days=days)).isoformat()
    return data


def with_cover(data: dict, flow_id: str, kind: str, groups: list[str]) -> dict:
    """The inventory plus evidence that fully covers one flow: a consent of each
    group in ``groups``, an opt-out or joint-use notice, or an outsourcing contract.

    Example:
        >>> d = {"flows": [{"id": "F1", "from": "mc", "to": "p", "items": ["a"],
        ...                 "start": "2025-01-01"}], "consents": []}
        >>> with_cover(d, "F1", "consent", ["g"])["consents"][0]["recipients"]
        ['p']
    """
    out = copy.deepcopy(data)
    flow = next(f for f in out["flows"] if f["id"] == flow_id)
    items, purposes = flow["items"], [p for p in flow.get("purposes", [])
                                      if p != "undefined-purpose"]
    if kind == "consent":
        for n, group in enumerate(groups):
            out.setdefault("consents", []).append({
                "id": f"cover{n}", "subjects": group, "recipients": [flow["to"]],
                "items": items, "purposes": purposes, "obtained_on": flow["start"]})
        if flow.get("consents"):  # a flow naming its consents is judged by those it names
            flow["consents"] = [f"cover{n}" for n in range(len(groups))]
    elif kind == "opt_out":
        out.setdefault("notices", []).append({
            "id": "cover", "kind": "opt_out", "published_on": flow["start"],
            "provision_in_purpose": "true", "stop_on_request": "true", "items": items,
            "methods": [flow.get("method", "sftp")]})
        flow.setdefault("method", "sftp")
        _name_cover(out, flow, "opt_out")
    elif kind == "joint_use":
        out.setdefault("notices", []).append({
            "id": "cover", "kind": "joint_use", "published_on": flow["start"],
            "items": items, "purposes": purposes or ["shipping"],
            "members": [flow["from"], flow["to"]], "responsible": {"name": "責任者"}})
        _name_cover(out, flow, "joint_use")
    elif kind == "contract":
        out.setdefault("contracts", []).append({
            "id": "cover", "party": flow["to"], "signed_on": flow["start"],
            "no_leak": "true", "no_re_provision": "true"})
    return out


def _name_cover(data: dict, flow: dict, kind: str) -> None:
    """A flow naming a notice of ``kind`` is judged by the one it names: it names the
    cover instead (one of another kind is no evidence for this route, and stays)."""
    named = flow.get("notice")
    if named and any(n["id"] == named and n.get("kind") == kind
                     for n in data.get("notices", []) if n["id"] != "cover"):
        flow["notice"] = "cover"


def without_flow(data: dict, flow_id: str) -> dict:
    """The inventory without one flow and the stop requests and waivers naming it.

    Example:
        >>> d = {"flows": [{"id": "F1"}, {"id": "F2"}], "waivers": [{"flow": "F1"}]}
        >>> without_flow(d, "F1")
        {'flows': [{'id': 'F2'}], 'waivers': []}
    """
    out = copy.deepcopy(data)
    out["flows"] = [f for f in out["flows"] if f["id"] != flow_id]
    for name in ("stop_requests", "waivers"):
        if name in out:
            out[name] = [r for r in out[name] if r.get("flow") != flow_id]
    return out


def sink_flows(data: dict) -> list[str]:
    """Flows whose recipient's legal entity passes nothing on to another entity:
    removing one cannot change what any other flow carries (lineage).

    Example:
        >>> d = {"parties": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        ...      "flows": [{"id": "F1", "from": "a", "to": "b"}, {"id": "F2", "from": "b", "to": "c"}]}
        >>> sink_flows(d)
        ['F2']
    """
    entity = {p["id"]: p.get("legal_entity", p["id"]) for p in data["parties"]}
    senders = {entity[f["from"]] for f in data["flows"]
               if entity[f["from"]] != entity[f["to"]]}
    return [f["id"] for f in data["flows"] if entity[f["to"]] not in senders]
