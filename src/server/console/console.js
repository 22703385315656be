// The sluice console: the pipeline graph, live per-sink counters and a SQL box, over the API of
// `sluice serve` (docs/server.md). Plain JS, no build step. Everything the server sends is put
// into the page as text (textContent), never as HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "sluice.token";
let token = "";
let socket = null;
let previous = null;  // the last snapshot, for rows/s
let graphShape = "";  // the drawn graph's nodes and edges: redrawn only when they change

function $(id) { return document.getElementById(id); }

function element(tag, attributes, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4))
                                   : document.createElement(tag);
  for (const [k, v] of Object.entries(attributes || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function api(method, path, body) {
  const options = { method, headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  return fetch(path, options).then(async (r) => ({ status: r.status, json: await r.json() }));
}

// ---- the token ---------------------------------------------------------------------------

// From #token=... (then taken out of the address bar), else this tab's storage, else asked.
function start() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, "", location.pathname);
  }
  token = sessionStorage.getItem(TOKEN_KEY) || "";
  if (!token) return askToken("");
  api("GET", "/api/v1/graph").then(({ status, json }) => {
    if (status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      return askToken("That token is not this server's.");
    }
    $("login").hidden = true;
    $("console").hidden = false;
    if (status === 200) drawGraph(json);
    connect();
  }, () => setConnection("closed", "server unreachable"));
}

function askToken(problem) {
  $("console").hidden = true;
  $("login").hidden = false;
  setConnection("closed", problem || "not connected");
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
  start();
});

// ---- the live feed (/ws/console) ---------------------------------------------------------

