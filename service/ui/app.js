// labelq's dashboard: a client of the REST API like any other. The key lives in sessionStorage
// (this tab only) and goes in the Authorization header, never in a URL; images are fetched with
// it and shown as blob URLs. Views: #/ (projects), #/projects/{id}, #/rounds/{id}.
"use strict";

const ROOT = location.pathname.replace(/ui\/?[^/]*$/, ""); // the API's root (the page is at <root>ui/)
const KEY = "labelq.key";
const $ = (id) => document.getElementById(id);
let timer = null; // the current view's refresh
let images = []; // blob URLs of the current view, revoked when it changes

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "onclick") node.addEventListener("click", value);
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY)}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(ROOT + path.replace(/^\//, ""), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    sessionStorage.removeItem(KEY);
    route();
    throw new Error("the key was refused (401): enter it again");
  }
  const json = (res.headers.get("content-type") || "").includes("json");
  const data = json ? await res.json() : await res.blob();
  if (!res.ok) throw new Error(json ? `${res.status} ${data.error}: ${data.detail}` : `HTTP ${res.status}`);
  return data;
}

function showError(err) {
  $("error").textContent = err ? String(err.message || err) : "";
}

function show(section) {
  for (const id of ["login", "projects", "project", "round"]) $(id).hidden = id !== section;
}

function fmt(value, digits = 4) {
  return typeof value === "number" ? value.toFixed(digits) : "-";
}

// -- views ---------------------------------------------------------------------------------------

async function route() {
  clearInterval(timer);
  images.forEach((url) => URL.revokeObjectURL(url));
  images = [];
  showError(null);
  const key = sessionStorage.getItem(KEY);
  $("forget").hidden = !key;
  $("who").textContent = key ? "key entered" : "";
  if (!key) return show("login");
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  try {
    if (parts[0] === "projects" && parts[1]) await projectView(Number(parts[1]));
    else if (parts[0] === "rounds" && parts[1]) await roundView(Number(parts[1]));
    else await projectsView();
  } catch (err) {
    showError(err);
  }
}

function every(ms, fn) {
  timer = setInterval(() => fn().catch(showError), ms);
}

async function projectsView() {
  show("projects");
  const projects = await call("GET", "/projects");
  const rows = projects.map((p) =>
    el(
      "tr",
      { class: "link", "data-project": p.id, onclick: () => (location.hash = `#/projects/${p.id}`) },
      el("td", {}, p.id),
      el("td", {}, p.name),
      el("td", {}, p.classes.length),
      el("td", {}, p.budget),
      el("td", {}, p.budget_spent),
      el("td", {}, p.budget_reserved),
      el("td", {}, p.budget_left - p.budget_reserved),
    ),
  );
  $("project-rows").replaceChildren(...rows);
}

function budget(p) {
  const pct = (n) => `${p.budget ? (100 * n) / p.budget : 0}%`;
  $("budget").querySelector(".spent").style.width = pct(p.budget_spent);
  $("budget").querySelector(".reserved").style.width = pct(p.budget_reserved);
  $("budget-text").textContent =
    `budget ${p.budget}: spent ${p.budget_spent}, reserved ${p.budget_reserved}, free ${p.budget_left - p.budget_reserved}`;
}

async function projectView(id) {
  show("project");
  const [project, strategies] = await Promise.all([call("GET", `/projects/${id}`), call("GET", "/strategies")]);
  $("project-title").textContent = `${project.name} (project ${project.id})`;
  const select = $("round-strategy");
  select.replaceChildren(...strategies.map((s) => el("option", { value: s.name }, s.name)));
  select.value = project.default_strategy;
  $("round-form").onsubmit = async (event) => {
    event.preventDefault();
    try {
      const body = { project_id: id, budget: Number($("round-budget").value), strategy: select.value, wait_seconds: 0 };
      const rnd = await call("POST", "/query-batch", body);
      location.hash = `#/rounds/${rnd.id}`;
    } catch (err) {
      showError(err);
    }
  };
  $("retrain").onclick = async () => {
    try {
      const epochs = Number($("retrain-epochs").value);
      await call("POST", `/projects/${id}/train`, { objective: project.default_objective, epochs });
      await refresh();
    } catch (err) {
      showError(err);
    }
  };
  const refresh = async () => {
    const [p, metrics, jobs, sims] = await Promise.all([
      call("GET", `/projects/${id}`),
      call("GET", `/projects/${id}/metrics`),
      call("GET", `/projects/${id}/jobs?limit=10`),
      call("GET", `/projects/${id}/jobs?kind=simulate&limit=20`),
    ]);
    budget(p);
    $("stopping").textContent = metrics.stopping ? `stopping advice: ${metrics.stopping.message}` : "";
    curve(metrics.checkpoints);
    jobRows(jobs.items);
    roundRows(metrics.round_stats);
    simulationList(sims.items);
  };
  await refresh();
  every(1500, refresh);
}

