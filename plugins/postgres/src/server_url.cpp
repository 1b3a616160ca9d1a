#include "server_url.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <memory>
#include <stdexcept>
#include <vector>

namespace ork::plugins::postgres {

namespace {

struct PluginOptions {
  std::string url_for_libpq;
  std::size_t pool_size = default_pool_size;
};

PluginOptions take_plugin_options(std::string_view url);
std::string describe(std::string_view url_for_libpq);

}  // namespace

ServerUrl parse_server_url(std::string_view url) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    throw std::invalid_argument("not a PostgreSQL URL: it must start with postgresql:// or postgres://");
  }
  PluginOptions options = take_plugin_options(url);
  std::string description = describe(options.url_for_libpq);
  return ServerUrl{std::move(options.url_for_libpq), std::move(description), options.pool_size};
}

namespace {

std::size_t parse_pool_size(std::string_view value);

// Removes `pool_size=N` from the query string; libpq refuses options it does
// not know.
PluginOptions take_plugin_options(std::string_view url) {
  PluginOptions options;
  const std::size_t question = url.find('?');
  if (question == std::string_view::npos) {
    options.url_for_libpq = std::string(url);
    return options;
  }
  std::string kept;
  std::string_view query = url.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view option = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (option.starts_with("pool_size=")) {
      options.pool_size = parse_pool_size(option.substr(10));
    } else if (!option.empty()) {
      kept += (kept.empty() ? "" : "&") + std::string(option);
    }
  }
  options.url_for_libpq = std::string(url.substr(0, question)) + (kept.empty() ? "" : "?" + kept);
  return options;
}

std::size_t parse_pool_size(std::string_view value) {
  std::size_t size = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), size);
  if (ec != std::errc() || end != value.data() + value.size() || size < 1 || size > 64) {
    throw std::invalid_argument("PostgreSQL URL option pool_size=" + std::string(value) +
                                " is not a number of connections from 1 to 64");
  }
  return size;
}

using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// "postgresql://user@host:port/db" from what libpq reads in the URL; parts
// the URL leaves out are libpq's defaults (local socket, port 5432, the
// user's name for both user and database).
std::string describe(std::string_view url_for_libpq) {
  char* error = nullptr;
  const std::string url(url_for_libpq);
  ConninfoOptions parsed(PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  if (!parsed) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    // libpq's message quotes only the offending part, never the whole URL.
    throw std::invalid_argument("libpq refuses the PostgreSQL URL: " + message);
  }
  std::string user, host, port, dbname;
  for (const PQconninfoOption* option = parsed.get(); option->keyword; ++option) {
    if (!option->val) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "user") user = option->val;
    if (keyword == "host" && host.empty()) host = option->val;
    if (keyword == "hostaddr" && host.empty()) host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") dbname = option->val;
  }
  std::string text = "postgresql://";
  if (!user.empty()) text += user + "@";
  text += host.empty() ? "localhost" : host;
  text += ":" + (port.empty() ? std::string("5432") : port);
  text += "/" + (dbname.empty() ? (user.empty() ? std::string("(default)") : user) : dbname);
  return text;
}

}  // namespace

}  // namespace ork::plugins::postgres
