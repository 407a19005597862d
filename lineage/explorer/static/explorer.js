// lineage explorer: the one ES module behind the offline page and the notebook widget.
// Inventory text reaches the DOM only through textContent and attribute values,
// never as markup. Positions of the full graph come from Python (data.parties.x/y);
// only small focused views are laid out here, in columns by hop.

const MAXDAY = 3652059; // date.max.toordinal()

const UI = {
  en: {
    overview: "Overview", full: "Full graph", search: "Search parties, items, flows",
    filters: "Filters", status: "Status", pack: "Pack", route: "Route", item: "Item",
    purpose: "Purpose", sensitive: "Sensitive items only", foreign: "Foreign recipients only",
    any: "(any)", flows: "flows", parties: "parties", flows1: "flow", parties1: "party", results1: "result", rows: "rows", rows1: "row", shown: "shown", of: "of", more: "Show more",
    png: "PNG", svg: "SVG", legend: "Legend", upstream: "Upstream (where its data came from)",
    downstream: "Downstream (affected by a leak here)", findings: "Findings", clause: "clause",
    remedy: "Remedy", policy: "Policy", items: "items", purposes: "purposes", from: "from",
    to: "to", period: "period", focus: "Focus here", trace: "Trace this item",
    traceOf: "Trace of", focusOf: "Focus on", fullOf: "All flows", list: "Flows in view",
    none: "none", role: "role", country: "country", zone: "zone", hop: "hop",
    expand: "Click a party to expand it one hop", notraced: "no trace computed for this item",
    language: "Language", notices: "Notices", results: "results", members: "members",
    reset: "Reset filters", flow: "Flow", error: "error", warning: "warning",
  },
  ja: {
    overview: "概要", full: "全体図", search: "当事者・項目・フローを検索",
    filters: "絞り込み", status: "状態", pack: "ルールパック", route: "経路", item: "項目",
    purpose: "利用目的", sensitive: "要配慮個人情報のみ", foreign: "外国にある提供先のみ",
    any: "（すべて）", flows: "件のフロー", parties: "当事者", rows: "行", shown: "件を表示", of: "件中",
    more: "さらに表示", png: "PNG", svg: "SVG", legend: "凡例",
    upstream: "上流（データの取得元）", downstream: "下流（漏えい時の影響先）",
    findings: "指摘", clause: "条項", remedy: "対応", policy: "方針", items: "項目",
    purposes: "利用目的", from: "提供元", to: "提供先", period: "期間",
    focus: "ここを中心に表示", trace: "この項目を追跡", traceOf: "追跡", focusOf: "中心",
    fullOf: "全フロー", list: "表示中のフロー", none: "なし", role: "役割", country: "国",
    zone: "区分", hop: "段", expand: "当事者をクリックすると1段ずつ展開します",
    notraced: "この項目の追跡は計算されていません", language: "言語", notices: "ライセンス表示",
    results: "件", members: "構成", reset: "絞り込みを解除", flow: "フロー",
    error: "エラー", warning: "警告",
  },
};

const STATUS_COLOUR = { violation: "#c62828", warning: "#f0a000", waived: "#7a7a7a", ok: "#5f6b7a" };
const STATUS_RANK = { ok: 0, waived: 1, warning: 2, violation: 3 };
const ROLE_FILL = {
  self: "#3f6fa8", outsourcee: "#dbe9f7", successor: "#e6dcf5", joint_user: "#dcf0dc",
  third_party: "#fbe3cc", academic: "#f5e1ec", public_body: "#e8e8e8", data_subject: "#fff5c2",
};
const ROLE_SHAPE = {
  self: "round-rectangle", outsourcee: "round-rectangle", successor: "round-rectangle",
  joint_user: "rectangle", third_party: "rectangle", academic: "tag", public_body: "barrel",
  data_subject: "ellipse",
};
const ZONE_COLUMN = { subjects: 0, org: 1, ju: 2, third: 3, public: 3 };
const PAGE = 20; // neighbours shown per party and direction before "show more"
const LIST_PAGE = 100; // rows of the flow list before "show more" (DOM size is what costs)
const DETAIL_PAGE = 50;

/** Normalise text for search: NFKC (full/half width), case-folded, katakana as hiragana. */
export function normalise(text) {
  const s = String(text ?? "").normalize("NFKC").toLowerCase();
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0);
    out += c >= 0x30a1 && c <= 0x30f6 ? String.fromCodePoint(c - 0x60) : ch;
  }
  return out;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function dayText(day) {
  if (day === null || day === undefined) return "";
  // ordinal 1 is 0001-01-01; JS Date counts from 1970-01-01 = ordinal 719163
  const d = new Date((day - 719163) * 86400000);
  return d.toISOString().slice(0, 10);
}

/** The ordinal of an ISO date (dayText's inverse). */
function dayOrdinal(text) {
  return Math.round(Date.parse(text + "T00:00:00Z") / 86400000) + 719163;
}

/** A flow that starts after the audit date, or ended before it, as the drawing labels it
 * ("planned from DAY", "ended DAY"); "" for a running flow. ``short``: a word only. */
function runningNote(F, f, asOf, lang, short = false) {
  if (F.start[f] > asOf) {
    if (short) return lang === "ja" ? "予定" : "planned";
    return lang === "ja" ? dayText(F.start[f]) + " 開始予定" : "planned from " + dayText(F.start[f]);
  }
  if (F.end[f] !== null && F.end[f] < asOf) {
    if (short) return lang === "ja" ? "終了" : "ended";
    return lang === "ja" ? dayText(F.end[f]) + " 終了" : "ended " + dayText(F.end[f]);
  }
  return "";
}

class MinHeap {
  constructor() { this.a = []; }
  get size() { return this.a.length; }
  push(day, p) {
    const a = this.a; a.push([day, p]); let i = a.length - 1;
    while (i > 0) { const j = (i - 1) >> 1; if (a[j][0] <= a[i][0]) break; [a[i], a[j]] = [a[j], a[i]]; i = j; }
  }
  pop() {
    const a = this.a; const top = a[0]; const last = a.pop();
    if (a.length) {
      a[0] = last; let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1; let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break; [a[i], a[m]] = [a[m], a[i]]; i = m;
      }
    }
    return top;
  }
}

