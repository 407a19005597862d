"""Every command that writes a user-named file refuses hostile targets (issue 13).

A hostile target is a symlink (to a file, or dangling), a named pipe, a device
node, a folder, or a file the run reads as input. Each is refused with exit 2
and left exactly as it was. A regular file is replaced keeping its permission
bits.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from paths import SAMPLE

TINY = """format: lineage/1
organisation: mc
as_of: 2026-01-01
parties:
  - {id: mc, role: self}
  - {id: carrier, role: outsourcee}
flows:
  - {id: F1, from: mc, to: carrier, items: [name], start: 2025-01-01}
"""


def _inventory(tmp_path):
    path = tmp_path / "in" / "inv.yaml"
    path.parent.mkdir()
    path.write_text(TINY, encoding="utf-8")
    return path


#: (name, args given the inventory and the output path). Each writes OUTPUT.
WRITERS = {
    "check -o": lambda inv, out: ["check", inv, "-o", out, "--exit-zero"],
    "check xlsx": lambda inv, out: ["check", inv, "--format", "xlsx", "-o", out,
                                    "--exit-zero"],
    "report": lambda inv, out: ["report", inv, "-o", out, "--no-drawing"],
    "draw": lambda inv, out: ["draw", inv, "-o", out],
    "export": lambda inv, out: ["export", inv, "-o", out],
    "explore": lambda inv, out: ["explore", inv, "-o", out],
    "convert": lambda inv, out: ["convert", inv, out, "--force"],
    "schema": lambda inv, out: ["schema", "-o", out],
    "template": lambda inv, out: ["template", out, "--force"],
}
SUFFIX = {"check -o": ".txt", "check xlsx": ".xlsx", "report": ".html", "draw": ".dot",
          "export": ".json", "explore": ".html", "convert": ".yaml", "schema": ".json", "template": ".xlsx"}


def _snapshot(path):
    """What must not change: the entry's type, link target and content."""
    st = os.lstat(path)
    out = [stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode)]
    if stat.S_ISLNK(st.st_mode):
        out.append(os.readlink(path))
        if os.path.exists(path):
            out.append(open(path, "rb").read())
    elif stat.S_ISREG(st.st_mode):
        out.append(open(path, "rb").read())
    elif stat.S_ISDIR(st.st_mode):
        out.append(sorted(os.listdir(path)))
    elif stat.S_ISCHR(st.st_mode):
        out.append(st.st_rdev)
    return out


