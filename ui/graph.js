// Draws a workflow's DAG as SVG, laid out by dagre (vendored from npm at
// build time), in a viewport that fits the graph on load and zooms and pans
// (wheel, drag, buttons, a click on the minimap). Each node shows the task's name, executor, input
// types and output type, measured in the fonts they are drawn in; a type
// too long for a node is cut with "…" and shown whole in the node's
// tooltip. Identical siblings (same executor, upstream, downstream and
// signature) fold into one node ("extract ×50") that expands on click; a
// failed task is never folded, so it stays in view.
// Task data is written with textContent only, never as markup.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_INPUT_LINES = 8;
const MAX_LINE_PX = 420;
const LINE_HEIGHT = 15;
const FOLD_AT = 4;  // this many identical siblings or more fold into one node
// Above this many nodes (after folding) a node shows only its name and
// executor; its types are in its tooltip and the task drawer.
const COMPACT_ABOVE = 60;
const FONTS = { title: "bold 12px system-ui, sans-serif", executor: "11px monospace", input: "11px monospace", output: "11px monospace", fold: "bold 12px system-ui, sans-serif" };

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
  return element;
}

const measureContext = document.createElement("canvas").getContext("2d");
function textWidth(text, cls) {
  measureContext.font = FONTS[cls] || FONTS.input;
  return measureContext.measureText(text).width;
}

// `text` cut with "…" to fit `px` in the font of `cls`.
function fitText(text, cls, px) {
  if (textWidth(text, cls) <= px) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (textWidth(text.slice(0, mid) + "…", cls) <= px) low = mid; else high = mid - 1;
  }
  return text.slice(0, low) + "…";
}

