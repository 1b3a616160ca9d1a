// `ork serve [--bind HOST:PORT] [--workflows DIR] [--token-file FILE]
// [--allowed-host NAME]...`: runs
// the HTTP API, the web UI and the cron schedules of every workflow in DIR
// until SIGINT/SIGTERM. Refuses a non-loopback address without an API token.
#include "cli/cli.hpp"
#include "core/error.hpp"
#include "http/auth.hpp"
#include "serve/serve_app.hpp"

#include <csignal>
#include <iostream>
#include <thread>

namespace ork::host {

namespace {

struct BindAddress {
  std::string host;
  std::uint16_t port = 4000;
};

BindAddress parse_bind(const std::string& text);
int wait_for_interrupt();

}  // namespace

int serve_command(CliContext& ctx) {
  if (!ctx.cl.positional.empty()) {
    throw Error(ErrorKind::usage, "`ork serve` takes no arguments; give the workflows' folder with --workflows DIR");
  }
  BindAddress bind = parse_bind(ctx.cl.value("--bind").value_or("127.0.0.1:4000"));
  std::optional<std::filesystem::path> token_file;
  if (auto f = ctx.cl.value("--token-file")) token_file = *f;
  std::optional<std::string> token = configured_api_token(token_file);
  if (!is_loopback_host(bind.host) && !token) {
    throw Error(ErrorKind::usage, "refusing to listen on " + bind.host + ":" + std::to_string(bind.port) +
                                      " without an API token: anyone who can reach it could run commands. Set "
                                      "ORK_API_TOKEN or pass --token-file FILE, or bind to 127.0.0.1");
  }

  ServeOptions options;
  options.http.host = bind.host;
  options.http.port = bind.port;
  options.http.api_token = token;
  // Names (or name:port) besides the bound address that the Host header may
  // carry, e.g. a reverse proxy's; see the Security section of docs/serve.md.
  options.http.allowed_hosts = ctx.cl.values("--allowed-host");
  options.workflows_directory =
      ctx.cl.value("--workflows") ? std::filesystem::path(*ctx.cl.value("--workflows")) : default_workflows_directory();
  options.workers_only = ctx.cl.has("--workers-only");
  if (auto c = ctx.cl.value("--concurrency")) {
    try {
      options.concurrency = std::stoi(*c);
    } catch (const std::exception&) {
      options.concurrency = 0;
    }
    if (options.concurrency < 1) throw Error(ErrorKind::usage, "--concurrency needs a positive number, got '" + *c + "'");
  }

  ServeApp app(*ctx.registry, ctx.open_store(), options);
  app.start();
  std::size_t broken = 0;
  std::vector<CatalogEntry> entries = app.catalog().entries();
  for (const auto& e : entries) broken += e.errors.empty() ? 0 : 1;
  // Scripts and tests read the port from this line (useful with --bind 127.0.0.1:0).
  std::cout << "ork serve: listening on http://" << bind.host << ":" << app.port() << " (" << entries.size()
            << (entries.size() == 1 ? " workflow" : " workflows") << " from " << app.catalog().directory().string()
            << (broken ? ", " + std::to_string(broken) + " with errors" : "") << (token ? "; API token required" : "")
            << ")" << std::endl;
  int signal = wait_for_interrupt();
  std::cerr << "ork serve: " << (signal == SIGINT ? "interrupted" : "terminated")
            << "; cancelling running runs and stopping\n";
  app.stop();
  return exit_ok;
}

namespace {

BindAddress parse_bind(const std::string& text) {
  BindAddress bind;
  std::string port_text;
  if (text.starts_with('[')) {  // [::1]:4000
    auto close = text.find(']');
    if (close == std::string::npos) throw Error(ErrorKind::usage, "--bind " + text + ": missing ']'");
    bind.host = text.substr(1, close - 1);
    if (close + 1 < text.size() && text[close + 1] == ':') port_text = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    bind.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  } else {
    bind.host = text;
  }
  if (bind.host.empty()) bind.host = "127.0.0.1";
  if (!port_text.empty()) {
    int port = -1;
    try {
      port = std::stoi(port_text);
    } catch (const std::exception&) {
    }
    if (port < 0 || port > 65535 || std::to_string(port) != port_text) {
      throw Error(ErrorKind::usage, "--bind " + text + ": the port must be a number from 0 to 65535");
    }
    bind.port = static_cast<std::uint16_t>(port);
  }
  return bind;
}

// SIGINT and SIGTERM are blocked in every thread (run_cli does it before
// plugins load), so they wait here.
int wait_for_interrupt() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  return signal;
}

}  // namespace

}  // namespace ork::host
