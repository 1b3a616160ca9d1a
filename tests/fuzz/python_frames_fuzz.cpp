// Fuzz target: the host side of the python worker's protocol (executor-common's
// warm worker, without end markers) — the replies
// read from the worker's channel (a JSON header line, and a raw payload line
// when the header says "payload": true) and the worker's stdout split into log
// lines, each request's output ending where its reply arrived. Input: byte 0 =
// read size, then the channel bytes; after the first 0xFF byte, the stdout
// bytes, a 0xFE byte standing for the end of a request. Properties: a
// malformed header is refused with MalformedReply (never another exception);
// replies and log lines do not depend on how the bytes were chunked.
#include "fuzz_support.hpp"
#include "ork_executor/warm_worker.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace {

namespace worker = ork::plugins::executor;  // what the python worker is

// The replies in `channel`, read `chunk` bytes at a time, as "header\npayload";
// a last entry "malformed" when the worker broke the protocol.
std::vector<std::string> replies(std::string_view channel, std::size_t chunk) {
  std::vector<std::string> seen;
  std::string inbox;
  std::size_t scanned = 0;
  for (std::size_t at = 0; at < channel.size(); at += chunk) {
    inbox.append(channel.substr(at, chunk));
    try {
      while (std::optional<worker::Reply> reply = worker::take_reply_frame(inbox, scanned)) {
        seen.push_back(boost::json::serialize(reply->header) + "\n" + reply->payload);
      }
    } catch (const worker::MalformedReply& e) {
      ORK_FUZZ_CHECK(std::string_view(e.what()).size() < 400);
      seen.emplace_back("malformed");
      return seen;
    }
  }
  return seen;
}

std::vector<std::string> log_lines(std::string_view bytes, std::size_t chunk) {
  std::vector<std::string> lines;
  worker::LogLineSplitter splitter(ORK_LOG_STDOUT);
  worker::LogHandler emit = [&](ork_log_stream, std::string_view line) { lines.emplace_back(line); };
  for (std::size_t request_start = 0; request_start <= bytes.size();) {
    std::size_t request_end = std::min(bytes.find('\xfe', request_start), bytes.size());
    std::string_view request = bytes.substr(request_start, request_end - request_start);
    for (std::size_t at = 0; at < request.size(); at += chunk) splitter.feed(request.substr(at, chunk), emit);
    if (request_end == bytes.size()) {
      splitter.flush(emit);
    } else {
      splitter.end_request(emit);
      ORK_FUZZ_CHECK(splitter.recent_lines().empty());
    }
    ORK_FUZZ_CHECK(splitter.recent_lines().size() <= 8);
    request_start = request_end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view rest = ork::fuzz::as_text(data + 1, size - 1);
  std::size_t separator = rest.find('\xff');
  std::string_view channel = rest.substr(0, separator);
  std::string_view output = separator == std::string_view::npos ? std::string_view() : rest.substr(separator + 1);

  ORK_FUZZ_CHECK(replies(channel, chunk) == replies(channel, channel.size() + 1));
  ORK_FUZZ_CHECK(log_lines(output, chunk) == log_lines(output, output.size() + 1));
  return 0;
}
