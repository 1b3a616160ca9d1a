// Fuzz target: the host side of the library executor's isolated-worker
// protocol — length-prefixed frames taken from the reply pipe, decoded as
// replies, and a "described" reply's text decoded as a task description.
// Input: byte 0 = read size, then the bytes the worker wrote. Properties:
// malformed frames and descriptions are refused with a std::exception;
// decoding does not depend on chunking; a decoded reply and description
// encode back to what was decoded.
#include "fuzz_support.hpp"
#include "worker_protocol.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace library = ork::plugins::library;

void check_reply(const std::string& payload) {
  library::WorkerReply reply;
  try {
    reply = library::decode_reply(payload);
  } catch (const std::runtime_error&) {
    return;
  }
  std::string encoded = library::encode_reply(reply);
  std::optional<std::string> again = library::take_frame(encoded);
  ORK_FUZZ_CHECK(again && *again == payload && encoded.empty());
  if (reply.status != library::ReplyStatus::described) return;
  try {
    library::TaskDescription description = library::decode_description(reply.text);
    library::TaskDescription round_trip = library::decode_description(library::encode_description(description));
    ORK_FUZZ_CHECK(round_trip.signature == description.signature);
    ORK_FUZZ_CHECK(round_trip.problems.size() == description.problems.size());
  } catch (const std::exception&) {
    // A malformed description: the pool reports it as the task's problem.
  }
}

std::vector<std::string> frames(std::string_view bytes, std::size_t chunk) {
  std::vector<std::string> payloads;
  std::string buffer;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    buffer.append(bytes.substr(at, chunk));
    while (std::optional<std::string> payload = library::take_frame(buffer)) payloads.push_back(std::move(*payload));
  }
  return payloads;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view bytes = ork::fuzz::as_text(data + 1, size - 1);
  std::vector<std::string> payloads = frames(bytes, bytes.size() + 1);
  ORK_FUZZ_CHECK(frames(bytes, chunk) == payloads);
  for (const std::string& payload : payloads) check_reply(payload);
  return 0;
}
