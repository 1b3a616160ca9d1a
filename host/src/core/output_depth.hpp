// The nesting limit on task outputs (ORK_MAX_JSON_DEPTH, ork/limits.h) as the
// host enforces it where outputs enter: the scheduler for attempts it runs,
// the store adapter for results `ork worker` sends through the queue. Past
// the limit the task fails, instead of its output coming back from the store
// as a string.
#pragma once

#include <string>
#include <string_view>

namespace ork::host {

// Whether `output_json` nests arrays and objects deeper than ORK_MAX_JSON_DEPTH.
// Text that is not JSON at all is not "too deep" (its own error applies).
bool output_too_deep(std::string_view output_json);

// The error a task fails with: "output nests deeper than 512 levels ...".
std::string output_too_deep_error();

}  // namespace ork::host
