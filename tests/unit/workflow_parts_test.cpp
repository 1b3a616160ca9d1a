// The compiler's building blocks: durations, cron checks, "did you mean",
// YAML -> JSON scalars and the SHA-256 content hash.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "workflow/content_hash.hpp"
#include "workflow/cron_check.hpp"
#include "workflow/duration.hpp"
#include "workflow/suggest.hpp"
#include "workflow/task_graph.hpp"
#include "workflow/yaml_nodes.hpp"

namespace ork::host {
namespace {

using std::chrono::milliseconds;

TEST(Duration, AcceptsUnitsCombinationsAndBareSeconds) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("10m"), milliseconds(600'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("90"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("0.25"), milliseconds(250));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(Duration, RefusesAnythingElse) {
  for (const char* bad : {"", "10x", "-1", "-5s", "1.2.3", "ms", "10 s", "s10", "1h30"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(Cron, AcceptsFiveValidFields) {
  for (const char* good : {"0 * * * *", "*/15 9-17 * JAN-mar mon-fri", "0 0 1,15 * 7", "59 23 31 12 0", "0-30/5 * * * *"}) {
    EXPECT_EQ(cron_problem(good), std::nullopt) << good;
  }
}

TEST(Cron, ExplainsWhatIsWrong) {
  EXPECT_EQ(cron_problem("0 * * *"),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 4; e.g. \"0 * * * *\" runs hourly");
  EXPECT_EQ(cron_problem("@daily"),
            "expected 5 fields (minute hour day-of-month month day-of-week), got 1; e.g. \"0 * * * *\" runs hourly");
  EXPECT_EQ(cron_problem("60 * * * *"),
            "minute field \"60\" is not valid: expected *, a number in 0-59, a range a-b, a step */n or a list");
  EXPECT_EQ(cron_problem("* 24 * * *"),
            "hour field \"24\" is not valid: expected *, a number in 0-23, a range a-b, a step */n or a list");
  EXPECT_TRUE(cron_problem("* * 0 * *").has_value());
  EXPECT_TRUE(cron_problem("* * * 13 *").has_value());
  EXPECT_TRUE(cron_problem("* * * * 8").has_value());
  EXPECT_EQ(cron_problem("5-1 * * * *"), "minute field \"5-1\" has a bad range (expected a-b with a <= b within 0-59)");
  EXPECT_EQ(cron_problem("*/0 * * * *"), "minute field \"*/0\" has a bad step after \"/\" (a positive number)");
  EXPECT_TRUE(cron_problem("1,,2 * * * *").has_value());
}

TEST(Cron, StarStepsInDayFieldsRestrictTheDays) {
  // "*/10" starts with '*' but allows only days 1, 11, 21 and 31.
  std::variant<CronFields, std::string> parsed = parse_cron("0 0 */10 * */2");
  ASSERT_TRUE(std::holds_alternative<CronFields>(parsed)) << std::get<std::string>(parsed);
  const CronFields& fields = std::get<CronFields>(parsed);
  EXPECT_EQ(fields.days.to_string(), "10000000001000000000100000000010");  // bits 31..0
  EXPECT_EQ(fields.weekdays.to_string(), "1010101");                       // Sat, Thu, Tue, Sun
  EXPECT_TRUE(fields.days_start_with_star);
  EXPECT_TRUE(fields.weekdays_start_with_star);
  EXPECT_EQ(cron_problem("0 0 1, * *"),
            "day-of-month field \"1,\" is not valid: expected *, a number in 1-31, a range a-b, a step */n or a list");
}

TEST(Timezone, AcceptsIanaNamesOnly) {
  for (const char* good : {"UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Etc/GMT+5"}) {
    EXPECT_EQ(timezone_problem(good), std::nullopt) << good;
  }
  // Existing files outside the database and missing ones get the same answer,
  // so a workflow cannot probe the file system.
  for (const char* path : {"/etc/passwd", "/etc/no-such-file", "/usr/share/zoneinfo/UTC", "../../../etc/passwd",
                           "Europe/../../../etc/passwd", "", "Mars/Olympus_Mons"}) {
    EXPECT_EQ(timezone_problem(path),
              "timezone \"" + std::string(path) + "\" is not a known IANA time zone (e.g. UTC, Europe/Paris)")
        << path;
  }
}

TEST(Timezone, SuggestsTheClosestZone) {
  EXPECT_EQ(timezone_problem("Europe/Pariss"),
            "timezone \"Europe/Pariss\" is not a known IANA time zone (e.g. UTC, Europe/Paris) (did you mean "
            "\"Europe/Paris\"?)");
  EXPECT_EQ(timezone_problem("europe/paris"),
            "timezone \"europe/paris\" is not a known IANA time zone (e.g. UTC, Europe/Paris) (did you mean "
            "\"Europe/Paris\"?)");
  EXPECT_EQ(timezone_problem("Lord_Howe"),
            "timezone \"Lord_Howe\" is not a known IANA time zone (e.g. UTC, Europe/Paris) (did you mean "
            "\"Australia/Lord_Howe\"?)");
}

TEST(Suggest, FindsCloseNames) {
  std::vector<std::string> keys{"name", "description", "tasks", "command"};
  EXPECT_EQ(closest_match("taks", keys), "tasks");
  EXPECT_EQ(closest_match("comand", keys), "command");
  EXPECT_EQ(closest_match("Tasks", keys), "tasks");
  EXPECT_EQ(closest_match("desc", keys), "description");
  EXPECT_EQ(closest_match("xyzzy", keys), std::nullopt);
  EXPECT_EQ(did_you_mean("nmae", keys), " (did you mean \"name\"?)");
  EXPECT_EQ(did_you_mean("zzzzzz", keys), "");
  EXPECT_EQ(join_names({"a", "b"}), "a, b");
}

TEST(YamlToJson, UsesCoreSchemaScalars) {
  YamlDocument document = YamlDocument::parse(R"(
quoted: "123"
int: 123
negative: -7
hex: 0x1F
float: 1.5
exp: 1e3
yes_word: yes
bool: true
tilde: ~
empty:
text: hello world
list: [1, "two", 3.0]
map: {a: {b: null}}
block: |
  line
)");
  std::vector<Diagnostic> errors;
  YamlValueReader values("f.yaml", errors);
  std::optional<boost::json::value> json = values.to_json(document.root());
  ASSERT_TRUE(json);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(boost::json::serialize(*json),
            R"({"quoted":"123","int":123,"negative":-7,"hex":31,"float":1.5E0,"exp":1E3,"yes_word":"yes",)"
            R"("bool":true,"tilde":null,"empty":null,"text":"hello world","list":[1,"two",3E0],)"
            R"("map":{"a":{"b":null}},"block":"line\n"})");
}

TEST(YamlNodes, MapEntriesReportDuplicatesWithTheFirstLine) {
  YamlDocument document = YamlDocument::parse("a: 1\nb: 2\na: 3\n");
  std::vector<Diagnostic> errors;
  std::vector<MapEntry> entries = map_entries(document.root(), "f.yaml", errors, "ctx: ");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].value.scalar(), "1");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].to_string(), "f.yaml:3:1: ctx: duplicate key \"a\" (first at line 1)");
}

// The duplicate check is a hash lookup (a workflow of 10 000 tasks is one
// mapping): every repeat still names the first entry, and only it is kept.
TEST(YamlNodes, MapEntriesOfManyKeysReportEachRepeatOnce) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  text += "k7: again\nk1999: again\nk7: thrice\n";
  std::vector<Diagnostic> errors;
  YamlDocument document = YamlDocument::parse(text);
  std::vector<MapEntry> entries = map_entries(document.root(), "f.yaml", errors, "ctx: ");
  ASSERT_EQ(entries.size(), 2000u);
  EXPECT_EQ(entries[7].value.scalar(), "7");
  EXPECT_EQ(entries[1999].key, "k1999");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].to_string(), "f.yaml:2001:1: ctx: duplicate key \"k7\" (first at line 8)");
  EXPECT_EQ(errors[1].to_string(), "f.yaml:2002:1: ctx: duplicate key \"k1999\" (first at line 2000)");
  EXPECT_EQ(errors[2].to_string(), "f.yaml:2003:1: ctx: duplicate key \"k7\" (first at line 8)");
}

