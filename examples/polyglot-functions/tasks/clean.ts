// Step 2 (TypeScript): trims names and drops impossible readings.
type int = number;

export interface Reading {
  player: string;
  points: int;
}

export function clean(rows: Reading[], max_points?: int): Reading[] {
  const limit = max_points ?? 100;
  const kept = rows
    .map((r) => ({ player: r.player.trim(), points: r.points }))
    .filter((r) => r.player.length > 0 && r.points >= 0 && r.points <= limit);
  console.log(`kept ${kept.length} of ${rows.length} readings`);
  return kept;
}
