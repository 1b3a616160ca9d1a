// The worker protocol's frames and the messages built from loader and wait
// results, tested on their own.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "task_library.hpp"
#include "worker_process.hpp"
#include "worker_protocol.hpp"

namespace ork::plugins::library {
namespace {

TEST(WorkerProtocol, RequestRoundTripsIncludingNulBytes) {
  WorkerRequest request{RequestKind::call, "/lib/x.so", "run", std::string("{\"a\":\"\0\"}", 9)};
  std::string buffer = encode_request(request);
  std::optional<std::string> payload = take_frame(buffer);
  ASSERT_TRUE(payload.has_value());
  EXPECT_TRUE(buffer.empty());
  WorkerRequest decoded = decode_request(*payload);
  EXPECT_EQ(decoded.kind, RequestKind::call);
  EXPECT_EQ(decoded.file, request.file);
  EXPECT_EQ(decoded.function, request.function);
  EXPECT_EQ(decoded.input_json, request.input_json);
}

TEST(WorkerProtocol, PartialFramesWaitForTheirRest) {
  std::string whole = encode_reply(WorkerReply{ReplyStatus::succeeded, "[1,2]"}) +
                      encode_reply(WorkerReply{ReplyStatus::failed, "no"});
  std::string buffer = whole.substr(0, 6);
  EXPECT_FALSE(take_frame(buffer).has_value());
  buffer += whole.substr(6);
  WorkerReply first = decode_reply(*take_frame(buffer));
  EXPECT_EQ(first.status, ReplyStatus::succeeded);
  EXPECT_EQ(first.text, "[1,2]");
  WorkerReply second = decode_reply(*take_frame(buffer));
  EXPECT_EQ(second.status, ReplyStatus::failed);
  EXPECT_EQ(second.text, "no");
}

TEST(WorkerProtocol, MalformedFramesAreRefused) {
  EXPECT_THROW(decode_request("X"), std::runtime_error);
  EXPECT_THROW(decode_request(std::string("C\x05\0\0\0ab", 8)), std::runtime_error);
  EXPECT_THROW(decode_reply(""), std::runtime_error);
}

TEST(WorkerProtocol, DescriptionRoundTrips) {
  TaskDescription description{{{"function", "no such function"}}, std::string(R"({"inputs":{},"output":"int"})")};
  TaskDescription decoded = decode_description(encode_description(description));
  ASSERT_EQ(decoded.problems.size(), 1u);
  EXPECT_EQ(decoded.problems[0].key, "function");
  EXPECT_EQ(decoded.problems[0].message, "no such function");
  EXPECT_EQ(decoded.signature, description.signature);
  EXPECT_FALSE(decode_description(encode_description(TaskDescription{})).signature.has_value());
}

TEST(Messages, ChildEndsAreSpelledOut) {
  EXPECT_EQ(describe_child_end(CLD_KILLED, SIGSEGV), "killed by signal SIGSEGV (11)");
  EXPECT_EQ(describe_child_end(CLD_DUMPED, SIGABRT), "killed by signal SIGABRT (6)");
  EXPECT_EQ(describe_child_end(CLD_EXITED, 3), "exited with code 3");
}

TEST(Messages, DlErrorTextDropsBoostsErrnoSuffix) {
  std::system_error error(std::make_error_code(std::errc::bad_file_descriptor),
                          "boost::dll::shared_library::load() failed (dlerror system message: /x.so: file too short)");
  EXPECT_EQ(dl_error_text(error), "/x.so: file too short");
}

}  // namespace
}  // namespace ork::plugins::library