function jobRows(jobs) {
  $("job-rows").replaceChildren(
    ...jobs.map((j) =>
      el(
        "tr",
        { "data-job": j.id, "data-status": j.status },
        el("td", {}, j.id),
        el("td", {}, j.kind),
        el("td", {}, j.status),
        el("td", {}, el("progress", { max: "1", value: String(j.progress) })),
        el(
          "td",
          {},
          [j.message, j.items_per_s ? `${j.items_per_s.toFixed(0)} items/s` : null, j.eta_s && j.status === "running" ? `eta ${j.eta_s.toFixed(0)} s` : null, j.error]
            .filter(Boolean)
            .join(", "),
        ),
      ),
    ),
  );
}

function roundRows(rounds) {
  $("round-rows").replaceChildren(
    ...rounds.map((r) =>
      el(
        "tr",
        { class: "link", "data-round": r.round_id, onclick: () => (location.hash = `#/rounds/${r.round_id}`) },
        el("td", {}, r.number),
        el("td", {}, r.status),
        el("td", {}, r.strategy),
        el("td", {}, r.budget),
        el("td", {}, r.selected),
        el("td", {}, r.labeled),
        el("td", {}, fmt(r.eval_accuracy)),
      ),
    ),
  );
}

// A line chart of [{x, y}] series on 0..1 accuracy; each point carries its value as a <title>.
function chart(node, series, xLabel) {
  node.replaceChildren();
  const W = 360, H = 220, L = 40, B = 30, T = 10, R = 10;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMax = Math.max(1, ...xs), xMin = Math.min(0, ...xs);
  const X = (x) => L + ((x - xMin) / (xMax - xMin || 1)) * (W - L - R);
  const Y = (y) => H - B - y * (H - B - T);
  node.append(svg("line", { class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }));
  node.append(svg("line", { class: "axis", x1: L, y1: T, x2: L, y2: H - B }));
  for (const y of [0, 0.5, 1]) {
    const label = svg("text", { x: 6, y: Y(y) + 3 });
    label.textContent = y.toFixed(1);
    node.append(label);
  }
  for (const x of xs.length ? [xMin, xMax] : []) {
    const tick = svg("text", { x: X(x) - 4, y: H - B + 12 });
    tick.textContent = String(x);
    node.append(tick);
  }
  const xl = svg("text", { x: W / 2 - 20, y: H - 6 });
  xl.textContent = xLabel;
  node.append(xl);
  for (const s of series) {
    const pts = s.points.filter((p) => typeof p.y === "number");
    if (!pts.length) continue;
    const line = svg("polyline", { class: s.cls, points: pts.map((p) => `${X(p.x)},${Y(p.y)}`).join(" ") });
    if (s.color) line.setAttribute("style", `stroke:${s.color}`);
    node.append(line);
    for (const p of pts) {
      const dot = svg("circle", { cx: X(p.x), cy: Y(p.y), r: 3, class: `point ${s.cls}`, fill: s.color || "currentColor" });
      const title = svg("title");
      title.textContent = `${s.name}: ${p.y.toFixed(4)} at ${p.x} labels`;
      dot.append(title);
      node.append(dot);
    }
  }
}

function curve(checkpoints) {
  const ready = checkpoints.filter((c) => c.metrics && typeof c.metrics.eval_accuracy === "number");
  const x = (c) => c.labels_at_training || 0;
  chart(
    $("curve"),
    [
      { name: "eval accuracy", cls: "acc", points: ready.map((c) => ({ x: x(c), y: c.metrics.eval_accuracy })) },
      { name: "ATC estimate", cls: "atc", points: ready.map((c) => ({ x: x(c), y: c.metrics.atc_estimate })) },
    ],
    "target labels",
  );
  $("curve").dataset.points = String(ready.length);
}

const COLORS = ["#3056d3", "#c2410c", "#15803d", "#7c3aed", "#be185d", "#0e7490"];

