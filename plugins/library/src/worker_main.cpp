// ork-library-worker: the helper process behind `isolate: true`. It reads
// request frames on stdin (fd 0) and answers on fd 3; the task's own stdout
// and stderr (fds 1 and 2) become the task's log lines in the host. It runs
// one call at a time and exits when its stdin closes, so a dead host leaves
// no worker behind.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>

#include "task_library.hpp"
#include "worker_protocol.hpp"

namespace {

using namespace ork::plugins::library;

constexpr int request_fd = 0;
constexpr int reply_fd = 3;

WorkerReply answer(LibraryCache& cache, const WorkerRequest& request);

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// In an ASan build (CI), a segfault in user code must still kill the worker
// with SIGSEGV, as in production, instead of becoming ASan's exit code 1.
extern "C" const char* __asan_default_options() { return "handle_segv=0"; }
#elif defined(__SANITIZE_THREAD__)
// The same in a TSan build (scripts/sanitize.sh tsan), whose SEGV report
// would otherwise end the worker with TSan's exit code 66.
extern "C" const char* __tsan_default_options() { return "handle_segv=0"; }
#endif

int main() {
  // stdout is a pipe, which C stdio would buffer in 4 KiB blocks until the
  // call returns; line buffering sends each printed line to the task's log as
  // it is printed (stderr is unbuffered already).
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // Processes the library starts must not inherit the protocol pipes.
  fcntl(request_fd, F_SETFD, FD_CLOEXEC);
  fcntl(reply_fd, F_SETFD, FD_CLOEXEC);
  LibraryCache cache;
  try {
    std::string payload;
    while (read_frame(request_fd, payload)) {
      WorkerReply reply = answer(cache, decode_request(payload));
      // The host reads the task's logs up to the reply: flush them first.
      std::cout.flush();
      std::cerr.flush();
      std::fflush(nullptr);
      write_all(reply_fd, encode_reply(reply));
    }
  } catch (const std::exception& e) {
    std::cerr << "ork-library-worker: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

namespace {

WorkerReply answer(LibraryCache& cache, const WorkerRequest& request) {
  if (request.kind == RequestKind::describe) {
    return WorkerReply{ReplyStatus::described, encode_description(describe_task(cache, request.file, request.function))};
  }
  try {
    TaskFunction function = cache.function(request.file, request.function);
    CallOutcome outcome = call_task_function(function, request.input_json.c_str());
    return WorkerReply{outcome.succeeded ? ReplyStatus::succeeded : ReplyStatus::failed, std::move(outcome.text)};
  } catch (const TaskProblemError& e) {
    return WorkerReply{ReplyStatus::failed, e.what()};
  }
}

}  // namespace
