// The dashboard: reads the node's read-only endpoints every two seconds and draws them.
// Calls per second and mean turn time per kind come from two successive /metrics scrapes;
// the page keeps five minutes of them for the sparklines.
"use strict";

const REFRESH_MS = 2000;
const HISTORY_MS = 5 * 60 * 1000;
const history = new Map(); // kind -> [{at, rate, meanMs}]
let previous = null; // the last scrape's per-kind totals

const element = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};

function fill(testid, rows, columns, empty) {
  const body = document.querySelector(`[data-testid="${testid}"] tbody`);
  body.replaceChildren();
  if (rows.length === 0) {
    const row = element("tr");
    const cell = element("td", empty, "empty");
    cell.colSpan = columns;
    row.append(cell);
    body.append(row);
    return;
  }
  for (const cells of rows) {
    const row = element("tr");
    for (const cell of cells) row.append(cell instanceof Node ? cell : element("td", String(cell)));
    body.append(row);
  }
}

async function json(path) {
  const reply = await fetch(path, { cache: "no-store" });
  if (!reply.ok) throw new Error(`${path}: ${reply.status}`);
  return reply.json();
}

// Per kind: turns so far and the sum of their durations, from the Prometheus text.
function totals(text) {
  const kinds = new Map();
  const entry = (kind) => kinds.get(kind) ?? kinds.set(kind, { calls: 0, seconds: 0 }).get(kind);
  for (const line of text.split("\n")) {
    const match = /^(granary_grain_call_duration_seconds_(?:count|sum))\{kind="([^"]*)"\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, name, kind, value] = match;
    if (name.endsWith("count")) entry(kind).calls = Number(value);
    else entry(kind).seconds = Number(value);
  }
  return kinds;
}

function record(now, current) {
  if (previous) {
    const seconds = (now - previous.at) / 1000;
    for (const [kind, total] of current) {
      const before = previous.kinds.get(kind) ?? { calls: 0, seconds: 0 };
      const calls = total.calls - before.calls;
      const point = { at: now, rate: calls / seconds, meanMs: calls > 0 ? ((total.seconds - before.seconds) / calls) * 1000 : null };
      const points = (history.get(kind) ?? []).filter((p) => now - p.at <= HISTORY_MS);
      points.push(point);
      history.set(kind, points);
    }
  }
  previous = { at: now, kinds: current };
}

function sparkline(points) {
  const width = 160, height = 24;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  if (points.length > 1) {
    const top = Math.max(...points.map((p) => p.rate), 1);
    const start = points[0].at, span = Math.max(points[points.length - 1].at - start, 1);
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", points.map((p) => `${((p.at - start) / span) * width},${height - (p.rate / top) * (height - 2) - 1}`).join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#1a7f37");
    svg.append(line);
  }
  const cell = element("td");
  cell.append(svg);
  return cell;
}

const bytes = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`);
const short = (version) => (version ?? "").slice(0, 12);

async function refresh() {
  const now = Date.now();
  const prefix = document.getElementById("prefix").value;
  const [node, cluster, kinds, grains, faults, metrics] = await Promise.all([
    json("/v1/node"),
    json("/v1/cluster"),
    json("/v1/kinds"),
    json(`/v1/grains?prefix=${encodeURIComponent(prefix)}`),
    json("/v1/faults"),
    fetch("/metrics", { cache: "no-store" }).then((reply) => (reply.ok ? reply.text() : "")),
  ]);
  record(now, totals(metrics));
  document.getElementById("node").textContent = `${cluster.cluster} · ${node.node} · ${cluster.provider}`;

  fill("members", cluster.members.map((member) => {
    const counts = Object.entries(member.grains_per_kind ?? {}).map(([kind, n]) => `${kind}: ${n}`).join(", ");
    return [member.id, element("td", member.status, `status-${member.status}`), (member.roles ?? []).join(", ") || "-",
      member.hosting ? "yes" : "no (proxy)", member.unreachable ? `unreachable: ${member.unreachable}` : counts || "none"];
  }), 5, "no members");

  fill("kinds", kinds.map((kind) => {
    const points = history.get(kind.name) ?? [];
    const last = points[points.length - 1];
    const settings = kind.settings ?? {};
    const described = `idle ${settings.idle_timeout_ms / 1000} s · memory ${bytes(settings.max_memory_bytes)} · limit ${settings.time_limit_ms / 1000} s`;
    return [kind.name, element("td", short(kind.version)), (kind.previous_versions ?? []).map(short).join(", ") || "-", described,
      last ? last.rate.toFixed(1) : "-", last && last.meanMs !== null ? `${last.meanMs.toFixed(3)} ms` : "-", sparkline(points)];
  }), 7, "no kinds pushed");

  fill("grains", grains.map((grain) => [`${grain.grain.kind}/${grain.grain.identity}`, short(grain.version),
    `${(grain.idle_ms / 1000).toFixed(1)} s`, bytes(grain.memory_bytes)]), 4, "no live grains");

  fill("faults", faults.slice().reverse().map((fault) => [new Date(fault.at_unix_ms).toLocaleTimeString(), fault.grain,
    fault.method, fault.error]), 4, "no faults");
  document.getElementById("updated").textContent = `updated ${new Date(now).toLocaleTimeString()}`;
}

async function loop() {
  try {
    await refresh();
  } catch (error) {
    document.getElementById("updated").textContent = `cannot reach the node: ${error.message}`;
  }
  setTimeout(loop, REFRESH_MS);
}

document.getElementById("prefix").addEventListener("input", () => refresh().catch(() => {}));
loop();
