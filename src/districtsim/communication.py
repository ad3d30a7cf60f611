"""Communication: channels and ties inform residents (MODEL 5.1) [S1, S2].

A resident of district d is reached in a month with probability
``1 - (1 - r_d) * (1 - q_tie) ** n_active_ties`` where
``r_d = 1 - prod_c (1 - r_c)`` over the district's active channels (and the
event reach in an event month). Outside visibility is
``E_d = 1 - prod_c (1 - e_c)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim import kernels
from districtsim.params import CHANNELS, Communication

if TYPE_CHECKING:
    from districtsim.model import DistrictModel
    from districtsim.orgs.associations import Association


def combine(probabilities: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return ``1 - prod(1 - p)``: the chance that at least one independent source reaches."""
    return 1.0 - np.prod(1.0 - np.asarray(probabilities, dtype=float), axis=axis)


def channel_vectors(c: Communication) -> tuple[np.ndarray, np.ndarray]:
    """Return the monthly local and outside reach of each channel kind (in CHANNELS order)."""
    local = np.array([getattr(c, f"reach_{k}") for k in CHANNELS])
    outside = np.array([getattr(c, f"outside_{k}") for k in CHANNELS])
    return local, outside


def district_reach(
    active_channels: np.ndarray, c: Communication, event: np.ndarray, creative: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (channel coverage, reach including events, outside visibility) per district.

    Args:
        active_channels: Bool array (D, n_channels) of running channels.
        c: Communication parameters.
        event: Bool array (D,): an event this month.
        creative: Bool array (D,): the association is creative (larger event reach).
    """
    local, outside = channel_vectors(c)
    coverage = combine(np.where(active_channels, local, 0.0))
    visibility = combine(np.where(active_channels, outside, 0.0))
    event_reach = np.where(creative, c.event_reach_creative, c.event_reach_traditional) * event
    reach = 1.0 - (1.0 - coverage) * (1.0 - event_reach) * (1.0 - c.reach_background)
    return coverage, reach, visibility


def resident_reach_probability(
    reach_d: np.ndarray, n_active_ties: np.ndarray, q_tie: float
) -> np.ndarray:
    """Return each resident's probability of being reached (channels, events and active ties)."""
    return 1.0 - (1.0 - reach_d) * np.power(np.float32(1.0 - q_tie), n_active_ties)


def district_channels(associations: list[Association], n_districts: int) -> np.ndarray:
    """Return the channels running in each district (bool, D x channels).

    A channel runs in a district when any association there runs it.
    """
    out = np.zeros((n_districts, len(CHANNELS)), dtype=bool)
    for x in associations:
        out[x.district] |= [x.channels[k] for k in CHANNELS]
    return out


def step(model: DistrictModel, t: int) -> None:
    """Phase 3: channels, events and ties reach residents.

    Reads: the events each association planned last month (with its orientation), every
    association's channels, the leads' orientations, last month's activity.
    Writes: ``Districts.event_now``, ``event_orientation``, ``event_creative``, ``creative``,
    ``active_channels``, ``coverage``, ``visibility``; ``Residents.was_active`` (last month's
    ``is_active``), ``n_active_ties``, ``n_occupied_ties``, ``is_reached``; each association's
    ``event_now``.
    """
    reach_d = update_districts(model)
    reach_residents(model, t, reach_d)


def update_districts(model: DistrictModel) -> np.ndarray:
    """The district half of phase 3: this month's events and channels; return the reach r_d.

    Writes the ``Districts`` fields and each association's ``event_now`` listed in
    :func:`step`.
    """
    ds = model.districts
    c = model.params.communication
    nd = model.n_districts
    organisers = [x for x in model.all_associations if x.event_next_month]
    for x in model.all_associations:
        x.event_now = x.event_next_month
    where = np.array([x.district for x in organisers], dtype=np.intp)
    n_org = np.bincount(where, minlength=nd)
    ds.event_now = n_org > 0
    # Several events in a month: the pull uses the organisers' mean orientation; the reach is
    # creative if any organiser is.
    with np.errstate(invalid="ignore"):
        ds.event_orientation = (
            np.bincount(where, weights=[x.orientation for x in organisers], minlength=nd) / n_org
        )
    ds.event_creative = (
        np.bincount(where, weights=[x.is_creative for x in organisers], minlength=nd) > 0
    )
    ds.creative = np.array([a.is_creative for a in model.associations])
    ds.active_channels = district_channels(model.all_associations, nd)
    ds.coverage, reach_d, ds.visibility = district_reach(
        ds.active_channels, c, ds.event_now, ds.event_creative
    )
    return reach_d


def reach_residents(model: DistrictModel, t: int, reach_d: np.ndarray) -> None:
    """The resident half of phase 3: last month's activity, tie counts and who is reached."""
    r = model.residents
    c = model.params.communication
    r.was_active, r.is_active = r.is_active, r.was_active
    # The reach probability depends only on the district and the (integer) number of active ties.
    table = resident_reach_probability(
        reach_d.astype(np.float32)[:, None],
        np.arange(model.ties.k + 1, dtype=np.float32),
        c.q_tie,
    )
    u = kernels.uniforms(model.streams.get("communication", t), r.n)
    # One pass: tie counts (Ties.tie_counts) and the draw against the table.
    kernels.reach(
        model.ties.A.indices,
        model.ties.k,
        r.was_active,
        r.occupied,
        model.reach_index,
        table.ravel(),
        u,
        model.tie_code,
        r.n_active_ties,
        r.n_occupied_ties,
        r.is_reached,
    )
