//! The process-task helper: `fn main() { ork_sdk::run(task) }`.
//!
//! ork's process protocol (DESIGN §5): stdin is one JSON object (the bound
//! inputs plus `upstream`); the result is one stdout line
//! `ORK_OUTPUT:<single-line JSON>`; every other line of stdout and stderr is a
//! log line; a non-zero exit fails the task.

use std::fmt::Display;
use std::io::{Read, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::signature::signature_json;
use crate::task_input::decode_input;
use crate::types::OrkType;

/// Exit code when the task function returned `Err` or its output could not be serialised.
pub const EXIT_TASK_FAILED: i32 = 1;
/// Exit code when stdin is not an object the input type accepts.
pub const EXIT_BAD_INPUT: i32 = 2;

const SIGNATURE_FLAG: &str = "--ork-signature";
const OUTPUT_MARKER: &str = "ORK_OUTPUT:";

/// Runs `task` as an ork process task and exits the process.
///
/// With `--ork-signature` as the first argument it prints the task's
/// signature JSON instead (what `ork validate` reads when the workflow
/// declares no `input_type`/`output_type`). Log with `println!`/`eprintln!`;
/// end every log line with a newline so the result marker starts a line.
pub fn run<I, O, E, F>(task: F) -> !
where
    I: DeserializeOwned + OrkType,
    O: Serialize + OrkType,
    E: Display,
    F: FnOnce(I) -> Result<O, E>,
{
    let args: Vec<String> = std::env::args().collect();
    let code = execute(task, &args, &mut std::io::stdin().lock(), &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code)
}

/// What [`run`] does, on any streams, returning the exit code instead of exiting.
pub fn execute<I, O, E, F>(
    task: F,
    args: &[String],
    input: &mut dyn Read,
    output: &mut dyn Write,
    errors: &mut dyn Write,
) -> i32
where
    I: DeserializeOwned + OrkType,
    O: Serialize + OrkType,
    E: Display,
    F: FnOnce(I) -> Result<O, E>,
{
    if args.get(1).map(String::as_str) == Some(SIGNATURE_FLAG) {
        return print_signature::<I, O>(output, errors);
    }
    let task_input = match read_input::<I>(input) {
        Ok(value) => value,
        Err(message) => return report(errors, &format!("ork task input: {message}"), EXIT_BAD_INPUT),
    };
    let result = match task(task_input) {
        Ok(result) => result,
        Err(error) => return report(errors, &format!("ork task failed: {error}"), EXIT_TASK_FAILED),
    };
    match serde_json::to_string(&result) {
        Ok(json) => print_result(output, errors, &json),
        Err(error) => {
            report(errors, &format!("ork task output: cannot serialise the result: {error}"), EXIT_TASK_FAILED)
        }
    }
}

fn print_signature<I: OrkType, O: OrkType>(output: &mut dyn Write, errors: &mut dyn Write) -> i32 {
    match signature_json::<I, O>() {
        Ok(json) => match writeln!(output, "{json}").and_then(|()| output.flush()) {
            Ok(()) => 0,
            Err(error) => {
                report(errors, &format!("ork task signature: cannot write stdout: {error}"), EXIT_TASK_FAILED)
            }
        },
        Err(error) => report(errors, &format!("ork task signature: {error}"), EXIT_TASK_FAILED),
    }
}

fn read_input<I: DeserializeOwned + OrkType>(input: &mut dyn Read) -> Result<I, String> {
    let mut text = String::new();
    input.read_to_string(&mut text).map_err(|error| format!("cannot read stdin as UTF-8 text: {error}"))?;
    decode_input::<I>(&text).map_err(|error| error.to_string())
}

fn print_result(output: &mut dyn Write, errors: &mut dyn Write, json: &str) -> i32 {
    match writeln!(output, "{OUTPUT_MARKER}{json}").and_then(|()| output.flush()) {
        Ok(()) => 0,
        Err(error) => report(errors, &format!("ork task output: cannot write stdout: {error}"), EXIT_TASK_FAILED),
    }
}

fn report(errors: &mut dyn Write, message: &str, code: i32) -> i32 {
    // Nothing better to do if stderr itself is gone: the exit code still fails the task.
    let _ = writeln!(errors, "{message}").and_then(|()| errors.flush());
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ork_object;
    use serde::{Deserialize, Serialize};

    ork_object! {
        #[derive(Debug, Deserialize)]
        struct Input {
            count: i64,
            label: Option<String>,
        }

        #[derive(Debug, Serialize)]
        struct Output {
            total: i64,
            label: String,
        }
    }

    fn task(input: Input) -> Result<Output, String> {
        if input.count < 0 {
            return Err(format!("count must not be negative, got {}", input.count));
        }
        Ok(Output { total: input.count * 2, label: input.label.unwrap_or_else(|| "none".into()) })
    }

    struct Outcome {
        code: i32,
        stdout: String,
        stderr: String,
    }

    fn execute_with(args: &[&str], stdin: &str) -> Outcome {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let code = execute(task, &args, &mut stdin.as_bytes(), &mut stdout, &mut stderr);
        Outcome { code, stdout: String::from_utf8(stdout).unwrap(), stderr: String::from_utf8(stderr).unwrap() }
    }

    #[test]
    fn prints_the_result_as_one_marker_line() {
        let outcome = execute_with(&["task"], r#"{"count": 21, "label": "x", "upstream": {}}"#);
        assert_eq!(outcome.code, 0, "stderr: {}", outcome.stderr);
        assert_eq!(outcome.stdout, "ORK_OUTPUT:{\"total\":42,\"label\":\"x\"}\n");
        assert_eq!(outcome.stderr, "");
    }

    #[test]
    fn missing_field_exits_2_naming_the_field() {
        let outcome = execute_with(&["task"], r#"{"label": "x"}"#);
        assert_eq!(outcome.code, EXIT_BAD_INPUT);
        assert_eq!(outcome.stderr, "ork task input: missing field \"count\"\n");
        assert_eq!(outcome.stdout, "");
    }

    #[test]
    fn wrong_type_exits_2_naming_the_field_and_both_types() {
        let outcome = execute_with(&["task"], r#"{"count": "21"}"#);
        assert_eq!(outcome.code, EXIT_BAD_INPUT);
        assert_eq!(outcome.stderr, "ork task input: field \"count\": expected int, got str \"21\"\n");
    }

    #[test]
    fn invalid_json_exits_2() {
        let outcome = execute_with(&["task"], "{\"count\": ");
        assert_eq!(outcome.code, EXIT_BAD_INPUT);
        assert!(
            outcome.stderr.starts_with("ork task input: the input is not valid JSON: EOF while parsing"),
            "{}",
            outcome.stderr
        );
    }

    #[test]
    fn err_exits_1_with_the_message() {
        let outcome = execute_with(&["task"], r#"{"count": -1}"#);
        assert_eq!(outcome.code, EXIT_TASK_FAILED);
        assert_eq!(outcome.stderr, "ork task failed: count must not be negative, got -1\n");
        assert_eq!(outcome.stdout, "");
    }

    #[test]
    fn signature_flag_prints_the_signature_instead_of_running() {
        let outcome = execute_with(&["task", "--ork-signature"], "");
        assert_eq!(outcome.code, 0, "stderr: {}", outcome.stderr);
        assert_eq!(
            outcome.stdout,
            concat!(
                r#"{"inputs":{"count":"int","label":"str | None"},"#,
                r#""output":{"$name":"Output","fields":{"total":"int","label":"str"}},"defaults":["label"]}"#,
                "\n"
            )
        );
    }

    #[test]
    fn signature_flag_is_only_recognised_first() {
        let outcome = execute_with(&["task", "--fast", "--ork-signature"], r#"{"count": 1}"#);
        assert_eq!(outcome.code, 0);
        assert!(outcome.stdout.starts_with("ORK_OUTPUT:"));
    }
}
