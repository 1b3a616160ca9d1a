// `cache:` on a task (issue 14 item 4): what the compiler accepts and refuses
// (file:line:col, did-you-mean, ttl durations, a code identity the executor
// cannot name), the code hash over the task's files, and the cache key —
// each ingredient changes it, what does not decide the result does not — and
// the ttl's freshness bound.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "fake_catalog.hpp"
#include "scheduler/cache_key.hpp"
#include "workflow/cache_code.hpp"
#include "workflow/compiler.hpp"

namespace ork::host {
namespace {

using testing::FakeCatalog;
using Errors = std::vector<std::string>;

std::string yaml(const char* text) { return text[0] == '\n' ? text + 1 : text; }

// A workflow directory with t.py and helper.py, removed at the end.
class CacheDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ork-cache-unit-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    write("t.py", "def main() -> int:\n    return 1\n");
    write("helper.py", "X = 1\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }

  CompileResult compile(const std::string& source) const {
    FakeCatalog catalog;
    return compile_workflow_source(source, dir_ / "wf.yaml", catalog);
  }

  Errors errors_of(const std::string& source) const {
    Errors out;
    for (const Diagnostic& d : compile(source).errors) {
      std::string text = d.to_string();
      const std::string prefix = (dir_ / "wf.yaml").string();
      if (text.starts_with(prefix)) text = "wf.yaml" + text.substr(prefix.size());
      out.push_back(text);
    }
    return out;
  }

  CompiledWorkflow compiled(const std::string& source) const {
    CompileResult result = compile(source);
    EXPECT_TRUE(result.errors.empty()) << result.errors[0].to_string();
    return *result.workflow;
  }

  std::filesystem::path dir_;
};

TEST_F(CacheDir, TrueCachesForeverWithTheTasksFileAsItsCode) {
  CompiledWorkflow wf = compiled(yaml(R"(
tasks:
  a: {executor: typed, file: t.py, sig: {inputs: {}, output: int}, cache: true}
  b: {executor: typed, file: t.py, sig: {inputs: {}, output: int}, cache: false}
  c: {executor: typed, file: t.py, sig: {inputs: {}, output: int}}
)"));
  const CompiledTask& a = wf.tasks[0];
  ASSERT_TRUE(a.cache);
  EXPECT_EQ(a.cache->ttl.count(), 0);
  EXPECT_EQ(a.cache->version, "");
  EXPECT_EQ(a.cache->code_files, std::vector<std::string>{"t.py"});
  EXPECT_EQ(a.cache->code_hash.size(), 64u);
  EXPECT_FALSE(wf.tasks[1].cache);
  EXPECT_FALSE(wf.tasks[2].cache);
  EXPECT_EQ(task_spec_json(a).at("cache"), boost::json::object{});
  EXPECT_FALSE(task_spec_json(wf.tasks[2]).contains("cache"));  // older workflows keep their content hash
}

TEST_F(CacheDir, TtlAndVersion) {
  CompiledWorkflow wf = compiled(yaml(R"(
tasks:
  a:
    executor: typed
    file: t.py
    sig: {inputs: {}, output: int}
    cache: {ttl: 7d, version: "2"}
  b: {executor: typed, file: t.py, sig: {inputs: {}, output: int}, cache: {version: 3, ttl: 90}}
)"));
  EXPECT_EQ(wf.tasks[0].cache->ttl, std::chrono::hours(24 * 7));
  EXPECT_EQ(wf.tasks[0].cache->version, "2");
  EXPECT_EQ(wf.tasks[1].cache->ttl, std::chrono::seconds(90));
  EXPECT_EQ(wf.tasks[1].cache->version, "3");
  EXPECT_EQ(task_spec_json(wf.tasks[0]).at("cache"),
            (boost::json::object{{"ttl_ms", 7 * 86'400'000LL}, {"version", "2"}}));
}

TEST_F(CacheDir, BadCacheValuesAreRefusedWithTheirPlace) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a: {executor: typed, file: t.py, cache: {tll: 7d}}
  b: {executor: typed, file: t.py, cache: {ttl: -1d}}
  c: {executor: typed, file: t.py, cache: {ttl: 7 days}}
  d: {executor: typed, file: t.py, cache: {ttl: 0s}}
  e: {executor: typed, file: t.py, cache: yes please}
  f: {executor: typed, file: t.py, cache: [ttl]}
  g: {executor: typed, file: t.py, cache: {version: [1]}}
  h: {executor: typed, file: t.py, cahce: true}
)")),
            (Errors{
                "wf.yaml:2:44: task \"a\": cache: unknown key \"tll\" (did you mean \"ttl\"?)",
                "wf.yaml:3:49: task \"b\": cache: \"ttl\" cannot be negative (-1d): write a duration such as 500ms, "
                "30s, 10m, 2h or 1d",
                "wf.yaml:4:49: task \"c\": cache: \"ttl\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                "number of seconds, not the string \"7 days\"",
                "wf.yaml:5:49: task \"d\": cache: \"ttl\" must be longer than zero (leave ttl out for entries that "
                "never expire)",
                "wf.yaml:6:43: task \"e\": \"cache\" must be true, false or a mapping of ttl and version, not the "
                "string \"yes please\"; write cache: true, or a mapping such as cache: {ttl: 7d, version: \"2\"}",
                "wf.yaml:7:43: task \"f\": \"cache\" must be true, false or a mapping of ttl and version, not a list; "
                "write cache: true, or a mapping such as cache: {ttl: 7d, version: \"2\"}",
                "wf.yaml:8:53: task \"g\": cache: \"version\" must be a non-empty text such as \"2\", not a list",
                "wf.yaml:9:36: task \"h\": unknown key \"cahce\" for executor \"typed\" (did you mean \"cache\"?)",
            }));
}

TEST_F(CacheDir, ATaskWhoseCodeCannotBeNamedNeedsAVersion) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  fetch: {executor: process, command: [curl, x], cache: true}
)")),
            Errors{"wf.yaml:2:50: task \"fetch\": cache: ork cannot tell when this task's code changes: its code "
                   "lives outside the workflow directory: /usr/bin/curl. Add a version to the cache (cache: "
                   "{version: \"1\"}) and change it whenever that code changes, or remove cache:"});
  CompiledWorkflow wf = compiled(yaml(R"(
tasks:
  fetch: {executor: process, command: [curl, x], cache: {version: "2026-12"}}
)"));
  EXPECT_EQ(wf.tasks[0].cache->version, "2026-12");
  EXPECT_EQ(wf.tasks[0].cache->code_hash, "");
}

