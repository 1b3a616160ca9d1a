#include "http/router.hpp"

#include <sstream>

namespace ork::host {

namespace {

std::string with_valid_utf8(std::string text);
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);
std::vector<std::string_view> split_path(std::string_view path);
bool match_pattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params);

}  // namespace

std::optional<std::string> ApiRequest::query_value(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ApiRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

const std::string& ApiRequest::param(const std::string& name) const {
  static const std::string empty;
  auto it = params.find(name);
  return it == params.end() ? empty : it->second;
}

boost::json::object ApiRequest::json_body() const {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return {};
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) throw HttpError(400, "the request body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw HttpError(400, "the request body must be a JSON object");
  return std::move(value.as_object());
}

ApiResponse ApiResponse::json(const boost::json::value& value, int status) {
  ApiResponse response;
  response.status = status;
  response.body = with_valid_utf8(boost::json::serialize(value));
  return response;
}

ApiResponse ApiResponse::error(int status, std::string_view message) {
  return json(boost::json::object{{"error", boost::json::object{{"status", status}, {"message", message}}}}, status);
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler)});
}

const Route& Router::match(ApiRequest& request) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match_pattern(route.pattern, request.path, params)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.params = std::move(params);
    return route;
  }
  if (path_known) throw HttpError(405, "method " + request.method + " is not allowed on " + request.path);
  throw HttpError(404, "no API route " + request.path + " (see /api/openapi.json)");
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

namespace {

// Boost.JSON writes the bytes of a string as they are, so a string that is
// not UTF-8 (a task's log line, bytes decoded from a URL) would make the body
// invalid JSON that clients refuse. Each byte outside a valid sequence
// becomes U+FFFD; outside strings a JSON text is ASCII, so the body stays
// JSON. Found by the router fuzz target.
std::string with_valid_utf8(std::string text) {
  std::size_t at = 0;
  for (std::size_t length; at < text.size() && (length = utf8_sequence_length(text, at)) > 0;) at += length;
  if (at == text.size()) return text;
  std::string out = text.substr(0, at);
  out.reserve(text.size() + 16);
  while (at < text.size()) {
    std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++at;
    } else {
      out.append(text, at, length);
      at += length;
    }
  }
  return out;
}

// The length of the well-formed UTF-8 sequence starting at `at` (Unicode
// table 3-7: no overlong forms, surrogates or code points past U+10FFFF), or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size() || byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool match_pattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
  std::vector<std::string_view> want = split_path(pattern);
  std::vector<std::string_view> got = split_path(path);
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{') && want[i].ends_with('}')) {
      params[std::string(want[i].substr(1, want[i].size() - 2))] = url_decode(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

}  // namespace ork::host