// The compiler fills its tasks in file order and rearranges them in place.
TEST(TaskGraph, PutInOrderRearrangesTasksInPlace) {
  const std::vector<std::vector<std::size_t>> orders{
      {}, {0}, {1, 0}, {2, 0, 1}, {3, 4, 0, 1, 2}, {0, 2, 1, 3}, {5, 4, 3, 2, 1, 0}, {1, 2, 3, 4, 5, 0}};
  for (const std::vector<std::size_t>& order : orders) {
    std::vector<CompiledTask> tasks(order.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) tasks[i].name = "t" + std::to_string(i);
    put_in_order(tasks, order);
    for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(tasks[i].name, "t" + std::to_string(order[i]));
  }
  std::vector<CompiledTask> two(2);
  EXPECT_THROW(put_in_order(two, {0}), std::logic_error);
}

// The compiler hashes the spec of a workflow a task at a time.
TEST(ContentHash, PiecesHashAsTheirConcatenation) {
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{20}, text.size()}) {
    Sha256 hash;
    hash.add(std::string_view(text).substr(0, cut));
    hash.add("");
    hash.add(std::string_view(text).substr(cut));
    EXPECT_EQ(hash.hex(), sha256_hex(text));
  }
}

TEST(ContentHash, MatchesSha256TestVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

}  // namespace
}  // namespace ork::host
