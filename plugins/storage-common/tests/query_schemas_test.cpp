// The query params table (ork/storage_queries.h) against what uses it: the
// list in docs/storage.md, and the shared parser both stores run (every
// required param refused when missing, every listed param accepted, anything
// else refused). The host's side is checked on every query it sends.
#include <gtest/gtest.h>

#include <ork/storage_queries.h>

#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>

#include "ork_storage/query_params.hpp"

namespace ork::plugins::storage {
namespace {

// "name" -> "name" or "name?" as docs/storage.md writes a param.
std::string shown(const ork_query_param& p) { return std::string(p.name) + (p.required ? "" : "?"); }

std::string table_line(const ork_query_schema& schema) {
  std::string line;
  for (std::size_t i = 0; i < schema.param_count; ++i) line += (i ? " " : "") + shown(schema.params[i]);
  return line;
}

// `- **NAME** `{"a", "b"?}`` -> {NAME: "a b?"}
std::map<std::string, std::string> docs_lines() {
  std::ifstream in(ORK_STORAGE_DOC);
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, std::string> found;
  const std::regex bullet(R"(^- \*\*([A-Z_]+)\*\* `\{([^`]*)\}`)");
  const std::regex param(R"re("([a-z_]+)"(\?)?)re");
  std::string line;
  while (std::getline(text, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, bullet)) continue;
    std::string params = m[2];
    std::string listed;
    for (auto it = std::sregex_iterator(params.begin(), params.end(), param); it != std::sregex_iterator(); ++it) {
      listed += (listed.empty() ? "" : " ") + (*it)[1].str() + (*it)[2].str();
    }
    found[m[1]] = listed;
  }
  return found;
}

TEST(QuerySchemas, DocsListTheParamsOfTheTable) {
  std::map<std::string, std::string> docs = docs_lines();
  std::size_t count = 0;
  const ork_query_schema* schemas = ork_query_schemas(&count);
  ASSERT_EQ(docs.size(), count) << "docs/storage.md lists another number of queries than storage_queries.h";
  for (std::size_t i = 0; i < count; ++i) {
    ASSERT_TRUE(docs.contains(schemas[i].name)) << schemas[i].name << " is missing from docs/storage.md";
    EXPECT_EQ(docs[schemas[i].name], table_line(schemas[i])) << schemas[i].name;
  }
}

TEST(QuerySchemas, TheTableHasEveryKindInOrder) {
  std::size_t count = 0;
  const ork_query_schema* schemas = ork_query_schemas(&count);
  ASSERT_EQ(count, static_cast<std::size_t>(ORK_QUERY_WORKERS));
  for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(schemas[i].kind, static_cast<ork_query_kind>(i + 1));
}

// The parser of one kind, run on a params document.
void parse(ork_query_kind kind, const std::string& json) {
  switch (kind) {
    case ORK_QUERY_LIST_RUNS: parse_list_runs(json); return;
    case ORK_QUERY_GET_RUN: parse_get_run(json); return;
    case ORK_QUERY_LOGS: parse_logs(json); return;
    case ORK_QUERY_EVENTS: parse_events(json); return;
    case ORK_QUERY_LIST_WORKFLOWS: parse_no_params(kind, json); return;
    case ORK_QUERY_GET_WORKFLOW: parse_get_workflow(json); return;
    case ORK_QUERY_WORKFLOW_SETTINGS: parse_workflow_settings(json); return;
    case ORK_QUERY_ORPHANED_RUNS: parse_orphaned_runs(json); return;
    case ORK_QUERY_QUEUED_ATTEMPT: parse_queued_attempt(json); return;
    case ORK_QUERY_WORKERS: parse_workers(json); return;
  }
}

std::string sample(const ork_query_param& p) {
  // "7:x" also reads as a runs cursor.
  return "\"" + std::string(p.name) + "\": " + (p.type == ORK_PARAM_INTEGER ? "7" : "\"7:x\"");
}

TEST(QuerySchemas, TheStoresParserAcceptsExactlyTheTablesParams) {
  std::size_t count = 0;
  const ork_query_schema* schemas = ork_query_schemas(&count);
  for (std::size_t i = 0; i < count; ++i) {
    const ork_query_schema& s = schemas[i];
    std::string required;
    for (std::size_t j = 0; j < s.param_count; ++j) {
      if (s.params[j].required) required += (required.empty() ? "" : ", ") + sample(s.params[j]);
    }
    if (s.one_of[0]) required = "\"name\": \"7\"";
    EXPECT_NO_THROW(parse(s.kind, "{" + required + "}")) << s.name;
    for (std::size_t j = 0; j < s.param_count; ++j) {
      const ork_query_param& p = s.params[j];
      if (p.required || (s.one_of[0] && p.name == std::string(s.one_of[0]))) continue;
      EXPECT_NO_THROW(parse(s.kind, "{" + required + (required.empty() ? "" : ", ") + sample(p) + "}"))
          << s.name << " refuses its param " << p.name;
    }
    EXPECT_THROW(parse(s.kind, "{" + required + (required.empty() ? "" : ", ") + "\"not_a_param\": 1}"),
                 std::invalid_argument)
        << s.name;
    for (std::size_t j = 0; j < s.param_count; ++j) {
      if (s.params[j].required) {
        EXPECT_THROW(parse(s.kind, "{}"), std::invalid_argument) << s.name;
      }
    }
  }
}

TEST(QuerySchemas, GetWorkflowTakesExactlyOneOfVersionIdAndName) {
  EXPECT_NO_THROW(parse_get_workflow(R"({"version_id": 3})"));
  EXPECT_NO_THROW(parse_get_workflow(R"({"name": "etl"})"));
  EXPECT_THROW(parse_get_workflow(R"({})"), std::invalid_argument);
  EXPECT_THROW(parse_get_workflow(R"({"version_id": 3, "name": "etl"})"), std::invalid_argument);
}

}  // namespace
}  // namespace ork::plugins::storage
