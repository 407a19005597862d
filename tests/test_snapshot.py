"""Snapshots: create, list, show, diff, baseline, and the Python API."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import lineage
from lineage.snapshots import Snapshot, Store, StoreError
from lineage.snapshots.canonical import inventory_hash
from lineage.snapshots.chunks import sqlar_uncompress
from lineage.snapshots.store import default_store
from paths import ROOT, SAMPLE
from snapshot_helpers import CREATED, EPOCH, change_inventory, copy_sample

LIST_HEADER = ("id  created               as of       label    flows  errors  warnings  waived  "
               "findings by kind                                                                  "
               "flows by route")
Q3_ROW = ("1   2026-09-21T14:13:20Z  2026-11-01  2026-Q3  48     9       0         1       "
          "no-consent 3, no-exemption 1, re-provision 2, unannounced 1, unannounced-items 2  "
          "collection 5, consent 4, external 6, internal 2, joint_use 3, law 2, non_personal 3, "
          "none 2, opt_out 2, outsourcing 8, storage_only 2, succession 2, to_subject 7")
Q4_ROW = ("2   2026-09-21T14:13:20Z  2026-11-01  2026-Q4  49     13      0         1       "
          "no-consent 7, no-exemption 1, re-provision 2, unannounced 1, unannounced-items 2  "
          "collection 5, consent 4, external 6, internal 2, joint_use 3, law 2, non_personal 3, "
          "none 3, opt_out 2, outsourcing 8, storage_only 2, succession 2, to_subject 7")


@pytest.fixture
def two(tmp_path, run_cli):
    """A store with the sample as 2026-Q3 and the changed sample as 2026-Q4."""
    inv = copy_sample(tmp_path)
    store = tmp_path / "audits.db"
    run_cli("snapshot", "create", inv, "--label", "2026-Q3", "--store", store, env=EPOCH)
    change_inventory(inv)
    run_cli("snapshot", "create", inv, "--label", "2026-Q4", "--store", store, env=EPOCH)
    return inv, store


def test_create_prints_what_was_stored_and_the_chain_head(tmp_path, run_cli):
    inv = copy_sample(tmp_path)
    res = run_cli("snapshot", "create", inv, "--label", "2026-Q3", env=EPOCH)
    lines = res.stdout.splitlines()
    assert lines[0] == (f"snapshot #1 (2026-Q3) stored in {inv}/.lineage/audits.db: 48 flows, "
                        "findings: 9 error, 0 warning, 1 waived")
    assert lines[1].startswith("chain head: sha256:") and len(lines[1]) == 19 + 64
    assert len(lines) == 2
    assert (inv / ".lineage" / "audits.db").is_file()  # default: next to the inventory


def test_list_one_row_per_snapshot_with_counts(two, run_cli):
    _, store = two
    out = run_cli("snapshot", "list", "--store", store).stdout
    assert out.splitlines() == [LIST_HEADER, Q3_ROW, Q4_ROW]
    data = json.loads(run_cli("snapshot", "list", "--store", store, "--format", "json").stdout)
    assert [e["label"] for e in data] == ["2026-Q3", "2026-Q4"]
    assert data[1]["summary"]["severity"] == {"error": 13, "warning": 0, "waived": 1}
    assert data[1]["created_at"] == CREATED
    # reproducible given the store
    assert run_cli("snapshot", "list", "--store", store).stdout == out


def test_list_of_an_empty_store_and_a_missing_one(tmp_path, run_cli):
    Store(tmp_path / "empty.db").close()
    assert run_cli("snapshot", "list", "--store", tmp_path / "empty.db").stdout == \
        "No snapshots.\n"
    res = run_cli("snapshot", "list", "--store", tmp_path / "none.db", expect=2)
    assert res.stderr == (f"error: {tmp_path}/none.db: no snapshot store here (`lineage "
                          "snapshot create INVENTORY` keeps one in .lineage/audits.db inside "
                          "an inventory folder, or beside an inventory file; point to it with "
                          "--store)\n")


def test_show_gives_hashes_flows_and_findings(two, run_cli):
    inv, store = two
    out = run_cli("snapshot", "show", "2026-Q3", "--store", store).stdout.splitlines()
    assert out[0] == "snapshot #1 (2026-Q3)"
    assert out[1] == f"  created    {CREATED}"
    assert out[2] == "  audit      monocollabo as of 2026-11-01, rules policy, lineage 0.1.0"
    assert out[3] == f"  source     {inv}"
    assert out[7] == "  previous   sha256:" + "0" * 64
    assert out[9] == "48 flows: 39 ok, 0 warning, 8 violation, 1 waived"
    assert any(line.startswith("F44 ") and "violation" in line
               and "TP203:F44:address TP203:F44:name" in line for line in out)
    assert out[-1].startswith("x TP203:F44:name [1.5] error item name, entrusted")
    assert "~ TP102:F37:C05 [5[1]] error (waived) consent C05 was obtained on 2025-07-10, " \
           "after the flow started on 2025-07-01" in out
    shown = json.loads(run_cli("snapshot", "show", "latest", "--store", store, "--format",
                               "json").stdout)
    assert shown["id"] == 2 and shown["label"] == "2026-Q4"
    assert shown["prev_hash"] == json.loads(run_cli(
        "snapshot", "show", "1", "--store", store, "--format", "json").stdout)["chain_hash"]
    audit = lineage.check(inv)
    assert shown["flows"] == [r.as_dict() for r in audit.flow_results]
    assert [{k: v for k, v in f.items() if k != "subject"} for f in shown["findings"]] == \
        [f.as_dict() for f in audit.results]
    assert shown["waivers"] == list(audit.waivers)


def test_show_an_unknown_snapshot_is_an_error(two, run_cli):
    _, store = two
    res = run_cli("snapshot", "show", "2025-Q1", "--store", store, expect=2)
    assert res.stderr == (f"error: {store}: no snapshot '2025-Q1' (give an ID, a label, "
                          "'latest' or 'previous'; see `lineage snapshot list`)\n")


def test_labels_are_unique_and_not_ambiguous(two, run_cli):
    inv, store = two
    res = run_cli("snapshot", "create", inv, "--label", "2026-Q3", "--store", store, expect=2)
    assert res.stderr == f"error: label '2026-Q3' is already used in {store}\n"
    res = run_cli("snapshot", "create", inv, "--label", "7", "--store", store, expect=2)
    assert "must not be a number, 'latest' or 'previous'" in res.stderr
    assert len(Store(store)) == 2


DIFF_TABLE = """\
diff #1 (2026-Q3) -> #2 (2026-Q4)
  as of 2026-11-01 -> 2026-11-01

