"""Doctest set-up for the examples in ``lineage/``: their temporary files go into
pytest's own temporary folder, which pytest cleans up, not into /tmp."""

import tempfile

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctest_tempdir(request, tmp_path, monkeypatch):
    if isinstance(request.node, DoctestItem):
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
