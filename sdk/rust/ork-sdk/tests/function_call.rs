//! `library::call_function`, what ork's rust language plugin generates for a
//! plain function: parameters bound by name (explicit input, then an upstream
//! output of that name, then `upstream`, then null), errors naming the
//! parameter, panics caught.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};

use ork_sdk::library::{call_function, free_output, last_error};
use ork_sdk::Arguments;

fn add(left: i64, right: Option<i64>) -> i64 {
    left + right.unwrap_or(100)
}

fn call(input: &str, body: impl FnOnce(&mut Arguments) -> Result<serde_json::Value, String>) -> Result<String, String> {
    let text = CString::new(input).unwrap();
    let output = unsafe { call_function(body, text.as_ptr()) };
    if output.is_null() {
        return Err(unsafe { CStr::from_ptr(last_error()) }.to_str().unwrap().to_string());
    }
    let json = unsafe { CStr::from_ptr(output) }.to_str().unwrap().to_string();
    unsafe { free_output(output) };
    Ok(json)
}

fn call_add(input: &str) -> Result<String, String> {
    call(input, |args| {
        let left = args.take("left")?;
        let right = args.take("right")?;
        Ok(serde_json::json!(add(left, right)))
    })
}

#[test]
fn explicit_inputs_are_bound_by_name() {
    assert_eq!(call_add(r#"{"left": 1, "right": 2, "upstream": {}}"#).unwrap(), "3");
}

#[test]
fn an_unbound_option_is_none() {
    assert_eq!(call_add(r#"{"left": 1}"#).unwrap(), "101");
}

#[test]
fn an_upstream_output_binds_a_parameter_of_its_name() {
    assert_eq!(call_add(r#"{"upstream": {"left": 5, "other": 1}}"#).unwrap(), "105");
    // An explicit input wins over the upstream output.
    assert_eq!(call_add(r#"{"left": 1, "upstream": {"left": 5}}"#).unwrap(), "101");
}

#[test]
fn a_parameter_named_upstream_receives_them_all() {
    let output = call(r#"{"upstream": {"a": 1, "b": 2}}"#, |args| {
        let upstream: BTreeMap<String, i64> = args.take("upstream")?;
        Ok(serde_json::json!(upstream.values().sum::<i64>()))
    });
    assert_eq!(output.unwrap(), "3");
}

#[test]
fn a_wrong_value_names_the_parameter_and_its_type() {
    let error = call_add(r#"{"left": "one"}"#).unwrap_err();
    assert!(error.starts_with("ork task input: cannot convert input 'left' to i64: invalid type: string \"one\""), "{}", error);
}

#[test]
fn a_panic_is_caught() {
    let error = call("{}", |_| -> Result<serde_json::Value, String> { panic!("boom") }).unwrap_err();
    assert_eq!(error, "ork task panicked: boom");
}

#[derive(serde::Deserialize)]
struct Whole {
    left: i64,
    other: Option<i64>,
    upstream: BTreeMap<String, i64>,
}

#[test]
fn take_whole_builds_the_struct_from_inputs_and_upstream_outputs() {
    let output = call(r#"{"left": 1, "upstream": {"other": 5, "left": 9}}"#, |args| {
        assert!(!args.binds("input"));
        let whole: Whole = args.take_whole("input")?;
        Ok(serde_json::json!([whole.left, whole.other, whole.upstream.len()]))
    });
    // An explicit input wins over an upstream output of the same name.
    assert_eq!(output.unwrap(), "[1,5,2]");
}
