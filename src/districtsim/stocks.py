"""District stocks: identity, liveability, collective knowledge (MODEL 5.4, 5.6) [S4].

Identity and liveability relax toward targets, ``X += eta_X * (X* - X)`` with
``eta_X = 1 - exp(-1 / T_X)``. Collective knowledge has a documented public
part (half-life ``half_life_public_years``) and an undocumented part that
decays faster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim import kernels
from districtsim.params import CHANNELS, Identity, Knowledge, Liveability

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def relax(x: np.ndarray, target: np.ndarray, eta: float) -> np.ndarray:
    """Return ``x + eta * (target - x)``: one month of first-order relaxation."""
    return x + eta * (target - x)


def capped(x: np.ndarray, ref: float) -> np.ndarray:
    """Return ``min(x / ref, 1)``: a quantity as a share of the level that counts as full."""
    return np.minimum(np.asarray(x, dtype=float) / ref, 1.0)


def identity_target(
    coverage: np.ndarray, participation: np.ndarray, events_per_year: np.ndarray, p: Identity
) -> np.ndarray:
    """Return the identity target from channel coverage, participation and events [S4]."""
    w = p.w_coverage + p.w_participation + p.w_events
    x = (
        p.w_coverage * capped(coverage, p.coverage_ref)
        + p.w_participation * capped(participation, p.participation_ref)
        + p.w_events * capped(events_per_year, p.events_ref_per_year)
    )
    return x / w if w > 0 else np.zeros_like(x)


def liveability_target(
    amenity: np.ndarray,
    meeting_places_per_10k: np.ndarray,
    events_per_year: np.ndarray,
    firms_per_1000: np.ndarray,
    local_benefit: np.ndarray,
    occupancy: np.ndarray,
    p: Liveability,
    events_ref_per_year: float,
) -> np.ndarray:
    """Return the liveability target.

    It is amenity, meeting places, events, services and benefit, minus crowding.
    """
    crowd = np.maximum(occupancy - p.crowding_occupancy, 0.0) / max(
        1.0 - p.crowding_occupancy, 1e-9
    )
    x = (
        p.base
        + p.w_amenity * amenity
        + p.w_meeting_places * capped(meeting_places_per_10k, p.meeting_places_ref_per_10k)
        + p.w_events * capped(events_per_year, events_ref_per_year)
        + p.w_services * capped(firms_per_1000, p.firms_ref_per_1000)
        + p.w_benefit * np.clip(local_benefit, 0.0, 1.0)
        - p.w_crowding * crowd
    )
    return np.clip(x, 0.0, 1.0)


def knowledge_update(
    k_public: np.ndarray,
    k_private: np.ndarray,
    active_persons: np.ndarray,
    public_share: np.ndarray,
    k: Knowledge,
    decay_public: float,
    decay_private: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the new (public, undocumented) knowledge stocks in person-months.

    New knowledge is ``gamma_k * active persons * doc_share`` a month; the
    public share of it is published (website or social media), the rest stays
    undocumented and decays faster.
    """
    new = k.gamma_k * active_persons * k.doc_share
    return k_public * (1.0 - decay_public) + new * public_share, k_private * (
        1.0 - decay_private
    ) + new * (1.0 - public_share)


def step(model: DistrictModel, t: int) -> None:
    """Phase 7: population, participation, knowledge, competence network, identity, liveability.

    Reads: ``Residents.occupied``, ``is_active``, ``is_competent``, ``built_month``, ties;
    ``Districts.active_channels``, ``coverage``, ``events_hist``, ``partners``, ``amenity``,
    ``meeting_places``, ``local_firms``, ``local_benefit``.
    Writes: ``Districts.population``, ``participation``, ``active_persons``, ``k_public``,
    ``k_private``, ``competence_inside``, ``competence_outside``, ``events_year``, ``identity``,
    ``built_places``, ``liveability``.
    """
    r = model.residents
    ds = model.districts
    p = model.params
    pop_sim = model.blocks.count(r.occupied)
    ds.population = pop_sim / model.scale
    n_active = model.blocks.count(r.is_active)
    ds.participation = n_active / np.maximum(pop_sim, 1)
    ds.active_persons = n_active / model.scale
    web = (
        ds.active_channels[:, CHANNELS.index("website")]
        | ds.active_channels[:, CHANNELS.index("social_media")]
    )
    public_share = np.where(web, p.knowledge.public_share_web, p.knowledge.public_share_none)
    ds.k_public, ds.k_private = knowledge_update(
        ds.k_public,
        ds.k_private,
        ds.active_persons,
        public_share,
        p.knowledge,
        model.rates.decay_public,
        model.rates.decay_private,
    )
    active_competent = r.is_active & r.is_competent
    ds.competence_inside = model.blocks.count(active_competent) / model.scale
    ds.competence_outside = (
        outside_competence(model, active_competent)
        + ds.partners * p.partnerships.experts_per_partnership
    )
    ds.events_year = ds.events_hist.sum(axis=0).astype(float)
    ds.identity = relax(
        ds.identity,
        identity_target(ds.coverage, ds.participation, ds.events_year, p.identity),
        model.rates.eta_identity,
    )
    ds.built_places = model.blocks.count(r.built_month <= t)
    pop = np.maximum(ds.population, 1.0)
    target = liveability_target(
        ds.amenity,
        ds.meeting_places / (pop / 1e4),
        ds.events_year,
        ds.local_firms / (pop / 1e3),
        ds.local_benefit,
        pop_sim / np.maximum(ds.built_places, 1),
        p.liveability,
        p.identity.events_ref_per_year,
    )
    ds.liveability = relax(ds.liveability, target, model.rates.eta_liveability)


def outside_competence(model: DistrictModel, active_competent: np.ndarray) -> np.ndarray:
    """Count distinct active competent people in other districts tied to active residents.

    Per district: the active competent people living elsewhere whom at least one active
    resident of the district has a tie to, in real persons. One pass over the active
    residents' ties (:func:`districtsim.kernels.outside_ties`) finds the (district, person)
    pairs; each distinct pair counts once.
    """
    r = model.residents
    keys = kernels.outside_ties(
        r.is_active, model.ties.A.indices, model.ties.k, active_competent, r.district
    )
    pairs = np.unique(keys)
    return np.bincount(pairs // r.n, minlength=model.n_districts) / model.scale
