"""Scale invariance (MODEL sections 2 and 7): results are in real units and must not
depend on ``scale`` beyond sampling noise.

two_districts is run for 60 months at scale 0.02 (6 replicate seeds) and 0.1
(3 replicate seeds). For each district and variable the final-year value (mean
over months 48-59) is averaged over replicates, and the two scales must agree
within ``4 * sqrt(se_small^2 + se_large^2) + tolerance``, where the se are
standard errors over replicates and the tolerance is a small absolute margin
stated per variable below.

Power: with these replicate counts the bound on price is about +-200 EUR/m2 (~4%) at the
defaults of issue 12's third session (+-80-100, ~2%, before issue 12).
``test_city_mean_price_scale_invariance_at_0_01`` also checks the city mean
price at scale 0.01, where a log of small monthly demand counts once biased
prices low (now the counts are smoothed before the ratio is taken).

``test_civic_regimes_agree_across_scales`` compares the default city's civic regimes
(districts by year-20 participation: under 1%, 1-10%, 10% or more) at scales 0.05, 0.1
and 1.0 (issue 12, point 2): a strict expected failure before issue 12; it holds now.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario
from helpers import run_seeds

pytestmark = pytest.mark.slow

MONTHS = 60
FINAL_YEAR = MONTHS - 12
SMALL, LARGE, TINY = 0.02, 0.1, 0.01
SEEDS_SMALL = list(range(1, 7))
SEEDS_LARGE = list(range(101, 104))
SEEDS_TINY = list(range(201, 209))
VARIABLES = [
    "population",
    "price_eur_m2",
    "identity",
    "reputation",
    "liveability",
    "participation_rate",
]

# Absolute tolerance added to the noise bound, per variable, with the reason.
TOLERANCE = {
    # One simulated resident at scale 0.02 stands for 1/0.02 = 50 persons: the reporting quantum.
    "population": 1 / SMALL,
    # 10 EUR/m2 is ~0.2% of the ~4,500 EUR/m2 start price, far below any price effect the model
    # reports.
    "price_eur_m2": 10.0,
    # 0..1 indices: a difference of 0.005 is below the resolution any result is read at.
    "identity": 0.005,
    "reputation": 0.005,
    "liveability": 0.005,
    # One simulated resident of the 400 per district at scale 0.02 is a share of 1/400 = 0.0025.
    "participation_rate": 1 / (20000 * SMALL),
}
RUNTIME_BUDGET_S = 60.0


def _replicates(scale: float, seeds: list[int]) -> tuple[pd.DataFrame, pd.Series, float]:
    """Final-year means per (seed, district) and city mean price per seed, and the wall time."""
    scenario = load_scenario(
        "two_districts", [f"scenario.months={MONTHS}", f"scenario.scale={scale}"]
    )
    started = time.perf_counter()
    rows, city = [], {}
    for seed in seeds:
        result = run_scenario(scenario, seed=seed)
        final = result.districts[result.districts["month"] >= FINAL_YEAR]
        means = final.groupby("district", observed=True)[VARIABLES].mean()
        means["seed"] = seed
        rows.append(means.reset_index())
        city[seed] = float(
            result.city.loc[result.city["month"] >= FINAL_YEAR, "price_eur_m2_mean"].mean()
        )
    return pd.concat(rows, ignore_index=True), pd.Series(city), time.perf_counter() - started


@pytest.fixture(scope="module")
def replicates() -> dict[str, object]:
    small, city_small, t_small = _replicates(SMALL, SEEDS_SMALL)
    large, city_large, t_large = _replicates(LARGE, SEEDS_LARGE)
    return {
        "small": small,
        "large": large,
        "city_small": city_small,
        "city_large": city_large,
        "seconds": t_small + t_large,
    }


def _mean_se(values: pd.Series) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def test_replicate_runtime_is_modest(replicates) -> None:
    seconds = replicates["seconds"]
    n = len(SEEDS_SMALL) + len(SEEDS_LARGE)
    assert seconds < RUNTIME_BUDGET_S, (
        f"expected the {n} replicate runs to take under {RUNTIME_BUDGET_S:.0f} s, took "
        f"{seconds:.1f} s"
    )


def test_replicates_differ(replicates) -> None:
    for key in ("small", "large"):
        spread = replicates[key].groupby("district", observed=True)["price_eur_m2"].std(ddof=1)
        assert (spread > 0).all(), (
            f"expected replicate seeds at {key} scale to give different prices (non-zero "
            f"spread), got {spread.to_dict()}"
        )


@pytest.mark.parametrize("district", ["Traditional", "Creative"])
@pytest.mark.parametrize("variable", VARIABLES)
def test_final_year_means_agree_across_scales(replicates, variable: str, district: str) -> None:
    small = replicates["small"]
    large = replicates["large"]
    m_s, se_s = _mean_se(small.loc[small["district"] == district, variable])
    m_l, se_l = _mean_se(large.loc[large["district"] == district, variable])
    bound = 4 * np.hypot(se_s, se_l) + TOLERANCE[variable]
    diff = m_s - m_l
    assert abs(diff) < bound, (
        f"expected {district} {variable} (final-year mean) to agree across scales within "
        "sampling noise: "
        f"scale {SMALL} -> {m_s:.4g} (se {se_s:.2g}, n={len(SEEDS_SMALL)}), scale {LARGE} "
        f"-> {m_l:.4g} (se {se_l:.2g}, n={len(SEEDS_LARGE)}); "
        f"|diff| {abs(diff):.4g} >= bound {bound:.4g}"
    )


def test_population_in_real_units(replicates) -> None:
    for key, scale in (("small", SMALL), ("large", LARGE)):
        pop = replicates[key]["population"]
        assert pop.between(15_000, 25_000).all(), (
            f"expected ~20,000 residents per district in real units at scale {scale}, got "
            f"{pop.round().tolist()}"
        )


def test_city_mean_price_scale_invariance_at_0_01(replicates) -> None:
    _, city_tiny, _ = _replicates(TINY, SEEDS_TINY)
    m_t, se_t = _mean_se(city_tiny)
    m_l, se_l = _mean_se(replicates["city_large"])
    bound = 4 * np.hypot(se_t, se_l) + TOLERANCE["price_eur_m2"]
    assert abs(m_t - m_l) < bound, (
        f"expected the final-year city mean price to agree across scales: scale {TINY} -> "
        f"{m_t:.0f} (se {se_t:.1f}, n={len(SEEDS_TINY)}), scale {LARGE} -> {m_l:.0f} (se "
        f"{se_l:.1f}, n={len(SEEDS_LARGE)}); |diff| {abs(m_t - m_l):.0f} >= bound "
        f"{bound:.0f}"
    )


REGIME_SCALES = (0.05, 0.1, 1.0)
REGIME_SEEDS = {0.05: (1, 2, 3, 4, 5), 0.1: (1, 2, 3, 4, 5), 1.0: (1, 2)}
"""Seeds per scale: the quiet count varies from seed to seed at small scale (a handful of
districts sit near 1%, and at scale 0.1 their yearly participation moves by a tenth of a point
with sampling noise), at scale 1.0 hardly at all (8 in each of seeds 1-5 at the defaults of
issue 12's second session)."""


def civic_profiles(scale: float, seeds) -> list[tuple[np.ndarray, float]]:
    """Run the default city per seed (two processes); return each run's districts' year-20
    participation (sorted) and the city's participation in year 20."""
    results = run_seeds(load_scenario("helsinki", [f"scenario.scale={scale}"]), seeds)
    return [civic_profile(result) for result in results]


def civic_profile(result) -> tuple[np.ndarray, float]:
    """Return the districts' year-20 participation (sorted) and the city's in year 20."""
    d = result.districts
    last = d[d["month"] > d["month"].max() - 12]
    p = last.groupby("district", observed=True)["participation_rate"].mean()
    return np.sort(p.to_numpy()), float(result.city["participation_rate"].iloc[-12:].mean())


QUIET = 0.01
"""Year-20 participation under which a district counts as quiet (real units, not exact zero)."""


def test_civic_regimes_agree_across_scales() -> None:
    """Civic life in real units agrees between scales 0.05, 0.1 and 1.0 (means over seeds).

    Seeds 1-5 at scales 0.05 and 0.1, 1-2 at 1.0 (``REGIME_SEEDS``):

    - the number of quiet districts (year-20 participation under 1%; exact zeros can never be
      scale-invariant) within 1 of the number at scale 1.0 (issue 12's acceptance);
    - the districts' year-20 participation, sorted, within half a percentage point of scale
      1.0's on average over the 34 districts;
    - the city's participation within 10% of scale 1.0's.

    Measured (defaults of issue 12's third session): quiet districts 8.0, 7.2 and 8.0 at
    scales 0.05, 0.1 and 1.0 (at the defaults of its second session the count at 0.1 moved
    by several districts from seed to seed, and at 1.0 it was 8 in every seed 1-5); sorted
    profiles differ from scale 1.0's by 0.0016 (0.05) and 0.0017 (0.1) on average; city
    participation 5.0%, 5.2% and 5.0%. With seeds 1-2 at
    every scale the quiet count at 0.1 was 6.5 against 8.0 (before the event-record
    correction), outside the bound: two seeds are too few for a count that moves by 2-4
    between seeds at small scale. Before issue 12 the quiet count was 15-16 at 0.05 and 0.1
    against 12 at 1.0 (a strict expected failure): civic life collapsed faster at small
    scale.
    """
    runs = {scale: civic_profiles(scale, REGIME_SEEDS[scale]) for scale in REGIME_SCALES}
    profile = {scale: np.mean([p for p, _ in r], axis=0) for scale, r in runs.items()}
    quiet = {scale: np.mean([(p < QUIET).sum() for p, _ in r]) for scale, r in runs.items()}
    city = {scale: np.mean([c for _, c in r]) for scale, r in runs.items()}
    for scale in REGIME_SCALES[:-1]:
        summary = (
            f"scale {scale} vs 1.0: quiet districts {quiet[scale]} vs {quiet[1.0]}; sorted "
            f"participation {np.round(profile[scale], 3).tolist()} vs "
            f"{np.round(profile[1.0], 3).tolist()}; city {city[scale]:.4f} vs {city[1.0]:.4f}"
        )
        assert abs(quiet[scale] - quiet[1.0]) <= 1, f"quiet districts differ; {summary}"
        gap = float(np.abs(profile[scale] - profile[1.0]).mean())
        assert gap < 0.005, f"district participation differs by {gap:.4f} on average; {summary}"
        assert abs(city[scale] / city[1.0] - 1) <= 0.1, f"city participation differs; {summary}"
