// Fuzz target: the HTTP API's request handling without a socket — the
// request target (path and query string, as the server parses it), the
// router, the JSON body and the check of a trigger's inputs against a
// workflow's typed `inputs:`, the JSON of responses. The handlers that need a store
// are replaced by ones that only read their parameters, so the router sees the
// real route table and each route reads what its real handler reads.
// Input: "METHOD TARGET\n" then "name: value" header lines, an empty line, the body.
// Properties: a match has the request's method and fills every `{name}` of
// its pattern; any refusal is an HttpError with a 4xx status; every response
// body is JSON that parses back (with the same message when it is ASCII).
#include "fake_catalog.hpp"
#include "fuzz_support.hpp"
#include "http/request_parsing.hpp"
#include "http/router.hpp"
#include "types/assignability.hpp"
#include "workflow/compiler.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <string>

namespace {

using ork::host::ApiRequest;
using ork::host::ApiResponse;
using ork::host::HttpError;

// A served workflow with typed inputs for the trigger body to fit.
const ork::host::CompiledWorkflow& served_workflow() {
  static const ork::host::CompiledWorkflow workflow = [] {
    const ork::host::testing::FakeCatalog catalog;
    ork::host::CompileResult result = ork::host::compile_workflow_source(R"(name: w
inputs:
  n: {type: int, default: 1}
  names: {type: "list[str]"}
  order: {type: "{id: int, note?: str | None, tags: dict[str, float]}", default: {id: 1, tags: {}}}
  pair: {type: "tuple[int, str] | None", default: null}
tasks:
  a:
    executor: process
    command: x
)",
                                                                        "/fuzz/w.yaml", catalog);
    if (!result.workflow) ork::fuzz::property_failed("the router fuzz workflow compiles", __FILE__, __LINE__);
    return std::move(*result.workflow);
  }();
  return workflow;
}

// What check_workflow_inputs (scheduler/run_setup.cpp, which needs a store to link) does per input.
void check_inputs(const boost::json::object& given) {
  const ork::host::CompiledWorkflow& workflow = served_workflow();
  for (const auto& entry : given) {
    auto declared = std::find_if(workflow.inputs.begin(), workflow.inputs.end(),
                                 [&](const ork::host::WorkflowInput& in) { return in.name == entry.key(); });
    if (declared == workflow.inputs.end()) continue;
    ork::host::Type type = ork::host::infer_type(entry.value());
    ork::host::Assignability fit = ork::host::is_assignable(type, declared->type);
    ORK_FUZZ_CHECK(fit.ok == fit.reason.empty());
    (void)(type.to_string() + declared->type.to_string());
  }
}

ApiResponse ok(const ApiRequest&) { return ApiResponse::json(boost::json::object{{"ok", true}}); }

std::optional<std::int64_t> integer_query(const ApiRequest& r, const std::string& name) {
  std::optional<std::string> text = r.query_value(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) throw HttpError(400, "not an integer: " + name);
  return value;
}

// The route table of serve/api_routes.cpp (make_api_router), with stand-in
// handlers that read the body and query as the real ones do.
ork::host::Router make_router() {
  ork::host::Router router;
  router.add("GET", "/api/health", ok);
  router.add("GET", "/api/workflows", ok);
  router.add("GET", "/api/workflows/{name}", ok);
  router.add("POST", "/api/workflows/{name}/runs", [](const ApiRequest& r) {
    boost::json::object body = r.json_body();
    if (const boost::json::value* inputs = body.if_contains("inputs"); inputs && inputs->is_object()) {
      check_inputs(inputs->get_object());
    }
    return ok(r);
  });
  router.add("POST", "/api/workflows/{name}/pause", ok);
  router.add("POST", "/api/workflows/{name}/unpause", ok);
  router.add("GET", "/api/runs", [](const ApiRequest& r) {
    (void)r.query_value("workflow");
    (void)r.query_value("status");
    (void)integer_query(r, "limit");
    return ok(r);
  });
  router.add("GET", "/api/runs/{id}", ok);
  router.add("POST", "/api/runs/{id}/cancel", ok);
  router.add("GET", "/api/runs/{id}/tasks/{task}/logs", [](const ApiRequest& r) {
    (void)integer_query(r, "attempt");
    (void)integer_query(r, "cursor");
    (void)integer_query(r, "limit");
    return ok(r);
  });
  router.add("GET", "/api/events", [](const ApiRequest& r) {
    (void)integer_query(r, "after");
    return ok(r);
  });
  router.add("GET", "/api/openapi.json", ok);
  return router;
}

void check_response(const ApiResponse& response, std::string_view message) {
  boost::system::error_code error;
  boost::json::value body = boost::json::parse(response.body, error);
  ORK_FUZZ_CHECK(!error);
  // Bytes that are not UTF-8 are sent as U+FFFD; an ASCII message comes back as it was.
  bool ascii = std::all_of(message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!message.empty() && ascii) ORK_FUZZ_CHECK(body.at("error").at("message").as_string() == message);
}

void check_match(const ork::host::Route& route, const ApiRequest& request) {
  ORK_FUZZ_CHECK(route.method == request.method);
  std::size_t captures = static_cast<std::size_t>(std::count(route.pattern.begin(), route.pattern.end(), '{'));
  ORK_FUZZ_CHECK(request.params.size() == captures);
}

ApiRequest read_request(std::string_view text, bool& target_ok) {
  ApiRequest request;
  auto [request_line, rest] = ork::fuzz::first_line(text);
  std::size_t space = request_line.find(' ');
  request.method = std::string(request_line.substr(0, space));
  std::string_view target = space == std::string_view::npos ? "/" : request_line.substr(space + 1);
  try {
    ork::host::parse_request_target(target, request);
    target_ok = true;
  } catch (const std::exception&) {
    target_ok = false;  // the server answers 400 "malformed request"
  }
  while (!rest.empty()) {
    auto [line, after] = ork::fuzz::first_line(rest);
    rest = after;
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers[name] = std::string(value);
  }
  request.body = std::string(rest);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ork::host::Router router = make_router();
  bool target_ok = false;
  ApiRequest request = read_request(ork::fuzz::as_text(data, size), target_ok);
  if (!target_ok) return 0;
  (void)ork::host::url_decode(request.path);
  try {
    const ork::host::Route& route = router.match(request);
    check_match(route, request);
    check_response(route.handler(request), {});
  } catch (const HttpError& e) {
    ORK_FUZZ_CHECK(e.status() >= 400 && e.status() < 500);
    check_response(ApiResponse::error(e.status(), e.what()), e.what());
  }
  return 0;
}
