// "Did you mean X?" for misspelt keys, task names and executors, so every
// unknown-name error in a workflow file points at the likely fix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

// The candidate closest to `word`: within edit distance 2 (ignoring case), or
// one being a prefix of the other. Ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean \"X\"?)" when there is a close candidate, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string join_names(const std::vector<std::string>& names, std::string_view separator = ", ");

}  // namespace ork::host
