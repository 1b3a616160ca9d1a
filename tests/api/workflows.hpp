// Workflow files the API tests serve: small process tasks (sh), so the
// tests need only the process executor and the sqlite store.
#pragma once

namespace ork::test {

inline constexpr const char* pipeline_yaml = R"(name: pipeline
description: two typed steps
inputs:
  who: {type: str, default: world}
tasks:
  produce:
    executor: process
    command: echo "making numbers" && echo 'ORK_OUTPUT:{"values":[1,2,3]}'
    output_type: {values: "list[int]"}
  consume:
    executor: process
    command: cat >/dev/null; echo 'ORK_OUTPUT:{"total":6}'
    inputs:
      values: {from: produce.values}
      who: {input: who}
    input_type: {values: "list[int]", who: str}
    output_type: {total: int}
)";

// Prints 25 lines, one of them markup that must never run in the UI.
inline constexpr const char* chatty_yaml = R"(name: chatty
tasks:
  talk:
    executor: process
    command: for i in $(seq 1 24); do echo "line $i"; done; echo '<script>alert(1)</script>'
)";

inline constexpr const char* sleepy_yaml = R"(name: sleepy
tasks:
  nap:
    executor: process
    command: sleep 30
)";

inline constexpr const char* every_minute_yaml = R"(name: ticker
schedule: "* * * * *"
timezone: UTC
tasks:
  tick:
    executor: process
    command: echo tick
)";

}  // namespace ork::test