Findings: 4 new, 0 resolved, 10 still open
  new        TP101:F34 [5[1]] error provision to third party partner-brand has no route: closest route is consent, which lacks: consent C01 of members was withdrawn on 2026-06-01 but the flow has not stopped
  new        TP103:F49:health [5[1]] error consent C03 of applicants does not cover item health
  new        TP103:F49:recipient [5[1]] error consent C03 of applicants does not cover recipient clinic-us
  new        TP104:F49:C01 [5[1]] error consent C01 of members was withdrawn on 2026-06-01 but the flow has not stopped
"""

DIFF_CHANGES = """\
Inventory changes:
  data_items
    + health
  parties
    + clinic-us (US Clinic)
  consents
    ~ C01  withdrawn_on: none -> 2026-06-01
  flows
    + F49 (Monocollabo → US Clinic)
    ~ F30 (Monocollabo → Collabo Living (group company, interior goods))  items: +address

Route and status changes:
  F34 (Monocollabo → Hana Cosme (sponsoring brand))  route: consent -> none; status: ok -> violation

What it means:
  ! parties clinic-us (US Clinic): new recipient in a foreign country (US): clinic-us (flows F49)
  ! parties clinic-us (US Clinic): new recipient of sensitive data: clinic-us receives health (flows F49)
  ! parties clinic-us (US Clinic) [5[1]]: new third-party recipient: clinic-us (flows F49)
  ! consents C01 [5[1]]: consent withdrawn on 2026-06-01: provision relying on it must stop
  ! flows F30 (Monocollabo → Collabo Living (group company, interior goods)) [5[2]3]: item added to a joint-use flow: address (the joint-use notice must list it in advance)
  ! flows F34 (Monocollabo → Hana Cosme (sponsoring brand)): route changed from consent to none: the flow has no lawful route now
