// The ork web UI: workflows, one workflow's typed DAG, runs, and one run
// with its live graph, Gantt of attempts, outputs and streaming logs.
// Plain DOM code; task data is only ever written with textContent.
"use strict";

const TOKEN_KEY = "ork-api-token";
const view = document.getElementById("view");
let currentPage = null;  // {onEvent(event)} of the page on screen
let eventSource = null;

// ---- API -------------------------------------------------------------------

async function api(method, path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = { "Content-Type": "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && attempt === 0) {
      const given = window.prompt("This ork server needs its API token:");
      if (!given) break;
      sessionStorage.setItem(TOKEN_KEY, given.trim());
      connectEvents();
      continue;
    }
    const data = await response.json();
    if (!response.ok) throw new Error(data.error ? data.error.message : `HTTP ${response.status}`);
    return data;
  }
  throw new Error("an API token is needed");
}

// One EventSource for the whole page; the page on screen gets each event.
function connectEvents() {
  if (eventSource) eventSource.close();
  const token = sessionStorage.getItem(TOKEN_KEY);
  eventSource = new EventSource("/api/events" + (token ? `?access_token=${encodeURIComponent(token)}` : ""));
  const live = document.getElementById("live");
  eventSource.onopen = () => live.classList.add("on");
  eventSource.onerror = () => live.classList.remove("on");
  for (const kind of ["run", "task", "log"]) {
    eventSource.addEventListener(kind, (message) => {
      if (currentPage && currentPage.onEvent) currentPage.onEvent(JSON.parse(message.data));
    });
  }
}

// ---- small DOM helpers -----------------------------------------------------

function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key === "onclick") element.addEventListener("click", value);
    else if (key === "class") element.className = value;
    else element.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return element;
}

