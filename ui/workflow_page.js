// The workflow pages of the UI: the workflows list, one workflow (its inputs
// form typed from the workflow's `inputs:`, its DAG, the grid of recent runs
// by task) and the list of all runs.
"use strict";

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
      el("td", {}, wf.paused ? "paused" : nextRun(wf)),
      el("td", {}, wf.schedule ? `${wf.schedule}${wf.timezone ? " (" + wf.timezone + ")" : ""}` : "—"),
      el("td", {}, wf.task_count),
      // Triggering asks for the inputs on the workflow's page: no one-click
      // start of a large run from the list.
      el("td", {}, wf.compiled ? el("a", { class: "button", href: `#/workflows/${encodeURIComponent(wf.name)}` }, "Trigger…") : null,
        wf.schedule ? actionButton({}, wf.paused ? "Unpause" : "Pause", async () => { await api("POST", `/api/workflows/${encodeURIComponent(wf.name)}/${wf.paused ? "unpause" : "pause"}`); refresh(); }) : null))));
  }
  await refresh();
  const later = throttle(refresh, 300);
  return { onEvent: (e) => { if (e.kind === "run") later(); } };
}

// The next scheduled time with its zone, so no one guesses whose clock it is.
function nextRun(wf) {
  if (!wf.next_run_at) return "—";
  const zone = wf.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Date(wf.next_run_at).toLocaleString([], { timeZone: zone, timeZoneName: "short" });
  } catch {
    return when(wf.next_run_at);
  }
}

// ---- one workflow ----------------------------------------------------------

async function workflowPage(name) {
  const wf = await api("GET", `/api/workflows/${encodeURIComponent(name)}`);
  const form = inputsForm(wf);
  const toolbar = el("div", { class: "toolbar" },
    wf.schedule ? actionButton({}, wf.paused ? "Unpause schedule" : "Pause schedule", async () => { await api("POST", `/api/workflows/${encodeURIComponent(name)}/${wf.paused ? "unpause" : "pause"}`); route(); }) : null,
    el("span", { class: "muted" }, wf.schedule ? `schedule ${wf.schedule} · next ${wf.paused ? "paused" : nextRun(wf)}` : "no schedule"));
  const errors = wf.errors.length
    ? el("div", { class: "errors" }, (wf.compiled ? "This file no longer compiles; a trigger runs the last good version.\n" : "") +
        wf.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join("\n"))
    : null;
  const graph = el("div", { class: "graph", id: "dag" });
  const grid = el("div", { class: "run-grid", id: "run-grid" });
  setChildren(view, el("h1", {}, wf.name), el("div", { class: "muted" }, wf.description || "", ` · ${wf.file}`),
    toolbar, errors, form.element, graph, el("h2", {}, "Recent runs"), grid);
  if (wf.tasks.length) drawDag(graph, wf.tasks, { onSelect: null });

  async function refreshRuns() {
    const data = await api("GET", `/api/runs?workflow=${encodeURIComponent(name)}&limit=20`);
    const details = await Promise.all(data.runs.map((run) => api("GET", `/api/runs/${run.run_id}`).catch(() => null)));
    renderRunGrid(grid, wf.tasks.map((t) => t.name), details.filter((d) => d));
  }
  await refreshRuns();
  const later = throttle(refreshRuns, 500);
  return { onEvent: (e) => { if (e.kind === "run" || e.kind === "task") later(); } };
}

// The inputs form: a checkbox for `bool`, number fields for `int`/`float`,
// text for the rest (JSON for structured types), each with its description
// and an error line of its own. Values are checked here and again by the
// server, whose per-field answer lands next to the same fields; the form is
// never replaced, so nothing typed is lost.
function inputsForm(wf) {
  const fields = wf.inputs.map((input) => inputField(input));
  const formError = el("div", { class: "field-error", id: "form-error" });
  const submit = el("button", { id: "trigger", type: "submit", disabled: !wf.compiled }, "Trigger run");
  const element = el("form", { class: "inputs-form", id: "inputs-form", novalidate: true },
    fields.length ? el("div", { class: "fields" }, fields.map((f) => f.element)) : null,
    el("div", { class: "toolbar" }, submit, formError));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.textContent = "";
    let bad = 0;
    const values = {};
    for (const f of fields) {
      const { value, problem, given } = f.read();
      f.showError(problem);
      if (problem) bad++;
      else if (given) values[f.input.name] = value;
    }
    if (bad) {
      formError.textContent = `${bad} ${bad === 1 ? "input needs" : "inputs need"} fixing`;
      return;
    }
    if (wf.errors.length && !window.confirm(`${wf.file} no longer compiles; run its last good version?`)) return;
    submit.disabled = true;
    try {
      const started = await api("POST", `/api/workflows/${encodeURIComponent(wf.name)}/runs`, { inputs: values, trigger: "ui" });
      location.hash = `#/runs/${started.run_id}`;
    } catch (error) {
      for (const f of fields) f.showError(error.fields ? error.fields[f.input.name] : null);
      const unplaced = error.fields ? Object.keys(error.fields).filter((k) => !fields.some((f) => f.input.name === k)) : [];
      formError.textContent = error.fields && !unplaced.length ? `${Object.keys(error.fields).length} ${Object.keys(error.fields).length === 1 ? "input was" : "inputs were"} refused by the server` : error.message;
    } finally {
      submit.disabled = !wf.compiled;
    }
  });
  return { element };
}

