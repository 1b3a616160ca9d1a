// ork-python-worker: a small executable embedding CPython (pybind11) that the
// python executor plugin keeps warm to import task modules and run task
// functions. It initialises an interpreter configured for a child of the host
// (no signal handlers, no PYTHON* environment, UTF-8 mode, sys.executable set
// to the interpreter whose libpython it embeds), executes the runtime modules
// compiled into it (generated from plugins/python/runtime/*.py and the SDK's
// annotation mapper, sdk/python/ork_sdk/_types.py) as they are imported, and
// hands control to `ork_worker.main`, which serves the plugin's requests on fd 3.
//
// Usage (started by the plugin only):
//   ork-python-worker --workflow-dir DIR [--site-packages DIR]... [--executable PATH]
#include <pybind11/embed.h>

#include <marshal.h>

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "ork_python_runtime.hpp"

#include <ork/limits.h>

namespace py = pybind11;

namespace {

constexpr int kStartupFailed = 70;  // EX_SOFTWARE

void preinitialize();
PyConfig interpreter_config();
void load_runtime_modules();
py::object runtime_code(const ork::plugins::python::runtime::ModuleSource& source, const std::string& filename,
                        const py::module_& builtins);

int serve(const std::vector<std::string>& arguments) {
  preinitialize();
  PyConfig config = interpreter_config();
  py::scoped_interpreter interpreter(&config, 0, nullptr, /*add_program_dir_to_path=*/false);
  try {
    load_runtime_modules();
    py::list argv;
    for (const std::string& argument : arguments) argv.append(argument);
    return py::module_::import("ork_worker").attr("main")(argv).cast<int>();
  } catch (py::error_already_set& error) {
    // Prints the Python traceback to stderr, which the plugin shows as the
    // reason the worker could not start.
    error.restore();
    PyErr_Print();
    return kStartupFailed;
  }
}

// UTF-8 mode: the worker's locale is whatever the host had (often "C"); task
// files, prints and paths are UTF-8 regardless.
void preinitialize() {
  PyPreConfig preconfig;
  PyPreConfig_InitIsolatedConfig(&preconfig);
  preconfig.utf8_mode = 1;
  PyStatus status = Py_PreInitialize(&preconfig);
  if (PyStatus_Exception(status)) {
    throw std::runtime_error(std::string("cannot pre-initialise Python: ") +
                             (status.err_msg ? status.err_msg : "unknown error"));
  }
}

// The defaults of an embedded interpreter suit a host, not a worker: they
// install Python's SIGINT handler, read PYTHONPATH/PYTHONHOME and derive
// sys.executable from PATH (which may hold pyenv shims), so subprocesses of a
// task would start an unrelated Python.
PyConfig interpreter_config() {
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.isolated = 0;
  config.use_environment = 0;
  config.install_signal_handlers = 0;
  config.site_import = 1;  // the distribution's packages (e.g. python3-pydantic)
  config.user_site_directory = 0;
  config.write_bytecode = 0;
  config.parse_argv = 0;
  auto set = [&config](wchar_t** field, const char* value) {
    PyStatus status = PyConfig_SetBytesString(&config, field, value);
    if (PyStatus_Exception(status)) {
      PyConfig_Clear(&config);
      throw std::runtime_error(std::string("cannot configure Python: ") +
                               (status.err_msg ? status.err_msg : "unknown error"));
    }
  };
  set(&config.executable, ORK_EMBED_PYTHON_EXE);
  set(&config.program_name, ORK_EMBED_PYTHON_EXE);
  set(&config.stdio_encoding, "utf-8");
  set(&config.stdio_errors, "surrogateescape");
  return config;
}

// ork_embedded, the first module, is executed here; it makes the others
// importable (a meta path finder), so each runs only when something imports
// it: a worker that only runs tasks never executes the introspection modules
// nor imports the standard modules they need.
void load_runtime_modules() {
  namespace runtime = ork::plugins::python::runtime;
  py::module_ sys = py::module_::import("sys");
  py::module_ types = py::module_::import("types");
  py::module_ builtins = py::module_::import("builtins");
  const runtime::ModuleSource& importer_source = runtime::modules[0];
  std::string filename = std::string("<ork-runtime>/") + importer_source.name + ".py";
  py::object importer = types.attr("ModuleType")(importer_source.name);
  importer.attr("__file__") = filename;
  sys.attr("modules")[py::str(importer_source.name)] = importer;
  builtins.attr("exec")(runtime_code(importer_source, filename, builtins), importer.attr("__dict__"));

  py::dict codes;
  for (const auto& source : runtime::modules) {
    if (&source == &importer_source) continue;
    codes[py::str(source.name)] = runtime_code(source, std::string("<ork-runtime>/") + source.name + ".py", builtins);
  }
  py::dict constants;
  // The one depth limit (ork/limits.h), for ork_serialise to enforce on results.
  constants["ORK_MAX_JSON_DEPTH"] = ORK_MAX_JSON_DEPTH;
  importer.attr("install")(codes, constants);
}

// The bytecode compiled at build time (embed_runtime.py) when this
// interpreter reads it, else the source compiled now: compiling the runtime
// cost ~9 ms of every worker start, unmarshalling it ~0.2 ms.
py::object runtime_code(const ork::plugins::python::runtime::ModuleSource& source, const std::string& filename,
                        const py::module_& builtins) {
  if (PyImport_GetMagicNumber() == ork::plugins::python::runtime::code_magic) {
    PyObject* code = PyMarshal_ReadObjectFromString(reinterpret_cast<const char*>(source.code),
                                                    static_cast<Py_ssize_t>(source.code_size));
    if (code != nullptr) return py::reinterpret_steal<py::object>(code);
    PyErr_Clear();
  }
  return builtins.attr("compile")(py::str(source.text), filename, "exec");
}

}  // namespace

// fflush(NULL) for the runtime (ork_worker._c_stdio_flusher): C extensions'
// printf output waits in libc's buffer while fd 1 is a pipe. Native, because
// importing ctypes for this one call cost every worker start ~1 ms.
PYBIND11_EMBEDDED_MODULE(ork_worker_native, module) {
  module.def("flush_c_stdio", [] { std::fflush(nullptr); }, py::call_guard<py::gil_scoped_release>());
}

#if defined(__SANITIZE_ADDRESS__)
// In an ASan build (scripts/sanitize.sh), a task that segfaults (ctypes, a
// broken extension module) must still kill the worker with SIGSEGV, as in
// production, instead of becoming ASan's exit code 1; ork-library-worker does
// the same. ASAN_OPTIONS from the environment still override this.
extern "C" const char* __asan_default_options() { return "handle_segv=0"; }
#elif defined(__SANITIZE_THREAD__)
// The same in a TSan build (scripts/sanitize.sh tsan), whose SEGV report
// would otherwise end the worker with TSan's exit code 66.
extern "C" const char* __tsan_default_options() { return "handle_segv=0"; }
#endif

int main(int argc, char** argv) {
  // C extensions print through libc, whose stdout would buffer 4 KiB blocks
  // on the log pipe until the task ends; line buffering sends each line as it
  // is printed, like the runtime's line-buffered sys.stdout.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    return serve(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ork-python-worker: %s\n", error.what());
    return kStartupFailed;
  }
}
