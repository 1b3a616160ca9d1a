// The crate the rust plugin generates for a function-task: a cdylib whose
// lib.rs includes the user's file as a module (#[path = "/abs/score.rs"]
// mod task;) and exports the function through the Rust SDK's library task
// ABI (ork_sdk::library::call_function, ork_sdk::export_task_support!), with
// the signature introspection found. Only text here: building is cargo's.
#pragma once

#include <string>
#include <vector>

namespace ork::plugins::rust {

struct Parameter {
  std::string name;
  bool borrowed = false;  // `&str`: taken as String, passed as &String
  bool whole = false;     // the only parameter, a struct: the whole input object unless bound by name
};

struct WrapperSpec {
  std::string crate_name;  // a valid Rust crate name, unique per build
  std::string source;      // absolute path of the task's .rs file
  std::string function;
  std::vector<Parameter> params;
  bool returns_result = false;  // Result<T, E>: Err(e) fails the task with e
  std::string signature_json;
  std::string sdk;  // absolute path of the ork-sdk crate
};

// The exported symbol the library executor calls.
inline constexpr const char* kTaskSymbol = "ork_task_run";

std::string cargo_toml(const WrapperSpec& spec);
std::string lib_rs(const WrapperSpec& spec);
// .cargo/config.toml: Debian's crates (/usr/share/cargo/registry), offline.
std::string cargo_config();

}  // namespace ork::plugins::rust
