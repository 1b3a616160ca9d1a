// The stored text of a compiled workflow (CompiledWorkflow::spec_text): built
// a task at a time to spare memory, it must stay byte for byte the
// serialisation of spec_json(), or every stored workflow version would get a
// new content hash.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_catalog.hpp"
#include "workflow/compiler.hpp"
#include "workflow/content_hash.hpp"

namespace ork::host {
namespace {

using testing::FakeCatalog;

CompiledWorkflow compiled(const std::string& source) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "/srv/flows/wf.yaml", catalog);
  EXPECT_TRUE(result.errors.empty()) << (result.errors.empty() ? "" : result.errors.front().to_string());
  return std::move(*result.workflow);
}

TEST(CompiledSpec, TextIsTheSerialisedSpecJson) {
  CompiledWorkflow workflow = compiled(
      "name: elt\n"
      "description: \"quotes \\\" and \\u00e9\"\n"
      "pools: {db: 2}\n"
      "concurrency: 3\n"
      "timeout: 10m\n"
      "inputs: {limit: 100}\n"
      "defaults: {executor: process, env: {STAGE: prod}}\n"
      "tasks:\n"
      "  extract: {command: [./extract], pool: db}\n"
      "  load: {command: [./load, \"a\\tb\"], inputs: {rows: {from: extract.rows}, n: {input: limit}}}\n"
      "  report: {command: ./report, depends_on: [load], retries: 2}\n");
  EXPECT_EQ(workflow.spec_text(), boost::json::serialize(workflow.spec_json()));
  EXPECT_EQ(workflow.content_hash, sha256_hex(workflow.spec_text()));
}

TEST(CompiledSpec, TextOfAWorkflowWithTheLeastSettings) {
  CompiledWorkflow workflow = compiled("tasks:\n  only: {executor: process, command: [x]}\n");
  EXPECT_EQ(workflow.spec_text(), boost::json::serialize(workflow.spec_json()));
  workflow.tasks.clear();
  EXPECT_EQ(workflow.spec_text(), boost::json::serialize(workflow.spec_json())) << "no tasks: an empty object";
}

}  // namespace
}  // namespace ork::host
