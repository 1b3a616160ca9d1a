#include "store/url_redaction.hpp"

#include <vector>

namespace ork::host {

namespace {

constexpr std::string_view hidden = "***";

// Where each password of `url` sits, as [begin, end) offsets, in order.
// Written by hand rather than with Poco::URI: the URL must print exactly as
// given apart from the password, and Poco would re-encode the rest.
std::vector<std::pair<std::size_t, std::size_t>> password_spans(std::string_view url);

}  // namespace

std::string redacted_url(std::string_view url) {
  std::string text;
  std::size_t from = 0;
  for (auto [begin, end] : password_spans(url)) {
    text.append(url.substr(from, begin - from)).append(hidden);
    from = end;
  }
  text.append(url.substr(from));
  return text;
}

std::string without_url_password(std::string message, std::string_view url) {
  for (auto [begin, end] : password_spans(url)) {
    const std::string_view password = url.substr(begin, end - begin);
    if (password.empty()) continue;
    for (std::size_t at = message.find(password); at != std::string::npos;
         at = message.find(password, at + hidden.size())) {
      message.replace(at, password.size(), hidden);
    }
  }
  return message;
}

namespace {

void add_query_passwords(std::string_view url, std::size_t query_start,
                         std::vector<std::pair<std::size_t, std::size_t>>& spans);

std::vector<std::pair<std::size_t, std::size_t>> password_spans(std::string_view url) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return spans;
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  // The last '@' ends the user part: a password may itself hold an unencoded '@'.
  const std::size_t at = url.substr(0, authority_end).rfind('@');
  if (at != std::string_view::npos && at > authority) {
    const std::size_t colon = url.substr(0, at).find(':', authority);
    if (colon != std::string_view::npos) spans.emplace_back(colon + 1, at);
  }
  if (const std::size_t question = url.find('?', authority_end); question != std::string_view::npos) {
    add_query_passwords(url, question + 1, spans);
  }
  return spans;
}

// libpq takes `?password=...` as well as the user part.
void add_query_passwords(std::string_view url, std::size_t query_start,
                         std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  constexpr std::string_view key = "password=";
  std::size_t start = query_start;
  while (start < url.size()) {
    std::size_t end = std::min(url.find_first_of("&#", start), url.size());
    if (url.substr(start, end - start).starts_with(key)) spans.emplace_back(start + key.size(), end);
    if (end >= url.size() || url[end] == '#') break;
    start = end + 1;
  }
}

}  // namespace

}  // namespace ork::host
