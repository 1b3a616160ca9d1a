// Function-tasks in the workflow compiler (workflow/language_tasks.cpp): the
// language from the file's extension or `language:`, the executor it runs on,
// its keys, introspect then prepare through a fake LanguageCatalog, and every
// refusal with its place in the workflow (and in the task's source).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_catalog.hpp"
#include "workflow/compiler.hpp"
#include "workflow/language_catalog.hpp"

namespace ork::host {
namespace {

std::string yaml(const char* text) { return text[0] == '\n' ? text + 1 : text; }

// FakeCatalog's executors plus "runner" (key `artefact`) and "pyrun" (keys
// file, module, function; its plugin is the language "pyish"); languages
// "toy" (.toy; key `opt`; runs on runner or process) and "pyish" (.pyi).
// introspect: function "untyped" -> an error at 2:5 of the task's file;
// "nofn" -> no such function; else (a: int, b: str = ...) -> int.
// prepare: {"artefact": "/build/<language>/<function>"}; "nobuild" fails.
class LanguageFakes : public testing::FakeCatalog, public LanguageCatalog {
 public:
  LanguageFakes() {
    extra_ = {{"runner", {"artefact"}, false}, {"pyrun", {"file", "module", "function"}, true}};
    languages_ = {{"toy", {".toy"}, {"opt"}, {"runner", "process"}, "toyplugin"},
                  {"pyish", {".pyi"}, {}, {"pyrun"}, "pyrun"}};
  }

  const ExecutorInfo* find_executor(std::string_view name) const override {
    for (const ExecutorInfo& info : extra_) {
      if (info.name == name) return &info;
    }
    return FakeCatalog::find_executor(name);
  }
  std::vector<std::string> executor_names() const override {
    std::vector<std::string> names = FakeCatalog::executor_names();
    for (const ExecutorInfo& info : extra_) names.push_back(info.name);
    return names;
  }
  const LanguageCatalog* languages() const override { return this; }

  const LanguageInfo* find_language(std::string_view name) const override {
    for (const LanguageInfo& info : languages_) {
      if (info.name == name) return &info;
    }
    return nullptr;
  }
  const LanguageInfo* language_for_extension(std::string_view extension) const override {
    for (const LanguageInfo& info : languages_) {
      if (info.extensions.front() == extension) return &info;
    }
    return nullptr;
  }
  const LanguageInfo* language_of_executor(std::string_view executor) const override {
    return executor == "pyrun" ? &languages_[1] : nullptr;
  }
  std::vector<const LanguageInfo*> language_list() const override { return {&languages_[1], &languages_[0]}; }

  TaskCheckResult introspect(std::string_view language, const LanguageTaskRequest& request) const override {
    calls.push_back("introspect " + std::string(language) + " " + request.function);
    requests.push_back(request);
    TaskCheckResult result;
    if (request.function == "untyped") {
      result.errors.emplace_back("file", request.file + ":2:5: parameter 'a' has no type annotation");
    } else if (request.function == "nofn") {
      result.errors.emplace_back("function", "no function 'nofn' in " + request.file);
    } else {
      result.signature_json = R"({"inputs": {"a": "int", "b": "str"}, "output": "int", "defaults": ["b"]})";
    }
    return result;
  }
  LanguagePrepareResult prepare(std::string_view language, const LanguageTaskRequest& request) const override {
    calls.push_back("prepare " + std::string(language) + " " + request.function + " on " + request.executor);
    if (request.function == "nobuild") return {{{"file", request.file + ":7:1: error: no such type 'Foo'"}}, {}};
    return {{}, boost::json::serialize(boost::json::object{
                    {"artefact", "/build/" + std::string(language) + "/" + request.function}})};
  }

  mutable std::vector<std::string> calls;
  mutable std::vector<LanguageTaskRequest> requests;

