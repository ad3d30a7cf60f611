"""Local firms as Mesa agents (MODEL 2, 5.5, 5.8).

Counts, entry and exit, interest, partnerships with their district.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from districtsim import partnerships
from districtsim.model import DistrictModel
from districtsim.orgs.firms import LocalFirm, draw_interest, local_partnership_hazard
from districtsim.params import Firms
from helpers import small_scenario, stepped


def test_firms_are_agents_counted_per_district_and_not_sampled_with_scale() -> None:
    f = Firms()
    counts = []
    for scale in (0.01, 0.1):
        model = DistrictModel(small_scenario(1, scale=scale), seed=1)
        agents = model.agents_by_type[LocalFirm]
        assert len(agents) == len(model.firms.agents), (
            "expected model.firms.agents to hold every LocalFirm agent"
        )
        np.testing.assert_array_equal(
            model.districts.local_firms,
            np.bincount([x.district for x in agents], minlength=2),
            err_msg="expected local_firms to count the agents per district",
        )
        counts.append(model.districts.local_firms.copy())
    np.testing.assert_array_equal(
        counts[0],
        counts[1],
        err_msg="expected the same firms at scale 0.01 and 0.1 (firms are not sampled)",
    )
    assert counts[0].tolist() == [round(f.initial_per_1000 * 20000 / 1000)] * 2, (
        "expected initial_per_1000 firms per 1,000 residents"
    )


def test_interest_is_beta_with_the_documented_mean() -> None:
    f = Firms()
    x = draw_interest(np.random.default_rng(1), f, 200_000)
    a, b = (
        f.interest_mean * f.interest_concentration,
        (1 - f.interest_mean) * f.interest_concentration,
    )
    ks = stats.kstest(x, stats.beta(a, b).cdf)
    assert ks.pvalue > 0.001, f"expected interest ~ Beta({a:.2f}, {b:.2f}), KS p={ks.pvalue:.2g}"


def test_agents_stay_in_step_with_their_arrays_through_entry_and_exit() -> None:
    model = DistrictModel(small_scenario(60, scale=0.05), seed=2)
    ids0 = {x.unique_id for x in model.firms.agents}
    entered = exited = 0
    for _ in range(60):
        model.step()
        alive = list(model.agents_by_type[LocalFirm])
        assert len(alive) == len(model.firms.agents) and set(alive) == set(model.firms.agents), (
            f"month {model.month}: expected model.firms.agents to be exactly the live "
            "LocalFirm agents"
        )
        np.testing.assert_array_equal(
            model.firms.district, [x.district for x in model.firms.agents]
        )
        np.testing.assert_array_equal(
            model.firms.interest, [x.interest for x in model.firms.agents]
        )
    ids = {x.unique_id for x in model.firms.agents}
    entered, exited = len(ids - ids0), len(ids0 - ids)
    assert entered > 20 and exited > 20, (
        f"expected entries and exits over 5 years (test must bite), got {entered} and {exited}"
    )
    d = model.recorder.data
    np.testing.assert_array_equal(
        d["local_firms"][-1], np.bincount([x.district for x in model.firms.agents], minlength=2)
    )


def test_exit_rate_matches_the_parameter_at_average_attractiveness() -> None:
    """Firms present at the start exit at about exit_per_year (attractiveness ~1).

    Survival after 5 years is ~ (1 - m)^60.
    """
    f = Firms()
    model = DistrictModel(small_scenario(60, scale=0.05), seed=3)
    start = {x.unique_id for x in model.firms.agents}
    for _ in range(60):
        model.step()
    survivors = len(start & {x.unique_id for x in model.firms.agents})
    monthly = f.exit_per_year / 12.0
    want = len(start) * (1 - monthly) ** 60
    attr = model.recorder.data["attractiveness"][:60]
    lo, hi = (
        (1 - monthly * attr.max() ** -f.elasticity_attractiveness) ** 60,
        (1 - monthly * attr.min() ** -f.elasticity_attractiveness) ** 60,
    )
    assert (
        len(start) * lo - 4 * np.sqrt(want) <= survivors <= len(start) * hi + 4 * np.sqrt(want)
    ), f"expected ~{want:.0f} of {len(start)} initial firms to survive 5 years, got {survivors}"


def test_local_partnerships_follow_the_hazard() -> None:
    """Partnership starts of local firms over 10 years match the summed monthly hazards.

    The test uses a Poisson 99.9% interval.
    """
    rate = 20.0
    scen = small_scenario(120, f"firms.partnerships_per_1000_per_year={rate}", scale=0.05)
    model = DistrictModel(scen, seed=4)
    pp = scen.params.partnerships
    expected = 0.0
    started = 0
    for t in range(scen.months):
        k_norm = partnerships.saturating(
            model.districts.k_public + model.districts.k_private, pp.knowledge_half_saturation
        )
        free = np.array([x.is_free or x.partnership_end <= t for x in model.firms.agents])
        h = local_partnership_hazard(
            model.firms.interest,
            k_norm[model.firms.district],
            model.program.is_platform[model.firms.district],
            scen.params.firms,
            pp.platform_multiplier,
        )
        expected += float((-np.expm1(-h))[free].sum())
        n_before = sum(
            1
            for e in model.event_log
            if e["event"] == "partnership" and e["detail"].startswith("local_firm")
        )
        model.step()
        started += (
            sum(
                1
                for e in model.event_log
                if e["event"] == "partnership" and e["detail"].startswith("local_firm")
            )
            - n_before
        )
    lo, hi = stats.poisson.ppf([0.0005, 0.9995], expected)
    assert lo <= started <= hi, (
        f"expected {expected:.1f} local partnerships (99.9% interval {lo:.0f}-{hi:.0f}), "
        f"got {started}"
    )
    assert started > 20, "expected many local partnerships at this rate (test must bite)"


def test_local_partners_feed_innovations_but_not_external_resources() -> None:
    scen = small_scenario(60, "firms.partnerships_per_1000_per_year=50", scale=0.05)
    model = DistrictModel(scen, seed=5)
    for _ in range(scen.months):
        n_events = len(model.event_log)
        model.step()
        # partners_local is counted in the partnership phase; firms that closed later in the month
        # ended theirs.
        closed = [
            e["district"]
            for e in model.event_log[n_events:]
            if e["event"] == "partnership_end" and e["detail"].endswith("(firm closed)")
        ]
        closed_per_district = np.array([closed.count(name) for name in model.names])
        np.testing.assert_array_equal(
            model.districts.partners_local,
            np.bincount([x.district for x in model.firms.partnered], minlength=2)
            + closed_per_district,
        )
        assert all(
            x.model is model and x in model.agents_by_type[LocalFirm] for x in model.firms.partnered
        ), "expected only live firms to hold partnerships"
    d = model.recorder.data
    assert d["partners_local"].max() > 0, (
        "expected local partnerships at this rate (test must bite)"
    )
    pp = scen.params.partnerships
    np.testing.assert_allclose(
        d["external_persons"],
        d["partners"] * pp.experts_per_partnership,
        err_msg="expected external resources from outside partners only",
    )


@pytest.mark.slow
def test_local_partnerships_raise_innovations_over_replicates() -> None:
    """Paired by seed: a high local partnership rate raises 10-year innovations.

    The 95% CI of the difference is above 0.
    """
    diffs = []
    for seed in range(1, 11):
        out = []
        for rate in (0.0, 30.0):
            scen = small_scenario(120, f"firms.partnerships_per_1000_per_year={rate}", scale=0.05)
            model = stepped(scen, 120, seed=seed)
            out.append(model.recorder.data["innovations"].sum())
        diffs.append(out[1] - out[0])
    diffs = np.array(diffs)
    mean, half = (
        diffs.mean(),
        stats.t.ppf(0.975, diffs.size - 1) * diffs.std(ddof=1) / np.sqrt(diffs.size),
    )
    assert mean - half > 0, (
        f"expected more innovations with local partnerships: +{mean:.2f} "
        f"[{mean - half:+.2f}, {mean + half:+.2f}] per 10 years"
    )


def test_a_finished_model_is_freed() -> None:
    """No reference cycle through a numpy object array (which Python's collector cannot see):
    sweep workers and the dashboard build model after model, and each must be freed."""
    import gc
    import weakref

    from districtsim.model import DistrictModel
    from districtsim.scenario import load_scenario

    scen = load_scenario("two_districts", ["scenario.scale=0.01", "scenario.months=13"])
    model = DistrictModel(scen, seed=1)
    for _ in range(13):  # firms enter and exit every month
        model.step()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None, "expected the model to be collected once nothing refers to it"
