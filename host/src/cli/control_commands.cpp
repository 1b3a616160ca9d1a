// `ork trigger NAME` and `ork cancel RUN`: control runs through a running
// `ork serve` (--server URL, else $ORK_SERVER, else http://127.0.0.1:4000)
// when one answers; otherwise act on the store directly — trigger runs the
// workflow in the foreground like `ork run`, cancel asks the run's owner
// through the store (or marks the run cancelled when its owner is gone).
// An https:// server must present a certificate that verifies (system CA
// store, plus --ca-file / $ORK_CA_FILE) for its host name before the token
// is sent; one that does not is an error, never a fallback.
#include "cli/cli.hpp"
#include "store/json_views.hpp"
#include "scheduler/run_setup.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"
#include "http/auth.hpp"
#include "serve/workflow_catalog.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

namespace ork::host {

namespace {

struct ServerAnswer {
  int status = 0;
  boost::json::value body;
};

class ServerClient {
 public:
  explicit ServerClient(const CliContext& ctx);
  // nullopt when no server answers at the URL (connection refused, no such host, timeout).
  std::optional<ServerAnswer> call(const std::string& method, const std::string& path, const std::string& body = "");
  const std::string& url() const { return url_; }

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> open_session(const Poco::URI& uri);

  std::string url_;
  std::optional<std::string> token_;
  std::optional<std::string> ca_file_;
  Poco::Net::Context::Ptr tls_;
};

Poco::Net::Context::Ptr verifying_tls_context(const std::optional<std::string>& ca_file);

std::string error_message(const ServerAnswer& answer);
int trigger_locally(CliContext& ctx, const std::string& name);
int cancel_locally(CliContext& ctx, const std::string& run_id);
boost::json::object inputs_for_server(const std::vector<std::string>& given, const boost::json::value& workflow);

}  // namespace

int trigger_command(CliContext& ctx) {
  if (ctx.cl.positional.size() != 1) throw Error(ErrorKind::usage, "usage: ork trigger NAME [--input k=v]...");
  const std::string& name = ctx.cl.positional[0];
  const bool json = ctx.cl.has("--json");
  ServerClient server(ctx);
  std::optional<ServerAnswer> workflow = server.call("GET", "/api/workflows/" + name);
  if (!workflow) {
    std::cerr << "ork: no ork serve answers at " << server.url() << "; running '" << name << "' here\n";
    return trigger_locally(ctx, name);
  }
  if (workflow->status != 200) throw Error(ErrorKind::not_found, error_message(*workflow));
  boost::json::object body{{"inputs", inputs_for_server(ctx.cl.values("--input"), workflow->body)}};
  if (auto key = ctx.cl.value("--idempotency-key")) body["idempotency_key"] = *key;
  std::optional<ServerAnswer> started =
      server.call("POST", "/api/workflows/" + name + "/runs", boost::json::serialize(body));
  if (!started) throw Error(ErrorKind::internal, "ork serve at " + server.url() + " stopped answering");
  if (started->status != 200 && started->status != 201) {
    throw Error(started->status == 400 ? ErrorKind::usage : ErrorKind::internal, error_message(*started));
  }
  if (json) {
    std::cout << pretty_json(started->body);
  } else {
    const auto& o = started->body.as_object();
    std::cout << "run " << o.at("run_id").as_string().c_str() << " of " << name
              << (o.at("existing").as_bool() ? " already exists" : " started") << " on " << server.url()
              << "; follow it with: ork logs " << o.at("run_id").as_string().c_str() << " -f\n";
  }
  return exit_ok;
}

int cancel_command(CliContext& ctx) {
  if (ctx.cl.positional.size() != 1) throw Error(ErrorKind::usage, "usage: ork cancel RUN");
  const std::string& run_id = ctx.cl.positional[0];
  ServerClient server(ctx);
  std::optional<ServerAnswer> answer = server.call("POST", "/api/runs/" + run_id + "/cancel");
  if (!answer) return cancel_locally(ctx, run_id);
  if (answer->status == 404) throw Error(ErrorKind::not_found, error_message(*answer));
  if (answer->status == 409) {
    std::cerr << "ork: " << error_message(*answer) << '\n';
    return exit_failed;
  }
  if (answer->status != 202) throw Error(ErrorKind::internal, error_message(*answer));
  std::cout << "run " << run_id << ": cancellation "
            << (answer->body.as_object().at("outcome") == "cancelling" ? "under way" : "requested from its owner")
            << '\n';
  return exit_ok;
}

namespace {

ServerClient::ServerClient(const CliContext& ctx) {
  if (auto flag = ctx.cl.value("--server")) {
    url_ = *flag;
  } else if (const char* env = std::getenv("ORK_SERVER"); env && *env) {
    url_ = env;
  } else {
    url_ = "http://127.0.0.1:4000";
  }
  while (url_.ends_with('/')) url_.pop_back();
  std::optional<std::filesystem::path> token_file;
  if (auto f = ctx.cl.value("--token-file")) token_file = *f;
  token_ = configured_api_token(token_file);
  if (auto flag = ctx.cl.value("--ca-file")) {
    ca_file_ = *flag;
  } else if (const char* env = std::getenv("ORK_CA_FILE"); env && *env) {
    ca_file_ = env;
  }
}

std::optional<ServerAnswer> ServerClient::call(const std::string& method, const std::string& path,
                                               const std::string& body) {
  Poco::URI uri(url_ + path);
  std::unique_ptr<Poco::Net::HTTPClientSession> session_owner = open_session(uri);
  Poco::Net::HTTPClientSession& session = *session_owner;
  session.setTimeout(Poco::Timespan(2, 0), Poco::Timespan(30, 0), Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  if (token_) request.set("Authorization", "Bearer " + *token_);
  try {
    // Over https the TLS handshake, certificate and host name checks
    // included, completes before the first byte of the request is written.
    session.sendRequest(request) << body;
  } catch (const Poco::Net::SSLException& e) {
    // Before NetException, its base: a server that fails verification is
    // refused, not taken for "no server here".
    throw Error(ErrorKind::usage,
                "refused " + url_ + ": its TLS certificate did not verify (" + e.displayText() +
                    "); nothing was sent. If the server uses a private CA, trust it with --ca-file FILE or "
                    "ORK_CA_FILE=FILE (PEM)");
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return std::nullopt;
  } catch (const Poco::Net::HostNotFoundException&) {
    return std::nullopt;
  } catch (const Poco::TimeoutException&) {
    return std::nullopt;
  } catch (const Poco::Net::NetException&) {
    return std::nullopt;
  }
  Poco::Net::HTTPResponse response;
  std::string text;
  try {
    Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  } catch (const Poco::Exception& e) {
    throw Error(ErrorKind::internal, "ork serve at " + url_ + " did not answer " + method + " " + path + ": " +
                                         e.displayText());
  }
  ServerAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  boost::system::error_code ec;
  answer.body = boost::json::parse(text, ec);
  if (ec) {
    throw Error(ErrorKind::internal, url_ + " answered " + method + " " + path + " with something other than "
                                         "JSON (HTTP " + std::to_string(answer.status) + "); is it an ork serve?");
  }
  return answer;
}

// http:// gets a plain session; https:// one that verifies the server.
std::unique_ptr<Poco::Net::HTTPClientSession> ServerClient::open_session(const Poco::URI& uri) {
  if (uri.getScheme() == "http") return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  if (uri.getScheme() != "https") {
    throw Error(ErrorKind::usage, "the server URL " + url_ + " must start with http:// or https:// (--server or "
                                  "ORK_SERVER)");
  }
  if (!tls_) tls_ = verifying_tls_context(ca_file_);
  return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tls_);
}

// The system CA store (OpenSSL's default paths), plus `ca_file`; the peer's
// chain must verify and its certificate must name the host. With no
// handler registered for SSLManager's ClientVerificationError, a failed
// check fails the handshake instead of asking anyone.
Poco::Net::Context::Ptr verifying_tls_context(const std::optional<std::string>& ca_file) {
  static const bool initialised = [] {
    Poco::Net::initializeSSL();
    return true;
  }();
  (void)initialised;
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.loadDefaultCAs = true;
  if (ca_file) {
    if (!std::filesystem::exists(*ca_file)) {
      throw Error(ErrorKind::usage, "the CA file " + *ca_file + " does not exist (--ca-file or ORK_CA_FILE)");
    }
    params.caLocation = *ca_file;
  }
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  } catch (const Poco::Exception& e) {
    throw Error(ErrorKind::usage, "cannot set up TLS" + (ca_file ? " with the CA file " + *ca_file : std::string()) +
                                      ": " + e.displayText());
  }
  context->enableExtendedCertificateVerification(true);
  return context;
}

std::string error_message(const ServerAnswer& answer) {
  if (answer.body.is_object()) {
    if (auto* e = answer.body.as_object().if_contains("error"); e && e->is_object()) {
      if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) return std::string(m->as_string());
    }
  }
  return "the server answered HTTP " + std::to_string(answer.status);
}

