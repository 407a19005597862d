"""The lineage commands on the sample inventory: exact text, JSON, CSV, errors."""

from __future__ import annotations

import json

import pytest

from lineage.analysis import impact, stop, trace, upstream

from paths import SAMPLE

TRACE_EMAIL = """\
party                                                                      hops  since       path
Monocollabo (monocollabo)                                                  1     2023-04-01  F01
Monocollabo media division (monocollabo-media)                             1     2023-04-01  F01
Prize-campaign applicants (applicants)                                     2     2024-09-20  F01 > F27
Call Link (call centre) (call-centre)                                      2     2023-04-01  F01 > F12
Sora Cloud (cloud host) (cloud-host)                                       2     2023-04-01  F01 > F17
Collabo Living (group company, interior goods) (collabo-living)            2     2023-10-01  F01 > F28
Collabo Travel (group company, travel) (collabo-travel)                    2     2024-07-01  F01 > F31
Customers (online shop purchasers) (customers)                             2     2023-04-01  F01 > F21
Mailpost (email delivery service) (mail-delivery)                          2     2023-04-01  F01 > F15
Manila Support Centre (overseas call centre) (manila-support)              2     2025-04-01  F01 > F45
Growth Marketing (marketing company) (marketing-partner)                   2     2025-03-01  F01 > F38
Kitchen Next (buyer of the kitchenware subscription business) (new-owner)  2     2026-04-01  F01 > F43
Hana Cosme (sponsoring brand) (partner-brand)                              2     2024-06-01  F01 > F34
Answer Lab (survey tabulation) (survey-vendor)                             2     2025-10-01  F01 > F48
"""

IMPACT = """\
if it leaks: up to about 162,000 people's data (counts recorded at other holders: an upper bound)
  Prize-campaign applicants (applicants): 8,000 (recorded at Monocollabo (monocollabo))
  Customers (online shop purchasers) (customers): 120,000 (recorded at Monocollabo (monocollabo))
  Members (members): 34,000 (recorded at Sendworks (mailing house) (mailing-house))

holds:
group                                           item                      since
Prize-campaign applicants (applicants)          Postal address (address)  2024-04-01
Prize-campaign applicants (applicants)          Name (name)               2024-04-01
Customers (online shop purchasers) (customers)  Postal address (address)  2023-09-01
Customers (online shop purchasers) (customers)  Name (name)               2023-09-01
Members (members)                               Postal address (address)  2023-09-01
Members (members)                               Name (name)               2023-09-01

received downstream:
party                                                                    item                      groups                                                                                                     since       hops  path  routes
Sendworks Promotion (the mailing house's affiliate) (mailing-affiliate)  Postal address (address)  Prize-campaign applicants (applicants), Customers (online shop purchasers) (customers), Members (members)  2024-02-01  1     F44   external
Sendworks Promotion (the mailing house's affiliate) (mailing-affiliate)  Name (name)               Prize-campaign applicants (applicants), Customers (online shop purchasers) (customers), Members (members)  2024-02-01  1     F44   external
Aoba Printing (sub-outsourcee of the mailing house) (print-shop)         Postal address (address)  Prize-campaign applicants (applicants), Customers (online shop purchasers) (customers), Members (members)  2023-09-01  1     F11   external
Aoba Printing (sub-outsourcee of the mailing house) (print-shop)         Name (name)               Prize-campaign applicants (applicants), Customers (online shop purchasers) (customers), Members (members)  2023-09-01  1     F11   external
"""

STOP_C01 = """\
\ufeffhop,flow,from,to,items,route,reason
0,F34,monocollabo,partner-brand,email;name,consent,relies on consent C01
"""


def test_trace_table(run_cli):
    res = run_cli("trace", SAMPLE, "--item", "email", "--from", "members", "--depth", "2")
    assert res.stdout == TRACE_EMAIL


def test_trace_as_of_cuts_later_flows(run_cli):
    res = run_cli("trace", SAMPLE, "--item", "email", "--from", "members", "--depth", "2",
                  "--as-of", "2024-01-01", "--format", "csv")
    assert res.stdout.splitlines()[0] == "\ufeffparty,hops,since,path"
    parties = [line.split(",")[0] for line in res.stdout.splitlines()[1:]]
    assert "partner-brand" not in parties and "new-owner" not in parties
    assert "monocollabo" in parties


def test_trace_all_paths_json(run_cli):
    res = run_cli("trace", SAMPLE, "--item", "address", "--from", "mailing-house",
                  "--all-paths", "--format", "json")
    data = json.loads(res.stdout)
    assert data["query"] == "trace" and data["truncated"] is False
    assert [(r["party"], r["path"]) for r in data["rows"]] == [
        ("mailing-affiliate", ["F44"]), ("members", ["F24"]), ("print-shop", ["F11"])]
    assert data["highlight"] == ["F11", "F24", "F44"]