/** The audit in memory: every view and list is a query on this one model. */
export class Model {
  constructor(data) {
    this.d = data;
    const P = data.parties, F = data.flows;
    this.nP = P.id.length; this.nF = F.id.length;
    this.partyIndex = new Map(P.id.map((id, i) => [id, i]));
    this.flowIndex = new Map(F.id.map((id, i) => [id, i]));
    this.itemIndex = new Map(data.items.id.map((id, i) => [id, i]));
    this.out = Array.from({ length: this.nP }, () => []);
    this.inn = Array.from({ length: this.nP }, () => []);
    for (let f = 0; f < this.nF; f++) { this.out[F.from[f]].push(f); this.inn[F.to[f]].push(f); }
    this.org = this.partyIndex.get(data.organisation);
    const orgEntity = this.org === undefined ? null : P.entity[this.org];
    this.orgEntity = orgEntity;
    this.subjects = new Set();
    this.origins = [];
    for (let p = 0; p < this.nP; p++) {
      if (P.role[p] === "data_subject") this.subjects.add(p);
      if (P.role[p] === "data_subject" || P.entity[p] === orgEntity) this.origins.push(p);
    }
    this.sensitive = new Set(data.items.kind.map((k, i) => (k === "sensitive" ? i : -1)).filter((i) => i >= 0));
    // Lineage follows legal entities (what one department holds, its company holds):
    // each party's entity is its first party, as FlowNet.by_entity makes it.
    const firstOf = new Map();
    this.rep = P.entity.map((e, p) => { if (!firstOf.has(e)) firstOf.set(e, p); return firstOf.get(e); });
    this.members = Array.from({ length: this.nP }, () => []);
    for (let p = 0; p < this.nP; p++) this.members[this.rep[p]].push(p);
    this.innEntity = Array.from({ length: this.nP }, () => []);
    for (let f = 0; f < this.nF; f++) this.innEntity[this.rep[F.to[f]]].push(f);
    // flows by item, then by provider's entity: the edges an item can travel
    this.byItem = new Map();
    for (let f = 0; f < this.nF; f++) {
      const from = this.rep[F.from[f]];
      for (const it of F.items[f]) {
        let m = this.byItem.get(it); if (!m) this.byItem.set(it, (m = new Map()));
        let l = m.get(from); if (!l) m.set(from, (l = []));
        l.push(f);
      }
    }
    this._search = null; this._originReach = null; this._held = null;
  }

  partyName(p, lang) { const P = this.d.parties; return lang === "ja" ? P.name[p] : P.name_en[p]; }
  itemName(i, lang) { const I = this.d.items; return lang === "ja" ? I.name[i] : I.name_en[i]; }
  purposeName(i, lang) { const I = this.d.purposes; return lang === "ja" ? I.name[i] : I.name_en[i]; }
  label(kind, key, lang) { const l = this.d.labels[kind][key]; return l ? l[lang] || l.en : key; }

  /** A flow's status under ``pack`` (the single status when packs are not split). */
  status(f, pack) {
    const by = this.d.flows.by_pack[f];
    if (pack && by) return by[pack] ?? null;
    return this.d.flows.status[f];
  }

  /** Flow indices passing the filters: the one query behind the graph, the list and the counts. */
  query(flt) {
    const F = this.d.flows, P = this.d.parties, out = [];
    for (let f = 0; f < this.nF; f++) {
      if (flt.status && this.status(f, flt.pack) !== flt.status) continue;
      if (flt.pack && !flt.status && F.by_pack[f] && !(flt.pack in F.by_pack[f])) continue;
      if (flt.route && F.route[f] !== flt.route) continue;
      if (flt.item !== undefined && flt.item !== null && flt.item !== "" && !F.items[f].includes(Number(flt.item))) continue;
      if (flt.purpose !== undefined && flt.purpose !== null && flt.purpose !== "" && !F.purposes[f].includes(Number(flt.purpose))) continue;
      if (flt.sensitive && !F.items[f].some((i) => this.sensitive.has(i))) continue;
      if (flt.foreign && P.country[F.to[f]] === "JP") continue;
      out.push(f);
    }
    return out;
  }

  counts(flows, pack) {
    const c = { ok: 0, warning: 0, violation: 0, waived: 0 };
    for (const f of flows) { const s = this.status(f, pack); if (s in c) c[s]++; }
    return c;
  }

  /** Earliest arrival of seeded items (lineage.propagation.propagate with legal
   * entities as nodes, ported); keyed by each entity's first party. */
  propagate(seeds, allow) {
    const F = this.d.flows;
    const arrival = new Map(); // entity -> Map(item -> day)
    const starts = new Map(); // item -> Map(entity -> day)
    for (const [q, items] of seeds) {
      const p = this.rep[q];
      for (const [it, day] of items) {
        const s0 = starts.get(it); if (s0 && s0.has(p) && s0.get(p) <= day) continue;
        let s = starts.get(it); if (!s) starts.set(it, (s = new Map())); s.set(p, day);
        let a = arrival.get(p); if (!a) arrival.set(p, (a = new Map())); a.set(it, day);
      }
    }
    for (const [it, sources] of starts) {
      const edges = this.byItem.get(it); if (!edges) continue;
      const best = new Map(sources); const heap = new MinHeap();
      for (const [p, day] of sources) heap.push(day, p);
      while (heap.size) {
        const [day, p] = heap.pop();
        if (best.get(p) < day) continue;
        for (const f of edges.get(p) || []) {
          if (F.end[f] !== null && F.end[f] < day) continue;
          if (allow && !allow(f)) continue;
          const when = day > F.start[f] ? day : F.start[f];
          const to = this.rep[F.to[f]]; const old = best.get(to);
          if (old === undefined || when < old) {
            best.set(to, when);
            let a = arrival.get(to); if (!a) arrival.set(to, (a = new Map())); a.set(it, when);
            heap.push(when, to);
          }
        }
      }
    }
    return arrival;
  }

  originReach() {
    if (!this._originReach) {
      const all = this.d.items.id.map((_, i) => [i, 1]);
      this._originReach = this.propagate(this.origins.map((p) => [p, all]));
    }
    return this._originReach;
  }

  carried(g) { const s = new Set(); for (const f of this.out[g]) for (const i of this.d.flows.items[f]) s.add(i); return s; }

