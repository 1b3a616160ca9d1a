#include "store/json_views.hpp"

#include <sstream>

namespace ork::host {

namespace {

boost::json::value optional_string(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

void pretty(std::ostringstream& out, const boost::json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (v.is_object() && !v.as_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& [key, value] : v.as_object()) {
      out << (first ? "" : ",\n") << inner << boost::json::serialize(boost::json::value(key)) << ": ";
      pretty(out, value, indent + 1);
      first = false;
    }
    out << "\n" << pad << "}";
  } else if (v.is_array() && !v.as_array().empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& value : v.as_array()) {
      out << (first ? "" : ",\n") << inner;
      pretty(out, value, indent + 1);
      first = false;
    }
    out << "\n" << pad << "]";
  } else {
    out << boost::json::serialize(v);
  }
}

}  // namespace

boost::json::value time_json(Millis at) { return at > 0 ? boost::json::value(iso8601(at)) : boost::json::value(nullptr); }

boost::json::object task_json(const TaskStateRow& task) {
  boost::json::object json{{"status", task.status},
                           {"attempts", task.attempts},
                           {"output", task.output},
                           {"error", optional_string(task.error)},
                           {"started_at", time_json(task.started_at)},
                           {"finished_at", time_json(task.finished_at)}};
  // A `cached` task's recorded error is where its output came from (plugin.h):
  // shown as `cached_from`, with no error, since nothing went wrong.
  if (std::optional<CachedFrom> from = cached_from(task)) {
    json["error"] = nullptr;
    json["cached_from"] = boost::json::object{{"run_id", from->run_id},
                                              {"task", from->task},
                                              {"attempt", from->attempt},
                                              {"cached_at", time_json(from->created_at)}};
  }
  return json;
}

std::optional<CachedFrom> cached_from(const TaskStateRow& task) {
  if (task.status != "cached" || !task.error) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*task.error, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::object& o = v.as_object();
  CachedFrom from;
  if (const auto* run = o.if_contains("run_id"); run && run->is_string()) from.run_id = run->as_string();
  if (const auto* name = o.if_contains("task"); name && name->is_string()) from.task = name->as_string();
  if (const auto* attempt = o.if_contains("attempt"); attempt && attempt->is_int64()) {
    from.attempt = static_cast<int>(attempt->as_int64());
  }
  if (const auto* at = o.if_contains("created_at"); at && at->is_int64()) from.created_at = at->as_int64();
  return from;
}

boost::json::object run_summary_json(const RunRow& run) {
  boost::json::object counts;
  for (const auto& [status, n] : run.task_counts) counts[status] = n;
  return {{"run_id", run.run_id},
          {"workflow", run.workflow},
          {"status", run.status},
          {"trigger", run.trigger},
          {"inputs", run.inputs},
          {"created_at", time_json(run.created_at)},
          {"started_at", time_json(run.started_at)},
          {"finished_at", time_json(run.finished_at)},
          {"error", optional_string(run.error)},
          {"task_counts", std::move(counts)}};
}

boost::json::object run_detail_json(const RunDetail& detail) {
  boost::json::object run = run_summary_json(detail.run);
  run.erase("task_counts");
  boost::json::object tasks;
  for (const auto& [name, task] : detail.tasks) {
    boost::json::object shown = task_json(task);
    if (std::optional<InstanceName> instance = parse_instance_name(name)) {  // an instance of a mapped task
      shown["parent"] = instance->parent;
      shown["index"] = instance->index;
    }
    tasks[name] = std::move(shown);
  }
  run["tasks"] = std::move(tasks);
  return run;
}

std::string pretty_json(const boost::json::value& value) {
  std::ostringstream out;
  pretty(out, value, 0);
  out << '\n';
  return out.str();
}

}  // namespace ork::host