// `--input k=v` as the server expects it: JSON values, except that a `str`
// input keeps the text as given (so `id=007` stays "007").
boost::json::object inputs_for_server(const std::vector<std::string>& given, const boost::json::value& workflow) {
  std::map<std::string, std::string> types;
  if (auto* inputs = workflow.as_object().if_contains("inputs"); inputs && inputs->is_array()) {
    for (const auto& in : inputs->as_array()) {
      types[std::string(in.at("name").as_string())] = std::string(in.at("type").as_string());
    }
  }
  boost::json::object values;
  for (const auto& item : given) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw Error(ErrorKind::usage, "--input needs NAME=VALUE, got '" + item + "'");
    std::string name = item.substr(0, eq);
    std::string text = item.substr(eq + 1);
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    const std::string& type = types[name];
    if (ec || ((type == "str" || type == "str | None") && !value.is_null())) value = boost::json::value(text);
    values[name] = std::move(value);
  }
  return values;
}

int trigger_locally(CliContext& ctx, const std::string& name) {
  WorkflowCatalog catalog(default_workflows_directory(), *ctx.registry);
  catalog.refresh();
  std::optional<CatalogEntry> entry = catalog.find(name);
  if (!entry) {
    throw Error(ErrorKind::not_found, "no workflow named '" + name + "' in " + catalog.directory().string() +
                                          " (start ork serve, or run a file with `ork run FILE`)");
  }
  if (!entry->workflow) {
    for (const auto& d : entry->errors) std::cerr << d.to_string() << '\n';
    return exit_invalid;
  }
  const bool json = ctx.cl.has("--json");
  RunRequest request;
  request.inputs = resolve_workflow_inputs(*entry->workflow, ctx.cl.values("--input"));
  request.trigger = "cli";
  request.idempotency_key = ctx.cl.value("--idempotency-key").value_or("");
  request.owner = owner_name();
  Store store = ctx.open_store();
  CreatedRunId created = record_run(store, *entry->workflow, request);
  if (created.existing) return report_run(store, created.run_id, json, std::nullopt);
  claim_new_run(store, created.run_id, request.owner);
  RunOptions options;
  options.run_id = created.run_id;
  options.concurrency = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.workflow_inputs = request.inputs;
  options.owner = request.owner;
  RunOutcome outcome = execute_run(*entry->workflow, ctx, store, std::move(options), json);
  return report_run(store, created.run_id, json, outcome);
}

