// The ork web UI's shared parts and its router: API calls (with the token
// prompt), the one live event stream, small DOM helpers, notices that never
// replace the page, and the hash routes of docs/serve.md. The pages live in
// workflow_page.js and run_page.js, the DAG in graph.js. Plain DOM code; task
// data is only ever written with textContent.
"use strict";

const TOKEN_KEY = "ork-api-token";
const view = document.getElementById("view");
let currentPage = null;  // {onEvent(event), route(parts)?, dispose()?} of the page on screen
let eventSource = null;

// ---- API -------------------------------------------------------------------

// Throws an Error carrying `status` and, for a trigger with bad inputs,
// `fields` (input name -> problem) so a form can mark each field.
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
    if (!response.ok) {
      const error = new Error(data.error ? data.error.message : `HTTP ${response.status}`);
      error.status = response.status;
      error.fields = data.error && data.error.fields;
      throw error;
    }
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
    if (value === undefined || value === null || value === false) continue;
    if (key === "onclick") element.addEventListener("click", value);
    else if (key === "class") element.className = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
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

function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : "";
}

// 850 ms, 12.3 s, 4m 05s, 2h 03m.
function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

// From `started` to `finished`, or to now while it runs.
function elapsed(started, finished) {
  if (!started) return null;
  return (finished ? Date.parse(finished) : Date.now()) - Date.parse(started);
}

// replaceChildren() would print null as text; optional parts are left out.
function setChildren(parent, ...children) {
  parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

// A page that could not load at all (unknown run, server down).
function showError(error) {
  view.replaceChildren(el("div", { class: "errors", id: "page-error" }, String(error.message || error)));
}

// A failed action (trigger, cancel, re-run): a notice above the page, which
// stays as it was, so nothing the user typed is lost.
function notify(message, kind) {
  let area = document.getElementById("notices");
  if (!area) {
    area = el("div", { id: "notices", class: "notices", role: "status" });
    document.body.appendChild(area);
  }
  const notice = el("div", { class: `notice ${kind || "error"}` }, String(message),
    el("button", { class: "close", title: "dismiss", onclick: () => notice.remove() }, "×"));
  area.appendChild(notice);
  if (kind === "info") setTimeout(() => notice.remove(), 4000);
}

// Calls `fn` at most once per `ms`, with the latest arguments.
function throttle(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}

// A button that shows it is working and cannot be pressed twice meanwhile.
function actionButton(attributes, label, action) {
  const button = el("button", attributes, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.classList.add("pending");
    try {
      await action();
    } catch (error) {
      notify(error.message || error);
    } finally {
      button.disabled = false;
      button.classList.remove("pending");
    }
  });
  return button;
}

// ---- routing ---------------------------------------------------------------

// #/ · #/runs · #/workflows/NAME · #/runs/ID · #/runs/ID/tasks/NAME. A
// route within the page on screen (another task of the same run) is handed
// to that page, which keeps its graph, zoom and logs.
async function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "").map(decodeURIComponent);
  if (currentPage && currentPage.route && currentPage.route(parts)) return;
  if (currentPage && currentPage.dispose) currentPage.dispose();
  currentPage = null;
  try {
    if (parts[0] === "workflows" && parts[1]) currentPage = await workflowPage(parts[1]);
    else if (parts[0] === "runs" && parts[1]) currentPage = await runPage(parts[1], parts[2] === "tasks" ? parts[3] : null);
    else if (parts[0] === "runs") currentPage = await runsPage();
    else currentPage = await workflowsPage();
  } catch (error) {
    showError(error);
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  connectEvents();
  route();
});
