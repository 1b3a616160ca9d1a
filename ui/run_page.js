// One run in the UI: a header naming its inputs and failed tasks, with
// cancel and re-run; its live DAG; a Gantt of attempts on a time axis (rows by
// start time, running bars growing with the clock, bars that select their
// task); and the task drawer of route #/runs/ID/tasks/NAME with the task's
// inputs, output, error, attempts and live logs (monospace, timestamps,
// stream filter, search, follow). A mapped task is one node with its
// instances' tally; its drawer lists the instances, each with its own drawer.
"use strict";

async function runPage(id, initialTask) {
  let run = await api("GET", `/api/runs/${encodeURIComponent(id)}`);
  id = run.run_id;
  let selected = null;
  const status = el("span", { id: "run-status" });
  const header = el("div", { class: "run-header", id: "run-header" });
  const cancel = actionButton({ id: "cancel" }, "Cancel", async () => {
    if (!window.confirm(`Cancel run ${id}? Running tasks are stopped.`)) return;
    const answer = await api("POST", `/api/runs/${id}/cancel`, {});
    notify(`run ${id}: ${answer.outcome}`, "info");
  });
  const rerun = actionButton({ id: "rerun", title: "a new run of the same workflow version with the same inputs" }, "Re-run", () => startRerun(false));
  const rerunFailed = actionButton({ id: "rerun-from-failure", title: "a new run that reuses the outputs of the tasks that succeeded here" }, "Re-run from failure", () => startRerun(true));
  const graph = el("div", { class: "graph", id: "dag" });
  const gantt = el("div", { class: "gantt", id: "gantt" });
  const drawer = el("aside", { class: "drawer", id: "task-detail", hidden: true });
  view.replaceChildren(
    el("h1", {}, `Run ${id} `, status),
    el("div", { class: "toolbar" }, el("a", { href: `#/workflows/${encodeURIComponent(run.workflow)}` }, run.workflow), cancel, rerun, rerunFailed),
    header, graph, stateLegend(), el("h2", { class: "timeline-head" }, "Timeline", ganttZoomButtons()), gantt, drawer);
  const dag = drawDag(graph, run.graph, {
    onSelect: (task) => { location.hash = taskRoute(task); },
    statuses: Object.fromEntries(Object.entries(run.tasks).map(([t, s]) => [t, s.status])),
  });
  const logs = logView(id);

  // What each colour of the graph means; cached tasks reused an earlier output.
  function stateLegend() {
    const states = ["succeeded", "cached", "running", "retrying", "failed", "skipped", "pending"];
    return el("div", { class: "legend", id: "state-legend" }, states.map((s) => el("span", {}, el("span", { class: `swatch ${s}` }), s)));
  }

  async function startRerun(fromFailure) {
    const started = await api("POST", `/api/runs/${id}/rerun`, { from_failure: fromFailure });
    location.hash = `#/runs/${started.run_id}`;
  }

  function taskRoute(task) {
    return `#/runs/${id}/tasks/${encodeURIComponent(task)}`;
  }

  function render() {
    status.replaceChildren(badge(run.status));
    const active = run.status === "running" || run.status === "pending";
    cancel.hidden = !active;
    rerun.hidden = active;
    rerunFailed.hidden = active || run.status === "succeeded";
    renderHeader();
    for (const [task, state] of Object.entries(run.tasks)) if (!state.parent) dag.setStatus(task, state.status);
    for (const [task, instances] of instancesByTask()) dag.setTally(task, tally(instances));
    renderGantt();
    if (selected) renderDrawer();
  }

  // Mapped task -> [[instance name, state], ...] in element order.
  function instancesByTask() {
    const by = new Map();
    for (const node of run.graph) if (Object.keys(node.map || {}).length) by.set(node.name, []);
    for (const [task, state] of Object.entries(run.tasks)) if (state.parent && by.has(state.parent)) by.get(state.parent).push([task, state]);
    return by;
  }

  // "3 instances · 2 succeeded · 1 running": how many there are in each state.
  function tally(instances) {
    if (!instances.length) return "map · no instances yet";
    const counts = {};
    for (const [, state] of instances) counts[state.status] = (counts[state.status] || 0) + 1;
    const order = ["succeeded", "running", "retrying", "pending", "failed", "cancelled", "skipped"];
    const parts = Object.entries(counts).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([s, n]) => `${n} ${s}`);
    return [`${instances.length} instance${instances.length === 1 ? "" : "s"}`, ...parts].join(" · ");
  }

  function renderHeader() {
    // A failed mapped task is named, not each of its failed instances.
    const failed = Object.entries(run.tasks).filter(([, s]) => s.status === "failed" && !s.parent).map(([t]) => t);
    const inputs = Object.entries(run.inputs || {});
    setChildren(header,
      el("div", { class: "muted" }, `trigger ${run.trigger} · created ${when(run.created_at)} · took ${duration(elapsed(run.started_at || run.created_at, run.finished_at))}`),
      run.rerun_of ? el("div", {}, "re-run of ", el("a", { href: `#/runs/${run.rerun_of}` }, run.rerun_of), run.from_failure ? " from its failure" : "") : null,
      inputs.length ? el("div", { class: "run-inputs" }, "inputs: ", inputs.map(([k, v]) => el("code", {}, `${k}=${JSON.stringify(v)}`))) : null,
      failed.length ? el("div", { class: "failed-tasks", id: "failed-tasks" }, `${failed.length} failed: `,
        failed.map((t) => el("a", { href: taskRoute(t), class: "failed-link" }, t))) : null,
      run.error ? el("div", { class: "errors" }, run.error) : null);
  }

  // Rows by first start, on a time axis; short attempts stay visible.
  // The timeline's zoom: 1 fits the run's span in the box; more widens the
  // tracks (the box scrolls sideways) and puts more ticks on the axis.
  let ganttZoom = 1;
  function ganttZoomButtons() {
    const zoomTo = (z) => { ganttZoom = Math.min(64, Math.max(1, z)); renderGantt(); };
    gantt.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;  // a plain wheel scrolls; Ctrl+wheel zooms
      e.preventDefault();
      zoomTo(ganttZoom * (e.deltaY < 0 ? 1.25 : 0.8));
    }, { passive: false });
    return el("span", { class: "zoom" },
      el("button", { id: "gantt-zoom-out", title: "zoom out", onclick: () => zoomTo(ganttZoom / 2) }, "−"),
      el("button", { id: "gantt-zoom-in", title: "zoom in (or Ctrl+wheel)", onclick: () => zoomTo(ganttZoom * 2) }, "+"),
      el("button", { id: "gantt-zoom-fit", title: "fit the run", onclick: () => zoomTo(1) }, "fit"));
  }

  function renderGantt() {
    const attempts = run.attempts.filter((a) => a.started_at);
    if (!attempts.length) {
      gantt.replaceChildren(el("div", { class: "muted" }, "No attempt has started yet."));
      return;
    }
    const start = Math.min(...attempts.map((a) => Date.parse(a.started_at)));
    const end = Math.max(...attempts.map((a) => (a.finished_at ? Date.parse(a.finished_at) : Date.now())), start + 1);
    // While the run goes on the axis has room ahead, so running bars grow
    // along it instead of every bar shrinking as the span stretches.
    const span = run.status === "running" ? roomySpan(end - start) : end - start;
    gantt.dataset.span = span;
    const rows = new Map();
    for (const a of [...attempts].sort((x, y) => Date.parse(x.started_at) - Date.parse(y.started_at))) {
      if (!rows.has(a.task)) {
        const track = el("div", { class: "track" });
        const label = el("div", { class: "label", title: a.task }, a.task);
        const row = el("div", { class: `row${a.task === selected ? " selected" : ""}`, "data-task": a.task, onclick: () => { location.hash = taskRoute(a.task); } }, label, track);
        rows.set(a.task, { row, track });
      }
      const took = elapsed(a.started_at, a.finished_at);
      const bar = el("div", { class: `bar ${a.status}`, "data-task": a.task, "data-attempt": a.attempt, "data-took": took, title: `${a.task} attempt ${a.attempt}: ${a.status} · ${duration(took)}` });
      bar.style.left = `${((Date.parse(a.started_at) - start) / span) * 100}%`;
      bar.style.width = `${(took / span) * 100}%`;
      const row = rows.get(a.task);
      row.track.appendChild(bar);
      row.took = (row.took || 0) + took;
    }
    for (const row of rows.values()) row.row.appendChild(el("div", { class: "took" }, duration(row.took)));
    const shown = [ganttAxis(span, ganttZoom), ...[...rows.values()].map((r) => r.row)];
    for (const row of shown) row.style.width = `${ganttZoom * 100}%`;
    gantt.dataset.zoom = ganttZoom;
    gantt.replaceChildren(...shown);
  }

  function renderDrawer() {
    drawer.hidden = false;
    const state = run.tasks[selected] || {};
    const node = run.graph.find((t) => t.name === (state.parent || selected)) || {};
    const attempts = run.attempts.filter((a) => a.task === selected);
    setChildren(drawer,
      el("div", { class: "drawer-head" }, el("h3", {}, selected, " ", badge(state.status)),
        el("a", { class: "close", href: `#/runs/${id}`, title: "close", id: "drawer-close" }, "×")),
      el("div", { class: "muted" }, `${node.executor || ""} · ${state.attempts || 0} attempt(s) · took ${duration(elapsed(state.started_at, state.finished_at))}`),
      state.reused_from ? el("div", { class: "reused" }, "output reused from run ", el("a", { href: `#/runs/${state.reused_from}/tasks/${encodeURIComponent(selected)}` }, state.reused_from), " (not executed again)") : null,
      state.parent ? el("div", { class: "muted" }, `instance ${state.index} of `, el("a", { href: taskRoute(state.parent) }, state.parent)) : null,
      el("h4", {}, "Inputs"), inputsTable(node),
      instancesList(),
      state.cached_from ? el("div", { class: "reused", id: "task-cached-from" }, "cached: output of run ", el("a", { href: `#/runs/${state.cached_from.run_id}/tasks/${encodeURIComponent(state.cached_from.task)}` }, state.cached_from.run_id), ` (task ${state.cached_from.task}, attempt ${state.cached_from.attempt}), not executed again`) : null,
      state.status === "succeeded" || state.status === "cached" ? [el("h4", {}, "Output"), el("pre", { id: "task-output", title: node.output_structural || "" }, JSON.stringify(state.output, null, 2))] : null,
      state.error ? [el("h4", {}, "Error"), el("pre", { class: "errors", id: "task-error" }, state.error)] : null,
      attempts.length ? [el("h4", {}, "Attempts"), el("table", { class: "attempts", id: "task-attempts" },
        el("thead", {}, el("tr", {}, ["#", "Status", "Started", "Took", "Error"].map((h) => el("th", {}, h)))),
        el("tbody", {}, attempts.map((a) => el("tr", {}, el("td", {}, a.attempt), el("td", {}, badge(a.status)), el("td", {}, clock(a.started_at)),
          el("td", {}, duration(elapsed(a.started_at, a.finished_at))), el("td", { class: "attempt-error" }, a.error || "")))))] : null,
      el("h4", {}, "Logs"), logs.element);
  }

  // A mapped task's instances, folded under their tally; the first 500 are
  // listed (each opens its own drawer), the rest are counted.
  const SHOWN_INSTANCES = 500;
  function instancesList() {
    const instances = instancesByTask().get(selected);
    if (!instances) return null;
    const open = instancesOpen;
    const details = el("details", { id: "map-instances", open: open || null },
      el("summary", { id: "map-tally" }, tally(instances)),
      el("table", { class: "attempts" }, el("tbody", {}, instances.slice(0, SHOWN_INSTANCES).map(([task, s]) =>
        el("tr", { "data-instance": task }, el("td", {}, el("a", { href: taskRoute(task) }, task)), el("td", {}, badge(s.status)),
          el("td", {}, `${s.attempts} attempt(s)`), el("td", { class: "attempt-error" }, s.error || ""))))),
      instances.length > SHOWN_INSTANCES ? el("div", { class: "muted" }, `and ${instances.length - SHOWN_INSTANCES} more (ork tasks ${id})`) : null);
    details.addEventListener("toggle", () => { instancesOpen = details.open; });
    return [el("h4", {}, "Instances"), details];
  }
  let instancesOpen = false;

  // Each parameter with its type, where it comes from, and its value when
  // the upstream output or the run's inputs have it.
  function inputsTable(node) {
    const params = Object.entries(node.inputs || {});
    if (!params.length) return el("div", { class: "muted" }, "none");
    return el("table", { class: "task-inputs", id: "task-inputs" }, el("tbody", {}, params.map(([param, type]) => {
      const binding = (node.bindings || {})[param];
      let source = "";
      let value;
      if (binding && binding.kind === "task_output") {
        source = `from ${[binding.task, ...binding.path].join(".")}`;
        const upstream = run.tasks[binding.task];
        if (upstream && upstream.status === "succeeded") value = binding.path.reduce((v, key) => (v && typeof v === "object" ? v[key] : undefined), upstream.output);
      } else if (binding && binding.kind === "workflow_input") {
        source = `input ${binding.input}`;
        value = (run.inputs || {})[binding.input];
      } else if (binding && binding.kind === "constant") {
        source = "constant";
        value = binding.value;
      }
      return el("tr", {}, el("td", {}, el("code", {}, param)), el("td", { class: "type", title: (node.inputs_structural || {})[param] || type }, type),
        el("td", { class: "muted" }, source), el("td", {}, value === undefined ? "" : el("pre", {}, JSON.stringify(value, null, 2))));
    })));
  }

  function openTask(task) {
    document.body.classList.toggle("drawer-open", !!task);
    dag.refit();
    if (!task) {
      selected = null;
      drawer.hidden = true;
      dag.select(null);
      logs.show(null);
      renderGantt();
      return;
    }
    selected = task;
    const drawn = (run.tasks[task] && run.tasks[task].parent) || task;  // an instance is drawn as its mapped task
    dag.select(drawn);
    dag.reveal(drawn);
    renderDrawer();
    renderGantt();
    logs.show(task, run.tasks[task] && run.tasks[task].status);
  }

  // Answers can arrive out of order when events come fast: only the answer
  // to the latest request is drawn.
  let asked = 0;
  const refresh = throttle(async () => {
    const mine = ++asked;
    const fresh = await api("GET", `/api/runs/${encodeURIComponent(id)}`);
    if (mine !== asked) return;
    run = fresh;
    render();
    if (selected) logs.setRunning(run.tasks[selected] && run.tasks[selected].status);
  }, 150);
  // Running bars grow with the clock between events; every 5 s the run is
  // read again in case the event stream dropped something.
  let ticks = 0;
  const ticker = setInterval(() => {
    if (run.status !== "running" && run.status !== "pending") return;
    renderGantt();
    if (++ticks % 10 === 0) refresh();
  }, 500);
  render();
  openTask(initialTask);
  return {
    runId: id,
    route(parts) {
      if (parts[0] !== "runs" || (parts[1] !== id && !id.startsWith(parts[1] || "\u0000"))) return false;
      openTask(parts[2] === "tasks" ? parts[3] : null);
      return true;
    },
    onEvent(e) {
      if (e.run_id !== id) return;
      if (e.kind === "task" && e.task && !(run.tasks[e.task] && run.tasks[e.task].parent)) dag.setStatus(e.task, e.status);
      if (e.kind === "log") { if (e.task === selected) logs.more(); return; }
      refresh();
    },
    dispose() {
      document.body.classList.remove("drawer-open");
      clearInterval(ticker);
      logs.show(null);
    },
  };
}

