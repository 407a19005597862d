"""The layers import one way: model <- rules <- engine <- analysis <- drawing <- outputs
<- the notebook API <- the command line, and no modules import each other in a circle.

Every import statement of every module counts, also those inside functions (a
function-level import is a dependency all the same; it only happens later).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from paths import ROOT, SAMPLE

PACKAGE = ROOT / "lineage"

#: Layers from the bottom; a module may import its own layer and those below.
#: The first matching prefix decides a module's layer.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # output.names imports nothing of lineage: display names are a base helper that the
    # drawing and every output share, whatever folder it sits in
    ("base", ("lineage", "lineage.errors", "lineage.terms", "lineage.files",
              "lineage.output.names")),
    ("model", ("lineage.model",)),
    ("rules", ("lineage.rules", "lineage.propagation")),
    ("engine", ("lineage.rules.engine", "lineage.result", "lineage.graph")),
    ("analysis", ("lineage.analysis",)),
    ("drawing", ("lineage.drawing", "lineage.export")),
    ("outputs", ("lineage.output", "lineage.snapshots", "lineage.forms", "lineage.explorer")),
    ("api", ("lineage.audit", "lineage.snapshots.api")),
    ("cli", ("lineage.cli", "lineage.commands_", "lineage.__main__")),
]
ORDER = [name for name, _ in LAYERS]


def layer_of(module: str) -> str:
    """The layer of a module: the longest matching prefix wins."""
    best, length = None, -1
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".") or (
                prefix.endswith("_") and module.startswith(prefix))
            if matches and len(prefix) > length:
                best, length = name, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The lineage modules ``module`` imports anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def resolve(name: str) -> str | None:
        # the module itself, else its closest parent that is a lineage module
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "lineage":
                    found.add(resolve(alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "lineage":
                continue
            for alias in node.names:  # "from . import x" may name a module
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else resolve(target))
    found.discard(None)
    found.discard(module)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: imports(m, p, known) for m, p in mods.items()}


def test_every_module_is_in_a_layer():
    for module in modules():
        layer_of(module)


def test_no_module_imports_a_layer_above_its_own():
    bad = []
    for module, targets in graph().items():
        mine = ORDER.index(layer_of(module))
        for target in sorted(targets):
            # a package's __init__ only re-exports its own modules
            if target.startswith(module + ".") or module == "lineage":
                continue
            if ORDER.index(layer_of(target)) > mine:
                bad.append(f"{module} ({layer_of(module)}) imports {target} "
                           f"({layer_of(target)})")
    assert bad == [], "\n".join(bad)


def test_the_model_depends_on_nothing_but_itself_and_the_base():
    for module, targets in graph().items():
        if layer_of(module) == "model":
            assert {layer_of(t) for t in targets} <= {"base", "model"}, (module, targets)


def test_no_import_circles():
    g = graph()
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(g.get(node, ())):
            # a package and its own modules are one unit (the package re-exports them)
            if nxt == "lineage" or node == "lineage" or nxt.startswith(node + ".") \
                    or node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node)
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("source, expected", [
    ("from ..audit import check\n", {"lineage.audit"}),
    ("def f():\n    from ..drawing import draw\n", {"lineage.drawing"}),
    ("import lineage.output.table\n", {"lineage.output.table"}),
    ("from . import schema\n", {"lineage.model.schema"}),
])
def test_the_import_parser_sees_every_form(tmp_path, source, expected):
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    known = set(modules())
    assert imports("lineage.model.x", path, known) == expected


def test_the_public_audit_keeps_every_method():
    import lineage
    from lineage.result import AuditResult
    audit = lineage.check(SAMPLE)
    assert isinstance(audit, AuditResult) and type(audit).__name__ == "Audit"
    for name in ("findings", "flows", "graph", "as_dict", "summary", "exit_code", "draw",
                 "trace", "upstream", "impact", "stop", "diff", "to_excel", "_repr_html_",
                 "policy_ok_law_violation", "flow_results", "results", "waivers", "routes"):
        assert hasattr(audit, name), name
    # the core result the layers below use has none of the conveniences
    core = AuditResult(audit.inventory)
    assert not any(hasattr(core, n) for n in ("draw", "trace", "impact", "to_excel", "diff"))
    assert core.as_dict() == audit.as_dict()


def test_inventory_check_in_a_fresh_interpreter():
    """``lineage.load(path).check()`` works without importing anything else first."""
    import subprocess
    import sys
    code = ("import lineage; a = lineage.load(%r).check(); "
            "print(type(a).__name__, a.exit_code())" % str(SAMPLE))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out == "Audit 1\n"
