// Loader tests: the fake plugin of fake_plugin.c, built once per variant into
// its own directory under FAKE_DIR, is loaded with PluginSet::load and each
// build must be accepted or refused with its exact, actionable reason. The
// accepted build is then driven through PluginRegistry and Executor.
#include "core/error.hpp"
#include "loader/plugin_loader.hpp"
#include "loader/registry.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ork::host {
namespace {

namespace fs = std::filesystem;

fs::path fake_dir(const std::string& variant) { return fs::path(FAKE_DIR) / variant; }

fs::path fake_file(const std::string& variant, const std::string& file) { return fake_dir(variant) / file; }

// Loads a single fixture directory that must yield exactly one refusal.
RefusedPlugin only_refusal(const std::string& variant) {
  PluginSet set = PluginSet::load({fake_dir(variant)});
  EXPECT_TRUE(set.loaded().empty()) << "variant " << variant << " should not load";
  EXPECT_EQ(set.refused().size(), 1u) << "variant " << variant;
  return set.refused().empty() ? RefusedPlugin{} : set.refused().front();
}

bool ends_with(const std::string& text, const std::string& suffix) { return text.ends_with(suffix); }

TEST(PluginLoader, LoadsTheGoodPluginAndKeepsItsDescriptor) {
  PluginSet set = PluginSet::load({fake_dir("good")});

  ASSERT_TRUE(set.refused().empty()) << set.refused().front().to_string();
  ASSERT_EQ(set.loaded().size(), 1u);
  const LoadedPlugin& plugin = set.loaded().front();
  EXPECT_EQ(plugin.name, "fake");
  EXPECT_EQ(plugin.version, "0.0.1");
  EXPECT_EQ(plugin.description, "test executor that echoes its input");
  EXPECT_EQ(plugin.api_major, 1u);
  EXPECT_EQ(plugin.min_host_minor, 0u);
  EXPECT_EQ(plugin.file, fake_file("good", "ork_fake_good.so"));
  EXPECT_TRUE(plugin.file.is_absolute());
  ASSERT_NE(plugin.executor, nullptr);
  EXPECT_STREQ(plugin.executor->name, "fake");
  EXPECT_EQ(plugin.storage, nullptr);
  EXPECT_NE(plugin.state, nullptr) << "init's state must be kept for later calls";
  EXPECT_NE(plugin.library, nullptr);
}

// A plugin's code stays mapped after the set that loaded it is gone (threads
// or atexit handlers of the plugin may still point into it), and the handle
// itself is closed, not leaked: under scripts/sanitize.sh asan, LeakSanitizer
// fails this test if the set keeps its handles by leaking them.
TEST(PluginLoader, KeepsAPluginsCodeMappedAfterTheSetIsGoneWithoutLeakingItsHandle) {
  const fs::path file = fake_file("good", "ork_fake_good.so");
  if (void* earlier = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    dlclose(earlier);
    GTEST_SKIP() << "an earlier test in this process loaded the plugin; run this test on its own (ctest does)";
  }
  {
    PluginSet set = PluginSet::load({fake_dir("good")});
    ASSERT_EQ(set.loaded().size(), 1u);
  }
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  EXPECT_NE(handle, nullptr) << "the plugin was unloaded with its PluginSet";
  if (handle) dlclose(handle);
}

TEST(PluginLoader, RefusesAnotherAbiMajorWithARebuildHint) {
  RefusedPlugin refused = only_refusal("wrong_major");
  EXPECT_EQ(refused.file, fake_file("wrong_major", "ork_fake_wrong_major.so"));
  EXPECT_EQ(refused.reason, "ABI major 2, host supports 1; rebuild against ork 1.x");
}

TEST(PluginLoader, RefusesAPluginThatNeedsANewerHostMinor) {
  RefusedPlugin refused = only_refusal("newer_minor");
  const std::string host_minor = std::to_string(ORK_PLUGIN_API_MINOR);
  const std::string needed_minor = std::to_string(ORK_PLUGIN_API_MINOR + 1);
  EXPECT_EQ(refused.reason, "needs host API 1." + needed_minor + ", this host has 1." + host_minor + "; upgrade ork");
}

TEST(PluginLoader, RefusesALibraryWithoutTheEntrySymbol) {
  RefusedPlugin refused = only_refusal("no_entry");
  EXPECT_EQ(refused.file, fake_file("no_entry", "ork_fake_no_entry.so"));
  EXPECT_EQ(refused.reason,
            "no entry symbol ork_plugin_describe; not an ork plugin, or built without "
            "ORK_EXECUTOR_PLUGIN/ORK_STORAGE_PLUGIN/ORK_LANGUAGE_PLUGIN");
}

TEST(PluginLoader, RefusesAPluginWhoseInitFailsAndKeepsItsMessage) {
  RefusedPlugin refused = only_refusal("init_fails");
  EXPECT_EQ(refused.reason,
            "init failed: fake plugin cannot start: FAKE_BACKEND is not configured; set it and retry");
}

TEST(PluginLoader, RefusesAFileThatIsNotASharedLibrary) {
  RefusedPlugin refused = only_refusal("not_a_library");
  EXPECT_EQ(refused.file, fake_file("not_a_library", "ork_garbage.so"));
  // dlerror's own words, naming the file; Boost.DLL's misleading errno suffix is cut off.
  EXPECT_TRUE(refused.reason.starts_with("not loadable: ")) << refused.reason;
  EXPECT_NE(refused.reason.find("ork_garbage.so"), std::string::npos) << refused.reason;
  EXPECT_NE(refused.reason.find("invalid ELF header"), std::string::npos) << refused.reason;
  EXPECT_EQ(refused.reason.find("Bad file descriptor"), std::string::npos) << refused.reason;
}

TEST(PluginLoader, RefusesTheSecondPluginWithTheSameName) {
  // Files load in name order: ork_fake_duplicate.so first, so ork_fake_good.so is the second "fake".
  PluginSet set = PluginSet::load({fake_dir("duplicate")});

  ASSERT_EQ(set.loaded().size(), 1u);
  EXPECT_EQ(set.loaded().front().file, fake_file("duplicate", "ork_fake_duplicate.so"));
  EXPECT_EQ(set.loaded().front().description, "second plugin named fake");
  ASSERT_EQ(set.refused().size(), 1u);
  const RefusedPlugin& refused = set.refused().front();
  EXPECT_EQ(refused.file, fake_file("duplicate", "ork_fake_good.so"));
  EXPECT_TRUE(refused.reason.starts_with("duplicate plugin name 'fake' (already loaded from ")) << refused.reason;
  EXPECT_TRUE(ends_with(refused.reason, "ork_fake_duplicate.so)")) << refused.reason;
}

TEST(PluginLoader, IgnoresFilesThatAreNotNamedLikePlugins) {
  // The directory holds working copies of the good plugin under names the
  // loader must skip (fake_good.so, libork_fake_good.so, ork_fake_good.so.1),
  // text files, and a directory named ork_dir.so.
  ASSERT_TRUE(fs::exists(fake_file("ignored", "fake_good.so")));
  ASSERT_TRUE(fs::is_directory(fake_file("ignored", "ork_dir.so")));

  PluginSet set = PluginSet::load({fake_dir("ignored")});

  EXPECT_TRUE(set.loaded().empty());
  EXPECT_TRUE(set.refused().empty()) << set.refused().front().to_string();
}

TEST(PluginLoader, SkipsDirectoriesThatDoNotExist) {
  PluginSet set = PluginSet::load({fake_dir("no_such_directory"), fake_dir("good")});
  EXPECT_EQ(set.loaded().size(), 1u);
  EXPECT_TRUE(set.refused().empty());
}

TEST(PluginLoader, KeepsLoadingAfterRefusals) {
  PluginSet set = PluginSet::load(
      {fake_dir("wrong_major"), fake_dir("no_entry"), fake_dir("not_a_library"), fake_dir("init_fails"), fake_dir("good")});

  ASSERT_EQ(set.loaded().size(), 1u);
  EXPECT_EQ(set.loaded().front().name, "fake");
  ASSERT_EQ(set.refused().size(), 4u);
  EXPECT_EQ(set.refused()[0].file.filename(), "ork_fake_wrong_major.so");
  EXPECT_EQ(set.refused()[1].file.filename(), "ork_fake_no_entry.so");
  EXPECT_EQ(set.refused()[2].file.filename(), "ork_garbage.so");
  EXPECT_EQ(set.refused()[3].file.filename(), "ork_fake_init_fails.so");
}

TEST(PluginLoader, AcceptsAStorageTableBuiltAgainstAnOlderMinor) {
  // Minor versions only append members: a 1.0 storage table (struct_size up to
  // `query`) must load in a 1.1 host, which then leaves the 1.1 calls unused.
  PluginSet set = PluginSet::load({fake_dir("old_storage")});

  ASSERT_TRUE(set.refused().empty()) << set.refused().front().to_string();
  ASSERT_EQ(set.loaded().size(), 1u);
  const LoadedPlugin& plugin = set.loaded().front();
  EXPECT_EQ(plugin.name, "fake_store");
  ASSERT_NE(plugin.storage, nullptr);
  EXPECT_EQ(plugin.storage->struct_size, offsetof(ork_storage_vtable, claim_run));
  EXPECT_EQ(plugin.executor, nullptr);
  // Normalised at load: the bytes past struct_size (a non-NULL claim_run in
  // the fake) are not copied, so every later member reads as NULL.
  auto describe = plugin.library->get<const ork_plugin_descriptor*()>(ORK_PLUGIN_ENTRY_SYMBOL);
  const ork_storage_vtable* in_plugin = describe()->storage;
  ASSERT_NE(in_plugin->claim_run, nullptr) << "the fixture must hold a pointer past its struct_size";
  EXPECT_NE(plugin.storage, in_plugin) << "the host must use its own normalised copy";
  EXPECT_EQ(plugin.storage->claim_run, nullptr);
  EXPECT_EQ(plugin.storage->update_tasks, nullptr);
  EXPECT_EQ(plugin.storage->wait_for_queue, nullptr);
  EXPECT_NE(plugin.storage->open, nullptr);

  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(set, refused);
  EXPECT_TRUE(refused.empty());
  EXPECT_EQ(registry.storage_for_scheme("fakestore"), &plugin);
}

TEST(PluginLoader, ACppStoreLeavesTheOptionalGroupsItDoesNotImplementNull) {
  // plugin.hpp fills a slot only when the store class implements its group,
  // so the host's capability checks tell the truth about C++ stores.
  PluginSet set = PluginSet::load({fake_dir("cpp_store")});
  ASSERT_TRUE(set.refused().empty()) << set.refused().front().to_string();
  ASSERT_EQ(set.loaded().size(), 1u);
  const ork_storage_vtable* t = set.loaded().front().storage;
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t->open, nullptr);
  EXPECT_NE(t->update_task, nullptr);
  EXPECT_NE(t->query, nullptr);
  EXPECT_EQ(t->claim_run, nullptr);
  EXPECT_EQ(t->set_workflow_setting, nullptr);
  EXPECT_EQ(t->update_tasks, nullptr) << "no default that would apply a batch one by one";
  EXPECT_EQ(t->enqueue_attempt, nullptr);
  EXPECT_EQ(t->cancel_attempt, nullptr);
  EXPECT_EQ(t->wait_for_queue, nullptr);
  EXPECT_EQ(t->append_logs_and_update_tasks, nullptr) << "the host then stores lines and transitions apart";

  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(set, refused);
  Store store = Store::open(registry, "plainstore://x");
  EXPECT_FALSE(store.supports_queue());
  EXPECT_FALSE(store.supports_ownership());
}

