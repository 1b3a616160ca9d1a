#include "introspection.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <ork_executor/build_files.hpp>

#include "command.hpp"
#include "toolchain.hpp"

namespace ork::plugins::rust {
namespace {

std::string run_helper(const SourceFile& source, const std::string& function);
Introspection parse_answer(const std::string& answer, const std::string& shown);

}  // namespace

Introspection Introspector::introspect(const SourceFile& source, const std::string& function,
                                       const std::filesystem::path& cache_dir) {
  std::filesystem::path helper = introspect_helper();
  std::error_code error;
  auto helper_time = std::filesystem::last_write_time(helper, error);
  if (error) {
    return {{{"file", "the Rust signature reader " + helper.string() +
                          " is missing: ork was built without cargo; install cargo and rustc (`" + kInstallHint +
                          "`) and rebuild ork, or set ORK_RUST_INTROSPECT to its path"}},
            {}, {}, false, {}};
  }
  // The helper's answer depends on the file's content, the name messages use
  // for it, the function and the helper itself.
  std::string key = sha256(std::string(ORK_RUST_PLUGIN_VERSION) + '\0' + helper.string() + '\0' +
                           std::to_string(helper_time.time_since_epoch().count()) + '\0' + source.shown + '\0' +
                           source.path.string() + '\0' + function + '\0' + source.content);
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  std::filesystem::path cached = cache_dir / (key + ".json");
  std::string answer;
  if (!read_file(cached, answer)) {
    answer = run_helper(source, function);
    // Concurrent writers of the same key write the same text; a cache that
    // cannot be written is only slower.
    executor::write_file_atomically(cached, answer);
  }
  Introspection result = parse_answer(answer, source.shown);
  std::lock_guard lock(mutex_);
  cache_.emplace(key, result);
  return result;
}

std::string sha256(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

bool read_file(const std::filesystem::path& path, std::string& content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  content = text.str();
  return !in.bad();
}

namespace {

std::string run_helper(const SourceFile& source, const std::string& function) {
  std::string helper = introspect_helper().string();
  CommandResult result =
      run_command({helper, {helper, source.path.string(), function, source.shown}, environment_with({}), std::nullopt});
  if (result.exit_code != 0) {
    throw std::runtime_error("the Rust signature reader " + helper + " failed (exit " +
                             std::to_string(result.exit_code) + "): " + result.err);
  }
  return result.out;
}

Introspection parse_answer(const std::string& answer, const std::string& shown) {
  boost::json::object reply = boost::json::parse(answer).as_object();
  Introspection result;
  if (const boost::json::value* errors = reply.if_contains("errors")) {
    for (const boost::json::value& item : errors->as_array()) {
      const boost::json::object& problem = item.as_object();
      std::int64_t line = problem.at("line").to_number<std::int64_t>();
      std::string message(problem.at("message").as_string());
      std::string where = line > 0 ? shown + ":" + std::to_string(line) + ":" +
                                         std::to_string(problem.at("col").to_number<std::int64_t>()) + ": "
                                   : (problem.at("key").as_string() == "file" ? shown + ": " : "");
      result.problems.push_back({std::string(problem.at("key").as_string()), where + message});
    }
    return result;
  }
  result.signature_json = boost::json::serialize(reply.at("signature"));
  for (const boost::json::value& item : reply.at("params").as_array()) {
    const boost::json::object& param = item.as_object();
    result.params.push_back(
        {std::string(param.at("name").as_string()), param.at("borrowed").as_bool(), param.at("whole").as_bool()});
  }
  result.returns_result = reply.at("result").as_bool();
  for (const boost::json::value& mod : reply.at("mods").as_array()) result.mods.emplace_back(mod.as_string().c_str());
  return result;
}

}  // namespace
}  // namespace ork::plugins::rust
