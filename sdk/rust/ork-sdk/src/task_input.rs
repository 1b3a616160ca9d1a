//! Turning the task's input JSON into the task function's input type.
//!
//! The input object holds the task's bound inputs plus `upstream`
//! (`{task: output}` of the direct upstream tasks). Before deserialising,
//! each field of the input struct that has no explicit input but is named
//! like an upstream task receives that task's output, the binding rule ork's
//! python executor applies to parameters. When serde refuses the value, the
//! value is checked against the input's ork type to say which field is wrong
//! (serde's own errors carry no path); serde's message is the fallback.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::types::{OrkType, Type};

const UPSTREAM_KEY: &str = "upstream";
const PREVIEW_CHARS: usize = 40;

/// Why the input could not be turned into the task's input type; the
/// message names the field and the expected and actual types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

impl InputError {
    fn new(message: impl Into<String>) -> InputError {
        InputError { message: message.into() }
    }
}

/// Parses the input JSON text (empty text counts as `{}`) and deserialises it into `I`.
pub fn decode_input<I: DeserializeOwned + OrkType>(text: &str) -> Result<I, InputError> {
    let mut object = parse_object(text)?;
    let input_type = I::ork_type();
    bind_upstream_outputs(&mut object, &input_type);
    let value = Value::Object(object);
    I::deserialize(&value).map_err(|serde_error| {
        locate_mismatch(&input_type, &value, &mut String::new())
            .unwrap_or_else(|| InputError::new(serde_error.to_string()))
    })
}

fn parse_object(text: &str) -> Result<Map<String, Value>, InputError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(InputError::new(format!(
            "the input must be a JSON object of named inputs, got {}",
            describe_value(&other)
        ))),
        Err(error) => Err(InputError::new(format!("the input is not valid JSON: {error}"))),
    }
}

fn bind_upstream_outputs(object: &mut Map<String, Value>, input_type: &Type) {
    // Matches, not let-else: the crate stays valid for Debian 12's rustc 1.63.
    let fields = match input_type {
        Type::Object { fields, .. } => fields,
        _ => return,
    };
    let upstream = match object.get(UPSTREAM_KEY) {
        Some(Value::Object(upstream)) => upstream,
        _ => return,
    };
    let bound: Vec<(String, Value)> = fields
        .iter()
        .filter(|field| field.name != UPSTREAM_KEY && !object.contains_key(&field.name))
        .filter_map(|field| upstream.get(&field.name).map(|output| (field.name.clone(), output.clone())))
        .collect();
    object.extend(bound);
}

/// The first place where `value` does not fit `ty`, as an error naming its path.
fn locate_mismatch(ty: &Type, value: &Value, path: &mut String) -> Option<InputError> {
    match (ty, value) {
        (Type::Any, _) | (Type::Null, Value::Null) | (Type::Bool, Value::Bool(_)) => None,
        (Type::Int, Value::Number(number)) if number.is_i64() || number.is_u64() => None,
        (Type::Float, Value::Number(_)) => None,
        (Type::Str | Type::Date | Type::DateTime, Value::String(_)) => None,
        (Type::List(item), Value::Array(items)) => items.iter().enumerate().find_map(|(index, element)| {
            within(path, &format!("[{index}]"), |path| locate_mismatch(item, element, path))
        }),
        (Type::Tuple(types), Value::Array(items)) if types.len() == items.len() => {
            types.iter().zip(items).enumerate().find_map(|(index, (item_type, element))| {
                within(path, &format!("[{index}]"), |path| locate_mismatch(item_type, element, path))
            })
        }
        (Type::Dict(item), Value::Object(entries)) => entries.iter().find_map(|(key, element)| {
            let step = member(path, key);
            within(path, &step, |path| locate_mismatch(item, element, path))
        }),
        (Type::Object { fields, .. }, Value::Object(entries)) => {
            fields.iter().find_map(|field| match entries.get(&field.name) {
                None if field.optional => None,
                None => Some(InputError::new(format!("missing field \"{path}{}\"", member(path, &field.name)))),
                Some(element) => {
                    let step = member(path, &field.name);
                    within(path, &step, |path| locate_mismatch(&field.ty, element, path))
                }
            })
        }
        (Type::Union(members), _) => locate_in_union(ty, members, value, path),
        _ => Some(mismatch(ty, value, path)),
    }
}

fn locate_in_union(ty: &Type, members: &[Type], value: &Value, path: &mut String) -> Option<InputError> {
    let mut scratch = path.clone();
    if members.iter().any(|member| locate_mismatch(member, value, &mut scratch).is_none()) {
        return None;
    }
    // `T | None` given a list or object where T is one: the problem is inside, say where.
    let mut non_null = members.iter().filter(|member| **member != Type::Null);
    match (non_null.next(), non_null.next()) {
        (Some(only), None) if same_container(only, value) => locate_mismatch(only, value, path),
        _ => Some(mismatch(ty, value, path)),
    }
}

fn same_container(ty: &Type, value: &Value) -> bool {
    matches!(
        (ty, value),
        (Type::List(_) | Type::Tuple(_), Value::Array(_)) | (Type::Dict(_) | Type::Object { .. }, Value::Object(_))
    )
}