  /** Items of data-subject groups (other than ``p``) that reach ``p``, and since when. */
  held(p) {
    const seedsOf = (skip) => [...this.subjects].filter((g) => g !== skip)
      .map((g) => [g, [...this.carried(g)].map((i) => [i, 1])]);
    if (this.subjects.has(p)) return this.propagate(seedsOf(p)).get(this.rep[p]) || new Map();
    if (!this._held) this._held = this.propagate(seedsOf(-1));
    return this._held.get(this.rep[p]) || new Map();
  }

  /** Flows that brought ``p``'s data (lineage.analysis.upstream, ported): rows
   * ``[hop, flow, items]``, a flow at each hop where some of its items are that far
   * back, with those items, by hop then flow. */
  upstream(p) {
    const F = this.d.flows; const reach = this.originReach();
    const e = this.rep[p];
    const wanted = [...(reach.get(e) || new Map()).keys()];
    const best = new Map(); // "flow item" -> [flow, item, fewest hops back]
    for (const it of wanted) {
      let frontier = [[e, MAXDAY]]; const seen = new Set([e]); let hop = 0;
      while (frontier.length) {
        hop++; const nxt = [];
        for (const [to, until] of frontier) {
          for (const f of this.innEntity[to]) {
            const from = this.rep[F.from[f]];
            // (a flow inside the entity brought it nothing; one from ``p``'s own entity
            // is its data going round, not where they came from)
            if (!F.items[f].includes(it) || F.start[f] > until || from === to || from === e) continue;
            const held = (reach.get(from) || new Map()).get(it);
            if (held === undefined || (F.end[f] !== null && F.end[f] < held)) continue;
            const key = f + " " + it; const got = best.get(key);
            if (got === undefined || got[2] > hop) best.set(key, [f, it, hop]);
            if (!seen.has(from) && !this.subjects.has(F.from[f])) {
              seen.add(from); nxt.push([from, F.end[f] ?? MAXDAY]);
            }
          }
        }
        frontier = nxt;
      }
    }
    const rows = new Map(); // "hop flow" -> [hop, flow, items]
    for (const [f, it, hop] of best.values()) {
      const key = hop + " " + f;
      if (!rows.has(key)) rows.set(key, [hop, f, []]);
      rows.get(key)[2].push(it);
    }
    for (const row of rows.values()) row[2].sort((a, b) => a - b);
    return [...rows.values()].sort((a, b) => (a[0] - b[0]) || (a[1] - b[1]));
  }

  /** Parties downstream of a leak at ``p`` (lineage.analysis.impact, ported); Map party -> flows used. */
  impact(p) {
    const held = this.held(p);
    const out = new Map();
    if (!held.size) return out;
    const F = this.d.flows;
    const subjects = new Set([...this.subjects].filter((g) => g !== p));
    // data returned to the organisation are its own again: the spread stops there
    const P = this.d.parties;
    const org = P.entity[p] === this.orgEntity ? null : this.orgEntity;
    const reach = this.propagate([[p, [...held]]],
      (f) => !subjects.has(F.from[f]) && P.entity[F.from[f]] !== org);
    // nor is the organisation a recipient its own data are exposed to
    const orgRep = org === null || this.org === undefined ? null : this.rep[this.org];
    for (const e of reach.keys()) {
      if (e === this.rep[p] || e === orgRep) continue;
      for (const other of this.members[e]) if (!subjects.has(other)) out.set(other, true);
    }
    return out;
  }

  searchIndex() {
    if (!this._search) {
      const P = this.d.parties, I = this.d.items, F = this.d.flows;
      const rows = [];
      for (let p = 0; p < this.nP; p++) rows.push(["party", p, normalise(P.id[p] + "\u0000" + P.name[p] + "\u0000" + P.name_en[p])]);
      for (let i = 0; i < I.id.length; i++) rows.push(["item", i, normalise(I.id[i] + "\u0000" + I.name[i] + "\u0000" + I.name_en[i])]);
      for (let f = 0; f < this.nF; f++) rows.push(["flow", f, normalise(F.id[f])]);
      this._search = rows;
    }
    return this._search;
  }

  search(q, limit = 30) {
    const n = normalise(q).trim(); if (!n) return { hits: [], total: 0 };
    const hits = []; let total = 0;
    for (const row of this.searchIndex()) {
      if (row[2].includes(n)) { total++; if (hits.length < limit) hits.push([row[0], row[1]]); }
    }
    return { hits, total };
  }
}

const CY_STYLE = [
  { selector: "node", style: {
    label: "data(label)", "text-wrap": "wrap", "text-max-width": "120px", "font-size": 11,
    "font-family": "Noto Sans CJK JP, IPAexGothic, sans-serif", "text-valign": "center",
    "text-halign": "center", width: 130, height: 46, shape: "data(shape)",
    "background-color": "data(fill)", "border-width": 1, "border-color": "#555", color: "#111" } },
  { selector: "node[?dark]", style: { color: "#fff" } },
  { selector: "node.ja", style: { "text-overflow-wrap": "anywhere" } },
  { selector: "node.org", style: { "border-width": 4, "border-color": "#0b1f36" } },
  { selector: "node.group", style: { width: 170, height: 70, "font-size": 13 } },
  { selector: "node.focus", style: { "border-width": 4, "border-color": "#1565c0" } },
  { selector: "node.up", style: { "border-width": 3, "border-color": "#2e7d32" } },
  { selector: "node.down", style: { "border-width": 3, "border-color": "#ad1457" } },
  { selector: "node.more", style: { shape: "round-tag", "background-color": "#f4f4f4", "border-style": "dashed", width: 110, height: 30, "font-size": 10 } },
  { selector: "node:selected", style: { "overlay-opacity": 0.15, "overlay-color": "#1565c0" } },
  { selector: "edge", style: {
    width: "data(width)", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
    "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8,
    label: "data(label)", "font-size": 10, "text-background-color": "#fff",
    "text-background-opacity": 0.85, "text-background-padding": 2 } },
  { selector: "edge[?dashed]", style: { "line-style": "dashed" } },
  { selector: "edge.hl", style: { "underlay-color": "#1565c0", "underlay-opacity": 0.35, "underlay-padding": 4 } },
  { selector: "edge:selected", style: { "underlay-color": "#1565c0", "underlay-opacity": 0.5, "underlay-padding": 5 } },
  { selector: ".big edge", style: { "curve-style": "haystack", label: "" } },
];

