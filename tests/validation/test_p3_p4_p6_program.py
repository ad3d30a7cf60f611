"""P3, P4 and P6 over replicates.

P3: innovations and outside partners; P4: continuation funding; P6:
cumulative advantage.

Patterns of MODEL sections 1 and 7; every statistic is over replicate seeds,
paired by seed where two arms are compared (common random numbers: every draw
comes from a named stream of the root seed), with 95% Student-t confidence
intervals. Measured values quoted below are those of the seeds used here,
when the tests were written.

P3 Operating mode matters, outside-reach and innovation part [S5]
    ``two_districts`` (identical but for ``mode``), no program, 240 months at
    scale 0.02, seeds 1-20. Per seed and district: partnerships formed
    (``partnership`` events), the expected number of partnerships (the
    monthly hazard of MODEL 5.5 integrated over the recorded trajectory of
    outside visibility and knowledge: the same quantity without the Bernoulli
    noise) and innovations. Only partnerships with outside actors are
    counted (local firms' partnerships have their own hazard, 7.10).
    Measured at the defaults of issue 12's third session (creative minus
    traditional, mean [95% CI]): partnerships formed +1.6 [+0.5, +2.6] (4.7
    vs 3.1 in 20 years); expected partnerships +2.9 [+2.8, +3.0]; innovations
    +6.1 [+4.7, +7.5] (6.35 vs 0.25; pooled ratio 0.039). (Second session:
    +1.5, +2.8, +6.1; first issue-12 defaults: +1.6, +2.8, +5.2.)
    The creative district's developer network launches a social-media
    group, so it is more visible to outside actors, and its knowledge grows
    faster; innovations differ also through the mode multiplier (0.1 vs 0.5).
    (Before issue 12: +2.4 [+1.1, +3.6] partnerships, 11.3 vs 0.35
    innovations; before association kinds and local firms: +0.95 [+0.19,
    +1.71] partnerships, 7.4 vs 0.25 innovations.)

P4 Continuation funding [S3]
    An unequal city of 8 creative districts (``unequal_city`` below), program
    on with a budget that funds all 8, evaluation off, 24 months, seeds 1-40
    (1-16 before issue 12's second session).
    The call is run once: after the first September the test sets
    ``model.program.enabled = False``, so only continuation funding keeps a
    platform and no stage runs in the second year in any arm (the funded
    arm keeps its grant, status and efficiency; the legacy of a lapsed one
    still fades, as it is updated whether or not the program runs). Arms on the same
    seeds: funded (continuation_probability 1), lapsed (0: every platform
    lapses in month 11, the first September) and never funded (program off).
    A fourth arm lapses like the second but with
    ``program.legacy_half_life_years = 0`` (the platform standing and
    efficiency end at once). Measured at the defaults of issue 12's third
    session: 12 months after the lapse collective knowledge is 1.94x [1.91,
    1.97] its level at the lapse (residents' activity, not the grant, builds
    it, so it keeps growing); the knowledge the program added (lapsed minus
    never funded) is 115 [71, 159] person-months at the lapse and 92 [14,
    170] twelve months later (0.80 of it, pooled); partnerships matched at
    the kick-off keep running (+1.41 [+1.33, +1.48] partners per district
    over never funded in the year after the lapse); innovations in the year
    after the lapse, per city: funded 6.50, lapsed 3.10, never funded 0.78
    (funded minus lapsed +3.4 [+2.8, +4.0]; lapsed minus never +2.3 [+1.9,
    +2.7]); lapsed with a fading legacy minus an instant drop +1.53 [+1.16,
    +1.89]. Share of the funded arm's premium over never funded that the
    lapsed arm keeps over the year after the lapse (pooled): 0.41 [0.35,
    0.46] (bootstrap; 0.35 [0.28, 0.42] at the second session's defaults);
    with an instant drop 0.14. Over seeds 1-16 (at the second session's
    defaults, before the event-record correction of docs/ODD.md section 5)
    the kept share was 0.29 [0.19, 0.40], below the asserted lower bound of
    0.25 at the lower end of its interval, and over seeds 1-40 0.39 [0.33,
    0.46]: 16 seeds were too few. (First issue-12
    defaults, seeds 1-16: 0.38 [0.30, 0.47]; before issue 12: funded 10.4,
    lapsed 5.6, never funded 0.9 innovations; kept share 0.49 [0.40,
    0.58].) The grant factor stops at once (the money ends); the platform
    standing and efficiency fade with a one-year half-life; knowledge and
    partnerships carry over.

P6 Cumulative advantage
    Competitive versus equal allocation on the same seeds, 240 months at
    scale 0.02. "Initial criteria score" is the funder's score of the first
    four recorded months (the evidence of the first selection, identical in
    both arms); "top half" is the first call's applicants above their median
    score. Measured at the defaults of issue 12's third session (the first
    issue-12 defaults in brackets). (a) ``unequal_city``, 40 seeds (20 until
    the event-record correction of docs/ODD.md section 5, after which seeds
    1-20 gave +0.0033 [-0.0004, +0.0070] for the Gini: too few): the
    competitive call gives the top half 0.65 of all grants vs 0.50 under
    equal allocation (+0.153 [+0.145, +0.162]; [+0.125 [+0.090, +0.161]])
    and raises the final price Gini: +0.0049 [+0.0028, +0.0070] ([+0.0053
    [+0.0032, +0.0073]], 20 seeds; seeds 1-40 at the first issue-12
    defaults: +0.130 [+0.110, +0.150] and +0.0039 [+0.0021, +0.0057]; at the
    second session's defaults +0.146 [+0.134, +0.159] and +0.0028 [+0.0007,
    +0.0048]). This used
    6 seeds (before issue 12: +0.134 [+0.063, +0.205] and +0.0072 [+0.0041,
    +0.0103]); at the first issue-12 defaults seeds 1-6 gave +0.088 [-0.043,
    +0.219] and +0.0050 [-0.0022, +0.0121]: the same effect with wider
    intervals (the demand-led prices and single-digit civic life are
    noisier), not a weaker mechanism. All 8 districts apply to the first call
    in every seed (as at the first issue-12 defaults); at the first issue-12
    defaults (not re-measured since) the volunteer threshold
    (``apply_volunteers_per_10k`` = 20) bound in
    0.5% of district-Octobers (the median district had well over 100
    volunteers per 10,000), and later calls drew 4.5 applications a year
    (continuing platforms do not apply), so the competitive call still
    chose among more applicants than it could fund. (b) The default city
    (``innovation_call`` at scale 0.02), 12 seeds (6 until P6 was revised
    for it): the competitive call concentrates grants on the top half too
    (0.75 vs 0.46: +0.28 [+0.25, +0.32]) but does not widen the price Gini:
    -0.0012 [-0.0037, +0.0012] (seeds 1-6: -0.0023 [-0.0070, +0.0023];
    [-0.0014 [-0.0038, +0.0009]]; 40 seeds: -0.0014 [-0.0024, -0.0004],
    ``experiments/patterns/p6_default_city.py --seeds 40``; -0.0019 [-0.0033,
    -0.0005] at the second session's defaults). Only creative districts
    apply (no traditional association reaches ``apply_orientation``), so the
    most expensive, traditional districts are never in the call; among the
    applicants the competitive call funds the mid- and low-priced creative
    districts with meeting places and forums (Kallio, Vuosaari,
    Vanhakaupunki, Herttoniemi, Vallila, Malmi), while the expensive
    creative centre (Vironniemi, Kampinmalmi, Lauttasaari: no meeting place,
    no forum) scores low on the structure, knowledge and competence criteria
    and gets the grants only under equal allocation: the strong half of the
    first call's applicants is the cheaper half (month-0 log price -0.24
    below the weak half's over 40 seeds; dearer in 1 seed of 40). Giving
    those three a
    forum and one meeting place turned the result round at the first
    issue-12 defaults (+0.0018 [+0.0007, +0.0030] over seeds 1-40; before
    issue 12 +0.0017 [+0.0004, +0.0030] over 20); at the defaults of its
    second session it leaned the same way, at the edge of its interval
    (+0.0014 [+0.0000, +0.0029] over seeds 1-40), and at those of its third
    session it does so again: +0.0016 [+0.0005, +0.0026] over seeds 1-40
    (``p6_default_city.py --seeds 40``; before that session's correction of
    movers' owner bonus, docs/ODD.md section 9, item 16, it leaned that way
    only weakly, its interval including 0: +0.0004 [-0.0017, +0.0025] over
    seeds 1-20, +0.0006 [-0.0006, +0.0018] over seeds 1-40). So the
    inequality half of P6 holds where the strong applicants are the
    expensive districts, as in (a) and in the counterfactual centre; in the
    default city as it is the call does not widen the price Gini: it narrows
    it a little (over 40 seeds the interval is below 0).

    Revised pattern for the default city (issue 12). The strict expected
    failure that asserted a wider price Gini here is replaced by what the
    measurements show P6 to be in this city, a finding rather than a looser
    bound: cumulative advantage, the Matthew effect of competitive funding
    (Merton 1968, Science 159:56-63; Bol, de Vaan & van de Rijt 2018, PNAS
    115:4887-4890: winners near the funding threshold go on to collect
    more), shows in what the call funds, not necessarily in prices. Tested:
    (i) grants concentrate on the strong half (above); (ii) the Gini of
    20-year innovations among the first call's applicants widens (+0.18
    [+0.16, +0.21] over the 12 seeds, +0.180 [+0.169, +0.190] over 40);
    (iii) the strong half is the cheaper half (its month-0 log price below
    the weak half's, the 95% interval below 0) and the price Gini does not
    widen (upper end of its interval below +0.002, under 1% of the city's
    Gini of 0.21). Six seeds were too few for (iii) after the correction of
    movers' owner bonus: -0.0023 [-0.0070, +0.0023], its upper end above
    +0.002. The price part of MODEL's P6 is tested in (a), where the strong
    are the expensive districts, and it shows in the counterfactual city too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from replicates import mean_ci
from scipy import stats

from districtsim import partnerships
from districtsim.criteria import criteria, score
from districtsim.model import DistrictModel
from districtsim.results import DISTRICT_COLUMNS, weighted_gini
from districtsim.run import run_scenario
from districtsim.scenario import Scenario, load_scenario
from helpers import run_seeds

pytestmark = pytest.mark.slow

P3_SEEDS = list(range(1, 21))
# 16 seeds were too few after issue 12's second session: the kept share of the premium was 0.29
# [0.19, 0.40] over seeds 1-16 and 0.39 [0.33, 0.46] over seeds 1-40.
P4_SEEDS = list(range(1, 41))
P6_SEEDS = list(
    range(1, 41)
)  # 6 seeds were too few at the issue-12 defaults, 20 after its second session
P6_HELSINKI_SEEDS = list(range(1, 13))  # 6 until issue 12 revised P6 in the default city
MONTHS = 240
SCALE = 0.02
# Gini points: under 1% of the default city's final price Gini (about 0.21), and under half the
# widening the call makes in the unequal city, where the strong applicants are the expensive ones
P6_NO_WIDENING = 0.002
LAPSE = 11  # the first September
AFTER = slice(LAPSE + 1, LAPSE + 13)  # the 12 months after the lapse


def fmt(ci: tuple[float, float, float]) -> str:
    return f"{ci[0]:+.4g} [{ci[1]:+.4g}, {ci[2]:+.4g}]"


def as_arrays(result) -> dict[str, np.ndarray]:
    """The district table as (months, districts) arrays, like ``model.recorder.data``."""
    d = result.districts
    n = len(d["district"].cat.categories)
    return {k: d[k].to_numpy().reshape(-1, n) for k in DISTRICT_COLUMNS}


def unequal_city(tmp_path: Path, n: int = 8) -> str:
    """Eight creative districts of equal size, from strong to weak.

    Strong: expensive, high amenity, four channels; weak: cheap, paper only.
    """
    channels = (
        [["paper", "website", "social_media", "forum"]] * 2
        + [["paper", "website", "social_media"]] * 2
        + [["paper", "website"]] * 2
        + [["paper"]] * 2
    )
    lines = [
        "[scenario]",
        'name = "unequal_city"',
        f"months = {MONTHS}",
        f"scale = {SCALE}",
        "seed = 1",
        "",
    ]
    for i in range(n):
        nb = ", ".join(f'"D{j}"' for j in (i - 1, i + 1) if 0 <= j < n)
        chans = ", ".join(f'"{c}"' for c in channels[i * 8 // n])
        lines += [
            "[[districts]]",
            f'name = "D{i}"',
            f"x_km = {2.0 * i}",
            "y_km = 0.0",
            "population = 20000",
            "dwellings = 10850",
            "share_owner = 0.45",
            "share_social = 0.20",
        ]
        lines += [
            f"price_eur_m2 = {7000 - i * 4000 / (n - 1):.0f}",
            'mode = "creative"',
            f"channels = [{chans}]",
            "meeting_places = 1",
            f"amenity = {0.85 - i * 0.5 / (n - 1):.3f}",
            f"neighbours = [{nb}]",
            "",
        ]
    path = tmp_path / "unequal_city.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------- P3
@pytest.fixture(scope="module")
def p3() -> dict[str, np.ndarray]:
    scen = load_scenario("two_districts", [f"scenario.months={MONTHS}", f"scenario.scale={SCALE}"])
    pp = scen.params.partnerships
    names = [d.name for d in scen.districts]
    assert names == ["Traditional", "Creative"], (
        f"expected two_districts to list Traditional, Creative; got {names}"
    )
    out = {k: np.zeros((len(P3_SEEDS), 2)) for k in ("formed", "expected", "innovations")}
    for i, seed in enumerate(P3_SEEDS):
        result = run_scenario(scen, seed=seed)
        ev = result.events
        outside = (ev.event == "partnership") & ~ev.detail.str.startswith(
            "local_firm"
        )  # the hazard below is the outside actors'
        out["formed"][i] = [outside[ev.district == n].sum() for n in names]
        g = as_arrays(result)
        k = g["collective_knowledge_person_months"]
        k_before = np.vstack(
            [np.zeros((1, 2)), k[:-1]]
        )  # the partnership phase sees last month's knowledge
        hazard = partnerships.partnership_rate(
            g["outside_visibility"],
            partnerships.saturating(k_before, pp.knowledge_half_saturation),
            g["is_platform"] > 0,
            pp,
        )
        out["expected"][i] = (-np.expm1(-hazard)).sum(axis=0)
        out["innovations"][i] = g["innovations"].sum(axis=0)
    return out


def test_p3_traditional_forms_fewer_partnerships(p3) -> None:
    formed, expected = p3["formed"], p3["expected"]
    diff = mean_ci(formed[:, 1] - formed[:, 0])
    diff_expected = mean_ci(expected[:, 1] - expected[:, 0])
    assert diff_expected[1] > 0, (
        "expected the creative district's expected partnerships (integrated hazard) above "
        f"the traditional one's: creative minus traditional {fmt(diff_expected)}"
    )
    assert diff[1] > 0, (
        "expected the traditional district to form fewer partnerships over 20 years: "
        f"creative minus traditional {fmt(diff)} (means {formed.mean(axis=0)})"
    )
    # The integrated hazard is what the model draws from: pooled counts agree with it (Poisson,
    # 99.9%).
    for j, name in enumerate(("Traditional", "Creative")):
        lo, hi = stats.poisson.ppf([0.0005, 0.9995], expected[:, j].sum())
        assert lo <= formed[:, j].sum() <= hi, (
            f"{name}: expected pooled partnerships {formed[:, j].sum():g} within the "
            f"Poisson 99.9% range [{lo:g}, {hi:g}] of the integrated hazard "
            f"{expected[:, j].sum():.1f}"
        )


def test_p3_traditional_produces_fewer_innovations(p3) -> None:
    inn = p3["innovations"]
    diff = mean_ci(inn[:, 1] - inn[:, 0])
    assert diff[1] > 0, (
        "expected fewer innovations in the traditional district: creative minus "
        f"traditional {fmt(diff)} (means {inn.mean(axis=0)})"
    )
    ratio = inn[:, 0].sum() / inn[:, 1].sum()
    assert ratio < 0.5, (
        "expected the traditional district to produce well under half the creative one's "
        f"innovations, pooled ratio {ratio:.3f}"
    )


# --------------------------------------------------------------------- P4
def _p4_arm(
    path: str, seed: int, continuation: float, enabled: bool = True, extra: tuple[str, ...] = ()
) -> dict[str, np.ndarray]:
    base = [
        "scenario.months=24",
        f"program.enabled={str(enabled).lower()}",
        f"program.continuation_probability={continuation}",
        "program.evaluation=false",
        "program.budget_eur_per_year=2000000",
    ]
    scen = load_scenario(path, [*base, *extra])
    model = DistrictModel(scen, seed=seed)
    for t in range(scen.months):
        model.step()
        if t == LAPSE:
            model.program.enabled = (
                False  # the call is not run again: only continuation funding keeps a platform
            )
    return model.recorder.data


@pytest.fixture(scope="module")
def p4(tmp_path_factory) -> dict[str, list[dict[str, np.ndarray]]]:
    path = unequal_city(tmp_path_factory.mktemp("p4"))
    arms = {"funded": [], "lapsed": [], "never": [], "instant": []}
    for seed in P4_SEEDS:
        arms["funded"].append(_p4_arm(path, seed, 1.0))
        arms["lapsed"].append(_p4_arm(path, seed, 0.0))
        arms["never"].append(_p4_arm(path, seed, 0.0, enabled=False))
        arms["instant"].append(
            _p4_arm(path, seed, 0.0, extra=("program.legacy_half_life_years=0",))
        )
    return arms


def test_p4_setup_every_platform_lapses_or_continues(p4) -> None:
    """The arms are comparable: the same platforms before the lapse, then all lapse or all stay.

    All 8 districts are platforms before the lapse in every one of the 40 seeds at the
    defaults of issue 12's third session; after its second session the first call funded 7
    in three seeds, which leaves the paired comparison valid (both arms share the seed and
    their history up to the lapse).
    """
    platforms = np.array([g["is_platform"][LAPSE - 1].sum() for g in p4["lapsed"]])
    assert (platforms >= 7).all() and (platforms == 8).mean() >= 0.9, (
        f"expected all 8 districts to be platforms before the lapse in nearly every seed: "
        f"platforms per seed {platforms.tolist()}"
    )
    for f, lapsed in zip(p4["funded"], p4["lapsed"], strict=True):
        assert (f["is_platform"][LAPSE - 1] == lapsed["is_platform"][LAPSE - 1]).all(), (
            "expected the same platforms in the funded and the lapsed arm before the lapse"
        )
        assert lapsed["is_platform"][LAPSE:].sum() == 0, (
            "expected every platform to lapse in the first September without continuation "
            "funding, and no new call"
        )
        assert (f["is_platform"][LAPSE:] == f["is_platform"][LAPSE - 1]).all(), (
            "expected continuation funding to keep every platform"
        )


def test_p4_knowledge_persists_after_the_lapse(p4) -> None:
    k = "collective_knowledge_person_months"
    kept = mean_ci([(g[k][LAPSE + 12] / g[k][LAPSE]).mean() for g in p4["lapsed"]])
    assert kept[1] > 0.5, (
        "expected collective knowledge 12 months after the lapse above 50% of its level "
        f"at the lapse, ratio {fmt(kept)}"
    )
    excess_at = np.array(
        [(g[k][LAPSE] - n[k][LAPSE]).sum() for g, n in zip(p4["lapsed"], p4["never"], strict=True)]
    )
    excess_after = np.array(
        [
            (g[k][LAPSE + 12] - n[k][LAPSE + 12]).sum()
            for g, n in zip(p4["lapsed"], p4["never"], strict=True)
        ]
    )
    assert mean_ci(excess_at)[1] > 0, (
        "expected the program to have added knowledge by the lapse (lapsed minus never "
        f"funded) {fmt(mean_ci(excess_at))}"
    )
    after = mean_ci(excess_after)
    pooled = excess_after.sum() / excess_at.sum()
    assert after[1] > 0 and pooled > 0.5, (
        "expected the knowledge the program added to persist with a half-life: 12 months "
        f"after the lapse {fmt(after)} person-months, {pooled:.2f} of its size at the "
        "lapse (pooled)"
    )


def test_p4_partnerships_persist_after_the_lapse(p4) -> None:
    lapsed = np.array([g["partners"][AFTER].mean() for g in p4["lapsed"]])
    never = np.array([g["partners"][AFTER].mean() for g in p4["never"]])
    diff = mean_ci(lapsed - never)
    assert diff[1] > 0, (
        "expected partnerships made while funded to keep running after the lapse "
        f"(networks persist): lapsed minus never funded {fmt(diff)} partners per district"
    )


def test_p4_innovations_decay_not_to_zero(p4) -> None:
    funded = np.array([g["innovations"][AFTER].sum() for g in p4["funded"]])
    lapsed = np.array([g["innovations"][AFTER].sum() for g in p4["lapsed"]])
    never = np.array([g["innovations"][AFTER].sum() for g in p4["never"]])
    after = mean_ci(lapsed)
    drop = mean_ci(funded - lapsed)
    assert after[1] > 0, (
        "expected innovations to go on in the year after the lapse (not an instant drop "
        f"to 0): {fmt(after)} per city-year (never funded {never.mean():.2f})"
    )
    assert drop[1] > 0, (
        "expected fewer innovations after the lapse than with continuation funding: "
        f"funded minus lapsed {fmt(drop)} (funded {funded.mean():.2f}, lapsed "
        f"{lapsed.mean():.2f})"
    )
    legacy = mean_ci(lapsed - never)
    assert legacy[1] > 0, (
        "expected innovations after the lapse to stay above the never-funded level "
        f"(partnerships and knowledge carry over): lapsed minus never funded {fmt(legacy)}"
    )


# --------------------------------------------------------------------- P6
def _p6_runs(scen_by_alloc: dict[str, Scenario], seeds: list[int]) -> dict[str, np.ndarray]:
    share = {a: [] for a in scen_by_alloc}
    gini = {a: [] for a in scen_by_alloc}
    innovation_gini = {a: [] for a in scen_by_alloc}
    strong_over_weak = []
    results = {alloc: run_seeds(scen, seeds) for alloc, scen in scen_by_alloc.items()}
    for i, seed in enumerate(seeds):
        s0_by_alloc = {}
        for alloc, scen in scen_by_alloc.items():
            result = results[alloc][i]
            g = as_arrays(result)
            s0 = score(criteria(g, slice(0, 4)), scen.params.program)
            s0_by_alloc[alloc] = s0
            ev = result.events
            names = list(result.districts["district"].cat.categories)
            applied = np.isin(
                names, ev.loc[(ev.month == 0) & (ev.event == "application"), "district"].astype(str)
            )
            assert applied.sum() >= 4, (
                f"seed {seed}: expected at least 4 applicants in the first call, got "
                f"{applied.sum()}"
            )
            top = applied & (s0 > np.median(s0[applied]))
            grants = g["public_support_eur"].sum(axis=0)
            share[alloc].append(grants[top].sum() / grants.sum())
            gini[alloc].append(result.city["price_gini"].iloc[-1])
            innovations = g["innovations"].sum(axis=0)[applied]
            innovation_gini[alloc].append(weighted_gini(innovations, np.ones(innovations.size)))
        price, pop = g["price_eur_m2"][0], g["population"][0]
        weak = applied & ~top
        strong, rest = (np.average(price[m], weights=pop[m]) for m in (top, weak))
        strong_over_weak.append(np.log(strong / rest))
        np.testing.assert_allclose(
            s0_by_alloc["competitive"],
            s0_by_alloc["equal"],
            err_msg=(
                f"seed {seed}: expected the same initial scores in both arms (allocation acts "
                "from February)"
            ),
        )
    return {
        "share": np.array([share["competitive"], share["equal"]]).T,
        "gini": np.array([gini["competitive"], gini["equal"]]).T,
        "innovation_gini": np.array([innovation_gini["competitive"], innovation_gini["equal"]]).T,
        "strong_over_weak": np.array(strong_over_weak),
    }


@pytest.fixture(scope="module")
def p6_unequal(tmp_path_factory) -> dict[str, np.ndarray]:
    path = unequal_city(tmp_path_factory.mktemp("p6"))
    scens = {
        a: load_scenario(path, ["program.enabled=true", f"program.allocation={a}"])
        for a in ("competitive", "equal")
    }
    return _p6_runs(scens, P6_SEEDS)


@pytest.fixture(scope="module")
def p6_helsinki() -> dict[str, np.ndarray]:
    scens = {
        a: load_scenario(
            "innovation_call",
            [f"scenario.months={MONTHS}", f"scenario.scale={SCALE}", f"program.allocation={a}"],
        )
        for a in ("competitive", "equal")
    }
    return _p6_runs(scens, P6_HELSINKI_SEEDS)


def test_p6_competitive_call_concentrates_funding(p6_unequal) -> None:
    share = p6_unequal["share"]
    diff = mean_ci(share[:, 0] - share[:, 1])
    assert diff[1] > 0, (
        "expected the competitive call to give the initially strong half of applicants a "
        "larger share of grants than equal allocation: competitive minus equal "
        f"{fmt(diff)} (competitive {share[:, 0].mean():.3f}, equal "
        f"{share[:, 1].mean():.3f})"
    )


def test_p6_competitive_call_widens_inequality(p6_unequal) -> None:
    gini = p6_unequal["gini"]
    diff = mean_ci(gini[:, 0] - gini[:, 1])
    assert diff[1] > 0, (
        "expected a wider between-district price Gini after 20 years under the "
        "competitive call than under equal allocation: competitive minus equal "
        f"{fmt(diff)} (competitive {gini[:, 0].mean():.4f}, equal {gini[:, 1].mean():.4f})"
    )


def test_p6_helsinki_competitive_call_concentrates_funding(p6_helsinki) -> None:
    share = p6_helsinki["share"]
    diff = mean_ci(share[:, 0] - share[:, 1])
    assert diff[1] > 0, (
        "expected the competitive call to concentrate grants on the initially strong half "
        f"of applicants in the default city: competitive minus equal {fmt(diff)} "
        f"(competitive {share[:, 0].mean():.3f}, equal {share[:, 1].mean():.3f})"
    )


def test_p6_helsinki_competitive_call_concentrates_innovations(p6_helsinki) -> None:
    """Revised P6 for the default city (issue 12): cumulative advantage in what the call funds.

    Gini of the 20-year innovation counts of the first call's applicants (one
    value per district), competitive minus equal, paired by seed. Measured
    (12 seeds, defaults of issue 12's third session): 0.52 vs 0.34, +0.18
    [+0.16, +0.21] (40 seeds: +0.180 [+0.169, +0.190],
    ``experiments/patterns/p6_default_city.py --seeds 40``).
    """
    inn = p6_helsinki["innovation_gini"]
    diff = mean_ci(inn[:, 0] - inn[:, 1])
    assert diff[1] > 0, (
        "expected the competitive call to widen the inequality of 20-year innovations among "
        f"the first call's applicants (Gini, one value per district): competitive minus equal "
        f"{fmt(diff)} (competitive {inn[:, 0].mean():.3f}, equal {inn[:, 1].mean():.3f})"
    )


def test_p6_helsinki_price_gini_does_not_widen_where_the_strong_are_cheaper(p6_helsinki) -> None:
    """Revised P6 for the default city (issue 12): the price half of P6 needs strong = expensive.

    In the default city the strong half of the first call's applicants is the
    cheaper half, so concentrating grants on it does not widen the price Gini.
    Measured (12 seeds, defaults of issue 12's third session): strong over weak
    month-0 log price -0.24 [-0.34, -0.15] (-0.048 to -0.458 by seed);
    competitive minus equal final price Gini -0.0012 [-0.0037, +0.0012] (40
    seeds: -0.24 on average, dearer in 1 seed, and -0.0014 [-0.0024, -0.0004];
    in the counterfactual city of ``p6_default_city.py``, where the strong half
    is the dearer one in 33 seeds of 40, +0.0016 [+0.0005, +0.0026]).
    """
    gap = p6_helsinki["strong_over_weak"]
    gini = p6_helsinki["gini"]
    diff = mean_ci(gini[:, 0] - gini[:, 1])
    summary = (
        f"strong over weak applicants' month-0 log price {fmt(mean_ci(gap))}, per seed "
        f"{np.round(gap, 3)}; "
        f"competitive minus equal final price Gini {fmt(diff)}"
    )
    assert mean_ci(gap)[2] < 0, (
        "expected the strong half of the first call's applicants (above the median initial "
        f"score) to be cheaper than the weak half at month 0 (mean over seeds, 95% interval "
        f"below 0); {summary}"
    )
    assert diff[2] < P6_NO_WIDENING, (
        "expected the competitive call not to widen the default city's price Gini (upper end "
        f"of the 95% interval below +{P6_NO_WIDENING}) where the strong applicants are the "
        f"cheaper ones; {summary}"
    )


def _kept_share(
    p4: dict[str, list[dict[str, np.ndarray]]], seeds: np.ndarray, window: slice
) -> float:
    """Share of the funded arm's innovation premium that the lapsed arm keeps in ``window``.

    The premium is over never funded, pooled over ``seeds``.
    """
    inn = {
        arm: np.array([p4[arm][i]["innovations"][window].sum() for i in seeds])
        for arm in ("funded", "lapsed", "never")
    }
    return float(
        (inn["lapsed"].sum() - inn["never"].sum()) / (inn["funded"].sum() - inn["never"].sum())
    )


def test_p4_platform_premium_fades_gradually(p4) -> None:
    """Platform standing and efficiency fade with a half-life: the innovation premium stays a while.

    The premium does not go at once.
    """
    seeds = np.arange(len(P4_SEEDS))
    kept = _kept_share(p4, seeds, AFTER)
    rng = np.random.default_rng(4)
    boot = np.array([_kept_share(p4, rng.choice(seeds, seeds.size), AFTER) for _ in range(2000)])
    lo, hi = np.percentile(boot, [2.5, 97.5])
    legacy = np.array([g["innovations"][AFTER].sum() for g in p4["lapsed"]])
    instant = np.array([g["innovations"][AFTER].sum() for g in p4["instant"]])
    diff = mean_ci(legacy - instant)
    summary = (
        f"kept share of the premium in the year after the lapse {kept:.2f} [{lo:.2f}, "
        f"{hi:.2f}]; with legacy_half_life_years=0 "
        f"{_kept_share({**p4, 'lapsed': p4['instant']}, seeds, AFTER):.2f}"
    )
    assert lo > 0.25, (
        "expected the lapsed platforms to keep over a quarter of the funded innovation "
        f"premium in the year after the lapse (lower 95% bootstrap bound); {summary}"
    )
    assert diff[1] > 0, (
        "expected more innovations after the lapse with a fading legacy than with an "
        f"instant drop (legacy_half_life_years=0): {fmt(diff)}; {summary}"
    )
