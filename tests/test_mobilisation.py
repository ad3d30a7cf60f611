"""Threshold mobilisation (MODEL 5.2) and Granovetter's (1978) regime change."""

import dataclasses

import numpy as np
import pytest
from scipy.special import ndtr

from districtsim.mobilisation import event_pull, motivation, participation_probability
from districtsim.params import Mobilisation


def test_motivation_hand_case():
    m = Mobilisation()
    got = motivation(np.array([0.4, 0.4]), np.array([0.3, 0.3]), np.array([30.0, 120.0]), m)
    # a_I 0.11 * 0.4 + a_e 0.6 * 0.3 + a_t 0.2 * min(months / 60, 1)
    np.testing.assert_allclose(
        got,
        [0.044 + 0.18 + 0.1, 0.044 + 0.18 + 0.2],
        err_msg=(
            "expected M = a_I I + a_e e + a_t min(months / T_att, 1), capped at full attachment"
        ),
    )


def test_motivation_zero_coefficients_is_zero():
    m = dataclasses.replace(Mobilisation(), a_identity=0.0, a_engagement=0.0, a_tenure=0.0)
    got = motivation(np.array([0.9]), np.array([0.9]), np.array([90.0]), m)
    assert got[0] == pytest.approx(0.0), "expected no motivation with all coefficients zero"


def test_event_pull_for_traditional_association_is_one_minus_orientation():
    orientation = np.linspace(0.0, 1.0, 11)
    got = event_pull(orientation, np.zeros_like(orientation))
    np.testing.assert_allclose(
        got,
        1 - orientation,
        err_msg="expected pull 1 - orientation_i for an association of orientation 0 (MODEL 5.2)",
    )


def test_event_pull_is_largest_on_a_match():
    got = event_pull(np.array([0.2, 0.7, 0.9]), np.full(3, 0.7))
    np.testing.assert_allclose(
        got, [0.5, 1.0, 0.8], err_msg="expected w = 1 - |orientation_i - orientation_assoc|"
    )


def test_participation_probability_is_logistic():
    m = Mobilisation()
    motiv = np.array([0.3, 0.8, 1.0, 1.2])
    share = np.array([0.0, 0.5, 0.2, 1.0])
    pull = np.array([0.0, 1.0, 0.5, 0.3])
    theta = np.array([1.0, 1.0, 0.9, 1.3])
    z = (motiv + m.b_social * share + m.b_event * pull - theta) / m.tau
    got = participation_probability(motiv, share, pull, theta, m)
    np.testing.assert_allclose(
        got,
        1 / (1 + np.exp(-z)),
        rtol=1e-5,
        atol=1e-7,
        err_msg="expected sigmoid((M + b_s s + b_ev w - theta) / tau)",
    )


def test_participation_probability_is_one_half_at_threshold():
    m = Mobilisation()
    got = participation_probability(
        np.array([0.5]),
        np.array([0.5]),
        np.array([1.0]),
        np.array([0.5 + m.b_social * 0.5 + m.b_event]),
        m,
    )
    assert got[0] == pytest.approx(0.5, abs=1e-6), (
        "expected probability 1/2 when motivation equals the threshold"
    )


def test_participation_probability_becomes_threshold_rule_as_tau_vanishes():
    m = dataclasses.replace(Mobilisation(), tau=1e-6)
    motiv = np.array([0.5, 0.5, 0.2, 0.2])
    share = np.array([0.4, 0.4, 1.0, 1.0])
    pull = np.array([1.0, 1.0, 0.0, 0.0])
    drive = motiv + m.b_social * share + m.b_event * pull
    theta = drive + np.array([-0.01, 0.01, -0.001, 0.001])
    got = participation_probability(motiv, share, pull, theta, m)
    np.testing.assert_array_equal(
        got,
        [1.0, 0.0, 1.0, 0.0],
        err_msg="expected 1 above the threshold and 0 below it as tau -> 0",
    )


def _granovetter_fixed_point(sigma: float, seed: int, n: int = 50_000, months: int = 200) -> float:
    m = dataclasses.replace(
        Mobilisation(),
        a_identity=0.0,
        a_engagement=0.0,
        a_tenure=0.0,
        b_social=1.0,
        b_event=0.0,
        tau=1e-6,
    )
    theta = np.random.default_rng(seed).normal(0.25, sigma, n)
    zero = np.zeros(n)
    r = 0.0
    for _ in range(months):
        r_new = float(np.mean(participation_probability(zero, np.full(n, r), zero, theta, m)))
        if r_new == r:
            break
        r = r_new
    return r


def test_granovetter_low_equilibrium_below_critical_spread():
    # r = Phi((r - 0.25) / 0.10) has a stable low root near 0.008 (Granovetter 1978).
    r = _granovetter_fixed_point(0.10, seed=1978)
    assert r < 0.05, f"expected a low fixed point (< 0.05) for threshold sd 0.10, got {r:.3f}"
    closed = 0.0
    for _ in range(200):
        closed = float(ndtr((closed - 0.25) / 0.10))
    # Binomial sampling error of the empirical threshold CDF at n = 50,000 is about 0.0004.
    assert r == pytest.approx(closed, abs=0.003), (
        f"expected the simulated fixed point to match the closed-form root {closed:.4f} of "
        f"r = Phi((r - 0.25) / 0.10), got {r:.4f}"
    )


def test_granovetter_cascade_above_critical_spread():
    # For sd 0.14 > ~0.122 the map has no low root: the cascade carries nearly everyone.
    r = _granovetter_fixed_point(0.14, seed=1978)
    assert r > 0.9, f"expected nearly everyone (> 0.9) to act for threshold sd 0.14, got {r:.3f}"


def test_granovetter_regime_change_near_critical_spread():
    low = _granovetter_fixed_point(0.115, seed=7)
    high = _granovetter_fixed_point(0.13, seed=7)
    assert low < 0.1 < 0.9 < high, (
        f"expected the regime change between sd 0.115 (got {low:.3f}) and 0.13 (got {high:.3f})"
    )
