// Step 3 (Rust): adds up each player's points.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize)]
pub struct Reading {
    pub player: String,
    pub points: i64,
}

#[derive(Serialize, Deserialize)]
pub struct Scored {
    pub player: String,
    pub total: i64,
    pub games: i64,
}

pub fn score(rows: Vec<Reading>) -> Vec<Scored> {
    let mut totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in rows {
        let entry = totals.entry(r.player).or_insert((0, 0));
        entry.0 += r.points;
        entry.1 += 1;
    }
    totals
        .into_iter()
        .map(|(player, (total, games))| Scored { player, total, games })
        .collect()
}
