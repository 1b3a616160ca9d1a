//! The example process task (examples/process_task.rs, built by `cargo
//! test`) run as ork runs it: JSON on stdin, `ORK_OUTPUT:` on stdout, logs,
//! exit codes, and `--ork-signature`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn example_binary() -> PathBuf {
    // The test binary is target/<profile>/deps/<name>; examples are in target/<profile>/examples.
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().unwrap().parent().unwrap();
    let binary = profile_dir.join("examples").join(format!("process_task{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} is missing; `cargo test` builds the examples", binary.display());
    binary
}

fn run_task(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(example_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn logs_then_prints_the_result_line() {
    let output = run_task(&[], r#"{"values": [1, 2, 3], "factor": 10, "upstream": {}}"#);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "scaling 3 values by 10\nORK_OUTPUT:{\"values\":[10,20,30],\"total\":60}\n");
}

#[test]
fn takes_a_field_from_the_upstream_task_of_that_name() {
    let output = run_task(&[], r#"{"upstream": {"values": [4], "other": "x"}}"#);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert!(text(&output.stdout).ends_with("ORK_OUTPUT:{\"values\":[8],\"total\":8}\n"));
}

#[test]
fn missing_field_exits_2() {
    let output = run_task(&[], r#"{"factor": 3}"#);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr), "ork task input: missing field \"values\"\n");
    assert_eq!(text(&output.stdout), "");
}

#[test]
fn wrong_type_exits_2() {
    let output = run_task(&[], r#"{"values": [1], "factor": "3"}"#);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr), "ork task input: field \"factor\": expected int | None, got str \"3\"\n");
}

#[test]
fn task_error_exits_1_without_a_result() {
    let output = run_task(&[], r#"{"values": [9223372036854775807], "factor": 2}"#);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stderr), "ork task failed: 9223372036854775807 * 2 overflows a 64-bit integer\n");
    assert!(!text(&output.stdout).contains("ORK_OUTPUT:"));
}

#[test]
fn answers_ork_signature() {
    let output = run_task(&["--ork-signature"], "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        concat!(
            r#"{"inputs":{"values":"list[int]","factor":"int | None"},"#,
            r#""output":{"$name":"Scaled","fields":{"values":"list[int]","total":"int"}},"defaults":["factor"]}"#,
            "\n"
        )
    );
}
