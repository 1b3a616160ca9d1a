// Files compiled into the `ork` binary: the web UI (index.html, app.js,
// style.css and the vendored layout library, under "ui/") and the OpenAPI
// document ("api/openapi.json"). The table is generated at build time by
// host/cmake/embed_assets.cmake from ui/ and host/src/http/openapi.json;
// nothing is read from disk at run time.
#pragma once

#include <span>
#include <string_view>

namespace ork::host {

struct EmbeddedAsset {
  std::string_view name;  // "ui/index.html"
  std::string_view bytes;
};

std::span<const EmbeddedAsset> embedded_assets();  // generated

// nullptr when there is no such asset.
const EmbeddedAsset* find_asset(std::string_view name);
// From the name's extension; "application/octet-stream" when unknown.
std::string_view content_type_of(std::string_view name);

}  // namespace ork::host
