// The routes of the HTTP API (docs/api.md) and their handlers: workflows with
// their typed DAG, schedules and compile errors; runs with filters and cursor
// paging; one run with its tasks, attempts and graph; triggering, cancelling,
// pausing; paged logs; live events (SSE); the OpenAPI document. Handlers turn
// store and catalog types into JSON here and nowhere else.
#pragma once

#include "http/event_hub.hpp"
#include "http/router.hpp"
#include "serve/run_launcher.hpp"
#include "serve/schedule_loop.hpp"
#include "serve/workflow_catalog.hpp"
#include "store/store.hpp"

namespace ork::host {

struct ApiServices {
  WorkflowCatalog& catalog;
  ScheduleLoop& schedules;
  RunLauncher& launcher;
  Store& store;
  EventHub& events;
};

// Every route of the API, in the order of docs/api.md.
Router make_api_router(ApiServices services);

}  // namespace ork::host
