"""Communication: channels and ties inform residents (MODEL 5.1) [S1, S2].

A resident of district d is reached in a month with probability
``1 - (1 - r_d) * (1 - q_tie) ** n_active_ties`` where
``r_d = 1 - prod_c (1 - r_c)`` over the district's active channels (and the
event reach in an event month). Outside visibility is
``E_d = 1 - prod_c (1 - e_c)``.
"""

from __future__ import annotations

import numpy as np

from districtsim.params import CHANNELS, Communication


def combine(probabilities: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return ``1 - prod(1 - p)``: the chance that at least one independent source reaches."""
    return 1.0 - np.prod(1.0 - np.asarray(probabilities, dtype=float), axis=axis)


def channel_vectors(c: Communication) -> tuple[np.ndarray, np.ndarray]:
    """Return the monthly local reach and the outside reach of each channel kind (in CHANNELS order)."""
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
    reach = 1.0 - (1.0 - coverage) * (1.0 - event_reach)
    return coverage, reach, visibility


def resident_reach_probability(
    reach_d: np.ndarray, n_active_ties: np.ndarray, q_tie: float
) -> np.ndarray:
    """Return each resident's probability of being reached (channels, events and active ties)."""
    return 1.0 - (1.0 - reach_d) * np.power(np.float32(1.0 - q_tie), n_active_ties)
