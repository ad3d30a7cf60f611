"""The compiled kernels give exactly what the numpy expressions they replace give.

Each test takes a model's real state (the default city at a small scale, stepped a few months,
so occupancy, activity, membership and burden are realistic), computes a phase's per-resident
result with the numpy form of the rule (the expressions the phase ran before the kernel, built
from the rule functions that the rule tests check) and with the kernel, and compares them
bit for bit. Parameter variants exercise the kernels' branches (recruitment of reached
residents, a sharp volunteer cut, a rent cap). Every test runs twice: the kernels in one
piece, and in slices on three threads (as at large scale), which must not change a bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from districtsim import kernels
from districtsim.communication import resident_reach_probability
from districtsim.migration import (
    burden_excess,
    grow_incomes_and_attachment,
    hazard_bound,
    hazard_terms,
    housing_cost_price,
    move_candidates,
)
from districtsim.mobilisation import (
    event_pull,
    motivation,
    participation_probability,
    take_part,
)
from districtsim.network import Ties
from districtsim.orgs.associations import join_probability, leave_or_join, volunteer_chance
from helpers import small_scenario, stepped


@pytest.fixture(autouse=True, params=["one piece", "slices on 3 threads"])
def slices(request, monkeypatch):
    """Run the kernels in one piece, or in slices of 1,000 places on three threads."""
    if request.param != "one piece":
        monkeypatch.setattr(kernels, "MIN_CHUNK", 1000)
        kernels.set_threads(3)
    yield request.param
    kernels.set_threads(0)


@pytest.fixture(scope="module")
def model():
    """The default city at scale 0.01 after 14 months (a call and a program year behind it)."""
    return stepped(small_scenario(14, name="helsinki", scale=0.01), seed=3)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _draws(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(n, dtype=np.float32)


def test_reach_equals_tie_counts_and_the_reach_table(model):
    r = model.residents
    k = model.ties.k
    rng = np.random.default_rng(5)
    table = resident_reach_probability(
        rng.random(model.n_districts).astype(np.float32)[:, None],
        np.arange(k + 1, dtype=np.float32),
        model.params.communication.q_tie,
    )
    u = _draws(r.n, 6)
    # was_active also on vacant places: the counts must take the arrays as they are.
    was_active = r.was_active | (rng.random(r.n) < 0.05)
    n_active, n_occupied = model.ties.tie_counts(was_active, r.occupied)
    expected = r.occupied & (u < np.take(table.ravel(), model.reach_index + n_active))
    got = [np.zeros(r.n, dtype=np.uint8), np.zeros(r.n, dtype=np.uint8), np.zeros(r.n, bool)]
    kernels.reach(
        model.ties.A.indices,
        k,
        was_active,
        r.occupied,
        model.reach_index,
        table.ravel(),
        u,
        np.zeros(r.n, dtype=kernels.code_dtype(k)),
        *got,
    )
    np.testing.assert_array_equal(got[0], n_active, err_msg="active tie counts differ")
    np.testing.assert_array_equal(got[1], n_occupied, err_msg="occupied tie counts differ")
    np.testing.assert_array_equal(got[2], expected, err_msg="reached residents differ")
    assert 0 < expected.sum() < r.occupied.sum(), "expected some but not all residents reached"


@pytest.mark.parametrize("tau", [None, 0.05])
def test_mobilise_equals_the_threshold_rule(model, tau):
    r = model.residents
    ds = model.districts
    mob = model.params.mobilisation
    if tau is not None:
        mob = dataclasses.replace(mob, tau=tau)
    u = _draws(r.n, 7)
    idx = np.flatnonzero(r.is_reached)
    d = r.district[idx].astype(np.intp)
    orient = np.nan_to_num(ds.event_orientation).astype(np.float32)
    motiv = motivation(
        ds.identity.astype(np.float32)[d],
        r.engagement[idx],
        r.months_in_district[idx].astype(np.float32),
        mob,
    )
    event_now = np.arange(model.n_districts) % 2 == 0  # events in half the districts
    pull = event_pull(r.orientation[idx], orient[d]) * event_now[d]
    share = r.n_active_ties[idx].astype(np.float32) / np.maximum(r.n_occupied_ties[idx], 1).astype(
        np.float32
    )
    p = participation_probability(motiv, share, pull, r.theta[idx], mob)
    expected = np.zeros(r.n, dtype=bool)
    expected[idx[u[idx] < p]] = True
    got = np.ones(r.n, dtype=bool)  # every entry must be written
    take_part(model, mob, u, event_now, got)  # kernels.mobilise
    np.testing.assert_array_equal(got, expected, err_msg="active residents differ")
    assert 0 < expected.sum() < idx.size, "expected some but not all reached residents to act"


@pytest.mark.parametrize("p_reached", [0.0, 0.02])
def test_membership_equals_join_and_exit_rules(model, p_reached):
    r = model.residents
    a = model.params.associations
    a = dataclasses.replace(a, p_join_reached_per_month=p_reached)
    p_exit = model.rates.p_member_exit
    u = _draws(r.n, 8)
    member_of = r.member_of.copy()
    member_of[~r.occupied & (np.arange(r.n) % 3 == 0)] = 0  # stale memberships of empty places
    member = member_of >= 0
    join = np.flatnonzero(~member & (u < join_probability(r, a)))
    expected = member_of.copy()
    expected[(member & (u < p_exit)) | ~r.occupied] = -1
    got = member_of.copy()
    got_join = leave_or_join(r, got, u, a, p_exit)  # kernels.membership
    np.testing.assert_array_equal(got_join, join, err_msg="joiners differ")
    np.testing.assert_array_equal(got, expected, err_msg="memberships after exits differ")
    assert join.size > 0 and (expected < member_of).any(), "expected joins and exits"


@pytest.mark.parametrize("width", [None, 0.0])
def test_association_counts_equal_bincounts(model, width):
    r = model.residents
    a = model.params.associations
    if width is not None:
        a = dataclasses.replace(a, volunteer_engagement_width=width)
    n_slots = model.slots.n_slots
    size = model.n_districts * n_slots
    mem = np.flatnonzero(r.is_member)
    key = r.district[mem].astype(np.intp) * n_slots + r.member_of[mem]
    act = r.is_active[mem]
    expected = (
        np.bincount(key, minlength=size).astype(float),
        np.bincount(key, weights=volunteer_chance(r.engagement[mem], a), minlength=size),
        np.bincount(key, weights=act, minlength=size),
        np.bincount(key, weights=act * r.orientation[mem], minlength=size),
    )
    got = kernels.association_counts(
        r.member_of,
        r.district,
        n_slots,
        size,
        r.engagement,
        r.is_active,
        r.orientation,
        np.float32(a.volunteer_engagement_cut),
        np.float32(a.volunteer_engagement_width),
    )
    names = ("members", "volunteers", "active", "orientation")
    for name, g, e in zip(names, got, expected, strict=True):
        np.testing.assert_array_equal(g, e, err_msg=f"{name} per association differ")
    assert act.any(), "expected active members"


@pytest.mark.parametrize("rent_cap", [False, True])
def test_move_candidates_equal_growth_burden_and_bound(model, rent_cap, monkeypatch):
    r = model.residents
    ds = model.districts
    p = model.params
    mig = p.migration
    if rent_cap:  # a 1% cap in every district
        cap = np.full(model.n_districts, 0.01)
        monkeypatch.setattr(model.interventions, "rent_rise_cap_per_year", lambda: cap)
    price = np.exp(ds.log_price).astype(np.float32) * np.float32(1.3)  # some burden excess
    alpha = (mig.alpha_attachment, mig.alpha_identity, mig.alpha_liveability, mig.alpha_burden)
    l_gap = (ds.liveability.mean() - ds.liveability).astype(np.float32)
    bound = hazard_bound(model.rates.h0, ds.identity.astype(np.float32), l_gap, alpha)
    tenure_district = r.tenure.astype(np.intp) * model.n_districts + r.district
    u = _draws(r.n, 9)
    before = (r.income_eur.copy(), r.months_in_district.copy())
    # The numpy form: grow incomes and stays, then burden excess and the bound.
    grow_incomes_and_attachment(model)
    excess = burden_excess(model, housing_cost_price(model, price))
    # Candidates: a draw below the bound times the burden's factor on the hazard (in float64,
    # with the kernel's margin).
    limit = np.take(bound.ravel(), tenure_district).astype(float)
    factor = np.exp(mig.alpha_burden * excess.astype(float)) * 1.0001
    cand = np.flatnonzero(r.occupied & (u < np.where(excess > 0, limit * factor, limit)))
    expected = (r.income_eur.copy(), r.months_in_district.copy())
    r.income_eur[:], r.months_in_district[:] = before
    try:
        got_cand, got_excess = move_candidates(model, price, u, bound)  # the kernel
        np.testing.assert_array_equal(r.income_eur, expected[0], err_msg="incomes differ")
        np.testing.assert_array_equal(r.months_in_district, expected[1], err_msg="stays differ")
    finally:
        r.income_eur[:], r.months_in_district[:] = before
    np.testing.assert_array_equal(got_cand, cand, err_msg="candidate movers differ")
    np.testing.assert_array_equal(got_excess, excess[cand], err_msg="burden excess differs")
    assert (excess[cand] > 0).any() and (excess[cand] == 0).any(), "expected both kinds"
    # No resident whose exact hazard (migration.hazard_terms) could make them move is left out.
    attach = np.minimum(
        expected[1].astype(np.float32) / np.float32(p.mobilisation.attachment_months),
        np.float32(1.0),
    )
    d = r.district.astype(np.intp)
    identity = ds.identity.astype(np.float32)[d]
    *_, total = hazard_terms(model.rates.h0[r.tenure], attach, identity, l_gap[d], excess, alpha)
    could_move = np.flatnonzero(r.occupied & (u < total))
    assert could_move.size > 0, "expected some residents who could move"
    assert np.isin(could_move, got_cand).all(), "a possible mover is not a candidate"
    assert got_cand.size < 0.5 * r.occupied.sum(), "expected the filter to leave most out"


@pytest.mark.parametrize("k", [1, 8, 20])
def test_reach_counts_for_any_number_of_ties(k):
    """The tie code fits in its buffer type for k from 1 to 100 (uint8 up to 10, then uint16)."""
    block_start = np.array([0, 300, 700, 1200])
    t = Ties(block_start, [np.array([1]), np.array([0, 2]), np.array([1])], k, 0.85, _rng(2))
    rng = _rng(3)
    occupied = rng.random(t.n) < 0.9
    was_active = rng.random(t.n) < 0.4
    n_active, n_occupied = t.tie_counts(was_active, occupied)
    got = [np.zeros(t.n, dtype=np.uint8), np.zeros(t.n, dtype=np.uint8), np.zeros(t.n, bool)]
    index = np.repeat(np.arange(3), np.diff(block_start)) * (k + 1)
    table = np.linspace(0, 1, 3 * (k + 1), dtype=np.float32)
    code = np.zeros(t.n, dtype=kernels.code_dtype(k))
    u = _draws(t.n, 4)
    kernels.reach(t.A.indices, k, was_active, occupied, index, table, u, code, *got)
    np.testing.assert_array_equal(got[0], n_active, err_msg=f"active tie counts differ, k={k}")
    np.testing.assert_array_equal(got[1], n_occupied, err_msg=f"occupied tie counts differ, k={k}")
    np.testing.assert_array_equal(
        got[2], occupied & (u < table[index + n_active]), err_msg="reached residents differ"
    )
    assert kernels.code_dtype(100).itemsize == 2, "expected a 16-bit code for 100 ties"


def test_block_int_sums_equal_block_sums(model):
    r = model.residents
    got = kernels.block_int_sums(r.months_in_district, r.occupied, model.blocks.start)
    expected = model.blocks.sum(r.months_in_district, where=r.occupied)
    np.testing.assert_array_equal(got.astype(float), expected, err_msg="block sums differ")
    assert got.dtype == np.int64 and (got > 0).all(), "expected positive int64 sums"


@pytest.mark.parametrize("before", [0, 1, 2, 3])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 2_999, 3_000, 10_001])
def test_uniforms_are_numpys_draws_and_leave_the_stream_where_numpy_would(n, before):
    """kernels.uniforms(rng, n) == rng.random(n, dtype=float32), and the next draws agree.

    ``before`` draws first (an odd count leaves half of a 64-bit output for the next draw).
    """
    seed = 1000 * n + before
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    ours.random(before, dtype=np.float32)
    numpys.random(before, dtype=np.float32)
    got = kernels.uniforms(ours, n)
    expected = numpys.random(n, dtype=np.float32)
    assert got.dtype == np.float32 and got.shape == (n,), "expected n float32 draws"
    np.testing.assert_array_equal(got, expected, err_msg="the draws differ from numpy's")
    assert ours.bit_generator.state == numpys.bit_generator.state, "the stream's state differs"
    np.testing.assert_array_equal(ours.random(3, dtype=np.float32), numpys.random(3, np.float32))


def test_a_stepped_model_does_not_depend_on_the_threads(slices):
    """The same scenario and seed give the same residents in one piece and in slices."""
    if slices == "one piece":
        pytest.skip("compares slices with one piece: run under the slices parameter")
    scen = small_scenario(6, name="helsinki", scale=0.01)
    model = stepped(scen, seed=11)
    kernels.set_threads(1)
    whole = stepped(scen, seed=11)
    r, w = model.residents, whole.residents
    for name in ("is_active", "is_reached", "member_of", "income_eur", "district", "occupied"):
        np.testing.assert_array_equal(
            getattr(r, name), getattr(w, name), err_msg=f"{name} differs ({slices})"
        )


def test_outside_ties_give_the_pairs_of_the_numpy_form(model):
    """Distinct (district, active competent person elsewhere) pairs, as the numpy form finds."""
    r = model.residents
    rng = _rng(8)
    is_active = r.occupied & (rng.random(r.n) < 0.3)
    active_competent = is_active & (rng.random(r.n) < 0.5)
    src = np.flatnonzero(is_active)
    partners = np.take(model.ties.partners, src, axis=0)
    row, col = np.nonzero(active_competent[partners])
    target = partners[row, col]
    home = r.district[src[row]].astype(np.int64)
    cross = r.district[target] != home
    expected = np.unique(home[cross] * r.n + target[cross])
    got = kernels.outside_ties(
        is_active, model.ties.A.indices, model.ties.k, active_competent, r.district
    )
    assert got.size > expected.size > 0, "expected some repeated pairs"
    np.testing.assert_array_equal(np.unique(got), expected, err_msg="the pairs differ")


@pytest.mark.parametrize("n", [8, 13, 40])
def test_outside_ties_on_a_tiny_city_scan_every_place(n):
    """Places past the last full word of eight are scanned too."""
    block_start = np.array([0, n // 2, n])
    t = Ties(block_start, [np.array([1]), np.array([0])], 3, 0.0, _rng(n))
    district = np.repeat(np.arange(2), np.diff(block_start)).astype(np.int16)
    is_active = np.ones(n, dtype=bool)
    got = kernels.outside_ties(is_active, t.A.indices, 3, is_active, district)
    partners = t.partners
    expected = [
        district[i] * n + j for i in range(n) for j in partners[i] if district[j] != district[i]
    ]
    np.testing.assert_array_equal(got, expected, err_msg="keys differ")
