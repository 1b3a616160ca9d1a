// The row-to-JSON helpers both stores answer queries with: a page keeps at
// most `limit` items and points next_cursor after the last one only when the
// store found one more row; events and workflow versions read their columns
// in the documented order.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "ork_storage/row_json.hpp"

namespace ork::plugins::storage {
namespace {

namespace json = boost::json;

// A result row as both stores' row types read it: by column.
struct FakeRow {
  std::vector<std::optional<std::string>> columns;
  std::string_view text(int column) const { return *columns.at(static_cast<std::size_t>(column)); }
  std::optional<std::string_view> optional_text(int column) const {
    const auto& value = columns.at(static_cast<std::size_t>(column));
    return value ? std::optional<std::string_view>(*value) : std::nullopt;
  }
  std::int64_t integer(int column) const { return std::stoll(*columns.at(static_cast<std::size_t>(column))); }
};

// A page over the ids 1..rows, as a store that selected `rows` rows.
json::object page_of(int rows, std::int64_t limit) {
  int row = 0;
  return page(
      "lines", limit, [&] { return ++row <= rows; },
      [&] {
        return json::value(json::object{{"id", row}});
      },
      cursor_after_line);
}

TEST(Page, KeepsLimitItemsAndPointsAfterTheLastWhenOneMoreRowWasFound) {
  EXPECT_EQ(page_of(3, 2), json::parse(R"({"lines": [{"id": 1}, {"id": 2}], "next_cursor": 2})"));
}

TEST(Page, HasNoCursorWhenNoMoreRowsFollow) {
  EXPECT_EQ(page_of(2, 2), json::parse(R"({"lines": [{"id": 1}, {"id": 2}], "next_cursor": null})"));
  EXPECT_EQ(page_of(0, 2), json::parse(R"({"lines": [], "next_cursor": null})"));
}

TEST(CursorAfterRun, DecodesToTheRunsCreationTimeAndId) {
  json::object run{{"run_id", "r-7"}, {"created_at", 1234}};
  EXPECT_EQ(cursor_after_run(run).as_string(), encode_runs_cursor(1234, "r-7"));
}

TEST(RowJson, EventAndWorkflowVersionReadTheirColumnsInOrder) {
  FakeRow event{{"5", "r-1", std::nullopt, "run_started", "running", "99"}};
  EXPECT_EQ(event_object(event),
            json::parse(R"({"seq": 5, "run_id": "r-1", "task": null, "kind": "run_started", "status": "running",
                            "at": 99})"));
  FakeRow version{{"3", "etl", "abc", "etl.yaml", "tasks: {}", R"({"tasks": {}})", "42"}};
  EXPECT_EQ(workflow_version_object(version),
            json::parse(R"({"version_id": 3, "name": "etl", "content_hash": "abc", "file": "etl.yaml",
                            "source": "tasks: {}", "spec": {"tasks": {}}, "created_at": 42})"));
}

}  // namespace
}  // namespace ork::plugins::storage
