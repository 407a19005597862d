"""The flow map: ``draw(...)`` returns a :class:`Drawing` that renders with Graphviz.

A drawing is planned before it is rendered. The plan lists layout steps from
the richest to the cheapest (zones as clusters; parties pinned to their hop
distance; parallel flows merged; ``sfdp``). Small inventories start at the
first step; big ones start further down, because Graphviz's cluster layout
fails around 1,000 parties and plain ``dot`` takes minutes there. When a step
fails (exit status, error, lost edges, time limit) the next one is tried, and
every step taken or skipped is written to :attr:`Drawing.notes`.

When even the cheapest step is estimated to take longer than the time budget
allows, or every step ran out of time, the drawing is a summary instead
(:mod:`lineage.drawing.summary`): parties grouped by legal entity or role, flows
counted per pair of groups, violations still marked; its title and a note say
so. ``group="none"`` always draws every party; ``"role"``/``"entity"`` always
summarise.

Example:
    >>> import lineage
    >>> d = lineage.draw("inventories/monocollabo", lang="ja")
    >>> d.source.splitlines()[0], d.notes
    ('digraph "lineage" {', [])
    >>> b"<svg" in d.render("svg")
    True
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..errors import LineageError
from ..result import AuditResult as Audit, check
from ..model.schema import Inventory, optional_date
from ..progress import report
from ..terms import counted, natural_key, route_label
from .dot import Context, build_dot
from .render import (FORMATS, GraphvizMissing, LayoutTimeout, RenderError, format_of,
                     run_graphviz, write_atomic)
from .style import DEFAULT_FONT, STATUS_WORDS
from .summary import GROUPINGS, build_summary_dot, summarise
from .views import ViewError, apply_views, by_flows, merge_parallel

__all__ = ["draw", "Drawing", "Step", "context_of", "check_links", "check_font", "plan_layout",
           "DrawingError", "RenderError", "FORMATS", "DEFAULT_FONT", "CLUSTER_MAX_PARTIES",
           "CLUSTER_MAX_FLOWS", "DOT_MAX_PARTIES", "DOT_MAX_FLOWS", "SFDP_MAX_LABELS",
           "SFDP_MAX_OVERLAP", "LAYOUTS", "GROUPINGS", "estimate_seconds", "plan_grouping",
           "SFDP_SECONDS_PER_ELEMENT", "SUMMARY_SHARE", "SUMMARY_MAX_GROUPS",
           "SUMMARY_MAX_EDGES", "SUMMARY_RESERVE"]

#: Beyond these sizes zones are dropped up front: on this machine the cluster layout of
#: the benchmark's tangled graphs (3 flows a party) took 0.1 s at 150 parties, 0.6 s at
#: 300 and 19.5 s at 500 (before dot's newrank was dropped: 2.5 s at 150, over 27 s at 200).
CLUSTER_MAX_PARTIES = 300
CLUSTER_MAX_FLOWS = 1000
#: Edge text as ``label`` (nicer) up to this many flows, ``xlabel`` (cheap) beyond.
LABEL_MAX_FLOWS = 150
#: Beyond these sizes ``dot`` is skipped for ``sfdp`` (15,000 flows took dot over 100 s).
DOT_MAX_PARTIES = 3000
DOT_MAX_FLOWS = 6000
#: sfdp draws flow text up to this many edges; beyond, text stays in the tooltips.
SFDP_MAX_LABELS = 2000
#: sfdp removes node overlaps up to this many parties (prism costs ~3x the layout); beyond,
#: only prism's first phase runs (``prism0``: the layout is scaled up by the average
#: node size). Without it (``overlap=true``) sfdp piles 5,000 parties into one blob.
SFDP_MAX_OVERLAP = 2000
#: Layouts a caller may ask for; ``auto`` picks from the size.
LAYOUTS = ("auto", "clusters", "ranked", "merged", "sfdp")
#: Seconds for the whole render, shared by the steps (see ``docs/drawing.md``).
DEFAULT_TIMEOUT = 55.0
#: sfdp without labels or overlap removal, per party plus flow: 3.7 s at 5,000 parties /
#: 15,000 flows and 9.3 s at 10,000 / 30,000 on this project's 2 shared cores.
SFDP_SECONDS_PER_ELEMENT = 0.25e-3
#: ``group="auto"`` summarises when the estimate exceeds this share of the budget: a
#: machine busy with other work was measured 2-5 times slower than an idle one.
SUMMARY_SHARE = 0.5
#: ``group="auto"`` groups by legal entity when that leaves at most this many groups and
#: edges (a ``dot`` layout of a few seconds), else by role.
SUMMARY_MAX_GROUPS = 100
SUMMARY_MAX_EDGES = 300
#: Seconds of the budget kept back, under ``group="auto"``, to draw the summary when
#: every full layout step ran out of time.
SUMMARY_RESERVE = 10.0


class DrawingError(LineageError, ValueError):
    """Bad drawing arguments (unknown format, item, party, depth < 0 ...).

    Example:
        >>> import lineage
        >>> lineage.draw("inventories/monocollabo", lang="fr")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: unknown language 'fr' (known: en, ja)
    """


@dataclass(frozen=True)
class Step:
    """One layout attempt: a DOT mode, whether flows are merged, and its engine.

    Example:
        >>> steps, _ = plan_layout(10, 20)
        >>> steps[0]
        Step(mode='clusters', merged=False, engine='dot', labels=True, overlap='prism')
    """

    mode: str
    merged: bool
    engine: str = "dot"
    labels: bool = True
    overlap: str = "prism"

    def describe(self) -> str:
        """A short human description, used in notes.

        Example:
            >>> Step("ranked", True).describe()
            'dot, parties ranked by hop distance, parallel flows merged'
        """
        what = {"clusters": "zones as clusters", "ranked": "parties ranked by hop distance",
                "sfdp": "force-directed, no zones or ranks"}[self.mode]
        return (f"{self.engine}, {what}" + (", parallel flows merged" if self.merged else "")
                + ("" if self.labels else ", flow labels only in tooltips")
                + ("" if self.overlap == "prism" else ", overlaps only reduced by scaling"
                   if self.overlap == "prism0" else ", no overlap removal"))


def plan_layout(parties: int, flows: int, *, layout: str = "auto",
                merge: bool = False) -> tuple[list[Step], list[str]]:
    """The layout steps to try, richest first, and notes on what was dropped up front.

    The ladder is: zones as clusters; parties ranked by hop distance (no
    zones); the same with parallel flows merged; ``sfdp`` with merged flows.
    ``auto`` skips the steps the measured limits rule out for this size.

    Example:
        >>> steps, notes = plan_layout(1000, 3000)
        >>> [s.describe() for s in steps][0]
        'dot, parties ranked by hop distance'
        >>> notes
        ['1000 parties: zones (clusters) dropped; Graphviz cluster layout is too slow above 300 parties']
    """
    if layout not in LAYOUTS:
        raise DrawingError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    sfdp = Step("sfdp", True, "sfdp", labels=flows <= SFDP_MAX_LABELS,
                overlap="prism" if parties <= SFDP_MAX_OVERLAP else "prism0")
    ladder = [Step("clusters", merge), Step("ranked", merge), Step("ranked", True), sfdp]
    notes: list[str] = []
    start = {"clusters": 0, "ranked": 1, "merged": 2, "sfdp": 3}.get(layout, 0)
    if layout == "auto":
        if parties > DOT_MAX_PARTIES or flows > DOT_MAX_FLOWS:
            start = 3
            notes.append(f"{parties} parties, {flows} flows: zones (clusters) and ranks "
                         f"dropped; laid out with sfdp (dot takes minutes above "
                         f"{DOT_MAX_FLOWS} flows)")
        elif parties > CLUSTER_MAX_PARTIES or flows > CLUSTER_MAX_FLOWS:
            start = 1
            why = (f"{parties} parties" if parties > CLUSTER_MAX_PARTIES
                   else f"{flows} flows")
            notes.append(f"{why}: zones (clusters) dropped; Graphviz cluster layout is "
                         f"too slow above {CLUSTER_MAX_PARTIES} parties")
    if start == 3 and not sfdp.labels:
        notes.append(f"{flows} flows: flow labels dropped from the picture "
                     "(each flow's details stay in its SVG tooltip)")
    if start == 3 and sfdp.overlap != "prism":
        notes.append(f"{parties} parties: node overlaps only reduced by scaling "
                     "(full overlap removal skipped)")
    unique: list[Step] = []
    for s in ladder[start:]:
        if s not in unique:
            unique.append(s)
    return unique, notes


def estimate_seconds(parties: int, flows: int) -> float:
    """Estimated seconds for the cheapest full layout (``sfdp``) of this many parties and flows.

    Linear in parties plus flows, calibrated on the benchmark's graphs; a
    small graph with labels and overlap removal costs about three times more
    per element, but is small.

    Example:
        >>> round(estimate_seconds(5000, 15000), 1), round(estimate_seconds(50000, 150000))
        (5.0, 50)
    """
    factor = 3.0 if parties <= SFDP_MAX_OVERLAP else 1.0
    return SFDP_SECONDS_PER_ELEMENT * (parties + flows) * factor


def plan_grouping(g: nx.MultiDiGraph, group: str = "auto",
                  timeout: float = DEFAULT_TIMEOUT) -> tuple[str, list[str]]:
    """How to draw ``g``: ``none`` (every party), ``role`` or ``entity``; and why, as notes.

    ``auto`` keeps every party unless :func:`estimate_seconds` exceeds
    :data:`SUMMARY_SHARE` of ``timeout``; then it groups by legal entity when
    that gives at most :data:`SUMMARY_MAX_GROUPS` groups and
    :data:`SUMMARY_MAX_EDGES` edges, else by role.

    Example:
        >>> import lineage
        >>> g = lineage.check("inventories/monocollabo").graph
        >>> plan_grouping(g)
        ('none', [])
        >>> by, notes = plan_grouping(g, timeout=0.02)
        >>> by, notes[0]
        ('entity', '32 parties, 48 flows: the full map would take about 0.06 s to lay out, more than the time budget allows (0.01 s); drawn as a summary')
        >>> plan_grouping(g, "sideways")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: unknown grouping 'sideways' (known: auto, none, role, entity)
    """
    if group not in GROUPINGS:
        raise DrawingError(f"unknown grouping {group!r} (known: {', '.join(GROUPINGS)})",
                           message_ja=f"まとめ方 {group!r} は扱えません（扱えるもの: "
                                      f"{', '.join(GROUPINGS)}）")
    if group != "auto":
        return group, []
    parties, flows = g.number_of_nodes(), g.number_of_edges()
    est = estimate_seconds(parties, flows)
    if est <= SUMMARY_SHARE * timeout:
        return "none", []
    note = (f"{parties} parties, {flows} flows: the full map would take about {_secs(est)} s "
            f"to lay out, more than the time budget allows ({_secs(SUMMARY_SHARE * timeout)} s); "
            "drawn as a summary")
    return _auto_group(g), [note]


def _secs(x: float) -> str:
    return f"{x:.2f}" if x < 1 else f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _auto_group(g: nx.MultiDiGraph) -> str:
    """Entities when they are few enough to lay out quickly, else roles."""
    entities = {d.get("legal_entity") or n for n, d in g.nodes(data=True)}
    if len(entities) > SUMMARY_MAX_GROUPS or len(entities) >= g.number_of_nodes():
        return "role"
    pairs = {(g.nodes[u].get("legal_entity") or u, g.nodes[v].get("legal_entity") or v)
             for u, v in g.edges()}
    return "entity" if len(pairs) <= SUMMARY_MAX_EDGES else "role"


def _summary_note(s: nx.MultiDiGraph) -> str:
    return (f"summary: {s.graph['parties']} parties grouped by "
            f"{'legal entity' if s.graph['by'] == 'entity' else 'role'} into "
            f"{s.number_of_nodes()} groups, {s.graph['flows']} flows into "
            f"{s.number_of_edges()} edges; for the full map use --group none")


#: The placeholders a ``links`` template may use.
LINK_FIELDS = ("flow", "finding")


def check_links(links: str | None) -> str | None:
    """``links`` if it is a safe link template, else :class:`DrawingError`.

    A link template is an ``http:``/``https:`` address or a relative one (no
    scheme, e.g. ``report.html#{finding}``); its only placeholders are
    ``{flow}`` and ``{finding}`` (``{{`` and ``}}`` stand for braces). Any other
    scheme (``javascript:``, ``data:``, ``file:``) would put a script or a local
    file behind an edge of the SVG; any other placeholder would fail, or reach
    into Python objects, while the map is built.

    Example:
        >>> check_links("report.html#{finding}")
        'report.html#{finding}'
        >>> check_links("javascript:alert({flow})")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: link template 'javascript:alert({flow})': only http:, https: or relative links are allowed
        >>> check_links("x/{flow.__class__}")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: link template 'x/{flow.__class__}': unexpected placeholder {flow.__class__} (allowed: {flow}, {finding})
    """
    if links is None:
        return None
    if not isinstance(links, str):
        raise DrawingError(f"link template must be text, got {type(links).__name__}",
                           message_ja=f"リンクのテンプレートは文字列で指定してください"
                                      f"（指定: {type(links).__name__}）")
    import string
    head = f"link template {links!r}"
    try:
        parts = list(string.Formatter().parse(links))
    except ValueError as exc:
        raise DrawingError(f"{head}: {exc} (write {{{{ and }}}} for braces)",
                           message_ja=f"{head}: 波かっこの対応が正しくありません"
                                      "（波かっこそのものは {{ と }} で書きます）") from None
    probe = []
    for literal, field, spec, conversion in parts:
        probe.append(literal)
        if field is None:
            continue
        if field not in LINK_FIELDS or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "") \
                + (f":{spec}" if spec else "") + "}"
            raise DrawingError(f"{head}: unexpected placeholder {shown} "
                               "(allowed: {flow}, {finding})",
                               message_ja=f"{head}: 使えないプレースホルダ {shown} があります"
                                          "（使えるもの: {flow}、{finding}）")
        probe.append("\0")  # what a placeholder becomes is not known here
    probe_text = "".join(probe)
    bad = next((ch for ch in probe_text if ch != "\0" and (ord(ch) < 0x21 or ord(ch) == 0x7f)),
               None)
    if bad is not None:
        raise DrawingError(f"{head}: a link must not contain spaces or control characters",
                           message_ja=f"{head}: リンクに空白や制御文字は使えません")
    # Graphviz writes the link into the SVG as it is: a quote or an angle bracket would end
    # the attribute and open markup (the hostile review of round 13: <script> in the SVG).
    odd = next((ch for ch in probe_text if ch in _LINK_FORBIDDEN), None)
    if odd is not None:
        raise DrawingError(f"{head}: a link must not contain {odd!r} (percent-encode it)",
                           message_ja=f"{head}: リンクに {odd!r} は使えません（% で符号化して"
                                      "ください）")
    import re
    scheme = re.match(r"([^:/?#]*):", probe_text)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise DrawingError(f"{head}: only http:, https: or relative links are allowed",
                           message_ja=f"{head}: 使えるリンクは http:、https: または相対パスだけです")
    return links


#: What a link template may not hold even outside its placeholders (RFC 3986 excludes
#: them from URLs; in an SVG attribute they would end it or open markup).
_LINK_FORBIDDEN = frozenset('"<>\'\\`')


def check_font(font: str | None) -> str | None:
    """``font`` if it is a font name Graphviz can take into the SVG unharmed, else
    :class:`DrawingError`: letters of any script, digits, spaces and ``- _ . , + ( )``.
    Graphviz writes the name into the SVG's ``font-family`` as given. A style is a word
    of the name (``Noto Sans CJK JP Bold``, as Pango reads it): a fontconfig pattern
    (``:style=Bold``) would be taken for a family no system has (the hostile review of
    round 14), so it is refused saying so.

    Example:
        >>> check_font("Noto Sans CJK JP"), check_font("游ゴシック")
        ('Noto Sans CJK JP', '游ゴシック')
        >>> check_font("Noto Sans CJK JP:style=Bold")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: font name 'Noto Sans CJK JP:style=Bold': a style is a word of the name, as in 'Noto Sans CJK JP Bold'; only letters, digits, spaces and - _ . , + ( ) are allowed
        >>> check_font('A"><script>')
        Traceback (most recent call last):
        lineage.drawing.DrawingError: font name 'A"><script>': only letters, digits, spaces and - _ . , + ( ) are allowed
    """
    if font is None:
        return None
    if (not font.strip() or len(font) > 100
            or any(not (ch.isalnum() or ch in " -_.,+()") for ch in font)):
        family, _, style = font.partition(":style=")
        hint = hint_ja = ""
        if style and family.strip():
            hint = (f" a style is a word of the name, as in "
                    f"'{family.strip()} {style.strip()}';")
            hint_ja = f"スタイルは '{family.strip()} {style.strip()}' のように名前に含めます。"
        raise DrawingError(f"font name {font!r}:{hint} only letters, digits, spaces and "
                           "- _ . , + ( ) are allowed",
                           message_ja=f"フォント名 {font!r}: {hint_ja}使えるのは文字・数字・空白と "
                                      "- _ . , + ( ) だけです")
    return font


def context_of(audit: Audit, *, lang: str = "en", font: str | None = None,
               links: str | None = None) -> Context:
    """The names, findings and joint-use zones of an audit, for the DOT builder.

    Example:
        >>> import lineage
        >>> ctx = context_of(lineage.check("inventories/monocollabo"), lang="ja")
        >>> ctx.item("phone"), [n for n, _ in ctx.joint_use]
        ('電話番号', ['J1', 'J2'])
    """
    links = check_links(links)
    font = check_font(font)
    inv = audit.inventory
    items = {d.id: (d.name or d.name_en or d.id, d.name_en or d.name or d.id)
             for d in inv.data_items or ()}
    purposes = {p.id: (p.name or p.name_en or p.id, p.name_en or p.name or p.id)
                for p in inv.purposes or ()}
    findings: dict[str, list] = {}
    for f in audit.results:
        findings.setdefault(f.flow, []).append(f)
    joint = [(n.id, list(n.members or ())) for n in inv.notices if n.kind == "joint_use"]
    summary = audit.summary()
    counts = summary["status"]
    org = next((p for p in inv.parties if p.id == inv.organisation), None)
    org_name = (org.name if lang == "ja" else org.name_en) if org else None
    org_name = org_name or (org.name if org else None) or inv.organisation
    gap = summary.get("policy_ok_law_violation")
    if lang == "ja":
        title = (f"{org_name} 個人データの流れ（{audit.as_of.isoformat()} 時点）: "
                 f"{len(audit.flow_results)} 件、{STATUS_WORDS['violation']['ja']} "
                 f"{counts['violation']} 件"
                 + (f"（うち方針は適合・法に違反 {gap} 件）" if gap is not None else ""))
    else:
        title = (f"{org_name}: personal-data flows as of {audit.as_of.isoformat()} "
                 f"({counted(len(audit.flow_results), 'flow')}, {counts['violation']} violating"
                 + (f", {gap} of them lawful under the policy but not the Act"
                    if gap is not None else "") + ")")
    sensitive = frozenset(d.id for d in inv.data_items or () if d.kind == "sensitive")
    return Context(organisation=inv.organisation, lang=lang, font=font or DEFAULT_FONT,
                   items=items, purposes=purposes, findings=findings, joint_use=joint,
                   title=title, links=links, sensitive=sensitive,
                   as_of=audit.as_of.isoformat())


class Drawing:
    """A planned flow map. Render it with :meth:`render` or :meth:`save`; shows inline in Jupyter.

    ``source`` is the DOT text of the first planned step; ``notes`` say what was
    dropped to make the drawing possible (empty when nothing was).

    Example:
        >>> import lineage
        >>> lineage.draw("inventories/monocollabo", item="phone")
        <Drawing 11 parties, 12 flows, layout 'dot, zones as clusters'>
    """

    def __init__(self, graph: nx.MultiDiGraph, context: Context, steps: list[Step],
                 notes: list[str], timeout: float = DEFAULT_TIMEOUT, group: str = "none",
                 fallback: bool = False):
        self.graph = graph
        self.context = context
        self.steps = steps
        self.notes = list(notes)
        self.timeout = timeout
        #: ``none`` (every party) or how parties are grouped (``role``/``entity``).
        self.group = group
        #: The summary graph (:func:`~lineage.drawing.summary.summarise`) when grouped.
        self.summary: nx.MultiDiGraph | None = None
        # group="auto" that kept every party: summarise if every step runs out of time
        self._fallback = fallback
        self._dots: dict[Step, str] = {}
        self._merged: nx.MultiDiGraph | None = None
        self._svg: bytes | None = None
        self._summary_dot: str | None = None
        if group != "none":
            self._summarise(group)

    def _summarise(self, by: str) -> None:
        self.group = by
        self.summary = summarise(self.graph, by, self.context.organisation)
        self.notes.append(_summary_note(self.summary))

    def _graph_for(self, step: Step) -> nx.MultiDiGraph:
        if not step.merged:
            return self.graph
        if self._merged is None:
            self._merged = merge_parallel(self.graph)
        return self._merged

    def dot(self, step: Step | None = None) -> str:
        """The DOT text for ``step`` (default: the first planned step).

        Example:
            >>> import lineage
            >>> d = lineage.draw("inventories/monocollabo")
            >>> d.dot(Step("sfdp", True, "sfdp")).count("->") < d.source.count("->")
            True
        """
        step = step or self.steps[0]
        if step not in self._dots:
            g = self._graph_for(step)
            xl = g.number_of_edges() > LABEL_MAX_FLOWS
            self._dots[step] = build_dot(g, self.context, step.mode, xlabels=xl,
                                         edge_labels=step.labels, overlap=step.overlap)
        return self._dots[step]

    @property
    def source(self) -> str:
        """The DOT text of the first planned step, or of the summary when grouped.

        Example:
            >>> import lineage
            >>> lineage.draw("inventories/monocollabo", route="opt_out").source.count(" -> ")
            2
            >>> "grouped by role" in lineage.draw("inventories/monocollabo", group="role").source
            True
        """
        if self.summary is not None:
            return self.summary_dot()
        return self.dot()

    def summary_dot(self) -> str:
        """The DOT text of the summary (parties grouped by ``group``).

        Example:
            >>> import lineage
            >>> d = lineage.draw("inventories/monocollabo", group="entity")
            >>> d.summary_dot().count(" -> ") == d.summary.number_of_edges()
            True
        """
        if self.summary is None:
            raise ValueError("this drawing is not grouped (group='none')")
        if self._summary_dot is None:
            self._summary_dot = build_summary_dot(self.summary, self.context)
        return self._summary_dot

    def _render_summary(self, fmt: str, budget: float) -> bytes:
        s = self.summary
        report(f"laying out {s.number_of_nodes()} groups of parties with dot (summary)", 0, 1)
        data, _ = run_graphviz(self.summary_dot(), fmt, engine="dot",
                               nodes=s.number_of_nodes() + 1, edges=s.number_of_edges(),
                               timeout=max(budget, 1.0))
        return data

    def render(self, fmt: str = "svg") -> bytes:
        """Render to ``fmt`` (svg, png, pdf, dot), degrading the layout step by step.

        Example:
            >>> import lineage
            >>> lineage.draw("inventories/monocollabo").render("png")[:4]
            b'\\x89PNG'
        """
        fmt = format_of("", fmt)
        if fmt == "dot":
            return self.source.encode("utf-8")
        if self.summary is not None:
            return self._render_summary(fmt, self.timeout)
        start = time.monotonic()
        reserve = min(SUMMARY_RESERVE, self.timeout / 4) if self._fallback else 0.0
        deadline = start + self.timeout - reserve
        failures: list[str] = []
        failures_ja: list[str] = []
        timed_out = False
        for i, step in enumerate(self.steps):
            remaining = deadline - time.monotonic()
            last = i == len(self.steps) - 1
            # the first steps get half of what is left, so a hang cannot starve the rest
            budget = max(remaining if last else remaining / 2, 1.0)
            g = self._graph_for(step)
            # a layout gives no count to show: the stage says what is running, and for what
            report(f"laying out {g.number_of_nodes()} parties with {step.engine} "
                   f"(layout {i + 1} of {len(self.steps)})", i, len(self.steps))
            try:
                data, _ = run_graphviz(self.dot(step), fmt, engine=step.engine,
                                       nodes=g.number_of_nodes() + 1,
                                       edges=g.number_of_edges(), timeout=budget)
            except GraphvizMissing:
                raise
            except RenderError as exc:
                timed_out = timed_out or isinstance(exc, LayoutTimeout)
                failures.append(f"{step.describe()}: {exc}")
                failures_ja.append(f"{step.describe()}: {exc.message_ja or exc}")
                if not last:
                    self.notes.append(f"layout '{step.describe()}' failed ({exc}); "
                                      f"trying '{self.steps[i + 1].describe()}'")
                continue
            if i > 0 or step.merged:
                self._note_final(step)
            return data
        if self._fallback and timed_out:
            self.notes.append(f"{self.graph.number_of_nodes()} parties, "
                              f"{self.graph.number_of_edges()} flows: the full map did not "
                              f"finish within the time budget ({_secs(self.timeout - reserve)} s); "
                              "drawn as a summary")
            self._summarise(_auto_group(self.graph))
            try:
                return self._render_summary(fmt, start + self.timeout - time.monotonic())
            except GraphvizMissing:
                raise
            except RenderError as exc:
                failures.append(f"summary: {exc}")
                failures_ja.append(f"要約: {exc.message_ja or exc}")
        raise RenderError("no layout succeeded: " + "; ".join(failures),
                          message_ja="どの配置方法でも図を描けませんでした: " + "; ".join(failures_ja))

    def _note_final(self, step: Step) -> None:
        g = self._graph_for(step)
        what = f"drawn with {step.describe()}"
        if step.merged:
            what += (f" ({self.graph.number_of_edges()} flows as "
                     f"{g.number_of_edges()} edges)")
        if step.mode != "clusters":
            what += "; zones not drawn"
        note = what
        if note not in self.notes:
            self.notes.append(note)

    def save(self, path, fmt: str | None = None) -> list[str]:
        """Render and write ``path`` atomically (format from the extension); return the notes.

        Example:
            >>> import lineage, tempfile, pathlib
            >>> with tempfile.TemporaryDirectory() as tmp:
            ...     lineage.draw("inventories/monocollabo").save(pathlib.Path(tmp) / "map.svg")
            []
        """
        try:
            fmt = format_of(path, fmt)
        except ValueError as exc:
            raise DrawingError(str(exc)) from None
        data = self.render(fmt)
        write_atomic(path, data)
        return list(self.notes)

    def _repr_svg_(self) -> str:
        if self._svg is None:
            self._svg = self.render("svg")
        return self._svg.decode("utf-8")

    def __repr__(self) -> str:
        if self.summary is not None:
            how = (f"summary by {self.group} ({self.summary.number_of_nodes()} groups, "
                   f"{self.summary.number_of_edges()} edges)")
        else:
            how = f"layout {self.steps[0].describe()!r}"
        return (f"<Drawing {self.graph.number_of_nodes()} parties, "
                f"{self.graph.number_of_edges()} flows, {how}>")


def _as_audit(source, as_of=None) -> Audit:
    if isinstance(source, Audit):
        return source
    if isinstance(source, (Inventory, str, Path)):
        return check(source, as_of=as_of)
    raise TypeError(f"expected an Audit, Inventory or path, got {type(source).__name__}")


#: Focused views a lineage question (``trace=``, ``impact=``, ``query=``) cannot be combined with.
_VIEWS = ("item", "party", "route", "only_violations")


def _name(inv: Inventory, party: str, lang: str) -> str:
    p = next((p for p in inv.parties if p.id == party), None)
    if p is None:
        return party
    return (p.name if lang == "ja" else p.name_en) or p.name or p.name_en or party


def _question(audit: Audit, ctx: Context, *, trace, trace_from, impact, query, depth,
              as_of) -> nx.MultiDiGraph:
    """The subgraph of a lineage question, highlighted; sets the context's title and legend."""
    from ..analysis import QueryError, impact as run_impact, trace_subgraph
    from ..flownet import FlowNet
    inv, lang = audit.inventory, ctx.lang
    date = audit.as_of.isoformat()
    try:
        if trace is not None:
            sub, marked = trace_subgraph(inv, trace, frm=trace_from, as_of=as_of,
                                         depth=depth, audit=audit)
            origins = [trace_from] if trace_from is not None else FlowNet.from_inventory(
                inv).origins()
            kind = "trace"
        elif impact is not None:
            result = run_impact(audit, impact, as_of=as_of)
            sub, marked, origins, kind = result.graph, result.highlight, [impact], "impact"
        else:
            sub, marked, origins, kind = query.graph, query.highlight, [], "query"
    except QueryError as exc:
        raise DrawingError(str(exc), message_ja=exc.message_ja) from None
    flows = [k for *_, k in sub.edges(keys=True)]
    try:
        g = by_flows(audit.graph, flows, marked,
                     parties=origins if kind == "impact" or trace_from else ())
    except ViewError as exc:
        raise DrawingError(str(exc), message_ja=exc.message_ja) from None
    ctx.focus = sorted((p for p in origins if p in g), key=natural_key)
    n, k = g.number_of_edges(), sum(1 for *_, d in g.edges(data=True) if d["highlight"])
    org = _name(inv, inv.organisation, lang)
    if kind == "trace":
        item = ctx.item(trace)
        start = (_name(inv, trace_from, lang) if trace_from is not None
                 else {"en": "the data subjects and the organisation",
                       "ja": "本人と組織"}[lang])
        if lang == "ja":
            ctx.title = (f"{org} {item}の到達範囲（起点: {start}、{date} 時点）: "
                         f"{n} 件、うち伝播経路 {k} 件")
        else:
            ctx.title = (f"{org}: where {item} can go from {start} as of {date} "
                         f"({counted(n, 'flow')}, {k} on shortest routes)")
        ctx.highlight = {"en": "a shortest route of the item to each party it reaches",
                         "ja": "到達する各当事者への最短の伝播経路"}[lang]
        ctx.focus_note = {"en": "double border: where the trace starts",
                          "ja": "二重枠: 追跡の起点"}[lang]
    elif kind == "impact":
        who = _name(inv, impact, lang)
        parties = g.number_of_nodes() - 1
        if lang == "ja":
            ctx.title = (f"{org} {who}での漏えいの影響範囲（{date} 時点）: "
                         f"{n} 件、{parties} 者")
        else:
            ctx.title = (f"{org}: impact of a leak at {who} as of {date} "
                         f"({counted(n, 'flow')} to {counted(parties, 'party', 'parties')})")
        ctx.highlight = {"en": "route of the leaked data to each recipient",
                         "ja": "漏えいしたデータが各受領者に届く経路"}[lang]
        ctx.focus_note = {"en": "double border: where the leak happens",
                          "ja": "二重枠: 漏えいが起きた当事者"}[lang]
    else:
        what = query.query
        if lang == "ja":
            ctx.title = f"{org} {what} の結果（{date} 時点）: {n} 件、強調 {k} 件"
        else:
            ctx.title = f"{org}: {what} answer as of {date} ({counted(n, 'flow')}, {k} highlighted)"
        ctx.highlight = {"en": f"flows the {what} answer highlights",
                         "ja": f"{what} の結果で強調された流れ"}[lang]
    return g


def _filter_text(audit, ctx, lang, *, route, item, party, depth, only_violations) -> str:
    """What the views left out, for the title: a reader must see the map is partial."""
    if not (only_violations or item is not None or party is not None or route is not None):
        return ""  # Names compiles a pattern of every party's name: seconds at 30,000 parties
    from ..output.names import Names
    names = Names(audit.inventory, lang)
    parts = []
    if only_violations:
        parts.append("違反のフローのみ" if lang == "ja" else "violating flows only")
    if item is not None:
        parts.append(f"データ項目 {names.item(item)}" if lang == "ja" else f"item {names.item(item)}")
    if party is not None:
        parts.append(f"{names.party(party)} から {depth} ホップ" if lang == "ja"
                     else f"{depth} hop(s) around {names.party(party)}")
    if route is not None:
        parts.append(f"経路 {route_label(route, 'ja')}" if lang == "ja" else f"route {route}")
    if not parts:
        return ""
    return ("\n（" + "、".join(parts) + "）") if lang == "ja" else ("\n(" + "; ".join(parts) + ")")


def draw(source, *, lang: str = "en", font: str | None = None, only_violations: bool = False,
         item: str | None = None, party: str | None = None, depth: int | None = None,
         route: str | None = None, merge: bool = False, layout: str = "auto",
         links: str | None = None, as_of=None, timeout: float = DEFAULT_TIMEOUT,
         trace: str | None = None, trace_from: str | None = None,
         impact: str | None = None, query=None, group: str = "auto") -> Drawing:
    """Plan the flow map of ``source`` (an :class:`~lineage.audit.Audit`, inventory or path).

    Same options as ``lineage draw``: ``lang`` (``en``/``ja``) for names,
    ``font`` (a Pango family list), the focused views ``only_violations``,
    ``item``, ``party``/``depth`` (default 1 hop) and ``route``, ``merge`` for
    parallel flows, ``layout`` (``auto``, ``clusters``, ``ranked``, ``merged``,
    ``sfdp``), and ``links``, a URL template with ``{flow}`` and ``{finding}``
    that makes edges with findings link to them when the SVG is embedded in a
    report.

    Instead of a focused view, a lineage question (see ``docs/lineage.md``):
    ``trace`` (an item ID, from ``trace_from`` or the data subjects and the
    organisation, routes of at most ``depth`` flows) draws the part of the
    graph the item can reach; ``impact`` (a party ID) draws who receives the
    data a leak there exposes; ``query`` takes any answer of
    :mod:`lineage.analysis` (e.g. ``stop``) that has ``graph`` and
    ``highlight``. The routes found are highlighted (blue-framed edges, ``★
    path``), and with ``as_of`` the question ignores flows that start after it.

    ``group`` decides whether every party is drawn (see :func:`plan_grouping`):
    ``auto`` summarises (parties grouped by legal entity or role, with a note)
    only when the full map would not be laid out within ``timeout`` seconds;
    ``none`` always draws every party; ``role`` and ``entity`` always summarise.

    Example:
        >>> import lineage
        >>> d = lineage.draw("inventories/monocollabo", item="phone", only_violations=True)
        >>> sorted(k for *_, k in d.graph.edges(keys=True)), d.context.title.splitlines()[-1]
        (['F30', 'F33'], '(violating flows only; item Phone number (phone))')
        >>> t = lineage.draw("inventories/monocollabo", trace="address",
        ...                  trace_from="mailing-house")
        >>> sorted((k, d["highlight"]) for *_, k, d in t.graph.edges(keys=True, data=True))
        [('F11', True), ('F24', True), ('F44', True)]
        >>> lineage.draw("inventories/monocollabo", party="nobody")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: unknown party 'nobody'
        >>> lineage.draw("inventories/monocollabo", trace="email", route="consent")
        Traceback (most recent call last):
        lineage.drawing.DrawingError: trace= cannot be combined with route=
    """


    as_of = optional_date(as_of)  # a date or ISO text (2026-04-01)
    if lang not in ("en", "ja"):
        raise DrawingError(f"unknown language {lang!r} (known: en, ja)")
    check_links(links)  # before the inventory is loaded
    asked = [name for name, value in (("trace", trace), ("impact", impact), ("query", query))
             if value is not None]
    if len(asked) > 1:
        raise DrawingError(f"{asked[0]}= cannot be combined with {asked[1]}=")
    if trace_from is not None and trace is None:
        raise DrawingError("trace_from= needs trace=")
    if asked:
        given = {"item": item, "party": party, "route": route,
                 "only_violations": only_violations or None}
        clash = [name for name in _VIEWS if given[name] is not None]
        if clash:
            raise DrawingError(f"{asked[0]}= cannot be combined with {clash[0]}=")
        if depth is not None and trace is None:
            raise DrawingError(f"depth= does not apply to {asked[0]}=")
        if depth is not None and depth < 1:
            raise DrawingError(f"depth must be 1 or more with trace=, got {depth}")
    elif depth is None:
        depth = 1
    if depth is not None and depth < 0:
        raise DrawingError(f"depth must be 0 or more, got {depth}")
    audit = _as_audit(source, as_of)
    ctx = context_of(audit, lang=lang, font=font, links=links)
    if asked:
        g = _question(audit, ctx, trace=trace, trace_from=trace_from, impact=impact,
                      query=query, depth=depth, as_of=as_of)
    else:
        known_items = [d.id for d in audit.inventory.data_items or ()]
        try:
            g = apply_views(audit.graph, route=route, item=item, party=party, depth=depth,
                            only_violations=only_violations, known_items=known_items)
        except ViewError as exc:
            raise DrawingError(str(exc), message_ja=exc.message_ja) from None
        ctx.title += _filter_text(audit, ctx, lang, route=route, item=item, party=party,
                                  depth=depth, only_violations=only_violations)
    by, grouping_notes = plan_grouping(g, group, timeout)
    steps, notes = plan_layout(g.number_of_nodes(), g.number_of_edges(), layout=layout,
                               merge=merge)
    if by != "none":
        notes = grouping_notes  # the layout ladder's notes describe a map not drawn
    return Drawing(g, ctx, steps, notes, timeout=timeout, group=by,
                   fallback=group == "auto" and by == "none")
