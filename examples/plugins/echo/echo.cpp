// The `echo` executor: a complete third-party ork plugin in one file, written
// against the installed <ork/plugin.hpp> only. A task
//
//   hello: {executor: echo, message: hi}
//
// succeeds with the output {"message": "hi", "input": <the task's input
// object>} and logs its message. The workflow compiler calls `check`, which
// refuses a task whose `message` is missing or not a string.
#include <ork/plugin.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ork_echo {

// Why a task's keys hold no usable message, and which key to point at ("" = the task).
struct ConfigProblem {
  std::string key;
  std::string message;
};

std::variant<std::string, ConfigProblem> read_message(std::string_view config_json);
std::string_view kind_of(const boost::json::value& value);

class Echo final : public ork::plugin::Executor {
 public:
  // The executor-specific keys a task may use; the host refuses any other.
  static constexpr const char* task_keys[] = {"message", nullptr};
  // No ORK_EXECUTOR_INTROSPECTS: echo reports no signature, so ork types its
  // output as Any (and `ork validate` says so).
  static constexpr std::uint32_t capabilities = 0;

  void check(const ork::plugin::TaskSpec& spec, const ork::plugin::CheckSink& sink) override {
    auto message = read_message(spec.config_json);
    if (const auto* problem = std::get_if<ConfigProblem>(&message)) sink.error(problem->key, problem->message);
  }

  void run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) override {
    auto message = read_message(request.spec.config_json);
    if (const auto* problem = std::get_if<ConfigProblem>(&message)) return sink.fail(problem->message);
    const std::string& text = std::get<std::string>(message);
    boost::json::error_code ec;
    boost::json::value input = boost::json::parse(request.input_json, ec);
    if (ec) return sink.fail("echo could not read its input as JSON: " + ec.message());

    sink.log(ORK_LOG_STDOUT, text);
    boost::json::object output;
    output["message"] = text;
    output["input"] = std::move(input);
    sink.succeed(boost::json::serialize(output));
  }
};

// Finds `message` among the task's executor-specific keys (a JSON object).
std::variant<std::string, ConfigProblem> read_message(std::string_view config_json) {
  boost::json::error_code ec;
  boost::json::value config = boost::json::parse(config_json, ec);
  if (ec || !config.is_object()) return ConfigProblem{"", "echo got task keys that are not a JSON object"};
  const boost::json::value* message = config.as_object().if_contains("message");
  if (!message) return ConfigProblem{"", "echo needs a `message:` key with the text to echo, e.g. `message: hi`"};
  if (!message->is_string()) {
    return ConfigProblem{"message", "message must be a string, got " + std::string(kind_of(*message)) +
                                        "; quote it (message: \"42\") to echo it as text"};
  }
  return std::string(message->as_string());
}

std::string_view kind_of(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "a list";
    case boost::json::kind::object: return "a mapping";
  }
  return "an unknown value";
}

}  // namespace ork_echo

ORK_EXECUTOR_PLUGIN(ork_echo::Echo, "echo", "1.0.0", "Echoes a message and the task's input")
