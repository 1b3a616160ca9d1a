// The workflow compiler's entry points and its passes in order: read the
// document (workflow_keys.cpp, task_reader.cpp), check the tasks
// (executor_checks.cpp and the checks it names), then the result. The
// readers and checks live in the files workflow_compiler.hpp lists.
#include "workflow/workflow_compiler.hpp"

namespace ork::host {

namespace {

CompileResult run_compiler(std::string_view yaml, const std::filesystem::path& file, const ExecutorCatalog& executors);

}  // namespace

CompileResult compile_workflow(const std::filesystem::path& file, const ExecutorCatalog& executors) {
  const std::string shown = file.string();
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return CompileResult{std::nullopt, {{{shown, 0, 0}, "workflow file not found"}}};
  }
  if (std::filesystem::is_directory(file, error)) {
    return CompileResult{std::nullopt, {{{shown, 0, 0}, "is a directory, not a workflow file"}}};
  }
  std::ifstream in(file, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    return CompileResult{std::nullopt,
                         {{{shown, 0, 0}, std::string("cannot read the workflow file: ") + std::strerror(errno)}}};
  }
  return compile_workflow_source(text, file, executors);
}

CompileResult compile_workflow_source(std::string_view yaml, const std::filesystem::path& file,
                                      const ExecutorCatalog& executors) {
  // The limits of ork/limits.h keep hostile files from exhausting memory or
  // the stack; anything still thrown must not take `ork serve` down with it.
  try {
    return run_compiler(yaml, file, executors);
  } catch (const std::exception& e) {
    return CompileResult{
        std::nullopt,
        {{{file.string(), 0, 0},
          std::string("the compiler failed on this file (") + e.what() + "); please report this as a bug"}}};
  }
}

}  // namespace ork::host

namespace ork::host::compiling {

WorkflowCompiler::WorkflowCompiler(std::string_view yaml, const std::filesystem::path& file,
                                   const ExecutorCatalog& executors)
    : yaml_(yaml),
      file_(file.string()),
      executors_(executors),
      values_(file_, errors_, ORK_MAX_YAML_NODES, yaml.size()) {
  workflow_.file = std::filesystem::absolute(file).lexically_normal();
  workflow_.dir = workflow_.file.parent_path();
  workflow_.source = std::string(yaml);
  defaults_.workdir = workflow_.dir;
}

CompileResult WorkflowCompiler::run() {
  if (!read_document()) return finish({});
  std::optional<std::vector<std::size_t>> order = order_tasks(drafts_, errors_);
  check_with_executors();
  apply_declared_types();
  apply_map_outputs();
  check_bindings(drafts_, workflow_.inputs, errors_);
  check_maps(drafts_, workflow_.inputs, errors_);
  check_conditions();
  check_pools();
  prepare_language_tasks();
  return finish(order.value_or(std::vector<std::size_t>{}));
}

// Everything that needs the YAML tree is read here: the tree (~150 bytes per
// task) is released on return, before the checks and the compiled workflow
// need memory of their own.
bool WorkflowCompiler::read_document() {
  std::optional<YamlDocument> document = parse_document();
  if (!document) return false;
  const YamlNode root = document->root();
  std::map<std::string, MapEntry> top = read_top_level(root);
  read_header(top);
  named_types_ = NamedTypes::from_yaml(entry_value(top, "types"), file_, values_, errors_);
  if (top.count("inputs")) read_workflow_inputs(top.at("inputs"));
  if (top.count("pools")) read_pools(top.at("pools"));
  if (top.count("concurrency")) read_positive(top.at("concurrency"), workflow_.concurrency);
  if (top.count("max_active_runs")) read_positive(top.at("max_active_runs"), workflow_.max_active_runs);
  if (top.count("timeout")) read_run_timeout(top.at("timeout"));
  if (top.count("defaults")) read_defaults(top.at("defaults"));
  read_tasks(top, root);
  return true;
}

std::optional<YamlDocument> WorkflowCompiler::parse_document() {
  std::optional<YamlDocument> document;
  try {
    document = YamlDocument::parse(yaml_);
  } catch (const YAML::ParserException& e) {
    add({file_, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  const YamlNode root = document->root();
  if (!root || root.is_null()) {
    add({file_, 1, 1}, "the workflow file is empty: it needs a \"tasks:\" mapping of task name -> task");
    return std::nullopt;
  }
  if (!root.is_map()) {
    add(location_of(root, file_),
        "a workflow file must be a mapping with a \"tasks:\" key, not " + describe_node(root));
    return std::nullopt;
  }
  return document;
}

std::map<std::string, MapEntry> WorkflowCompiler::read_top_level(const YamlNode& root) {
  std::map<std::string, MapEntry> top;
  for (MapEntry& entry : map_entries(root, file_, errors_, "")) {
    if (std::find(top_level_keys.begin(), top_level_keys.end(), entry.key) == top_level_keys.end()) {
      add(entry.key_where, unknown_key("", entry.key, top_level_keys, "top-level key"));
      continue;
    }
    std::string key = entry.key;
    top.emplace(key, std::move(entry));
  }
  return top;
}

YamlNode WorkflowCompiler::entry_value(const std::map<std::string, MapEntry>& top, const std::string& key) {
  auto found = top.find(key);
  return found == top.end() ? YamlNode() : found->second.value;
}

CompileResult WorkflowCompiler::finish(const std::vector<std::size_t>& order) {
  std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.col) < std::pair(b.where.line, b.where.col);
  });
  if (!errors_.empty()) return CompileResult{std::nullopt, std::move(errors_)};
  std::vector<TaskDraft>().swap(drafts_);  // their locations and maps, before the hash needs memory
  put_in_order(workflow_.tasks, order);
  Sha256 spec_hash;  // of spec_text(), which is never held whole here
  workflow_.write_spec_text([&](std::string_view piece) { spec_hash.add(piece); });
  workflow_.content_hash = spec_hash.hex();
  return CompileResult{std::move(workflow_), {}};
}

}  // namespace ork::host::compiling

namespace ork::host {

namespace {

CompileResult run_compiler(std::string_view yaml, const std::filesystem::path& file, const ExecutorCatalog& executors) {
  return compiling::WorkflowCompiler(yaml, file, executors).run();
}

}  // namespace

}  // namespace ork::host
