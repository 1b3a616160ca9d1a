// `ork runs`, `ork tasks RUN`, `ork logs RUN [TASK] [-f]`: read the store.
#include "cli/cli.hpp"
#include "cli/gantt_view.hpp"
#include "store/json_views.hpp"
#include "core/error.hpp"

#include <iomanip>
#include <sstream>
#include <iostream>
#include <thread>

namespace ork::host {

namespace {

std::string run_id_arg(const CliContext& ctx);
std::string short_time(Millis at);
std::string duration_text(Millis from, Millis to);
std::string one_line(const std::string& s, std::size_t max);
int parse_limit(const CliContext& ctx, int fallback);
bool is_final_run_status(const std::string& status);
std::size_t print_new_log_lines(Store& store, LogFilter& filter, bool several_tasks);

}  // namespace

int runs_command(CliContext& ctx) {
  Store store = ctx.open_store();
  RunFilter filter;
  filter.workflow = ctx.cl.value("--workflow");
  filter.status = ctx.cl.value("--status");
  filter.limit = parse_limit(ctx, 20);
  RunPage page = store.list_runs(filter);
  if (ctx.cl.has("--json")) {
    boost::json::array runs;
    for (const auto& r : page.runs) runs.push_back(run_summary_json(r));
    std::cout << pretty_json(boost::json::object{
        {"runs", std::move(runs)},
        {"next_cursor", page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value(nullptr)}});
    return exit_ok;
  }
  if (page.runs.empty()) {
    std::cout << "no runs yet\n";
    return exit_ok;
  }
  std::cout << std::left << std::setw(14) << "RUN" << std::setw(24) << "WORKFLOW" << std::setw(11) << "STATUS"
            << std::setw(21) << "STARTED" << "DURATION\n";
  for (const auto& r : page.runs) {
    std::cout << std::setw(14) << r.run_id << std::setw(24) << one_line(r.workflow, 23) << std::setw(11) << r.status
              << std::setw(21) << short_time(r.started_at ? r.started_at : r.created_at)
              << duration_text(r.started_at, r.finished_at) << "\n";
    // Why a run ended early (a run timeout, an owner that was gone) belongs beside it.
    if (r.error && !r.error->empty()) std::cout << "  " << one_line(*r.error, 110) << "\n";
  }
  return exit_ok;
}

int tasks_command(CliContext& ctx) {
  Store store = ctx.open_store();
  RunDetail detail = store.get_run(run_id_arg(ctx));
  if (ctx.cl.has("--json")) {
    std::cout << pretty_json(run_detail_json(detail));
    return exit_ok;
  }
  if (ctx.cl.has("--gantt")) {
    print_gantt(detail, std::cout, terminal_width());
    return exit_ok;
  }
  std::cout << "run " << detail.run.run_id << " of " << detail.run.workflow << ": " << detail.run.status
            << (detail.run.error && !detail.run.error->empty() ? " (" + *detail.run.error + ")" : "") << "\n";
  std::cout << std::left << std::setw(24) << "TASK" << std::setw(11) << "STATUS" << std::setw(9) << "ATTEMPTS"
            << std::setw(11) << "DURATION" << "OUTPUT / ERROR\n";
  for (const auto& [name, task] : detail.tasks) {
    std::string detail_text = task.status == "succeeded" ? boost::json::serialize(task.output) : task.error.value_or("");
    if (std::optional<CachedFrom> from = cached_from(task)) {
      detail_text = "(from run " + from->run_id + ") " + boost::json::serialize(task.output);
    }
    // Instances of a mapped task are listed under it, indented.
    std::cout << std::setw(24) << one_line(parse_instance_name(name) ? "  " + name : name, 23) << std::setw(11) << task.status << std::setw(9) << task.attempts
              << std::setw(11) << duration_text(task.started_at, task.finished_at) << one_line(detail_text, 100)
              << "\n";
  }
  return exit_ok;
}

int logs_command(CliContext& ctx) {
  Store store = ctx.open_store();
  LogFilter filter;
  filter.run_id = store.get_run(run_id_arg(ctx)).run.run_id;  // resolves a prefix, 404s early
  if (ctx.cl.positional.size() > 1) filter.task = ctx.cl.positional[1];
  if (auto a = ctx.cl.value("--attempt")) filter.attempt = std::stoi(*a);
  const bool follow = ctx.cl.has("-f") || ctx.cl.has("--follow");
  const bool several_tasks = !filter.task;
  std::size_t printed = 0;
  while (true) {
    printed += print_new_log_lines(store, filter, several_tasks);
    if (!follow) break;
    if (is_final_run_status(store.get_run(filter.run_id).run.status)) {
      // One last read: lines recorded just before the run ended.
      printed += print_new_log_lines(store, filter, several_tasks);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (printed == 0 && !follow) std::cerr << "ork: no log lines" << (filter.task ? " for task " + *filter.task : "") << "\n";
  return exit_ok;
}

namespace {

std::string run_id_arg(const CliContext& ctx) {
  if (ctx.cl.positional.empty()) throw Error(ErrorKind::usage, "`ork " + ctx.cl.command + "` needs a RUN id (see `ork runs`)");
  return ctx.cl.positional[0];
}

std::string short_time(Millis at) {
  std::string iso = iso8601(at);
  return iso.empty() ? "-" : iso.substr(0, 10) + " " + iso.substr(11, 8);
}

std::string duration_text(Millis from, Millis to) {
  if (from <= 0 || to <= 0) return "-";
  Millis d = to - from;
  std::ostringstream o;
  if (d < 1000) {
    o << d << " ms";
  } else {
    o << std::fixed << std::setprecision(1) << d / 1000.0 << " s";
  }
  return o.str();
}

std::string one_line(const std::string& s, std::size_t max) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\r') ? ' ' : c;
  if (out.size() > max) out = out.substr(0, max - 1) + "…";
  return out;
}

int parse_limit(const CliContext& ctx, int fallback) {
  auto v = ctx.cl.value("--limit");
  if (!v) return fallback;
  try {
    int n = std::stoi(*v);
    if (n > 0) return n;
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::usage, "--limit needs a positive number, got '" + *v + "'");
}

bool is_final_run_status(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "cancelled";
}

// Prints the lines after filter.cursor, every page of them, `! ` before
// stderr and `# ` before ork's own lines; moves the cursor past them.
std::size_t print_new_log_lines(Store& store, LogFilter& filter, bool several_tasks) {
  std::size_t printed = 0;
  while (true) {
    LogPage page = store.logs(filter);
    for (const auto& line : page.lines) {
      if (several_tasks) std::cout << line.task << " | ";
      if (line.stream == "stderr") std::cout << "! ";
      if (line.stream == "system") std::cout << "# ";
      std::cout << line.line << '\n';
      filter.cursor = line.id;
      ++printed;
    }
    if (!page.next_cursor) break;
  }
  std::cout << std::flush;
  return printed;
}

}  // namespace

}  // namespace ork::host
