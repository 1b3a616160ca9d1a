// Warm Node.js workers, shared by every task of the plugin: executor-common's
// pool (ork_executor/warm_worker_pool.hpp), keyed by WorkerLaunch (node
// executable + worker script + workflow directory).
#pragma once

#include "ork_executor/warm_worker_pool.hpp"
#include "worker_process.hpp"

namespace ork::plugins::typescript {

using WorkerLease = executor::WorkerLease;
using WorkerPool = executor::WarmWorkerPool;

}  // namespace ork::plugins::typescript
