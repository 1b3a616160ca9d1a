// Cron schedules of the served workflows: a thread that sleeps until the next
// fire time of any schedule (and at most half a second, to see new and
// paused workflows) and starts the runs that are due. After downtime it
// starts at most one run per workflow, for the latest missed fire time, with
// trigger "schedule-late" when it is more than 30 s behind; the fire time is
// in the run's idempotency key ("schedule:NAME:ISO-TIME"), so two servers
// sharing a store never start the same slot twice. Pausing a workflow and
// the last fire time are persisted as workflow settings when the store
// supports them (plugin API 1.1), else kept in memory. `tick(now)` is public
// so tests can drive the loop with any clock.
#pragma once

#include "serve/run_launcher.hpp"
#include "serve/workflow_catalog.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ork::host {

// The idempotency keys of scheduled runs start with this; API callers may
// not use it (400), so no client can take a future slot's key and make the
// scheduled run silently never happen.
inline constexpr std::string_view schedule_key_prefix = "schedule:";

// The key of the run `workflow` gets for its fire time `due_at`.
std::string schedule_key(std::string_view workflow, Millis due_at);

struct ScheduledRun {
  std::string workflow;
  std::string run_id;
  Millis due_at = 0;
  bool late = false;
};

class ScheduleLoop {
 public:
  using Clock = std::function<Millis()>;
  ScheduleLoop(WorkflowCatalog& catalog, RunLauncher& launcher, Store& store, Clock clock = now_millis);
  ~ScheduleLoop();
  ScheduleLoop(const ScheduleLoop&) = delete;
  ScheduleLoop& operator=(const ScheduleLoop&) = delete;

  void start();  // the background thread
  void stop();

  // One pass at `now`: starts every run that is due. Thread-safe.
  std::vector<ScheduledRun> tick(Millis now);

  // Throws Error(not_found) for a workflow that is not served.
  void set_paused(std::string_view workflow, bool paused);
  bool paused(std::string_view workflow);
  // When the workflow's schedule fires next; nullopt if it has none or is paused.
  std::optional<Millis> next_run_at(std::string_view workflow);

 private:
  struct WorkflowState {
    bool paused = false;
    Millis last_scheduled_at = 0;  // the last fire time handled (started or skipped)
  };
  WorkflowState& state_of(const std::string& workflow, Millis now);
  void persist(const std::string& workflow, std::string_view key, const boost::json::value& value);
  std::optional<ScheduledRun> fire_if_due(const CatalogEntry& entry, WorkflowState& state, Millis now);
  void loop();

  WorkflowCatalog& catalog_;
  RunLauncher& launcher_;
  Store& store_;
  Clock clock_;
  std::mutex mutex_;  // states_ and tick() as a whole
  std::map<std::string, WorkflowState> states_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ork::host
