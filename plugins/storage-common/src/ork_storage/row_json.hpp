// Rows to the JSON objects of the query contract (docs/storage.md), the same
// for both stores: each function takes one result row of the store's own
// type (sqlite's Statement, postgres's Row), which both read with text,
// optional_text, integer and optional_integer by column. The SQL stays in
// each store; the column order each function expects is written beside it.
#pragma once

#include <ork/plugin.h>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ork_storage/json_text.hpp"
#include "ork_storage/query_params.hpp"

namespace ork::plugins::storage {

// The columns run_fields reads, in its order.
inline constexpr std::string_view run_columns =
    "id, workflow_name, workflow_version_id, status, inputs_json, triggered_by, owner, idempotency_key, "
    "created_at, started_at, finished_at, error";

// Times and ids that may be NULL.
template <typename Row>
boost::json::value nullable_integer(const Row& row, int column) {
  if (const std::optional<std::int64_t> value = row.optional_integer(column)) return *value;
  return nullptr;
}

// A row selected with `run_columns`, as the RUN object (without task_counts).
template <typename Row>
boost::json::object run_fields(const Row& row) {
  boost::json::object run;
  run["run_id"] = json_text(row.text(0));
  run["workflow"] = json_text(row.text(1));
  run["workflow_version_id"] = nullable_integer(row, 2);
  run["status"] = json_text(row.text(3));
  run["inputs"] = embedded_json(row.optional_text(4));
  run["trigger"] = json_text(row.text(5));
  run["owner"] = json_text(row.text(6));
  run["idempotency_key"] = json_text(row.optional_text(7));
  run["created_at"] = nullable_integer(row, 8);
  run["started_at"] = nullable_integer(row, 9);
  run["finished_at"] = nullable_integer(row, 10);
  run["error"] = json_text(row.optional_text(11));
  return run;
}

// name, status, attempts, output_json, error, started_at, finished_at,
// next_attempt_at -> the TASK object (its name is the key it is stored under).
template <typename Row>
boost::json::object task_object(const Row& row) {
  return boost::json::object{
      {"status", json_text(row.text(1))},       {"attempts", row.integer(2)},
      {"output", embedded_json(row.optional_text(3))}, {"error", json_text(row.optional_text(4))},
      {"started_at", nullable_integer(row, 5)},       {"finished_at", nullable_integer(row, 6)},
      {"next_attempt_at", nullable_integer(row, 7)}};
}

// task, attempt, status, started_at, finished_at, output_json, error -> ATTEMPT.
template <typename Row>
boost::json::object attempt_object(const Row& row) {
  return boost::json::object{
      {"task", json_text(row.text(0))},         {"attempt", row.integer(1)},
      {"status", json_text(row.text(2))},       {"started_at", nullable_integer(row, 3)},
      {"finished_at", nullable_integer(row, 4)},      {"output", embedded_json(row.optional_text(5))},
      {"error", json_text(row.optional_text(6))}};
}

inline std::string_view stream_name(std::int64_t stream) {
  switch (stream) {
    case ORK_LOG_STDOUT:
      return "stdout";
    case ORK_LOG_STDERR:
      return "stderr";
    default:
      return "system";
  }
}

// id, task, attempt, stream, at -> a log line object; `line` is its text.
template <typename Row>
boost::json::object log_line_object(const Row& row, std::string_view line) {
  return boost::json::object{{"id", row.integer(0)},
                             {"task", json_text(row.text(1))},
                             {"attempt", row.integer(2)},
                             {"stream", stream_name(row.integer(3))},
                             {"at", row.integer(4)},
                             {"line", json_text(line)}};
}

// id, status, worker, outcome, output_json, error -> the QUEUED_ATTEMPT answer.
template <typename Row>
boost::json::object queued_attempt_object(const Row& row) {
  return boost::json::object{{"id", row.integer(0)},
                             {"status", json_text(row.text(1))},
                             {"worker", json_text(row.optional_text(2))},
                             {"outcome", json_text(row.optional_text(3))},
                             {"output", embedded_json(row.optional_text(4))},
                             {"error", json_text(row.optional_text(5))}};
}

// name, info_json, last_heartbeat, alive (0/1), claimed -> one worker of WORKERS.
template <typename Row>
boost::json::object worker_object(const Row& row) {
  return boost::json::object{{"name", json_text(row.text(0))},
                             {"info", embedded_json(row.text(1))},
                             {"last_heartbeat", row.integer(2)},
                             {"alive", row.integer(3) != 0},
                             {"claimed", row.integer(4)}};
}

// seq, run_id, task, kind, status, at -> one event of EVENTS.
template <typename Row>
boost::json::object event_object(const Row& row) {
  return boost::json::object{{"seq", row.integer(0)},
                             {"run_id", json_text(row.text(1))},
                             {"task", json_text(row.optional_text(2))},
                             {"kind", json_text(row.text(3))},
                             {"status", json_text(row.optional_text(4))},
                             {"at", row.integer(5)}};
}

// name, id, content_hash, file, created_at -> one workflow of LIST_WORKFLOWS.
template <typename Row>
boost::json::object workflow_summary_object(const Row& row) {
  return boost::json::object{{"name", json_text(row.text(0))},
                             {"version_id", row.integer(1)},
                             {"content_hash", json_text(row.text(2))},
                             {"file", json_text(row.text(3))},
                             {"created_at", row.integer(4)}};
}

// The columns workflow_version_object reads, in its order.
inline constexpr std::string_view workflow_version_columns =
    "id, name, content_hash, file, source, spec_json, created_at";

// A row selected with `workflow_version_columns` -> the GET_WORKFLOW answer.
template <typename Row>
boost::json::object workflow_version_object(const Row& row) {
  return boost::json::object{{"version_id", row.integer(0)},
                             {"name", json_text(row.text(1))},
                             {"content_hash", json_text(row.text(2))},
                             {"file", json_text(row.text(3))},
                             {"source", json_text(row.text(4))},
                             {"spec", embedded_json(row.optional_text(5))},
                             {"created_at", row.integer(6)}};
}

// One page of a paged query (LIST_RUNS, LOGS) as {items_key: [...],
// "next_cursor": ...}. The store selects up to `limit + 1` rows: `step()`
// moves to the next one (false at the end) and `item()` turns the current row
// into its object. The extra row only tells that another page follows, which
// starts after the last item kept: `cursor(last item)`; null when none follows.
template <typename Step, typename Item, typename Cursor>
boost::json::object page(std::string_view items_key, std::int64_t limit, Step&& step, Item&& item, Cursor&& cursor) {
  boost::json::array items;
  boost::json::value next_cursor = nullptr;
  while (step()) {
    if (static_cast<std::int64_t>(items.size()) == limit) {
      next_cursor = cursor(items.back().as_object());
      break;
    }
    items.push_back(item());
  }
  return boost::json::object{{items_key, std::move(items)}, {"next_cursor", std::move(next_cursor)}};
}

// The LIST_RUNS cursor of the page after `run`, an object of run_fields.
inline boost::json::value cursor_after_run(const boost::json::object& run) {
  return boost::json::string(
      encode_runs_cursor(run.at("created_at").as_int64(), std::string_view(run.at("run_id").as_string())));
}

// The LOGS cursor of the page after `line`, an object of log_line_object.
inline boost::json::value cursor_after_line(const boost::json::object& line) {
  return line.at("id");
}

// The smallest string greater than every string starting with `prefix`
// (byte order, as both stores compare run ids); none when every byte is 0xFF.
inline std::optional<std::string> byte_after_prefix(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
  if (upper.empty()) return std::nullopt;
  upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  return upper;
}

}  // namespace ork::plugins::storage