def _make(kind, tmp_path, inv, suffix):
    """Create a hostile target of ``kind``; return its path."""
    out = tmp_path / f"target{suffix}"
    if kind == "symlink":
        victim = tmp_path / "victim.txt"
        victim.write_text("precious\n")
        os.symlink(victim, out)
    elif kind == "dangling symlink":
        os.symlink(tmp_path / "nowhere" / "x", out)
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "device":
        # /dev/zero's numbers: the null device (1, 3) is the one device an output may name
        if os.geteuid() != 0:
            out = "/dev/zero"  # cannot mknod without root; /dev/zero is a device too
        else:
            os.mknod(out, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    elif kind == "folder":
        out.mkdir()
        (out / "keep.txt").write_text("x")
    elif kind == "input":
        return None
    return out


KINDS = ["symlink", "dangling symlink", "fifo", "device", "folder", "input"]


#: schema and template read no input, so "input" does not apply to them.
CASES = [(w, k) for w in sorted(WRITERS) for k in KINDS
         if not (k == "input" and w in ("schema", "template"))]


@pytest.mark.parametrize("writer, kind", CASES)
def test_every_writer_refuses_each_hostile_target(tmp_path, run_cli, writer, kind):
    inv = _inventory(tmp_path)
    if kind == "input":
        # Another file of the input under the suffix the writer needs, read as input:
        # a folder inventory, so every file in it is an input of the run.
        folder = tmp_path / "folder"
        folder.mkdir()
        (folder / "all.yaml").write_text(TINY, encoding="utf-8")
        inv = folder
        out = folder / "all.yaml"
        if writer == "convert":
            # convert to the very file it reads, through a hard link outside the folder
            out = tmp_path / "hard.yaml"
            os.link(folder / "all.yaml", out)
    else:
        out = _make(kind, tmp_path, inv, SUFFIX[writer])
    before = _snapshot(out)
    res = run_cli(*WRITERS[writer](inv, out), expect=2)
    # click itself refuses a folder for `report -o` (a usage error, also exit 2)
    assert res.stderr.startswith("error: ") or "is a directory" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert _snapshot(out) == before
    if kind == "symlink":
        assert (tmp_path / "victim.txt").read_text() == "precious\n"


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_replaced_file_keeps_its_permission_bits(tmp_path, run_cli, writer):
    inv = _inventory(tmp_path)
    out = tmp_path / f"private{SUFFIX[writer]}"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    run_cli(*WRITERS[writer](inv, out), expect=0)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert out.read_bytes() != b"old\n"


def test_a_new_file_gets_the_umask_default(tmp_path, run_cli):
    inv = _inventory(tmp_path)
    old = os.umask(0o027)
    try:
        run_cli("check", inv, "-o", tmp_path / "new.txt", "--exit-zero")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640


def test_check_will_not_write_its_report_over_the_inventory(tmp_path, run_cli):
    inv = _inventory(tmp_path)
    res = run_cli("check", inv, "-o", inv, expect=2)
    assert "is an input of this run" in res.stderr
    assert inv.read_text(encoding="utf-8") == TINY


@pytest.mark.parametrize("args", [["check", "--exit-zero"], ["report", "--no-drawing"]])
def test_no_report_is_written_over_the_policy_text_the_inventory_reads(tmp_path, run_cli, args):
    # policy.file is read as part of the inventory: it is an input of the run too
    # (check -o policy.txt replaced the policy's text with the report).
    inv = _inventory(tmp_path)
    # .md: an extension report writes, so that the input test is what refuses it
    inv.write_text(TINY + "policy: {file: policy.md}\n", encoding="utf-8")
    text = inv.parent / "policy.md"
    text.write_text("個人情報保護方針\n", encoding="utf-8")
    res = run_cli(args[0], inv, *args[1:], "-o", text, expect=2)
    assert res.stderr == f"error: {text}: is an input of this run; refusing to write over it\n"
    assert text.read_text(encoding="utf-8") == "個人情報保護方針\n"


def test_report_will_not_overwrite_its_snapshot_store(tmp_path, run_cli):
    inv = _inventory(tmp_path)
    store = tmp_path / "audits.db"
    run_cli("snapshot", "create", inv, "--store", store)
    before = store.read_bytes()
    res = run_cli("report", inv, "--store", store, "-o", store, "--no-drawing",
                  "--format", "html", expect=2)
    assert "refusing to write it to a .db file" in res.stderr
    # a store named like a report: the input test refuses it
    named = tmp_path / "audits.html"
    store.rename(named)
    res = run_cli("report", inv, "--store", named, "-o", named, "--no-drawing", expect=2)
    assert "is an input of this run" in res.stderr
    assert named.read_bytes() == before


def test_convert_into_a_folder_refuses_a_symlinked_file(tmp_path, run_cli):
    inv = _inventory(tmp_path)
    out = tmp_path / "csv"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    os.symlink(victim, out / "flows.csv")
    res = run_cli("convert", inv, out, "--to", "csv", "--force", expect=2)
    assert "symbolic link" in res.stderr
    assert victim.read_text() == "precious\n" and os.path.islink(out / "flows.csv")


def test_library_use_may_rewrite_a_file_it_read(tmp_path):
    """Outside a CLI run (a notebook) a file read earlier is not protected as an input."""
    from lineage.export import export
    inv = _inventory(tmp_path)
    out = tmp_path / "inv.json"
    export(str(inv), out)
    export(str(inv), out)
    assert out.stat().st_size > 0


def test_the_sample_inventory_is_never_written(tmp_path, run_cli):
    flows = SAMPLE / "flows.yaml"
    before = flows.read_bytes()
    run_cli("check", SAMPLE, "-o", flows, expect=2)
    assert flows.read_bytes() == before


@pytest.mark.parametrize("kind", ["dangling symlink", "fifo", "device", "folder", "input"])
def test_snapshot_create_refuses_a_hostile_store(tmp_path, run_cli, kind):
    inv = _inventory(tmp_path)
    store = inv if kind == "input" else _make(kind, tmp_path, inv, ".db")
    before = _snapshot(store)
    res = run_cli("snapshot", "create", inv, "--store", store, expect=2)
    assert res.stderr.startswith("error: ") or "is a directory" in res.stderr, res.stderr
    assert _snapshot(store) == before


def test_a_name_of_30000_characters_draws_and_exports(tmp_path, run_cli):
    # Graphviz refused the DOT (a quoted string past 16,384 bytes, exit 2), and wrapping
    # the name line by line took minutes at 100,000 characters: cut to 200 for a node,
    # 3,000 for a tooltip.
    inv = _inventory(tmp_path)
    long = "株式会社&" * 6000
    inv.write_text(TINY.replace("{id: carrier, role: outsourcee}",
                                f'{{id: carrier, role: outsourcee, name: "{long}"}}'),
                   encoding="utf-8")
    assert long in inv.read_text(encoding="utf-8")
    run_cli("draw", inv, "-o", tmp_path / "map.dot")
    dot = (tmp_path / "map.dot").read_text(encoding="utf-8")
    label = next(line for line in dot.splitlines() if line.lstrip().startswith('"carrier"'))
    assert "…" in label  # the name in the node: 200 characters
    assert max(len(piece) for piece in label.split('" + "')) < 16_384  # each quoted string
    run_cli("draw", inv, "-o", tmp_path / "map.svg")
    assert (tmp_path / "map.svg").read_text(encoding="utf-8").startswith("<?xml")
    run_cli("export", inv, "-o", tmp_path / "g.graphml")
    assert "…" in (tmp_path / "g.graphml").read_text(encoding="utf-8")


def test_a_long_merged_tooltip_keeps_every_flow(tmp_path, run_cli):
    # A cut at 3,000 characters dropped F10-F25 from the merged edge's tooltip, the one
    # place a merged drawing lists them: long text is written as "..." + "..." pieces.
    inv = _inventory(tmp_path)
    flows = "".join(f"  - {{id: F{n}, from: mc, to: partner, items: [name], start: 2025-01-01, "
                    f"note: {'x' * 200}}}\n" for n in range(2, 27))
    inv.write_text(TINY.replace("  - {id: carrier, role: outsourcee}\n",
                                "  - {id: carrier, role: outsourcee}\n"
                                "  - {id: partner, role: third_party}\n") + flows,
                   encoding="utf-8")
    run_cli("draw", inv, "-o", tmp_path / "m.dot", "--merge")
    dot = (tmp_path / "m.dot").read_text(encoding="utf-8")
    edge = next(line for line in dot.splitlines() if '"mc" -> "partner"' in line)
    assert '" + "' in edge
    assert all(f"F{n}" in edge for n in range(2, 27))
    run_cli("draw", inv, "-o", tmp_path / "m.svg", "--merge")
    assert "F26" in (tmp_path / "m.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("form, name", [("csv", "findings.csv"), ("yaml", "findings.yaml")])
def test_an_output_inside_the_inventory_folder_that_it_would_read_is_refused(
        tmp_path, run_cli, form, name):
    # the hostile review of round 13: check -o inv/findings.csv broke the next load
    # ("unknown top-level key 'findings'")
    inv = tmp_path / "inv"
    run_cli("convert", "inventories/monocollabo", inv, "--to", form)
    fmt = "csv" if name.endswith(".csv") else "json"
    err = run_cli("check", inv, "--format", fmt, "-o", inv / name, expect=2).stderr
    assert f"{inv / name}: is inside the inventory folder read by this run" in err
    assert not (inv / name).exists()
    run_cli("check", inv, "--format", "json", "-o", inv / "findings.json", expect=1)
    run_cli("check", inv, expect=1)  # and the next load is unharmed


def test_convert_refuses_the_policy_file_it_reads_before_writing_anything(tmp_path, run_cli):
    # the hostile review of round 13: exit 2 for the policy file, with out.yaml written
    (tmp_path / "inv.yaml").write_text(
        "format: lineage/1\norganisation: org\npolicy: {title: T, file: policy.txt}\n"
        "parties:\n  - {id: org, role: self}\n  - {id: c, role: data_subject}\n"
        "flows:\n  - {id: F1, from: c, to: org, items: [x], purposes: [p], "
        "start: 2024-01-01}\n", encoding="utf-8")
    policy = b"\xef\xbb\xbfPolicy line 1\r\nline2\r\n"  # written back as UTF-8 with LF
    (tmp_path / "policy.txt").write_bytes(policy)
    err = run_cli("convert", tmp_path / "inv.yaml", tmp_path / "out.yaml", "--force",
                  expect=2).stderr
    assert "policy.txt: is an input of this run; refusing to write over it" in err
    assert not (tmp_path / "out.yaml").exists()
    assert (tmp_path / "policy.txt").read_bytes() == policy


def _sample_book(tmp_path, run_cli, name, edit=lambda part, data: data, added=None):
    """The sample as a workbook repacked into ``name``: each part through ``edit``, then
    the ``added`` parts."""
    import zipfile
    book = tmp_path / "inv.xlsx"
    run_cli("convert", "inventories/monocollabo", book)
    out = tmp_path / name
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, edit(info.filename, src.read(info)),
                         compress_type=zipfile.ZIP_DEFLATED)
        for part, data in (added or {}).items():
            dst.writestr(part, data, compress_type=zipfile.ZIP_DEFLATED)
    return out


def test_a_workbook_unpacking_far_beyond_its_size_is_refused_at_once(tmp_path, run_cli):
    # the hostile review of round 13: 1.5 MB packing 1.5 GB of spaces into styles.xml took
    # 4.7 GB of memory and 17 s; a part is refused by its stated size before it is read
    def padded(name, data):
        if name == "xl/styles.xml":
            assert b"</styleSheet>" in data
            data = data.replace(b"</styleSheet>", b" " * (100 << 20) + b"</styleSheet>")
        return data

    bomb = _sample_book(tmp_path, run_cli, "bomb.xlsx", padded)
    err = run_cli("validate", bomb, expect=2).stderr
    assert "its part xl/styles.xml unpacks to 100 MB (packed 1,000 to one or more): " \
           "not a spreadsheet's" in err


def test_shared_strings_packed_tighter_than_text_are_refused(tmp_path, run_cli):
    # the review of round 13: 200 MB of tiny shared strings packed 188 to one took 110 s and
    # 1.2 GB (openpyxl holds them whole); a sheet may pack that tightly, strings not
    bomb = _sample_book(tmp_path, run_cli, "strings.xlsx", added={
        "xl/sharedStrings.xml": b"<sst>" + b"<si><t>a</t></si>" * (5 << 20) + b"</sst>"})
    err = run_cli("validate", bomb, expect=2).stderr
    assert "its part xl/sharedStrings.xml unpacks to 85 MB (packed 412 to one)" in err


def test_a_cp932_standard_output_gets_the_table_with_escapes_and_files_as_utf8(tmp_path):
    # the hostile review of round 15: `check` and `report` stopped with an internal error
    # (UnicodeEncodeError) where Japanese Windows redirects output as cp932
    import subprocess
    import sys
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "LINEAGE_LANG": "ja"}
    run = [sys.executable, "-m", "lineage"]
    table = subprocess.run([*run, "check", str(SAMPLE)], capture_output=True, env=env)
    assert table.returncode == 1, table.stderr
    text = table.stdout.decode("cp932")
    assert "\\u2717 TP222:F30:phone" in text and "モノコラボ" in text
    page = subprocess.run([*run, "report", str(SAMPLE), "--no-drawing"], capture_output=True,
                          env=env)
    assert page.returncode == 0, page.stderr
    assert '<meta charset="utf-8">' in page.stdout.decode("utf-8")  # as it declares
    report = subprocess.run([*run, "check", str(SAMPLE), "--format", "json"],
                            capture_output=True, env=env)
    assert json.loads(report.stdout.decode("utf-8"))["organisation"] == "monocollabo"
    # every machine format (the review of round 15: trace's CSV began with "\\ufeff")
    trace = subprocess.run([*run, "trace", str(SAMPLE), "--item", "address", "--format",
                            "csv"], capture_output=True, env=env)
    assert trace.stdout.startswith("\ufeffparty,".encode("utf-8")), trace.stdout[:20]


def test_a_closed_standard_output_is_an_error_not_a_silent_success():
    import subprocess
    import sys
    for args in (["check", str(SAMPLE)], ["rules"]):
        res = subprocess.run([sys.executable, "-m", "lineage", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, close_fds=True,
                             preexec_fn=lambda: os.close(1))
        assert res.returncode == 2, (args, res.stderr)
        assert b"cannot write to standard output: it is closed" in res.stderr
