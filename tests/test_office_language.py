"""Issue 15, their language: every command's Japanese output has no English words
outside an allow-list (IDs, field names in examples, proper nouns), and names things by
display name with the ID beside it."""

from __future__ import annotations

import re

import pytest

from lineage.model import load
from lineage.model.schema import COLLECTIONS, Exemption, Responsible, Revision
from lineage.rules.registry import REGISTRY

from paths import SAMPLE

# Words that are not English prose: format names and abbreviations, the clause key
# "waivers", the pack name, and the sample's path.
_ALLOWED = {"ID", "IP", "Cookie", "CSV", "JSON", "YAML", "policy", "appi", "waivers",
            "inventories", "true", "false", "YYYY", "MM", "DD", *COLLECTIONS}
_WORD = re.compile(r"[A-Za-z][A-Za-z]+")


def _allowed_words(source=SAMPLE) -> set[str]:
    inv = load(source)
    words = set(_ALLOWED)
    for name in COLLECTIONS:
        for record in getattr(inv, name) or ():
            for key in ("id", "name", "country"):  # IDs, names a user wrote (Cookie ID), ISO codes
                words.update(_WORD.findall(str(getattr(record, key, "") or "")))
    for model in (*COLLECTIONS.values(), Exemption, Responsible, Revision):
        for field, info in model.model_fields.items():
            words.update(_WORD.findall(info.alias or field))  # YAML keys of examples
    for rule in REGISTRY.all() if hasattr(REGISTRY, "all") else ():
        words.update(_WORD.findall(rule.id))
    words.update({"TP", "LW", "AP", "mc", "customers", "carrier", "partner", "group", "co",
                  "police"})  # the rule examples' small inventory (explain)
    words.add("TRUE")  # the value a sheet's flag cell holds, as a remedy tells it to write
    return words


def _english(text: str, allowed: set[str]) -> list[str]:
    return sorted({w for w in _WORD.findall(text) if w not in allowed})


