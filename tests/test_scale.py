"""Scale invariance (MODEL sections 2 and 7): results are in real units and must not
depend on ``scale`` beyond sampling noise.

two_districts is run for 60 months at scale 0.02 (6 replicate seeds) and 0.1
(3 replicate seeds). For each district and variable the final-year value (mean
over months 48-59) is averaged over replicates, and the two scales must agree
within ``4 * sqrt(se_small^2 + se_large^2) + tolerance``, where the se are
standard errors over replicates and the tolerance is a small absolute margin
stated per variable below.

Power: with these replicate counts the bound on price is about +-80-100 EUR/m2
(~2%). ``test_city_mean_price_scale_invariance_at_0_01`` also checks the city mean
price at scale 0.01, where a log of small monthly demand counts once biased
prices low (now the counts are smoothed before the ratio is taken).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

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


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Known limit (docs/ODD.md section 9, 'Scale and civic collapse'): in the default "
        "city, at small scale more districts (mid-sized creative ones included) lose all "
        "channels and all participation (an absorbing state: nobody is reached, nobody "
        "takes part) far more often than at larger scale. "
        "Districts of 34 with no participation in year 20, seeds 1-2: 19-20 at scale 0.02, "
        "11-13 at 0.05, 7-10 at 0.1, 3-4 at 0.2, "
        "2 at 0.5 and 4 at 1.0 (seed 1); without channels: 22-25, 15-16, 13-15, 10-11, 11, 10."
    ),
)
def test_district_civic_life_does_not_collapse_more_at_small_scale() -> None:
    """Districts whose civic life dies out are as many at scale 0.02 as at 0.2, within 2.

    Civic life dies out when no one takes part in the last year.
    """

    def collapsed(scale: float, seed: int) -> int:
        d = run_scenario(
            load_scenario("helsinki", [f"scenario.scale={scale}"]), seed=seed
        ).districts
        last = d[d["month"] > d["month"].max() - 12]
        return int(
            (last.groupby("district", observed=True)["participation_rate"].mean() == 0).sum()
        )

    small = np.mean([collapsed(0.02, s) for s in (1, 2)])
    large = np.mean([collapsed(0.2, s) for s in (1, 2)])
    assert abs(small - large) <= 2, (
        f"districts with no participation in year 20: {small} at scale 0.02, {large} at scale 0.2"
    )
