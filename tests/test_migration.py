"""Migration (MODEL 5.8): hazards, their causes and location choice within vacancies."""

import dataclasses
import math

import numpy as np
import pytest

from districtsim.migration import (
    CAUSES,
    allocate,
    attribute_causes,
    hazard_terms,
    income_homophily,
)
from districtsim.params import Migration
from districtsim.rates import annual_probability_to_monthly_hazard, hazard_to_probability
from districtsim.reputation import logit_shares
from districtsim.run import run_scenario
from helpers import small_scenario


@pytest.mark.parametrize("p_year", [0.08, 0.25, 0.10, Migration().move_rate_owner_per_year])
def test_twelve_months_of_hazard_give_the_annual_probability(p_year):
    h = annual_probability_to_monthly_hazard(p_year)
    stay = (1 - hazard_to_probability(h)) ** 12
    assert 1 - stay == pytest.approx(p_year, rel=1e-12), (
        f"expected 12 months of the monthly hazard to give annual probability {p_year}"
    )


def test_hazard_conversion_is_vectorised():
    p = np.array([0.08, 0.25, 0.10])
    h = annual_probability_to_monthly_hazard(p)
    np.testing.assert_allclose(
        1 - (1 - hazard_to_probability(h)) ** 12,
        p,
        err_msg="expected the conversion to round-trip element-wise",
    )


def _terms(alpha, excess=0.0, gap=0.0, attach=0.3, identity=0.8):
    n = 3
    return hazard_terms(
        np.array([0.01, 0.02, 0.005]),
        np.full(n, attach),
        np.full(n, identity),
        np.full(n, gap),
        np.full(n, excess),
        alpha,
    )


def test_hazard_with_zero_alphas_is_h0():
    base, with_l, total = _terms((0.0, 0.0, 0.0, 0.0), excess=0.4, gap=0.2)
    for name, x in (("baseline", base), ("with liveability", with_l), ("total", total)):
        np.testing.assert_allclose(
            x,
            [0.01, 0.02, 0.005],
            err_msg=f"expected the {name} hazard to equal h0 with all alphas 0",
        )


def test_hazard_at_centred_covariates_is_h0():
    base, _, total = _terms((0.5, 0.5, 1.0, 3.0), attach=0.5, identity=0.5)
    np.testing.assert_allclose(
        total,
        [0.01, 0.02, 0.005],
        err_msg=(
            "expected h0 for a typical resident (attachment and identity 1/2, no gap, no burden)"
        ),
    )
    np.testing.assert_allclose(
        base, total, err_msg="expected baseline = total without liveability gap or burden"
    )


def test_burden_multiplies_hazard_by_exp_alpha_excess():
    alpha_b = 3.0
    alpha = (0.5, 0.5, 1.0, alpha_b)
    _, _, free = _terms(alpha, excess=0.0, gap=0.1)
    _, with_l, burdened = _terms(alpha, excess=0.2, gap=0.1)
    np.testing.assert_allclose(
        burdened / free,
        math.exp(alpha_b * 0.2),
        err_msg="expected a burdened resident's hazard exp(alpha_B * excess) times higher",
    )
    np.testing.assert_allclose(
        burdened / with_l,
        math.exp(alpha_b * 0.2),
        err_msg="expected the burden term to multiply the hazard with liveability",
    )


def test_attachment_and_identity_lower_the_hazard():
    alpha = (0.5, 0.7, 0.0, 0.0)
    base_lo, _, _ = _terms(alpha, attach=0.0, identity=0.2)
    base_hi, _, _ = _terms(alpha, attach=1.0, identity=0.9)
    np.testing.assert_allclose(
        base_hi / base_lo,
        math.exp(-0.5 * 1.0 - 0.7 * 0.7),
        err_msg="expected exp(-alpha_t d_attach - alpha_I d_identity)",
    )


def _binomial_ok(count: int, n: int, p: float, z: float = 4.0) -> bool:
    return abs(count - n * p) <= z * math.sqrt(n * p * (1 - p)) + 1


def test_attribute_causes_follow_added_hazard_shares():
    n = 100_000
    rng = np.random.default_rng(20240501)
    base, with_l, total = np.full(n, 0.01), np.full(n, 0.015), np.full(n, 0.03)
    cause = attribute_causes(base, with_l, total, rng.random(n))
    shares = {"other": 1 / 3, "liveability": 1 / 6, "burden": 1 / 2}
    counts = np.bincount(cause, minlength=len(CAUSES))
    for i, name in enumerate(CAUSES):
        assert _binomial_ok(int(counts[i]), n, shares[name]), (
            f"expected cause {name} in share {shares[name]:.3f} within a 4-sd binomial "
            f"bound, got {counts[i] / n:.4f}"
        )


