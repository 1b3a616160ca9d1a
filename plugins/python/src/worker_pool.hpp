// Warm python workers, shared by every task of the plugin: executor-common's
// pool (ork_executor/warm_worker_pool.hpp), keyed by WorkerLaunch (workflow
// directory + interpreter environment). The python executor warms a worker
// when the host announces a task (plugin API 1.8's warm).
#pragma once

#include "ork_executor/warm_worker_pool.hpp"
#include "worker_process.hpp"

namespace ork::plugins::python {

using WorkerLease = executor::WorkerLease;
using WorkerPool = executor::WarmWorkerPool;

}  // namespace ork::plugins::python
