// Signatures read from TypeScript source: the type mapping of
// docs/languages/typescript.md, and each refused form with its FILE:LINE:COL.
#include <gtest/gtest.h>

#include "plugin_harness.hpp"

namespace ork::plugins::typescript::test {
namespace {

using boost::json::parse;

std::string message_of(const CheckOutcome& outcome) {
  return outcome.errors.empty() ? std::string() : outcome.errors.front().second;
}

TEST(TypeScriptSignature, DescribeNamesNodeAndItsVersion) {
  auto described = parse(describe()).as_object();
  EXPECT_EQ(described.at("toolchain"), "node");
  ASSERT_TRUE(described.at("found").as_bool()) << describe();
  EXPECT_FALSE(described.at("version").as_string().empty());
  EXPECT_EQ(described.at("typescript"), "5.6.3");
  EXPECT_EQ(described.at("install"), "apt-get install nodejs");
}

TEST(TypeScriptSignature, MapsTheDocumentedTypes) {
  TempDir dir("ork-ts-sig");
  dir.write("tasks/types.ts", "export type int = number;\n"
                              "export interface Row { id: int; name: string; note?: string; seen: Date | null }\n");
  dir.write("tasks/clean.ts",
            "import { int, Row } from './types';\n"
            "export interface Cleaned { rows: Row[]; total: int; tags: Record<string, number[]> }\n"
            "type Pair = { left: boolean; right: Array<string> };\n"
            "export function clean(rows: Row[], limit?: number, mode: string = 'all', pair: Pair | undefined = undefined,\n"
            "                      either: string | int = 1, when: Date = new Date()): Cleaned {\n"
            "  return { rows, total: rows.length, tags: {} };\n"
            "}\n"
            "export async function later(n: int): Promise<int> { return n; }\n"
            "export function nothing(flag: boolean): void {}\n");
  CheckOutcome outcome = introspect(dir.path(), "tasks/clean.ts", "clean");
  ASSERT_TRUE(outcome.errors.empty()) << outcome.error_text();
  ASSERT_TRUE(outcome.signature);
  EXPECT_EQ(*outcome.signature, parse(R"({
    "inputs": {
      "rows": "list[{id: int, name: str, note?: str, seen: datetime | None}]",
      "limit": "float | None",
      "mode": "str",
      "pair": "{left: bool, right: list[str]} | None",
      "either": "str | int",
      "when": "datetime"},
    "output": {"$name": "Cleaned", "fields": {
      "rows": "list[{id: int, name: str, note?: str, seen: datetime | None}]",
      "total": "int",
      "tags": "dict[str, list[float]]"}},
    "defaults": ["limit", "mode", "pair", "either", "when"]})"))
      << boost::json::serialize(*outcome.signature);

  CheckOutcome later = introspect(dir.path(), "tasks/clean.ts", "later");
  ASSERT_TRUE(later.signature) << later.error_text();
  EXPECT_EQ(*later.signature, parse(R"({"inputs": {"n": "int"}, "output": "int"})"));
  CheckOutcome nothing = introspect(dir.path(), "tasks/clean.ts", "nothing");
  ASSERT_TRUE(nothing.signature) << nothing.error_text();
  EXPECT_EQ(*nothing.signature, parse(R"({"inputs": {"flag": "bool"}, "output": "null"})"));
}

TEST(TypeScriptSignature, MapsTheRestOfTheDocumentedTable) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "type Id = number;\n"
                    "type Maybe = string | null;\n"
                    "export function f(a: readonly string[], b: ReadonlyArray<boolean>, c: [string, number],\n"
                    "                  d: { [key: string]: Date }, e: 'x' | 'y', g: { inner: Id }, h: Maybe,\n"
                    "                  i: number | undefined): null {\n"
                    "  return null;\n"
                    "}\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "f");
  ASSERT_TRUE(outcome.signature) << outcome.error_text();
  EXPECT_EQ(*outcome.signature, parse(R"({"inputs": {
      "a": "list[str]", "b": "list[bool]", "c": "tuple[str, float]", "d": "dict[str, datetime]", "e": "str",
      "g": {"inner": "float"}, "h": "str | None", "i": "float | None"},
    "output": "null"})"))
      << boost::json::serialize(*outcome.signature);
}

TEST(TypeScriptSignature, NamedObjectParameterKeepsItsName) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "export interface Base { id: number }\n"
                    "export interface Order extends Base { note?: string }\n"
                    "export function f(order: Order): string { return ''; }\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "f");
  ASSERT_TRUE(outcome.signature) << outcome.error_text();
  EXPECT_EQ(outcome.signature->at("inputs").at("order"),
            parse(R"({"$name": "Order", "fields": {"note?": "str", "id": "float"}})"));
}

TEST(TypeScriptSignature, RefusesAMissingParameterAnnotationAtItsLocation) {
  TempDir dir("ork-ts-sig");
  dir.write("tasks/etl.ts", "export function load(rows, limit: number = 10): number {\n  return limit;\n}\n");
  CheckOutcome outcome = introspect(dir.path(), "tasks/etl.ts", "load");
  EXPECT_FALSE(outcome.signature);
  ASSERT_EQ(outcome.errors.size(), 1u) << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].first, "file");
  EXPECT_EQ(outcome.errors[0].second, "tasks/etl.ts:1:22: function 'load' parameter 'rows' has no type annotation");
}