def test_attribute_causes_with_a_better_than_average_district():
    # A negative liveability gap lowers the hazard: no move is blamed on liveability.
    n = 50_000
    rng = np.random.default_rng(5)
    base, with_l, total = np.full(n, 0.02), np.full(n, 0.01), np.full(n, 0.04)
    cause = attribute_causes(base, with_l, total, rng.random(n))
    counts = np.bincount(cause, minlength=3)
    assert counts[1] == 0, "expected no liveability moves when liveability lowers the hazard"
    assert _binomial_ok(int(counts[2]), n, 0.75), (
        f"expected 3/4 burden moves (0.03 of 0.04), got {counts[2] / n:.4f}"
    )


def test_allocate_never_exceeds_vacancies():
    rng = np.random.default_rng(11)
    n, d = 3000, 5
    v = rng.normal(0, 1, (n, d)) + np.array([2.0, 0.0, 1.0, -1.0, 3.0])
    vacancies = np.array([10, 500, 0, 50, 3])
    dest, first = allocate(v, vacancies, np.random.default_rng(12))
    placed = np.bincount(dest[dest >= 0], minlength=d)
    assert np.all(placed <= vacancies), (
        f"expected at most the vacancies {vacancies} placed per district, got {placed}"
    )
    assert placed[2] == 0, "expected nobody placed in a district without vacancies"
    assert first[2] == 0, "expected nobody to choose a district without vacancies first"
    assert first.sum() == n, "expected first-choice counts to sum to the number of choosers"
    assert placed.sum() == vacancies.sum(), (
        "expected every vacancy filled when choosers far outnumber them"
    )


def test_allocate_fills_free_room_when_choosers_fit():
    rng = np.random.default_rng(21)
    n, d = 400, 4
    v = rng.normal(0, 1, (n, d)) + np.array([3.0, 0.0, 0.0, 0.0])
    vacancies = np.array([50, 300, 300, 300])
    dest, first = allocate(v, vacancies, np.random.default_rng(22), rounds=20)
    placed = np.bincount(dest[dest >= 0], minlength=d)
    assert first.sum() == n, "expected first-choice counts to sum to the number of choosers"
    assert np.all(placed <= vacancies), "expected no district over its vacancies"
    assert placed[0] == 50, "expected the over-demanded district to be filled to its vacancies"
    assert (dest >= 0).sum() == n, (
        "expected every chooser placed when there is room after enough rounds"
    )


def test_allocate_shares_follow_logit_with_size_term():
    n = 20_000
    v_d = np.array([0.0, 0.5, -0.5, 1.0])
    vacancies = np.array([1_000_000, 2_000_000, 3_000_000, 500_000])
    v = np.tile(v_d, (n, 1))
    dest, first = allocate(v, vacancies, np.random.default_rng(31))
    p = logit_shares(v_d + np.log(vacancies))
    placed = np.bincount(dest[dest >= 0], minlength=4)
    assert placed.sum() == n, "expected everybody placed when vacancies are ample"
    for d in range(4):
        assert _binomial_ok(int(first[d]), n, float(p[d])), (
            f"expected district {d}'s first-choice share near the logit share {p[d]:.4f} "
            f"(4-sd bound), got {first[d] / n:.4f}"
        )
        assert _binomial_ok(int(placed[d]), n, float(p[d])), (
            f"expected district {d}'s placed share near the logit share {p[d]:.4f} (4-sd "
            f"bound), got {placed[d] / n:.4f}"
        )


def test_allocate_with_no_vacancies_places_nobody():
    v = np.zeros((100, 3))
    dest, first = allocate(v, np.zeros(3, dtype=np.int64), np.random.default_rng(1))
    assert np.all(dest == -1), "expected nobody placed without vacancies"
    assert first.sum() == 0, "expected no first choices recorded without vacancies"


def test_allocate_without_choosers():
    dest, first = allocate(np.zeros((0, 3)), np.array([5, 5, 5]), np.random.default_rng(1))
    assert dest.size == 0, "expected an empty result for no choosers"
    np.testing.assert_array_equal(
        first, [0, 0, 0], err_msg="expected no first choices without choosers"
    )


def test_allocate_same_seed_same_result():
    rng = np.random.default_rng(3)
    v = rng.normal(0, 1, (500, 4))
    vacancies = np.array([20, 40, 100, 5])
    a = allocate(v, vacancies, np.random.default_rng(9))
    b = allocate(v, vacancies, np.random.default_rng(9))
    np.testing.assert_array_equal(
        a[0], b[0], err_msg="expected the same stream to give the same allocation"
    )
    np.testing.assert_array_equal(
        a[1], b[1], err_msg="expected the same stream to give the same first choices"
    )