COMMANDS = [
    ("check", SAMPLE),
    ("check", SAMPLE, "--rules", "policy,appi"),
    ("trace", SAMPLE, "--item", "address"),
    ("upstream", SAMPLE, "--party", "print-shop"),
    ("impact", SAMPLE, "--party", "mailing-house"),
    ("stop", SAMPLE, "--consent", "C05"),
    ("stop", SAMPLE, "--subjects", "members"),
    ("explain", "TP203"),
    ("validate", SAMPLE),
    ("rules",),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_japanese_output_has_no_english(args, run_cli):
    res = run_cli(*args, "--lang", "ja", expect=None)
    assert res.code in (0, 1), res.stderr
    text = (res.stdout + res.stderr).replace(str(SAMPLE), "")  # a path is no prose
    assert _english(text, _allowed_words()) == []


@pytest.mark.parametrize("args, given", [
    (("impact", SAMPLE, "--party", "ghost"), "ghost"),
    (("trace", SAMPLE, "--item", "adress"), "adress"),
    (("stop", SAMPLE, "--consent", "C99"), "C"),
    (("stop", SAMPLE), ""),
    (("check", SAMPLE, "--as-of", "tomorrow"), "tomorrow"),
])
def test_japanese_error_messages(args, given, run_cli):
    res = run_cli(*args, "--lang", "ja", expect=2)
    # click's own usage errors come with a (Japanese) usage line first
    assert res.stderr.splitlines()[-1].startswith("エラー: "), res.stderr
    allowed = _allowed_words() | {given, "consent", "subjects", "lang", "as", "of"}
    message = res.stderr.splitlines()[-1]
    assert _english(message, allowed) == [], message


def test_the_scan_catches_english(run_cli):
    text = run_cli("impact", SAMPLE, "--party", "mailing-house", "--lang", "en").stdout
    assert {"leaks", "people", "holds"} <= set(_english(text, _allowed_words()))


def test_default_language_follows_the_locale(run_cli):
    ja = run_cli("validate", SAMPLE, env={"LINEAGE_LANG": "", "LC_ALL": "ja_JP.UTF-8"}).stdout
    assert "問題はありません" in ja
    en = run_cli("validate", SAMPLE, env={"LINEAGE_LANG": "", "LC_ALL": "C.UTF-8",
                                          "LANG": "ja_JP.UTF-8"}).stdout
    assert "valid (" in en


def test_names_beside_ids(run_cli):
    out = run_cli("impact", SAMPLE, "--party", "mailing-house", "--lang", "ja").stdout
    assert "漏えい時の影響: 最大 約162,000人分のデータ（他の当事者の記録による上限を含む）" in out
    assert "株式会社アオバ印刷（再委託先） (print-shop)" in out
    assert "住所 (address)" in out
    out = run_cli("check", SAMPLE, "--lang", "ja", expect=1).stdout
    assert "項目 電話番号 (phone) は共同利用の通知・公表 J1 にありません" in out
    out = run_cli("upstream", SAMPLE, "--party", "print-shop", "--lang", "en").stdout
    assert "Aoba Printing (sub-outsourcee of the mailing house) (print-shop)" in out


@pytest.mark.parametrize("args, expected", [
    (("explain", "TP999"), "エラー: ルール 'TP999' はありません\n"),
    (("check", SAMPLE, "--rules", "nope"), "エラー: ルールパック 'nope' はありません（あるもの: "),
    (("check", SAMPLE, "--select", "XX9"), "エラー: ルールまたは接頭辞 'XX9' はありません\n"),
    (("impact", SAMPLE, "--party", "ghost"), "エラー: 当事者 'ghost' は定義されていません\n"),
    (("trace", SAMPLE, "--item", "adress"),
     "エラー: データ項目 'adress' は定義されていません（'address' のことですか？）\n"),
    (("check", SAMPLE, "--format", "xlsx"), "エラー: --format xlsx はブックを書き出します。"),
])
def test_errors_in_japanese(args, expected, run_cli):
    assert run_cli(*args, "--lang", "ja", expect=2).stderr.startswith(expected)


# The usage line names the command's syntax ([OPTIONS] INVENTORY): not prose.
_USAGE_WORDS = {"lineage", "cli", "OPTIONS", "INVENTORY", "COMMAND", "ARGS", "h", "format", "party",
                "formt", "chek", "bogus", "ghost", "svg", "table", "json", "csv", "sarif",
                "junit", "xlsx", "markdown", "dot", "gv", "pdf", "png", "jpg", "impact", "check",
                "draw", "lang", "ja", "o", "link", "txt", "m"}


@pytest.mark.parametrize("args, last", [
    (("check", SAMPLE, "--formt", "json"),
     "エラー: オプション --formt はありません（もしかして: --format）"),
    (("check",), "エラー: 引数 'INVENTORY' がありません"),
    (("impact", SAMPLE), "エラー: オプション '--party' がありません"),
    (("chek", SAMPLE), "エラー: コマンド 'chek' はありません"),
    (("check", SAMPLE, "--format", "bogus"),
     "エラー: '--format' の値が不正です: 'bogus' は選べません（選べる値: "
     "table, json, csv, sarif, junit, xlsx）"),
    (("impact", SAMPLE, "--party", "ghost"), "エラー: 当事者 'ghost' は定義されていません"),
    (("draw", SAMPLE, "-o", "{tmp}/m.jpg"), "エラー: {tmp}/m.jpg: 図の形式 '.jpg' は扱えません"
     "（扱える形式: .dot, .gv, .pdf, .png, .svg）"),
    (("check", SAMPLE, "-o", "{tmp}/link.txt"),
     "エラー: {tmp}/link.txt: シンボリックリンクです。リンク先には書き込みません"),
], ids=["unknown-option", "missing-argument", "missing-option", "unknown-command",
        "bad-choice", "unknown-party", "bad-extension", "symlink-output"])
def test_usage_and_output_errors_in_japanese(args, last, run_cli, tmp_path):
    (tmp_path / "target.txt").write_text("mine\n")
    (tmp_path / "link.txt").symlink_to(tmp_path / "target.txt")
    filled = [str(a).format(tmp=tmp_path) for a in args]
    ja = run_cli(*filled, "--lang", "ja", expect=2).stderr
    assert ja.splitlines()[-1] == last.format(tmp=tmp_path), ja
    text = ja.replace(str(tmp_path), "").replace(str(SAMPLE), "")
    assert _english(text, _allowed_words() | _USAGE_WORDS) == [], text
    assert "Usage" not in ja and "Try" not in ja and "Error" not in ja
    en = run_cli(*filled, "--lang", "en", expect=2).stderr  # click's English is kept under en
    assert "エラー" not in en and en.splitlines()[-1].lower().startswith("error")
    assert (tmp_path / "target.txt").read_text() == "mine\n"


def test_drawing_errors_in_japanese(run_cli, tmp_path):
    err = run_cli("draw", SAMPLE, "-o", tmp_path / "m.dot", "--party", "ghost", "--lang", "ja",
                  expect=2).stderr
    assert err == "エラー: 当事者 'ghost' は定義されていません\n"


# Commands that need a snapshot store: {inv} and {store} are filled in by the fixture.
STORE_COMMANDS = [
    ("snapshot", "create", "{inv}", "--label", "Q9"),
    ("snapshot", "list", "--store", "{store}"),
    ("snapshot", "show", "latest", "--store", "{store}"),
    ("snapshot", "verify", "--store", "{store}"),
    ("snapshot", "diff", "previous", "latest", "--store", "{store}"),
    ("snapshot", "diff", "previous", "latest", "--store", "{store}", "--format", "markdown"),
    ("report", "{inv}", "-o", "{out}/report.md", "--no-drawing"),
    ("explore", "{inv}", "-o", "{out}/explore.html"),
]


@pytest.mark.parametrize("args", [
    ("snapshot", "list", "--store", "{tmp}/none.db"),
    ("snapshot", "show", "Q7", "--store", "{store}"),
    ("snapshot", "show", "9", "--store", "{store}"),
    ("snapshot", "create", "{inv}", "--label", "Q3"),
    ("snapshot", "create", "{inv}", "--label", "latest"),
    ("check", "{inv}", "--baseline", "{tmp}/none.db"),
    ("snapshot", "diff", "{tmp}/gone", "latest", "--store", "{store}"),
], ids=lambda a: "-".join(a[:2]))
def test_store_errors_in_japanese(args, snapshot_store, run_cli, tmp_path):
    filled = [a.format(tmp=tmp_path, **snapshot_store) for a in args]
    res = run_cli(*filled, "--lang", "ja", expect=2)
    text = res.stderr
    for path in sorted([str(tmp_path), *snapshot_store.values()], key=len, reverse=True):
        text = text.replace(path, "")
    assert text.startswith("エラー: "), text
    # command lines quoted in the message (`lineage snapshot list`) are not prose
    text = re.sub(r"`[^`]*`", "", text)
    allowed = {"none", "db", "gone", "latest", "previous", "Q", "INVENTORY", "lineage",
               "audits", "store"}
    assert _english(text, allowed) == [], text


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory):
    from click.testing import CliRunner

    from lineage.cli import cli
    from snapshot_helpers import change_inventory, copy_sample
    folder = tmp_path_factory.mktemp("office-store")
    inv = copy_sample(folder)
    runner = CliRunner()
    assert runner.invoke(cli, ["snapshot", "create", str(inv), "--label", "Q3"]).exit_code == 0
    change_inventory(inv)
    assert runner.invoke(cli, ["snapshot", "create", str(inv), "--label", "Q4"]).exit_code == 0
    return {"inv": str(inv), "store": str(inv / ".lineage" / "audits.db"), "out": str(folder)}


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_japanese_snapshot_and_report_output_has_no_english(args, snapshot_store, run_cli):
    filled = [a.format(**snapshot_store) for a in args]
    res = run_cli(*filled, "--lang", "ja", expect=None)
    assert res.code in (0, 1), res.stderr
    text = res.stdout + res.stderr
    if "-o" in filled and filled[filled.index("-o") + 1].endswith(".md"):  # the report itself, and the line saying where it went
        from pathlib import Path
        report = Path(filled[filled.index("-o") + 1]).read_text(encoding="utf-8")
        # the organisation's own policy is quoted as it is written (the appendix)
        text += "\n".join(line for line in report.splitlines() if not line.startswith(">"))
        for waiver in load(snapshot_store["inv"]).waivers or ():  # in its approver's words
            text = text.replace(" ".join(str(waiver.reason).split()), "")
    paths = [a for a in filled if "/" in a] + list(snapshot_store.values())
    for path in sorted(paths, key=len, reverse=True):
        text = text.replace(path, "")  # a path is no prose
    text = re.sub(r"sha256:[0-9a-f]+", "", text)  # hashes
    # the changed inventory's own records (IDs and names a user wrote) are allowed too
    allowed = _allowed_words(snapshot_store["inv"]) | {"lineage", "Q"}
    assert _english(text, allowed) == []