// `ork` commands other than `ork plugins` load ork_storage_*.so files only
// when a store URL needs one: first the file whose name begins the scheme.
TEST(PluginLoader, StoragePluginsLoadWhenAStoreOfTheirSchemeOpens) {
  PluginSet set = PluginSet::load({fake_dir("deferred_storage")}, StorageLoading::when_a_store_opens);
  ASSERT_TRUE(set.refused().empty()) << set.refused().front().to_string();
  ASSERT_EQ(set.loaded().size(), 1u);
  EXPECT_EQ(set.loaded().front().name, "fake");
  EXPECT_EQ(set.deferred_storage().size(), 2u);
  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(set, refused);

  const LoadedPlugin* plain = registry.storage_for_scheme("plainstore");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->file, fake_file("deferred_storage", "ork_storage_plain.so"));
  EXPECT_EQ(set.loaded().size(), 2u) << "ork_storage_fake.so is not named for the scheme and must stay unloaded";
  ASSERT_EQ(set.deferred_storage().size(), 1u);
  EXPECT_EQ(set.deferred_storage().front(), fake_file("deferred_storage", "ork_storage_fake.so"));
  const Executor* executor = registry.executor("fake");
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(&executor->plugin(), &set.loaded().front()) << "loading more plugins must not move the loaded ones";

  const LoadedPlugin* fake = registry.storage_for_scheme("fakestore");
  ASSERT_NE(fake, nullptr);
  EXPECT_EQ(fake->name, "fake_store");
  EXPECT_TRUE(set.deferred_storage().empty());
  EXPECT_EQ(registry.storage_for_scheme("plainstore"), plain);
  EXPECT_TRUE(refused.empty());
}