def test_moves_out_by_tenure_add_up_and_renters_bear_the_burden(two_districts) -> None:
    """The tenure columns split moves out and burden-driven moves out exactly.

    Owners and social renters (who pay little of a price rise) are displaced
    less than private renters.
    """
    from districtsim.residents import TENURES
    from districtsim.run import run_scenario

    d = run_scenario(two_districts, seed=4).districts
    by_tenure = d[[f"moves_out_{t}_persons" for t in TENURES]].sum(axis=1)
    burden = d[[f"moves_out_burden_{t}_persons" for t in TENURES]].sum(axis=1)
    np.testing.assert_allclose(by_tenure, d["moves_out_persons"])
    np.testing.assert_allclose(burden, d["moves_out_burden_persons"])
    assert (
        d[[f"moves_out_burden_{t}_persons" for t in TENURES]].to_numpy()
        <= d[[f"moves_out_{t}_persons" for t in TENURES]].to_numpy() + 1e-9
    ).all()
    total = d[[f"moves_out_burden_{t}_persons" for t in TENURES]].sum()
    assert (
        total["moves_out_burden_private_persons"]
        > total["moves_out_burden_owner_persons"] + total["moves_out_burden_social_persons"]
    ), total.to_dict()


def test_income_homophily_draws_movers_to_districts_like_their_income() -> None:
    """``b_income_homophily``: richer movers gain utility in richer districts, poorer in poorer."""
    mean_income = np.array([20_000.0, 40_000.0, 80_000.0])
    log_income = np.log([20_000.0, 40_000.0, 80_000.0])
    v = income_homophily(mean_income, log_income, 2.0)
    assert v.shape == (3, 3)
    assert np.argmax(v[0]) == 0 and np.argmax(v[2]) == 2, f"expected sorting by income: {v}"
    np.testing.assert_allclose(v[1], 0.0, atol=1e-12, err_msg="the central mover is indifferent")
    np.testing.assert_allclose(income_homophily(mean_income, log_income, 0.0), 0.0)


def test_income_homophily_keeps_incomes_sorted_across_districts() -> None:
    """Over 10 years of two_districts with unequal incomes, homophily widens the income gap."""

    def gap(b: float) -> float:
        scen = small_scenario(120, f"attractiveness.b_income_homophily={b}", scale=0.05)
        richer = dataclasses.replace(scen.districts[1], price_eur_m2=7000.0)
        scen = dataclasses.replace(scen, districts=(scen.districts[0], richer))
        d = run_scenario(scen, seed=4).districts
        last = d[d["month"] >= 108].groupby("district", observed=True)["mean_income_eur"].mean()
        return float(np.log(last.iloc[1] / last.iloc[0]))

    assert gap(4.0) > gap(0.0) + 0.02, f"expected a wider income gap: {gap(4.0)} vs {gap(0.0)}"


def test_movers_take_the_owner_bonus_of_the_tenure_they_move_into() -> None:
    """Engagement's owner bonus goes with the place's tenure, for movers as for newcomers.

    Every occupied owner place holds engagement of at least the bonus (a Beta draw plus the
    bonus), and no renter keeps it: a resident's base draw never changes. Until issue 12's third
    session movers within the city carried their engagement unchanged, so owners who moved
    into rentals kept the bonus and renters who bought lacked it; owner-heavy districts lost
    engagement over the years (Östersundom 0.37 -> 0.28 in 20 years at scale 0.2, seed 1).
    """
    from districtsim.migration import retenure_engagement
    from districtsim.model import DistrictModel
    from districtsim.residents import OWNER, PRIVATE

    scenario = small_scenario(36, scale=0.05, name="helsinki")
    model = DistrictModel(scenario, seed=3)
    bonus = model.params.population.owner_engagement_bonus
    e = np.array([0.2, 0.5, 0.9], dtype=np.float32)
    owner, private = np.full(3, OWNER), np.full(3, PRIVATE)
    np.testing.assert_allclose(retenure_engagement(model, e, private, owner), e + bonus, atol=1e-6)
    np.testing.assert_allclose(retenure_engagement(model, e + bonus, owner, private), e, atol=1e-6)
    np.testing.assert_array_equal(retenure_engagement(model, e, owner, owner), e)
    for _ in range(36):
        model.step()
    r = model.residents
    owners = r.occupied & (r.tenure == OWNER)
    assert r.engagement[owners].min() >= bonus - 1e-6, (
        f"expected every owner's engagement to include the bonus {bonus}, "
        f"min {r.engagement[owners].min():.4f}"
    )
