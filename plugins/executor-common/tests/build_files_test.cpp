#include "ork_executor/build_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ork::plugins::executor {
namespace {

namespace fs = std::filesystem;

class BuildFiles : public ::testing::Test {
 protected:
  BuildFiles() : dir_(fs::temp_directory_path() / ("ork-build-files-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~BuildFiles() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

TEST_F(BuildFiles, WriteReplacesTheFileWholeAndLeavesNoTemporary) {
  fs::path file = dir_ / "cache" / "entry.json";
  ASSERT_TRUE(write_file_atomically(file, "{\"a\": 1}"));
  EXPECT_EQ(read(file), "{\"a\": 1}");
  ASSERT_TRUE(write_file_atomically(file, std::string(100000, 'x')));
  EXPECT_EQ(read(file).size(), 100000u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "cache"), fs::directory_iterator()), 1);
}

TEST_F(BuildFiles, WriteIntoAPlaceThatCannotHoldItIsFalseNotAThrow) {
  EXPECT_FALSE(write_file_atomically("/proc/self/no-such-dir/entry.json", "x"));
}

TEST_F(BuildFiles, ScratchPathsAreUniqueAndSweepable) {
  fs::path a = scratch_path(dir_, "build");
  fs::path b = scratch_path(dir_, "build");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.parent_path(), dir_);
  EXPECT_TRUE(a.filename().string().starts_with(".tmp-build-" + std::to_string(::getpid()) + "-"));
}

TEST_F(BuildFiles, SweepRemovesOnlyOldScratchAndOnlyOncePerDirectory) {
  fs::path abandoned = dir_ / ".tmp-key-123-1";
  fs::create_directories(abandoned / "src");
  std::ofstream(abandoned / "src" / "lib.rs") << "fn main() {}";
  fs::path old_file = dir_ / "index.json.tmp-99-1";  // a write cut short
  fs::path cache = dir_ / "index.json";
  std::ofstream(old_file) << "{";
  std::ofstream(cache) << "{}";
  fs::path fresh = dir_ / ".tmp-key-456-1";  // a build in progress
  fs::create_directories(fresh);
  fs::path build = dir_ / "0123abcd";  // a finished build
  fs::create_directories(build);
  const auto two_days_ago = fs::file_time_type::clock::now() - std::chrono::hours(48);
  for (const fs::path& p : {abandoned, old_file, build, cache}) fs::last_write_time(p, two_days_ago);

  sweep_abandoned_scratch(dir_);
  EXPECT_FALSE(fs::exists(abandoned)) << "a day-old scratch directory is what a killed build left";
  EXPECT_TRUE(fs::exists(fresh)) << "a build in progress keeps its scratch";
  EXPECT_TRUE(fs::exists(build)) << "finished builds are never swept";
  EXPECT_FALSE(fs::exists(old_file)) << "a day-old temporary of an atomic write was cut short";
  EXPECT_TRUE(fs::exists(cache)) << "only entries named .tmp-* are scratch";

  fs::path later = dir_ / ".tmp-key-789-1";
  fs::create_directories(later);
  fs::last_write_time(later, two_days_ago);
  sweep_abandoned_scratch(dir_);
  EXPECT_TRUE(fs::exists(later)) << "one sweep per directory and process";
}

TEST_F(BuildFiles, SweepOfAMissingDirectoryIsQuiet) {
  EXPECT_NO_THROW(sweep_abandoned_scratch(dir_ / "missing"));
}

}  // namespace
}  // namespace ork::plugins::executor
