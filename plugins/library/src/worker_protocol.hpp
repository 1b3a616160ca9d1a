// The frames the library executor and its isolated worker process
// (ork-library-worker) exchange over pipes: each frame is a native-endian
// uint32 length followed by that many bytes. Both sides run on the same
// machine from the same build, so no portability beyond that is needed.
// Included by the worker pool and by the worker's main.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "task_library.hpp"

namespace ork::plugins::library {

enum class RequestKind : char { call = 'C', describe = 'D' };

struct WorkerRequest {
  RequestKind kind = RequestKind::call;
  std::string file;
  std::string function;
  std::string input_json;  // call only
};

enum class ReplyStatus : char { succeeded = 'S', failed = 'F', described = 'D' };

struct WorkerReply {
  ReplyStatus status = ReplyStatus::failed;
  // succeeded: output JSON; failed: the error; described: encode_description().
  std::string text;
};

// Each encode_* returns a whole frame, length prefix included; each decode_*
// takes a frame's payload and throws std::runtime_error when it is malformed.
std::string encode_request(const WorkerRequest& request);
WorkerRequest decode_request(std::string_view payload);
std::string encode_reply(const WorkerReply& reply);
WorkerReply decode_reply(std::string_view payload);
std::string encode_description(const TaskDescription& description);
TaskDescription decode_description(std::string_view text);

// Removes and returns the first complete frame's payload in `buffer`.
std::optional<std::string> take_frame(std::string& buffer);

// Blocking I/O for the worker side: read_frame returns false at end of file.
bool read_frame(int fd, std::string& payload);
void write_all(int fd, std::string_view bytes);

}  // namespace ork::plugins::library