 private:
  std::vector<ExecutorInfo> extra_;
  std::vector<LanguageInfo> languages_;
};

struct Compiled {
  CompileResult result;
  std::vector<std::string> errors;
  std::vector<std::string> calls;
  std::vector<LanguageTaskRequest> requests;
};

Compiled compile(const std::string& source) {
  LanguageFakes catalog;
  Compiled out{compile_workflow_source(source, "/tmp/wf/wf.yaml", catalog), {}, catalog.calls, catalog.requests};
  for (const Diagnostic& d : out.result.errors) out.errors.push_back(d.to_string());
  return out;
}

using Strings = std::vector<std::string>;

TEST(LanguageTasks, AFileAndFunctionTaskGetsItsLanguageFromTheExtensionAndRunsOnWhatPrepareChose) {
  Compiled c = compile(yaml(R"(
tasks:
  score: {file: tasks/score.toy, function: score, opt: 3, inputs: {a: 1}}
)"));
  ASSERT_TRUE(c.errors.empty()) << c.errors.front();
  const CompiledTask& task = c.result.workflow->tasks.front();
  EXPECT_EQ(task.language, "toy");
  EXPECT_EQ(task.executor, "runner");
  EXPECT_EQ(boost::json::serialize(task.config), R"({"artefact":"/build/toy/score"})");
  EXPECT_EQ(boost::json::serialize(task.source), R"({"file":"tasks/score.toy","function":"score","opt":3})");
  EXPECT_EQ(task.signature.output.to_string(), "int");
  ASSERT_EQ(task.signature.inputs.size(), 2u);
  EXPECT_EQ(task.signature.defaults, Strings{"b"});
  EXPECT_EQ(c.calls, (Strings{"introspect toy score", "prepare toy score on runner"}));
  const LanguageTaskRequest& request = c.requests.front();
  EXPECT_EQ(request.file, "tasks/score.toy");
  EXPECT_EQ(request.file_path, "/tmp/wf/tasks/score.toy");
  EXPECT_EQ(request.workflow_dir, "/tmp/wf");
  EXPECT_EQ(request.executor, "runner");
  boost::json::object spec = c.result.workflow->spec_json().at("tasks").at("score").as_object();
  EXPECT_EQ(spec.at("language"), "toy");
  EXPECT_EQ(spec.at("source").at("function"), "score");
}

TEST(LanguageTasks, LanguageKeyNamesTheLanguageOfAnyFileAndAnAllowedExecutorIsKept) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.txt, function: f, language: toy, executor: process, inputs: {a: 1}}
)"));
  ASSERT_TRUE(c.errors.empty()) << c.errors.front();
  EXPECT_EQ(c.result.workflow->tasks.front().language, "toy");
  EXPECT_EQ(c.result.workflow->tasks.front().executor, "process");
  EXPECT_EQ(c.calls.back(), "prepare toy f on process");
}

TEST(LanguageTasks, UnknownExtensionIsRefusedWithDidYouMeanAndTheKnownLanguages) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.toyy, function: f}
)"));
  EXPECT_EQ(c.errors, Strings{"/tmp/wf/wf.yaml:2:13: task \"a\": no language for \".toyy\" files (did you mean "
                              "\".toy\"?); known languages: pyish (.pyi), toy (.toy). Name one with `language:`, or "
                              "run the file with an `executor:`"});
  EXPECT_TRUE(c.calls.empty());
}

TEST(LanguageTasks, UnknownLanguageIsRefusedWithDidYouMean) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.toy, function: f, language: tyo}
)"));
  EXPECT_EQ(c.errors, Strings{"/tmp/wf/wf.yaml:2:49: task \"a\": unknown language \"tyo\" (did you mean \"toy\"?); "
                              "known languages: pyish (.pyi), toy (.toy)"});
}

TEST(LanguageTasks, AnExecutorTheLanguageDoesNotRunOnIsACompileError) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.toy, function: f, language: toy, executor: typed}
)"));
  EXPECT_EQ(c.errors, Strings{"/tmp/wf/wf.yaml:2:64: task \"a\": language \"toy\" runs on executor runner or "
                              "process, not \"typed\"; remove `executor:` or pick one of those"});
  EXPECT_TRUE(c.calls.empty());
}

