//! Named arguments for a plain Rust function called as a task (what ork's
//! rust language plugin generates: `pub fn score(name: String, points:
//! Vec<i64>) -> Scored`, no input struct). Each parameter is bound by the
//! rules ork's python executor applies:
//!
//! 1. the explicit input of its name;
//! 2. else the output of a direct upstream task of its name;
//! 3. else, for a parameter named `upstream`, `{task: output}` of them all;
//! 4. else `null` (an `Option` parameter is `None`; any other type fails,
//!    which ork's compiler prevents by refusing an unbound parameter).
//!
//! A function whose only parameter is a struct not bound by name receives the
//! whole input object instead ([`Arguments::take_whole`]), as in Python.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

const UPSTREAM_KEY: &str = "upstream";

/// The task's input object, taken apart one parameter at a time.
pub struct Arguments {
    inputs: Map<String, Value>,
    upstream: Map<String, Value>,
}

impl Arguments {
    /// Parses the input JSON text (empty text counts as `{}`).
    pub fn parse(text: &str) -> Result<Arguments, String> {
        let mut inputs = if text.trim().is_empty() {
            Map::new()
        } else {
            match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(object)) => object,
                Ok(_) => return Err("ork task input: the input must be a JSON object of named inputs".into()),
                Err(error) => return Err(format!("ork task input: the input is not valid JSON: {}", error)),
            }
        };
        let upstream = match inputs.remove(UPSTREAM_KEY) {
            Some(Value::Object(upstream)) => upstream,
            _ => Map::new(),
        };
        Ok(Arguments { inputs, upstream })
    }

    /// Whether parameter `name` is bound by name: an explicit input or an
    /// upstream task of that name.
    pub fn binds(&self, name: &str) -> bool {
        self.inputs.contains_key(name) || self.upstream.contains_key(name)
    }

    /// The whole input object as `T` (the whole-input form): the explicit
    /// inputs, each upstream output under its task's name unless an input
    /// has that name, and `upstream` itself. Fields `T` does not have are
    /// dropped by serde. The error names the parameter.
    pub fn take_whole<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, String> {
        let mut object = std::mem::take(&mut self.inputs);
        for (task, output) in &self.upstream {
            object.entry(task.clone()).or_insert_with(|| output.clone());
        }
        object.entry(UPSTREAM_KEY).or_insert_with(|| Value::Object(self.upstream.clone()));
        serde_json::from_value(Value::Object(object)).map_err(|error| {
            format!(
                "ork task input: cannot convert the input object (parameter '{}') to {}: {}",
                name,
                std::any::type_name::<T>(),
                error
            )
        })
    }

    /// The value of parameter `name` as `T`, bound by the rules above; the
    /// error names the parameter and the Rust type it expected.
    pub fn take<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, String> {
        let value = match self.inputs.remove(name) {
            Some(value) => value,
            None => match self.upstream.get(name) {
                Some(output) => output.clone(),
                None if name == UPSTREAM_KEY => Value::Object(self.upstream.clone()),
                None => Value::Null,
            },
        };
        serde_json::from_value(value).map_err(|error| {
            format!("ork task input: cannot convert input '{}' to {}: {}", name, std::any::type_name::<T>(), error)
        })
    }
}
