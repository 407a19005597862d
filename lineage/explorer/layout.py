"""Positions for the explorer, computed once in Python and shipped in the page.

Browser layered layouts do not scale to thousands of parties on a small
machine, so the page never lays out the whole graph itself: each party's
column is its hop distance from the organisation (the drawing's
:func:`~lineage.drawing.dot.hop_ranks`), and one barycentre sweep orders the
parties inside each column so that flows cross less.

Example:
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("subj", "org"), ("org", "a"), ("org", "b"), ("a", "c")])
    >>> pos = positions(g, "org")
    >>> pos["subj"][0] < pos["org"][0] < pos["a"][0] < pos["c"][0]
    True
"""

from __future__ import annotations

import networkx as nx

from ..drawing.dot import hop_ranks
from ..terms import natural_key

__all__ = ["positions", "COLUMN", "ROW"]

#: Distance between columns (hops) and between parties in one column, in page pixels.
COLUMN, ROW = 260.0, 70.0


def positions(g: nx.MultiDiGraph, organisation: str,
              order_key=None) -> dict[str, tuple[float, float]]:
    """``{party: (x, y)}``: column by hop rank, row by one barycentre sweep.

    Inside a column parties start in ``order_key`` order (default: natural ID
    order), then, column by column left to right, each party moves to the mean
    row of its neighbours in earlier columns. Columns are centred on y = 0.

    Example:
        >>> g = nx.MultiDiGraph([("o", "b"), ("o", "a"), ("b", "y"), ("a", "x")])
        >>> pos = positions(g, "o")
        >>> pos["o"], pos["a"][1] < pos["b"][1], pos["x"][1] < pos["y"][1]
        ((0.0, 0.0), True, True)
    """
    ranks = hop_ranks(g, organisation)
    key = order_key or natural_key
    columns: dict[int, list[str]] = {}
    for n, r in ranks.items():
        columns.setdefault(r, []).append(n)
    row: dict[str, float] = {}
    undirected = g.to_undirected(as_view=True)
    for r in sorted(columns):
        members = sorted(columns[r], key=key)
        if r != min(columns):
            def bary(n, _r=r):
                ys = [row[m] for m in undirected[n] if m in row and ranks[m] < _r]
                return (sum(ys) / len(ys) if ys else float("inf"), key(n))
            members.sort(key=bary)
        offset = (len(members) - 1) / 2
        for i, n in enumerate(members):
            row[n] = i - offset
    return {n: (ranks[n] * COLUMN, row[n] * ROW) for n in sorted(ranks, key=natural_key)}
