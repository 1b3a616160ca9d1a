//! A task's signature JSON, as ork reads it from `--ork-signature` (process
//! tasks) and `ork_task_signature` / `<symbol>_signature` (library tasks):
//! `{"inputs": {"NAME": TYPE, ...}, "output": TYPE, "defaults": [...]}`.
//! The input type's fields are the task's inputs; fields that may be absent
//! (`Option<T>`) are listed in `defaults`.

use std::fmt;

use serde_json::{Map, Value};

use crate::types::{OrkType, Type};

/// Why a task has no signature: its input type is not an object type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError {
    input_type: String,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the task's input type is `{}`, not an object type, so it declares no named inputs; \
             declare the input as a struct with ork_sdk::ork_object! (or implement OrkType for it \
             with Type::object)",
            self.input_type
        )
    }
}

impl std::error::Error for SignatureError {}

/// The signature JSON of a task from `I` to `O`, serialised on one line.
pub fn signature_json<I: OrkType, O: OrkType>() -> Result<String, SignatureError> {
    signature::<I, O>().map(|value| value.to_string())
}

/// The signature of a task from `I` to `O`.
pub fn signature<I: OrkType, O: OrkType>() -> Result<Value, SignatureError> {
    // A match, not let-else: the crate stays valid for Debian 12's rustc 1.63.
    let fields = match I::ork_type() {
        Type::Object { fields, .. } => fields,
        other => return Err(SignatureError { input_type: other.to_syntax() }),
    };
    let mut inputs = Map::new();
    let mut defaults = Vec::new();
    for field in &fields {
        inputs.insert(field.name.clone(), field.ty.to_json());
        if field.optional {
            defaults.push(Value::String(field.name.clone()));
        }
    }
    let mut result = Map::new();
    result.insert("inputs".into(), Value::Object(inputs));
    result.insert("output".into(), O::ork_type().to_json());
    if !defaults.is_empty() {
        result.insert("defaults".into(), Value::Array(defaults));
    }
    Ok(Value::Object(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use crate::ork_object;

    ork_object! {
        #[allow(dead_code)]
        struct Line { sku: String, quantity: u32 }
        #[allow(dead_code)]
        struct Order { id: i64, lines: Vec<Line>, note: Option<String> }
    }

    #[test]
    fn object_input_fields_become_inputs_and_options_defaults() {
        let json = signature_json::<Order, Vec<f64>>().unwrap();
        assert_eq!(
            json,
            r#"{"inputs":{"id":"int","lines":"list[{sku: str, quantity: int}]","note":"str | None"},"output":"list[float]","defaults":["note"]}"#
        );
    }

    #[test]
    fn named_output_object_keeps_its_name() {
        let json = signature_json::<Line, Order>().unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"inputs":{"sku":"str","quantity":"int"},"output":{"$name":"Order","fields":{"id":"int","#,
                r#""lines":"list[{sku: str, quantity: int}]","note?":"str | None"}}}"#
            )
        );
    }

    #[test]
    fn non_object_input_is_refused_with_advice() {
        let error = signature_json::<BTreeMap<String, i64>, i64>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "the task's input type is `dict[str, int]`, not an object type, so it declares no named inputs; \
             declare the input as a struct with ork_sdk::ork_object! (or implement OrkType for it with Type::object)"
        );
    }
}
