"""Migration: move-out hazard, its causes, and location choice within vacancies (MODEL 5.8).

Each resident moves out with monthly hazard
``h = h0_tenure * exp(-alpha_t (attachment - 1/2) - alpha_I (identity_d - 1/2) + alpha_L (mean L - L_d) + alpha_B max(0, burden - cap))``
(the covariates are centred so that ``h0_tenure``, converted once from the
annual rate, is the hazard of a typical resident). A move is attributed to a
cause in proportion to the hazard each term adds: baseline (life events),
dissatisfaction with liveability, and housing burden (displacement).
Movers leave the city with probability ``share_leaving_city`` or choose a
district by multinomial logit (size term: log vacancies) in rounds: a
district with more choosers than vacancies accepts a random subset and the
others choose again among districts with room left.
"""

from __future__ import annotations

import numpy as np

CAUSES: tuple[str, ...] = ("other", "liveability", "burden")


def hazard_terms(
    h0: np.ndarray,
    attachment: np.ndarray,
    identity: np.ndarray,
    liveability_gap: np.ndarray,
    burden_excess: np.ndarray,
    alpha: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (baseline, with liveability, with burden) hazards; the last is the total.

    Args:
        h0: Monthly base hazard by the resident's tenure.
        attachment: min(months / T_att, 1).
        identity: The district's identity, per resident.
        liveability_gap: mean L - L_d, per resident.
        burden_excess: max(0, burden - cap), per resident.
        alpha: (alpha_attachment, alpha_identity, alpha_liveability, alpha_burden).
    """
    a_t, a_i, a_l, a_b = alpha
    base = h0 * np.exp(-a_t * (attachment - 0.5) - a_i * (identity - 0.5))
    with_l = base * np.exp(a_l * liveability_gap)
    total = with_l * np.exp(a_b * burden_excess)
    return base, with_l, total


def hazard_bound(
    h0: np.ndarray,
    identity: np.ndarray,
    liveability_gap: np.ndarray,
    alpha: tuple[float, float, float, float],
) -> np.ndarray:
    """Return an upper bound, per (tenure, district), of the hazard of residents without burden excess.

    The bound is :func:`hazard_terms`' ``with_l`` at the attachment in [0, 1]
    that gives the highest hazard, times 1 + 1e-5 against rounding, so every
    resident's ``total <= bound * exp(alpha_B * burden_excess)``. As the
    monthly move probability ``1 - exp(-total)`` is at most ``total``, a
    resident without burden excess whose uniform draw is at least the bound
    cannot move: the model evaluates the full hazard for the others only,
    and the movers are exactly those of the full evaluation.

    Args:
        h0: Monthly base hazard of each tenure, shape (tenures,).
        identity: Identity of each district, shape (districts,).
        liveability_gap: mean L - L_d of each district, shape (districts,).
        alpha: (alpha_attachment, alpha_identity, alpha_liveability, alpha_burden).
    """
    h0 = np.asarray(h0)
    worst = np.zeros(1, dtype=h0.dtype) if alpha[0] >= 0 else np.ones(1, dtype=h0.dtype)
    _, with_l, _ = hazard_terms(
        h0[:, None],
        worst[:, None],
        np.asarray(identity)[None, :],
        np.asarray(liveability_gap)[None, :],
        np.zeros(1, dtype=h0.dtype)[:, None],
        alpha,
    )
    return with_l * (1.0 + 1e-5)


def attribute_causes(
    base: np.ndarray, with_l: np.ndarray, total: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Return the cause index (see CAUSES) of each move, drawn in proportion to each term's added hazard."""
    c_base = np.minimum(base, with_l)
    c_live = np.maximum(with_l - base, 0.0)
    c_burden = total - with_l
    norm = c_base + c_live + c_burden
    x = u * norm
    return np.where(x < c_base, 0, np.where(x < c_base + c_live, 1, 2)).astype(np.int8)


def _gumbel(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Draw standard Gumbel noise ``-log(-log(U))`` in float32 (about five times as fast as ``rng.gumbel``).

    U = 0 (probability 2**-24) gives -inf: that alternative is never chosen.
    The float32 grid truncates the noise to about [-2.8, 16.6], which
    removes a probability of about 1e-7.
    """
    g = rng.random(shape, dtype=np.float32)
    with np.errstate(divide="ignore"):
        np.log(g, out=g)
        np.negative(g, out=g)
        np.log(g, out=g)
    np.negative(g, out=g)
    return g


def allocate(
    v: np.ndarray, vacancies: np.ndarray, rng: np.random.Generator, rounds: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Allocate choosers to districts by logit within vacancies.

    Args:
        v: Systematic utilities (choosers, districts), without the size term.
        vacancies: Vacant places per district.
        rng: Random stream for Gumbel noise and tie-breaking.
        rounds: Choice rounds before unplaced choosers give up.

    Returns:
        (district chosen or -1 if unplaced, first-choice count per district).
    """
    n, d = v.shape
    left = vacancies.astype(np.int64).copy()
    result = np.full(n, -1, dtype=np.int64)
    first = np.zeros(d, dtype=np.int64)
    todo = np.arange(n)
    for r in range(rounds):
        if todo.size == 0 or left.sum() == 0:
            break
        with np.errstate(divide="ignore"):
            size = np.log(left.astype(float))
        u = v[todo] + size[None, :]
        u += _gumbel(rng, (todo.size, d))
        choice = np.argmax(u, axis=1)
        if r == 0:
            first = np.bincount(choice, minlength=d)
        key = rng.random(todo.size)
        order = np.lexsort((key, choice))
        sorted_choice = choice[order]
        starts = np.searchsorted(sorted_choice, np.arange(d))
        rank = np.arange(todo.size) - starts[sorted_choice]
        ok = rank < left[sorted_choice]
        placed = todo[order[ok]]
        result[placed] = sorted_choice[ok]
        left -= np.bincount(sorted_choice[ok], minlength=d)
        todo = np.sort(todo[order[~ok]])
    return result, first
