"""Operating modes of the districts (MODEL 5.11) [S5].

A district is traditional while its lead association's orientation is below the mode cut,
creative at or above it, and an innovation platform when creative and either holding platform
status (the program year, :mod:`districtsim.program`) or having a record of
``partnerships.platform_record_innovations`` innovations in the last 36 months.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from districtsim.model import DistrictModel

MODE_CODES: dict[str, int] = {"traditional": 0, "creative": 1, "innovation_platform": 2}
"""Operating modes (MODEL 5.11) and their codes for the innovation multiplier."""

RECORD_MONTHS = 36
"""Months of innovations that count toward an innovation platform's record."""


def current_modes(model: DistrictModel) -> list[str]:
    """Return each district's operating mode now, from its lead association (MODEL 5.11)."""
    history = model.innovation_months
    record = np.sum(history[-RECORD_MONTHS:], axis=0) if history else np.zeros(model.n_districts)
    needed = model.params.partnerships.platform_record_innovations
    out = []
    for a in model.associations:
        platform = a.is_creative and (
            model.program.is_platform[a.district] or record[a.district] >= needed
        )
        if platform:
            out.append("innovation_platform")
        else:
            out.append("creative" if a.is_creative else "traditional")
    return out


def step(model: DistrictModel, t: int) -> None:
    """Phase 11a: each district's operating mode; a change is logged as a transition.

    Reads: the leads' orientations, platform status, innovations of the last 36 months.
    Writes: ``Districts.mode``; event log.
    """
    mode = model.districts.mode
    for a, new in zip(model.associations, current_modes(model), strict=True):
        if new != mode[a.district]:
            detail = f"{mode[a.district]}->{new}"
            model.log_event(a.district, "mode_transition", detail, a.orientation)
            mode[a.district] = new
