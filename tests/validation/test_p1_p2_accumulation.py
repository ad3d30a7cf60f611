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
horizon of 240 months, replicate seeds 1-40. The divergence is the creative
minus the traditional price, per seed, averaged over a year of the run:
months 12-23 ("after 2 years"), 108-119 (10 years) and 228-239 (20 years),
in EUR/m2 and as the log price ratio. Prices start equal: the district fixed
effects absorb the creative district's higher initial liveability and
reputation (docs/ODD.md section 5), so the gap is the divergence since month
0. Arms are compared on the same seeds (common random numbers), with 95%
Student-t confidence intervals of paired differences. Pairing helps little
here: a change in movers' choices reshuffles who lives where, and the 20-year
gaps of two arms on one seed correlate only ~0.2-0.5.

Seeds: 40 since the issue-12 defaults (20 before). With
single-digit participation and the former price rule the creative-traditional
contrasts were about half as large as before issue 12, and 20 seeds could not
tell them from noise. With the demand-led price rule of issue 12 they are larger
again (20 seeds give the same verdicts as 40, numbers in brackets below); the
40 seeds are kept. The fixture (3 arms x 40 seeds, ~1.1 s a run) runs the seeds
on two processes (``helpers.run_seeds``), about a minute on a 2-core machine.

Measured at the defaults of issue 12's third session (demand-led price rule
0.8/0.6/0.6, ``b_reputation`` 4, pooled channel hours, location constants
weighted by move probabilities, the demand record started at its expected
values, smooth volunteering, the owner bonus with the mover's new tenure; mean
[95% CI] over seeds 1-40):

