#include "http/router.hpp"

#include <sstream>

namespace ork::host {

namespace {

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
  response.body = boost::json::serialize(value);
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
