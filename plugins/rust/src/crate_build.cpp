#include "crate_build.hpp"

#include <unistd.h>

#include <boost/json.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <ork_executor/build_files.hpp>

#include "command.hpp"

namespace ork::plugins::rust {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text);
std::string first_error(const CommandResult& result, const BuildRequest& request);
std::string compiler_error(const boost::json::object& message, const BuildRequest& request);
std::string shown_path(const std::string& file, const BuildRequest& request);

}  // namespace

std::optional<std::filesystem::path> built_library(const std::filesystem::path& build_dir, const std::string& key) {
  std::filesystem::path library = build_dir / key / "task.so";
  std::error_code error;
  if (std::filesystem::is_regular_file(library, error)) return library;
  return std::nullopt;
}

BuildResult build_crate(const Toolchain& toolchain, BuildRequest request) {
  static std::atomic<unsigned> builds{0};
  // Unique per build, so two builds of the same key never write the same
  // file in the shared target directory.
  std::string unique = std::to_string(::getpid()) + "_" + std::to_string(++builds);
  request.spec.crate_name = "ork_task_" + request.key.substr(0, 16) + "_" + unique;
  executor::sweep_abandoned_scratch(request.build_dir);  // what a killed ork's build left
  std::filesystem::path temporary = request.build_dir / (".tmp-" + request.key.substr(0, 16) + "-" + unique);
  std::filesystem::remove_all(temporary);
  std::filesystem::create_directories(temporary / ".cargo");
  write_text(temporary / "Cargo.toml", cargo_toml(request.spec));
  write_text(temporary / "lib.rs", lib_rs(request.spec));
  write_text(temporary / ".cargo" / "config.toml", cargo_config());

  std::filesystem::path target = cargo_target_dir(request.build_dir);
  Command command{toolchain.cargo.string(),
                  {toolchain.cargo.string(), "build", "--release", "--offline", "--message-format=json"},
                  environment_with({"CARGO_TARGET_DIR=" + target.string(), "RUSTC=" + toolchain.rustc.string(),
                                    "CARGO_NET_OFFLINE=true", "CARGO_TERM_COLOR=never"}),
                  temporary.string()};
  CommandResult result = run_command(command);
  std::error_code error;
  if (result.exit_code != 0) {
    std::filesystem::remove_all(temporary, error);
    return {{}, first_error(result, request)};
  }
  std::filesystem::copy_file(target / "release" / ("lib" + request.spec.crate_name + ".so"), temporary / "task.so",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::path final_dir = request.build_dir / request.key;
  std::filesystem::rename(temporary, final_dir, error);
  // Another prepare may have put the same build in place first: keep its.
  if (error) std::filesystem::remove_all(temporary, error);
  if (auto library = built_library(request.build_dir, request.key)) return {*library, {}};
  return {{}, "the built library did not arrive at " + (final_dir / "task.so").string()};
}

// The user's CARGO_TARGET_DIR, when set, is shared with their other builds.
std::filesystem::path cargo_target_dir(const std::filesystem::path& build_dir) {
  const char* shared_target = std::getenv("CARGO_TARGET_DIR");
  return shared_target != nullptr && *shared_target != '\0' ? std::filesystem::path(shared_target)
                                                             : build_dir / "target";
}

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// The compiler's first error with its position, from cargo's JSON messages;
// else cargo's own first error (e.g. a crate missing from Debian's registry).
std::string first_error(const CommandResult& result, const BuildRequest& request) {
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    boost::system::error_code parse_error;
    boost::json::value parsed = boost::json::parse(line, parse_error);
    if (parse_error || !parsed.is_object()) continue;
    const boost::json::object& entry = parsed.get_object();
    const boost::json::value* reason = entry.if_contains("reason");
    const boost::json::value* message = entry.if_contains("message");
    if (reason == nullptr || *reason != "compiler-message" || message == nullptr || !message->is_object()) continue;
    const boost::json::value* level = message->get_object().if_contains("level");
    if (level != nullptr && *level == "error") return compiler_error(message->get_object(), request);
  }
  std::istringstream errors(result.err);
  std::string collected;
  while (std::getline(errors, line)) {
    if (collected.empty() && line.rfind("error", 0) != 0) continue;
    if (!collected.empty() && line.empty()) break;
    collected += (collected.empty() ? "" : "\n") + line;
  }
  if (collected.empty()) collected = "cargo exited with status " + std::to_string(result.exit_code);
  return request.shown + ": building the task with cargo failed: " + collected;
}

std::string compiler_error(const boost::json::object& message, const BuildRequest& request) {
  std::string text(message.at("message").as_string());
  const boost::json::value* code = message.if_contains("code");
  std::string prefix = "error";
  if (code != nullptr && code->is_object() && code->get_object().at("code").is_string()) {
    prefix += "[" + std::string(code->get_object().at("code").get_string()) + "]";
  }
  for (const boost::json::value& item : message.at("spans").as_array()) {
    const boost::json::object& span = item.as_object();
    if (!span.at("is_primary").as_bool()) continue;
    std::string where = shown_path(std::string(span.at("file_name").as_string()), request) + ":" +
                        std::to_string(span.at("line_start").to_number<std::int64_t>()) + ":" +
                        std::to_string(span.at("column_start").to_number<std::int64_t>());
    const boost::json::value& label = span.at("label");
    std::string detail = label.is_string() ? ": " + std::string(label.get_string()) : "";
    return where + ": " + prefix + ": " + text + detail;
  }
  return request.shown + ": " + prefix + ": " + text;
}

// The task's file as the workflow wrote it; another file of the workflow
// relative to its directory; the generated wrapper as "<generated wrapper>".
std::string shown_path(const std::string& file, const BuildRequest& request) {
  std::filesystem::path path(file);
  if (path == request.spec.source) return request.shown;
  if (path.filename() == "lib.rs" && path.is_relative()) return "<generated wrapper of " + request.shown + ">";
  std::filesystem::path relative = path.lexically_relative(request.workflow_dir);
  if (!relative.empty() && *relative.begin() != "..") return relative.string();
  return file;
}

}  // namespace
}  // namespace ork::plugins::rust
