"""Threshold mobilisation (MODEL 5.2); Granovetter (1978).

Motivation ``M_i = a_I * identity_d + a_e * engagement_i + a_t * min(months_i / T_att, 1)``.
A reached resident takes part with probability
``sigmoid((M_i + b_s * s_i + b_ev * w_i * event_d - theta_i) / tau)`` where
``s_i`` is the share of the resident's ties active last month. The event pull
``w_i = 1 - |orientation_i - orientation_assoc|`` is the match between the
resident and the association's orientation; for a traditional association
(orientation -> 0) it is MODEL's ``1 - future_orientation_i`` [S5].
As ``tau -> 0`` the rule becomes Granovetter's deterministic threshold model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from districtsim import kernels
from districtsim.params import Mobilisation

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def motivation(
    identity: np.ndarray, engagement: np.ndarray, months: np.ndarray, m: Mobilisation
) -> np.ndarray:
    """Return motivation M_i (identity is already per resident)."""
    return (
        m.a_identity * identity
        + m.a_engagement * engagement
        + m.a_tenure * np.minimum(months / m.attachment_months, 1.0)
    )


def event_pull(orientation: np.ndarray, association_orientation: np.ndarray) -> np.ndarray:
    """Return the event pull weight w_i = 1 - |orientation_i - orientation of the association|."""
    return 1.0 - np.abs(orientation - association_orientation)


def participation_probability(
    motiv: np.ndarray,
    share_active: np.ndarray,
    pull: np.ndarray,
    theta: np.ndarray,
    m: Mobilisation,
) -> np.ndarray:
    """Return the probability that a reached resident takes part this month."""
    z = (motiv + m.b_social * share_active + m.b_event * pull - theta) / m.tau
    return expit(z.astype(np.float32))


def step(model: DistrictModel, t: int) -> None:
    """Phase 4: reached residents take part by the threshold rule.

    Reads: ``Residents.is_reached``, engagement, months in district, orientation, threshold,
    tie counts; ``Districts.identity`` (last month's), ``event_now``, ``event_orientation``.
    Writes: ``Residents.is_active``.
    """
    r = model.residents
    u = kernels.uniforms(model.streams.get("mobilisation", t), r.n)
    take_part(model, model.params.mobilisation, u, model.districts.event_now, r.is_active)


def take_part(
    model: DistrictModel, mob: Mobilisation, u: np.ndarray, event_now: np.ndarray, out: np.ndarray
) -> None:
    """Write into ``out`` who takes part: the reached residents whose ``u`` is below the rule.

    Only reached residents can take part (a draw per place keeps draws aligned with places).
    One pass (:func:`districtsim.kernels.mobilise`) evaluates :func:`motivation`,
    :func:`event_pull` (in districts with ``event_now``), the share of active ties and
    :func:`participation_probability` for each of them.
    """
    r = model.residents
    ds = model.districts
    coef = np.array(
        [
            mob.a_identity,
            mob.a_engagement,
            mob.a_tenure,
            mob.attachment_months,
            mob.b_social,
            mob.b_event,
            mob.tau,
        ],
        dtype=np.float32,
    )
    kernels.mobilise(
        r.is_reached,
        r.district,
        ds.identity.astype(np.float32),
        np.nan_to_num(ds.event_orientation).astype(np.float32),
        event_now,
        r.engagement,
        r.months_in_district,
        r.orientation,
        r.theta,
        r.n_active_ties,
        r.n_occupied_ties,
        u,
        coef,
        out,
    )