// Lays out `tasks` ([{name, executor, depends_on, inputs, output,
// inputs_structural?, output_structural?}]) in `container`. Returns
// {setStatus(name, status), setTally(name, text), select(name), focus(name),
// fit(), zoom(factor)}. A mapped task (`map` not empty) is one node with a
// line for its instances' tally, set by setTally.
function drawDag(container, tasks, options) {
  const onSelect = options && options.onSelect;
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const statuses = new Map(Object.entries((options && options.statuses) || {}));
  const tallies = new Map();  // mapped task -> "3 instances · 2 succeeded · 1 running"
  const expanded = new Set();  // fold keys the user opened
  let selected = null;
  let transform = { x: 0, y: 0, k: 1 };
  let userMoved = false;  // zoomed or panned by hand: refit() leaves the view alone
  let size = { width: 1, height: 1 };
  let nodes = new Map();  // drawn node name -> <g>
  let folds = new Map();  // fold node name -> {key, members}

  const svg = svgElement("svg", { class: "dag-svg" });
  const viewport = svgElement("g", { class: "viewport" });
  svg.appendChild(defsWithArrow());
  svg.appendChild(viewport);
  const controls = el("div", { class: "graph-controls" },
    el("button", { type: "button", id: "zoom-in", title: "zoom in", onclick: () => zoomBy(1.25) }, "+"),
    el("button", { type: "button", id: "zoom-out", title: "zoom out", onclick: () => zoomBy(0.8) }, "−"),
    el("button", { type: "button", id: "zoom-fit", title: "fit the graph", onclick: () => fit() }, "Fit"),
    options && options.statuses ? [
      el("button", { type: "button", id: "jump-failed", title: "show the first failed task", onclick: () => jumpTo("failed") }, "Failed"),
      el("button", { type: "button", id: "jump-running", title: "show a running task", onclick: () => jumpTo("running") }, "Running")] : null);
  // The minimap: every node as a box of its state, the visible part as a
  // frame; a click there centres the view on that point.
  const minimap = svgElement("svg", { class: "minimap", id: "minimap" });
  const miniNodes = svgElement("g");
  const miniFrame = svgElement("rect", { class: "frame" });
  minimap.append(miniNodes, miniFrame);
  let miniRects = new Map();
  minimap.addEventListener("click", (event) => {
    const rect = minimap.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * size.width;
    const y = ((event.clientY - rect.top) / rect.height) * size.height;
    const { width, height } = box();
    userMoved = true;
    transform = { ...transform, x: width / 2 - x * transform.k, y: height / 2 - y * transform.k };
    apply();
  });
  container.replaceChildren(svg, controls, minimap);
  container.classList.add("zoomable");
  enablePanAndZoom();
  layout();
  fit();
  // A window resized (or a drawer opened) refits, unless the user moved the view.
  let lastWidth = container.clientWidth;
  new ResizeObserver(() => {
    if (container.clientWidth === lastWidth) return;
    lastWidth = container.clientWidth;
    if (!userMoved) fit();
  }).observe(container);

  function groupsOfSiblings() {
    const downstream = new Map(tasks.map((t) => [t.name, []]));
    for (const t of tasks) for (const u of t.depends_on || []) if (downstream.has(u)) downstream.get(u).push(t.name);
    const groups = new Map();
    for (const t of tasks) {
      if (statuses.get(t.name) === "failed") continue;  // a failed task is always drawn on its own
      const key = JSON.stringify([t.executor, [...(t.depends_on || [])].sort(), downstream.get(t.name).sort(), t.inputs, t.output]);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(t.name);
    }
    return [...groups].filter(([key, members]) => members.length >= FOLD_AT && !expanded.has(key));
  }

  // "extract_1".."extract_50" -> "extract"; otherwise the first member's name.
  function foldLabel(members) {
    let prefix = members[0];
    for (const m of members) while (!m.startsWith(prefix)) prefix = prefix.slice(0, -1);
    prefix = prefix.replace(/[\s_\-.\d]+$/, "");
    return `${prefix || members[0]} ×${members.length}`;
  }

  function layout() {
    const folded = new Map();  // task name -> fold node name
    folds = new Map();
    for (const [key, members] of groupsOfSiblings()) {
      const foldName = `fold:${members[0]}`;
      folds.set(foldName, { key, members });
      for (const m of members) folded.set(m, foldName);
    }
    const shown = (name) => folded.get(name) || name;
    const graph = new dagre.graphlib.Graph();
    graph.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 40, marginx: 10, marginy: 10 });
    graph.setDefaultEdgeLabel(() => ({}));
    const drawnCount = tasks.length - [...folds.values()].reduce((n, f) => n + f.members.length - 1, 0);
    const compact = drawnCount > COMPACT_ABOVE;
    for (const task of tasks) {
      const name = shown(task.name);
      if (graph.hasNode(name)) continue;
      const fold = folds.get(name);
      const lines = nodeLines(task, compact, fold ? foldLabel(fold.members) : null);
      const width = Math.max(fold ? textWidth("999 failed · 999 ok", "input") : 0, ...lines.map((l) => textWidth(l.text, l.cls))) + 18;
      graph.setNode(name, { width, height: lines.length * LINE_HEIGHT + 10, lines, task, fold });
    }
    for (const task of tasks) {
      for (const upstream of task.depends_on || []) {
        if (byName.has(upstream) && shown(upstream) !== shown(task.name)) graph.setEdge(shown(upstream), shown(task.name));
      }
    }
    dagre.layout(graph);
    size = { width: graph.graph().width || 100, height: graph.graph().height || 50 };
    // A small graph gets a small box; a large one 60% of the window.
    container.style.height = `${Math.round(Math.min(Math.max(size.height + 60, 220), window.innerHeight * 0.6))}px`;
    draw(graph);
  }

  function draw(graph) {
    viewport.replaceChildren();
    minimap.setAttribute("viewBox", `0 0 ${size.width} ${size.height}`);
    miniNodes.replaceChildren();
    miniRects = new Map();
    for (const edge of graph.edges()) {
      const d = graph.edge(edge).points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
      viewport.appendChild(svgElement("path", { class: "edge", d }));
    }
    nodes = new Map();
    for (const name of graph.nodes()) {
      const n = graph.node(name);
      const group = svgElement("g", { class: "node", transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})` });
      group.dataset.task = name;
      group.dataset.x = n.x;
      group.dataset.y = n.y;
      if (n.fold) {
        group.classList.add("fold");
        group.dataset.members = n.fold.members.length;
      }
      const tooltip = svgElement("title");
      tooltip.textContent = n.fold ? `${n.fold.members.length} identical tasks (click to expand):\n${n.fold.members.join(", ")}\n\n${signature(n.task)}` : signature(n.task);
      group.appendChild(tooltip);
      group.appendChild(svgElement("rect", { width: n.width, height: n.height }));
      n.lines.forEach((line, i) => {
        const text = svgElement("text", { x: 9, y: 16 + i * LINE_HEIGHT, class: line.cls });
        text.textContent = line.text;
        group.appendChild(text);
      });
      group.addEventListener("click", () => {
        if (svg.dataset.dragged === "1") return;
        if (n.fold) expand(n.fold.key);
        else if (onSelect) onSelect(name);
      });
      viewport.appendChild(group);
      nodes.set(name, group);
      const dot = svgElement("rect", { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height });
      miniNodes.appendChild(dot);
      miniRects.set(name, dot);
    }
    for (const name of nodes.keys()) paint(name);
  }

  function expand(key) {
    expanded.add(key);
    layout();
    fit();
  }

  // A folded node takes the worst state of its members.
  function paint(name) {
    const group = nodes.get(name);
    if (!group) return;
    const fold = folds.get(name);
    let status = statuses.get(name) || "pending";
    if (fold) {
      const states = fold.members.map((m) => statuses.get(m) || "pending");
      status = ["failed", "running", "retrying", "cancelled", "skipped", "pending", "succeeded", "cached"].find((s) => states.includes(s)) || "pending";
      const failed = states.filter((s) => s === "failed").length;
      const label = group.querySelector("text.fold-state");
      if (label && !(options && options.statuses)) label.textContent = "click to expand";
      else if (label) label.textContent = failed ? `${failed} failed · ${states.filter((s) => s === "succeeded" || s === "cached").length} ok` : `${states.filter((s) => s === "succeeded" || s === "cached").length} of ${states.length} ok`;
    }
    const tally = group.querySelector("text.map-tally");
    if (tally) tally.textContent = fitText(tallies.get(name) || "map", "input", MAX_LINE_PX);
    group.setAttribute("class", `node ${status}${fold ? " fold" : ""}${name === selected ? " selected" : ""}`);
    miniRects.get(name).setAttribute("class", status);
  }

  function signature(task) {
    const inputs = Object.entries(task.inputs_structural || task.inputs || {}).map(([param, type]) => `  ${param}: ${type}`).join(",\n");
    return `${task.name} [${runsOn(task)}]\n(${inputs ? "\n" + inputs + "\n" : ""}) → ${task.output_structural || task.output}`;
  }

  // The text lines of one node: name, executor, inputs, output; each cut to
  // MAX_LINE_PX with "…" (never silently: the tooltip has them whole).
  function nodeLines(task, compact, foldTitle) {
    const lines = [{ text: foldTitle || task.name, cls: foldTitle ? "fold" : "title" }, { text: runsOn(task), cls: "executor" }];
    if (foldTitle) lines.push({ text: "", cls: "fold-state" });
    // Sized for a tally such as "10000 instances · 9999 succeeded" (setTally fills it in).
    if (!foldTitle && Object.keys(task.map || {}).length) lines.push({ text: "00000 instances · 00000 succeeded", cls: "map-tally" });
    if (!compact) {
      const inputs = Object.entries(task.inputs || {});
      const shownInputs = inputs.length > MAX_INPUT_LINES ? inputs.slice(0, MAX_INPUT_LINES - 1) : inputs;
      for (const [param, type] of shownInputs) lines.push({ text: `${param}: ${type}`, cls: "input" });
      if (shownInputs.length < inputs.length) lines.push({ text: `+${inputs.length - shownInputs.length} more inputs (hover)`, cls: "input" });
      lines.push({ text: `→ ${task.output}`, cls: "output" });
    }
    return lines.map((l) => ({ ...l, text: fitText(l.text, l.cls === "fold-state" || l.cls === "map-tally" ? "input" : l.cls, MAX_LINE_PX) }));
  }

  // ---- viewport ------------------------------------------------------------

  function apply() {
    const { width, height } = box();
    miniFrame.setAttribute("x", -transform.x / transform.k);
    miniFrame.setAttribute("y", -transform.y / transform.k);
    miniFrame.setAttribute("width", width / transform.k);
    miniFrame.setAttribute("height", height / transform.k);
    // Shown only while part of the graph is out of view, so it never hides a
    // node of a graph that fits.
    const fits = transform.x >= -1 && transform.y >= -1 && transform.x + size.width * transform.k <= width + 1 &&
      transform.y + size.height * transform.k <= height + 1;
    minimap.classList.toggle("off", fits);
    viewport.setAttribute("transform", `translate(${transform.x},${transform.y}) scale(${transform.k})`);
    svg.dataset.scale = transform.k.toFixed(4);
  }

  function box() {
    return { width: container.clientWidth || 800, height: container.clientHeight || 500 };
  }

  function fit() {
    userMoved = false;
    const { width, height } = box();
    const k = Math.min(width / size.width, height / size.height, 1.5);
    transform = { k, x: (width - size.width * k) / 2, y: (height - size.height * k) / 2 };
    apply();
  }

  function zoomBy(factor, cx, cy) {
    userMoved = true;
    const { width, height } = box();
    const px = cx === undefined ? width / 2 : cx;
    const py = cy === undefined ? height / 2 : cy;
    const k = Math.min(4, Math.max(0.02, transform.k * factor));
    transform = { k, x: px - ((px - transform.x) * k) / transform.k, y: py - ((py - transform.y) * k) / transform.k };
    apply();
  }

  // Centres `name` (expanding its fold) at a readable scale.
  function focus(name) {
    for (const [foldName, fold] of folds) if (fold.members.includes(name)) { expanded.add(fold.key); layout(); break; }
    const group = nodes.get(name);
    if (!group) return;
    userMoved = true;
    const { width, height } = box();
    const k = Math.max(transform.k, 0.8);
    transform = { k, x: width / 2 - Number(group.dataset.x) * k, y: height / 2 - Number(group.dataset.y) * k };
    apply();
  }

  function jumpTo(status) {
    const task = tasks.find((t) => statuses.get(t.name) === status);
    if (task) {
      focus(task.name);
      if (onSelect) onSelect(task.name);
    } else {
      notify(`no ${status} task`, "info");
    }
  }

  function enablePanAndZoom() {
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
    let drag = null;
    svg.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, tx: transform.x, ty: transform.y, moved: false };
      svg.dataset.dragged = "0";
    });
    svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) svg.setPointerCapture(event.pointerId);
      drag.moved = true;
      userMoved = true;
      svg.dataset.dragged = "1";
      transform = { ...transform, x: drag.tx + dx, y: drag.ty + dy };
      apply();
    });
    const end = () => { drag = null; };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
  }

  return {
    setStatus(name, status) {
      const was = statuses.get(name);
      statuses.set(name, status);
      if (status === "failed" && was !== "failed" && [...folds.values()].some((f) => f.members.includes(name))) {
        layout();  // take it out of its fold
        if (!userMoved) fit();
        return;
      }
      for (const [foldName, fold] of folds) if (fold.members.includes(name)) paint(foldName);
      paint(name);
    },
    setTally(name, text) {
      tallies.set(name, text);
      paint(name);
    },
    select(name) {
      const previous = selected;
      selected = name;
      paint(previous);
      if (name && !nodes.has(name)) focus(name);
      paint(name);
    },
    focus,
    fit,
    // Centres `name` when it is outside the visible box.
    reveal(name) {
      const group = nodes.get(name);
      if (!group) return focus(name);
      const { width, height } = box();
      const x = Number(group.dataset.x) * transform.k + transform.x;
      const y = Number(group.dataset.y) * transform.k + transform.y;
      if (x < 0 || y < 0 || x > width || y > height) focus(name);
    },
    // After the graph's box changed size (the drawer opened or closed).
    refit() { if (!userMoved) fit(); },
    zoom: zoomBy,
  };
}

function defsWithArrow() {
  const defs = svgElement("defs");
  const marker = svgElement("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" });
  marker.appendChild(svgElement("path", { d: "M0,0 L10,5 L0,10 z", fill: "#9aa1ab" }));
  defs.appendChild(marker);
  return defs;
}

// "rust on library" for a function-task of a language plugin; the executor
// alone otherwise (and for python, whose language is its executor's name).
function runsOn(task) {
  return task.language && task.language !== task.executor ? `${task.language} on ${task.executor}` : task.executor;
}
