// Turns Graphviz dot text into an SVG or PNG image in-process, through
// Graphviz's own library (libgvc: the dot layout engine and its renderers), so
// `ork graph --format svg|png` needs no `dot` program on PATH. Included by
// graph_command.cpp only.
#pragma once

#include <string>

namespace ork::host {

// Lays `dot` out with the dot engine and renders it as `format` ("svg",
// "png"); returns the image bytes. Throws Error when Graphviz cannot parse,
// lay out or render it (e.g. its PNG plugin is not installed).
std::string render_dot(const std::string& dot, const std::string& format);

}  // namespace ork::host