def test_upstream(run_cli):
    res = run_cli("upstream", SAMPLE, "--party", "print-shop", "--item", "address",
                  "--format", "csv")
    assert res.stdout == (
        "\ufeffhop,flow,from,to,items,route,start,end\n"
        "1,F11,mailing-house,print-shop,address,external,2023-09-01,\n"
        "2,F10,monocollabo,mailing-house,address,outsourcing,2023-09-01,\n"
        "3,F01,members,monocollabo,address,collection,2023-04-01,\n"
        "3,F02,customers,monocollabo,address,collection,2023-04-01,\n"
        # the media division is of Monocollabo's legal entity: what it collected, the
        # company holds and F10 may carry (rules.md: lineage follows legal entities)
        "3,F05,applicants,monocollabo-media,address,collection,2024-04-01,\n")


def test_impact(run_cli):
    assert run_cli("impact", SAMPLE, "--party", "mailing-house").stdout == IMPACT


def test_stop_consent(run_cli):
    res = run_cli("stop", SAMPLE, "--consent", "C01", "--format", "csv")
    assert res.stdout == STOP_C01


def test_stop_subjects(run_cli):
    res = run_cli("stop", SAMPLE, "--subjects", "members", "--item", "address",
                  "--format", "csv")
    assert res.stdout == (
        "\ufeffhop,flow,from,to,items,route,reason\n"
        "0,F32,monocollabo,list-broker,address,opt_out,opt-out provision of data of members\n"
        "0,F33,monocollabo,list-broker,address,opt_out,opt-out provision of data of members\n")


@pytest.mark.parametrize("args, message", [
    (("trace", SAMPLE, "--item", "nope"), "error: unknown item 'nope'\n"),
    (("trace", SAMPLE, "--item", "email", "--from", "ghost"), "error: unknown party 'ghost'\n"),
    (("upstream", SAMPLE, "--party", "ghost"), "error: unknown party 'ghost'\n"),
    (("upstream", SAMPLE, "--party", "carrier", "--item", "x"), "error: unknown item 'x'\n"),
    (("impact", SAMPLE, "--party", "ghost"), "error: unknown party 'ghost'\n"),
    (("stop", SAMPLE, "--consent", "C99"), "error: unknown consent 'C99'\n"),
    (("stop", SAMPLE, "--subjects", "ghost"), "error: unknown party 'ghost'\n"),
    (("stop", SAMPLE), "error: give exactly one of --consent and --subjects\n"),
])
def test_unknown_ids_are_one_line_errors(run_cli, args, message):
    res = run_cli(*args, expect=2)
    assert res.stderr == message and res.stdout == ""


def test_library_matches_cli_and_returns_graphs():
    t = trace(SAMPLE, "address", frm="mailing-house")
    assert sorted(t.graph.edges(keys=True)) == [
        ("mailing-house", "mailing-affiliate", "F44"), ("mailing-house", "members", "F24"),
        ("mailing-house", "print-shop", "F11")]
    assert all(d["highlight"] for *_, d in t.graph.edges(keys=True, data=True))
    i = impact(SAMPLE, "mailing-house")
    assert i.highlight == ["F11", "F44"]
    assert i.graph.edges["mailing-house", "print-shop", "F11"]["route"] == "external"
    u = upstream(SAMPLE, "partner-brand", item="email")
    assert u.table.flow.tolist() == ["F34", "F01", "F02", "F03", "F05"]  # F05: the media division's
    s = stop(SAMPLE, consent="C03")
    assert s.table.flow.tolist() == ["F34", "F35"]


def test_help_documents_exit_codes(run_cli):
    for cmd in ("trace", "upstream", "impact", "stop"):
        assert "Exit 0" in run_cli(cmd, "--help").stdout


