// Fuzz target: the workflow compiler, YAML text in, diagnostics out. Compiles
// the input as `/fuzz/workflow.yaml` against the fake executor catalog of the
// unit tests (executors `process`, `typed` — whose `sig:` key is taken as the
// task's signature, so signatures and bindings get checked — and `broken`), so
// no plugin is loaded. Properties: the compiler never throws, a result has a
// workflow exactly when it has no errors, every diagnostic names the file and
// says something.
#include "fake_catalog.hpp"
#include "fuzz_support.hpp"
#include "workflow/compiler.hpp"

#include <exception>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ork::host::testing::FakeCatalog catalog;  // per input: it records every request
  ork::host::CompileResult result;
  try {
    result = ork::host::compile_workflow_source(ork::fuzz::as_text(data, size), "/fuzz/workflow.yaml", catalog);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "the compiler threw instead of reporting a diagnostic: %s\n", e.what());
    ork::fuzz::property_failed("compile_workflow_source threw", __FILE__, __LINE__);
  }
  ORK_FUZZ_CHECK(result.workflow.has_value() == result.errors.empty());
  for (const ork::host::Diagnostic& d : result.errors) {
    ORK_FUZZ_CHECK(d.where.file == "/fuzz/workflow.yaml");
    ORK_FUZZ_CHECK(!d.message.empty());
    ORK_FUZZ_CHECK(d.where.line >= 0 && d.where.col >= 0);
  }
  return 0;
}
