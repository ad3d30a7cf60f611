"""Partnerships with outside actors and innovations (MODEL 5.5) [S1, S4].

Closed forms of :mod:`districtsim.partnerships`, the outside actors as Mesa
agents (:mod:`districtsim.orgs.partners`), their capacity and the duration of
partnerships, and the recorded partnership and innovation columns against the
event log they summarise.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from scipy import stats

from districtsim import partnerships
from districtsim.model import DistrictModel
from districtsim.orgs.partners import OutsideActor, OutsideFirm, ResearchInstitute
from districtsim.params import Partnerships
from districtsim.rates import half_life_to_monthly_rate
from districtsim.run import run_scenario
from helpers import small_scenario

P = Partnerships()
ACTOR = re.compile(r"^(outside_firm|research_institute) (\d+)")


# ------------------------------------------------------------------ closed forms
def test_saturating_is_x_over_x_plus_half() -> None:
    x = np.array([0.0, 50.0, 150.0, 1e9, -5.0])
    got = partnerships.saturating(x, 50.0)
    np.testing.assert_allclose(
        got,
        [0.0, 0.5, 0.75, 1.0, 0.0],
        atol=1e-7,
        err_msg=(
            "expected x/(x+half): 0 at 0, 0.5 at half, 0.75 at 3*half, -> 1, negative stocks "
            "count as 0"
        ),
    )
    assert np.all(np.diff(partnerships.saturating(np.linspace(0, 1000, 50), 200.0)) > 0), (
        "expected saturating() to rise strictly with the stock"
    )


def test_partnership_rate_closed_form() -> None:
    vis = np.array([0.0, 0.1, 0.2, 0.4])
    k = np.array([0.5, 0.0, 0.25, 1.0])
    platform = np.array([False, True, False, True])
    got = partnerships.partnership_rate(vis, k, platform, P)
    want = (
        P.rate_per_year
        / 12
        * (vis / P.visibility_ref)
        * (0.5 + k)
        * np.where(platform, P.platform_multiplier, 1.0)
    )
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-12,
        err_msg="expected rate/12 * (E/E_ref) * (0.5 + k) * platform multiplier (MODEL 5.5)",
    )
    assert got[0] == 0.0, "expected no partnerships for a district invisible from outside (E_d = 0)"
    # At the reference visibility, k = 0.5 and no platform status: the base rate per month.
    base = partnerships.partnership_rate(
        np.array([P.visibility_ref]), np.array([0.5]), np.array([False]), P
    )
    np.testing.assert_allclose(
        base, P.rate_per_year / 12, err_msg="expected the base rate per month at E = E_ref, k = 0.5"
    )
    ratio = partnerships.partnership_rate(
        np.array([0.2]), np.array([0.3]), np.array([True]), P
    ) / partnerships.partnership_rate(np.array([0.2]), np.array([0.3]), np.array([False]), P)
    np.testing.assert_allclose(
        ratio,
        P.platform_multiplier,
        err_msg="expected platform status to multiply the rate by platform_multiplier",
    )


def test_innovation_rate_closed_form() -> None:
    p = dataclasses.replace(P, exponent_knowledge=2.0, exponent_competence=0.5)
    k = np.array([0.0, 0.5, 0.8, 0.3])
    c = np.array([0.4, 0.25, 1.0, 0.6])
    partners = np.array([3.0, 0.0, 1.0, 2.0])
    mode = np.array([1.0, 0.1, 0.5, 1.0])
    eff = np.array([1.0, 1.3, 1.0, 1.3])
    grant = np.array([1.0, 2.0, 1.0, 1.5])
    got = partnerships.innovation_rate(k, c, partners, mode, eff, grant, p)
    want = p.lambda0_per_year / 12 * k**2.0 * c**0.5 * (1 + partners) * mode * eff * grant
    np.testing.assert_allclose(
        got,
        want,
        rtol=1e-12,
        err_msg=(
            "expected lambda0/12 * k^a * c^b * (1 + partners) * mode * efficiency * grant "
            "factor (MODEL 5.5)"
        ),
    )
    assert got[0] == 0.0, "expected no innovations without collective knowledge"
    one = partnerships.innovation_rate(
        np.array([0.5]),
        np.array([0.5]),
        np.array([0.0]),
        np.array([1.0]),
        np.array([1.0]),
        np.array([1.0]),
        P,
    )
    two = partnerships.innovation_rate(
        np.array([0.5]),
        np.array([0.5]),
        np.array([1.0]),
        np.array([1.0]),
        np.array([1.0]),
        np.array([1.0]),
        P,
    )
    np.testing.assert_allclose(
        two / one,
        2.0,
        err_msg="expected one running partnership to double the innovation rate (1 + partners)",
    )


def test_mode_multiplier_maps_codes() -> None:
    got = partnerships.mode_multiplier(np.array([0, 1, 2, 2, 0]), P)
    want = [
        P.mode_multiplier_traditional,
        P.mode_multiplier_creative,
        P.mode_multiplier_platform,
        P.mode_multiplier_platform,
        P.mode_multiplier_traditional,
    ]
    np.testing.assert_array_equal(
        got, want, err_msg="expected codes 0, 1, 2 to map to traditional, creative, platform"
    )
    assert (
        P.mode_multiplier_traditional < P.mode_multiplier_creative < P.mode_multiplier_platform
    ), "expected defaults to rank traditional < creative < platform (MODEL 5.12, [S5])"
    custom = dataclasses.replace(
        P,
        mode_multiplier_traditional=0.2,
        mode_multiplier_creative=0.7,
        mode_multiplier_platform=3.0,
    )
    np.testing.assert_array_equal(
        partnerships.mode_multiplier(np.array([2, 1, 0]), custom),
        [3.0, 0.7, 0.2],
        err_msg="expected the multipliers to come from the parameters",
    )


def test_draw_values_lognormal_median_and_spread() -> None:
    n = 40_000
    values = partnerships.draw_values(np.random.default_rng(20240601), n, P)
    assert values.shape == (n,) and np.all(values > 0), "expected n positive commercial values"
    below = int((values < P.value_median_eur).sum())
    ci = stats.binomtest(below, n, 0.5).proportion_ci(0.999)
    assert ci.low < 0.5 < ci.high, (
        f"expected half the values below value_median_eur={P.value_median_eur:g}; "
        f"{below}/{n} below, 99.9% CI [{ci.low:.4f}, {ci.high:.4f}]"
    )
    logs = np.log(values)
    se = P.value_sigma / np.sqrt(n)
    assert abs(logs.mean() - np.log(P.value_median_eur)) < 4 * se, (
        f"expected mean log value log(median)={np.log(P.value_median_eur):.4f} +- "
        f"{4 * se:.4f}, got {logs.mean():.4f}"
    )
    lo, hi = (
        np.sqrt((n - 1) * logs.var(ddof=1) / stats.chi2.ppf(q, n - 1)) for q in (0.9995, 0.0005)
    )
    assert lo < P.value_sigma < hi, (
        f"expected log-sd value_sigma={P.value_sigma}; 99.9% CI [{lo:.4f}, {hi:.4f}]"
    )
    assert partnerships.draw_values(np.random.default_rng(1), 0, P).shape == (0,), (
        "expected no values for no innovations"
    )
    flat = partnerships.draw_values(
        np.random.default_rng(1), 5, dataclasses.replace(P, value_sigma=0.0)
    )
    np.testing.assert_allclose(
        flat, P.value_median_eur, err_msg="expected sigma 0 to give exactly the median"
    )


# ---------------------------------------------------------------- Mesa agents
def test_outside_actors_are_mesa_agents_with_param_counts() -> None:
    model = DistrictModel(small_scenario(2))
    firms = model.agents_by_type[OutsideFirm]
    institutes = model.agents_by_type[ResearchInstitute]
    assert len(firms) == P.n_outside_firms, (
        f"expected {P.n_outside_firms} OutsideFirm agents, got {len(firms)}"
    )
    assert len(institutes) == P.n_research_institutes, (
        f"expected {P.n_research_institutes} ResearchInstitute agents, got {len(institutes)}"
    )
    assert all(f.capacity == P.capacity_per_firm for f in firms), (
        f"expected firm capacity {P.capacity_per_firm}"
    )
    assert all(i.capacity == P.capacity_per_institute for i in institutes), (
        f"expected institute capacity {P.capacity_per_institute}"
    )
    assert all(0.0 <= a.interest <= 1.0 for a in model.outside_actors), "expected interests in 0..1"
    assert len(model.outside_actors) == len(firms) + len(institutes), (
        "expected model.outside_actors to list every firm and institute"
    )

    custom = DistrictModel(
        small_scenario(
            2,
            "partnerships.n_outside_firms=5",
            "partnerships.n_research_institutes=0",
            "partnerships.capacity_per_firm=7",
        )
    )
    assert len(custom.agents_by_type[OutsideFirm]) == 5, (
        "expected n_outside_firms=5 OutsideFirm agents"
    )
    assert len(custom.agents_by_type.get(ResearchInstitute, [])) == 0, (
        "expected no ResearchInstitute agents when n_research_institutes=0"
    )
    assert all(isinstance(a, OutsideActor) and a.capacity == 7 for a in custom.outside_actors), (
        "expected capacity_per_firm=7 on every firm"
    )


def test_partnerships_never_exceed_capacity() -> None:
    # Few actors, a very high partnership rate: demand outstrips capacity.
    actors = [
        "partnerships.n_outside_firms=2",
        "partnerships.n_research_institutes=1",
        "partnerships.capacity_per_firm=1",
        "partnerships.capacity_per_institute=2",
    ]
    scen = small_scenario(
        48,
        *actors,
        "partnerships.rate_per_year=60",
        "partnerships.duration_months=6",
        "program.enabled=true",
    )
    model = DistrictModel(scen)
    total_capacity = 2 * 1 + 1 * 2
    full_months = 0
    for t in range(scen.months):
        model.step()
        for a in model.outside_actors:
            assert len(a.partnerships) <= a.capacity, (
                f"month {t}: {a.kind} {a.unique_id} runs {len(a.partnerships)} "
                f"partnerships, capacity {a.capacity}"
            )
        running = sum(len(a.partnerships) for a in model.outside_actors)
        assert model.districts.partners.sum() == running <= total_capacity, (
            f"month {t}: expected recorded partners ({model.districts.partners.sum()}) == "
            f"running ({running}) <= capacity {total_capacity}"
        )
        full_months += running == total_capacity
    assert full_months > 10, (
        "expected capacity to bind in many months with rate 60/year (test must bite), it "
        f"bound in {full_months}"
    )


def _partnership_spells(events):
    """Return (district, actor, start, end) of every partnership with an outside actor.

    Each is matched with its end event.
    """
    outside = events.detail.str.match(ACTOR.pattern)
    starts = events[(events.event == "partnership") & outside]
    ends = events[(events.event == "partnership_end") & outside]
    spells = []
    open_ends = {}
    for row in ends.itertuples():
        key = (str(row.district), ACTOR.match(row.detail).group(0))
        open_ends.setdefault(key, []).append(int(row.month))
    for row in starts.itertuples():
        key = (str(row.district), ACTOR.match(row.detail).group(0))
        ended = open_ends.get(key, [])
        spells.append((*key, int(row.month), int(row.value), ended.pop(0) if ended else None))
    return spells


def test_partnerships_end_after_duration() -> None:
    duration = 7
    scen = small_scenario(
        60, "partnerships.rate_per_year=6", f"partnerships.duration_months={duration}"
    )
    result = run_scenario(scen, seed=5)
    spells = _partnership_spells(result.events)
    assert len(spells) > 20, (
        f"expected many partnerships with rate 6/year over 5 years, got {len(spells)}"
    )
    for district, actor, start, planned, ended in spells:
        assert planned == start + duration, (
            f"{district}/{actor}: expected end month start + {duration} = "
            f"{start + duration} in the event value, got {planned}"
        )
        if start + duration < scen.months:
            assert ended == start + duration, (
                f"{district}/{actor} started in month {start}: expected a partnership_end "
                f"event in month {start + duration}, got {ended}"
            )
        else:
            assert ended is None, (
                f"{district}/{actor}: expected no end event beyond the horizon, got month {ended}"
            )
    # The recorded count of running partnerships is the number of spells covering the month.
    d = result.districts
    for name in ("Traditional", "Creative"):
        rec = d.loc[d.district == name, "partners"].to_numpy()
        want = np.zeros(scen.months)
        for district, _, start, planned, _ in spells:
            if district == name:
                want[start : min(planned, scen.months)] += 1
        np.testing.assert_array_equal(
            rec,
            want,
            err_msg=(
                f"{name}: expected partners[t] = number of partnerships with start <= t < "
                "start + duration"
            ),
        )
        pp = scen.params.partnerships
        np.testing.assert_allclose(
            d.loc[d.district == name, "external_persons"],
            rec * pp.experts_per_partnership,
            err_msg="expected external persons = partners * experts_per_partnership",
        )
        np.testing.assert_allclose(
            d.loc[d.district == name, "external_eur"],
            rec * pp.eur_per_partnership_per_year / 12,
            err_msg=(
                "expected external EUR per month = partners * eur_per_partnership_per_year / 12"
            ),
        )


def test_innovation_columns_match_events_and_benefit_decays() -> None:
    scen = small_scenario(48, "partnerships.lambda0_per_year=40", "program.enabled=true")
    result = run_scenario(scen, seed=2)
    d, ev = result.districts, result.events
    inn = ev[ev.event == "innovation"]
    assert len(inn) > 20, f"expected many innovations with lambda0 = 40/year, got {len(inn)}"
    count = inn.groupby(["month", "district"], observed=False).size()
    value = inn.groupby(["month", "district"], observed=False)["value"].sum()
    pp = scen.params.partnerships
    decay = half_life_to_monthly_rate(pp.benefit_half_life_years)
    for name in ("Traditional", "Creative"):
        rows = d[d.district == name]
        n = np.array([count.get((t, name), 0) for t in range(scen.months)], dtype=float)
        v = np.array([value.get((t, name), 0.0) for t in range(scen.months)])
        np.testing.assert_array_equal(
            rows["innovations"].to_numpy(),
            n,
            err_msg=f"{name}: expected innovations column = innovation events per month",
        )
        np.testing.assert_allclose(
            rows["commercial_value_eur"].to_numpy(),
            v,
            rtol=1e-9,
            err_msg=f"{name}: expected commercial value = sum of the month's innovation values",
        )
        benefit = np.zeros(scen.months)
        prev = 0.0
        for t in range(scen.months):
            prev = prev * (1 - decay) + pp.benefit_per_innovation * n[t]
            benefit[t] = prev
        np.testing.assert_allclose(
            rows["local_benefit"].to_numpy(),
            benefit,
            rtol=1e-9,
            err_msg=(
                f"{name}: expected local benefit B_t = B_(t-1) * (1 - decay) + "
                "benefit_per_innovation * innovations_t"
            ),
        )
    city = result.city
    np.testing.assert_allclose(
        city["commercial_value_eur"],
        d.groupby("month", observed=True)["commercial_value_eur"].sum().to_numpy(),
        err_msg=(
            "expected the city's commercial value to be the sum over districts (transferable value)"
        ),
    )


@pytest.mark.parametrize("mode_code", [0, 1])
def test_no_knowledge_no_innovations(mode_code: int) -> None:
    rate = partnerships.innovation_rate(
        np.zeros(3),
        np.full(3, 0.9),
        np.full(3, 4.0),
        partnerships.mode_multiplier(np.full(3, mode_code), P),
        np.ones(3),
        np.full(3, 3.0),
        P,
    )
    assert np.all(rate == 0), (
        "expected a zero innovation rate without collective knowledge, whatever the "
        "partners or funding"
    )
