"""District stocks (MODEL 5.4, 5.6) and rate conversions: relaxation, targets, knowledge."""

import dataclasses
import math

import numpy as np
import pytest

from districtsim.params import Identity, Knowledge, Liveability
from districtsim.rates import half_life_to_monthly_rate, time_constant_to_monthly_rate
from districtsim.stocks import capped, identity_target, knowledge_update, liveability_target, relax


def test_relax_one_step():
    got = relax(np.array([0.0, 1.0]), np.array([1.0, 0.0]), 0.25)
    np.testing.assert_allclose(got, [0.25, 0.75], err_msg="expected x + eta (x* - x)")


def test_relax_closes_the_gap_geometrically():
    eta = 0.1
    x0 = np.array([0.0, 1.0, 0.3, -2.0])
    target = np.array([0.8, 0.2, 0.3, 5.0])
    x = x0.copy()
    for t in range(1, 41):
        x = relax(x, target, eta)
        np.testing.assert_allclose(
            x - target,
            (1 - eta) ** t * (x0 - target),
            atol=1e-12,
            err_msg=f"expected x_t - x* = (1 - eta)^t (x_0 - x*) at t = {t}",
        )


def test_relax_at_the_target_stays():
    x = np.array([0.4])
    assert relax(x, x, 0.3)[0] == pytest.approx(0.4), "expected no change at the target"


@pytest.mark.parametrize("months", [1.0, 12.0, 24.0, 60.0])
def test_time_constant_leaves_exp_minus_one_after_t_months(months):
    eta = time_constant_to_monthly_rate(months)
    assert eta == pytest.approx(1 - math.exp(-1 / months)), "expected eta = 1 - exp(-1/T)"
    gap = (1 - eta) ** months
    assert gap == pytest.approx(math.exp(-1), rel=1e-12), (
        "expected exp(-1) of the gap left after T months"
    )


@pytest.mark.parametrize("half_life_years", [0.5, 1.5, 5.0, 10.0])
def test_half_life_leaves_half_after_twelve_half_life_months(half_life_years):
    eta = half_life_to_monthly_rate(half_life_years)
    x = np.array([1.0])
    for _ in range(round(12 * half_life_years)):
        x = relax(x, np.array([0.0]), eta)
    assert x[0] == pytest.approx(0.5, rel=1e-10), (
        f"expected half the gap left after {12 * half_life_years:g} months of relaxation"
    )


def test_longer_half_life_is_slower():
    assert half_life_to_monthly_rate(10.0) < half_life_to_monthly_rate(2.0), (
        "expected a longer half-life to give a smaller monthly rate"
    )


def test_capped():
    np.testing.assert_allclose(
        capped(np.array([0.0, 0.25, 0.5, 2.0]), 0.5),
        [0.0, 0.5, 1.0, 1.0],
        err_msg="expected min(x / ref, 1)",
    )


def test_identity_target_hand_cases():
    p = Identity()  # weights 0.35, 0.45, 0.20; refs 0.5, 0.10, 8 events/year
    got = identity_target(
        np.array([0.25, 0.5, 1.0, 0.0]),
        np.array([0.05, 0.0, 0.2, 0.1]),
        np.array([4.0, 0.0, 16.0, 2.0]),
        p,
    )
    expected = [0.5, 0.35, 1.0, 0.45 + 0.20 * 0.25]
    np.testing.assert_allclose(
        got,
        expected,
        err_msg="expected the weighted mean of capped coverage, participation and events",
    )


def test_identity_target_normalises_weights():
    p = dataclasses.replace(Identity(), w_coverage=2.0, w_participation=0.0, w_events=2.0)
    got = identity_target(np.array([0.5]), np.array([0.0]), np.array([0.0]), p)
    assert got[0] == pytest.approx(0.5), "expected the weights to be divided by their sum"


def test_identity_target_zero_weights_is_zero():
    p = dataclasses.replace(Identity(), w_coverage=0.0, w_participation=0.0, w_events=0.0)
    got = identity_target(np.array([0.5]), np.array([0.1]), np.array([8.0]), p)
    assert got[0] == 0.0, "expected target 0 when every weight is 0"