TEST(PluginLoader, AnUnservedSchemeLoadsEveryDeferredStoragePluginToListTheSchemes) {
  PluginSet set = PluginSet::load({fake_dir("deferred_storage")}, StorageLoading::when_a_store_opens);
  std::vector<RefusedPlugin> refused;
  PluginRegistry registry(set, refused);
  EXPECT_EQ(registry.storage_for_scheme("nosuchstore"), nullptr);
  EXPECT_TRUE(set.deferred_storage().empty());
  EXPECT_EQ(registry.storage_schemes(), (std::vector<std::string>{"fakestore", "plainstore"}));
}

TEST(PluginLoader, StoragePluginsLoadAtStartByDefault) {
  PluginSet set = PluginSet::load({fake_dir("deferred_storage")});
  EXPECT_EQ(set.loaded().size(), 3u);
  EXPECT_TRUE(set.deferred_storage().empty());
}

// A file named ork_storage_*.so loads only when a store opens, so an
// executor it also offers is refused (naming the file) and its storage kept,
// whether it loads late (`ork run`) or at start (`ork plugins`).
TEST(PluginLoader, AStoragePluginFileOffersOnlyItsStorage) {
  for (StorageLoading loading : {StorageLoading::when_a_store_opens, StorageLoading::at_start}) {
    PluginSet set = PluginSet::load({fake_dir("storage_with_executor")}, loading);
    std::vector<RefusedPlugin> refused;
    PluginRegistry registry(set, refused);
    std::vector<RefusedPlugin> reported;
    registry.on_late_refusal([&](const RefusedPlugin& r) { reported.push_back(r); });
    const LoadedPlugin* both = registry.storage_for_scheme("bothstore");
    ASSERT_NE(both, nullptr);
    EXPECT_EQ(both->name, "fake_both");
    EXPECT_EQ(registry.executor("fake_both"), nullptr);
    EXPECT_EQ(registry.find_executor("fake_both"), nullptr);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused.front().file, fake_file("storage_with_executor", "ork_storage_both.so"));
    std::string line = refused.front().to_string();
    EXPECT_TRUE(ends_with(line, "ork_storage_both.so: executor 'fake_both' not used, only its storage: a file named "
                                "ork_storage_*.so loads only when a store opens, so it may offer storage only; ship "
                                "the rest in a plugin file of its own"))
        << line;
    EXPECT_EQ(reported.size(), loading == StorageLoading::when_a_store_opens ? 1u : 0u)
        << "a refusal after start-up is reported when it happens";
  }
}