// One field of the inputs form; read() returns {value, problem, given}.
function inputField(input) {
  const id = `input-${input.name}`;
  const error = el("div", { class: "field-error", id: `${id}-error` });
  let control;
  if (input.kind === "bool") {
    control = el("input", { type: "checkbox", id, name: input.name, checked: input.default === true });
  } else {
    const placeholder = input.required ? "required" : `default ${JSON.stringify(input.default)}`;
    const mode = input.kind === "int" ? "numeric" : input.kind === "float" ? "decimal" : undefined;
    control = el("input", { type: input.kind === "date" ? "date" : "text", id, name: input.name, placeholder, inputmode: mode, autocomplete: "off" });
  }
  const label = el("label", { for: id }, el("span", { class: "name" }, input.name), " ",
    el("span", { class: "type", title: input.type_structural || input.type }, input.type));
  const element = el("div", { class: "field", "data-input": input.name },
    input.kind === "bool" ? el("div", { class: "check" }, control, label) : [label, control],
    input.description ? el("div", { class: "muted description" }, input.description) : null, error);

  function read() {
    if (input.kind === "bool") return { value: control.checked, given: true };
    const text = control.value.trim();
    if (text === "") return input.required ? { problem: `required (${input.type})` } : { given: false };
    if (input.kind === "int") {
      if (!/^[+-]?\d+$/.test(text)) return { problem: `"${text}" is not a whole number (${input.type})` };
      return { value: Number(text), given: true };
    }
    if (input.kind === "float") {
      const number = Number(text);
      if (!Number.isFinite(number)) return { problem: `"${text}" is not a number (${input.type})` };
      return { value: number, given: true };
    }
    if (input.kind === "str" || input.kind === "date" || input.kind === "datetime") return { value: control.value, given: true };
    try {
      return { value: JSON.parse(text), given: true };
    } catch {
      return { problem: `not valid JSON for ${input.type}` };
    }
  }
  function showError(problem) {
    error.textContent = problem || "";
    element.classList.toggle("invalid", !!problem);
    control.setAttribute("aria-invalid", problem ? "true" : "false");
  }
  return { input, element, read, showError };
}

// Airflow's grid: tasks as rows, recent runs as columns (oldest left), each
// cell the task's state in that run; a cell opens the task in that run.
function renderRunGrid(container, taskNames, runs) {
  if (!runs.length) {
    container.replaceChildren(el("div", { class: "muted" }, "No runs yet."));
    return;
  }
  const ordered = [...runs].reverse();
  const head = el("tr", {}, el("th", {}, "Task"), ordered.map((run) => el("th", { class: "run-col" },
    el("a", { href: `#/runs/${run.run_id}`, title: `${run.run_id} · ${run.status} · ${when(run.created_at)} · ${run.trigger}` },
      el("span", { class: `dot ${run.status}` }), clock(run.created_at)))));
  const rows = taskNames.map((task) => el("tr", { "data-task": task }, el("td", { class: "task" }, task), ordered.map((run) => {
    const state = run.tasks[task];
    const status = state ? state.status : "none";
    return el("td", { class: "cell" }, el("a", {
      class: `cell ${status}${state && state.reused_from ? " reused" : ""}`, href: `#/runs/${run.run_id}/tasks/${encodeURIComponent(task)}`,
      "data-run": run.run_id, "data-status": status,
      title: `${task} in run ${run.run_id}: ${status}${state && state.reused_from ? " (output reused from " + state.reused_from + ")" : ""}${state && state.started_at ? " · " + duration(elapsed(state.started_at, state.finished_at)) : ""}`,
    }));
  })));
  container.replaceChildren(el("table", { class: "grid" }, el("thead", {}, head), el("tbody", {}, rows)));
}

// ---- runs list -------------------------------------------------------------

async function runsPage() {
  const body = el("tbody");
  const more = el("button", {}, "More");
  const workflowFilter = el("input", { type: "text", placeholder: "workflow", id: "filter-workflow" });
  const statusFilter = el("select", { id: "filter-status" }, ["", "pending", "running", "succeeded", "failed", "cancelled"].map((s) => el("option", { value: s }, s || "any status")));
  const head = el("thead", {}, el("tr", {}, ["Run", "Workflow", "Status", "Trigger", "Created", "Duration", "Tasks"].map((h) => el("th", {}, h))));
  view.replaceChildren(el("h1", {}, "Runs"), el("div", { class: "toolbar" }, workflowFilter, statusFilter), el("table", {}, head, body), more);
  let cursor = null;
  async function load(reset) {
    const query = new URLSearchParams({ limit: "50" });
    if (workflowFilter.value.trim()) query.set("workflow", workflowFilter.value.trim());
    if (statusFilter.value) query.set("status", statusFilter.value);
    if (!reset && cursor) query.set("cursor", cursor);
    const data = await api("GET", `/api/runs?${query}`);
    const rows = data.runs.map((run) => el("tr", {},
      el("td", {}, el("a", { href: `#/runs/${run.run_id}` }, run.run_id)),
      el("td", {}, el("a", { href: `#/workflows/${encodeURIComponent(run.workflow)}` }, run.workflow)),
      el("td", {}, badge(run.status)), el("td", {}, run.trigger), el("td", {}, when(run.created_at)),
      el("td", {}, duration(elapsed(run.started_at || run.created_at, run.finished_at))),
      el("td", { class: "muted" }, Object.entries(run.task_counts || run.tasks || {}).map(([k, v]) => `${v} ${k}`).join(" · "))));
    if (reset) body.replaceChildren(...rows); else body.append(...rows);
    cursor = data.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", () => load(false));
  workflowFilter.addEventListener("change", () => load(true));
  statusFilter.addEventListener("change", () => load(true));
  await load(true);
  const later = throttle(() => load(true), 300);
  return { onEvent: (e) => { if (e.kind === "run") later(); } };
}
