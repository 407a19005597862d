"""Lineage analysis: where each data item goes, where it came from, who is affected.

Every question runs on the one item propagation of :mod:`lineage.propagation`,
between legal entities as the rules' lineage (what one department holds, its
company holds).
:mod:`~lineage.analysis.columnar` reads a CSV-folder inventory straight into
integer arrays for whole-graph reach at scale; :mod:`~lineage.analysis.queries`
answers ``trace``, ``upstream``, ``impact`` and ``stop``.

Example:
    >>> from lineage.analysis import trace
    >>> trace("inventories/monocollabo", "address", frm="customers").table.party.tolist()[:3]
    ['monocollabo', 'monocollabo-media', 'carrier']
"""

from .columnar import read_network
from .queries import (Impact, QueryError, QueryResult, Stop, Trace, Upstream,
                      group_reach, impact, reach_table, stop, trace, trace_subgraph,
                      upstream)

__all__ = ["read_network", "trace", "upstream", "impact", "stop", "reach_table",
           "group_reach", "QueryResult", "Trace", "Upstream", "Impact", "Stop",
           "QueryError", "trace_subgraph"]