TEST(PluginLoader, RefusalLineNamesTheFileAndTheReason) {
  RefusedPlugin refused = only_refusal("wrong_major");
  std::string line = refused.to_string();
  EXPECT_TRUE(line.starts_with("refused ")) << line;
  EXPECT_NE(line.find("ork_fake_wrong_major.so: "), std::string::npos) << line;
  EXPECT_TRUE(ends_with(line, ": ABI major 2, host supports 1; rebuild against ork 1.x")) << line;
}

TEST(PluginLoader, HostApiAnnouncesTheHostVersion) {
  const ork_host_api* api = host_api();
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->struct_size, sizeof(ork_host_api));
  EXPECT_EQ(api->api_major, static_cast<std::uint32_t>(ORK_PLUGIN_API_MAJOR));
  EXPECT_EQ(api->api_minor, static_cast<std::uint32_t>(ORK_PLUGIN_API_MINOR));
  ork_error slot;
  api->set_error(&slot, ork_str{"copied", 6});
  EXPECT_EQ(slot.message, "copied");
  api->set_error(nullptr, ork_str{"ignored", 7});  // a NULL slot is allowed by the ABI
}

// ---- plugin_search_path --------------------------------------------------

// Sets ORK_PLUGIN_PATH for one test and restores the previous value.
class ScopedPluginPath {
 public:
  explicit ScopedPluginPath(const char* value) {
    if (const char* old = std::getenv("ORK_PLUGIN_PATH")) previous_ = old;
    if (value) {
      ::setenv("ORK_PLUGIN_PATH", value, 1);
    } else {
      ::unsetenv("ORK_PLUGIN_PATH");
    }
  }
  ~ScopedPluginPath() {
    if (previous_) {
      ::setenv("ORK_PLUGIN_PATH", previous_->c_str(), 1);
    } else {
      ::unsetenv("ORK_PLUGIN_PATH");
    }
  }
  ScopedPluginPath(const ScopedPluginPath&) = delete;
  ScopedPluginPath& operator=(const ScopedPluginPath&) = delete;

