"""The inventory as a ``networkx.MultiDiGraph``: parties are nodes, flows keyed edges.

Drawing, exports and lineage queries all start from this graph. With an
audit, each edge also carries its route, status and finding IDs.

Example:
    >>> from lineage.model import load
    >>> g = build_graph(load("inventories/monocollabo"))
    >>> g.nodes["monocollabo"]["role"]
    'self'
"""

from __future__ import annotations

import networkx as nx

from .terms import law_only

__all__ = ["build_graph"]


def build_graph(inventory, audit=None) -> nx.MultiDiGraph:
    """Parties as nodes (with their attributes) and flows as edges keyed by flow ID.

    Example:
        >>> from lineage.audit import check
        >>> audit = check("inventories/monocollabo")
        >>> g = build_graph(audit.inventory, audit)
        >>> g.edges["members", "monocollabo", "F01"]["route"], g.graph["organisation"]
        ('collection', 'monocollabo')
        >>> both = check("inventories/monocollabo", packs=("policy", "appi"))
        >>> g2 = build_graph(both.inventory, both)
        >>> edge = g2.edges["monocollabo-media", "survey-vendor", "F48"]
        >>> edge["status_policy"], edge["status_appi"], edge["law_only"]
        ('ok', 'violation', True)
    """
    g = nx.MultiDiGraph(organisation=inventory.organisation,
                        as_of=str(audit.as_of if audit is not None else inventory.as_of))
    for p in inventory.parties:
        g.add_node(p.id, name=p.name or p.id, name_en=p.name_en or p.name or p.id,
                   role=p.role, legal_entity=p.entity, country=p.country,
                   groups=list(p.groups))
    results = {r.id: r for r in audit.flow_results} if audit is not None else {}
    for f in inventory.flows:
        attrs = dict(items=list(f.items), purposes=list(f.purposes), basis=f.basis,
                     start=f.start.isoformat(), end=f.end.isoformat() if f.end else None,
                     method=f.method, combined=f.combined, storage_only=f.storage_only)
        r = results.get(f.id)
        if r is not None:
            attrs.update(route=r.route, status=r.status, findings=list(r.findings),
                         rules=sorted({fid.split(":")[0] for fid in r.findings}))
            if r.status_by_pack is not None:
                # Several packs: each pack's status, and the group the drawing
                # marks: lawful under the policy, unlawful under the Act.
                for pack, status in r.status_by_pack.items():
                    attrs[f"status_{pack}"] = status
                attrs["law_only"] = law_only(r.status_by_pack)
        g.add_edge(f.frm, f.to, key=f.id, id=f.id, **attrs)
    return g