int cancel_locally(CliContext& ctx, const std::string& run_id) {
  Store store = ctx.open_store();
  RunDetail detail = store.get_run(run_id);  // not_found → exit 2
  if (detail.run.status != "running" && detail.run.status != "pending") {
    std::cerr << "ork: run " << run_id << " has already finished (" << detail.run.status << ")\n";
    return exit_failed;
  }
  Millis now = now_millis();
  bool owner_gone = !provably_dead_owner(detail.run.owner).empty();
  if (!owner_gone && store.supports_ownership()) {
    for (const RunRow& orphan : store.orphaned_runs(now)) owner_gone = owner_gone || orphan.run_id == detail.run.run_id;
  }
  if (!owner_gone) {
    store.request_cancel(run_id, now);
    std::cout << "run " << run_id << ": cancellation requested from its owner " << detail.run.owner << '\n';
    return exit_ok;
  }
  // Nobody will act on a request: close the run here.
  for (const auto& [task, state] : detail.tasks) {
    if (state.status == "pending" || state.status == "running" || state.status == "retrying") {
      store.update_task(TaskTransition{run_id, task, static_cast<std::uint32_t>(state.attempts), "cancelled", now, "",
                                       "run cancelled (its owner " + detail.run.owner + " was gone)", 0});
    }
  }
  store.update_run(run_id, "cancelled", now, "cancelled by ork cancel; its owner " + detail.run.owner + " was gone");
  std::cout << "run " << run_id << ": cancelled (its owner " << detail.run.owner << " was gone)\n";
  return exit_ok;
}

}  // namespace

}  // namespace ork::host
