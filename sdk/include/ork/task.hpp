// The C++ task SDK: write an ork task as a typed C++ function and let this
// header do the JSON plumbing, for either task protocol. Included by task
// authors (header-only; link Boost::json, or the CMake target ork::task_sdk).
//
//   struct Input  { long count; std::optional<std::string> label; };
//   BOOST_DESCRIBE_STRUCT(Input, (), (count, label))
//   struct Output { std::vector<long> values; };
//   BOOST_DESCRIBE_STRUCT(Output, (), (values))
//   Output make_values(const Input& in) { ... }
//
//   // a `process` task: reads stdin, prints ORK_OUTPUT:, answers --ork-signature
//   int main(int argc, char** argv) { return ork::run(make_values, argc, argv); }
//
//   // or a `library` task: exports the C ABI of ork/task.h
//   ORK_LIBRARY_TASK(make_values)
//
// A task function takes exactly one parameter, a struct described with
// BOOST_DESCRIBE_STRUCT whose fields are the task's inputs (a field named
// `upstream` receives {task: output} of the direct upstream tasks), and
// returns a supported type or void. Supported types: bool, integers (int),
// floating point (float), std::string (str), std::vector<T> (list[T]),
// std::map / std::unordered_map with std::string keys (dict[str, T]),
// std::optional<T> (T | None; an optional field may also be absent),
// described structs (objects) and boost::json::value (Any). A task reports
// failure by throwing; no exception ever crosses the C ABI.
#pragma once

#include <ork/task_library.hpp>
#include <ork/task_process.hpp>
#include <ork/task_types.hpp>