def test_drawing_notes_in_japanese():
    from lineage.drawing import Step, plan_layout
    from lineage.drawing.notes_ja import note_ja
    notes = [n for size in ((200, 300), (100, 900), (1000, 3000), (6000, 20000))
             for n in plan_layout(*size)[1]]
    steps = [Step(mode, merged, engine, labels=labels, overlap=overlap)
             for mode, engine in (("clusters", "dot"), ("ranked", "dot"), ("sfdp", "sfdp"))
             for merged in (False, True) for labels in (True, False)
             for overlap in ("prism", "true")]
    for step in steps:
        notes.append(f"drawn with {step.describe()} (48 flows as 44 edges); zones not drawn")
        notes.append(f"layout '{step.describe()}' failed (timeout); trying '{steps[0].describe()}'")
    assert len(notes) > 40
    allowed = {"dot", "sfdp", "SVG", "Graphviz", "timeout"}
    for note in notes:
        assert _english(note_ja(note), allowed) == [], (note, note_ja(note))
    assert _english(note_ja(notes[0]), allowed) == [] and note_ja("new form") == "new form"


def test_draw_prints_its_notes_in_japanese(run_cli, tmp_path):
    res = run_cli("draw", SAMPLE, "-o", tmp_path / "map.svg", "--layout", "sfdp",
                  "--lang", "ja")
    assert res.stderr.startswith("注記: sfdp、力学モデル配置 (区域・階層なし)"), res.stderr
    notes, written = res.stderr.rstrip("\n").rsplit("\n", 1)
    assert _english(notes, {"sfdp"}) == []
    assert written == f"図を {tmp_path / 'map.svg'} に書き出しました"


