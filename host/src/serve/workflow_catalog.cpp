#include "serve/workflow_catalog.hpp"

#include "workflow/compiler.hpp"

#include <fstream>

namespace ork::host {

namespace {

constexpr int max_depth = 3;  // examples/<project>/<workflow>.yaml and a bit more

bool is_workflow_file(const std::filesystem::path& file);
bool skipped_directory(const std::filesystem::directory_entry& dir);
std::string relative_to(const std::filesystem::path& directory, const std::string& file);

}  // namespace

WorkflowCatalog::WorkflowCatalog(std::filesystem::path directory, const ExecutorCatalog& executors)
    : directory_(std::filesystem::weakly_canonical(std::filesystem::absolute(directory))), executors_(executors) {
  if (!std::filesystem::is_directory(directory_)) {
    throw Error(ErrorKind::usage, "workflows directory " + directory.string() +
                                      " does not exist or is not a directory (see --workflows)");
  }
}

int WorkflowCatalog::refresh() {
  std::lock_guard refreshing(refresh_mutex_);
  int changed = 0;
  std::vector<std::filesystem::path> found = workflow_files();
  for (auto it = files_.begin(); it != files_.end();) {
    if (std::find(found.begin(), found.end(), it->first) == found.end()) {
      it = files_.erase(it);
      ++changed;
    } else {
      ++it;
    }
  }
  for (const auto& file : found) {
    std::error_code ec;
    auto modified = std::filesystem::last_write_time(file, ec);
    auto size = std::filesystem::file_size(file, ec);
    if (ec) continue;  // vanished between the scan and now; the next refresh drops it
    auto known = files_.find(file);
    if (known != files_.end() && known->second.modified == modified && known->second.size == size) continue;
    CatalogEntry entry = compile(file, known == files_.end() ? nullptr : &known->second.entry);
    files_[file] = FileState{modified, size, std::move(entry)};
    ++changed;
  }
  if (changed == 0) return 0;

  std::map<std::string, CatalogEntry> by_name;
  for (const auto& [file, state] : files_) {
    CatalogEntry entry = state.entry;
    if (by_name.contains(entry.name)) {
      entry.errors.push_back(Diagnostic{SourceLocation{entry.file, 0, 0},
                                        "workflow name '" + entry.name + "' is already used by " +
                                            by_name.at(entry.name).file + "; rename one of them"});
      entry.name = entry.file;
    }
    by_name[entry.name] = std::move(entry);
  }
  std::lock_guard lock(mutex_);
  by_name_ = std::move(by_name);
  return changed;
}

std::vector<CatalogEntry> WorkflowCatalog::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<CatalogEntry> out;
  out.reserve(by_name_.size());
  for (const auto& [name, entry] : by_name_) out.push_back(entry);
  return out;
}

std::optional<CatalogEntry> WorkflowCatalog::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::filesystem::path> WorkflowCatalog::workflow_files() const {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(directory_, std::filesystem::directory_options::skip_permission_denied,
                                                   ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) {
      if (it.depth() >= max_depth - 1 || skipped_directory(*it)) it.disable_recursion_pending();
      continue;
    }
    const auto ext = it->path().extension();
    if ((ext == ".yaml" || ext == ".yml") && is_workflow_file(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

CatalogEntry WorkflowCatalog::compile(const std::filesystem::path& file, const CatalogEntry* previous) const {
  CompileResult result = compile_workflow(file, executors_);
  CatalogEntry entry;
  if (previous) entry = *previous;  // the last good version stays served
  entry.file = file.lexically_relative(directory_).string();
  if (entry.name.empty()) entry.name = file.stem().string();
  entry.errors.clear();
  entry.compiled_at = now_millis();
  for (auto& d : result.errors) {
    d.where.file = relative_to(directory_, d.where.file);
    entry.errors.push_back(std::move(d));
  }
  if (!result.workflow) return entry;

  entry.workflow = std::make_shared<const CompiledWorkflow>(std::move(*result.workflow));
  entry.name = entry.workflow->name;
  entry.schedule.reset();
  if (!entry.workflow->schedule.empty()) {
    try {
      entry.schedule = CronSchedule::parse(entry.workflow->schedule, entry.workflow->timezone);
    } catch (const Error& e) {
      entry.errors.push_back(Diagnostic{SourceLocation{entry.file, 0, 0}, e.what()});
    }
  }
  return entry;
}

std::filesystem::path default_workflows_directory() {
  if (std::filesystem::is_directory("workflows")) return "workflows";
  return ".";
}

namespace {

bool is_workflow_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("tasks:") || line.starts_with("tasks :")) return true;
  }
  return false;
}

// Hidden folders (.git, .ork), npm folders and CMake build trees hold no
// workflows of the user's and can be huge.
bool skipped_directory(const std::filesystem::directory_entry& dir) {
  const std::string name = dir.path().filename().string();
  if (name.starts_with('.') || name == "node_modules") return true;
  std::error_code ec;
  return std::filesystem::exists(dir.path() / "CMakeCache.txt", ec);
}

// Diagnostics name files relative to the served directory: the API must not
// show where the server's files live.
std::string relative_to(const std::filesystem::path& directory, const std::string& file) {
  if (file.empty()) return file;
  std::filesystem::path p(file);
  if (p.is_relative()) p = std::filesystem::absolute(p);
  std::filesystem::path rel = p.lexically_normal().lexically_relative(directory);
  if (rel.empty() || *rel.begin() == "..") return p.filename().string();
  return rel.string();
}

}  // namespace

}  // namespace ork::host