TEST(LanguageTasks, AnErrorInTheSourceKeepsItsLocationAndIsPlacedAtTheFileKey) {
  Compiled c = compile(yaml(R"(
tasks:
  a:
    file: tasks/a.toy
    function: untyped
)"));
  EXPECT_EQ(c.errors, Strings{"/tmp/wf/wf.yaml:3:5: task \"a\": tasks/a.toy:2:5: parameter 'a' has no type "
                              "annotation"});
  EXPECT_EQ(c.calls, Strings{"introspect toy untyped"}) << "no prepare after a failed introspect";
}

TEST(LanguageTasks, AMissingFunctionIsPlacedAtTheFunctionKey) {
  Compiled c = compile(yaml(R"(
tasks:
  a:
    file: tasks/a.toy
    function: nofn
)"));
  EXPECT_EQ(c.errors, Strings{"/tmp/wf/wf.yaml:4:5: task \"a\": no function 'nofn' in tasks/a.toy"});
}

TEST(LanguageTasks, NothingIsPreparedForAWorkflowRefusedForAnotherReason) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.toy, function: f, inputs: {a: "not an int"}}
)"));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.calls, Strings{"introspect toy f"}) << "a refused workflow builds nothing";
}

TEST(LanguageTasks, ABuildFailureShowsTheCompilersFirstError) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.toy, function: nobuild, inputs: {a: 1}}
)"));
  EXPECT_EQ(c.errors, Strings{"/tmp/wf/wf.yaml:2:7: task \"a\": tasks/a.toy:7:1: error: no such type 'Foo'"});
}

TEST(LanguageTasks, MissingFunctionKeyAndUnknownKeysAreRefused) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {file: tasks/a.toy, artefact: x, inputs: {a: 1}}
)"));
  ASSERT_EQ(c.errors.size(), 2u);
  EXPECT_EQ(c.errors[0], "/tmp/wf/wf.yaml:2:3: task \"a\": missing \"function\": a toy task names its source file "
                         "and the function to run ({file: tasks/x.toy, function: f})");
  EXPECT_NE(c.errors[1].find("unknown key \"artefact\" for language \"toy\""), std::string::npos) << c.errors[1];
}

TEST(LanguageTasks, AnExecutorWhosePluginIsTheLanguageGoesThroughTheSamePath) {
  Compiled c = compile(yaml(R"(
tasks:
  a: {executor: pyrun, module: pkg.steps, function: go, inputs: {a: 1}}
  b: {file: tasks/b.pyi, function: go, inputs: {a: 2}}
)"));
  ASSERT_TRUE(c.errors.empty()) << c.errors.front();
  EXPECT_EQ(c.result.workflow->tasks[0].language, "pyish");
  EXPECT_EQ(c.result.workflow->tasks[1].language, "pyish");
  EXPECT_EQ(c.result.workflow->tasks[0].executor, "pyrun");
  EXPECT_EQ(c.calls, (Strings{"introspect pyish go", "introspect pyish go", "prepare pyish go on pyrun",
                              "prepare pyish go on pyrun"}));
  EXPECT_EQ(c.requests[0].config_json, R"({"module":"pkg.steps","function":"go"})");
  EXPECT_EQ(c.requests[0].file, "");
}

TEST(LanguageTasks, OtherExecutorsKeepTheirOwnFileKeysAndChecks) {
  Compiled c = compile(yaml(R"(
defaults: {executor: typed}
tasks:
  a: {executor: typed, file: x.toy, sig: {inputs: {}, output: int}}
  b: {file: x.txt, sig: {inputs: {}, output: int}}
)"));
  ASSERT_TRUE(c.errors.empty()) << c.errors.front();
  EXPECT_TRUE(c.calls.empty()) << "a task naming a non-language executor is that executor's";
  EXPECT_EQ(c.result.workflow->tasks[0].language, "");
  EXPECT_EQ(c.result.workflow->tasks[1].executor, "typed");
}

TEST(LanguageTasks, WithoutLanguagePluginsAFunctionTaskSaysSo) {
  testing::FakeCatalog catalog;
  CompileResult result = compile_workflow_source(yaml(R"(
tasks:
  a: {file: a.rs, function: f}
)"),
                                                 "wf.yaml", catalog);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message,
            "task \"a\": no language for \".rs\" files; known languages: none (no language plugin was loaded; see "
            "`ork plugins`). Name one with `language:`, or run the file with an `executor:`");
}

}  // namespace
}  // namespace ork::host
