#include "cli/graphviz_render.hpp"

#include "core/error.hpp"

#include <graphviz/gvc.h>

#include <memory>

namespace ork::host {

namespace {

// RAII over Graphviz's C handles: the context (loads the layout and render
// plugins), a parsed graph, the layout attached to it, a rendered buffer.
struct ContextDeleter {
  void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphDeleter {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};
struct RenderDataDeleter {
  void operator()(char* data) const { gvFreeRenderData(data); }
};
class Layout {
 public:
  Layout(GVC_t* gvc, Agraph_t* graph) : gvc_(gvc), graph_(graph), ok_(gvLayout(gvc, graph, "dot") == 0) {}
  ~Layout() {
    if (ok_) gvFreeLayout(gvc_, graph_);
  }
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;
  bool ok() const { return ok_; }

 private:
  GVC_t* gvc_;
  Agraph_t* graph_;
  bool ok_;
};

}  // namespace

std::string render_dot(const std::string& dot, const std::string& format) {
  std::unique_ptr<GVC_t, ContextDeleter> gvc(gvContext());
  if (!gvc) throw Error(ErrorKind::internal, "Graphviz could not start (gvContext failed)");
  std::unique_ptr<Agraph_t, GraphDeleter> graph(agmemread(dot.c_str()));
  if (!graph) throw Error(ErrorKind::internal, "Graphviz could not parse the generated dot text");
  Layout layout(gvc.get(), graph.get());
  if (!layout.ok()) throw Error(ErrorKind::internal, "Graphviz could not lay the graph out");
  char* data = nullptr;
  unsigned int length = 0;
  if (gvRenderData(gvc.get(), graph.get(), format.c_str(), &data, &length) != 0 || data == nullptr) {
    if (data) gvFreeRenderData(data);
    throw Error(ErrorKind::internal, "Graphviz has no '" + format +
                                         "' renderer installed (Debian: libgvc6 and its plugins); "
                                         "use --format dot and render it elsewhere");
  }
  std::unique_ptr<char, RenderDataDeleter> owned(data);
  return std::string(data, length);
}

}  // namespace ork::host
