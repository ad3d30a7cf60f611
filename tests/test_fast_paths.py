"""The model's fast paths give the same numbers as the plain computations they replace."""

import numpy as np

from districtsim.housing import (
    burden_given_tenure_terms,
    housing_burden,
    pass_through,
    rent_discount,
)
from districtsim.migration import _gumbel, hazard_bound, hazard_terms
from districtsim.network import Ties
from districtsim.params import Housing
from districtsim.residents import Blocks

BLOCKS = np.array([0, 300, 300, 700, 1200])  # the second district has no places


def _district(n: int) -> np.ndarray:
    return np.repeat(np.arange(len(BLOCKS) - 1), np.diff(BLOCKS))[:n]


def test_blocks_match_bincount():
    rng = np.random.default_rng(1)
    b = Blocks(BLOCKS)
    d = _district(int(BLOCKS[-1]))
    mask = rng.random(d.size) < 0.3
    values = rng.random(d.size).astype(np.float32)
    np.testing.assert_array_equal(
        b.count(mask),
        np.bincount(d, weights=mask, minlength=4),
        err_msg="expected block counts to equal bincount",
    )
    np.testing.assert_allclose(
        b.sum(values, where=mask),
        np.bincount(d, weights=np.where(mask, values, 0.0), minlength=4),
        rtol=1e-12,
        err_msg="expected block sums to equal bincount",
    )
    per_district = np.array([1.5, 2.5, 3.5, 4.5])
    np.testing.assert_array_equal(
        b.spread(per_district),
        per_district[d].astype(np.float32),
        err_msg="expected spread to equal indexing by district",
    )


def test_tie_counts_equal_direct_counts():
    t = Ties(
        np.array([0, 300, 700, 1200]),
        [np.array([1]), np.array([0, 2]), np.array([1])],
        8,
        0.85,
        np.random.default_rng(2),
    )
    rng = np.random.default_rng(3)
    occupied = rng.random(t.n) < 0.9
    was_active = rng.random(t.n) < 0.4  # not only occupied places: the counts must not interfere
    n_active, n_occupied = t.tie_counts(was_active, occupied)
    np.testing.assert_array_equal(
        n_active,
        was_active[t.partners].sum(axis=1),
        err_msg="expected the active-tie count over partners",
    )
    np.testing.assert_array_equal(
        n_occupied,
        occupied[t.partners].sum(axis=1),
        err_msg="expected the occupied-tie count over partners",
    )


def test_hazard_bound_bounds_every_hazard_without_burden():
    rng = np.random.default_rng(4)
    h0 = np.array([0.007, 0.024, 0.009], dtype=np.float32)
    identity = rng.random(5).astype(np.float32)
    gap = (rng.random(5) - 0.5).astype(np.float32)
    for alpha in [(0.5, 0.5, 1.0, 3.0), (-0.7, 0.2, 2.0, 3.0)]:
        bound = hazard_bound(h0, identity, gap, alpha)
        tenure = rng.integers(0, 3, 10_000)
        d = rng.integers(0, 5, 10_000)
        attach = rng.random(10_000).astype(np.float32)
        attach[:2] = [0.0, 1.0]
        _, _, total = hazard_terms(
            h0[tenure], attach, identity[d], gap[d], np.zeros(10_000, np.float32), alpha
        )
        assert np.all(total <= bound[tenure, d]), f"expected the bound to hold for alpha {alpha}"
        # Attachment moves the hazard by at most a factor exp(|alpha_attachment|): the bound is no
        # looser than that.
        assert np.all(total >= bound[tenure, d] * np.exp(-abs(alpha[0])) * 0.999), (
            "expected the bound to be tight up to the attachment factor"
        )


def test_burden_from_tenure_terms_equals_housing_burden():
    h = Housing()
    rng = np.random.default_rng(5)
    n = 5000
    tenure = rng.integers(0, 3, n).astype(np.int8)
    price_now = (3000 + 5000 * rng.random(n)).astype(np.float32)
    price_ref = (3000 + 5000 * rng.random(n)).astype(np.float32)
    income = rng.lognormal(10, 1, n).astype(np.float32)
    income[:3] = [0.0, 0.5, 1.0]
    direct = (
        h.m2_per_person
        * h.rent_yield_per_year
        * (price_ref + pass_through(tenure, h) * (price_now - price_ref))
        * rent_discount(tenure, h)
        / np.maximum(income, 1.0)
    )
    fast = burden_given_tenure_terms(
        price_now, price_ref, pass_through(tenure, h), rent_discount(tenure, h), income, h
    )
    assert fast.dtype == np.float32, "expected float32 burden for float32 inputs"
    np.testing.assert_array_equal(
        fast, direct, err_msg="expected the in-place float32 path to give the same numbers"
    )
    np.testing.assert_array_equal(
        housing_burden(price_now, price_ref, tenure, income, h),
        direct,
        err_msg="expected housing_burden to be unchanged",
    )


def test_gumbel_noise_has_gumbel_moments():
    g = _gumbel(np.random.default_rng(6), (400_000, 2)).astype(float)
    assert np.isfinite(g).mean() > 0.999, "expected (almost) only finite noise"
    assert abs(g.mean() - np.euler_gamma) < 0.01, (
        f"expected mean Euler's gamma 0.5772, got {g.mean():.4f}"
    )
    assert abs(g.var() - np.pi**2 / 6) < 0.02, (
        f"expected variance pi^2/6 = 1.645, got {g.var():.4f}"
    )