function simulationList(jobs) {
  $("simulations").replaceChildren(
    ...(jobs.length
      ? jobs.map((j) =>
          el(
            "li",
            {},
            el("a", { onclick: () => showSimulation(j.id).catch(showError) }, `simulation job ${j.id}`),
            ` ${j.status} ${Math.round(100 * j.progress)}%`,
          ),
        )
      : [el("li", { class: "note" }, "none yet (POST /projects/{id}/simulate, or labelq simulate)")]),
  );
}

async function showSimulation(jobId) {
  const sim = await call("GET", `/simulations/${jobId}`);
  if (!sim.result) throw new Error(`simulation ${jobId} has no curves yet (${sim.job.status})`);
  const series = sim.result.runs.map((run, i) => ({
    name: `${run.strategy} + ${run.objective}`,
    cls: "sim",
    color: COLORS[i % COLORS.length],
    points: run.curve.labels.map((x, k) => ({ x, y: run.curve.mean[k] })),
  }));
  $("sim-curve").hidden = false;
  chart($("sim-curve"), series, `labels bought (simulation ${jobId})`);
  $("sim-legend").replaceChildren(
    ...series.map((s) => el("span", {}, el("span", { class: "key", style: `background:${s.color}` }), ` ${s.name} `)),
  );
}

async function roundView(id) {
  show("round");
  let rnd = await call("GET", `/rounds/${id}?selections_limit=500`);
  const project = await call("GET", `/projects/${rnd.project_id}`);
  $("back").href = `#/projects/${rnd.project_id}`;
  const image = project.input_shape.length === 2 || (project.input_shape.length === 3 && [1, 3].includes(project.input_shape[0]));
  const thumbs = new Map();
  const ledger = (p) => {
    $("round-ledger").textContent =
      `budget ${p.budget}: spent ${p.budget_spent}, reserved ${p.budget_reserved}, free ${p.budget_left - p.budget_reserved}`;
  };
  ledger(project);
  const render = async () => {
    $("round-title").textContent =
      `round ${rnd.number} of ${project.name}: ${rnd.strategy}, ${rnd.status}, ${rnd.n_selections} selected`;
    const cards = [];
    for (const s of rnd.selections) {
      if (image && !thumbs.has(s.item_id)) {
        const url = URL.createObjectURL(await call("GET", `/items/${s.item_id}/image.png?size=96`));
        images.push(url);
        thumbs.set(s.item_id, url);
      }
      const parts = Object.entries(s.components || {}).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
      const labeled = s.label !== null && s.label !== undefined;
      const classes = project.classes.map((name, index) =>
        el("button", { type: "button", "data-class": index, onclick: () => label(s, index).catch(showError) }, name),
      );
      cards.push(
        el(
          "div",
          { class: labeled ? "card labeled" : "card", "data-item": s.item_id },
          image ? el("img", { src: thumbs.get(s.item_id), alt: s.external_id }) : "",
          el("div", { class: "id" }, `#${s.rank + 1} ${s.external_id}`),
          el("div", {}, `score ${fmt(s.score)}`),
          s.prediction
            ? el(
                "div",
                { class: "predicted" },
                `predicted ${project.classes[s.prediction.label]} (${fmt(s.prediction.top[0].probability, 2)})`,
              )
            : "",
          el("div", { class: "parts" }, parts),
          labeled
            ? el("div", { class: "done" }, `labeled ${project.classes[s.label]}`)
            : el("div", { class: "classes" }, ...(rnd.status === "ready" ? classes : [])),
        ),
      );
    }
    $("selections").replaceChildren(...cards);
  };
  const label = async (selection, index) => {
    await call("POST", "/labels", {
      project_id: rnd.project_id,
      round_id: rnd.id,
      annotator: "dashboard",
      labels: [{ item_id: selection.item_id, label: index }],
    });
    rnd = await call("GET", `/rounds/${id}?selections_limit=500`);
    ledger(await call("GET", `/projects/${rnd.project_id}`));
    await render();
  };
  await render();
  if (!["ready", "closed", "failed", "cancelled"].includes(rnd.status)) {
    every(1000, async () => {
      rnd = await call("GET", `/rounds/${id}?selections_limit=500`);
      await render();
      if (["ready", "closed", "failed", "cancelled"].includes(rnd.status)) clearInterval(timer);
    });
  }
}

// -- start ---------------------------------------------------------------------------------------

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("key").value.trim());
  $("key").value = "";
  route();
});
$("forget").addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  location.hash = "#/";
  route();
});
window.addEventListener("hashchange", route);
route();
