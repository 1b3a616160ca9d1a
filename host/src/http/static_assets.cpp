#include "http/static_assets.hpp"

#include <array>
#include <utility>

namespace ork::host {

const EmbeddedAsset* find_asset(std::string_view name) {
  for (const EmbeddedAsset& asset : embedded_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

std::string_view content_type_of(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> types{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [ext, type] : types) {
    if (name.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

}  // namespace ork::host
