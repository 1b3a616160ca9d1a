//! The functions `export_task!` generates, called directly as the library
//! executor calls them through the C ABI: results, failures with
//! `ork_task_last_error`, panics caught at the boundary, and signatures.

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr, CString};

use serde::{Deserialize, Serialize};

ork_sdk::ork_object! {
    #[derive(Debug, Deserialize)]
    pub struct Order {
        pub id: i64,
        pub quantities: Vec<u32>,
        pub note: Option<String>,
    }

    #[derive(Debug, Serialize)]
    pub struct Summary {
        pub id: i64,
        pub total: u64,
    }

    #[derive(Debug, Deserialize)]
    pub struct Trigger {
        pub how: String,
    }
}

pub fn summarise(order: Order) -> Result<Summary, String> {
    if order.quantities.is_empty() {
        return Err(format!("order {} has no lines", order.id));
    }
    Ok(Summary { id: order.id, total: order.quantities.iter().map(|q| u64::from(*q)).sum() })
}

pub fn explode(trigger: Trigger) -> Result<(), String> {
    match trigger.how.as_str() {
        "str" => panic!("boom"),
        "string" => panic!("boom {}", 42),
        _ => Ok(()),
    }
}

pub fn untyped(values: BTreeMap<String, i64>) -> Result<i64, String> {
    Ok(values.values().sum())
}

ork_sdk::export_task!(summarise);
ork_sdk::export_task!(explode as explode_task);
ork_sdk::export_task!(untyped as untyped_task);

/// Calls an exported task: Ok(output JSON) or Err(last error).
fn call(task: unsafe extern "C" fn(*const c_char) -> *mut c_char, input: &str) -> Result<String, String> {
    let input = CString::new(input).unwrap();
    let output = unsafe { task(input.as_ptr()) };
    if output.is_null() {
        return Err(text(ork_task_last_error()).expect("a failed call leaves a message"));
    }
    let json = text(output).unwrap();
    unsafe { ork_task_free(output) };
    Ok(json)
}

fn text(pointer: *const c_char) -> Option<String> {
    (!pointer.is_null()).then(|| unsafe { CStr::from_ptr(pointer) }.to_str().unwrap().to_string())
}

#[test]
fn returns_the_output_json() {
    assert_eq!(
        call(ork_task_run, r#"{"id": 3, "quantities": [1, 2, 4], "upstream": {}}"#),
        Ok(r#"{"id":3,"total":7}"#.into())
    );
}

#[test]
fn missing_field_fails_with_the_field_name() {
    assert_eq!(call(ork_task_run, r#"{"quantities": []}"#), Err(r#"ork task input: missing field "id""#.into()));
}

#[test]
fn wrong_type_fails_with_path_and_types() {
    assert_eq!(
        call(ork_task_run, r#"{"id": 1, "quantities": [1, "2"]}"#),
        Err(r#"ork task input: field "quantities[1]": expected int, got str "2""#.into())
    );
}

#[test]
fn invalid_json_and_null_input_fail_cleanly() {
    assert!(call(ork_task_run, "{").unwrap_err().starts_with("ork task input: the input is not valid JSON"));
    let output = unsafe { ork_task_run(std::ptr::null()) };
    assert!(output.is_null());
    assert_eq!(
        text(ork_task_last_error()).unwrap(),
        r#"ork task input: the input pointer is NULL; pass a JSON object such as "{}""#
    );
}

#[test]
fn err_fails_with_its_message() {
    assert_eq!(
        call(ork_task_run, r#"{"id": 9, "quantities": []}"#),
        Err("ork task failed: order 9 has no lines".into())
    );
}

#[test]
fn panics_are_caught_and_reported() {
    assert_eq!(call(explode_task, r#"{"how": "str"}"#), Err("ork task panicked: boom".into()));
    assert_eq!(call(explode_task, r#"{"how": "string"}"#), Err("ork task panicked: boom 42".into()));
    assert_eq!(call(explode_task, r#"{"how": "calmly"}"#), Ok("null".into()));
}

#[test]
fn last_error_is_per_thread() {
    assert!(call(ork_task_run, "[]").is_err());
    let other = std::thread::spawn(|| text(ork_task_last_error())).join().unwrap();
    assert_eq!(other, Some(String::new()));
}

#[test]
fn calls_from_several_threads_at_once() {
    let workers: Vec<_> = (0..8)
        .map(|id| {
            std::thread::spawn(move || call(ork_task_run, &format!(r#"{{"id": {id}, "quantities": [{id}, 1]}}"#)))
        })
        .collect();
    for (id, worker) in workers.into_iter().enumerate() {
        assert_eq!(worker.join().unwrap(), Ok(format!(r#"{{"id":{id},"total":{}}}"#, id + 1)));
    }
}

#[test]
fn default_task_exports_its_signature_under_both_names() {
    let expected = r#"{"inputs":{"id":"int","quantities":"list[int]","note":"str | None"},"output":{"$name":"Summary","fields":{"id":"int","total":"int"}},"defaults":["note"]}"#;
    assert_eq!(text(ork_task_signature()).unwrap(), expected);
    assert_eq!(text(ork_task_run::signature()).unwrap(), expected);
    // Computed once: the same static text each time.
    assert_eq!(ork_task_signature(), ork_task_signature());
}

#[test]
fn named_task_exports_symbol_signature() {
    assert_eq!(text(explode_task::signature()).unwrap(), r#"{"inputs":{"how":"str"},"output":"null"}"#);
}

#[test]
fn a_task_without_named_inputs_has_no_signature() {
    assert_eq!(call(untyped_task, r#"{"a": 1, "b": 2}"#), Ok("3".into()));
    assert!(untyped_task::signature().is_null());
    let message = text(ork_task_last_error()).unwrap();
    assert!(
        message.starts_with("ork task signature: the task's input type is `dict[str, int]`, not an object type"),
        "{message}"
    );
}

#[test]
fn abi_version_is_1() {
    assert_eq!(ork_task_abi_version(), 1);
}

#[test]
fn free_accepts_null() {
    unsafe { ork_task_free(std::ptr::null_mut()) };
}
