"""Housing market (MODEL 5.8): hedonic price target, price relaxation, burden, demand pressure."""

import dataclasses
import math

import numpy as np
import pytest

from districtsim.housing import demand_ratio, housing_burden, log_price_target, pass_through
from districtsim.params import Housing
from districtsim.rates import time_constant_to_monthly_rate
from districtsim.residents import OWNER, PRIVATE, SOCIAL
from districtsim.stocks import relax


def test_log_price_target_hand_case():
    # Explicit coefficients: the hand case does not follow the defaults.
    h = Housing(beta_reputation=0.8, beta_liveability=0.45, beta_demand=0.5)
    rep = np.array([0.2, 0.6])
    liv = np.array([0.4, 0.8])
    pressure = np.array([0.0, math.log(2.0)])
    weights = np.array([3.0, 1.0])  # weighted means: R 0.3, L 0.5
    got = log_price_target(math.log(4000.0), rep, liv, pressure, weights, h)
    expected = [
        math.log(4000.0) + 0.8 * (0.2 - 0.3) + 0.45 * (0.4 - 0.5),
        math.log(4000.0) + 0.8 * (0.6 - 0.3) + 0.45 * (0.8 - 0.5) + 0.5 * math.log(2.0),
    ]
    np.testing.assert_allclose(
        got,
        expected,
        err_msg=(
            "expected log P_city + beta_R (R - mean R) + beta_L (L - mean L) + beta_D pressure "
            "with population-weighted means"
        ),
    )


def test_log_price_target_equal_districts_get_city_price():
    h = Housing()
    got = log_price_target(
        8.0, np.full(3, 0.4), np.full(3, 0.6), np.zeros(3), np.array([1.0, 2.0, 3.0]), h
    )
    np.testing.assert_allclose(
        got,
        8.0,
        err_msg="expected identical districts without excess demand to be priced at the city level",
    )


def test_log_price_relaxes_geometrically_toward_constant_target():
    h = Housing()
    months = h.price_time_constant_months
    eta = time_constant_to_monthly_rate(months)
    target = np.array([math.log(5000.0), math.log(3000.0)])
    x0 = np.array([math.log(4000.0), math.log(4000.0)])
    x = x0.copy()
    for _ in range(round(months)):
        x = relax(x, target, eta)
    np.testing.assert_allclose(
        x - target,
        math.exp(-1) * (x0 - target),
        rtol=1e-10,
        err_msg="expected exp(-1) of the log-price gap left after one time constant",
    )


def _burden(price_now: float, price_ref: float, h: Housing, income: float = 30000.0) -> np.ndarray:
    tenure = np.array([OWNER, PRIVATE, SOCIAL], dtype=np.int8)
    return housing_burden(
        np.full(3, price_now), np.full(3, price_ref), tenure, np.full(3, income), h
    )


def test_pass_through_table():
    h = Housing()
    got = pass_through(np.array([OWNER, PRIVATE, SOCIAL, PRIVATE], dtype=np.int8), h)
    np.testing.assert_allclose(
        got,
        [
            h.pass_through_owner,
            h.pass_through_private,
            h.pass_through_social,
            h.pass_through_private,
        ],
        rtol=1e-6,
        err_msg="expected each tenure's pass-through share",
    )


def test_housing_burden_hand_case():
    h = Housing()  # 34 m2, 5%/year, pass-through 0.15 / 1.0 / 0.25, social discount 0.6
    got = _burden(5000.0, 4000.0, h)
    expected = [34 * 0.05 * 4150 / 30000, 34 * 0.05 * 5000 / 30000, 34 * 0.05 * 4250 * 0.6 / 30000]
    np.testing.assert_allclose(
        got,
        expected,
        rtol=1e-6,
        err_msg="expected m2 * yield * (P_ref + pass_through (P - P_ref)) * discount / income",
    )


def test_price_rise_burdens_private_renters_most():
    h = Housing()
    rise = _burden(5000.0, 4000.0, h) - _burden(4000.0, 4000.0, h)
    owner, private, social = rise
    assert private > 0, "expected a price rise to raise private renters' burden"
    assert owner < private, (
        "expected owners' burden to rise less than private renters' for the same price rise"
    )
    assert social < private, (
        "expected social renters' burden to rise less than private renters' for the same price rise"
    )
    assert owner == pytest.approx(h.pass_through_owner * private, rel=1e-5), (
        "expected owners' rise to be pass_through_owner times private renters'"
    )
    assert social == pytest.approx(
        h.pass_through_social * h.social_rent_discount * private, rel=1e-5
    ), "expected social renters' rise scaled by pass-through and rent discount"


def test_social_rent_discount():
    h = Housing()
    owner, private, social = _burden(4000.0, 4000.0, h)
    assert owner == pytest.approx(private, rel=1e-6), (
        "expected owners and private renters to pay the same at the move-in price"
    )
    assert social == pytest.approx(h.social_rent_discount * private, rel=1e-6), (
        "expected social rent at the discount share of market rent"
    )
    h0 = dataclasses.replace(h, social_rent_discount=1.0)
    assert _burden(4000.0, 4000.0, h0)[2] == pytest.approx(private, rel=1e-6), (
        "expected no discount to make social rent equal market rent"
    )


def test_burden_with_zero_income_is_finite():
    got = _burden(4000.0, 4000.0, Housing(), income=0.0)
    assert np.all(np.isfinite(got)), "expected income to be floored so burden stays finite"


def test_demand_ratio_zero_when_first_choices_follow_vacancies():
    vac = np.array([10, 40, 50, 100])
    np.testing.assert_allclose(
        demand_ratio(3 * vac, vac),
        0.0,
        atol=1e-12,
        err_msg="expected demand ratio 0 when first choices are proportional to vacancies",
    )


def test_demand_ratio_hand_case():
    vac = np.array([50, 50])
    first = np.array([30, 10])
    np.testing.assert_allclose(
        demand_ratio(first, vac),
        [math.log(0.75 / 0.5), math.log(0.25 / 0.5)],
        err_msg="expected log(share of first choices / share of vacancies)",
    )


def test_demand_ratio_floors_a_district_nobody_chose():
    got = demand_ratio(np.array([0, 10, 10]), np.array([10, 10, 10]))
    np.testing.assert_allclose(
        got,
        [math.log(1e-3 / (1 / 3)), math.log(1.5), math.log(1.5)],
        err_msg="expected a district with no first choices to get the floor share 1e-3",
    )