fn within(path: &mut String, step: &str, check: impl FnOnce(&mut String) -> Option<InputError>) -> Option<InputError> {
    let length = path.len();
    path.push_str(step);
    let found = check(path);
    path.truncate(length);
    found
}

fn member(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!(".{name}")
    }
}

fn mismatch(ty: &Type, value: &Value, path: &str) -> InputError {
    let expected = ty.to_syntax();
    let got = describe_value(value);
    if path.is_empty() {
        InputError::new(format!("the input must be {expected}, got {got}"))
    } else {
        InputError::new(format!("field \"{path}\": expected {expected}, got {got}"))
    }
}

/// The JSON value's ork type, with a short preview of scalars: `str "abc"`.
fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => format!("bool {flag}"),
        Value::Number(number) if number.is_f64() => format!("float {number}"),
        Value::Number(number) => format!("int {number}"),
        Value::String(_) => format!("str {}", preview(value)),
        Value::Array(items) if items.len() == 1 => "a list of 1 item".into(),
        Value::Array(items) => format!("a list of {} items", items.len()),
        Value::Object(_) => "an object".into(),
    }
}

fn preview(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= PREVIEW_CHARS {
        return text;
    }
    let head: String = text.chars().take(PREVIEW_CHARS).collect();
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Deserialize;

    use super::*;
    use crate::ork_object;

    ork_object! {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Line { sku: String, quantity: u32 }

        #[derive(Debug, Deserialize, PartialEq)]
        struct Order {
            id: i64,
            lines: Vec<Line>,
            note: Option<String>,
            extract: Option<Vec<i64>>,
            upstream: Option<HashMap<String, Value>>,
        }
    }

    fn error_of(text: &str) -> String {
        decode_input::<Order>(text).unwrap_err().to_string()
    }

    #[test]
    fn decodes_a_valid_input_ignoring_extra_keys() {
        let order =
            decode_input::<Order>(r#"{"id": 7, "lines": [{"sku": "a", "quantity": 2}], "extra": true}"#).unwrap();
        assert_eq!(order.id, 7);
        assert_eq!(order.lines, vec![Line { sku: "a".into(), quantity: 2 }]);
        assert_eq!(order.note, None);
    }

    #[test]
    fn a_field_named_like_an_upstream_task_receives_its_output() {
        let order =
            decode_input::<Order>(r#"{"id": 1, "lines": [], "upstream": {"extract": [1, 2], "other": 3}}"#).unwrap();
        assert_eq!(order.extract, Some(vec![1, 2]));
        assert_eq!(order.upstream.unwrap().len(), 2);
    }

    #[test]
    fn an_explicit_input_wins_over_an_upstream_output() {
        let order =
            decode_input::<Order>(r#"{"id": 1, "lines": [], "extract": [9], "upstream": {"extract": [1]}}"#).unwrap();
        assert_eq!(order.extract, Some(vec![9]));
    }

    #[test]
    fn missing_fields_are_named_with_their_path() {
        assert_eq!(error_of(r#"{"lines": []}"#), r#"missing field "id""#);
        assert_eq!(error_of(r#"{"id": 1, "lines": [{"sku": "a"}]}"#), r#"missing field "lines[0].quantity""#);
    }

    #[test]
    fn wrong_types_name_the_path_and_both_types() {
        assert_eq!(error_of(r#"{"id": "7", "lines": []}"#), r#"field "id": expected int, got str "7""#);
        assert_eq!(error_of(r#"{"id": 1.5, "lines": []}"#), r#"field "id": expected int, got float 1.5"#);
        assert_eq!(
            error_of(r#"{"id": 1, "lines": [{"sku": "a", "quantity": 1}, {"sku": 5, "quantity": 1}]}"#),
            r#"field "lines[1].sku": expected str, got int 5"#
        );
        assert_eq!(
            error_of(r#"{"id": 1, "lines": {}}"#),
            r#"field "lines": expected list[{sku: str, quantity: int}], got an object"#
        );
        assert_eq!(error_of(r#"{"id": 1, "lines": [], "note": 3}"#), r#"field "note": expected str | None, got int 3"#);
        assert_eq!(
            error_of(r#"{"id": 1, "lines": [], "extract": ["x"]}"#),
            r#"field "extract[0]": expected int, got str "x""#
        );
    }

    #[test]
    fn long_strings_are_cut_in_the_message() {
        let long = "x".repeat(100);
        let message = error_of(&format!(r#"{{"id": "{long}", "lines": []}}"#));
        assert_eq!(message, format!(r#"field "id": expected int, got str "{}…"#, &long[..39]));
    }

    #[test]
    fn serde_errors_the_type_check_cannot_see_are_passed_through() {
        assert_eq!(
            error_of(r#"{"id": 1, "lines": [{"sku": "a", "quantity": -1}]}"#),
            "invalid value: integer `-1`, expected u32"
        );
    }

    #[test]
    fn the_input_must_be_a_json_object() {
        assert_eq!(error_of("[1, 2]"), "the input must be a JSON object of named inputs, got a list of 2 items");
        assert!(error_of("{").starts_with("the input is not valid JSON: EOF while parsing an object"));
    }

    #[test]
    fn empty_input_is_an_empty_object() {
        assert_eq!(error_of("  \n"), r#"missing field "id""#);
    }
}