P1 (holds). Creative minus traditional price: +19 [+2, +35] EUR/m2 after 2
years, +231 [+201, +262] after 10 years, +510 [+467, +553] after 20 years;
log ratio +0.0041 [+0.0004, +0.0078], +0.0443 [+0.0385, +0.0501], +0.0801
[+0.0733, +0.0868]. Paired within seed: 20-year gap / 4 minus 2-year gap +109
[+90, +128]; 10-year gap / 4 minus 2-year gap +39 [+23, +56]; 20-year minus
10-year gap +278 [+236, +320]. Until this session the 2-year gap was not small
(+45 [+13, +76], an expected failure): a step in the first year, mostly the
demand term (7.8). Its main cause was the start of the smoothed demand record:
``Districts.first_choices`` and ``vacancy_supply`` started empty, so the first
month's noisy counts became the whole record (month-0 pressure SD 0.19 across
seeds, tests/test_initialisation.py); they now start at their expected values
(docs/ODD.md 7.8). With the former price rule (1.6/0.6/0.15) the 2-year gap was -4 [-15, +6] EUR/m2.
Reputation diverges slowly: the creative minus traditional reputation gap
(+0.016 at month 0, from the creative district's higher initial event rate)
widens by +0.0009 [+0.0008, +0.0011] after 2 years, +0.0082 [+0.0071, +0.0092]
after 10 years and +0.0191 [+0.0171, +0.0210] after 20 years (the means over months
12-23, 108-119 and 228-239, as for the prices).

P2 (holds, issue 12's acceptance: movers ignoring reputation shrink the
20-year gap by at least 25%, paired CI above 0). With ``b_reputation = 0``
the 20-year gap is +357 [+311, +402]; default minus switched off +153 [+87,
+219] EUR/m2, 30% of the gap of +510 (37% before the three model changes of
issue 12's third session, 35% before the event-record correction of
docs/ODD.md section 5). The rule (0.8/0.6/0.6, ``b_reputation``
4) was chosen on these 40 seeds in issue 12's second session;
``experiments/patterns/p2_price_formation.py`` checks it on seeds 41-60,
which were not used to choose it (ODD section 1 and the script give the
figure); the former defaults of this price rule
(0.8/0.45/0.5, ``b_reputation`` 3) gave 20% over seeds 1-20 once the
location constants were weighted by move probabilities (the 31-32% measured
before came partly from constants distorted by a few residents with huge
hazards, docs/ODD.md 7.8). Movers ignoring reputation, liveability and the
creative label (``b_reputation = b_liveability = b_future = 0``; a
diagnostic, not P2) leave -2 [-38, +35]: default minus that arm +511 [+466,
+557] (100%). Nearly the whole divergence runs through who moves where: the
direct capitalisation of the reputation and liveability gaps (7.8) is mostly
offset by demand, because movers still weigh the price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from replicates import mean_ci

from districtsim.scenario import load_scenario
from helpers import run_seeds

pytestmark = pytest.mark.slow

MONTHS = 240
SCALE = 0.05
SEEDS = list(range(1, 41))  # 20 before issue 12: see the module docstring
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
MIN_SHRINKAGE = 0.25  # P2 (issue 12): movers ignoring reputation remove at least a quarter


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
        for result in run_seeds(scenario, SEEDS):
            df = result.districts
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
def test_p1_price_gap_is_clear_after_10_years_and_keeps_growing(gaps):
    """Measured: +231 [+201, +262] EUR/m2 after 10 years; 20 minus 10 years +278 [+236, +320].

    Log ratio +0.0443 [+0.0385, +0.0501] after 10 years (seeds 1-40).
    """
    g = gaps["default"]
    price = yearly(g["price"])
    summary = (
        f"{len(SEEDS)} seeds: {describe(g)}; 20-year minus 10-year gap "
        f"{fmt(mean_ci(price[20] - price[10]))}"
    )
    assert mean_ci(price[10])[1] > 0, (
        "P1: expected the creative district's price above the traditional one's after 10 "
        f"years (95% CI above 0); {summary}"
    )
    assert mean_ci(price[20] - price[10])[1] > 0, (
        "P1: expected the divergence to go on accumulating from 10 to 20 years (paired "
        f"95% CI above 0); {summary}"
    )


def test_p1_price_gap_is_clear_after_20_years(gaps):
    """Measured: log price ratio +0.0801 [+0.0733, +0.0868] after 20 years (seeds 1-40).

    +510 [+467, +553] EUR/m2. With the former price rule (1.6/0.6/0.15) +0.0275 [+0.0174,
    +0.0377] at the first issue-12 defaults (expected failure); before issue 12 +0.047 [+0.033,
    +0.061].
    """
    g = gaps["default"]
    log_ratio = yearly(g["log_ratio"])
    summary = f"{len(SEEDS)} seeds: {describe(g)}"
    assert mean_ci(log_ratio[20])[1] > CLEAR_LOG_GAP, (
        "P1: expected a clear divergence after 20 years, log price ratio above "
        f"{CLEAR_LOG_GAP} (lower 95% CI); {summary}"
    )


def test_p1_price_gap_is_small_after_2_years(gaps):
    """Measured: +19 [+2, +35] EUR/m2, log ratio +0.0041 [+0.0004, +0.0078] (seeds 1-40).

    20-year gap / 4 minus it +109 [+90, +128], 10-year gap / 4 minus it +39 [+23, +56]. An
    expected failure until the demand record started at its expected values (module
    docstring): +45 [+13, +76] EUR/m2, log ratio +0.0098 [+0.0029, +0.0168], and not below a
    quarter of the 10-year gap. Former price rule: -0.0009 [-0.0032, +0.0014].
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

    +0.0009 [+0.0008, +0.0011] after 2 years, +0.0191 [+0.0171, +0.0210] after 20 years;
    20-year / 4 minus 2-year +0.0038 [+0.0034, +0.0043] (seeds 1-40).
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


def test_p2_movers_ignoring_reputation_shrink_divergence(gaps):
    """Issue 12's acceptance: at least 25% shrinkage, paired 95% CI above 0.

    Measured (seeds 1-40): default minus ``b_reputation = 0`` +153 [+87, +219] EUR/m2, 30%
    of the default 20-year gap of +510 (switched off +357 [+311, +402]); issue 12 states 20
    seeds, the module's 40 are used (p2_price_formation.py: seeds 1-20 31%, held-out seeds
    41-60 34%). With the former price rule -13 [-76, +50] (-8%, expected failure; measured at
    the first issue-12 defaults).
    """
    diff, summary = shrinkage(gaps, "no_reputation")
    share = diff[0] / yearly(gaps["default"]["price"])[20].mean()
    assert diff[1] > 0, (
        "P2: expected switching selective migration off (movers ignore reputation) to "
        f"shrink the 20-year divergence (paired 95% CI above 0); {summary}"
    )
    assert share >= MIN_SHRINKAGE, (
        "P2: expected switching selective migration off (movers ignore reputation) to "
        f"shrink the 20-year divergence by at least {MIN_SHRINKAGE:.0%}; {summary}"
    )


def test_p2_diagnostic_movers_ignoring_all_district_qualities(gaps):
    """Not P2's switch: movers ignore reputation, liveability and the creative label.

    Measured +511 [+466, +557] EUR/m2 (100% of the gap); the gap without selective migration
    -2 [-38, +35] (seeds 1-40; +31 [+2, +61] at the first issue-12 defaults, where this test
    asserted that a divergence remains by direct capitalisation; +12 [-20, +43] before the
    event-record correction, so that assertion was dropped: with the price following demand
    more (``beta_demand`` 0.6), movers who weigh only the price offset most of it).
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
    # Without selective migration little divergence is left: the direct capitalisation of the
    # reputation and liveability gaps is offset by demand (movers still weigh the price, so the
    # dearer district is chosen less and its demand-led price falls back; docs/ODD.md 7.8).
    no_selection = mean_ci(yearly(gaps["no_selection"]["price"])[20])
    assert no_selection[2] < 0.25 * default.mean(), (
        "expected little divergence without selective migration (upper 95% CI under a "
        f"quarter of the default gap); {summary}"
    )
