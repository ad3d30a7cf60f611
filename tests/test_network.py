"""Social ties (MODEL 2): fixed out-degree CSR matrix over places."""

import math

import numpy as np
import pytest

from districtsim.network import Ties

BLOCKS = np.array([0, 300, 700, 1200])
NEIGHBOURS = [np.array([1]), np.array([0, 2]), np.array([1])]
K = 8
SHARE_WITHIN = 0.85


def _ties(seed: int = 1, share_within: float = SHARE_WITHIN) -> Ties:
    return Ties(BLOCKS, NEIGHBOURS, K, share_within, np.random.default_rng(seed))


def _district(places: np.ndarray) -> np.ndarray:
    return np.searchsorted(BLOCKS, places, side="right") - 1


def test_each_place_has_exactly_k_ties():
    t = _ties()
    n = int(BLOCKS[-1])
    assert t.A.shape == (n, n), "expected a square place-by-place matrix"
    np.testing.assert_array_equal(
        np.diff(t.A.indptr), K, err_msg=f"expected exactly {K} ties per row"
    )
    assert t.partners.shape == (n, K), "expected partners of shape (places, k)"


def test_no_self_ties():
    t = _ties()
    assert not np.any(t.partners == np.arange(t.n)[:, None]), "expected no place tied to itself"


def test_share_within_district_matches_parameter():
    t = _ties()
    within = _district(t.partners) == _district(np.arange(t.n))[:, None]
    m = within.size
    sd = math.sqrt(SHARE_WITHIN * (1 - SHARE_WITHIN) / m)
    assert abs(within.mean() - SHARE_WITHIN) < 4 * sd, (
        f"expected the within-district share {SHARE_WITHIN} within 4 binomial sd "
        f"({4 * sd:.3f}), got {within.mean():.4f}"
    )


def test_outside_ties_go_to_adjacent_districts():
    t = _ties()
    home = _district(np.arange(t.n))[:, None]
    target = _district(t.partners)
    outside = target != home
    adjacent = np.abs(target - home) == 1  # the path 0 - 1 - 2
    assert outside.any(), "expected some ties outside the district"
    assert np.all(adjacent[outside]), "expected every outside tie to point to an adjacent district"


def test_isolated_district_keeps_ties_inside():
    t = Ties(
        np.array([0, 100, 250]),
        [np.array([], dtype=np.int64), np.array([], dtype=np.int64)],
        4,
        0.5,
        np.random.default_rng(3),
    )
    home = np.searchsorted(np.array([0, 100, 250]), np.arange(250), side="right") - 1
    target = np.searchsorted(np.array([0, 100, 250]), t.partners, side="right") - 1
    assert np.all(target == home[:, None]), (
        "expected districts without neighbours to keep all ties inside"
    )


def test_same_stream_same_ties():
    np.testing.assert_array_equal(
        _ties(5).partners,
        _ties(5).partners,
        err_msg="expected the same stream to give the same ties",
    )


