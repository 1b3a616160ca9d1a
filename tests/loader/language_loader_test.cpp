// Language plugins through the one loader (plugin API 1.7): the fake C
// language of fake_plugin.c (FAKE_VARIANT_LANGUAGE) is loaded beside the fake
// executor, listed by the registry by name, extension and executor, and
// driven through describe, introspect and prepare; a 1.6 descriptor whose
// `language` member lies past its struct_size loads with no language.
#include "core/error.hpp"
#include "loader/plugin_loader.hpp"
#include "loader/registry.hpp"
#include "scheduler/language_on_worker.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace ork::host {
namespace {

namespace fs = std::filesystem;

fs::path fake_dir(const std::string& variant) { return fs::path(FAKE_DIR) / variant; }

class FakeLanguageRegistry : public ::testing::Test {
 protected:
  FakeLanguageRegistry()
      : plugins_(PluginSet::load({fake_dir("good"), fake_dir("language")})), registry_(plugins_, refused_) {
    build_root_ = fs::temp_directory_path() / ("ork-language-loader-" + std::to_string(::getpid()));
    fs::remove_all(build_root_);
    registry_.set_build_root(build_root_);
  }
  ~FakeLanguageRegistry() override { fs::remove_all(build_root_); }

  static LanguageTaskRequest request(std::string function) {
    LanguageTaskRequest r;
    r.workflow_name = "wf";
    r.workflow_file = "/tmp/wf.yaml";
    r.workflow_dir = "/tmp";
    r.task_name = "t";
    r.file = "tasks/t.fk";
    r.file_path = "/tmp/tasks/t.fk";
    r.function = std::move(function);
    r.config_json = "{}";
    r.executor = "fake";
    r.workdir = "/tmp";
    return r;
  }

  PluginSet plugins_;
  std::vector<RefusedPlugin> refused_;
  PluginRegistry registry_;
  fs::path build_root_;
};

TEST_F(FakeLanguageRegistry, LoadsALanguageOnlyPluginAndNormalisesItsTable) {
  ASSERT_TRUE(plugins_.refused().empty()) << plugins_.refused().front().to_string();
  ASSERT_EQ(plugins_.loaded().size(), 2u);
  const LoadedPlugin& plugin = plugins_.loaded()[1];
  EXPECT_EQ(plugin.name, "fakelang");
  EXPECT_EQ(plugin.executor, nullptr);
  EXPECT_EQ(plugin.storage, nullptr);
  ASSERT_NE(plugin.language, nullptr);
  EXPECT_STREQ(plugin.language->name, "fakelang");
  EXPECT_NE(static_cast<const void*>(plugin.language), static_cast<const void*>(plugin.descriptor))
      << "the host keeps its own copy of the table";
  EXPECT_EQ(plugins_.loaded()[0].language, nullptr) << "an executor-only plugin has no language";
}

TEST_F(FakeLanguageRegistry, FindsTheLanguageByNameExtensionButNotByAnotherPluginsExecutor) {
  EXPECT_TRUE(refused_.empty());
  const LanguageInfo* info = registry_.find_language("fakelang");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->extensions, std::vector<std::string>{".fk"});
  EXPECT_EQ(info->task_keys, std::vector<std::string>{"flavour"});
  EXPECT_EQ(info->executors, std::vector<std::string>{"fake"});
  EXPECT_EQ(info->plugin, "fakelang");
  EXPECT_EQ(registry_.language_for_extension(".fk"), info);
  EXPECT_EQ(registry_.language_for_extension(".rs"), nullptr);
  // `executor: fake` tasks stay the fake executor's: its plugin is not the language.
  EXPECT_EQ(registry_.language_of_executor("fake"), nullptr);
  EXPECT_EQ(registry_.language_list().size(), 1u);
  EXPECT_EQ(registry_.languages(), static_cast<const LanguageCatalog*>(&registry_));
}

