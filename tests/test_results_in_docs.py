"""Figures the docs quote from committed result files agree with those files.

``docs/ODD.md`` section 9 ("A stationary baseline") tabulates the means over seeds of
``experiments/patterns/baseline_stationarity.py``: the "before" columns from
``results/baseline_stationarity_before_issue12.csv``, the "now" columns from
``results/baseline_stationarity.csv``. Each number in a cell must equal the file's mean over
seeds, rounded to the decimals the cell shows. The held-out upgrading rate and the P2
shrinkage per price rule are checked against ``results/upgrading_rate.csv`` and
``results/p2_price_formation.csv`` the same way, and the counts of runs that lose a
district's civic life over 30 seeds against ``results/baseline_stationarity_30_seeds*.csv``,
and P6's 40-seed comparison in the default city against ``results/p6_default_city.csv``,
and the cheapest district's fall in price against ``results/cheapest_district.csv`` (whose
scale-0.05 rows the test also reruns).
A model change that re-runs a script without
updating the docs (or the reverse) fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
RESULTS = ROOT / "experiments" / "patterns" / "results"
HEADER = (
    "| measure (mean over seeds 1-5) | before, scale 0.1 | before, 1.0 | now, scale 0.1 | "
    "now, 1.0 |"
)
COLUMNS = (
    ("baseline_stationarity_before_issue12.csv", 0.1),
    ("baseline_stationarity_before_issue12.csv", 1.0),
    ("baseline_stationarity.csv", 0.1),
    ("baseline_stationarity.csv", 1.0),
)
ROWS = {
    "districts falling from >= 0.5% participation": (("districts_participation_lost", 1),),
    "districts falling from identity": (("districts_identity_lost", 1),),
    "districts under 1% participation": (("districts_participation_below_1pct", 1),),
    "city members per resident": (("members_ratio", 1),),
    "city participation": (("city_participation_year0", 100), ("city_participation_year19", 100)),
    "price Gini": (("price_gini_month0", 1), ("price_gini_year19", 1)),
    "SD of log district mean income": (("sd_log_income_month0", 1), ("sd_log_income_year19", 1)),
}
"""Row label (start) -> the CSV columns its cell shows, in order, and the factor to the shown
unit (100 for a percentage)."""

NUMBER = re.compile(r"\d+(?:\.(\d+))?")


def stationarity_table() -> dict[str, list[str]]:
    """Return the cells of ODD section 9's stationarity table, by row label."""
    lines = ODD.read_text(encoding="utf-8").splitlines()
    assert HEADER in lines, f"docs/ODD.md: no table with the header {HEADER!r}"
    rows = {}
    for line in lines[lines.index(HEADER) + 2 :]:
        if not line.startswith("|"):
            break
        label, *cells = [c.strip() for c in line.strip("|").split("|")]
        rows[label] = cells
    return rows


@pytest.mark.parametrize("row", list(ROWS))
def test_stationarity_table_matches_the_result_files(row: str) -> None:
    table = stationarity_table()
    (label,) = [name for name in table if name.startswith(row)]
    means = {
        (file, scale): pd.read_csv(RESULTS / file).query("scale == @scale").mean(numeric_only=True)
        for file, scale in COLUMNS
    }
    problems = []
    for (file, scale), cell in zip(COLUMNS, table[label], strict=True):
        shown = list(NUMBER.finditer(cell))
        assert len(shown) == len(ROWS[row]), f"{label!r}: cell {cell!r} has {len(shown)} numbers"
        for match, (column, factor) in zip(shown, ROWS[row], strict=True):
            decimals = len(match.group(1) or "")
            value = float(means[(file, scale)][column]) * factor
            if abs(float(match.group(0)) - value) > 0.5 * 10**-decimals + 1e-9:
                problems.append(
                    f"{column} at scale {scale} ({file}): docs show {match.group(0)}, the file's "
                    f"mean over seeds is {value:.4f}"
                )
    assert not problems, f"docs/ODD.md section 9, row {label!r}:\n" + "\n".join(problems)


def mean_ci_text(values: pd.Series, fmt: str, factor: float = 1.0) -> str:
    """Return ``mean [lo, hi]`` (95% Student-t interval over replicates) in ``fmt``."""
    x = values.to_numpy(dtype=float) * factor
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    m = x.mean()
    return f"{m:{fmt}} [{m - half:{fmt}}, {m + half:{fmt}}]"


