// Reloading a task library replaced on disk goes through a private copy: in
// a directory from mkdtemp (0700, a name no one can predict), created fresh
// each time, so a link another local user plants where ork once copied to
// (/tmp/ork-library-<pid>/<n>-<name>) is never followed or loaded.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plugin_harness.hpp"
#include "task_library.hpp"

namespace ork::plugins::library::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string call(LibraryCache& cache, const fs::path& file) {
  CallOutcome outcome = call_task_function(cache.function(file, "ork_task_run"), "{}");
  EXPECT_TRUE(outcome.succeeded) << outcome.text;
  return outcome.text;
}

TEST(Reload, TheCopyGoesToAPrivateDirectoryAndNeverFollowsAPlantedLink) {
  const fs::path dir = fs::temp_directory_path() / ("ork_library_reload_links_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path library = dir / "libreload.so";
  fs::copy_file(task_libs_dir() + "/reload_v1.so", library, fs::copy_options::overwrite_existing);

  // What another user could plant at the predictable path of old.
  const fs::path planted = fs::temp_directory_path() / ("ork-library-" + std::to_string(getpid()));
  fs::create_directories(planted);
  const fs::path victim = dir / "victim.txt";
  std::ofstream(victim) << "not a library";
  for (int serial = 1; serial <= 8; ++serial) {
    fs::create_symlink(victim, planted / (std::to_string(serial) + "-libreload.so"));
  }

  LibraryCache cache;
  EXPECT_EQ(call(cache, library), "1");
  fs::copy_file(task_libs_dir() + "/reload_v2.so", dir / "next.so");
  fs::last_write_time(dir / "next.so", fs::last_write_time(library) + 5s);
  fs::rename(dir / "next.so", library);
  EXPECT_EQ(call(cache, library), "2");

  EXPECT_EQ(contents(victim), "not a library") << "the reload wrote through a planted link";
  const fs::path& reloads = reload_directory();
  EXPECT_NE(reloads, planted);
  EXPECT_EQ(reloads.parent_path(), fs::temp_directory_path());
  EXPECT_EQ(fs::symlink_status(reloads).type(), fs::file_type::directory);
  EXPECT_EQ(fs::status(reloads).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(reloads)) << "the copy is removed once loaded";

  fs::remove_all(planted);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ork::plugins::library::testing
