// How the executor plugins write a duration in their messages ("timed out
// after 1.5s"): the largest unit that states it exactly, so what the user
// wrote as `timeout: 2m` reads back as "2m", and 300 ms as "300ms".
#pragma once

#include <chrono>
#include <string>

namespace ork::plugins::executor {

// "0s", "300ms", "1s", "1.25s", "2m", "1h".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace ork::plugins::executor
