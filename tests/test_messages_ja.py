"""Issue 15: every error a user can meet has a Japanese form (``message_ja``).

The scan reads every ``raise SomethingError(...)`` under lineage/ and fails for
one that gives no Japanese, unless it is on :data:`ALLOWED` with its reason.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "lineage"

#: Built-in exceptions: bugs or internal signals, never printed as a user's error.
BUILTIN = {"ValueError", "TypeError", "KeyError", "RuntimeError", "AssertionError", "OSError",
           "NotImplementedError", "AttributeError"}

#: Errors whose second positional argument is the Japanese message.
JA_POSITIONAL = {"QueryError", "DateFormError"}

#: Errors that carry their Japanese another way (checked by ``test_problems_have_japanese``).
CARRIES_PROBLEMS = {"InventoryError"}

#: (file, enclosing function, error) -> why it may stay English only.
ALLOWED = {
    ("model/schema.py", "_iso_date", "PydanticCustomError"):
        "pydantic's carrier: its context holds the DateFormError's message_ja",
    ("model/schema.py", "_worded", "PydanticCustomError"):
        "pydantic's carrier: its context holds message_ja (the loader's 'worded' kind)",
    ("drawing/__init__.py", "plan_layout", "DrawingError"):
        "Python API only: the CLI's --layout is a click.Choice",
    ("drawing/__init__.py", "save", "DrawingError"):
        "Python API only (Drawing.save); the CLI checks the extension itself, in Japanese",
    ("drawing/__init__.py", "draw", "DrawingError"):
        "Python API keyword checks (lang=, trace=, depth=); the CLI checks its options first",
    ("rules/base.py", "_frozen_set", "FrozenInstanceError"):
        "a bug in the caller (a Finding is immutable): the frozen dataclass's own error",
    ("rules/base.py", "_frozen_del", "FrozenInstanceError"):
        "a bug in the caller (a Finding is immutable): the frozen dataclass's own error",
    ("model/csvfolder.py", "decode", "UnicodeDecodeError"):
        "the decoders' own error for a UTF-16 file: undecodable() words it in both languages",
}


def _function_of(tree):
    """Each node's innermost enclosing function name."""
    owner = {}

    def visit(node, name):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else name
            owner[child] = inner
            visit(child, inner)
    visit(tree, "<module>")
    return owner


def english_only_raises():
    """Every (file, function, error, line) raising a project error with no Japanese."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = None
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if not name or not name.endswith("Error") or name in BUILTIN \
                    or name in CARRIES_PROBLEMS:
                continue
            if "message_ja" in {k.arg for k in node.exc.keywords}:
                continue
            if name in JA_POSITIONAL and len(node.exc.args) >= 2:
                continue
            if owner is None:
                owner = _function_of(tree)
            rel = path.relative_to(ROOT).as_posix()
            found.append((rel, owner.get(node, "<module>"), name, node.lineno))
    return found


def test_every_user_facing_raise_has_japanese():
    missing = [f"lineage/{rel}:{line} {name} in {fn}()"
               for rel, fn, name, line in english_only_raises()
               if (rel, fn, name) not in ALLOWED]
    assert missing == []


def test_allow_list_has_no_stale_entries():
    seen = {(rel, fn, name) for rel, fn, name, _ in english_only_raises()}
    assert set(ALLOWED) - seen == set()


def test_problems_have_japanese():
    """An InventoryError's Problems are printed one by one: each needs message_ja."""
    missing = []
    for path in sorted((ROOT / "model").rglob("*.py")) + [ROOT / "analysis" / "columnar.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem" \
                    and len(node.args) < 6 and not any(isinstance(a, ast.Starred)
                                                        for a in node.args) \
                    and "message_ja" not in {k.arg for k in node.keywords}:
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


def test_the_scan_finds_an_english_only_raise(tmp_path, monkeypatch):
    pkg = tmp_path / "lineage"
    pkg.mkdir()
    (pkg / "x.py").write_text("def f():\n    raise StoreError('no store')\n"
                              "def g():\n    raise StoreError('no store', message_ja='なし')\n")
    monkeypatch.setitem(globals(), "ROOT", pkg)
    assert english_only_raises() == [("x.py", "f", "StoreError", 2)]
