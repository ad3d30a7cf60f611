"""Reputation and attractiveness (MODEL 5.7): status, spill-over, target, logit choice."""

import dataclasses
import math

import numpy as np
import pytest
import scipy.sparse as sp

from districtsim.params import Attractiveness, Reputation
from districtsim.reputation import logit_shares, neighbour_mean, reputation_target, status, utility


def test_logit_shares_is_softmax_and_sums_to_one():
    v = np.array([[0.0, 1.0, -2.0, 0.5], [3.0, 3.0, 3.0, 3.0]])
    got = logit_shares(v)
    e = np.exp(v)
    np.testing.assert_allclose(
        got, e / e.sum(axis=1, keepdims=True), err_msg="expected exp(v_d) / sum exp(v)"
    )
    np.testing.assert_allclose(
        got.sum(axis=1), 1.0, err_msg="expected shares to sum to 1 per chooser"
    )
    np.testing.assert_allclose(
        got[1], 0.25, err_msg="expected equal utilities to give equal shares"
    )


def test_logit_shares_invariant_to_a_constant():
    v = np.array([0.2, -1.0, 0.7])
    np.testing.assert_allclose(
        logit_shares(v + 123.0),
        logit_shares(v),
        err_msg="expected adding a constant to every utility to leave shares unchanged",
    )
    big = logit_shares(np.array([1000.0, 999.0]))
    assert np.all(np.isfinite(big)), "expected large utilities not to overflow"
    assert big[0] == pytest.approx(1 / (1 + math.exp(-1))), (
        "expected shares to depend only on the utility difference"
    )


def test_logit_log_odds_equal_utility_difference():
    v = np.array([0.3, -0.4, 1.1, 0.0])
    p = logit_shares(v)
    for a, b in [(0, 1), (2, 3), (1, 2)]:
        assert math.log(p[a] / p[b]) == pytest.approx(v[a] - v[b]), (
            f"expected log(P_{a} / P_{b}) = U_{a} - U_{b}"
        )


def test_utility_hand_case():
    a = Attractiveness()
    rep = np.array([0.5, 0.2])
    liv = np.array([0.6, 0.9])
    log_price = np.log(np.array([5000.0, 3000.0]))
    creative = np.array([1.0, 0.0])
    log_income = np.log(np.array([25000.0, 50000.0]))
    orientation = np.array([0.8, 0.1])
    k = 34 * 0.05  # annual cost per EUR/m2: m2 per person * rent yield
    got = utility(rep, liv, log_price, creative, log_income, orientation, a, k)
    b_r, b_l, b_p, b_f = a.b_reputation, a.b_liveability, a.b_price, a.b_future
    expected = np.array(
        [
            [
                b_r * 0.5 + b_l * 0.6 - b_p * k * 5000 / 25000 + b_f * 0.8,
                b_r * 0.2 + b_l * 0.9 - b_p * k * 3000 / 25000,
            ],
            [
                b_r * 0.5 + b_l * 0.6 - b_p * k * 5000 / 50000 + b_f * 0.1,
                b_r * 0.2 + b_l * 0.9 - b_p * k * 3000 / 50000,
            ],
        ]
    )
    assert got.shape == (2, 2), "expected utilities of shape (movers, districts)"
    np.testing.assert_allclose(
        got,
        expected,
        err_msg="expected U = b_R R + b_L L - b_P cost/income + b_f orientation creative",
    )


def test_richer_movers_mind_price_less():
    a = Attractiveness()
    log_price = np.log(np.array([8000.0, 3000.0]))
    got = utility(
        np.zeros(2),
        np.zeros(2),
        log_price,
        np.zeros(2),
        np.log(np.array([20000.0, 80000.0])),
        np.zeros(2),
        a,
        1.7,
    )
    gap_poor = got[0, 0] - got[0, 1]
    gap_rich = got[1, 0] - got[1, 1]
    assert gap_poor < gap_rich < 0, (
        "expected the expensive district to cost a poor mover more utility than a rich "
        f"one ({gap_poor:.2f} vs {gap_rich:.2f})"
    )


def test_utility_future_term_only_for_creative_districts():
    a = Attractiveness()
    got = utility(
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        np.array([1.0, 0.0]),
        np.zeros(2),
        np.array([0.0, 1.0]),
        a,
        1.7,
    )
    assert got[1, 0] - got[0, 0] == pytest.approx(a.b_future), (
        "expected a fully future-oriented mover to value a creative district b_f more"
    )
    assert got[1, 1] == pytest.approx(got[0, 1]), (
        "expected orientation not to matter for a non-creative district"
    )


def test_status_hand_cases():
    city = 30000.0
    income = np.array([city, city * math.exp(0.25), city * math.exp(-0.25), city * math.e, 0.0])
    got = status(income, city, 1.0)
    np.testing.assert_allclose(
        got,
        [0.5, 0.75, 0.25, 1.0, 0.0],
        err_msg="expected 0.5 + log(mean income / city mean) / span, clipped to 0..1",
    )
    wide = status(np.array([city * math.e]), city, 4.0)
    assert wide[0] == pytest.approx(0.75), "expected a wider span to compress status differences"


def test_neighbour_mean_path_and_isolated_district():
    # Path 0 - 1 - 2, district 3 isolated.
    rows = np.array([0, 1, 1, 2])
    cols = np.array([1, 0, 2, 1])
    adj = sp.csr_matrix((np.ones(4), (rows, cols)), shape=(4, 4))
    values = np.array([1.0, 2.0, 4.0, 8.0])
    np.testing.assert_allclose(
        neighbour_mean(values, adj),
        [2.0, 2.5, 2.0, 8.0],
        err_msg="expected the mean over neighbours, and the own value for an isolated district",
    )


def test_reputation_target_hand_case():
    p = Reputation()  # weights 0.30, 0.15, 0.35, 0.20 (sum 1)
    got = reputation_target(
        np.array([0.5]), np.array([0.4]), np.array([0.5]), np.array([0.6]), np.array([0.7]), p
    )
    assert got[0] == pytest.approx(0.3 * 0.5 + 0.15 * 0.4 * 0.5 + 0.35 * 0.6 + 0.2 * 0.7), (
        "expected (w_L L + w_A E A + w_S status + w_N nbr) / sum(w) = 0.53"
    )


def test_reputation_target_weights_are_normalised():
    p = dataclasses.replace(
        Reputation(), w_liveability=1.0, w_achievement=0.0, w_status=1.0, w_spillover=0.0
    )
    got = reputation_target(
        np.array([0.2]), np.array([1.0]), np.array([1.0]), np.array([0.6]), np.array([1.0]), p
    )
    assert got[0] == pytest.approx(0.4), "expected only liveability and status, each weighted 1/2"


def test_reputation_target_needs_visibility_for_achievements():
    p = dataclasses.replace(Reputation(), w_liveability=0.0, w_status=0.0, w_spillover=0.0)
    got = reputation_target(
        np.zeros(2), np.array([0.0, 0.5]), np.array([1.0, 1.0]), np.zeros(2), np.zeros(2), p
    )
    np.testing.assert_allclose(
        got, [0.0, 0.5], err_msg="expected achievements to count only through outside visibility"
    )