 private:
  std::optional<std::string> previous_;
};

TEST(PluginSearchPath, DefaultsToThePluginsBesideTheBinary) {
  ScopedPluginPath env(nullptr);
  fs::path exe = fs::read_symlink("/proc/self/exe");
  std::vector<fs::path> expected = {exe.parent_path().parent_path() / "lib" / "ork" / "plugins"};
  EXPECT_EQ(plugin_search_path({}), expected);
}

TEST(PluginSearchPath, GivenDirectoriesReplaceTheDefaultAndTheEnvironmentIsAppended) {
  ScopedPluginPath env("/env/one::/env/two");
  std::vector<fs::path> expected = {"/given/a", "/given/b", "/env/one", "/env/two"};
  EXPECT_EQ(plugin_search_path({"/given/a", "/given/b"}), expected);
}

// ---- PluginRegistry and Executor over the good plugin ---------------------

class GoodPluginRegistry : public ::testing::Test {
 protected:
  GoodPluginRegistry() : plugins_(PluginSet::load({fake_dir("good")})), registry_(plugins_, refused_) {}

  static TaskCheckRequest check_request(std::string config_json) {
    return TaskCheckRequest{"wf", "/tmp/wf.yaml", "/tmp", "t", std::move(config_json), "/tmp", {}};
  }

  static ExecutorRunRequest run_request(std::string input_json) {
    ExecutorRunRequest request;
    request.attempt_token = 7;
    request.workflow_name = "wf";
    request.workflow_file = "/tmp/wf.yaml";
    request.workflow_dir = "/tmp";
    request.task_name = "hello";
    request.config_json = "{}";
    request.run_id = "run-1";
    request.input_json = std::move(input_json);
    request.workdir = "/tmp";
    request.env = {"ORK_RUN_ID=run-1", "ORK_TASK=hello", "ORK_ATTEMPT=1"};
    return request;
  }

  PluginSet plugins_;
  std::vector<RefusedPlugin> refused_;
  PluginRegistry registry_;
};

TEST_F(GoodPluginRegistry, ListsTheExecutorWithItsKeysAndCapabilities) {
  EXPECT_TRUE(refused_.empty());
  EXPECT_EQ(registry_.executor_names(), std::vector<std::string>{"fake"});
  const ExecutorInfo* info = registry_.find_executor("fake");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, "fake");
  EXPECT_EQ(info->task_keys, std::vector<std::string>{"mode"});
  EXPECT_TRUE(info->introspects);
  EXPECT_EQ(registry_.find_executor("process"), nullptr);
  EXPECT_EQ(registry_.executor("process"), nullptr);
  EXPECT_TRUE(registry_.storage_schemes().empty());
  EXPECT_EQ(registry_.storage_for_scheme("sqlite"), nullptr);
}

