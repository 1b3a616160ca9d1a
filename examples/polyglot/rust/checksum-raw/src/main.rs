//! The `checksum` task of the polyglot example, as a **raw** ork process task:
//! no SDK, just the protocol every process task speaks.
//!
//! 1. ork writes one JSON object to stdin (the bound inputs plus `upstream`),
//!    then closes it;
//! 2. every line on stdout or stderr is a log line of the task;
//! 3. the result is the one stdout line starting with `ORK_OUTPUT:`, followed
//!    by a JSON value on that same line;
//! 4. exit code 0 means success; anything else fails the task, and the last
//!    lines of stderr become its error message.
//!
//! The program declares no signature, so the workflow gives its types with
//! `input_type` / `output_type`.

use std::io::Read;
use std::process::ExitCode;

use serde_json::{json, Value};

fn main() -> ExitCode {
    match run() {
        Ok(result) => {
            // serde_json's compact form never contains a newline, so the
            // result stays on the marker's line.
            println!("ORK_OUTPUT:{result}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("checksum: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<Value, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| format!("cannot read the input from stdin: {error}"))?;
    let input: Value = serde_json::from_str(&text).map_err(|error| format!("the input is not valid JSON: {error}"))?;
    let values = read_values(&input)?;
    eprintln!("hashing {} values", values.len());
    Ok(json!({"checksum": format!("{:016x}", fnv1a(&values)), "count": values.len()}))
}

/// The `values` input as integers; the YAML's `input_type` already promises
/// that, but a process can be started by hand with anything on stdin.
fn read_values(input: &Value) -> Result<Vec<i64>, String> {
    let items = input
        .get("values")
        .ok_or("missing input \"values\" (expected list[int])")?
        .as_array()
        .ok_or("input \"values\" must be a list of integers")?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| item.as_i64().ok_or(format!("values[{index}] must be an integer, got {item}")))
        .collect()
}

/// 64-bit FNV-1a over each value's little-endian bytes: stable across runs
/// and machines, so the workflow's result is reproducible.
fn fnv1a(values: &[i64]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    values
        .iter()
        .flat_map(|value| value.to_le_bytes())
        .fold(OFFSET_BASIS, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_of_nothing_is_the_offset_basis() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn reads_values_and_names_a_bad_item() {
        assert_eq!(read_values(&json!({"values": [1, 2]})).unwrap(), vec![1, 2]);
        assert_eq!(read_values(&json!({"values": [1, "x"]})).unwrap_err(), "values[1] must be an integer, got \"x\"");
        assert_eq!(read_values(&json!({})).unwrap_err(), "missing input \"values\" (expected list[int])");
    }
}
