//! An ork process task built with `ork_sdk::run`: scales a list of integers.
//!
//! ```text
//! $ echo '{"values": [1, 2], "factor": 3}' | cargo run -q --example process_task
//! scaling 2 values by 3
//! ORK_OUTPUT:{"values":[3,6],"total":9}
//! $ cargo run -q --example process_task -- --ork-signature
//! {"inputs":{"values":"list[int]","factor":"int | None"},"output":{"$name":"Scaled",...},"defaults":["factor"]}
//! ```

use serde::{Deserialize, Serialize};

ork_sdk::ork_object! {
    #[derive(Debug, Deserialize)]
    struct ScaleInput {
        values: Vec<i64>,
        factor: Option<i64>,
    }

    #[derive(Debug, Serialize)]
    struct Scaled {
        values: Vec<i64>,
        total: i64,
    }
}

fn main() {
    ork_sdk::run(scale)
}

fn scale(input: ScaleInput) -> Result<Scaled, String> {
    let factor = input.factor.unwrap_or(2);
    println!("scaling {} values by {factor}", input.values.len());
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
