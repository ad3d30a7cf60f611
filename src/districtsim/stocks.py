"""District stocks: identity, liveability, collective knowledge (MODEL 5.4, 5.6) [S4].

Identity and liveability relax toward targets, ``X += eta_X * (X* - X)`` with
``eta_X = 1 - exp(-1 / T_X)``. Collective knowledge has a documented public
part (half-life ``half_life_public_years``) and an undocumented part that
decays faster.
"""

from __future__ import annotations

import numpy as np

from districtsim.params import Identity, Knowledge, Liveability


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
    """Return the liveability target: amenity, meeting places, events, services, benefit, minus crowding."""
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