TEST_F(FakeLanguageRegistry, DescribeAnswersTheToolchainJson) {
  const Language* language = registry_.language("fakelang");
  ASSERT_NE(language, nullptr);
  boost::json::object toolchain = boost::json::parse(language->describe()).as_object();
  EXPECT_EQ(toolchain.at("toolchain"), "fakec");
  EXPECT_EQ(toolchain.at("found"), true);
  EXPECT_EQ(toolchain.at("version"), "9.9");
}

TEST_F(FakeLanguageRegistry, IntrospectReportsTheSignatureOrTheLocatedError) {
  TaskCheckResult good = registry_.introspect("fakelang", request("score"));
  EXPECT_TRUE(good.errors.empty());
  ASSERT_TRUE(good.signature_json);
  EXPECT_NE(good.signature_json->find("\"defaults\": [\"y\"]"), std::string::npos) << *good.signature_json;

  TaskCheckResult broken = registry_.introspect("fakelang", request("broken"));
  ASSERT_EQ(broken.errors.size(), 1u);
  EXPECT_EQ(broken.errors[0].first, "file");
  EXPECT_EQ(broken.errors[0].second, "tasks/t.fk:3:7: syntax error: expected ')'");

  TaskCheckResult missing = registry_.introspect("fakelang", request("missing"));
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].first, "function");
}

TEST_F(FakeLanguageRegistry, PrepareAnswersTheExecutorConfigAndLeavesNoEmptyBuildDirectory) {
  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(plugins_, refused);
  registry.set_build_root(build_root_);
  {
    LanguagePrepareResult prepared = registry.prepare("fakelang", request("score"));
    ASSERT_TRUE(prepared.errors.empty());
    ASSERT_TRUE(prepared.config_json);
    boost::json::object config = boost::json::parse(*prepared.config_json).as_object();
    EXPECT_EQ(config.at("mode"), "score@fake");
    fs::path build_dir(std::string(config.at("build_dir").as_string()));
    EXPECT_EQ(build_dir, build_root_ / "fakelang");
    // Kept between calls: a 1000-task workflow used to make and remove the
    // directories once per task.
    EXPECT_TRUE(fs::is_directory(build_dir)) << "the build directory exists while the registry does";
    ASSERT_TRUE(registry.prepare("fakelang", request("score")).errors.empty());
    EXPECT_TRUE(fs::is_directory(build_dir));
  }
  registry.set_build_root(build_root_ / "elsewhere");  // tidies the directories the registry made
  EXPECT_FALSE(fs::exists(build_root_)) << "the fake builds nothing: the directories made for it are gone";
}

TEST(LanguageBuildDir, ExistsDuringTheCallAndKeepsWhatWasBuiltInIt) {
  fs::path root = fs::temp_directory_path() / ("ork-build-dir-" + std::to_string(::getpid()));
  fs::remove_all(root);
  {
    BuildDir dir(root / "build" / "rust");
    EXPECT_TRUE(fs::is_directory(dir.path()));
  }
  EXPECT_FALSE(fs::exists(root)) << "empty directories the call created are removed";
  {
    BuildDir dir(root / "build" / "rust");
    fs::create_directories(dir.path() / "0123abcd");
  }
  EXPECT_TRUE(fs::is_directory(root / "build" / "rust" / "0123abcd")) << "a build is kept between runs";
  fs::remove_all(root);
}

TEST(LanguageBuildDir, ADirectoryThatCannotBeCreatedIsNotAnError) {
  // Python builds nothing: validating in a read-only place must still work.
  EXPECT_NO_THROW(BuildDir dir("/proc/self/no-such-dir/build/python"));
}

TEST_F(FakeLanguageRegistry, PrepareReportsABuildFailureAndNoConfig) {
  LanguagePrepareResult prepared = registry_.prepare("fakelang", request("nobuild"));
  ASSERT_EQ(prepared.errors.size(), 1u);
  EXPECT_EQ(prepared.errors[0].second, "tasks/t.fk:2:1: error: fakec cannot build this");
  EXPECT_FALSE(prepared.config_json);
}