// A round span (1, 2 or 5 times a power of ten ms) at least 1.25 × `ms`.
function roomySpan(ms) {
  for (let power = 100; ; power *= 10) {
    for (const m of [1, 2, 5]) if (m * power >= ms * 1.25) return m * power;
  }
}

// Ticks at a round step (1 s, 5 s, 1 min, ...) across the Gantt.
function ganttAxis(span, zoom) {
  const steps = [10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000, 3600000, 7200000];
  const step = steps.find((s) => span / s <= 8 * zoom) || 3600000 * Math.ceil(span / 3600000 / (8 * zoom));
  const ticks = [];
  for (let t = 0; t <= span; t += step) {
    const tick = el("div", { class: "tick" }, duration(t).replace(" ms", "ms"));
    tick.style.left = `${(t / span) * 100}%`;
    ticks.push(tick);
  }
  return el("div", { class: "row axis", id: "gantt-axis" }, el("div", { class: "label" }, ""), el("div", { class: "track" }, ticks), el("div", { class: "took" }, "took"));
}

// The drawer's log pane for one task at a time: fetches pages from the log
// route, then the new lines on each log event, and polls once a second while
// the task runs in case an event is missed; keeps the tail in view while
// "follow" is on (scrolling up turns it off).
function logView(runId) {
  let task = null;
  let cursor = 0;
  let loading = null;
  let again = false;
  let poll = null;
  const lines = el("div", { class: "log-lines", id: "logs" });
  const stream = el("select", { id: "log-stream" }, ["all", "stdout", "stderr"].map((s) => el("option", { value: s }, s)));
  const search = el("input", { type: "search", id: "log-search", placeholder: "search logs" });
  const follow = el("input", { type: "checkbox", id: "log-follow", checked: true });
  const element = el("div", { class: "logs" },
    el("div", { class: "log-tools" }, stream, search, el("label", {}, follow, " follow")), lines);
  const filter = () => {
    const text = search.value.toLowerCase();
    for (const line of lines.children) {
      line.hidden = (stream.value !== "all" && line.dataset.stream !== stream.value) || (text !== "" && !line.dataset.text.includes(text));
    }
  };
  stream.addEventListener("change", filter);
  search.addEventListener("input", filter);
  lines.addEventListener("scroll", () => {
    const atEnd = lines.scrollHeight - lines.scrollTop - lines.clientHeight < 8;
    if (!atEnd && lines.dataset.autoscroll !== "1") follow.checked = false;
    if (atEnd) follow.checked = true;
    lines.dataset.autoscroll = "0";
  });

  async function load() {
    const mine = task;
    for (let page = 0; page < 100 && mine === task; page++) {
      const data = await api("GET", `/api/runs/${runId}/tasks/${encodeURIComponent(mine)}/logs?cursor=${cursor}`);
      if (mine !== task) return;
      for (const line of data.lines) lines.appendChild(logLine(line));
      cursor = data.next_cursor;
      if (!data.more) break;
    }
    filter();
    if (follow.checked) {
      lines.dataset.autoscroll = "1";
      lines.scrollTop = lines.scrollHeight;
    }
  }

  // One fetch at a time; a request during one runs once after it.
  function more() {
    if (!task) return;
    if (loading) { again = true; return; }
    loading = load().catch(() => {}).finally(() => {
      loading = null;
      if (again) { again = false; more(); }
    });
  }

  function setRunning(status) {
    const running = status === "running" || status === "retrying" || status === "pending";
    if (running && !poll) poll = setInterval(more, 1000);
    if (!running && poll) { clearInterval(poll); poll = null; more(); }
  }

  return {
    element,
    more,
    setRunning,
    show(name, status) {
      if (name === task) return;
      task = name;
      cursor = 0;
      lines.replaceChildren();
      if (poll) { clearInterval(poll); poll = null; }
      if (!name) return;
      more();
      setRunning(status);
    },
  };
}

// A log line as text (never HTML): time, stream, attempt, the line with its
// whitespace kept.
function logLine(line) {
  const row = el("div", { class: `log-line ${line.stream}`, "data-stream": line.stream },
    el("span", { class: "at", title: line.at || "" }, clock(line.at)),
    el("span", { class: "text" }, line.line));
  row.dataset.text = line.line.toLowerCase();
  if (line.attempt > 1) row.dataset.attempt = line.attempt;
  return row;
}
