//! The `stats` task of the polyglot example, as an ork **library** task: a
//! `cdylib` that ork loads once and calls in-process, no process start per
//! task. `ork_sdk::export_task!` exports the task ABI of `ork/task.h`
//! (`ork_task_run`, `ork_task_signature`, `ork_task_free`, ...), and the
//! signature it reports comes from the `ork_object!` declarations below, so
//! `ork validate` type-checks this task's edges with no types in the YAML.

use serde::{Deserialize, Serialize};

ork_sdk::ork_object! {
    /// What the task reads: the samples the Python `generate` task produced.
    #[derive(Debug, Deserialize)]
    pub struct StatsInput {
        pub values: Vec<i64>,
    }

    /// Summary statistics; the Python `normalise` and `report` tasks take it
    /// as their `stats` parameter (a dataclass of the same fields).
    #[derive(Debug, PartialEq, Serialize)]
    pub struct Stats {
        pub count: i64,
        pub total: i64,
        pub min: i64,
        pub max: i64,
        pub mean: f64,
    }
}

// Exports `ork_task_run` (the library executor's default `function:`) and
// its signature, plus the library-wide support functions.
ork_sdk::export_task!(summarise);

/// Count, sum, extremes and mean of `values`; an empty list or a sum that
/// overflows 64 bits fails the task with a message saying so.
pub fn summarise(input: StatsInput) -> Result<Stats, String> {
    let values = input.values;
    let (Some(&min), Some(&max)) = (values.iter().min(), values.iter().max()) else {
        return Err("cannot summarise an empty list of values: generate at least one sample".to_string());
    };
    let total = values
        .iter()
        .try_fold(0_i64, |sum, value| sum.checked_add(*value))
        .ok_or("the sum of the values overflows a 64-bit integer")?;
    let count = i64::try_from(values.len()).map_err(|_| "more values than a 64-bit count holds".to_string())?;
    Ok(Stats { count, total, min, max, mean: total as f64 / count as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises_values() {
        let stats = summarise(StatsInput { values: vec![4, -2, 10] }).unwrap();
        assert_eq!(stats, Stats { count: 3, total: 12, min: -2, max: 10, mean: 4.0 });
    }

    #[test]
    fn refuses_an_empty_list() {
        let error = summarise(StatsInput { values: vec![] }).unwrap_err();
        assert!(error.contains("empty list"), "{error}");
    }

    #[test]
    fn reports_overflow() {
        let error = summarise(StatsInput { values: vec![i64::MAX, 1] }).unwrap_err();
        assert!(error.contains("overflows"), "{error}");
    }
}
