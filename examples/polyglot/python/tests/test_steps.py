"""Unit tests of the polyglot example's Python tasks, called as plain
functions (the end-to-end test in tests/e2e/polyglot_test.cpp runs them
under ork)."""

from __future__ import annotations

import unittest

from polyglot_tasks.steps import Chart, Checksum, Stats, generate, normalise, report


class GenerateTest(unittest.TestCase):
    def test_is_deterministic_and_in_range(self) -> None:
        first = generate(50, 7)
        self.assertEqual(first, generate(50, 7))
        self.assertEqual(len(first.values), 50)
        self.assertTrue(all(0 <= value < 100 for value in first.values))
        self.assertNotEqual(first.values, generate(50, 8).values)

    def test_refuses_a_bad_count_or_seed(self) -> None:
        with self.assertRaisesRegex(ValueError, "count must be at least 1, not 0"):
            generate(0, 7)
        with self.assertRaisesRegex(ValueError, "seed must be between 1 and"):
            generate(3, 0)


class NormaliseTest(unittest.TestCase):
    def test_maps_onto_the_unit_interval(self) -> None:
        stats = Stats(count=3, total=30, min=5, max=15, mean=10.0)
        self.assertEqual(normalise([5, 10, 15], stats).scores, [0.0, 0.5, 1.0])

    def test_equal_values_all_score_zero(self) -> None:
        stats = Stats(count=2, total=8, min=4, max=4, mean=4.0)
        self.assertEqual(normalise([4, 4], stats).scores, [0.0, 0.0])


class ReportTest(unittest.TestCase):
    def test_gathers_the_result(self) -> None:
        stats = Stats(count=2, total=3, min=1, max=2, mean=1.5)
        result = report(Chart(lines=["a", "b"], peak=1), stats, Checksum(checksum="ff", count=2), "T")
        self.assertEqual((result.title, result.chart, result.samples, result.mean, result.checksum),
                         ("T", ["a", "b"], 2, 1.5, "ff"))

    def test_refuses_a_checksum_of_other_values(self) -> None:
        stats = Stats(count=2, total=3, min=1, max=2, mean=1.5)
        with self.assertRaisesRegex(ValueError, "covers 3 values but the statistics 2"):
            report(Chart(lines=[], peak=0), stats, Checksum(checksum="ff", count=3), "T")


if __name__ == "__main__":
    unittest.main()
