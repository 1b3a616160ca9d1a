#include "code_identity.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace ork::plugins::process {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> words_of(const Command& command);
std::string file_inside(std::string_view word, std::string_view workdir, const fs::path& root);

}  // namespace

CodeIdentity command_code_identity(const Command& command, const std::string& program, std::string_view workdir,
                                   std::string_view workflow_dir) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(workflow_dir), ec);
  CodeIdentity identity;
  auto add = [&](const std::string& file) {
    if (!file.empty() && std::find(identity.files.begin(), identity.files.end(), file) == identity.files.end()) {
      identity.files.push_back(file);
    }
  };
  if (!command.script.empty()) add(file_inside(command.script, workdir, root));
  if (!command.via_shell && !program.empty()) add(file_inside(program, workdir, root));
  for (const std::string& word : words_of(command)) add(file_inside(word, workdir, root));
  if (!identity.files.empty()) return identity;
  if (command.via_shell) {
    identity.why_not = "its command is a shell line that names no file inside the workflow directory " +
                       root.string();
  } else {
    identity.why_not = "its code lives outside the workflow directory: " + (program.empty() ? command.program() : program) +
                       ", and no argument names a file inside " + root.string();
  }
  return identity;
}

namespace {

// The arguments that may name files: argv past the program, or the words
// of a shell line (split on blanks; a quoted path with blanks is missed,
// which only makes ork refuse a cache it could have allowed).
std::vector<std::string> words_of(const Command& command) {
  if (!command.via_shell) return {command.argv.begin() + 1, command.argv.end()};
  std::vector<std::string> words;
  std::istringstream line(command.argv.back());
  for (std::string word; line >> word;) {
    word.erase(0, word.find_first_not_of("\"'"));
    if (std::size_t end = word.find_last_not_of("\"';|&<>"); end != std::string::npos) word.erase(end + 1);
    if (!word.empty()) words.push_back(word);
  }
  return words;
}

// The absolute path of `word` when it names an existing regular file inside
// `root`; "" otherwise.
std::string file_inside(std::string_view word, std::string_view workdir, const fs::path& root) {
  if (word.empty() || word.front() == '-' || word.size() > 4096) return "";
  std::error_code ec;
  fs::path path(word);
  if (path.is_relative()) path = fs::path(workdir) / path;
  if (!fs::is_regular_file(path, ec)) return "";
  fs::path real = fs::weakly_canonical(path, ec);
  if (ec) return "";
  auto [root_end, unused] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  (void)unused;
  if (root_end != root.end()) return "";
  return real.string();
}

}  // namespace

}  // namespace ork::plugins::process