TEST_F(CacheDir, CacheIsNotADefault) {
  EXPECT_EQ(errors_of(yaml(R"(
defaults:
  cache: true
tasks:
  a: {executor: typed, file: t.py}
)")),
            Errors{"wf.yaml:2:3: defaults: \"cache\" cannot be a default: set cache: on each task whose output may "
                   "be reused (a task that sends mail or reads the clock must run every time)"});
}

TEST_F(CacheDir, AnUnreadableCodeFileIsAnError) {
  std::filesystem::create_directory(dir_ / "gone.py");  // a directory: it cannot be read as a file
  Errors errors = errors_of(yaml(R"(
tasks:
  a: {executor: typed, file: gone.py, cache: true}
)"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].starts_with("wf.yaml:2:39: task \"a\": cache: cannot read ")) << errors[0];
}

TEST_F(CacheDir, TheCodeHashFollowsEveryFilesContentsNotTheirOrder) {
  std::string error;
  const std::string t = (dir_ / "t.py").string(), helper = (dir_ / "helper.py").string();
  std::optional<CodeHash> both = hash_code_files({t, helper}, dir_, error);
  ASSERT_TRUE(both) << error;
  EXPECT_EQ(both->files, (std::vector<std::string>{"helper.py", "t.py"}));
  EXPECT_EQ(hash_code_files({helper, t}, dir_, error)->hash, both->hash);
  EXPECT_NE(hash_code_files({t}, dir_, error)->hash, both->hash);
  write("helper.py", "X = 2\n");
  EXPECT_NE(hash_code_files({t, helper}, dir_, error)->hash, both->hash);
  EXPECT_FALSE(hash_code_files({(dir_ / "nope.py").string()}, dir_, error));
  EXPECT_NE(error.find("nope.py"), std::string::npos) << error;
}