def test_every_convert_error_has_a_japanese_form():
    """A new ConvertError or FlatError without its Japanese text fails here."""
    import ast
    from pathlib import Path

    import lineage.forms
    raised = []
    for path in sorted(Path(lineage.forms.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                    "ConvertError", "FlatError"):
                raised.append((path.name, node.lineno,
                               any(k.arg == "message_ja" for k in node.keywords)))
    assert len(raised) >= 20
    assert [r for r in raised if not r[2]] == []


@pytest.mark.parametrize("args", [
    ("convert", SAMPLE, "{tmp}/out.yaml", "--to", "csv"),
    ("convert", SAMPLE, "{tmp}/out.txt"),
    ("convert", SAMPLE, "{tmp}/folder"),
    ("convert", SAMPLE, "{tmp}/missing/out.yaml"),
    ("convert", SAMPLE, "{tmp}"),
    ("template", "{tmp}/template.yaml"),
], ids=lambda a: "-".join(map(str, a[-2:])).rsplit("/", 1)[-1])
def test_convert_errors_in_japanese(args, run_cli, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    filled = [str(a).format(tmp=tmp_path) for a in args]
    res = run_cli(*filled, "--lang", "ja", expect=2)
    text = res.stderr.replace(str(tmp_path), "").replace(str(SAMPLE), "")
    assert text.startswith("エラー: "), text
    assert _english(text, {"csv", "yaml", "xlsx", "YAML", "CSV", "to", "force", "out",
                           "txt", "folder", "missing", "template", "Excel"}) == [], text


@pytest.mark.parametrize("sql", [
    "UPDATE blobs SET data = x'00' WHERE hash = (SELECT blob FROM parts WHERE part = 'findings')",
    "DELETE FROM snapshots WHERE id = 1",
    "UPDATE snapshots SET chain_hash = 'x' WHERE id = 2",
    "DELETE FROM blobs",
    "UPDATE parts SET seq = 7 WHERE snapshot_id = 2 AND part = 'flows'",
])
def test_verify_problems_in_japanese(sql, run_cli, tmp_path):
    import sqlite3

    from snapshot_helpers import copy_sample
    inv = copy_sample(tmp_path)
    for label in ("Q3", "Q4"):
        run_cli("snapshot", "create", inv, "--label", label)
    store = inv / ".lineage" / "audits.db"
    conn = sqlite3.connect(store)
    for table in ("snapshots", "inventories", "flows", "findings", "waivers", "blobs", "parts"):
        conn.execute(f"DROP TRIGGER {table}_no_update")  # tamper behind lineage's back
        conn.execute(f"DROP TRIGGER {table}_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()
    res = run_cli("snapshot", "verify", "--store", store, "--lang", "ja", expect=1)
    text = re.sub(r"sha256:\w+", "", res.stdout.replace(str(store), ""))
    assert "スナップショット" in text
    assert _english(text, {"meta", "head_id", "flows", "findings", "waivers", "parts"}) == [], text