TEST(TypeScriptSignature, RefusesAMissingReturnAnnotation) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "export function load(n: number) {\n  return n;\n}\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "load");
  EXPECT_FALSE(outcome.signature);
  EXPECT_EQ(message_of(outcome).rfind("t.ts:1:17: function 'load' has no return type annotation", 0), 0u)
      << outcome.error_text();
}

TEST(TypeScriptSignature, RefusesAnyUnknownAndUnsupportedTypes) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "export function f(a: any, b: unknown): Map<string, number> { return new Map(); }\n"
                    "export interface Bad { when: Set<number> }\n"
                    "export function g(bad: Bad): string { return ''; }\n"
                    "export function h(d: Record<number, string>): string { return ''; }\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "f");
  ASSERT_EQ(outcome.errors.size(), 3u) << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].second.rfind("t.ts:1:22: function 'f' parameter 'a': type 'any' is not supported", 0), 0u)
      << outcome.error_text();
  EXPECT_EQ(outcome.errors[1].second.rfind("t.ts:1:30: function 'f' parameter 'b': type 'unknown' is not supported", 0),
            0u)
      << outcome.error_text();
  EXPECT_EQ(outcome.errors[2].second.rfind("t.ts:1:40: function 'f' return type: type 'Map<string, number>' is not "
                                           "supported; use string, number, int",
                                           0),
            0u)
      << outcome.error_text();

  CheckOutcome field = introspect(dir.path(), "t.ts", "g");
  EXPECT_EQ(message_of(field).rfind("t.ts:2:30: function 'g' parameter 'bad': field 'when' of 'Bad': type "
                                    "'Set<number>' is not supported",
                                    0),
            0u)
      << field.error_text();
  CheckOutcome keys = introspect(dir.path(), "t.ts", "h");
  EXPECT_NE(message_of(keys).find("Record keys must be string"), std::string::npos) << keys.error_text();
}

TEST(TypeScriptSignature, RefusesRecursiveTypes) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "export interface Tree { children: Tree[] }\nexport function f(t: Tree): number { return 1; }\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "f");
  EXPECT_NE(message_of(outcome).find("type 'Tree' refers to itself"), std::string::npos) << outcome.error_text();
}

TEST(TypeScriptSignature, MissingFunctionSuggestsTheClosestExport) {
  TempDir dir("ork-ts-sig");
  dir.write("tasks/etl.ts", "export function main(): number { return 1; }\n"
                            "export function load(): number { return 2; }\n");
  CheckOutcome outcome = introspect(dir.path(), "tasks/etl.ts", "mian");
  ASSERT_EQ(outcome.errors.size(), 1u) << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].first, "function");
  EXPECT_EQ(outcome.errors[0].second,
            "no exported function 'mian' in tasks/etl.ts (did you mean 'main'?); exported functions: main, load");
}

TEST(TypeScriptSignature, NonExportedFunctionIsRefusedWithTheFix) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "function hidden(): number { return 1; }\nexport function shown(): number { return hidden(); }\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "hidden");
  ASSERT_EQ(outcome.errors.size(), 1u) << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].first, "function");
  EXPECT_EQ(outcome.errors[0].second,
            "function 'hidden' in t.ts is not exported: write 'export function hidden(...)' so that ork can call it");
}

TEST(TypeScriptSignature, SyntaxErrorIsReportedAtItsLocation) {
  TempDir dir("ork-ts-sig");
  dir.write("tasks/etl.ts", "export function load(n: number): number {\n  return n +;\n}\n");
  CheckOutcome outcome = introspect(dir.path(), "tasks/etl.ts", "load");
  EXPECT_FALSE(outcome.signature);
  ASSERT_FALSE(outcome.errors.empty());
  EXPECT_EQ(outcome.errors[0].first, "file");
  EXPECT_EQ(outcome.errors[0].second, "tasks/etl.ts:2:13: TS1109: Expression expected.");
}

TEST(TypeScriptSignature, TypeErrorIsReportedAtItsLocation) {
  TempDir dir("ork-ts-sig");
  dir.write("t.ts", "export function load(n: number): string {\n  return n;\n}\n");
  CheckOutcome outcome = introspect(dir.path(), "t.ts", "load");
  ASSERT_FALSE(outcome.errors.empty());
  EXPECT_EQ(outcome.errors[0].second, "t.ts:2:3: TS2322: Type 'number' is not assignable to type 'string'.");
}

TEST(TypeScriptSignature, MissingFileIsAnErrorOnTheFileKey) {
  TempDir dir("ork-ts-sig");
  CheckOutcome outcome = introspect(dir.path(), "nope.ts", "f");
  ASSERT_EQ(outcome.errors.size(), 1u) << outcome.error_text();
  EXPECT_EQ(outcome.errors[0].first, "file");
  EXPECT_EQ(outcome.errors[0].second.rfind("nope.ts: file not found", 0), 0u) << outcome.error_text();
}

}  // namespace
}  // namespace ork::plugins::typescript::test