TEST_F(FakeLanguageRegistry, ALanguageThatBreaksThrowsAPluginErrorWithItsMessage) {
  try {
    registry_.introspect("fakelang", request("explode"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::plugin);
    EXPECT_NE(std::string(e.what()).find("fake language exploded on purpose"), std::string::npos) << e.what();
  }
  EXPECT_THROW(registry_.introspect("cobol", request("f")), Error);
}

ExecutorRunRequest queued(std::string source_json) {
  ExecutorRunRequest r;
  r.workflow_name = "wf";
  r.workflow_file = "/tmp/wf.yaml";
  r.workflow_dir = "/tmp";
  r.task_name = "t";
  r.config_json = R"({"mode": "prepared-on-another-machine"})";
  r.workdir = "/tmp";
  r.language = "fakelang";
  r.source_json = std::move(source_json);
  return r;
}

TEST_F(FakeLanguageRegistry, AWorkerPreparesTheQueuedTaskAgainFromItsSourceKeys) {
  ExecutorRunRequest request = queued(R"({"file": "tasks/t.fk", "function": "score"})");
  EXPECT_EQ(prepare_on_worker(registry_, request, "fake"), std::nullopt);
  boost::json::object config = boost::json::parse(request.config_json).as_object();
  EXPECT_EQ(config.at("mode"), "score@fake") << "the worker's own prepare, not the queued config";
}

TEST_F(FakeLanguageRegistry, AWorkerThatCannotBuildTheTaskSaysWhy) {
  ExecutorRunRequest request = queued(R"({"file": "tasks/t.fk", "function": "nobuild"})");
  std::optional<std::string> problem = prepare_on_worker(registry_, request, "fake");
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem, "language 'fakelang' could not prepare the task on this worker: tasks/t.fk:2:1: error: fakec "
                      "cannot build this");
}

TEST(LanguageOnWorker, AWorkerWithoutTheLanguageRunsTheQueuedConfig) {
  PluginSet plugins = PluginSet::load({fake_dir("good")});
  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(plugins, refused);
  ExecutorRunRequest request = queued(R"({"file": "tasks/t.fk", "function": "score"})");
  EXPECT_EQ(prepare_on_worker(registry, request, "fake"), std::nullopt);
  EXPECT_EQ(request.config_json, R"({"mode": "prepared-on-another-machine"})");
}

TEST(LanguageLoader, ADescriptorOlderThan17LoadsWithoutReadingPastItsSize) {
  PluginSet set = PluginSet::load({fake_dir("pre_language")});
  ASSERT_TRUE(set.refused().empty()) << set.refused().front().to_string();
  ASSERT_EQ(set.loaded().size(), 1u);
  EXPECT_EQ(set.loaded()[0].language, nullptr) << "the bytes past a 1.6 descriptor's struct_size are not a table";
  EXPECT_EQ(set.loaded()[0].descriptor->language, nullptr);
  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(set, refused);
  EXPECT_EQ(registry.languages(), nullptr);
  EXPECT_NE(registry.find_executor("fake_old"), nullptr);
}

TEST(LanguageBuildRoot, SitsBesideTheSqliteFileElseInTheUsersCache) {
  EXPECT_EQ(build_root_for(".ork/ork.db"), fs::path(".ork/build"));
  EXPECT_EQ(build_root_for("sqlite:///srv/ork/state.db"), fs::path("/srv/ork/build"));
  const char* home = std::getenv("HOME");
  const std::string saved_home = home ? home : "";
  ::setenv("XDG_CACHE_HOME", "/var/cache/me", 1);
  EXPECT_EQ(build_root_for("postgresql://ork@db/ork"), fs::path("/var/cache/me/ork/build"));
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/me", 1);
  EXPECT_EQ(build_root_for("postgresql://ork@db/ork"), fs::path("/home/me/.cache/ork/build"));
  ::setenv("HOME", saved_home.c_str(), 1);
}

}  // namespace
}  // namespace ork::host