function setConnection(state, text) {
  const e = $("connection");
  e.dataset.state = state;
  e.textContent = text;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws/console?token=${encodeURIComponent(token)}`);
  socket.onopen = () => setConnection("open", "live");
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.graph !== undefined) update(message);  // ({"missed": K}: older snapshots skipped)
  };
  socket.onclose = () => {
    setConnection("closed", "disconnected: reconnecting");
    socket = null;
    setTimeout(connect, 2000);
  };
}

function update(snapshot) {
  if (snapshot.graph) drawGraph(snapshot.graph);
  drawSinks(snapshot, previous);
  const error = $("pipeline-error");
  error.hidden = !snapshot.error;
  error.textContent = snapshot.error ? `${snapshot.error.code}: ${snapshot.error.message}` : "";
  previous = snapshot;
}

// ---- the graph: sources → streams and views → sinks, one column per depth -----------------

function inputsOf(node, names) {
  if (!node.input) return [];
  return node.input.split(/[\s,]+/).filter((name) => names.has(name));
}

function drawGraph(graph) {
  const nodes = graph.nodes || [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const edges = new Set();
  for (const n of nodes) {
    for (const from of inputsOf(n, byName)) edges.add(from + "\u0000" + n.name);
    for (const to of n.outputs || []) if (byName.has(to)) edges.add(n.name + "\u0000" + to);
  }
  const shape = JSON.stringify([nodes.map((n) => [n.name, n.kind]), [...edges].sort()]);
  if (shape !== graphShape) {
    graphShape = shape;
    layout(nodes, byName, edges);
  }
  // The counters change every snapshot; the boxes only when the graph does.
  const sinks = graph.sinks || {};
  for (const n of nodes) {
    const box = $("graph").querySelector(`g.node[data-node="${CSS.escape(n.name)}"] .detail`);
    if (!box) continue;
    const rows = n.kind === "sink" && sinks[n.name] ? sinks[n.name].rows : n.rows_out;
    box.textContent = `${n.kind} · ${Number(rows).toLocaleString("en")} rows`;
  }
}

function layout(nodes, byName, edges) {
  const depth = new Map();
  const depthOf = (n, seen) => {
    if (depth.has(n.name)) return depth.get(n.name);
    if (seen.has(n.name)) return 0;  // never expected: the graph is acyclic
    seen.add(n.name);
    const inputs = inputsOf(n, byName);
    const d = inputs.length === 0 ? 0 : 1 + Math.max(...inputs.map((i) => depthOf(byName.get(i), seen)));
    depth.set(n.name, d);
    return d;
  };
  const columns = [];
  for (const n of nodes) {
    // Sinks in the last column, so every arrow into one points right.
    const d = depthOf(n, new Set());
    (columns[d] = columns[d] || []).push(n);
  }
  const maxDepth = Math.max(0, ...nodes.filter((n) => n.kind !== "sink").map((n) => depth.get(n.name)));
  const placed = columns.flat().map((n) => ({ n, d: n.kind === "sink" ? Math.max(maxDepth + 1, depth.get(n.name)) : depth.get(n.name) }));
  const perColumn = new Map();
  const W = 190, H = 46, DX = 250, DY = 64, M = 16;
  const at = new Map();
  for (const { n, d } of placed) {
    const row = perColumn.get(d) || 0;
    perColumn.set(d, row + 1);
    at.set(n.name, { x: M + d * DX, y: M + row * DY });
  }
  const svg = $("graph");
  svg.replaceChildren();
  const defs = element("svg:defs");
  const marker = element("svg:marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
                                         markerWidth: "8", markerHeight: "8", orient: "auto" });
  marker.append(element("svg:path", { d: "M0,0 L10,5 L0,10 z", fill: "#8a97a5" }));
  defs.append(marker);
  svg.append(defs);
  for (const edge of edges) {
    const [from, to] = edge.split("\u0000");
    const a = at.get(from), b = at.get(to);
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    const mid = (x1 + x2) / 2;
    svg.append(element("svg:path", { class: "edge", "data-from": from, "data-to": to,
                                     d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }));
  }
  for (const n of nodes) {
    const { x, y } = at.get(n.name);
    const g = element("svg:g", { class: "node", "data-node": n.name, "data-kind": n.kind,
                                 transform: `translate(${x},${y})` });
    g.append(element("svg:rect", { width: W, height: H }));
    g.append(element("svg:text", { class: "name", x: 10, y: 19 }, n.name));
    g.append(element("svg:text", { class: "detail", x: 10, y: 36 }, n.kind));
    const title = element("svg:title", {}, n.plan || n.kind);
    g.append(title);
    svg.append(g);
  }
  const columnsUsed = Math.max(1, ...placed.map(({ d }) => d + 1));
  const rowsUsed = Math.max(1, ...perColumn.values());
  svg.setAttribute("viewBox", `0 0 ${2 * M + (columnsUsed - 1) * DX + W} ${2 * M + (rowsUsed - 1) * DY + H}`);
  svg.style.height = `${2 * M + (rowsUsed - 1) * DY + H}px`;
}

// ---- sinks: rows, rows/s (from two snapshots), queue depth, errors ------------------------

function drawSinks(snapshot, before) {
  const body = $("sinks").querySelector("tbody");
  const earlier = new Map(((before && before.sinks) || []).map((s) => [s.name, s]));
  const seconds = before ? (snapshot.time_ms - before.time_ms) / 1000 : 0;
  const rowsBefore = new Map([...body.rows].map((tr) => [tr.dataset.sink, tr]));
  body.replaceChildren();
  for (const sink of snapshot.sinks || []) {
    const m = sink.metrics || {};
    const old = earlier.get(sink.name);
    let rate = "";
    if (old && old.metrics && seconds > 0) {
      rate = Math.max(0, (m.rows - old.metrics.rows) / seconds).toFixed(0);
    } else if (rowsBefore.has(sink.name)) {
      rate = rowsBefore.get(sink.name).querySelector(".rate").textContent;
    }
    const tr = element("tr", { "data-sink": sink.name });
    const cell = (cls, value, numeric) => tr.append(element("td", { class: cls + (numeric ? " num" : "") }, value));
    cell("name", sink.name);
    cell("state", m.state || "");
    cell("rows", m.rows ?? "", true);
    cell("rate", rate, true);
    cell("queue", m.queue_depth ?? "", true);
    cell("errors", m.write_errors ?? "", true);
    cell("dropped", m.dropped_rows ?? "", true);
    cell("last-error", m.last_error || "");
    body.append(tr);
  }
}

// ---- the SQL box (POST /api/v1/sql) ------------------------------------------------------

function showResult(status, json) {
  const out = $("sql-result");
  out.replaceChildren();
  out.dataset.status = String(status);
  if (json.error) {
    const where = json.error.line ? ` at line ${json.error.line}, column ${json.error.column}` : "";
    out.append(element("div", { class: "sql-error" }, `${json.error.code}${where}: ${json.error.message}`));
    return;
  }
  out.append(element("div", { class: "message" }, json.message));
  if (!json.columns) return;
  const table = element("table", { class: "rows" });
  const head = element("tr");
  for (const c of json.columns) head.append(element("th", { title: c.type }, c.name));
  table.append(head);
  for (const row of json.rows) {
    const tr = element("tr");
    for (const c of json.columns) {
      const v = row[c.name];
      tr.append(element("td", {}, v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : v));
    }
    table.append(tr);
  }
  out.append(table);
}

$("sql-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const sql = $("sql-input").value;
  if (!sql.trim()) return;
  $("sql-run").disabled = true;
  api("POST", "/api/v1/sql", { sql })
    .then(({ status, json }) => showResult(status, json),
          (e) => showResult(0, { error: { code: "network", message: String(e) } }))
    .finally(() => { $("sql-run").disabled = false; });
});

$("sql-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("sql-form").requestSubmit();
});

start();
