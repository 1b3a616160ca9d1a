#include "worker_protocol.hpp"

#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace ork::plugins::library {
namespace {

void append_u32(std::string& out, std::uint32_t value);
std::uint32_t read_u32(std::string_view bytes, std::size_t offset);
std::string frame(std::string payload);
void append_field(std::string& out, std::string_view field);
std::string_view take_field(std::string_view payload, std::size_t& offset);

}  // namespace

std::string encode_request(const WorkerRequest& request) {
  std::string payload(1, static_cast<char>(request.kind));
  append_field(payload, request.file);
  append_field(payload, request.function);
  payload += request.input_json;
  return frame(std::move(payload));
}

WorkerRequest decode_request(std::string_view payload) {
  if (payload.empty()) throw std::runtime_error("empty request frame");
  WorkerRequest request;
  request.kind = static_cast<RequestKind>(payload[0]);
  if (request.kind != RequestKind::call && request.kind != RequestKind::describe) {
    throw std::runtime_error("unknown request kind");
  }
  std::size_t offset = 1;
  request.file = take_field(payload, offset);
  request.function = take_field(payload, offset);
  request.input_json = payload.substr(offset);
  return request;
}

std::string encode_reply(const WorkerReply& reply) {
  std::string payload(1, static_cast<char>(reply.status));
  payload += reply.text;
  return frame(std::move(payload));
}

WorkerReply decode_reply(std::string_view payload) {
  if (payload.empty()) throw std::runtime_error("empty reply frame");
  auto status = static_cast<ReplyStatus>(payload[0]);
  if (status != ReplyStatus::succeeded && status != ReplyStatus::failed && status != ReplyStatus::described) {
    throw std::runtime_error("unknown reply status");
  }
  return WorkerReply{status, std::string(payload.substr(1))};
}

std::string encode_description(const TaskDescription& description) {
  boost::json::array problems;
  for (const TaskProblem& problem : description.problems) {
    problems.push_back(boost::json::object{{"key", problem.key}, {"message", problem.message}});
  }
  boost::json::object json{{"problems", std::move(problems)}};
  json["signature"] = description.signature ? boost::json::value(*description.signature) : boost::json::value();
  return boost::json::serialize(json);
}

TaskDescription decode_description(std::string_view text) {
  boost::json::value json = boost::json::parse(text);
  TaskDescription description;
  for (const boost::json::value& problem : json.at("problems").as_array()) {
    description.problems.push_back(TaskProblem{std::string(problem.at("key").as_string()),
                                               std::string(problem.at("message").as_string())});
  }
  if (const boost::json::value& signature = json.at("signature"); signature.is_string()) {
    description.signature = std::string(signature.get_string());
  }
  return description;
}

std::optional<std::string> take_frame(std::string& buffer) {
  if (buffer.size() < sizeof(std::uint32_t)) return std::nullopt;
  std::uint32_t length = read_u32(buffer, 0);
  if (buffer.size() < sizeof(std::uint32_t) + length) return std::nullopt;
  std::string payload = buffer.substr(sizeof(std::uint32_t), length);
  buffer.erase(0, sizeof(std::uint32_t) + length);
  return payload;
}

bool read_frame(int fd, std::string& payload) {
  std::string buffer;
  char chunk[65536];
  while (true) {
    if (std::optional<std::string> frame = take_frame(buffer)) {
      payload = std::move(*frame);
      return true;
    }
    // Read no further than the current frame: the next one belongs to the next call.
    std::size_t want = sizeof chunk;
    if (buffer.size() >= sizeof(std::uint32_t)) {
      want = std::min(want, sizeof(std::uint32_t) + read_u32(buffer, 0) - buffer.size());
    } else {
      want = sizeof(std::uint32_t) - buffer.size();
    }
    ssize_t n = ::read(fd, chunk, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
    if (n == 0) {
      if (buffer.empty()) return false;
      throw std::runtime_error("the pipe closed in the middle of a frame");
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "write");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

namespace {

void append_u32(std::string& out, std::uint32_t value) {
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  out.append(bytes, sizeof value);
}

std::uint32_t read_u32(std::string_view bytes, std::size_t offset) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

std::string frame(std::string payload) {
  if (payload.size() > UINT32_MAX) throw std::length_error("a worker frame is limited to 4 GiB");
  std::string out;
  out.reserve(sizeof(std::uint32_t) + payload.size());
  append_u32(out, static_cast<std::uint32_t>(payload.size()));
  out += payload;
  return out;
}

void append_field(std::string& out, std::string_view field) {
  append_u32(out, static_cast<std::uint32_t>(field.size()));
  out += field;
}

std::string_view take_field(std::string_view payload, std::size_t& offset) {
  if (payload.size() < offset + sizeof(std::uint32_t)) throw std::runtime_error("truncated request frame");
  std::uint32_t length = read_u32(payload, offset);
  offset += sizeof(std::uint32_t);
  if (payload.size() < offset + length) throw std::runtime_error("truncated request frame");
  std::string_view field = payload.substr(offset, length);
  offset += length;
  return field;
}

}  // namespace
}  // namespace ork::plugins::library