TEST_F(GoodPluginRegistry, CheckReturnsTheSignature) {
  TaskCheckResult result = registry_.check_task("fake", check_request(R"({"mode": "fast"})"));
  EXPECT_TRUE(result.errors.empty());
  ASSERT_TRUE(result.signature_json.has_value());
  EXPECT_EQ(*result.signature_json, R"({"inputs": {"x": "int"}, "output": "int"})");
}

TEST_F(GoodPluginRegistry, CheckReportsTheExecutorsErrorsPerKey) {
  TaskCheckResult result = registry_.check_task("fake", check_request(R"({"mode": "reject"})"));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "mode");
  EXPECT_EQ(result.errors[0].second, "mode 'reject' is refused by the fake executor");
}

TEST_F(GoodPluginRegistry, CheckThatBreaksThrowsAPluginError) {
  try {
    registry_.check_task("fake", check_request(R"({"mode": "explode"})"));
    FAIL() << "a broken check must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::plugin);
    EXPECT_STREQ(e.what(), "executor 'fake' failed to check task 't': fake check exploded on purpose");
  }
}

TEST_F(GoodPluginRegistry, CheckOfAnUnknownExecutorThrows) {
  try {
    registry_.check_task("nope", check_request("{}"));
    FAIL() << "an unknown executor must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::plugin);
    EXPECT_STREQ(e.what(), "unknown executor 'nope'");
  }
}

TEST_F(GoodPluginRegistry, RunEchoesTheInputAndForwardsLogs) {
  const Executor* executor = registry_.executor("fake");
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->plugin().name, "fake");

  std::vector<std::pair<ork_log_stream, std::string>> logs;
  const std::string input = R"({"x": 41, "upstream": {}})";
  ExecutorRunResult result =
      executor->run(run_request(input), [&](ork_log_stream stream, std::string_view line) {
        logs.emplace_back(stream, std::string(line));
      });

  EXPECT_EQ(result.outcome, ORK_TASK_SUCCEEDED);
  EXPECT_EQ(result.output_json, input);
  EXPECT_EQ(result.error, "");
  std::vector<std::pair<ork_log_stream, std::string>> expected_logs = {{ORK_LOG_STDOUT, "hello"},
                                                                       {ORK_LOG_STDERR, "fake stderr line"}};
  EXPECT_EQ(logs, expected_logs);
}

TEST_F(GoodPluginRegistry, RunReportsATaskFailure) {
  ExecutorRunResult result =
      registry_.executor("fake")->run(run_request(R"({"x": "please_fail"})"), [](ork_log_stream, std::string_view) {});
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(result.output_json, "");
  EXPECT_EQ(result.error, "the input asked the fake task to fail");
}

TEST_F(GoodPluginRegistry, RunOfABrokenExecutorFailsTheAttemptWithItsMessage) {
  ExecutorRunResult result =
      registry_.executor("fake")->run(run_request(R"({"x": "please_break"})"), [](ork_log_stream, std::string_view) {});
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(result.error, "executor 'fake' broke: fake executor broke on purpose");
}

TEST(PluginRegistryDuplicates, SecondPluginWithTheSameExecutorNameIsRefused) {
  PluginSet plugins = PluginSet::load({fake_dir("same_executor")});
  ASSERT_EQ(plugins.loaded().size(), 2u) << "different plugin names load side by side";
  ASSERT_TRUE(plugins.refused().empty());

  std::vector<RefusedPlugin> refused = plugins.refused();
  PluginRegistry registry(plugins, refused);

  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].file, fake_file("same_executor", "ork_fake_same_executor.so"));
  EXPECT_EQ(refused[0].reason, "executor 'fake' is already provided by plugin 'fake'; remove one of them");
  ASSERT_NE(registry.executor("fake"), nullptr);
  EXPECT_EQ(registry.executor("fake")->plugin().name, "fake") << "the first plugin keeps the name";
  EXPECT_EQ(registry.executor_names(), std::vector<std::string>{"fake"});
}

}  // namespace
}  // namespace ork::host
