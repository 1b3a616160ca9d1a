#include "serve/schedule_loop.hpp"

#include "core/error.hpp"

#include <iostream>

namespace ork::host {

namespace {

constexpr Millis late_after_ms = 30'000;
constexpr Millis max_sleep_ms = 500;
// Bounds the walk over missed fire times after a long downtime ("* * * * *"
// down for a month is 43,200 of them).
constexpr int max_missed_walk = 1'000'000;

}  // namespace

std::string schedule_key(std::string_view workflow, Millis due_at) {
  return std::string(schedule_key_prefix) + std::string(workflow) + ":" + iso8601(due_at);
}

ScheduleLoop::ScheduleLoop(WorkflowCatalog& catalog, RunLauncher& launcher, Store& store, Clock clock)
    : catalog_(catalog), launcher_(launcher), store_(store), clock_(std::move(clock)) {}

ScheduleLoop::~ScheduleLoop() { stop(); }

void ScheduleLoop::start() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void ScheduleLoop::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<ScheduledRun> ScheduleLoop::tick(Millis now) {
  std::vector<ScheduledRun> started;
  std::lock_guard lock(mutex_);
  for (const CatalogEntry& entry : catalog_.entries()) {
    if (!entry.workflow || !entry.schedule) continue;
    WorkflowState& state = state_of(entry.name, now);
    if (state.paused) continue;
    if (std::optional<ScheduledRun> run = fire_if_due(entry, state, now)) started.push_back(std::move(*run));
  }
  return started;
}

void ScheduleLoop::set_paused(std::string_view workflow, bool paused) {
  std::optional<CatalogEntry> entry = catalog_.find(workflow);
  if (!entry) throw Error(ErrorKind::not_found, "no workflow '" + std::string(workflow) + "'");
  std::lock_guard lock(mutex_);
  Millis now = clock_();
  WorkflowState& state = state_of(entry->name, now);
  if (state.paused == paused) return;
  state.paused = paused;
  persist(entry->name, "paused", paused);
  if (!paused) {
    // Resuming does not make up for the paused time.
    state.last_scheduled_at = now;
    persist(entry->name, "last_scheduled_at", now);
  }
}

bool ScheduleLoop::paused(std::string_view workflow) {
  std::lock_guard lock(mutex_);
  return state_of(std::string(workflow), clock_()).paused;
}

std::optional<Millis> ScheduleLoop::next_run_at(std::string_view workflow) {
  std::optional<CatalogEntry> entry = catalog_.find(workflow);
  if (!entry || !entry->schedule) return std::nullopt;
  std::lock_guard lock(mutex_);
  Millis now = clock_();
  const WorkflowState& state = state_of(entry->name, now);
  if (state.paused) return std::nullopt;
  std::optional<Millis> next = entry->schedule->next_after(state.last_scheduled_at);
  // Overdue (the loop is about to start it): show the next slot from now on.
  if (next && *next < now) next = entry->schedule->next_after(now);
  return next;
}

// Called with mutex_ held. A workflow seen for the first time starts from its
// persisted settings, or from `now` (no catch-up for a never-scheduled one).
ScheduleLoop::WorkflowState& ScheduleLoop::state_of(const std::string& workflow, Millis now) {
  auto it = states_.find(workflow);
  if (it != states_.end()) return it->second;
  WorkflowState state;
  state.last_scheduled_at = now;
  try {
    boost::json::object settings = store_.workflow_settings(workflow);
    if (auto* p = settings.if_contains("paused"); p && p->is_bool()) state.paused = p->as_bool();
    if (auto* last = settings.if_contains("last_scheduled_at"); last && last->is_number()) {
      state.last_scheduled_at = last->to_number<Millis>();
    }
  } catch (const Error&) {
    // A store without settings (plugin API 1.0): start fresh, keep state in memory.
  }
  return states_.emplace(workflow, state).first->second;
}

void ScheduleLoop::persist(const std::string& workflow, std::string_view key, const boost::json::value& value) {
  if (!store_.supports_ownership()) return;
  try {
    store_.set_workflow_setting(workflow, key, value);
  } catch (const Error& e) {
    std::cerr << "ork serve: could not save setting " << key << " of workflow " << workflow << ": " << e.what()
              << '\n';
  }
}

std::optional<ScheduledRun> ScheduleLoop::fire_if_due(const CatalogEntry& entry, WorkflowState& state, Millis now) {
  std::optional<Millis> due = entry.schedule->next_after(state.last_scheduled_at);
  if (!due || *due > now) return std::nullopt;
  int missed = 0;
  for (std::optional<Millis> later = entry.schedule->next_after(*due); later && *later <= now && missed < max_missed_walk;
       later = entry.schedule->next_after(*due)) {
    due = later;
    ++missed;
  }
  // Recorded before starting, so a failure to start never turns into a retry storm.
  state.last_scheduled_at = *due;
  persist(entry.name, "last_scheduled_at", *due);
  if (missed > 0) {
    std::cerr << "ork serve: " << entry.name << ": skipped " << missed
              << " missed schedule time(s) while ork serve was not running; starting one run for " << iso8601(*due)
              << '\n';
  }

  ScheduledRun run{entry.name, "", *due, now - *due > late_after_ms};
  try {
    RunRequest request;
    request.inputs = check_workflow_inputs(*entry.workflow, {});
    request.trigger = run.late ? "schedule-late" : "schedule";
    request.idempotency_key = schedule_key(entry.name, *due);
    run.run_id = launcher_.start(entry.workflow, std::move(request)).run_id;
  } catch (const Error& e) {
    std::cerr << "ork serve: " << entry.name << ": scheduled run at " << iso8601(*due) << " not started: " << e.what()
              << '\n';
    return std::nullopt;
  }
  return run;
}

void ScheduleLoop::loop() {
  for (;;) {
    Millis now = clock_();
    try {
      tick(now);
    } catch (const std::exception& e) {
      std::cerr << "ork serve: schedule loop: " << e.what() << '\n';
    }
    Millis wake_at = now + max_sleep_ms;
    for (const CatalogEntry& entry : catalog_.entries()) {
      if (!entry.schedule) continue;
      if (std::optional<Millis> next = entry.schedule->next_after(now); next && *next < wake_at) wake_at = *next;
    }
    std::unique_lock lock(wake_mutex_);
    Millis delay = std::max<Millis>(wake_at - clock_(), 1);
    if (wake_.wait_for(lock, std::chrono::milliseconds(delay), [this] { return stopping_; })) return;
  }
}

}  // namespace ork::host