def test_upgrading_rate_in_the_odd_matches_its_result_file() -> None:
    """The held-out upgrading rate (ODD section 9) is the mean of results/upgrading_rate.csv."""
    rows = pd.read_csv(RESULTS / "upgrading_rate.csv")
    text = ODD.read_text(encoding="utf-8")
    rate = mean_ci_text(rows["rate_per_year"], "+.2f", 100).replace(" [", "% a year [")
    gap = mean_ci_text(rows["gap_end_of_window"], "+.1f", 100).replace(" [", "% [")
    later = mean_ci_text(rows["gap_five_years_later"], "+.1f", 100).replace(" [", "% [")
    for quoted in (rate, gap, later):
        assert quoted in text, f"docs/ODD.md should quote {quoted!r} (results/upgrading_rate.csv)"


def test_p2_price_rules_in_the_odd_match_their_result_file() -> None:
    """The shrinkage per price rule quoted in ODD section 1 comes from p2_price_formation.csv."""
    rows = pd.read_csv(RESULTS / "p2_price_formation.csv")
    text = ODD.read_text(encoding="utf-8")
    for setting, group in rows.groupby("setting"):
        on = group[~group["b_reputation_off"]].set_index("seed")["gap_year19_eur_m2"]
        off = group[group["b_reputation_off"]].set_index("seed")["gap_year19_eur_m2"]
        diff = on - off
        quoted = f"{mean_ci_text(diff, '+.0f')} EUR/m2 ({diff.mean() / on.mean():.0%})"
        quoted_short = f"{mean_ci_text(diff, '+.0f')} ({diff.mean() / on.mean():.0%})"
        assert quoted in text or quoted_short in text, (
            f"docs/ODD.md should quote the P2 shrinkage of setting {setting!r} as {quoted!r} "
            "(results/p2_price_formation.csv)"
        )


def test_p2_held_out_seeds_in_the_odd_match_their_result_file() -> None:
    """ODD section 1 quotes P2's check on seeds 41-60 (not used to choose the price rule) from
    ``results/p2_price_formation_seeds_41_60.csv``."""
    rows = pd.read_csv(RESULTS / "p2_price_formation_seeds_41_60.csv")
    assert sorted(rows["seed"].unique()) == list(range(41, 61))
    on = rows[~rows["b_reputation_off"]].set_index("seed")["gap_year19_eur_m2"]
    off = rows[rows["b_reputation_off"]].set_index("seed")["gap_year19_eur_m2"]
    diff = on - off
    quoted = f"{diff.mean() / on.mean():.0%}, {mean_ci_text(diff, '+.0f')}, over seeds 41-60"
    assert quoted in ODD.read_text(encoding="utf-8"), f"docs/ODD.md should quote {quoted!r}"


@pytest.mark.parametrize(
    "file", ["baseline_stationarity_30_seeds.csv", "baseline_stationarity_30_seeds_sharp_cut.csv"]
)
def test_civic_losses_over_30_seeds_in_the_odd_match_their_result_files(file: str) -> None:
    """ODD section 9 (item 15) counts the runs that lose a district's civic life, per file."""
    rows = pd.read_csv(RESULTS / file)
    participation, identity = rows["districts_participation_lost"], rows["districts_identity_lost"]
    quoted = (
        f"`results/{file}`: {(participation > 0).sum()} of {len(rows)} runs with a district "
        f"below 0.5% participation ({participation.sum()} district-runs), "
        f"{(identity > 0).sum()} with a district below identity 0.1"
    )
    assert quoted in ODD.read_text(encoding="utf-8"), f"docs/ODD.md should quote {quoted!r}"


def test_p6_default_city_figures_in_the_odd_match_their_result_file() -> None:
    """ODD section 1 (P6) quotes the 40-seed comparison of results/p6_default_city.csv."""
    rows = pd.read_csv(RESULTS / "p6_default_city.csv")
    text = ODD.read_text(encoding="utf-8")
    for city, group in rows.groupby("city"):
        gini = group["gini_competitive"] - group["gini_equal"]
        quoted = [mean_ci_text(gini, "+.4f")]
        gap = group["log_price_strong_over_weak_m0"]
        dearer = int((gap > 0).sum())
        if city == "default":
            innovation = group["innovation_gini_competitive"] - group["innovation_gini_equal"]
            quoted.append(f"widens by {mean_ci_text(innovation, '+.3f')} ({len(group)} seeds")
            quoted.append(
                f"{gap.mean():+.2f} below the weak half's, {len(group)} seeds; "
                f"dearer in {dearer} seed"
            )
        else:
            quoted.append(f"the dearer half ({gap.mean():+.2f}; dearer in {dearer} seeds)")
        for q in quoted:
            assert q in text, f"docs/ODD.md should quote {q!r} (p6_default_city.csv, {city})"


