// `ork graph FILE [--format dot|svg|png]`: the workflow's DAG as a picture
// outside the web UI. Each node shows what the UI's node tooltip shows —
// `name [executor]` and the typed signature `(a: int, b: str) -> Out` — and
// each edge an upstream dependency. dot is printed as text; svg and png are
// rendered in-process by Graphviz's library (graphviz_render.cpp).
#include "cli/cli.hpp"
#include "cli/graphviz_render.hpp"
#include "core/error.hpp"

#include <iostream>
#include <sstream>
#include <unistd.h>

namespace ork::host {

namespace {

std::string workflow_dot(const CompiledWorkflow& workflow);
std::string node_label(const CompiledTask& task);
std::string dot_quote(const std::string& s);

}  // namespace

int graph_command(CliContext& ctx) {
  const std::string format = ctx.cl.value("--format").value_or("dot");
  if (format != "dot" && format != "svg" && format != "png") {
    throw Error(ErrorKind::usage, "--format must be dot, svg or png, got '" + format + "'");
  }
  if (format == "png" && isatty(STDOUT_FILENO)) {
    throw Error(ErrorKind::usage, "--format png writes binary data; redirect it to a file (`> wf.png`)");
  }
  std::optional<CompiledWorkflow> workflow = ctx.compile_or_report();
  if (!workflow) return exit_invalid;
  const std::string dot = workflow_dot(*workflow);
  std::cout << (format == "dot" ? dot : render_dot(dot, format)) << std::flush;
  return exit_ok;
}

namespace {

std::string workflow_dot(const CompiledWorkflow& workflow) {
  std::ostringstream out;
  out << "digraph " << dot_quote(workflow.name) << " {\n  rankdir=LR;\n"
      << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f7fa\", fontname=\"monospace\", fontsize=10];\n"
      << "  edge [color=\"#7a869a\"];\n";
  for (const auto& task : workflow.tasks) {
    out << "  " << dot_quote(task.name) << " [label=" << dot_quote(node_label(task)) << "];\n";
  }
  for (const auto& task : workflow.tasks) {
    for (const auto& dep : task.depends_on) out << "  " << dot_quote(dep) << " -> " << dot_quote(task.name) << ";\n";
  }
  out << "}\n";
  return out.str();
}

// Two lines, as `ork validate` prints a task: "name [executor]" and its signature.
std::string node_label(const CompiledTask& task) {
  bool other_language = !task.language.empty() && task.language != task.executor;
  std::string label = task.name + " [" + (other_language ? task.language + " on " : "") + task.executor + "]\n(";
  bool first = true;
  for (const auto& [name, type] : task.signature.inputs) {
    label += (first ? "" : ", ") + name + ": " + type.to_string();
    first = false;
  }
  return label + ") -> " + task.signature.output.to_string();
}

// A dot string literal: quotes and backslashes escaped, newlines as dot's \n.
std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

}  // namespace ork::host
