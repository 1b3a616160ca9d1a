// The rust language plugin: a task written as {file: score.rs, function:
// score} whose function is a plain `pub fn` with serde-compatible types.
// introspect reads its signature from the source (ork-rust-introspect, syn);
// prepare generates a wrapper crate around the file, builds it offline with
// cargo into a content-addressed directory (cached: an unchanged task is not
// rebuilt) and hands the library to the `library` executor, which runs it
// in-process or, with `isolate: true`, in a worker process.
#pragma once

#include <ork/plugin.hpp>

#include <mutex>
#include <optional>
#include <string>

#include "introspection.hpp"
#include "toolchain.hpp"

namespace ork::plugins::rust {

class RustLanguage : public ork::plugin::Language {
 public:
  static constexpr const char* const extensions[] = {".rs", nullptr};
  static constexpr const char* const task_keys[] = {"isolate", nullptr};
  static constexpr const char* const executors[] = {"library", nullptr};

  std::string describe() override;
  void introspect(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) override;
  std::optional<std::string> prepare(const ork::plugin::LanguageTask& task,
                                     const ork::plugin::CheckSink& sink) override;

 private:
  // What both calls start with: the toolchain, the task's keys and source,
  // and its signature; nullopt after reporting what is wrong.
  struct Task {
    const Toolchain* toolchain = nullptr;
    SourceFile source;
    Introspection introspection;
    std::optional<bool> isolate;
  };
  std::optional<Task> read_task(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink);
  const std::optional<Toolchain>& toolchain();
  std::string build_key(const Task& task, const std::string& function);
  const std::string& sdk_fingerprint();

  std::once_flag toolchain_once_;
  std::optional<Toolchain> toolchain_;
  std::once_flag sdk_once_;
  std::string sdk_fingerprint_;
  Introspector introspector_;
  std::mutex build_mutex_;  // one cargo build at a time: they share a target directory
};

}  // namespace ork::plugins::rust
