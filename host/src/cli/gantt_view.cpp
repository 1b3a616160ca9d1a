#include "cli/gantt_view.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ork::host {

namespace {

struct Row {
  std::string name;
  const TaskStateRow* state;
};

constexpr int max_name_width = 24;
constexpr int min_bar_width = 10;
constexpr int duration_width = 10;

std::vector<Row> rows_by_start(const RunDetail& detail);
std::string duration_text(Millis d);
std::string fit(const std::string& s, int width);
std::string bar(Millis start, Millis end, Millis t0, Millis span, int width, const std::string& status);

}  // namespace

void print_gantt(const RunDetail& detail, std::ostream& out, int width) {
  std::vector<Row> rows = rows_by_start(detail);
  Millis t0 = 0, t1 = 0;
  for (const auto& r : rows) {
    if (r.state->started_at <= 0) continue;
    const Millis end = r.state->finished_at > 0 ? r.state->finished_at : now_millis();
    t0 = t0 == 0 ? r.state->started_at : std::min(t0, r.state->started_at);
    t1 = std::max(t1, end);
  }
  const Millis span = std::max<Millis>(t1 - t0, 1);
  int name_width = 4;
  for (const auto& r : rows) name_width = std::max(name_width, static_cast<int>(r.name.size()));
  name_width = std::min(name_width, max_name_width);
  // name, " |", bar, "| ", duration, status
  const int bar_width = std::max(min_bar_width, width - name_width - 4 - duration_width - 10);

  out << "run " << detail.run.run_id << " of " << detail.run.workflow << ": " << detail.run.status;
  if (t0 > 0) out << ", " << duration_text(t1 - t0) << " from the first start to the last end";
  out << "\n";
  const std::string total = t0 > 0 ? duration_text(span) : "";
  std::string axis = "0";
  axis += std::string(std::max(1, bar_width - static_cast<int>(axis.size() + total.size())), ' ') + total;
  out << fit("TASK", name_width) << "  " << axis << "  " << fit("DURATION", duration_width) << "STATUS\n";
  for (const auto& r : rows) {
    const TaskStateRow& s = *r.state;
    const bool started = s.started_at > 0;
    const Millis end = s.finished_at > 0 ? s.finished_at : now_millis();
    out << fit(r.name, name_width) << " |"
        << (started ? bar(s.started_at, end, t0, span, bar_width, s.status) : std::string(bar_width, ' ')) << "| "
        << fit(started ? duration_text(end - s.started_at) : "-", duration_width) << s.status << "\n";
  }
}

int terminal_width() {
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

namespace {

// Started tasks by start time (ties in the run's task order), then the rest.
std::vector<Row> rows_by_start(const RunDetail& detail) {
  std::vector<Row> rows;
  for (const auto& [name, state] : detail.tasks) rows.push_back({name, &state});
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    const bool a_started = a.state->started_at > 0, b_started = b.state->started_at > 0;
    if (a_started != b_started) return a_started;
    return a_started && a.state->started_at < b.state->started_at;
  });
  return rows;
}

std::string duration_text(Millis d) {
  char buf[32];
  if (d < 1000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(d));
  } else if (d < 60'000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(d / 60'000),
                  static_cast<long long>(d / 1000 % 60));
  }
  return buf;
}

// `s` cut or padded to `width` columns (names are ASCII: letters, digits, _ and -).
std::string fit(const std::string& s, int width) {
  if (static_cast<int>(s.size()) > width) return s.substr(0, width - 1) + "~";
  return s + std::string(width - s.size(), ' ');
}

// The task's bar: at least one cell, so a 1 ms task is still visible. Full
// blocks for a success, light shade for anything else (failed, running).
std::string bar(Millis start, Millis end, Millis t0, Millis span, int width, const std::string& status) {
  int from = static_cast<int>((start - t0) * width / span);
  int to = static_cast<int>(((end - t0) * width + span - 1) / span);
  from = std::clamp(from, 0, width - 1);
  to = std::clamp(to, from + 1, width);
  const std::string cell = status == "succeeded" ? "█" : "░";
  std::string out(from, ' ');
  for (int i = from; i < to; ++i) out += cell;
  return out + std::string(width - to, ' ');
}

}  // namespace

}  // namespace ork::host