def test_the_cheapest_districts_fall_in_the_docs_is_the_result_files_and_reproduces() -> None:
    """ODD section 9, "The cheapest district falls behind": Jakomäki's price over the city's
    at the ends of years 0, 2 and 4 per scale, the first-year and five-year falls and the
    max / min ratio at month 59 are those of ``results/cheapest_district.csv``; the file's
    scale-0.05 rows are what the script gives today."""
    import sys

    rows = pd.read_csv(RESULTS / "cheapest_district.csv")
    text = " ".join(ODD.read_text(encoding="utf-8").split())
    start = text.index("**The cheapest district falls behind**")
    para = text[start : text.index("**", start + 40)]
    ratio = {(r.scale, r.month): r.relative_to_month0 for r in rows.itertuples()}
    for scale in (0.05, 0.1, 1.0):
        triple = ", ".join(f"{ratio[(scale, m)]:.2f}" for m in (11, 35, 59))
        assert triple in para, f"scale {scale}: expected {triple} in ODD's paragraph"
    first = 100 * (1 - rows.loc[rows["month"] == 11, "relative_to_month0"])
    five = 100 * (1 - rows.loc[rows["month"] == 59, "relative_to_month0"])
    assert f"falls {first.min():.1f}-{first.max():.1f}% in the first year" in para
    assert f"{five.min():.0f}-{five.max():.0f}% within five years" in para
    at_59 = rows.loc[rows["month"] == 59, "max_min_price_ratio"]
    assert f"4.05 to {at_59.min():.2f}-{at_59.max():.2f} by month 59" in para
    sys.path.insert(0, str(ROOT / "experiments" / "patterns"))
    try:
        from cheapest_district import measure
    finally:
        sys.path.remove(str(ROOT / "experiments" / "patterns"))
    again = pd.DataFrame(measure(0.05))
    kept = rows[rows["scale"] == 0.05].reset_index(drop=True)
    pd.testing.assert_frame_equal(again, kept, check_dtype=False)


def test_the_dashboard_doc_quotes_the_quiet_district_counts_of_the_baseline() -> None:
    """docs/dashboard.md's note on scale: districts under 1% participation in year 19, mean
    over seeds 1-5 at 0.1 and 1.0 and the range by seed, from ``baseline_stationarity.csv``."""
    rows = pd.read_csv(RESULTS / "baseline_stationarity.csv")
    quiet = rows.groupby("scale")["districts_participation_below_1pct"]
    doc = " ".join((ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8").split())
    mean, low, high = quiet.mean(), quiet.min().min(), quiet.max().max()
    expected = (
        f"{mean[0.1]:.1f} and {mean[1.0]:.1f} on average over seeds 1-5, {low}-{high} by seed"
    )
    assert expected in doc, f"docs/dashboard.md should say {expected!r}"


def test_the_quietest_districts_participation_in_the_odd_matches_the_baseline() -> None:
    """ODD section 9: the quietest district's participation in years 0 and 19 (means over seeds
    1-5 per scale) and its year-0 range at 0.1, from ``baseline_stationarity.csv``."""
    rows = pd.read_csv(RESULTS / "baseline_stationarity.csv")
    text = " ".join(ODD.read_text(encoding="utf-8").split())
    by = rows.groupby("scale")
    first = 100 * by["quietest_participation_year0"].mean()
    last = 100 * by["quietest_participation_year19"].mean()
    quoted = (
        f"goes from {first[0.1]:.2f}% participation in year 0 to {last[0.1]:.2f}% in year 19 "
        f"at scale 0.1, and from {first[1.0]:.2f}% to {last[1.0]:.2f}% at 1.0"
    )
    assert quoted in text, f"docs/ODD.md should say {quoted!r}"
    at_01 = 100 * rows.loc[rows["scale"] == 0.1, "quietest_participation_year0"]
    assert f"takes part at {at_01.min():.2f}-{at_01.max():.2f}% in year 0" in text