def _liveability(occupancy: float, p: Liveability | None = None, **kw: float) -> float:
    p = p or Liveability()
    x = {"amenity": 0.5, "meeting": 0.5, "events": 4.0, "firms": 12.5, "benefit": 0.5} | kw
    got = liveability_target(
        np.array([x["amenity"]]),
        np.array([x["meeting"]]),
        np.array([x["events"]]),
        np.array([x["firms"]]),
        np.array([x["benefit"]]),
        np.array([occupancy]),
        p,
        events_ref_per_year=8.0,
    )
    return float(got[0])


def test_liveability_target_hand_case():
    # 0.20 + 0.30*0.5 + 0.15*0.5 + 0.10*0.5 + 0.20*0.5 + 0.10*0.5 = 0.625
    assert _liveability(0.95) == pytest.approx(0.625), (
        "expected base + weighted amenity, meeting places, events, services and benefit"
    )


def test_liveability_target_crowding():
    # Crowding starts at 98% occupancy and is full at 100%: -0.20 * (0.99 - 0.98) / 0.02 = -0.10.
    assert _liveability(0.98) == pytest.approx(0.625), (
        "expected no crowding at the crowding occupancy"
    )
    assert _liveability(0.99) == pytest.approx(0.525), (
        "expected half the crowding weight at 99% occupancy"
    )
    assert _liveability(1.00) == pytest.approx(0.425), (
        "expected the full crowding weight at 100% occupancy"
    )


def test_liveability_target_clipping():
    high = _liveability(0.5, amenity=1.0, meeting=5.0, events=20.0, firms=100.0, benefit=3.0)
    assert high == pytest.approx(1.0), "expected a target above 1 (0.2 + 0.85) to be clipped to 1"
    benefit_capped = _liveability(0.5, benefit=3.0)
    assert benefit_capped == pytest.approx(0.675), "expected the local benefit to be clipped to 1"
    p = dataclasses.replace(Liveability(), w_crowding=0.5)
    low = _liveability(1.0, p, amenity=0.0, meeting=0.0, events=0.0, firms=0.0, benefit=0.0)
    assert low == pytest.approx(0.0), "expected a target below 0 (0.2 - 0.5) to be clipped to 0"


def test_knowledge_update_one_step():
    k = Knowledge()  # gamma_k 0.1, doc_share 0.3: new = 0.03 per active person
    pub, priv = knowledge_update(
        np.array([10.0]), np.array([4.0]), np.array([100.0]), np.array([0.6]), k, 0.01, 0.05
    )
    assert pub[0] == pytest.approx(10.0 * 0.99 + 3.0 * 0.6), (
        "expected public knowledge K(1 - delta) + new * public share"
    )
    assert priv[0] == pytest.approx(4.0 * 0.95 + 3.0 * 0.4), (
        "expected undocumented knowledge K(1 - delta) + new * (1 - public share)"
    )


def test_knowledge_steady_state_is_inflow_over_decay():
    k = Knowledge()
    decay_pub = half_life_to_monthly_rate(k.half_life_public_years)
    decay_priv = half_life_to_monthly_rate(k.half_life_private_years)
    active = np.array([50.0, 200.0])
    share = np.array([k.public_share_web, k.public_share_none])
    new = k.gamma_k * active * k.doc_share
    star_pub, star_priv = new * share / decay_pub, new * (1 - share) / decay_priv
    pub, priv = knowledge_update(star_pub, star_priv, active, share, k, decay_pub, decay_priv)
    np.testing.assert_allclose(
        pub, star_pub, err_msg="expected public knowledge inflow / decay to be a fixed point"
    )
    np.testing.assert_allclose(
        priv,
        star_priv,
        err_msg="expected undocumented knowledge inflow / decay to be a fixed point",
    )
    pub, priv = np.zeros(2), np.zeros(2)
    for _ in range(12 * 60):
        pub, priv = knowledge_update(pub, priv, active, share, k, decay_pub, decay_priv)
    np.testing.assert_allclose(
        pub,
        star_pub,
        rtol=1e-3,
        err_msg="expected public knowledge to converge to inflow / decay from zero",
    )
    np.testing.assert_allclose(
        priv,
        star_priv,
        rtol=1e-3,
        err_msg="expected undocumented knowledge to converge to inflow / decay from zero",
    )
