#include "http/api_redaction.hpp"

#include <algorithm>
#include <cctype>

namespace ork::host {

ApiRedactor::ApiRedactor(const std::filesystem::path& workflows_directory, const char* path_variable) {
  std::vector<std::string> directories;
  std::error_code ec;
  for (const std::filesystem::path& dir :
       {std::filesystem::absolute(workflows_directory, ec), std::filesystem::weakly_canonical(workflows_directory, ec)}) {
    std::string text = dir.lexically_normal().string();
    while (text.size() > 1 && text.ends_with('/')) text.pop_back();
    if (text.size() > 1 && std::find(directories.begin(), directories.end(), text) == directories.end()) {
      directories.push_back(text);
    }
  }
  for (const std::string& dir : directories) {
    replacements_.emplace_back(dir + "/", "");
    replacements_.emplace_back(dir, ".");
  }
  if (path_variable && *path_variable) replacements_.emplace_back(path_variable, "$PATH");
  std::stable_sort(replacements_.begin(), replacements_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string ApiRedactor::operator()(std::string_view message) const {
  // "/srv/flows" is not replaced inside "/srv/flowsother".
  auto continues_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; };
  std::string out(message);
  for (const auto& [from, to] : replacements_) {
    for (std::size_t at = out.find(from); at != std::string::npos;) {
      std::size_t end = at + from.size();
      if (!from.ends_with('/') && end < out.size() && continues_name(out[end])) {
        at = out.find(from, at + 1);
        continue;
      }
      out.replace(at, from.size(), to);
      at = out.find(from, at + to.size());
    }
  }
  return out;
}

void ApiRedactor::redact_errors(boost::json::value& value) const {
  if (value.is_array()) {
    for (boost::json::value& item : value.as_array()) redact_errors(item);
  } else if (value.is_object()) {
    for (auto& [key, item] : value.as_object()) {
      if ((key == "error" || key == "message") && item.is_string()) {
        item = (*this)(item.as_string());
      } else {
        redact_errors(item);
      }
    }
  }
}

}  // namespace ork::host
