"""Reputation and attractiveness (MODEL 5.7) [S4].

Outsiders' reputation relaxes slowly (half-life in years) toward
``R* = (w_L L + w_A E A + w_S status + w_N mean_neighbours(R)) / sum(w)``
where ``E`` is outside visibility, ``A`` achievements (events and
participation, and the local benefit of innovations when there are any) and
``status`` the social mix (Permentier et al.: reputation follows the social
mix): ``0.5 + log(mean income / city mean income) / status_span``, clipped to
0..1. Shocks add to reputation directly. Movers value district d by
``U_jd = b_R R_d + b_L L_d - b_P cost_share_jd + b_f orientation_j creative_d``
(``cost_share_jd`` = a mover's annual housing cost in d over income; see :func:`utility`)
plus Gumbel noise (multinomial logit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from districtsim.params import Attractiveness, Reputation
from districtsim.stocks import capped, relax

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def status(mean_income: np.ndarray, city_mean_income: float, span: float) -> np.ndarray:
    """Return the social-mix status of each district, 0..1."""
    return np.clip(0.5 + np.log(np.maximum(mean_income, 1.0) / city_mean_income) / span, 0.0, 1.0)


def neighbour_mean(values: np.ndarray, adjacency: sp.csr_matrix) -> np.ndarray:
    """Return the mean of ``values`` over each district's neighbours (own value if none)."""
    deg = np.asarray(adjacency.sum(axis=1)).ravel()
    s = adjacency @ values
    return np.where(deg > 0, s / np.maximum(deg, 1), values)


def reputation_target(
    liveability: np.ndarray,
    visibility: np.ndarray,
    achievement: np.ndarray,
    stat: np.ndarray,
    nbr: np.ndarray,
    p: Reputation,
) -> np.ndarray:
    """Return the reputation target R*."""
    w = p.w_liveability + p.w_achievement + p.w_status + p.w_spillover
    x = (
        p.w_liveability * liveability
        + p.w_achievement * visibility * achievement
        + p.w_status * stat
        + p.w_spillover * nbr
    )
    return np.clip(x / w, 0.0, 1.0) if w > 0 else np.zeros_like(x)


def utility(
    reputation: np.ndarray,
    liveability: np.ndarray,
    log_price: np.ndarray,
    creative: np.ndarray,
    log_income: np.ndarray,
    orientation: np.ndarray,
    a: Attractiveness,
    cost_per_eur_m2: float,
    engagement_ratio: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Return systematic utilities, shape (movers, districts).

    The price term is ``-b_P * cost_share_jd`` with
    ``cost_share_jd = cost_per_eur_m2 * price_d / income_j`` (annual housing
    cost over income). MODEL 5.7 writes ``-b_P log(price_d / income_j)``, but
    in a logit the log income cancels between alternatives, so nobody would
    sort by income; the cost share keeps the same idea (price relative to
    income) and lets richer movers outbid poorer ones for expensive districts.

    Args:
        reputation: R_d.
        liveability: L_d.
        log_price: log price per m2, per district.
        creative: 1 for creative districts, else 0.
        log_income: log income of each mover.
        orientation: future orientation of each mover.
        a: Attractiveness coefficients.
        cost_per_eur_m2: Annual housing cost per EUR/m2 of price
            (``m2_per_person * rent_yield_per_year``).
        engagement_ratio: Each mover's engagement over the mean of the engagement
            distribution; with ``a.reputation_engagement`` > 0 the pull of reputation rises
            with it. ``None``: every mover at the mean.
        out: Where to write the utilities (float64, movers x districts); None: a new array.
    """
    base = a.b_reputation * reputation + a.b_liveability * liveability
    # v = base - b_P * cost_share + b_F * orientation * creative, with cost_share =
    # cost_per_eur_m2 * exp(log price - log income): the same operations in the same order,
    # in place in one (movers, districts) array and one scratch array.
    v = np.subtract(log_price[None, :], log_income[:, None], out=out)
    np.exp(v, out=v)
    v *= cost_per_eur_m2
    v *= a.b_price
    np.subtract(base[None, :], v, out=v)
    scratch = np.multiply((a.b_future * orientation)[:, None], creative[None, :])
    v += scratch
    if engagement_ratio is not None and a.reputation_engagement != 0:
        extra = a.reputation_engagement * (np.asarray(engagement_ratio, dtype=float) - 1.0)
        np.multiply((a.b_reputation * extra)[:, None], reputation[None, :], out=scratch)
        v += scratch
    return v


def logit_shares(v: np.ndarray) -> np.ndarray:
    """Return multinomial-logit choice probabilities over the last axis."""
    z = v - v.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def status_and_achievement(
    model: DistrictModel, events_per_year: np.ndarray, participation: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return each district's social-mix status and achievements (events, participation, benefit).

    Also writes the residents' mean income per district (``Districts.mean_income``).
    """
    r = model.residents
    ds = model.districts
    p = model.params
    income_sum = model.blocks.sum(r.income_eur, where=r.occupied)
    n_occ = model.blocks.count(r.occupied)
    ds.mean_income = income_sum / np.maximum(n_occ, 1)
    city_mean = income_sum.sum() / max(n_occ.sum(), 1)
    stat = status(ds.mean_income, city_mean, p.reputation.status_span)
    achievement = 0.5 * capped(events_per_year, p.identity.events_ref_per_year) + 0.5 * capped(
        participation, p.identity.participation_ref
    )
    return stat, np.clip(achievement + ds.local_benefit, 0.0, 1.0)


def apply_shocks(model: DistrictModel, t: int) -> None:
    """Phase 2a: the scenario's ``[[shocks]]`` of month ``t`` change reputation (MODEL 3).

    Reads: the scenario's shocks. Writes: ``Districts.reputation``; event log.
    """
    rep = model.districts.reputation
    for shock in model.config.shocks:
        if shock.month == t:
            for name in shock.districts:
                d = model.names.index(name)
                rep[d] = float(np.clip(rep[d] + shock.reputation, 0.0, 1.0))
                model.log_event(d, "shock", "reputation", shock.reputation)


def step(model: DistrictModel, t: int) -> None:
    """Phase 8: reputation relaxes toward its target; the attractiveness index.

    Reads: ``Districts.liveability`` (new), ``visibility``, ``events_year``, ``participation``,
    ``local_benefit``, ``reputation`` (neighbours'), ``log_price``, ``creative``,
    ``built_places``; residents' incomes; the income index.
    Writes: ``Districts.mean_income``, ``reputation``, ``attractiveness``.
    """
    ds = model.districts
    p = model.params
    stat, achievement = status_and_achievement(model, ds.events_year, ds.participation)
    nbr = neighbour_mean(ds.reputation, model.adjacency)
    target = reputation_target(ds.liveability, ds.visibility, achievement, stat, nbr, p.reputation)
    ds.reputation = relax(ds.reputation, target, model.rates.eta_reputation)
    # Attractiveness index: logit share for a reference mover relative to size (1 = average).
    v = utility(
        ds.reputation,
        ds.liveability,
        ds.log_price,
        ds.creative.astype(float),
        np.log([p.population.income_median_eur * model.income_index]),
        np.array([0.5]),
        p.attractiveness,
        model.rates.cost_per_eur_m2,
    )[0]
    size = np.maximum(ds.built_places, 1)
    share = logit_shares(v + np.log(size))
    ds.attractiveness = share / (size / size.sum())