/** Mount the explorer in ``root``; returns its API (also set as root.lineageExplorer). */
export function mount(root, data, options = {}) {
  const cytoscape = options.cytoscape || globalThis.cytoscape;
  const M = new Model(data);
  const AS_OF = dayOrdinal(data.as_of); // the audit date, as the flows' day ordinals
  const st = {
    lang: data.lang === "ja" ? "ja" : "en", view: "overview", filters: {}, focus: [], expanded: new Set(),
    limits: new Map(), item: null, detailLimit: DETAIL_PAGE, selected: null, listLimit: LIST_PAGE, viewFlows: [], group: null,
  };
  const t = (k) => UI[st.lang][k] ?? UI.en[k];
  // "1 flow", "2 flows": English has a singular (key + "1"); Japanese counts have none
  const count = (n, k) => n + " " + ((n === 1 && UI[st.lang][k + "1"]) || t(k));
  // a rule pack by name in Japanese (個人情報保護法 (appi)), by ID in English, as the reports
  const packName = (p) => (data.pack_labels && data.pack_labels[p] ? data.pack_labels[p][st.lang === "ja" ? 1 : 0] : p);
  const readyTarget = options.readyTarget || root;
  root.classList.add("lx");
  root.replaceChildren();

  // -- skeleton -------------------------------------------------------------
  const title = el("h1", { class: "lx-title" });
  const langSel = el("select", { "aria-label": "language", "data-role": "lang",
    onchange: () => { st.lang = langSel.value; renderAll(); } },
  el("option", { value: "en" }, "English"), el("option", { value: "ja" }, "日本語"));
  langSel.value = st.lang;
  const btnOverview = el("button", { "data-role": "overview", onclick: () => showOverview() });
  const btnFull = el("button", { "data-role": "full", onclick: () => showFull() });
  const btnPng = el("button", { "data-role": "png", onclick: () => exportPng() });
  const btnSvg = el("button", { "data-role": "svg", onclick: () => exportSvg() });
  const searchBox = el("input", { type: "search", "data-role": "search", oninput: () => runSearch() });
  const searchOut = el("ul", { class: "lx-results", "data-list": "search" });
  const filterBox = el("div", { class: "lx-filters" });
  const countsLine = el("div", { class: "lx-counts", "data-role": "counts" });
  const crumb = el("div", { class: "lx-crumb", "data-role": "crumb" });
  const graphBox = el("div", { class: "lx-graph", "data-role": "graph" });
  const detail = el("div", { class: "lx-detail", "data-role": "detail" });
  const listBox = el("div", { class: "lx-list", "data-role": "list" });
  const legend = el("div", { class: "lx-legend", "data-role": "legend" });
  root.append(
    el("header", { class: "lx-head" }, title, el("div", { class: "lx-tools" }, btnOverview, btnFull, searchBox, btnPng, btnSvg, langSel)),
    searchOut,
    el("div", { class: "lx-body" },
      el("aside", { class: "lx-left" }, filterBox, countsLine, legend),
      el("main", { class: "lx-main" }, crumb, graphBox),
      el("aside", { class: "lx-right" }, detail, listBox)));

  // a host page without the stylesheet still gets a graph with room to draw
  if (!graphBox.clientHeight) graphBox.style.minHeight = "520px";
  const cy = cytoscape({ container: graphBox, style: CY_STYLE, elements: [],
    boxSelectionEnabled: false, autoungrabify: true, minZoom: 0.02, maxZoom: 4 });

  // -- node and edge data ---------------------------------------------------
  function partyNode(p, pos, cls = "") {
    const P = data.parties; const role = P.role[p];
    return { group: "nodes", data: { id: "p" + p, label: M.partyName(p, st.lang), party: p,
      shape: ROLE_SHAPE[role] || "rectangle", fill: ROLE_FILL[role] || "#eee", dark: role === "self" },
    position: pos, classes: [cls, st.lang === "ja" ? "ja" : "", p === M.org ? "org" : ""].join(" ") };
  }
  function flowEdge(f, cls = "") {
    const F = data.flows; const s = M.status(f, st.filters.pack) || F.status[f];
    const note = runningNote(F, f, AS_OF, st.lang, true);
    return { group: "edges", data: { id: "f" + f, source: "p" + F.from[f], target: "p" + F.to[f], flow: f,
      colour: STATUS_COLOUR[s] || "#5f6b7a", width: s === "violation" ? 3.5 : s === "warning" ? 2.5 : 1.2,
      dashed: s === "waived", label: F.id[f] + (note ? " (" + note + ")" : "") }, classes: cls };
  }
  function draw(elements, big = false) {
    cy.startBatch();
    cy.elements().remove();
    cy.add(elements);
    cy.endBatch();
    graphBox.classList.toggle("big", big);
    cy.style().selector("edge").style("curve-style", big ? "haystack" : "bezier").style("label", big ? "" : "data(label)").update();
    fitPositions(elements);
  }
  // Fit the view from node positions alone: cy.fit() measures every label first,
  // which costs more than the whole focus view on a large page.
  function fitPositions(elements) {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const e of elements) {
      if (e.group !== "nodes") continue;
      x1 = Math.min(x1, e.position.x - 90); x2 = Math.max(x2, e.position.x + 90);
      y1 = Math.min(y1, e.position.y - 40); y2 = Math.max(y2, e.position.y + 40);
    }
    if (!(x2 > x1)) return;
    const w = cy.width() || 800, h = cy.height() || 600; // sizes the library keeps, no reflow
    const zoom = Math.max(cy.minZoom(), Math.min(1.5, (w - 40) / (x2 - x1), (h - 40) / (y2 - y1)));
    cy.viewport({ zoom, pan: { x: w / 2 - zoom * (x1 + x2) / 2, y: h / 2 - zoom * (y1 + y2) / 2 } });
  }

  // -- views ----------------------------------------------------------------
  // one query per filter setting, shared by the graph, the list and the counts
  let cached = [null, null];
  function currentFlows() {
    const key = JSON.stringify(st.filters);
    if (cached[0] !== key) cached = [key, M.query(st.filters)];
    return cached[1];
  }

  function groupOf(p) {
    const z = data.parties.zone[p];
    return z + "|" + data.parties.role[p];
  }
  function groupLabel(key) {
    const [z, role] = key.split("|");
    // the org zone's roles speak for themselves; other zones name the zone
    if (z === "org" || z === role || (z === "subjects" && role === "data_subject")) return M.label("role", role, st.lang);
    const zone = z.startsWith("ju:") ? M.label("zone", "joint_use", st.lang) + " " + z.slice(3) : M.label("zone", z, st.lang);
    const who = M.label("role", role, st.lang);
    return (z === "third" && role === "third_party") || (z === "public" && role === "public_body") ? zone : zone + " / " + who;
  }

  function showOverview() {
    st.view = "overview"; st.group = null;
    const flows = currentFlows();
    const groups = new Map(); // key -> party count
    for (let p = 0; p < M.nP; p++) { const k = groupOf(p); groups.set(k, (groups.get(k) || 0) + 1); }
    const edges = new Map(); // "a>b" -> flows
    const within = new Map(); // flows inside one group: a count in its label, not a loop
    for (const f of flows) {
      const a = groupOf(data.flows.from[f]), b = groupOf(data.flows.to[f]);
      if (a === b) { within.set(a, (within.get(a) || 0) + 1); continue; }
      const k = a + ">" + b; let l = edges.get(k); if (!l) edges.set(k, (l = [])); l.push(f);
    }
    const cols = new Map();
    const keys = [...groups.keys()].sort();
    const els = [];
    for (const k of keys) {
      const z = k.split("|")[0]; const col = ZONE_COLUMN[z.startsWith("ju:") ? "ju" : z] ?? 3;
      const row = cols.get(col) || 0; cols.set(col, row + 1);
      const role = k.split("|")[1];
      els.push({ group: "nodes", data: { id: "g" + k, key: k, label: groupLabel(k) + "\n" + count(groups.get(k), "parties") + (within.get(k) ? " · " + count(within.get(k), "flows") : ""),
        shape: ROLE_SHAPE[role] || "rectangle", fill: ROLE_FILL[role] || "#eee", dark: role === "self" },
      position: { x: col * 300, y: row * 130 + (col % 2) * 40 }, classes: "group " + (st.lang === "ja" ? "ja" : "") });
    }
    for (const [k, fl] of edges) {
      const [a, b] = k.split(">");
      const worst = fl.reduce((w, f) => { const s = M.status(f, st.filters.pack) || "ok"; return STATUS_RANK[s] > STATUS_RANK[w] ? s : w; }, "ok");
      els.push({ group: "edges", data: { id: "e" + k, source: "g" + a, target: "g" + b, flows: fl, key: k,
        label: String(fl.length), colour: STATUS_COLOUR[worst], width: Math.min(1 + Math.log2(fl.length), 8), dashed: false } });
    }
    draw(els);
    setView(flows);
  }

  function showFull() {
    st.view = "full";
    const flows = currentFlows(); const P = data.parties;
    const els = [];
    for (let p = 0; p < M.nP; p++) els.push(partyNode(p, { x: P.x[p], y: P.y[p] }));
    for (const f of flows) els.push(flowEdge(f));
    draw(els, flows.length > 2000);
    setView(flows);
  }

  /** Focus on party ``p``: one hop up and one down; ``expand`` adds to the current focus. */
  function showFocus(p, expand = false) {
    if (!expand || st.view !== "focus") { st.focus = [p]; st.expanded = new Set([p]); st.limits = new Map(); }
    else if (!st.expanded.has(p)) { st.expanded.add(p); }
    st.view = "focus";
    drawFocus();
    selectParty(p);
  }

  function drawFocus() {
    const allowed = new Set(currentFlows());
    const F = data.flows;
    // hop offset (column) of each shown party, from the first focus party
    const col = new Map([[st.focus[0], 0]]);
    const shownFlows = new Set(); const more = [];
    const order = [st.focus[0], ...[...st.expanded].filter((p) => p !== st.focus[0])];
    for (const p of order) {
      if (!col.has(p)) continue;
      for (const [dir, list] of [["in", M.inn[p]], ["out", M.out[p]]]) {
        const fl = list.filter((f) => allowed.has(f));
        const lim = st.limits.get(p + dir) || PAGE;
        const nbrs = [...new Set(fl.map((f) => (dir === "in" ? F.from[f] : F.to[f])))];
        const keep = new Set(nbrs.slice(0, lim));
        for (const f of fl) {
          const q = dir === "in" ? F.from[f] : F.to[f];
          if (!keep.has(q) && !col.has(q)) continue;
          shownFlows.add(f);
          if (!col.has(q)) col.set(q, col.get(p) + (dir === "in" ? -1 : 1));
        }
        if (nbrs.length > lim) more.push([p, dir, lim, nbrs.length]);
      }
    }
    const byCol = new Map();
    for (const [p, c] of col) { let l = byCol.get(c); if (!l) byCol.set(c, (l = [])); l.push(p); }
    const els = [];
    for (const [c, ps] of byCol) {
      ps.sort((a, b) => (data.parties.y[a] - data.parties.y[b]) || (a - b));
      ps.forEach((p, i) => els.push(partyNode(p, { x: c * 240, y: (i - (ps.length - 1) / 2) * 80 },
        st.expanded.has(p) ? "focus" : "")));
    }
    for (const f of shownFlows) els.push(flowEdge(f));
    for (const [p, dir, lim, total] of more) {
      const c = col.get(p) + (dir === "in" ? -1 : 1);
      const n = (byCol.get(c) || []).length;
      els.push({ group: "nodes", data: { id: "m" + p + dir, label: lim + " " + t("of") + " " + total + " " + t("shown"),
        more: [p, dir], shape: "round-tag", fill: "#f4f4f4" }, position: { x: c * 240, y: ((n + 1) / 2) * 80 + 20 }, classes: "more" });
    }
    draw(els);
    setView([...shownFlows].sort((a, b) => a - b));
  }

  function showTrace(i) {
    st.view = "trace"; st.item = i;
    const ids = data.traces[data.items.id[i]];
    const allowed = new Set(currentFlows());
    const flows = (ids || []).map((id) => M.flowIndex.get(id)).filter((f) => f !== undefined && allowed.has(f));
    const ps = new Set(); for (const f of flows) { ps.add(data.flows.from[f]); ps.add(data.flows.to[f]); }
    const P = data.parties;
    const els = [...ps].map((p) => partyNode(p, { x: P.x[p], y: P.y[p] }));
    for (const f of flows) els.push(flowEdge(f, "hl"));
    draw(els);
    setView(flows);
    if (!ids) crumb.append(el("span", { class: "lx-note" }, " (" + t("notraced") + ")"));
  }

  function redraw() {
    if (st.view === "overview") showOverview();
    else if (st.view === "full") showFull();
    else if (st.view === "focus") drawFocus();
    else if (st.view === "trace") showTrace(st.item);
  }

  function setView(flows) {
    st.viewFlows = flows; st.listLimit = LIST_PAGE;
    crumb.replaceChildren();
    const name = { overview: t("overview"), full: t("fullOf"), focus: t("focusOf"), trace: t("traceOf") }[st.view];
    let what = "";
    if (st.view === "focus") what = " " + [...st.expanded].map((p) => M.partyName(p, st.lang)).join(", ");
    if (st.view === "trace") what = " " + M.itemName(st.item, st.lang);
    crumb.append(el("b", {}, name), what, " · " + count(flows.length, "flows"));
    if (st.view === "focus") crumb.append(el("span", { class: "lx-note" }, " · " + t("expand")));
    renderCounts(); renderList();
    notify();
  }

  // -- panes ----------------------------------------------------------------
  function renderCounts() {
    const c = M.counts(currentFlows(), st.filters.pack);
    countsLine.replaceChildren(...Object.entries(c).map(([s, n]) =>
      el("span", { class: "lx-count", "data-status": s }, el("i", { class: "lx-swatch", "data-status": s }), M.label("status", s, st.lang) + " " + n)));
  }

  function flowRow(f) {
    const F = data.flows;
    return el("li", { "data-id": F.id[f], "data-status": M.status(f, st.filters.pack) || "", onclick: () => selectFlow(f) },
      el("b", {}, F.id[f]), " ", M.partyName(F.from[f], st.lang), " → ", M.partyName(F.to[f], st.lang),
      " · ", M.label("route", F.route[f], st.lang), " · ", M.label("status", M.status(f, st.filters.pack) || F.status[f], st.lang),
      F.findings[f].length ? " · " + [...new Set(F.findings[f].map((x) => data.findings[x].rule))].join(", ") : "",
      runningNote(F, f, AS_OF, st.lang) ? " · " + runningNote(F, f, AS_OF, st.lang) : "");
  }

  function renderList() {
    const flows = st.viewFlows; const n = Math.min(flows.length, st.listLimit);
    const ul = el("ul", { "data-list": "flows" }, flows.slice(0, n).map(flowRow));
    const head = el("h2", {}, t("list"), " ", el("span", { "data-role": "list-count" }, n + " " + t("of") + " " + flows.length + " " + t("shown")));
    const parts = [head, ul];
    if (flows.length > n) parts.push(el("button", { "data-role": "list-more", onclick: () => { st.listLimit += LIST_PAGE; renderList(); } }, t("more")));
    listBox.replaceChildren(...parts);
  }

  function partyLink(p) {
    return el("a", { href: "#", "data-id": data.parties.id[p], onclick: (e) => { e.preventDefault(); showFocus(p); } }, M.partyName(p, st.lang));
  }

  function capped(n) {
    if (n <= st.detailLimit) return null;
    return el("div", { class: "lx-note" }, st.detailLimit + " " + t("of") + " " + n + " " + t("shown"), " ",
      el("button", { "data-role": "detail-more", onclick: () => { st.detailLimit += DETAIL_PAGE; selectParty(st.selected[1]); } }, t("more")));
  }

  function selectParty(p) {
    if (!st.selected || st.selected[0] !== "party" || st.selected[1] !== p) st.detailLimit = DETAIL_PAGE;
    st.selected = ["party", p];
    const P = data.parties; const F = data.flows;
    const up = M.upstream(p); const down = M.impact(p);
    const upFlows = [...new Set(up.map((row) => row[1]))];
    const upParties = [...new Set(upFlows.map((f) => F.from[f]))];
    const downParties = [...down.keys()].sort((a, b) => a - b);
    // mark what this view draws (the sets may hold thousands the view does not show)
    const upSet = new Set(upParties), upFlowSet = new Set(upFlows);
    cy.batch(() => {
      cy.nodes().forEach((n) => { const q = n.data("party"); n.toggleClass("up", upSet.has(q)); n.toggleClass("down", down.has(q)); });
      cy.edges().forEach((e) => { if (upFlowSet.has(e.data("flow"))) e.addClass("hl"); });
    });
    detail.replaceChildren(...[
      el("h2", {}, M.partyName(p, st.lang)),
      el("dl", {}, el("dt", {}, "ID"), el("dd", {}, P.id[p]), el("dt", {}, t("role")), el("dd", {}, M.label("role", P.role[p], st.lang)),
        el("dt", {}, t("country")), el("dd", {}, P.country[p])),
      el("button", { onclick: () => showFocus(p) }, t("focus")),
      // a flow may be listed at several hops: the rows the cap counts are said too
      el("h3", {}, t("upstream"), " (" + count(upFlows.length, "flows")
        + (up.length === upFlows.length ? "" : (st.lang === "ja" ? "、" : ", ") + count(up.length, "rows")) + ")"),
      capped(up.length),
      el("ul", { "data-list": "upstream" }, up.slice(0, st.detailLimit).map(([hop, f, items]) => el("li", { "data-id": F.id[f], "data-hop": hop, "data-party": P.id[F.from[f]] },
        t("hop") + " " + hop + ": ", el("a", { href: "#", onclick: (e) => { e.preventDefault(); selectFlow(f); } }, F.id[f]), " ", M.partyName(F.from[f], st.lang),
        " (" + items.map((i) => M.itemName(i, st.lang)).join(", ") + ")"))),
      el("h3", {}, t("downstream"), " (" + count(downParties.length, "parties") + ")"),
      capped(downParties.length),
      el("ul", { "data-list": "downstream" }, downParties.slice(0, st.detailLimit).map((q) => el("li", { "data-id": P.id[q] }, partyLink(q))))]
      .filter((node) => node !== null)); // (replaceChildren writes a null as the text "null")
    notify();
  }

  function selectFlow(f) {
    st.selected = ["flow", f];
    const F = data.flows; const lang = st.lang;
    cy.elements().unselect(); cy.$id("f" + f).select();
    const by = F.by_pack[f];
    const statusRows = by ? Object.entries(by).map(([pack, s]) => el("tr", { "data-pack": pack }, el("td", {}, packName(pack)), el("td", {}, M.label("status", s, lang))))
      : [el("tr", { "data-pack": data.packs.join(",") }, el("td", {}, data.packs.map(packName).join(", ")), el("td", {}, M.label("status", F.status[f], lang)))];
    const findings = F.findings[f].map((x) => {
      const d = data.findings[x];
      // The audit quotes a list of citations (one per clause part the inventory maps).
      const pols = Array.isArray(d.policy) ? d.policy : (d.policy ? [d.policy] : []);
      const labels = pols.map((p) => p.label).filter(Boolean).join(" / ");
      const texts = pols.map((p) => p.text).filter(Boolean).join("\n");
      return el("li", { "data-id": d.id, class: "lx-finding" },
        el("b", {}, d.rule), " ", lang === "ja" ? d.title_ja : d.title, " [", t(d.severity), d.waived ? ", " + M.label("status", "waived", lang) : "", "]",
        el("div", {}, t("clause") + ": " + (lang === "ja" && d.clause_ja ? d.clause_ja : d.clause), labels ? " — " + t("policy") + " " + labels : ""),
        texts ? el("blockquote", { "data-role": "policy" }, texts) : null,
        el("div", {}, lang === "ja" ? d.message_ja : d.message),
        el("div", {}, el("i", {}, t("remedy") + ": "), lang === "ja" ? d.remedy_ja : d.remedy));
    });
    detail.replaceChildren(
      el("h2", {}, t("flow") + " " + F.id[f]),
      el("div", {}, partyLink(F.from[f]), " → ", partyLink(F.to[f])),
      el("dl", {},
        el("dt", {}, t("route")), el("dd", { "data-role": "route" }, M.label("route", F.route[f], lang)),
        el("dt", {}, t("items")), el("dd", {}, F.items[f].map((i, n) => [n ? ", " : "", el("a", { href: "#", onclick: (e) => { e.preventDefault(); showTrace(i); } }, M.itemName(i, lang))])),
        el("dt", {}, t("purposes")), el("dd", {}, F.purposes[f].map((i) => M.purposeName(i, lang)).join(", ") || t("none")),
        el("dt", {}, t("period")), el("dd", { "data-role": "period" }, dayText(F.start[f]) + " – " + dayText(F.end[f])
          + (runningNote(F, f, AS_OF, lang) ? " (" + runningNote(F, f, AS_OF, lang) + ")" : ""))),
      el("table", { "data-role": "status-by-pack" }, el("tr", {}, el("th", {}, t("pack")), el("th", {}, t("status"))), statusRows),
      el("h3", {}, t("findings"), " (" + findings.length + ")"),
      el("ul", { "data-list": "findings" }, findings));
    notify();
  }

  function renderFilters() {
    const F = data.flows;
    const sel = (key, label, options) => {
      const s = el("select", { "data-filter": key, onchange: () => { st.filters[key] = s.value || undefined; redraw(); } },
        el("option", { value: "" }, t("any")), options.map(([v, text]) => el("option", { value: v }, text)));
      s.value = st.filters[key] ?? "";
      return el("label", {}, label, s);
    };
    const chk = (key, label) => {
      const c = el("input", { type: "checkbox", "data-filter": key, onchange: () => { st.filters[key] = c.checked || undefined; redraw(); } });
      c.checked = !!st.filters[key];
      return el("label", { class: "lx-check" }, c, label);
    };
    const routes = Object.keys(data.labels.route).filter((r) => F.route.includes(r));
    filterBox.replaceChildren(
      el("h2", {}, t("filters")),
      sel("status", t("status"), Object.keys(data.labels.status).map((s) => [s, M.label("status", s, st.lang)])),
      ...(data.packs.length > 1 ? [sel("pack", t("pack"), data.packs.map((p) => [p, packName(p)]))] : []),
      sel("route", t("route"), routes.map((r) => [r, M.label("route", r, st.lang)])),
      sel("item", t("item"), data.items.id.map((id, i) => [String(i), M.itemName(i, st.lang)])),
      sel("purpose", t("purpose"), data.purposes.id.map((id, i) => [String(i), M.purposeName(i, st.lang)])),
      chk("sensitive", t("sensitive")), chk("foreign", t("foreign")),
      el("button", { "data-role": "reset", onclick: () => { st.filters = {}; renderFilters(); redraw(); } }, t("reset")));
  }

  function renderLegend() {
    legend.replaceChildren(el("h2", {}, t("legend")),
      el("ul", {}, Object.keys(STATUS_COLOUR).map((s) => el("li", {}, el("i", { class: "lx-line", "data-status": s }), M.label("status", s, st.lang)))),
      el("ul", {}, Object.keys(ROLE_FILL).map((r) => el("li", {}, el("i", { class: "lx-box", "data-role-colour": r }), M.label("role", r, st.lang)))));
  }

  function runSearch() {
    const { hits, total } = M.search(searchBox.value);
    const label = (kind, i) => kind === "party" ? M.partyName(i, st.lang) + " (" + data.parties.id[i] + ")"
      : kind === "item" ? t("item") + ": " + M.itemName(i, st.lang) + " (" + data.items.id[i] + ")" : t("flow") + " " + data.flows.id[i];
    const act = (kind, i) => kind === "party" ? showFocus(i) : kind === "item" ? showTrace(i) : (showFocus(data.flows.from[i]), selectFlow(i));
    searchOut.replaceChildren(...(searchBox.value ? [el("li", { class: "lx-note", "data-role": "search-total" }, count(total, "results"))] : []),
      ...hits.map(([kind, i]) => el("li", { "data-kind": kind, "data-id": kind === "party" ? data.parties.id[i] : kind === "item" ? data.items.id[i] : data.flows.id[i] },
        el("a", { href: "#", onclick: (e) => { e.preventDefault(); searchOut.replaceChildren(); act(kind, i); } }, label(kind, i)))));
    return { hits: hits.map(([k, i]) => [k, k === "party" ? data.parties.id[i] : k === "item" ? data.items.id[i] : data.flows.id[i]]), total };
  }

  // -- export ---------------------------------------------------------------
  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  function exportPng() { const blob = cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 }); download(blob, "lineage-" + st.view + ".png"); return blob; }
  function svgText() {
    const NS = "http://www.w3.org/2000/svg";
    const bb = cy.elements().boundingBox({});
    const svg = document.createElementNS(NS, "svg");
    const pad = 20;
    svg.setAttribute("xmlns", NS);
    svg.setAttribute("viewBox", [bb.x1 - pad, bb.y1 - pad, bb.w + 2 * pad, bb.h + 2 * pad].join(" "));
    svg.setAttribute("width", Math.round(bb.w + 2 * pad)); svg.setAttribute("height", Math.round(bb.h + 2 * pad));
    svg.setAttribute("font-family", "Noto Sans CJK JP, IPAexGothic, sans-serif");
    const mk = (tag, attrs, text) => { const n = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v)); if (text !== undefined) n.textContent = text; return n; };
    svg.append(mk("rect", { x: bb.x1 - pad, y: bb.y1 - pad, width: bb.w + 2 * pad, height: bb.h + 2 * pad, fill: "#fff" }));
    cy.edges().forEach((e) => {
      const s = e.source().position(), d = e.target().position();
      svg.append(mk("line", { x1: s.x, y1: s.y, x2: d.x, y2: d.y, stroke: e.data("colour"), "stroke-width": e.data("width"), "stroke-dasharray": e.data("dashed") ? "6 4" : "none" }));
      if (e.data("label")) svg.append(mk("text", { x: (s.x + d.x) / 2, y: (s.y + d.y) / 2, "font-size": 10, "text-anchor": "middle" }, e.data("label")));
    });
    cy.nodes().forEach((n) => {
      const p = n.position(), w = n.width(), h = n.height();
      svg.append(mk("rect", { x: p.x - w / 2, y: p.y - h / 2, width: w, height: h, rx: 6, fill: n.data("fill") || "#eee", stroke: "#555" }));
      const lines = String(n.data("label") || "").split("\n");
      lines.forEach((line, i) => svg.append(mk("text", { x: p.x, y: p.y + (i - (lines.length - 1) / 2) * 13 + 4, "font-size": 11, "text-anchor": "middle", fill: n.data("dark") ? "#fff" : "#111" }, line)));
    });
    return new XMLSerializer().serializeToString(svg);
  }
  function exportSvg() { const text = svgText(); download(new Blob([text], { type: "image/svg+xml" }), "lineage-" + st.view + ".svg"); return text; }

  // -- events ---------------------------------------------------------------
  cy.on("tap", "node", (e) => {
    const d = e.target.data();
    if (d.more) { const [p, dir] = d.more; st.limits.set(p + dir, (st.limits.get(p + dir) || PAGE) + PAGE); drawFocus(); return; }
    if (d.key) { selectGroup(d.key); return; }
    if (st.view === "focus") { showFocus(d.party, true); return; }
    showFocus(d.party);
  });
  cy.on("tap", "edge", (e) => {
    const d = e.target.data();
    if (d.flows) { st.viewFlows = d.flows; st.listLimit = LIST_PAGE; renderList(); notify(); return; }
    selectFlow(d.flow);
  });

  function selectGroup(key) {
    st.group = key;
    const members = []; for (let p = 0; p < M.nP; p++) if (groupOf(p) === key) members.push(p);
    const ms = new Set(members);
    const flows = currentFlows().filter((f) => ms.has(data.flows.from[f]) || ms.has(data.flows.to[f]));
    st.viewFlows = flows; st.listLimit = LIST_PAGE;
    detail.replaceChildren(el("h2", {}, groupLabel(key)),
      el("h3", {}, t("members"), " (" + members.length + ")"),
      el("ul", { "data-list": "members" }, members.slice(0, LIST_PAGE).map((p) => el("li", { "data-id": data.parties.id[p] }, partyLink(p)))));
    renderList(); notify();
  }

  function notify() {
    if (options.onSelect) options.onSelect({ flows: st.viewFlows.map((f) => data.flows.id[f]),
      selected: st.selected ? [st.selected[0], st.selected[0] === "party" ? data.parties.id[st.selected[1]] : data.flows.id[st.selected[1]]] : null,
      view: st.view });
  }

  function renderAll() {
    root.setAttribute("lang", st.lang);
    const org = st.lang === "ja" ? data.org_name[0] : data.org_name[1];
    title.textContent = st.lang === "ja" ? org + " 個人データの流れ（" + data.as_of + " 時点）" : org + ": personal-data flows as of " + data.as_of;
    btnOverview.textContent = t("overview"); btnFull.textContent = t("full");
    btnPng.textContent = t("png"); btnSvg.textContent = t("svg");
    searchBox.setAttribute("placeholder", t("search")); searchBox.setAttribute("aria-label", t("search"));
    renderFilters(); renderLegend();
    redraw();
    if (st.selected) (st.selected[0] === "party" ? selectParty : selectFlow)(st.selected[1]);
  }

  renderAll();
  const api = {
    cy, model: M, state: () => ({ view: st.view, filters: { ...st.filters }, lang: st.lang,
      flows: st.viewFlows.map((f) => data.flows.id[f]), counts: M.counts(currentFlows(), st.filters.pack) }),
    focus: (id) => showFocus(M.partyIndex.get(id)), overview: showOverview, full: showFull,
    trace: (id) => showTrace(M.itemIndex.get(id)), flow: (id) => selectFlow(M.flowIndex.get(id)),
    search: (q) => { searchBox.value = q; return runSearch(); },
    filter: (f) => { st.filters = { ...f }; renderFilters(); redraw(); return api.state(); },
    setLang: (l) => { st.lang = l; langSel.value = l; renderAll(); },
    upstream: (id) => M.upstream(M.partyIndex.get(id)).map(([hop, f, items]) => [hop, data.flows.id[f], items.map((i) => data.items.id[i])]),
    impact: (id) => [...M.impact(M.partyIndex.get(id)).keys()].map((p) => data.parties.id[p]).sort(),
    svg: svgText, png: () => cy.png({ bg: "#ffffff", full: true }),
  };
  root.lineageExplorer = api;
  cy.one("render", () => readyTarget.setAttribute("data-state", "ready"));
  cy.forceRender();
  requestAnimationFrame(() => readyTarget.setAttribute("data-state", "ready"));
  // the whole-graph propagations behind upstream and impact, once the first view is up
  setTimeout(() => { M.originReach(); M.held(-1); M.searchIndex(); }, 0);
  return api;
}
