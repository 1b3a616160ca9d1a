//! The `histogram` task of the polyglot example, as an ork **process** task
//! built with the Rust SDK: `ork_sdk::run` reads the input object from
//! stdin, calls `histogram`, prints `ORK_OUTPUT:<json>`, and answers
//! `--ork-signature` so `ork validate` knows this program's types without
//! `input_type`/`output_type` in the YAML.

use serde::{Deserialize, Serialize};

ork_sdk::ork_object! {
    /// Scores in [0, 1] (from the Python `normalise` task) and how many
    /// buckets to sort them into (optional; 5 when absent).
    #[derive(Debug, Deserialize)]
    struct HistogramInput {
        scores: Vec<f64>,
        buckets: Option<i64>,
    }

    /// How many scores fell into each equal-width bucket of [0, 1]; read by
    /// the C++ `render` task.
    #[derive(Debug, PartialEq, Serialize)]
    struct Histogram {
        counts: Vec<i64>,
        bucket_width: f64,
    }
}

const DEFAULT_BUCKETS: i64 = 5;

fn main() {
    ork_sdk::run(histogram)
}

fn histogram(input: HistogramInput) -> Result<Histogram, String> {
    let buckets = input.buckets.unwrap_or(DEFAULT_BUCKETS);
    if !(1..=1000).contains(&buckets) {
        return Err(format!("buckets must be between 1 and 1000, not {buckets}"));
    }
    let mut counts = vec![0_i64; buckets as usize];
    for (index, score) in input.scores.iter().enumerate() {
        if !(0.0..=1.0).contains(score) {
            return Err(format!("scores[{index}] is {score}, outside [0, 1]: normalise the scores first"));
        }
        // A score of exactly 1.0 belongs to the last bucket, not one past it.
        let bucket = ((score * buckets as f64) as usize).min(counts.len() - 1);
        counts[bucket] += 1;
    }
    // A log line of the task (anything but the ORK_OUTPUT line is logged).
    println!("sorted {} scores into {buckets} buckets", input.scores.len());
    Ok(Histogram { counts, bucket_width: 1.0 / buckets as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_scores_including_both_ends() {
        let result = histogram(HistogramInput { scores: vec![0.0, 0.1, 0.5, 0.99, 1.0], buckets: Some(4) }).unwrap();
        assert_eq!(result, Histogram { counts: vec![2, 0, 1, 2], bucket_width: 0.25 });
    }

    #[test]
    fn refuses_scores_outside_the_unit_interval() {
        let error = histogram(HistogramInput { scores: vec![0.5, 1.5], buckets: None }).unwrap_err();
        assert_eq!(error, "scores[1] is 1.5, outside [0, 1]: normalise the scores first");
    }
}