"""


def test_diff_shows_exactly_the_changes(two, run_cli):
    _, store = two
    res = run_cli("snapshot", "diff", "2026-Q3", "2026-Q4", "--store", store, expect=1)
    out = res.stdout
    assert out.startswith(DIFF_TABLE)
    assert out.endswith(DIFF_CHANGES)
    open_lines = [line for line in out.splitlines() if line.startswith("  still open ")]
    assert [line.split()[2] for line in open_lines] == [
        "TP101:F38", "TP102:F37:C05", "TP103:F36:gender", "TP111:F41", "TP123:F33:phone",
        "TP203:F44:address", "TP203:F44:name", "TP222:F30:phone", "TP301:F31:J2@2025-04-01",
        "TP801:F39"]
    data = json.loads(run_cli("snapshot", "diff", "1", "2", "--store", store, "--format",
                              "json", expect=1).stdout)
    assert data["counts"] == {"findings": {"new": 4, "resolved": 0, "open": 10},
                              "records": {"data_items": {"added": 1, "removed": 0, "changed": 0},
                                          "parties": {"added": 1, "removed": 0, "changed": 0},
                                          "consents": {"added": 0, "removed": 0, "changed": 1},
                                          "flows": {"added": 1, "removed": 0, "changed": 1}},
                              "flow_changes": 1, "notes": 6}
    assert data["records"]["consents"]["changed"] == [
        {"id": "C01", "changes": [{"field": "withdrawn_on", "old": None, "new": "2026-06-01"}]}]
    assert data["records"]["flows"]["changed"] == [
        {"id": "F30", "changes": [{"field": "items", "old": ["member_id", "email", "phone"],
                                   "new": ["member_id", "email", "phone", "address"],
                                   "added": ["address"], "removed": []}]}]
    assert [n["code"] for n in data["notes"]] == [
        "new-foreign-recipient", "new-sensitive-recipient", "new-third-party-recipient",
        "consent-withdrawn", "joint-use-item-added", "route-changed"]


def test_diff_backwards_resolves_and_removes(two, run_cli):
    _, store = two
    out = run_cli("snapshot", "diff", "latest", "previous", "--store", store).stdout
    # three of them went with F49, which the earlier snapshot no longer holds
    assert "Findings: 0 new, 4 resolved (3 of them with their flow removed), 10 still open" in out
    # a removed record is named from the snapshot that held it
    assert "    - F49 (Monocollabo → US Clinic)\n" in out
    assert "    ~ F30 (Monocollabo → Collabo Living (group company, interior goods))  " \
        "items: -address\n" in out
    assert "    ~ C01  withdrawn_on: 2026-06-01 -> none\n" in out


def test_diff_against_an_inventory_path_and_in_markdown_and_japanese(two, run_cli):
    inv, store = two
    res = run_cli("snapshot", "diff", "latest", inv, "--store", store)
    assert res.stdout.splitlines()[0] == "diff #2 (2026-Q4) -> now"
    assert res.stdout.endswith("No changes.\n")
    md = run_cli("snapshot", "diff", "2026-Q3", inv, "--store", store, "--format", "markdown",
                 expect=1).stdout
    assert md.startswith("# diff #1 (2026-Q3) → now\n")
    assert "| new | TP103:F49:health | 5\\[1\\] | error | consent C03 of applicants does not cover item " \
           "health |" in md
    assert "- **C01** \\[5\\[1\\]\\]: consent withdrawn on 2026-06-01" in md
    ja = run_cli("snapshot", "diff", "1", "2", "--store", store, "--lang", "ja", expect=1).stdout
    assert "指摘: 新規 4 件、解消 0 件、継続 10 件" in ja
    assert "要配慮個人情報の新たな提供先: US Clinic (clinic-us) が 病歴 (health) を受領 (フロー F49)" in ja
    assert "同意の撤回 (2026-06-01)" in ja


def test_diff_checks_the_inventory_with_the_stored_snapshots_packs(tmp_path, run_cli):
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", SAMPLE, "--store", store, "--rules", "policy,appi")
    res = run_cli("snapshot", "diff", "latest", SAMPLE, "--store", store)
    assert res.stdout.endswith("No changes.\n")
    assert res.stderr == ""
    assert lineage.diff("latest", SAMPLE, store=store).b.rules == ("policy", "appi")
    # packs asked for that differ from the snapshot's: the law pack's findings are not
    # compared (the trial of round 14: they read as resolved), and both outputs say so
    res = run_cli("snapshot", "diff", "latest", SAMPLE, "--store", store, "--rules", "policy")
    assert "Findings: 0 new, 0 resolved, 10 still open" in res.stdout
    assert ("note: A was checked with policy,appi and B with policy: the 5 findings of appi "
            "in A are not compared, and statuses are compared under policy") in res.stdout
    assert res.stderr == ("note: A was checked with policy,appi and B with policy; findings of "
                          "a pack on one side only are not compared\n")
    data = json.loads(run_cli("snapshot", "diff", "latest", SAMPLE, "--store", store,
                              "--rules", "policy", "--format", "json").stdout)
    assert data["not_compared"]["packs"] == ["appi"] and len(data["not_compared"]["a"]) == 5
    assert data["not_compared"]["b"] == [] and data["flow_changes"] == []
    assert data["findings"]["resolved"] == []


def test_a_snapshot_takes_the_latest_snapshot_s_packs_and_says_when_they_differ(tmp_path,
                                                                               run_cli):
    # the trial of round 14: a second snapshot made without --rules appi made every
    # finding of the Act read as 解消 in the report, with no word of why
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", SAMPLE, "--store", store, "--rules", "policy,appi")
    res = run_cli("snapshot", "create", SAMPLE, "--store", store)
    assert res.stderr == ""
    assert [e["rules"] for e in lineage.Store(store).list()] == [["policy", "appi"]] * 2
    res = run_cli("snapshot", "create", SAMPLE, "--store", store, "--rules", "policy")
    assert res.stderr == ("note: the latest snapshot was checked with policy,appi and this "
                          "one with policy; findings of a pack on one side only are not "
                          "compared\n")
    out = tmp_path / "r.html"
    run_cli("report", SAMPLE, "--store", store, "--rules", "policy", "-o", out, "--no-drawing")
    page = out.read_text(encoding="utf-8")
    assert ("<p class=\"note\">A was checked with policy,appi and B with policy: the 5 "
            "findings of appi in A are not compared, and statuses are compared under policy"
            "</p>") in page
    assert "0 new, 0 resolved, 10 still open" in page and "<td>resolved</td>" not in page


def test_report_and_audit_diff_compare_like_with_like(tmp_path, run_cli):
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", SAMPLE, "--store", store, "--rules", "policy,appi")
    out = tmp_path / "r.md"
    res = run_cli("report", SAMPLE, "--store", store, "-o", out, "--no-drawing")
    assert res.stderr == f"report written to {out}\n"
    # the same inventory under the same packs: no change since the snapshot to show
    assert "resolved" not in out.read_text(encoding="utf-8")
    res = run_cli("report", SAMPLE, "--store", store, "-o", out, "--no-drawing",
                  "--rules", "policy")
    assert res.stderr.startswith("note: the latest snapshot was checked with policy,appi "
                                 "and this report with policy;")
    text = out.read_text(encoding="utf-8")
    assert "0 new, 0 resolved, 10 still open" in text
    assert ("> A was checked with policy,appi and B with policy: the 5 findings of appi in A "
            "are not compared, and statuses are compared under policy") in text
    # an audit is compared as it was checked, the inventory path with its packs
    both = lineage.check(SAMPLE, packs=("policy", "appi"))
    assert both.diff(SAMPLE).counts()["findings"] == {"new": 0, "resolved": 0, "open": 15}


def test_diff_of_reordered_records_is_empty(tmp_path, run_cli):
    inv = copy_sample(tmp_path)
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", inv, "--store", store)
    text = (inv / "parties.yaml").read_text(encoding="utf-8")
    head, *records = text.split("\n  - ")
    (inv / "parties.yaml").write_text("\n  - ".join([head] + records[::-1]) + "\n",
                                      encoding="utf-8")
    res = run_cli("snapshot", "diff", "latest", inv, "--store", store)
    assert res.stdout.endswith("No changes.\n")
    assert lineage.diff("latest", inv, store=store).is_empty()


def test_baseline_fails_only_on_new_findings(two, run_cli):
    inv, store = two
    res = run_cli("check", SAMPLE, "--baseline", f"{store}:2026-Q3", expect=0)
    assert res.stderr == "0 new, 9 known\n"
    res = run_cli("check", inv, "--baseline", f"{store}:2026-Q3", "--format", "json", expect=1)
    assert res.stderr == "4 new, 9 known\n"
    json.loads(res.stdout)  # stdout stays a valid report
    res = run_cli("check", inv, "--baseline", str(store), expect=0)  # latest = 2026-Q4
    assert res.stderr == "0 new, 13 known\n"
    res = run_cli("check", inv, "--baseline", f"{store}:1", "--exit-zero", expect=0)
    assert res.stderr == "4 new, 9 known\n"


def test_baseline_matches_on_identity_not_position(tmp_path, run_cli):
    inv = copy_sample(tmp_path)
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", inv, "--store", store)
    text = (inv / "flows.yaml").read_text(encoding="utf-8")
    head, *records = text.split("\n  - id: ")
    (inv / "flows.yaml").write_text("\n  - id: ".join([head] + records[::-1]) + "\n",
                                    encoding="utf-8")
    assert lineage.load(inv).flows[0].id != lineage.load(SAMPLE).flows[0].id
    res = run_cli("check", inv, "--baseline", store, expect=0)
    assert res.stderr == "0 new, 9 known\n"


def test_baseline_errors(tmp_path, run_cli):
    res = run_cli("check", SAMPLE, "--baseline", tmp_path / "none.db", expect=2)
    assert res.stderr == (f"error: {tmp_path}/none.db: no snapshot store here "
                          f"(baseline '{tmp_path}/none.db')\n")
    Store(tmp_path / "a.db").close()
    res = run_cli("check", SAMPLE, "--baseline", tmp_path / "a.db", expect=2)
    assert res.stderr == f"error: {tmp_path}/a.db: no latest snapshot (the store holds 0)\n"


def test_snapshots_are_append_only(two):
    import sqlite3
    _, store = two
    conn = sqlite3.connect(store)
    for sql in ("UPDATE blobs SET data = x'00'", "DELETE FROM snapshots WHERE id = 2",
                "UPDATE snapshots SET label = 'x'", "DELETE FROM blobs",
                "UPDATE parts SET seq = seq + 1", "DELETE FROM parts"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


def test_python_api(tmp_path):
    inv = copy_sample(tmp_path)
    first = lineage.snapshot(inv, label="2026-Q3")
    assert isinstance(first, Snapshot) and first.id == 1
    assert default_store(inv) == inv / ".lineage" / "audits.db"
    change_inventory(inv)
    with lineage.Store(default_store(inv)) as store:
        second = lineage.snapshot(inv, store=store, label="2026-Q4")
        assert second.prev_hash == first.chain_hash
        d = lineage.diff("2026-Q3", "2026-Q4", store=store)
        assert [f["id"] for f in d.new] == ["TP101:F34", "TP103:F49:health",
                                            "TP103:F49:recipient", "TP104:F49:C01"]
        history = store.history()
        assert isinstance(history, pd.DataFrame)
        assert history[["id", "label", "flows", "error", "warning", "waived"]].values.tolist() \
            == [[1, "2026-Q3", 48, 9, 0, 1], [2, "2026-Q4", 49, 13, 0, 1]]
        assert history["route:none"].tolist() == [2, 3]
        assert history["kind:no-consent"].tolist() == [3, 7]
        snap = store.get("previous")
        assert snap.findings_frame["id"].tolist() == [f.id for f in lineage.check(SAMPLE).results]
        assert inventory_hash(snap.inventory) == inventory_hash(lineage.load(SAMPLE))
        assert store.verify().ok
    audit = lineage.check(inv)
    d = lineage.diff(audit, first)  # audits and snapshots work as operands too
    assert [f["id"] for f in d.resolved] == ["TP101:F34", "TP103:F49:health",
                                             "TP103:F49:recipient", "TP104:F49:C01"]


def test_a_foreign_or_newer_file_is_refused(tmp_path):
    import sqlite3
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a lineage snapshot store"):
        Store(other)
    newer = tmp_path / "newer.db"
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99 is newer than this lineage "
                                         "supports"):
        Store(newer)
    (tmp_path / "text.db").write_text("not sqlite at all, definitely not" * 10)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(tmp_path / "text.db")


def test_migrations_bring_an_old_store_up_to_date(tmp_path):
    import sqlite3
    from lineage.snapshots.store import MIGRATIONS, SCHEMA_VERSION, migrate
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with Store(path) as store:  # the first snapshot written migrates, in its transaction
        assert store.schema_version == 1
        store.add(lineage.check(SAMPLE), label="after-migration")
        assert store.schema_version == SCHEMA_VERSION
        assert store.verify().ok
    conn = sqlite3.connect(path)
    conn.create_function("sqlar_uncompress", 2, sqlar_uncompress)  # the sqlite3 shell has it
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")] \
        == [m[0] for m in MIGRATIONS]
    assert conn.execute("SELECT count(*) FROM latest_findings").fetchone()[0] == 10
    assert conn.execute("SELECT label FROM finding_history WHERE finding_id = 'TP801:F39'"
                        ).fetchall() == [("after-migration",)]
    conn.close()


def test_documented_sql_queries_run(two):
    """The queries docs/snapshots.md offers auditors run on a real store."""
    import re
    import sqlite3
    _, store = two
    doc = (ROOT / "docs" / "snapshots.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", doc, re.S)
    assert len(queries) >= 4
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    conn.create_function("sqlar_uncompress", 2, sqlar_uncompress)  # the sqlite3 shell has it
    for q in queries:
        if q.lstrip().upper().startswith("CREATE"):
            continue  # the schema listing
        conn.execute(q).fetchall()
    schema = [q for q in queries if "CREATE TABLE snapshots" in q]
    assert schema, "docs/snapshots.md must list the schema"
    for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type IN ('table', 'view') "
                               "AND name NOT LIKE 'sqlite_%'"):
        assert " ".join(sql.split()) in " ".join(schema[0].split()), sql
    conn.close()


def test_store_busy_fails_cleanly(tmp_path):
    import sqlite3
    path = tmp_path / "a.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(path, timeout=0.2) as store, pytest.raises(StoreError, match="busy"):
            store.add(lineage.check(SAMPLE))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store(path) as store:
        assert len(store) == 0 and store.verify().ok


def test_ctrl_c_mid_write_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.add(lineage.check(SAMPLE), label="kept")
        original = store._conn.executemany
        calls = []

        class Interrupting:
            """Stands in for the connection: the second bulk insert is interrupted."""

            def __getattr__(self, name):
                return getattr(conn, name)

            def executemany(self, sql, rows):
                calls.append(sql)
                if len(calls) == 2:
                    raise KeyboardInterrupt
                return original(sql, rows)

        conn = store._conn
        store._conn = Interrupting()
        with pytest.raises(KeyboardInterrupt):
            store.add(lineage.check(SAMPLE), label="lost")
        store._conn = conn
        assert len(store) == 1 and store.verify().ok
        assert [e["label"] for e in store.list()] == ["kept"]
        assert store.add(lineage.check(SAMPLE), label="next").id == 2
        assert store.verify().ok



def test_a_new_sensitive_recipient_note_names_only_the_flows_carrying_sensitive_items(tmp_path):
    # Found by a new user's trial: the note listed every flow to the recipient.
    inv = copy_sample(tmp_path)
    first = lineage.check(inv)
    change_inventory(inv)
    with open(inv / "flows.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: F50\n    from: monocollabo\n    to: clinic-us\n"
                "    items: [name]\n    purposes: [partner_offers]\n"
                "    basis: consent\n    start: 2026-01-01\n")
    d = lineage.diff(first, lineage.check(inv))
    notes = {n.code: n for n in d.notes if n.record == "clinic-us"}
    assert notes["new-sensitive-recipient"].message == (
        "new recipient of sensitive data: clinic-us receives health (flows F49)")
    assert notes["new-sensitive-recipient"].message_ja == (
        "要配慮個人情報の新たな提供先: clinic-us が health を受領 (フロー F49)")
    assert notes["new-third-party-recipient"].message == (
        "new third-party recipient: clinic-us (flows F49, F50)")


def test_baseline_table_marks_new_and_known_findings(two, run_cli):
    inv, store = two
    out = run_cli("check", inv, "--baseline", f"{store}:2026-Q3", expect=1).stdout.splitlines()
    assert out[1] == ("baseline: snapshot #1 (2026-Q3): 4 new, 9 known "
                      "(unwaived findings, marked (new) or (known))")
    marks = [line.split()[1:4:2] for line in out if line.startswith("  ") and
             line.split()[0] in "✗!~"]
    assert sorted(m[0] for m in marks if m[1] == "(new)") == \
        sorted(f for f in _ids(run_cli, inv) - _ids(run_cli, SAMPLE))
    assert len([m for m in marks if m[1] == "(known)"]) == 9
    assert [m for m in marks if m[1] not in ("(new)", "(known)")] == [
        ["TP102:F37:C05", "(waived)"]]  # a waived finding is neither
    assert "  ✗ TP222:F30:phone [5[2]3] (known) item phone is not listed in joint-use notice J1" \
        in out
    ja = run_cli("check", inv, "--baseline", f"{store}:2026-Q3", "--lang", "ja",
                 expect=1).stdout.splitlines()
    assert ja[1] == ("基準: スナップショット #1 (2026-Q3): 新規 4 件、既知 9 件"
                     "（承認済みでない指摘に (新規) か (既知) の印）")
    assert any(line.startswith("  ✗ TP222:F30:phone [5[2]3] (既知) ") for line in ja)
    # without --baseline nothing is marked; the JSON report is the same with or without
    plain = run_cli("check", inv, expect=1).stdout
    assert "(known)" not in plain and "(new)" not in plain and "baseline" not in plain
    assert run_cli("check", inv, "--format", "json", expect=1).stdout == \
        run_cli("check", inv, "--format", "json", "--baseline", store, expect=0).stdout


def _ids(run_cli, inv):
    report = json.loads(run_cli("check", inv, "--format", "json", expect=1).stdout)
    return {f["id"] for f in report["findings"] if not f["waived"]}


def test_diff_names_parties_in_japanese_and_markdown(two, run_cli):
    _, store = two
    ja = run_cli("snapshot", "diff", "1", "2", "--store", store, "--lang", "ja", expect=1).stdout
    assert "    + F49 (モノコラボ → US Clinic)\n" in ja
    assert "    + clinic-us (US Clinic)\n" in ja
    md = run_cli("snapshot", "diff", "1", "2", "--store", store, "--format", "markdown",
                 expect=1).stdout
    assert "| parties | added | clinic-us (US Clinic) | |" in md
    assert "- F34 (Monocollabo → Hana Cosme (sponsoring brand)): route: consent -\\> none" in md
    # the JSON form keeps IDs only
    data = json.loads(run_cli("snapshot", "diff", "1", "2", "--store", store, "--format",
                              "json", expect=1).stdout)
    assert data["records"]["parties"]["added"] == ["clinic-us"]


def test_a_finding_gone_with_its_flow_is_not_called_fixed():
    # the trial of round 12: deleting a flow read as "resolved TP801:F41", like a fix
    import dataclasses
    from lineage.snapshots.canonical import canonical_json
    from lineage.snapshots.compare import Diff
    from lineage.snapshots.record import Snapshot
    from lineage.snapshots.render import diff_markdown, diff_table, finding_rows
    inv = lineage.load("inventories/monocollabo")
    audit = lineage.check(inv)
    flow = next(f.flow for f in audit.results if f.severity == "error")
    kept = inv.model_copy(update={"flows": [f for f in inv.flows if f.id != flow]})
    a = Snapshot.from_audit(audit)
    b = Snapshot.from_audit(lineage.check(kept))
    d = Diff(a, b)
    gone = [f["id"] for f in d.resolved if f["flow"] == flow]
    assert gone and len(gone) == len(d.resolved)
    text = diff_table(d)
    assert f"{len(gone)} resolved ({len(gone)} of them with their flow removed)" in text
    for fid in gone:
        line = next(x for x in text.splitlines() if f" {fid} " in x)
        assert line.startswith("  resolved") and line.endswith(
            f"(its flow {flow} was removed, not fixed)")
    ja = diff_markdown(d, lang="ja")
    assert f"フロー {flow} が削除されたためで、是正ではありません" in ja
    assert f"うち {len(gone)} 件はフローの削除による" in ja
    # nor the printed report (the trial of round 13: the HTML said 解消 and nothing more),
    # whose messages name the parties as the CLI's and the Markdown's do
    from lineage.output import view
    from lineage.output.report_html import render_html
    rep = view.build(lineage.check(kept), lang="ja", drawing=False)
    rep.diff = d
    rep.history = [{"name": s.name, "as_of": s.as_of, "summary": s.summary} for s in (a, b)]
    page = render_html(rep)
    assert f"解消 {len(gone)} 件 (うち {len(gone)} 件はフローの削除による)" in page
    assert page.count(f"(フロー {flow} が削除されたためで、是正ではありません)") == len(gone)
    one = next(m for _, f, m in finding_rows(d, "ja") if f["id"] == gone[0])
    assert one in page and one != next(f["message_ja"] for f in d.resolved if f["id"] == gone[0])
    # a finding fixed in place says nothing of the kind
    assert "removed, not fixed" not in diff_table(Diff(b, a))


def test_diff_finds_the_store_beside_an_inventory_it_names(tmp_path, run_cli, monkeypatch):
    # the trial of round 14: "latest: no such inventory" right after `snapshot create INV`
    inv = copy_sample(tmp_path)
    monkeypatch.chdir(tmp_path)  # a folder with no store of its own
    run_cli("snapshot", "create", inv, "--label", "first")
    res = run_cli("snapshot", "diff", "latest", inv)
    assert res.stdout.startswith("diff #1 (first) -> now\n")
    assert res.stdout.endswith("No changes.\n")
    res = run_cli("snapshot", "diff", "latest", tmp_path / "missing", expect=2)
    assert res.stderr.startswith("error: latest: no such inventory")


def test_a_nested_field_changes_as_its_dotted_column():
    # the trial of round 14: exemption: none -> {"consent_difficult":null,...,"law":...}
    import dataclasses
    from lineage.snapshots.canonical import canonical_json
    from lineage.snapshots.compare import Diff
    from lineage.snapshots.render import diff_table
    inv = lineage.load(SAMPLE)
    a = Snapshot.from_audit(lineage.check(inv))
    flow = next(f for f in inv.flows if f.exemption is None)
    changed = flow.model_copy(update={"exemption": type(next(
        f for f in inv.flows if f.exemption is not None).exemption)(law="刑事訴訟法第197条第2項")})
    later = inv.model_copy(update={"flows": [changed if f is flow else f for f in inv.flows]})
    d = Diff(a, dataclasses.replace(a, inventory_json=canonical_json(later)))
    [(fid, changes)] = [(c["id"], c["changes"]) for c in d.records["flows"]["changed"]]
    assert fid == flow.id
    assert [x.as_dict() for x in changes] == [
        {"field": "exemption.law", "old": None, "new": "刑事訴訟法第197条第2項"}]
    assert "exemption.law: none -> 刑事訴訟法第197条第2項" in diff_table(d)
    assert "根拠となる法令 (exemption.law): なし -> 刑事訴訟法第197条第2項" in diff_table(d, "ja")


def test_a_finding_waived_in_the_baseline_is_new_once_its_waiver_lapses(tmp_path, run_cli):
    # the trial of round 14: the gate "fail only on new errors" passed when a waiver
    # expired, since the finding's ID was in the baseline (waived)
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", SAMPLE, "--store", store)
    res = run_cli("check", SAMPLE, "--baseline", store, "--as-of", "2027-04-01",
                  "--format", "json", expect=1)
    assert res.stderr == "2 new, 9 known\n"  # TP102:F37:C05 unwaived, and LW001's warning
    data = json.loads(res.stdout)
    lapsed = [f for f in data["findings"] if f["id"] == "TP102:F37:C05"]
    assert lapsed and lapsed[0]["waived"] is False
    sarif = json.loads(run_cli("check", SAMPLE, "--baseline", store, "--as-of", "2027-04-01",
                               "--format", "sarif", expect=1).stdout)
    assert {r.get("baselineState") for r in sarif["runs"][0]["results"]
            if r["ruleId"] == "TP102"} == {"new"}
    table = run_cli("check", SAMPLE, "--baseline", store, "--as-of", "2027-04-01",
                    expect=1).stdout
    assert "baseline: snapshot #1: 2 new, 9 known" in table
    assert "TP102:F37:C05 [5[1]] (new)" in table
    # still waived: known, as before
    res = run_cli("check", SAMPLE, "--baseline", store, expect=0)
    assert res.stderr == "0 new, 9 known\n"


def test_a_baseline_of_other_packs_is_named(tmp_path, run_cli):
    # the trial of round 14: a gate that forgot --rules policy,appi ignored the Act silently
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", SAMPLE, "--store", store, "--rules", "policy,appi")
    res = run_cli("check", SAMPLE, "--baseline", store, expect=0)
    assert res.stderr == ("note: the baseline was checked with policy,appi and this check "
                          "with policy\n0 new, 9 known\n")


def test_junit_with_a_baseline_fails_only_the_flows_with_new_findings(two, run_cli):
    # the trial of round 14: with --baseline every violating flow was a red test, and
    # none said which finding failed the job
    import xml.etree.ElementTree as ET
    from lineage.snapshots.baseline import Baseline
    inv, store = two
    res = run_cli("check", inv, "--baseline", f"{store}:2026-Q3", "--format", "junit",
                  expect=1)
    assert res.stderr == "4 new, 9 known\n"
    root = ET.fromstring(res.stdout)
    failing = sorted(c.get("name") for c in root.iter("testcase")
                     if c.find("failure") is not None)
    new, _ = Baseline.load(f"{store}:2026-Q3").split(lineage.check(inv))
    assert failing == sorted({f.flow for f in new if f.severity == "error"})
    assert root.get("failures") == str(len(failing))
    # a known finding is in its flow's output, marked
    f30 = next(c for c in root.iter("testcase") if c.get("name") == "F30")
    assert "TP222:F30:phone" in f30.find("system-out").text
    assert "(known)" in f30.find("system-out").text and f30.find("failure") is None
    # without a baseline, every violating flow fails, as before
    plain = ET.fromstring(run_cli("check", inv, "--format", "junit", expect=1).stdout)
    assert int(plain.get("failures")) > len(failing)


def test_an_item_added_to_a_published_joint_use_notice_is_noted():
    # the trial of round 14: adding the item to the 2021 notice made TP222 vanish since
    # 2021, and the diff's "what it means" said nothing
    import dataclasses
    from lineage.snapshots.canonical import canonical_json
    from lineage.snapshots.compare import Diff
    inv = lineage.load(SAMPLE)
    a = Snapshot.from_audit(lineage.check(inv))
    j1 = next(n for n in inv.notices if n.id == "J1")
    wider = j1.model_copy(update={"items": [*j1.items, "phone"]})
    later = inv.model_copy(update={"notices": [wider if n is j1 else n for n in inv.notices]})
    d = Diff(a, dataclasses.replace(a, inventory_json=canonical_json(later)))
    [note] = [n for n in d.notes if n.code == "joint-use-items-changed"]
    assert note.record == "J1" and note.clause == "5[2]3"
    assert note.message == (f"items added to a published joint-use notice: phone now read as "
                            f"announced since {j1.published_on.isoformat()}; items announced "
                            "later belong in a new notice dated when they were")


def test_a_finding_of_no_pack_is_compared_across_packs(tmp_path, run_cli):
    # the review of round 14: a waiver naming an unknown rule gives a finding of no pack,
    # which a diff across packs set apart as "not compared"
    inv = copy_sample(tmp_path)
    with open(inv / "waivers.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - {rule: TP999, flow: F01, reason: typo, approved_by: x, "
                 "expires_on: 2030-01-01}\n")
    store = tmp_path / "a.db"
    run_cli("snapshot", "create", inv, "--store", store, "--rules", "policy,appi")
    data = json.loads(run_cli("snapshot", "diff", "latest", inv, "--store", store, "--rules",
                              "policy", "--format", "json").stdout)
    assert "LW002:F01:TP999" in {f["id"] for f in data["findings"]["open"]}
    assert "LW002:F01:TP999" not in data["not_compared"]["a"]
