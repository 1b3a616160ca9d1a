// `ork tasks RUN --gantt`: a run's tasks as a text timeline for a terminal —
// one row per task, ordered by start, with a bar from its start to its end on
// a time axis scaled to the terminal's width (80 columns when it has none)
// and its duration. Included by history_commands.cpp.
#pragma once

#include "store/store.hpp"

#include <ostream>

namespace ork::host {

// Writes the timeline of `detail` to `out`, `width` columns wide. Tasks that
// never started (skipped, pending) come last, with no bar.
void print_gantt(const RunDetail& detail, std::ostream& out, int width);

// The terminal width of stdout, else $COLUMNS, else 80.
int terminal_width();

}  // namespace ork::host
