// The `main` of the corpus replay tests (ctest label `fuzz`): runs every file
// under the directories given on the command line through the fuzz target's
// LLVMFuzzerTestOneInput, once each. Linked with each target in the normal
// (gcc) build, where libFuzzer is not available, so every CI run exercises
// every target on its seed corpus and its regression inputs; a crash, a
// sanitizer report or a failed property fails the test and names the file.
#include "fuzz_support.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path root = argv[i];
    if (fs::is_regular_file(root)) {
      files.push_back(root);
    } else if (fs::is_directory(root)) {
      for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    }
  }
  if (files.empty()) {
    std::cerr << "no input files under the given paths\n";
    return 1;
  }
  std::sort(files.begin(), files.end());  // a stable order makes a failure easy to reproduce
  for (const fs::path& file : files) {
    std::cerr << "replaying " << file.string() << '\n';
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << files.size() << " inputs replayed\n";
  return 0;
}