// ---- the cache key ------------------------------------------------------------

class CacheKey : public CacheDir {
 protected:
  void SetUp() override {
    CacheDir::SetUp();
    workflow_ = compiled(yaml(R"(
tasks:
  a:
    executor: typed
    file: t.py
    sig: {inputs: {n: int}, output: int}
    inputs: {n: 1}
    env: {MODE: fast}
    cache: {version: "1"}
)"));
  }
  std::string key(const CompiledTask& task, const std::string& input = R"({"n":1,"upstream":{}})") const {
    return task_cache_key(workflow_, task, input);
  }
  CompiledWorkflow workflow_;
};

TEST_F(CacheKey, EachIngredientChangesTheKey) {
  const CompiledTask base = workflow_.tasks[0];
  const std::string k = key(base);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(key(base), k);  // deterministic
  EXPECT_NE(key(base, R"({"n":2,"upstream":{}})"), k) << "the attempt's input";
  auto changed = [&](auto change) {
    CompiledTask task = base;
    change(task);
    return key(task);
  };
  EXPECT_NE(changed([](CompiledTask& t) { t.cache->version = "2"; }), k) << "version";
  EXPECT_NE(changed([](CompiledTask& t) { t.cache->code_hash = std::string(64, '0'); }), k) << "code";
  EXPECT_NE(changed([](CompiledTask& t) { t.executor = "other"; }), k) << "executor";
  EXPECT_NE(changed([](CompiledTask& t) { t.config["function"] = "other"; }), k) << "executor config";
  EXPECT_NE(changed([](CompiledTask& t) { t.env[0].second = "slow"; }), k) << "env";
  EXPECT_NE(changed([](CompiledTask& t) { t.workdir = "/elsewhere"; }), k) << "workdir";
  EXPECT_NE(changed([](CompiledTask& t) { t.inputs[0].constant = 2; }), k) << "bindings";
  EXPECT_NE(changed([](CompiledTask& t) { t.name = "b"; }), k) << "task name";
  CompiledWorkflow other = workflow_;
  other.name = "other";
  EXPECT_NE(task_cache_key(other, base, R"({"n":1,"upstream":{}})"), k) << "workflow name";
}

TEST_F(CacheKey, HowTheTaskRunsDoesNotChangeTheKey) {
  const CompiledTask base = workflow_.tasks[0];
  const std::string k = key(base);
  auto changed = [&](auto change) {
    CompiledTask task = base;
    change(task);
    return key(task);
  };
  EXPECT_EQ(changed([](CompiledTask& t) { t.retries = 5; }), k);
  EXPECT_EQ(changed([](CompiledTask& t) { t.timeout = std::chrono::minutes(3); }), k);
  EXPECT_EQ(changed([](CompiledTask& t) { t.retry_delay = std::chrono::seconds(9); }), k);
  EXPECT_EQ(changed([](CompiledTask& t) { t.max_concurrency = 2; }), k);
  EXPECT_EQ(changed([](CompiledTask& t) { t.pool = "db"; }), k);
  EXPECT_EQ(changed([](CompiledTask& t) { t.description = "new words"; }), k);
  EXPECT_EQ(changed([](CompiledTask& t) { t.cache->ttl = std::chrono::hours(1); }), k);
}

TEST(CacheTtl, EntriesOlderThanTheTtlAreStale) {
  TaskCacheSettings forever;
  EXPECT_EQ(cache_not_before(forever, 1'000'000), 0);  // no ttl: any age
  TaskCacheSettings hour;
  hour.ttl = std::chrono::hours(1);
  EXPECT_EQ(cache_not_before(hour, 10'000'000), 10'000'000 - 3'600'000);
}

}  // namespace
}  // namespace ork::host
