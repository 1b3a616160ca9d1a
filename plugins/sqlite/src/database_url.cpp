#include "database_url.hpp"

#include <stdexcept>
#include <string>

namespace ork::plugins::sqlite {

namespace {

[[noreturn]] void refuse(std::string_view url, std::string_view problem) {
  throw std::invalid_argument("invalid sqlite database URL '" + std::string(url) + "': " + std::string(problem) +
                              "; use sqlite:///absolute/path.db, sqlite://relative/path.db or a plain path");
}

std::string_view strip_scheme(std::string_view url, std::string_view location);
std::string percent_decode(std::string_view url, std::string_view text);
Synchronous parse_options(std::string_view url, std::string_view query);

}  // namespace

DatabaseUrl parse_database_url(std::string_view url) {
  const std::size_t question = url.find('?');
  const std::string_view location = url.substr(0, question);
  const std::string_view query = question == std::string_view::npos ? std::string_view() : url.substr(question + 1);

  const std::string_view path_part = strip_scheme(url, location);
  const bool is_url = path_part.size() != location.size();
  std::string path = is_url ? percent_decode(url, path_part) : std::string(path_part);
  if (path.empty()) refuse(url, "it names no file");
  // SQLite's own name for an in-memory database; taken as a file name it
  // would quietly create a file called ":memory:".
  if (path == ":memory:") {
    refuse(url, "an in-memory database is not supported: the store opens several connections to one file, and "
                "runs kept in memory would be lost when ork exits (`ork tasks`, `ork logs` and `ork resume` "
                "could never see them)");
  }
  return DatabaseUrl{std::filesystem::path(path), parse_options(url, query)};
}

namespace {

// "sqlite:///a" -> "/a", "sqlite://a" -> "a", "sqlite:a" -> "a"; a plain path
// comes back unchanged. Other schemes belong to other storage plugins.
std::string_view strip_scheme(std::string_view url, std::string_view location) {
  for (std::string_view scheme : {"sqlite:", "file:"}) {
    if (location.starts_with(scheme)) {
      std::string_view rest = location.substr(scheme.size());
      if (rest.starts_with("//")) rest.remove_prefix(2);
      return rest;
    }
  }
  if (const std::size_t separator = location.find("://"); separator != std::string_view::npos) {
    refuse(url, "the sqlite plugin does not serve '" + std::string(location.substr(0, separator)) + "://' URLs");
  }
  return location;
}

std::string percent_decode(std::string_view url, std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    const std::string hex(text.substr(i + 1, 2));
    if (hex.size() != 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      refuse(url, "a '%' is not followed by two hex digits");
    }
    decoded += static_cast<char>(std::stoi(hex, nullptr, 16));
    i += 2;
  }
  return decoded;
}

Synchronous parse_options(std::string_view url, std::string_view query) {
  Synchronous synchronous = Synchronous::normal;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view option = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (option.empty()) continue;
    if (option == "sync=normal") {
      synchronous = Synchronous::normal;
    } else if (option == "sync=full") {
      synchronous = Synchronous::full;
    } else {
      refuse(url, "unknown option '" + std::string(option) + "' (known: sync=normal, sync=full)");
    }
  }
  return synchronous;
}

}  // namespace

}  // namespace ork::plugins::sqlite
