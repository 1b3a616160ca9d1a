//! An ork library task built with `ork_sdk::export_task!`: a `cdylib` with
//! two tasks. The workflow names the exported symbol in `function:`:
//!
//! ```yaml
//! scale:
//!   executor: library
//!   file: target/release/examples/liblibrary_task.so
//!   inputs: {values: [1, 2, 3], factor: 10}      # function: ork_task_run (the default)
//! mean:
//!   executor: library
//!   file: target/release/examples/liblibrary_task.so
//!   function: mean_of_numbers
//!   inputs: {numbers: {from: scale.values}}
//! ```

use serde::{Deserialize, Serialize};

ork_sdk::ork_object! {
    #[derive(Debug, Deserialize)]
    pub struct ScaleInput {
        pub values: Vec<i64>,
        pub factor: Option<i64>,
    }

    #[derive(Debug, Serialize)]
    pub struct Scaled {
        pub values: Vec<i64>,
        pub total: i64,
    }

    #[derive(Debug, Deserialize)]
    pub struct MeanInput {
        pub numbers: Vec<f64>,
    }
}

// `ork_task_run`, `ork_task_signature`, and the library-wide `ork_task_free`,
// `ork_task_last_error`, `ork_task_abi_version`.
ork_sdk::export_task!(scale);
// `mean_of_numbers` and `mean_of_numbers_signature`.
ork_sdk::export_task!(mean as mean_of_numbers);

pub fn scale(input: ScaleInput) -> Result<Scaled, String> {
    let factor = input.factor.unwrap_or(2);
    let values = input
        .values
        .iter()
        .map(|value| value.checked_mul(factor).ok_or_else(|| format!("{value} * {factor} overflows a 64-bit integer")))
        .collect::<Result<Vec<i64>, String>>()?;
    let total = values
        .iter()
        .try_fold(0_i64, |sum, value| sum.checked_add(*value))
        .ok_or("the total overflows a 64-bit integer")?;
    Ok(Scaled { values, total })
}

/// The mean, or null for an empty list.
pub fn mean(input: MeanInput) -> Result<Option<f64>, String> {
    if input.numbers.is_empty() {
        return Ok(None);
    }
    Ok(Some(input.numbers.iter().sum::<f64>() / input.numbers.len() as f64))
}
