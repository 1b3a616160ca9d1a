// The C++ task SDK's process protocol (included through ork/task.hpp):
// `ork::run(fn, argc, argv)` answers `--ork-signature`, reads the inputs from
// stdin and prints `ORK_OUTPUT:<json>`.
#pragma once

#include <ork/task_types.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace ork::sdk {

// Exit codes of a process task built with run().
inline constexpr int exit_task_failed = 1;  // the task function threw
inline constexpr int exit_bad_input = 2;    // stdin did not match the parameter type

template <typename Fn>
int run(Fn&& fn, int argc, char** argv);
template <typename Fn>
int run(Fn&& fn);
template <typename Fn>
int run_process_task(Fn&& fn, std::istream& in, std::ostream& out, std::ostream& err);
namespace detail {

inline std::vector<std::string> command_line_arguments() {
  // Linux only, like ork itself: the kernel keeps argv NUL-separated here.
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  std::string all{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  std::vector<std::string> args;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    args.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

}  // namespace detail

// Runs a process task: `--ork-signature` as the first argument prints the
// signature; otherwise stdin is converted to the parameter type, `fn` is
// called and its result printed as `ORK_OUTPUT:<json>`. Returns the exit code.
template <typename Fn>
int run(Fn&& fn, int argc, char** argv) {
  detail::check_task_function<Fn>();
  if (argc > 1 && std::string_view(argv[1]) == "--ork-signature") {
    std::cout << signature_of<Fn>() << '\n' << std::flush;
    return 0;
  }
  return run_process_task(fn, std::cin, std::cout, std::cerr);
}

// As above, reading the arguments from /proc/self/cmdline.
template <typename Fn>
int run(Fn&& fn) {
  detail::check_task_function<Fn>();
  std::vector<std::string> args = detail::command_line_arguments();
  if (args.size() > 1 && args[1] == "--ork-signature") {
    std::cout << signature_of<Fn>() << '\n' << std::flush;
    return 0;
  }
  return run_process_task(fn, std::cin, std::cout, std::cerr);
}

// The process protocol over explicit streams (what run() does after the
// argument check); exit codes 0, exit_task_failed or exit_bad_input.
template <typename Fn>
int run_process_task(Fn&& fn, std::istream& in, std::ostream& out, std::ostream& err) {
  detail::check_task_function<Fn>();
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  boost::json::value output;
  try {
    boost::json::value input = detail::parse_input(text);
    output = detail::call_task(fn, input);
  } catch (const InputError& e) {
    err << "ork task input: " << e.what() << '\n' << std::flush;
    return exit_bad_input;
  } catch (const std::exception& e) {
    err << "ork task failed: " << e.what() << '\n' << std::flush;
    return exit_task_failed;
  } catch (...) {
    err << "ork task failed: an exception that is not a std::exception\n" << std::flush;
    return exit_task_failed;
  }
  out << "ORK_OUTPUT:" << boost::json::serialize(output) << '\n' << std::flush;
  return 0;
}

}  // namespace ork::sdk

namespace ork {
using sdk::run;
}  // namespace ork

