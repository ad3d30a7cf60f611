"""P1 Slow accumulation and P2 Reinforcing loop over replicates (MODEL sections 1 and 7).

P1 [S5: processes of up to 20 years]: "housing-value divergence between
otherwise equal creative and traditional districts is small after 2 years and
clear after 10-20 years."

P2 [S4]: "reputation draws residents and entrepreneurs, who strengthen the
resource base. Switching selective migration off (movers ignore reputation)
must shrink the 20-year divergence." The switch is
``attractiveness.b_reputation = 0`` (docs/ODD.md parameter table); it also
removes reputation from the attractiveness index that drives local firms'
entry and exit (7.10), so "entrepreneurs" are switched off with it.

Design: ``scenarios/two_districts.toml`` (two identical adjacent districts of
20,000 residents that differ only in ``mode``) at its default scale 0.05 and
horizon of 240 months, replicate seeds 1-20. The divergence is the creative
minus the traditional price, per seed, averaged over a year of the run:
months 12-23 ("after 2 years"), 108-119 (10 years) and 228-239 (20 years),
in EUR/m2 and as the log price ratio. Prices start equal: the district fixed
effects absorb the creative district's higher initial liveability and
reputation (docs/ODD.md section 5), so the gap is the divergence since month
0. Arms are compared on the same seeds (common random numbers), with 95%
Student-t confidence intervals of paired differences. Pairing helps little
here: a change in movers' choices reshuffles who lives where, and the 20-year
gaps of two arms on one seed correlate only ~0.3-0.5.

Measured when written (mean [95% CI] over seeds 1-20; 40 seeds in brackets
where quoted):

P1 (holds). Creative minus traditional price: +2.7 [-12.1, +17.6] EUR/m2
after 2 years (4,542 vs 4,539), +112 [+66, +157] after 10 years (5,276 vs
5,165), +300 [+211, +389] after 20 years (6,512 vs 6,212); log ratio
+0.0006 [-0.0027, +0.0039], +0.021 [+0.013, +0.030], +0.047 [+0.033, +0.061].
(40 seeds: +2.9 [-5.8, +11.6], +103 [+71, +135], +291 [+229, +354].) Paired
within seed: 20-year gap / 4 minus 2-year gap +72 [+45, +100]; 10-year
gap / 4 minus 2-year gap +25 [+8, +42]; 20-year minus 10-year gap +189 [+106,
+271]. Reputation diverges slowly too: the creative minus traditional
reputation gap (0.011 at month 0, from the creative district's higher initial
event rate) widens by +0.0011 [+0.0009, +0.0014] by year 2, +0.0079 [+0.0064,
+0.0095] by year 10 and +0.016 [+0.012, +0.020] by year 20.

P2 (does NOT hold: expected failure). With ``b_reputation = 0`` the 20-year
gap is +258 [+165, +350]; default minus switched off +42 [-63, +148] EUR/m2,
14% of the gap (40 seeds: +21 [-39, +82], 7%). Diagnosis: the 20-year log
price gap of 0.047 is the price response to the change since month 0 of the
three hedonic terms (7.8): reputation (beta_reputation * dR) 0.026,
liveability 0.016 and demand pressure 0.007, measured by stepping
``DistrictModel`` on the same 20 seeds. Reputation enters prices directly,
and the reputation gap is built by mobilisation (events, participation,
visibility) and barely depends on who moves in: its 20-year widening is
+0.015 with ``b_reputation = 0`` against +0.016. Only the demand term goes
(0.007 -> 0.0015, paired +0.005 [-0.001, +0.011]), and it is ~15% of the gap.
In the movers' utility the reputation gap (~0.027 at 20 years) is worth only
3 x 0.027 = 0.08, against 2 x 0.06 for the liveability gap and 0.8 x
orientation for the creative label (``b_future``). Selective migration as a
whole does carry the loop: with movers ignoring reputation, liveability and
the creative label (``b_reputation = b_liveability = b_future = 0``) the
20-year gap is +106 [+60, +152], default minus that arm +194 [+93, +294]
(65% smaller; switching off ``b_future`` alone: +80 [-21, +182],
``b_liveability`` alone: +37 [-40, +114]). That broader switch is asserted
below as a diagnostic, not as P2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from replicates import mean_ci

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

pytestmark = pytest.mark.slow

MONTHS = 240
SCALE = 0.05
SEEDS = list(range(1, 21))
YEARS = {
    2: slice(12, 24),
    10: slice(108, 120),
    20: slice(228, 240),
}  # months averaged for "after n years"
ARMS = {
    "default": [],
    "no_reputation": ["attractiveness.b_reputation=0"],  # P2's switch
    "no_selection": [
        "attractiveness.b_reputation=0",
        "attractiveness.b_liveability=0",
        "attractiveness.b_future=0",
    ],  # diagnostic
}
SMALL_LOG_GAP = 0.01  # "small after 2 years": the 2-year log price ratio within +-1%
CLEAR_LOG_GAP = 0.02  # "clear after 20 years": the 20-year log price ratio above 2%


def fmt(ci: tuple[float, float, float]) -> str:
    return f"{ci[0]:+.4g} [{ci[1]:+.4g}, {ci[2]:+.4g}]"


@pytest.fixture(scope="module")
def gaps() -> dict[str, dict[str, np.ndarray]]:
    """Per arm: creative minus traditional monthly price, log price ratio and reputation.

    The price is in EUR/m2; there is one row per seed.
    """
    out = {}
    for arm, overrides in ARMS.items():
        scenario = load_scenario(
            "two_districts", [f"scenario.months={MONTHS}", f"scenario.scale={SCALE}", *overrides]
        )
        modes = {d.name: d.mode for d in scenario.districts}
        assert sorted(modes.values()) == ["creative", "traditional"], (
            f"expected one creative and one traditional district, got {modes}"
        )
        rows: dict[str, list[np.ndarray]] = {"price": [], "log_ratio": [], "reputation": []}
        for seed in SEEDS:
            df = run_scenario(scenario, seed=seed).districts
            assert len(df) == MONTHS * 2
            wide = {
                c: df.pivot(index="month", columns="district", values=c).rename(columns=modes)
                for c in ("price_eur_m2", "reputation")
            }
            price: pd.DataFrame = wide["price_eur_m2"]
            rows["price"].append((price["creative"] - price["traditional"]).to_numpy())
            rows["log_ratio"].append(np.log(price["creative"] / price["traditional"]).to_numpy())
            rows["reputation"].append(
                (wide["reputation"]["creative"] - wide["reputation"]["traditional"]).to_numpy()
            )
        out[arm] = {k: np.array(v) for k, v in rows.items()}
    return out


def yearly(x: np.ndarray) -> dict[int, np.ndarray]:
    """Per seed, the mean of a (seed x month) table over the months of each year in ``YEARS``."""
    return {n: x[:, months].mean(axis=1) for n, months in YEARS.items()}


def describe(g: dict[str, np.ndarray]) -> str:
    price, log_ratio = yearly(g["price"]), yearly(g["log_ratio"])
    return "; ".join(
        f"after {n} years creative - traditional {fmt(mean_ci(price[n]))} EUR/m2, log "
        f"ratio {fmt(mean_ci(log_ratio[n]))}"
        for n in YEARS
    )


# --------------------------------------------------------------------- P1
def test_p1_price_gap_is_clear_after_10_and_20_years(gaps):
    """Measured: +112 [+66, +157] EUR/m2 after 10 years, +300 [+211, +389] after 20.

    Log ratio 0.047 [0.033, 0.061] after 20 years; 20 minus 10 years +189 [+106, +271].
    """
    g = gaps["default"]
    price, log_ratio = yearly(g["price"]), yearly(g["log_ratio"])
    summary = (
        f"{len(SEEDS)} seeds: {describe(g)}; 20-year minus 10-year gap "
        f"{fmt(mean_ci(price[20] - price[10]))}"
    )
    assert mean_ci(price[10])[1] > 0, (
        "P1: expected the creative district's price above the traditional one's after 10 "
        f"years (95% CI above 0); {summary}"
    )
    assert mean_ci(log_ratio[20])[1] > CLEAR_LOG_GAP, (
        "P1: expected a clear divergence after 20 years, log price ratio above "
        f"{CLEAR_LOG_GAP} (lower 95% CI); {summary}"
    )
    assert mean_ci(price[20] - price[10])[1] > 0, (
        "P1: expected the divergence to go on accumulating from 10 to 20 years (paired "
        f"95% CI above 0); {summary}"
    )


def test_p1_price_gap_is_small_after_2_years(gaps):
    """Measured: +2.7 [-12.1, +17.6] EUR/m2, log ratio +0.0006 [-0.0027, +0.0039].

    20-year gap / 4 minus it +72 [+45, +100], 10-year gap / 4 minus it +25 [+8, +42].
    """
    g = gaps["default"]
    price, log_ratio = yearly(g["price"]), yearly(g["log_ratio"])
    small = mean_ci(log_ratio[2])
    quarter_20 = mean_ci(price[20] / 4 - price[2])
    quarter_10 = mean_ci(price[10] / 4 - price[2])
    summary = (
        f"{len(SEEDS)} seeds: {describe(g)}; paired 20-year gap / 4 minus 2-year gap "
        f"{fmt(quarter_20)}, 10-year gap / 4 minus 2-year gap {fmt(quarter_10)}"
    )
    assert -SMALL_LOG_GAP < small[1] and small[2] < SMALL_LOG_GAP, (
        f"P1: expected the 2-year log price ratio within +-{SMALL_LOG_GAP} (95% CI); {summary}"
    )
    assert quarter_20[1] > 0, (
        f"P1: expected the 2-year gap below a quarter of the 20-year gap (paired 95% CI); {summary}"
    )
    assert quarter_10[1] > 0, (
        f"P1: expected the 2-year gap below a quarter of the 10-year gap (paired 95% CI); {summary}"
    )


def test_p1_reputation_diverges_slowly(gaps):
    """Measured widening of the reputation gap since month 0.

    +0.0011 [+0.0009, +0.0014] by year 2, +0.016 [+0.012, +0.020] by year 20;
    20-year / 4 minus 2-year +0.0029 [+0.0019, +0.0038].
    """
    rep = gaps["default"]["reputation"]
    widening = {n: v - rep[:, 0] for n, v in yearly(rep).items()}
    quarter = mean_ci(widening[20] / 4 - widening[2])
    summary = (
        f"{len(SEEDS)} seeds: reputation gap at month 0 {fmt(mean_ci(rep[:, 0]))}; "
        "widening since month 0 "
        + ", ".join(f"after {n} years {fmt(mean_ci(w))}" for n, w in widening.items())
        + f"; 20-year / 4 minus 2-year {fmt(quarter)}"
    )
    assert mean_ci(widening[20])[1] > 0, (
        "P1: expected the creative district's reputation lead to widen over 20 years (95% "
        f"CI above 0); {summary}"
    )
    assert quarter[1] > 0, (
        "P1: expected the reputation gap to widen by less than a quarter of its 20-year "
        f"widening in the first 2 years (paired 95% CI); {summary}"
    )


# --------------------------------------------------------------------- P2
def shrinkage(
    gaps: dict[str, dict[str, np.ndarray]], arm: str
) -> tuple[tuple[float, float, float], str]:
    """The paired 95% CI of the 20-year price gap, default minus ``arm``, and a description."""
    default, switched = yearly(gaps["default"]["price"])[20], yearly(gaps[arm]["price"])[20]
    diff = mean_ci(default - switched)
    arms = (
        f"default {fmt(mean_ci(default))}, {arm} ({', '.join(ARMS[arm])}) "
        f"{fmt(mean_ci(switched))} EUR/m2"
    )
    summary = (
        f"{len(SEEDS)} paired seeds, 20-year creative - traditional price gap: {arms}; default "
        f"minus switched off {fmt(diff)} ({diff[0] / default.mean():.0%} of the default gap)"
    )
    return diff, summary


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason=(
        "P2 does not hold with b_reputation=0 as the switch: default minus switched-off 20-year "
        "price gap +42 [-63, +148] EUR/m2 over seeds 1-20 (14% of +300), +21 [-39, +82] over 40 "
        "seeds (7%). The price gap is mostly direct capitalisation of the reputation (0.026 of the "
        "0.047 log gap) and liveability (0.016) gaps that mobilisation builds; the switch removes "
        "most of the demand-pressure part (0.007 -> 0.0015), ~15% of the gap. The reputation gap "
        "itself does not depend on who moves in (widening +0.015 vs +0.016). Movers ignoring "
        "reputation, liveability and the creative label (b_future) shrink the gap by +194 [+93, "
        "+294] (65%, test_p2_diagnostic_movers_ignoring_all_district_qualities below)."
    ),
)
def test_p2_movers_ignoring_reputation_shrink_divergence(gaps):
    diff, summary = shrinkage(gaps, "no_reputation")
    assert diff[1] > 0, (
        "P2: expected switching selective migration off (movers ignore reputation) to "
        f"shrink the 20-year divergence (paired 95% CI above 0); {summary}"
    )


def test_p2_diagnostic_movers_ignoring_all_district_qualities(gaps):
    """Not P2's switch: movers ignore reputation, liveability and the creative label.

    Measured +194 [+93, +294] EUR/m2 (65% of the gap).
    """
    diff, summary = shrinkage(gaps, "no_selection")
    default = yearly(gaps["default"]["price"])[20]
    assert diff[1] > 0, (
        "expected selective migration as a whole to sustain the divergence (paired 95% CI "
        f"above 0); {summary}"
    )
    assert diff[1] > 0.25 * default.mean(), (
        "expected switching all district qualities off in movers' choices to remove over "
        f"a quarter of the 20-year gap (lower 95% CI); {summary}"
    )
    # The divergence does not vanish: direct capitalisation of the reputation and liveability gaps
    # remains.
    assert mean_ci(yearly(gaps["no_selection"]["price"])[20])[1] > 0, (
        f"expected a divergence without selective migration too (direct capitalisation); {summary}"
    )
