#include "core/error.hpp"

namespace ork::host {

std::string SourceLocation::to_string() const {
  if (!known()) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string Diagnostic::to_string() const { return where.to_string() + ": " + message; }

}  // namespace ork::host
