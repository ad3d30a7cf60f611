"""Local firms: a struct of arrays, one entry per firm (MODEL 2, 5.5, 5.8).

Counts, ids, entry and exit, interest, partnerships with their district.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from districtsim import partnerships
from districtsim.model import DistrictModel
from districtsim.orgs.associations import Association
from districtsim.orgs.firms import FREE, LocalFirms, draw_interest, local_partnership_hazard
from districtsim.params import Firms
from helpers import small_scenario, stepped

FIELDS = ("district", "interest", "founded_month", "firm_id", "partnership_end")
"""The per-firm arrays of ``LocalFirms``."""


def assert_consistent(firms: LocalFirms, month: int) -> None:
    """The arrays have one entry per firm, ids increase, and ``partnered`` lists the partnered."""
    assert all(len(getattr(firms, k)) == len(firms) for k in FIELDS), (
        f"month {month}: expected one entry per firm in {FIELDS}"
    )
    assert firms.district.dtype == np.intp and firms.interest.dtype == np.float64
    assert firms.firm_id.dtype == np.int64 and firms.partnership_end.dtype == np.int64
    assert (np.diff(firms.firm_id) > 0).all(), f"month {month}: expected increasing firm ids"
    assert (firms.founded_month < month).all(), f"month {month}: a firm founded in the future"
    assert len(set(firms.partnered)) == len(firms.partnered), "a firm listed twice as partnered"
    assert set(firms.partnered) == set(firms.firm_id[~firms.is_free].tolist()), (
        f"month {month}: expected partnered to list exactly the firms with a partnership_end"
    )
    ends = firms.partnership_end[firms.index(firms.partnered)]
    assert (ends >= month).all() and (np.diff(ends) >= 0).all(), (
        f"month {month}: expected running partnerships listed in the order they began"
    )


def test_firms_are_counted_per_district_and_not_sampled_with_scale() -> None:
    f = Firms()
    counts = []
    for scale in (0.01, 0.1):
        model = DistrictModel(small_scenario(1, scale=scale), seed=1)
        firms = model.firms
        assert_consistent(firms, 0)
        np.testing.assert_array_equal(
            model.districts.local_firms,
            np.bincount(firms.district, minlength=2),
            err_msg="expected local_firms to count the firms per district",
        )
        assert (firms.founded_month == -1).all() and firms.is_free.all()
        counts.append(model.districts.local_firms.copy())
    np.testing.assert_array_equal(
        counts[0],
        counts[1],
        err_msg="expected the same firms at scale 0.01 and 0.1 (firms are not sampled)",
    )
    assert counts[0].tolist() == [round(f.initial_per_1000 * 20000 / 1000)] * 2, (
        "expected initial_per_1000 firms per 1,000 residents"
    )


def test_firm_ids_continue_the_models_agent_id_sequence() -> None:
    """The initial firms take a block of ids between the residents' set-up and the associations.

    Mesa's ids are ``agent_id_counter`` at registration; the firms take theirs from the same
    counter, so they are unique among the model's agents and the associations (created right
    after the firms) get the ids they had when each firm was an agent.
    """
    model = DistrictModel(small_scenario(1, scale=0.01), seed=1)
    ids = model.firms.firm_id
    np.testing.assert_array_equal(ids, np.arange(ids[0], ids[0] + len(ids)))
    agent_ids = sorted(a.unique_id for a in model.agents)
    assert not set(agent_ids) & set(ids.tolist()), "expected no agent to share a firm's id"
    association_ids = sorted(a.unique_id for a in model.agents_by_type[Association])
    assert association_ids[0] == ids[-1] + 1, (
        f"expected the associations' ids to follow the firms' ({ids[-1]}), got {association_ids[0]}"
    )
    assert model.agent_id_counter == max(agent_ids[-1], ids[-1]) + 1


def test_entries_take_new_ids_and_arrays_can_be_indexed_by_id() -> None:
    model = SimpleNamespace(agent_id_counter=10)
    firms = LocalFirms(model, np.array([0, 0, 1]), np.array([0.1, 0.6, 0.2]))
    firms.add(model, np.array([1, 2]), np.array([0.7, 0.3]), 5)
    assert firms.firm_id.tolist() == [10, 11, 12, 13, 14] and model.agent_id_counter == 15
    assert firms.founded_month.tolist() == [-1, -1, -1, 5, 5]
    firms.remove(np.array([False, True, False, True, False]))
    assert firms.firm_id.tolist() == [10, 12, 14] and firms.district.tolist() == [0, 1, 2]
    assert firms.interest.tolist() == [0.1, 0.2, 0.3]
    assert firms.index([14, 10]).tolist() == [2, 0]
    with pytest.raises(KeyError):
        firms.index([11])
    with pytest.raises(KeyError):
        firms.index([15])
    assert firms.per_district(3).tolist() == [1, 1, 1]
    assert firms.developing_per_district(3).tolist() == [0.0, 0.0, 0.0]
    assert (firms.partnership_end == FREE).all() and firms.is_free.all()


def test_interest_is_beta_with_the_documented_mean() -> None:
    f = Firms()
    x = draw_interest(np.random.default_rng(1), f, 200_000)
    a, b = (
        f.interest_mean * f.interest_concentration,
        (1 - f.interest_mean) * f.interest_concentration,
    )
    ks = stats.kstest(x, stats.beta(a, b).cdf)
    assert ks.pvalue > 0.001, f"expected interest ~ Beta({a:.2f}, {b:.2f}), KS p={ks.pvalue:.2g}"


def test_arrays_stay_consistent_through_entry_and_exit() -> None:
    """Survivors keep their entries, entries are appended by district with new ids, and the
    counts per district follow; exits and entries both happen."""
    model = DistrictModel(small_scenario(60, scale=0.05), seed=2)
    firms = model.firms
    ids0 = set(firms.firm_id.tolist())
    entered = exited = 0
    for _ in range(60):
        t = model.month
        before = {
            int(i): (int(d), float(x), int(m))
            for i, d, x, m in zip(
                firms.firm_id, firms.district, firms.interest, firms.founded_month, strict=True
            )
        }
        model.step()
        assert_consistent(firms, model.month)
        now = firms.firm_id.tolist()
        new = firms.founded_month == t
        kept = [i for i in now if i in before]
        assert now[: len(kept)] == kept and not new[: len(kept)].any() and new[len(kept) :].all(), (
            f"month {t}: expected the survivors in their order, then the entries"
        )
        for k in np.flatnonzero(~new):
            i = int(firms.firm_id[k])
            assert before[i] == (firms.district[k], firms.interest[k], firms.founded_month[k]), (
                f"month {t}: firm {i} changed its district, interest or founding month"
            )
        new_ids = firms.firm_id[new]
        counter = model.agent_id_counter
        np.testing.assert_array_equal(new_ids, np.arange(counter - new_ids.size, counter))
        assert (np.diff(firms.district[new]) >= 0).all(), "expected entries in district order"
        entered += int(new.sum())
        exited += len(before) - len(kept)
        np.testing.assert_array_equal(model.districts.local_firms, firms.per_district(2))
        np.testing.assert_array_equal(
            firms.per_district(2),
            np.bincount([before[i][0] for i in kept], minlength=2)
            + np.bincount(firms.district[new], minlength=2),
        )
    assert entered > 20 and exited > 20, (
        f"expected entries and exits over 5 years (test must bite), got {entered} and {exited}"
    )
    assert len(ids0 - set(firms.firm_id.tolist())) > 20
    d = model.recorder.data
    np.testing.assert_array_equal(d["local_firms"][-1], np.bincount(firms.district, minlength=2))


def test_exit_rate_matches_the_parameter_at_average_attractiveness() -> None:
    """Firms present at the start exit at about exit_per_year (attractiveness ~1).

    Survival after 5 years is ~ (1 - m)^60.
    """
    f = Firms()
    model = DistrictModel(small_scenario(60, scale=0.05), seed=3)
    start = set(model.firms.firm_id.tolist())
    for _ in range(60):
        model.step()
    survivors = len(start & set(model.firms.firm_id.tolist()))
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
        # Free now, or free once this month's ending partnerships have ended.
        free = model.firms.is_free | (model.firms.partnership_end <= t)
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
    duration = scen.params.partnerships.duration_months
    logged = {"partnership": 0, "partnership_end": 0, "closed": 0}
    for _ in range(scen.months):
        t = model.month
        n_events = len(model.event_log)
        partnered = list(model.firms.partnered)
        end_month = model.firms.partnership_end[model.firms.index(partnered)]
        ends = dict(zip(partnered, end_month.tolist(), strict=True))
        model.step()
        # The event log: partnerships end in the order they began, closed firms' partnerships
        # end in creation order, and new ones start in the firms' order.
        events = {kind: [] for kind in logged}
        for e in model.event_log[n_events:]:
            if e["event"].startswith("partnership") and e["detail"].startswith("local_firm "):
                closed = e["detail"].endswith(" (firm closed)")
                kind = "closed" if closed else e["event"]
                events[kind].append(int(e["detail"].split()[1]))
                if kind == "partnership":
                    assert e["value"] == t + duration
        assert events["partnership_end"] == [i for i in partnered if ends[i] <= t], (
            f"month {t}: expected the due partnerships to end, in the order they began"
        )
        assert events["partnership"] == sorted(events["partnership"])
        assert events["closed"] == sorted(events["closed"])
        assert not set(events["closed"]) & set(model.firms.firm_id.tolist())
        started = [i for i in model.firms.partnered if i not in partnered]
        assert started == [i for i in events["partnership"] if i not in events["closed"]]
        for kind in logged:
            logged[kind] += len(events[kind])
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
            np.bincount(model.firms.district[model.firms.index(model.firms.partnered)], minlength=2)
            + closed_per_district,
        )
        # index() raises KeyError for an id that is no longer a firm.
        assert_consistent(model.firms, model.month)
    d = model.recorder.data
    assert d["partners_local"].max() > 0, (
        "expected local partnerships at this rate (test must bite)"
    )
    assert min(logged.values()) > 0, f"expected every kind of event (test must bite): {logged}"
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