def _direct_share(
    partners: np.ndarray, was_active: np.ndarray, occupied: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n_active = was_active[partners].sum(axis=1)
    n_occupied = occupied[partners].sum(axis=1)
    return n_active, n_active / np.maximum(n_occupied, 1)


def test_share_active_equals_direct_computation():
    t = _ties()
    rng = np.random.default_rng(8)
    occupied = rng.random(t.n) < 0.9
    was_active = occupied & (rng.random(t.n) < 0.2)
    n_active, share = t.share_active(was_active, occupied)
    exp_n, exp_share = _direct_share(t.partners, was_active, occupied)
    np.testing.assert_allclose(
        n_active, exp_n, err_msg="expected the number of active ties to be the count over partners"
    )
    np.testing.assert_allclose(
        share,
        exp_share,
        rtol=1e-6,
        err_msg="expected active ties over occupied ties, 0 without occupied ties",
    )
    _, none_occupied = t.share_active(np.zeros(t.n, dtype=bool), np.zeros(t.n, dtype=bool))
    assert np.all(none_occupied == 0), "expected share 0 when no tie is occupied"


def test_rewire_changes_only_given_rows():
    t = _ties()
    before = t.partners.copy()
    rows = np.array([3, 10, 450, 1199])
    t.rewire(rows, np.random.default_rng(99))
    after = t.partners
    others = np.setdiff1d(np.arange(t.n), rows)
    np.testing.assert_array_equal(
        after[others], before[others], err_msg="expected rows not rewired to keep their ties"
    )
    assert np.any(after[rows] != before[rows]), "expected the rewired rows to get new ties"
    assert not np.any(after[rows] == rows[:, None]), "expected no self-ties after rewiring"
    np.testing.assert_array_equal(
        np.diff(t.A.indptr), K, err_msg="expected k ties per row after rewiring"
    )
    rng = np.random.default_rng(4)
    x = rng.random(t.n) < 0.3
    n_active, _ = t.share_active(x, np.ones(t.n, dtype=bool))
    np.testing.assert_allclose(
        n_active,
        x[after].sum(axis=1),
        err_msg="expected the sparse product to see the rewired ties",
    )


def test_rewire_nothing_is_a_no_op():
    t = _ties()
    before = t.partners.copy()
    t.rewire(np.array([], dtype=np.int64), np.random.default_rng(1))
    np.testing.assert_array_equal(
        t.partners, before, err_msg="expected rewiring no places to change nothing"
    )


def test_connect_replaces_one_tie_per_source():
    t = _ties()
    before = t.partners.copy()
    sources = np.array([1, 5, 20, 800])
    targets = np.array([1000, 600, 20, 2])  # 20 -> 20 is a self-tie and is skipped
    t.connect(sources, targets, np.random.default_rng(17))
    after = t.partners
    for s, g in zip(sources, targets, strict=True):
        changed = int(np.sum(after[s] != before[s]))
        if s == g:
            assert changed == 0, "expected a tie to oneself to be skipped"
        else:
            assert g in after[s], f"expected place {s} to be tied to {g} after connect"
            assert changed <= 1, f"expected at most one of place {s}'s ties replaced"
    others = np.setdiff1d(np.arange(t.n), sources)
    np.testing.assert_array_equal(
        after[others], before[others], err_msg="expected other places' ties unchanged"
    )
    x = np.zeros(t.n, dtype=bool)
    x[1000] = True
    n_active, _ = t.share_active(x, np.ones(t.n, dtype=bool))
    assert n_active[1] >= 1, "expected the sparse product to see the new tie"


@pytest.mark.parametrize("share_within", [0.0, 1.0])
def test_share_within_extremes(share_within):
    t = _ties(2, share_within)
    within = (_district(t.partners) == _district(np.arange(t.n))[:, None]).mean()
    assert within == pytest.approx(share_within), (
        f"expected a within-district share of exactly {share_within}"
    )


def _district_of(blocks: np.ndarray, places: np.ndarray) -> np.ndarray:
    return np.searchsorted(blocks, places, side="right") - 1


def test_place_alone_in_its_district_is_tied_to_an_adjacent_district():
    blocks = np.array([0, 1, 50])
    t = Ties(blocks, [np.array([1]), np.array([0])], K, SHARE_WITHIN, np.random.default_rng(7))
    assert not np.any(t.partners == np.arange(t.n)[:, None]), (
        "expected no self-ties, also for a place alone in its district"
    )
    assert np.all(_district_of(blocks, t.partners[0]) == 1), (
        f"expected the lone place's ties to go to the adjacent district, got {t.partners[0]}"
    )
    np.testing.assert_array_equal(
        np.diff(t.A.indptr), K, err_msg=f"expected exactly {K} ties per row"
    )
    t.rewire(np.array([0, 0, 3]), np.random.default_rng(8))
    assert not np.any(t.partners == np.arange(t.n)[:, None]), (
        "expected no self-ties after rewiring a lone place"
    )


def test_lone_place_without_neighbours_is_tied_to_other_places():
    blocks = np.array([0, 1, 50, 51])
    none = np.array([], dtype=np.int64)
    for seed in range(20):
        t = Ties(blocks, [none, none, none], K, SHARE_WITHIN, np.random.default_rng(seed))
        assert not np.any(t.partners == np.arange(t.n)[:, None]), (
            f"expected no self-ties for isolated lone places (seed {seed})"
        )
        inside = _district_of(blocks, t.partners[1:50]) == 1
        assert inside.all(), "expected the isolated district of 49 places to keep its ties inside"
    targets = np.concatenate(
        [
            Ties(blocks, [none, none, none], K, 0.5, np.random.default_rng(s)).partners[0]
            for s in range(50)
        ]
    )
    assert set(np.unique(targets)) == set(range(1, 51)), (
        "expected an isolated lone place's ties spread over every other place"
    )


def test_lone_places_in_adjacent_districts_tie_to_each_other():
    t = Ties(np.array([0, 1, 2]), [np.array([1]), np.array([0])], 4, 1.0, np.random.default_rng(1))
    np.testing.assert_array_equal(
        t.partners,
        [[1] * 4, [0] * 4],
        err_msg="expected two lone adjacent places to be tied to each other",
    )


def test_neighbour_without_places_is_skipped():
    blocks = np.array([0, 1, 1, 40])  # district 1 has no places
    t = Ties(
        blocks, [np.array([1]), np.array([0, 2]), np.array([1])], K, 0.0, np.random.default_rng(2)
    )
    assert not np.any(t.partners == np.arange(t.n)[:, None]), "expected no self-ties"
    assert np.all((t.partners >= 0) & (t.partners < t.n)), (
        "expected every tie to point to an existing place"
    )


def test_single_place_city_is_rejected():
    with pytest.raises(ValueError, match="at least two places"):
        Ties(
            np.array([0, 1]),
            [np.array([], dtype=np.int64)],
            K,
            SHARE_WITHIN,
            np.random.default_rng(1),
        )


def test_ties_unchanged_where_no_place_is_alone():
    """The fix for lone places draws nothing extra elsewhere: the usual ties keep their stream."""
    t = _ties(11)
    rng = np.random.default_rng(11)
    n, k = int(BLOCKS[-1]), K
    district = _district(np.arange(n))
    target_d = np.repeat(district, k)
    outside = np.flatnonzero(rng.random(n * k) >= SHARE_WITHIN)
    home = target_d[outside]
    n_nbr = np.array([len(x) for x in NEIGHBOURS])[home]
    pick = np.minimum((rng.random(outside.size) * n_nbr).astype(np.int64), n_nbr - 1)
    target_d[outside] = [NEIGHBOURS[h][q] for h, q in zip(home, pick, strict=True)]
    lo, hi = BLOCKS[target_d], BLOCKS[target_d + 1]
    out = np.minimum(lo + (rng.random(n * k) * (hi - lo)).astype(np.int64), hi - 1)
    src = np.repeat(np.arange(n), k)
    same = out == src
    out[same] = lo[same] + (out[same] - lo[same] + 1) % (hi[same] - lo[same])
    np.testing.assert_array_equal(
        t.partners,
        out.reshape(n, k),
        err_msg="expected the same ties as the plain draw with the next-place rule",
    )
