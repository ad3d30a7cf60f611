"""The performance figures quoted in the README come from the committed benchmark results.

``README.md``'s "Performance" section quotes the run benchmark (whole process per scale),
the engine benchmark (vectorised engine against the per-agent reference) and the 1,000-run
Sobol sweep. Each figure is compared with its file in ``experiments/benchmarks/results/``,
so a rerun of a benchmark without updating the README (or the reverse) fails here.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "benchmarks" / "results"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Performance")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def _rows(name: str) -> list[dict[str, str]]:
    with (RESULTS / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _table(section: str) -> dict[float, list[str]]:
    """Return the scale table's cells by scale (the rows that start with a scale)."""
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and re.fullmatch(r"[0-9.]+", cells[0]):
            rows[float(cells[0])] = cells
    return rows


RUNS = sorted(_rows("run_benchmark.csv"), key=lambda r: float(r["scale"]))


@pytest.mark.parametrize("i", range(len(RUNS)), ids=lambda i: RUNS[i]["scale"])
def test_scale_table_matches_the_run_benchmark(i: int) -> None:
    row = RUNS[i]
    cells = _table(_section()).get(float(row["scale"]))
    assert cells is not None, f"README's performance table has no row for scale {row['scale']}"
    residents, wall, peak, per, marginal = cells[1:6]
    assert _number(residents) == _number(row["residents"]), "residents differ"
    assert wall == f"{float(row['median_wall_s']):.1f} s", f"wall time {wall} differs"
    assert peak == f"{float(row['median_peak_mb']):.0f} MB", f"peak memory {peak} differs"
    assert _number(per) == pytest.approx(float(row["model_us_per_resident_month"]), abs=5e-4), (
        f"cost per resident-month {per} differs"
    )
    if i == 0:
        assert marginal == "", "expected no marginal cost for the smallest scale"
        return
    below = RUNS[i - 1]
    added = (int(row["residents"]) - int(below["residents"])) * 240
    expected = 1e6 * (float(row["median_model_s"]) - float(below["median_model_s"])) / added
    assert _number(marginal) == pytest.approx(expected, abs=5e-4), f"marginal {marginal} differs"


def test_full_city_figures_match_the_run_benchmark() -> None:
    full = next(r for r in RUNS if float(r["scale"]) == 1.0)
    section = _section()
    assert f"full city takes {float(full['median_wall_s']):.1f} s" in section
    assert f"memory, {float(full['median_peak_mb']):.0f} MB" in section


ENGINE = _rows("engine_benchmark.csv")


@pytest.mark.parametrize("i", range(len(ENGINE)), ids=lambda i: ENGINE[i]["scale"])
def test_engine_ratios_match_the_engine_benchmark(i: int) -> None:
    row = ENGINE[i]
    text = " ".join(_section().split())  # line breaks as spaces
    keys = [
        "vectorised_resident_steps_per_s",
        "reference_resident_steps_per_s",
        "vectorised_rules_steps_per_s",
        "reference_rules_steps_per_s",
    ]
    for key in keys:
        quoted = f"{int(row[key]):,}"
        assert quoted in text, f"README does not quote {key} = {quoted} (scale {row['scale']})"
    for key in ("ratio", "rules_ratio"):
        assert f"{float(row[key]):.0f} times" in text, f"README does not quote the {key}"
    assert f"{float(row['ratio_1_thread']):.0f} times on one thread" in text
    if float(row["scale"]) == 0.1:  # the district phases' share of the engine's month
        share = 1 - float(row["vectorised_resident_steps_per_s"]) / float(
            row["vectorised_rules_steps_per_s"]
        )
        assert f"take about {round(share * 10) * 10}% of the engine's month" in text, share


def test_engine_benchmark_covers_a_small_city_and_the_full_city() -> None:
    scales = sorted(float(r["scale"]) for r in ENGINE)
    assert scales[0] <= 0.1 and scales[-1] == 1.0, f"expected scales 0.1 and 1.0, got {scales}"


def test_sobol_sweep_time_matches_the_sweep_benchmark() -> None:
    row = _rows("sweep_benchmark_sobol_city_1000.csv")[0]
    minutes = float(row["median_wall_s"]) / 60
    assert f"{minutes:.1f} minutes" in _section(), "README does not quote the Sobol sweep's time"


def test_full_scale_dashboard_figures_match_the_dashboard_benchmark() -> None:
    row = _rows("dashboard_benchmark_full_scale.csv")[0]
    text = " ".join(_section().split())  # line breaks as spaces
    assert f"a Step updates the page in {float(row['page_median_ms']):.0f} ms" in text
    assert f"{float(row['page_max_ms']):.0f} ms at worst" in text


def test_dashboard_play_time_matches_the_dashboard_benchmark() -> None:
    row = next(r for r in _rows("dashboard_benchmark.csv") if r["scenario"] == "helsinki")
    text = " ".join(_section().split())
    seconds = float(row["play_whole_run_median_s"])
    assert seconds < 30, f"issue 17: 20 years at scale 0.1 play in under 30 s, took {seconds}"
    assert f"plays the whole 20 years in {seconds:.1f} s" in text


def test_dashboard_doc_speed_figures_match_the_dashboard_benchmark() -> None:
    """docs/dashboard.md's Speed section and its Play line quote the default-scale row."""
    row = next(r for r in _rows("dashboard_benchmark.csv") if r["scenario"] == "helsinki")
    doc = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    start = doc.index("## Speed")
    speed = " ".join(doc[start : doc.index("\n## ", start + 1)].split())
    assert f"about {float(row['browser_model_step_median_ms']):.0f} ms to simulate" in speed
    assert (
        f"{float(row['page_median_ms']):.0f} ms after a Step click (median), "
        f"{float(row['page_p90_ms']):.0f} ms at the 90th percentile"
    ) in speed
    assert f"views take about {float(row['split_views_ms']):.0f} ms of that" in speed
    seconds = float(row["play_whole_run_median_s"])
    assert f"plays the whole 20 years in {seconds:.1f} s" in speed
    assert f"play in about {seconds:.0f} s" in " ".join(doc.split())
    tutorial = " ".join((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8").split())
    assert f"go by (about {seconds:.0f} seconds;" in tutorial, "the tutorial's Play time"
    full = _rows("dashboard_benchmark_full_scale.csv")[0]
    step_s = float(full["page_median_ms"]) / 1000
    assert f"shows on the page after about {step_s:.1f} s" in " ".join(doc.split())