def test_sample_readme_lineage_answers(run_cli):
    import re
    import shlex
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Lineage questions"):]
    blocks = re.findall(r"```console\n\$ lineage (.*?)\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    for command, expected in blocks:
        args = shlex.split(command)
        args[1] = str(SAMPLE)
        assert run_cli(*args).stdout == expected, command


#: A new user's case: C2 (members -> airline) was withdrawn while F4, which names
#: it, still runs; F3 (to the hotel) carries members' names but C2 never named the hotel.
WITHDRAWN = """\
format: lineage/1
organisation: org
as_of: 2026-10-01
data_items:
  - {id: name, name: 氏名}
  - {id: email, name: メール}
  - {id: booking, name: 予約内容}
purposes:
  - {id: reservation, name: 予約の手配, announced_on: 2020-01-01}
  - {id: mileage, name: マイル付与, announced_on: 2020-01-01}
parties:
  - {id: org, name: 旅行会社, role: self}
  - {id: customers, name: 予約者, role: data_subject}
  - {id: members, name: 会員, role: data_subject}
  - {id: hotel, name: 旅館, role: third_party}
  - {id: airline, name: 航空会社, role: third_party}
consents:
  - {id: C1, subjects: customers, recipients: [hotel], items: [name, booking],
     purposes: [reservation], obtained_on: 2020-01-01}
  - {id: C2, subjects: members, recipients: [airline], items: [name, email],
     purposes: [mileage], obtained_on: 2020-01-01, withdrawn_on: 2026-03-01}
flows:
  - {id: F1, from: customers, to: org, items: [name, booking], purposes: [reservation],
     start: 2021-01-01}
  - {id: F2, from: members, to: org, items: [name, email], purposes: [mileage],
     start: 2021-01-01}
  - {id: F3, from: org, to: hotel, items: [name, booking], purposes: [reservation],
     basis: consent, start: 2021-04-01}
  - {id: F4, from: org, to: airline, items: [email], purposes: [mileage], consents: [C2],
     start: 2021-04-01}
"""


def test_stop_consent_lists_a_flow_naming_a_withdrawn_consent_not_one_it_never_covered(
        run_cli, tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text(WITHDRAWN, encoding="utf-8")
    res = run_cli("stop", inv, "--consent", "C2", "--format", "csv")
    # F4 has no route since the withdrawal (it must stop); F3's closest consent of
    # the members is C2, which does not name the hotel: F3 never rested on it.
    assert res.stdout == ("\ufeffhop,flow,from,to,items,route,reason\n"
                          "0,F4,org,airline,email,none,relies on consent C2\n")
    before = tmp_path / "before.yaml"
    before.write_text(WITHDRAWN.replace(", withdrawn_on: 2026-03-01", ""), encoding="utf-8")
    res = run_cli("stop", before, "--consent", "C2", "--format", "csv")
    assert res.stdout == ("\ufeffhop,flow,from,to,items,route,reason\n"
                          "0,F4,org,airline,email,consent,relies on consent C2\n")
    # A stop request of the members reaches every consent provision of their data;
    # F3's closest consent of the members, C2, does not name the hotel: F3 does not
    # rest on it, it provides the members' data under a consent route all the same.
    res = run_cli("stop", inv, "--subjects", "members", "--format", "csv")
    assert res.stdout == ("\ufeffhop,flow,from,to,items,route,reason\n"
                          "0,F3,org,hotel,name,consent,consent provision of data of members\n"
                          "0,F4,org,airline,email,none,relies on consent C2\n")


def test_stop_consent_lists_a_flow_resting_on_a_withdrawn_consent_it_does_not_name(
        run_cli, tmp_path):
    # inventory.md: a flow's consents are optional, the analyzer searches. F4 without
    # `consents: [C2]` rests on C2 as much as when it names it: once the withdrawal is
    # recorded it has no route (its TP101 names C2 as the closest) and must still be listed.
    inv = tmp_path / "inv.yaml"
    inv.write_text(WITHDRAWN.replace(", consents: [C2]", ""), encoding="utf-8")
    head = "\ufeffhop,flow,from,to,items,route,reason\n"
    res = run_cli("stop", inv, "--consent", "C2", "--format", "csv")
    assert res.stdout == head + "0,F4,org,airline,email,none,relies on consent C2\n"
    res = run_cli("stop", inv, "--subjects", "members", "--format", "csv")
    assert res.stdout == (head + "0,F3,org,hotel,name,consent,consent provision of data of "
                          "members\n"
                          "0,F4,org,airline,email,none,relies on consent C2\n")
    res = run_cli("stop", inv, "--consent", "C2", "--item", "name", "--format", "csv")
    assert res.stdout == head


def test_stop_subjects_reasons_in_japanese(run_cli, tmp_path):
    inv = tmp_path / "inv.yaml"
    inv.write_text(WITHDRAWN, encoding="utf-8")
    res = run_cli("stop", inv, "--subjects", "members", "--lang", "ja")
    rows = [line.split("  ")[-1].strip() for line in res.stdout.splitlines()[1:]]
    assert rows == ["会員 (members) のデータの本人の同意による提供", "本人の同意 C2 に依拠"]


def test_stop_leaves_out_a_flow_that_ended_before_the_audit_date(run_cli, tmp_path):
    # F5 ran under C2 until 2022: it has stopped; F6 passes what it carried on, and must.
    inv = tmp_path / "inv.yaml"
    inv.write_text(WITHDRAWN.replace(", withdrawn_on: 2026-03-01", "") + """\
  - {id: F5, from: org, to: airline, items: [name], purposes: [mileage], consents: [C2],
     start: 2021-04-01, end: 2022-01-31}
  - {id: F6, from: airline, to: hotel, items: [name], start: 2022-06-01}
""", encoding="utf-8")
    res = run_cli("stop", inv, "--consent", "C2", "--format", "csv")
    assert res.stdout == ("\ufeffhop,flow,from,to,items,route,reason\n"
                          "0,F4,org,airline,email,consent,relies on consent C2\n"
                          "1,F6,airline,hotel,name,external,downstream of F5 > F6\n")


RETURN = """\
format: lineage/1
organisation: mc
as_of: 2026-01-01
data_items: [{id: name, name: 氏名}, {id: result, name: 配達結果}]
parties:
  - {id: mc, role: self}
  - {id: customers, role: data_subject}
  - {id: carrier, role: outsourcee}
  - {id: sub, role: outsourcee}
  - {id: partner, role: third_party}
flows:
  - {id: C1, from: customers, to: mc, items: [name], start: 2023-01-01}
  - {id: F1, from: mc, to: carrier, items: [name], start: 2023-04-01}
  - {id: F2, from: carrier, to: mc, items: [name, result], start: 2023-05-01}
  - {id: F3, from: mc, to: partner, items: [name, result], start: 2023-04-01}
  - {id: F4, from: carrier, to: sub, items: [name], start: 2023-06-01}
"""


def test_impact_stops_at_the_organisation(tmp_path):
    # a leak at the carrier: its routine return F2 brings the data back to the
    # organisation, whose own copy goes to the partner; that is no spread of the leak
    # (a trial found every recipient of the organisation listed, with dates via F2);
    # nor is the organisation itself listed as exposed by F2 (the trial of round 12)
    inv = tmp_path / "inv.yaml"
    inv.write_text(RETURN, encoding="utf-8")
    got = impact(inv, "carrier")
    assert got.table[["party", "item", "path"]].values.tolist() == [["sub", "name", ["F4"]]]
    assert got.highlight == ["F4"]
    # a leak at the organisation still reaches everyone it sends to
    assert sorted(set(impact(inv, "mc").table.party)) == ["carrier", "partner", "sub"]


HOPS = """\
format: lineage/1
organisation: mc
as_of: 2026-01-01
data_items: [{id: name, name: 氏名}, {id: email, name: メール}]
parties:
  - {id: mc, role: self}
  - {id: customers, role: data_subject}
  - {id: carrier, role: outsourcee}
  - {id: sub, role: outsourcee}
  - {id: x, role: third_party}
flows:
  - {id: C1, from: customers, to: mc, items: [name, email], start: 2023-01-01}
  - {id: F1, from: mc, to: carrier, items: [name], start: 2023-02-01}
  - {id: F2, from: carrier, to: sub, items: [name], start: 2023-03-01}
  - {id: F3, from: sub, to: x, items: [name], start: 2023-04-01}
  - {id: F4, from: mc, to: x, items: [email], start: 2023-04-01}
"""


def test_upstream_lists_a_flow_at_each_hop_with_its_items(tmp_path):
    # C1 brought x's e-mail address two hops back and its name four: it was listed once,
    # at hop 2, with both items (a trial found an address at the wrong hop)
    inv = tmp_path / "inv.yaml"
    inv.write_text(HOPS, encoding="utf-8")
    got = upstream(inv, "x")
    assert got.table[["hop", "flow", "items"]].values.tolist() == [
        [1, "F3", ["name"]], [1, "F4", ["email"]], [2, "C1", ["email"]], [2, "F2", ["name"]],
        [3, "F1", ["name"]], [4, "C1", ["name"]]]
    assert got.highlight == ["C1", "F1", "F2", "F3", "F4"]


def test_upstream_does_not_list_the_party_s_own_data_going_round(tmp_path):
    # the trial of round 12: the call centre's return to the organisation (F2) was listed
    # as a source of the call centre's own data, at hop 2
    inv = tmp_path / "inv.yaml"
    inv.write_text("""\
format: lineage/1
organisation: mc
as_of: 2026-01-01
data_items: [{id: name, name: 氏名}]
parties:
  - {id: mc, role: self}
  - {id: customers, role: data_subject}
  - {id: callcenter, role: outsourcee}
  - {id: callcenter-west, legal_entity: callcenter}
flows:
  - {id: C1, from: customers, to: mc, items: [name], start: 2023-01-01}
  - {id: F1, from: mc, to: callcenter, items: [name], start: 2023-02-01}
  - {id: F2, from: callcenter, to: mc, items: [name], start: 2023-03-01}
  - {id: F3, from: callcenter-west, to: mc, items: [name], start: 2023-03-01}
""", encoding="utf-8")
    got = upstream(inv, "callcenter")
    assert got.table[["hop", "flow", "items"]].values.tolist() == [
        [1, "F1", ["name"]], [2, "C1", ["name"]]]