function badge(status) {
  return el("span", { class: `badge ${status || ""}`, "data-status": status || "" }, status || "—");
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

// replaceChildren() would print null as text; optional parts are left out.
function setChildren(parent, ...children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
}

function showError(error) {
  view.replaceChildren(el("div", { class: "errors" }, String(error.message || error)));
}

// Calls `fn` at most once per `ms`, with the latest arguments.
function throttle(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}

// ---- workflows list --------------------------------------------------------

async function workflowsPage() {
  const table = el("table", {}, el("thead", {}, el("tr", {}, ...["Workflow", "Last run", "Next run", "Schedule", "Tasks", ""].map((h) => el("th", {}, h)))));
  const body = el("tbody");
  table.appendChild(body);
  view.replaceChildren(el("h1", {}, "Workflows"), table);

  async function refresh() {
    const data = await api("GET", "/api/workflows");
    body.replaceChildren(...data.workflows.map((wf) => el("tr", { "data-workflow": wf.name },
      el("td", {}, el("a", { href: `#/workflows/${encodeURIComponent(wf.name)}` }, wf.name),
        wf.ok ? null : el("span", { class: "badge failed", title: "compile errors" }, `${wf.errors.length} errors`)),
      el("td", {}, wf.last_run ? el("a", { href: `#/runs/${wf.last_run.run_id}` }, badge(wf.last_run.status)) : "—"),
      el("td", {}, wf.paused ? "paused" : when(wf.next_run_at)),
      el("td", {}, wf.schedule ? `${wf.schedule}${wf.timezone ? " (" + wf.timezone + ")" : ""}` : "—"),
      el("td", {}, wf.task_count),
      el("td", {}, wf.compiled ? el("button", { onclick: () => trigger(wf.name, {}) }, "Trigger") : null,
        wf.schedule ? el("button", { onclick: async () => { await api("POST", `/api/workflows/${encodeURIComponent(wf.name)}/${wf.paused ? "unpause" : "pause"}`); refresh(); } }, wf.paused ? "Unpause" : "Pause") : null))));
  }
  await refresh();
  const later = throttle(refresh, 300);
  return { onEvent: (e) => { if (e.kind === "run") later(); } };
}

async function trigger(name, inputs) {
  const started = await api("POST", `/api/workflows/${encodeURIComponent(name)}/runs`, { inputs });
  location.hash = `#/runs/${started.run_id}`;
}

// ---- one workflow ----------------------------------------------------------

async function workflowPage(name) {
  const wf = await api("GET", `/api/workflows/${encodeURIComponent(name)}`);
  const inputFields = wf.inputs.map((input) => {
    const field = el("input", { type: "text", name: input.name, placeholder: input.required ? "required" : JSON.stringify(input.default) });
    return { input, field, label: el("label", {}, `${input.name}: ${input.type} `, field) };
  });
  const readInputs = () => {
    const values = {};
    for (const { input, field } of inputFields) {
      if (field.value === "") continue;
      try { values[input.name] = input.type === "str" ? field.value : JSON.parse(field.value); } catch { values[input.name] = field.value; }
    }
    return values;
  };
  const toolbar = el("div", { class: "toolbar" }, ...inputFields.map((f) => f.label),
    wf.compiled ? el("button", { id: "trigger", onclick: () => trigger(wf.name, readInputs()).catch(showError) }, "Trigger run") : null,
    wf.schedule ? el("button", { onclick: async () => { await api("POST", `/api/workflows/${encodeURIComponent(name)}/${wf.paused ? "unpause" : "pause"}`); route(); } }, wf.paused ? "Unpause schedule" : "Pause schedule") : null,
    el("span", { class: "muted" }, wf.schedule ? `schedule ${wf.schedule} · next ${wf.paused ? "paused" : when(wf.next_run_at)}` : "no schedule"));
  const errors = wf.errors.length
    ? el("div", { class: "errors" }, (wf.compiled ? "This file no longer compiles; the last good version is still served.\n" : "") +
        wf.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join("\n"))
    : null;
  const graph = el("div", { class: "graph", id: "dag" });
  const runs = el("tbody");
  setChildren(view, el("h1", {}, wf.name), el("div", { class: "muted" }, wf.description || "", ` · ${wf.file}`),
    toolbar, errors, graph, el("h2", {}, "Recent runs"), el("table", {}, runs));
  if (wf.tasks.length) drawDag(graph, wf.tasks, null);

  async function refreshRuns() {
    const data = await api("GET", `/api/runs?workflow=${encodeURIComponent(name)}&limit=20`);
    runs.replaceChildren(...data.runs.map((run) => el("tr", {},
      el("td", {}, el("a", { href: `#/runs/${run.run_id}` }, run.run_id)), el("td", {}, badge(run.status)),
      el("td", {}, run.trigger), el("td", {}, when(run.created_at)))));
  }
  await refreshRuns();
  const later = throttle(refreshRuns, 300);
  return { onEvent: (e) => { if (e.kind === "run") later(); } };
}

// ---- runs list -------------------------------------------------------------

async function runsPage() {
  const body = el("tbody");
  const more = el("button", {}, "More");
  view.replaceChildren(el("h1", {}, "Runs"), el("table", {}, body), more);
  let cursor = null;
  async function load(reset) {
    const data = await api("GET", "/api/runs?limit=50" + (!reset && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""));
    const rows = data.runs.map((run) => el("tr", {},
      el("td", {}, el("a", { href: `#/runs/${run.run_id}` }, run.run_id)), el("td", {}, run.workflow),
      el("td", {}, badge(run.status)), el("td", {}, run.trigger), el("td", {}, when(run.created_at))));
    if (reset) body.replaceChildren(...rows); else body.append(...rows);
    cursor = data.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => load(false));
  await load(true);
  const later = throttle(() => load(true), 300);
  return { onEvent: (e) => { if (e.kind === "run") later(); } };
}

// ---- one run -----------------------------------------------------------------

async function runPage(id) {
  let run = await api("GET", `/api/runs/${encodeURIComponent(id)}`);
  let selected = null;
  let logCursor = 0;
  const status = el("span", { id: "run-status" });
  const cancel = el("button", { id: "cancel", onclick: () => api("POST", `/api/runs/${id}/cancel`).catch(showError) }, "Cancel");
  const graph = el("div", { class: "graph", id: "dag" });
  const gantt = el("div", { class: "gantt", id: "gantt" });
  const detail = el("div", { class: "panel", id: "task-detail" }, el("span", { class: "muted" }, "Select a task to see its output, error and logs."));
  view.replaceChildren(
    el("h1", {}, `Run ${id} `, status),
    el("div", { class: "toolbar" }, el("a", { href: `#/workflows/${encodeURIComponent(run.workflow)}` }, run.workflow),
      el("span", { class: "muted" }, `trigger ${run.trigger} · created ${when(run.created_at)}`), cancel),
    graph, el("div", { class: "columns" }, el("div", {}, el("h2", {}, "Timeline"), gantt), el("div", {}, el("h2", {}, "Task"), detail)));
  const dag = drawDag(graph, run.graph, (task) => selectTask(task));

  function render() {
    status.replaceChildren(badge(run.status));
    cancel.hidden = run.status !== "running" && run.status !== "pending";
    for (const [task, state] of Object.entries(run.tasks)) dag.setStatus(task, state.status);
    renderGantt();
    if (selected) renderDetail();
  }

  function renderGantt() {
    const attempts = run.attempts.filter((a) => a.started_at);
    const start = Math.min(...attempts.map((a) => Date.parse(a.started_at)), Date.now());
    const end = Math.max(...attempts.map((a) => (a.finished_at ? Date.parse(a.finished_at) : Date.now())), start + 1);
    const span = end - start;
    const rows = new Map();
    for (const a of attempts) {
      if (!rows.has(a.task)) {
        const track = el("div", { class: "track" });
        rows.set(a.task, { row: el("div", { class: "row", "data-task": a.task }, el("div", { class: "label" }, a.task), track), track });
      }
      const left = ((Date.parse(a.started_at) - start) / span) * 100;
      const width = (((a.finished_at ? Date.parse(a.finished_at) : Date.now()) - Date.parse(a.started_at)) / span) * 100;
      const bar = el("div", { class: `bar ${a.status}`, title: `${a.task} attempt ${a.attempt}: ${a.status}` });
      bar.style.left = `${left}%`;
      bar.style.width = `${Math.max(width, 0.2)}%`;
      rows.get(a.task).track.appendChild(bar);
    }
    gantt.replaceChildren(...[...rows.values()].map((r) => r.row));
  }

  function renderDetail() {
    const state = run.tasks[selected] || {};
    const logs = el("div", { class: "logs", id: "logs" });
    setChildren(detail, el("h3", {}, selected, " ", badge(state.status)),
      el("div", { class: "muted" }, `attempts ${state.attempts || 0} · started ${when(state.started_at)} · finished ${when(state.finished_at)}`),
      el("h4", {}, "Output"), el("pre", { id: "task-output" }, JSON.stringify(state.output, null, 2)),
      state.error ? el("h4", {}, "Error") : null, state.error ? el("pre", { class: "errors" }, state.error) : null,
      el("h4", {}, "Logs"), logs);
    logCursor = 0;
    loadLogs();
  }

  async function loadLogs() {
    const task = selected;
    const logs = document.getElementById("logs");
    if (!task || !logs) return;
    for (let page = 0; page < 100; page++) {
      const data = await api("GET", `/api/runs/${id}/tasks/${encodeURIComponent(task)}/logs?cursor=${logCursor}`);
      if (task !== selected) return;
      for (const line of data.lines) logs.appendChild(el("div", { class: line.stream }, line.line));  // text, never HTML
      logCursor = data.next_cursor;
      if (!data.more) break;
    }
    logs.scrollTop = logs.scrollHeight;
  }

  function selectTask(task) {
    selected = task;
    dag.select(task);
    renderDetail();
  }

  const refresh = throttle(async () => { run = await api("GET", `/api/runs/${encodeURIComponent(id)}`); render(); }, 150);
  const moreLogs = throttle(loadLogs, 100);
  render();
  return {
    onEvent(e) {
      if (e.run_id !== id) return;
      if (e.kind === "task" && e.task) dag.setStatus(e.task, e.status);
      if (e.kind === "log") { if (e.task === selected) moreLogs(); return; }
      refresh();
    },
  };
}

// ---- routing ---------------------------------------------------------------

async function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  currentPage = null;
  try {
    if (parts[0] === "workflows" && parts[1]) currentPage = await workflowPage(parts[1]);
    else if (parts[0] === "runs" && parts[1]) currentPage = await runPage(parts[1]);
    else if (parts[0] === "runs") currentPage = await runsPage();
    else currentPage = await workflowsPage();
  } catch (error) {
    showError(error);
  }
}

window.addEventListener("hashchange", route);
connectEvents();
route();
