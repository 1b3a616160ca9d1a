// Draws a workflow's DAG as SVG, laid out by dagre (vendored from npm at
// build time). Each node shows the task's name, executor, input types and
// output type. Task data is written with textContent only, never as markup.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_INPUT_LINES = 4;
const CHAR_WIDTH = 6.8;
const LINE_HEIGHT = 14;
// Above this many tasks a node shows only its name and executor (its types
// are in the node's tooltip and the task panel), so a 200-task fan stays a
// graph one can scroll through rather than a wall of type text.
const COMPACT_ABOVE = 60;

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
  return element;
}

// The text lines of one node: name, executor, inputs (shortened), output.
function nodeLines(task, compact) {
  const lines = [{ text: task.name, cls: "title" }, { text: task.executor, cls: "executor" }];
  if (compact) return lines.map((l) => ({ ...l, text: l.text.length > 48 ? l.text.slice(0, 47) + "…" : l.text }));
  const inputs = Object.entries(task.inputs || {});
  for (const [param, type] of inputs.slice(0, MAX_INPUT_LINES)) lines.push({ text: `${param}: ${type}`, cls: "input" });
  if (inputs.length > MAX_INPUT_LINES) lines.push({ text: `+${inputs.length - MAX_INPUT_LINES} more inputs`, cls: "input" });
  lines.push({ text: `→ ${task.output}`, cls: "output" });
  return lines.map((l) => ({ ...l, text: l.text.length > 48 ? l.text.slice(0, 47) + "…" : l.text }));
}

// Lays out `tasks` ([{name, executor, depends_on, inputs, output}]) in
// `container`; returns {setStatus(name, status), select(name)}.
function drawDag(container, tasks, onSelect) {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 40, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  const known = new Set(tasks.map((t) => t.name));
  const compact = tasks.length > COMPACT_ABOVE;
  const signatures = new Map();
  for (const task of tasks) {
    const inputs = Object.entries(task.inputs || {}).map(([param, type]) => `${param}: ${type}`).join(", ");
    signatures.set(task.name, `${task.name} [${task.executor}]\n(${inputs}) → ${task.output}`);
    const lines = nodeLines(task, compact);
    const width = Math.max(...lines.map((l) => l.text.length)) * CHAR_WIDTH + 16;
    graph.setNode(task.name, { width, height: lines.length * LINE_HEIGHT + 10, lines });
  }
  for (const task of tasks) {
    for (const upstream of task.depends_on || []) if (known.has(upstream)) graph.setEdge(upstream, task.name);
  }
  dagre.layout(graph);

  const size = graph.graph();
  const svg = svgElement("svg", { width: Math.ceil(size.width || 100), height: Math.ceil(size.height || 50) });
  const defs = svgElement("defs");
  const marker = svgElement("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" });
  marker.appendChild(svgElement("path", { d: "M0,0 L10,5 L0,10 z", fill: "#9aa1ab" }));
  defs.appendChild(marker);
  svg.appendChild(defs);

  for (const edge of graph.edges()) {
    const points = graph.edge(edge).points;
    const d = points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    svg.appendChild(svgElement("path", { class: "edge", d }));
  }
  const nodes = new Map();
  for (const name of graph.nodes()) {
    const n = graph.node(name);
    const group = svgElement("g", { class: "node pending", transform: `translate(${n.x - n.width / 2},${n.y - n.height / 2})` });
    group.dataset.task = name;
    const tooltip = svgElement("title");
    tooltip.textContent = signatures.get(name) || name;
    group.appendChild(tooltip);
    group.appendChild(svgElement("rect", { width: n.width, height: n.height }));
    n.lines.forEach((line, i) => {
      const text = svgElement("text", { x: 8, y: 16 + i * LINE_HEIGHT, class: line.cls });
      text.textContent = line.text;
      group.appendChild(text);
    });
    group.addEventListener("click", () => onSelect && onSelect(name));
    svg.appendChild(group);
    nodes.set(name, group);
  }
  container.replaceChildren(svg);

  return {
    setStatus(name, status) {
      const group = nodes.get(name);
      if (!group) return;
      const selected = group.classList.contains("selected");
      group.setAttribute("class", `node ${status}${selected ? " selected" : ""}`);
    },
    select(name) {
      for (const [task, group] of nodes) group.classList.toggle("selected", task === name);
    },
  };
}
