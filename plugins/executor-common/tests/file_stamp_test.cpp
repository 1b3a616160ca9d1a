// stamp_of: a file's stamp stays while the file is untouched and changes with
// its content; a missing file has none.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include "ork_executor/file_stamp.hpp"

namespace ork::plugins::executor {
namespace {

TEST(FileStamp, SameWhileUntouchedDifferentAfterAWriteNoneWhenMissing) {
  std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ork-file-stamp-" + std::to_string(::getpid()));
  std::ofstream(file) << "one";
  std::optional<FileStamp> first = stamp_of(file);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size, 3);
  EXPECT_EQ(stamp_of(file), first);
  std::ofstream(file) << "three";
  EXPECT_NE(stamp_of(file), first);
  std::filesystem::remove(file);
  EXPECT_FALSE(stamp_of(file).has_value());
}

}  // namespace
}  // namespace ork::plugins::executor
