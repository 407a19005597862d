"""The notebooks in ``notebooks/`` run top to bottom on a real kernel.

Each is executed once with nbclient on a ``python3`` kernel that runs this
interpreter (the venv's): a kernel spec written for the run and put first on
``JUPYTER_PATH``, so a ``python3`` kernel registered elsewhere on the machine
cannot take its place. It runs from the notebook's own folder, as Jupyter
would. Each notebook's last cell asserts real numbers of the sample. Notebooks
are committed without outputs, so a stale output can never mislead.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from paths import ROOT

import nbclient  # noqa: E402  (test dependencies: a missing one must fail, not skip)
import nbformat  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_EXECUTED: dict = {}


@pytest.fixture(scope="module", autouse=True)
def venv_kernel(tmp_path_factory):
    """A ``python3`` kernel spec for this interpreter, first on ``JUPYTER_PATH``."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (lineage venv)", "language": "python"}))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(root), old) if p)
    yield
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def _execute(path):
    """The notebook after a run, with a first cell that prints the kernel's ``sys.prefix``."""
    if path not in _EXECUTED:
        book = nbformat.read(path, as_version=4)
        book.cells.insert(0, nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)"))
        client = nbclient.NotebookClient(book, kernel_name="python3", timeout=120,
                                         resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        _EXECUTED[path] = book
    return _EXECUTED[path]


def _outputs(book):
    return [o for c in book.cells if c.cell_type == "code" for o in c.outputs]


def test_there_are_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01-audit-walkthrough.ipynb",
                                           "02-lineage-questions.ipynb",
                                           "03-audit-history.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{path.name}: clear outputs before committing (Kernel > Restart & Clear)"
    assert book.metadata.kernelspec.name == "python3"
    assert book.cells[0].cell_type == "markdown" and book.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    book = _execute(path)
    assert book.cells[0].outputs[0]["text"].strip() == sys.prefix, \
        "the notebook ran on another Python than the test suite's"
    outputs = _outputs(book)
    assert not [o for o in outputs if o.output_type == "error"]
    last = book.cells[-1]
    assert last.cell_type == "code" and "assert" in last.source
    text = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    assert text.strip(), f"{path.name}: the last cell printed nothing"
    shown = {kind for o in outputs for kind in o.get("data", {})}
    assert shown & {"image/svg+xml", "image/png"}, f"{path.name}: no drawing or chart shown"


def test_walkthrough_shows_the_summary_chart_and_drawing():
    book = _execute(ROOT / "notebooks" / "01-audit-walkthrough.ipynb")
    shown = [kind for o in _outputs(book) for kind in o.get("data", {})]
    assert {"text/html", "image/png", "image/svg+xml"} <= set(shown)
    summary = next(o for o in _outputs(book) if "lineage audit" in
                   o.get("data", {}).get("text/html", ""))
    assert "violation: 8" in summary["data"]["text/html"]
    last = "".join(o.get("text", "") for o in book.cells[-1].outputs)
    assert last.strip() == "8 violations, 10 findings: as expected"


def test_history_notebook_charts_the_trend():
    book = _execute(ROOT / "notebooks" / "03-audit-history.ipynb")
    assert any("image/png" in o.get("data", {}) for o in _outputs(book))
    last = "".join(o.get("text", "") for o in book.cells[-1].outputs)
    assert last.strip() == "errors per quarter: [9, 8, 6]"


def test_lineage_notebook_explorer_widget_round_trips_the_selection():
    """The explorer cell shows a widget (with the page as the fallback) whose model state
    holds what Python set: the focus, the selection, and the shared ES module."""
    book = _execute(ROOT / "notebooks" / "02-lineage-questions.ipynb")
    shown = next(o for o in _outputs(book)
                 if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
    model = shown["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    fallback = shown["data"]["text/html"]
    assert fallback.startswith("<iframe") and "default-src &#x27;none&#x27;" in fallback
    state = book.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    widget = state[model]["state"]
    assert widget["focus"] == "mailing-house"
    assert widget["selection"] == ["F11", "F44"]
    assert "export function mount" in widget["_esm"] and "export default" in widget["_esm"]
    assert json.loads(widget["data"])["organisation"] == "monocollabo"
    cell = next(c for c in book.cells if c.cell_type == "code"
                and c.source.startswith("# A click in the explorer"))
    table = cell.outputs[0]["data"]["text/plain"].splitlines()
    assert [row.split()[1] for row in table[1:]] == ["F11", "F44"]
