"""Observation (ODD 7.15): one row of district values each month, and the criteria each year.

:func:`district_values` reads the model's state and returns the district table's columns in
their order (``docs/outputs.md``); :func:`step` hands them to the
:class:`districtsim.results.Recorder` and, at the end of each program year, computes that
year's evaluation criteria (:mod:`districtsim.criteria`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim import kernels
from districtsim.calendar import is_year_end, program_year
from districtsim.criteria import criteria
from districtsim.params import ASSOCIATION_KINDS
from districtsim.rates import annual_rate_to_monthly
from districtsim.residents import TENURES

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def district_values(model: DistrictModel) -> dict[str, np.ndarray]:
    """Return this month's value of every district column, in the district table's order."""
    r = model.residents
    ds = model.districts
    scale = model.scale
    part = model.params.partnerships
    ppd = model.params.housing.persons_per_dwelling
    pop_sim = model.blocks.count(r.occupied)
    months_sum = kernels.block_int_sums(r.months_in_district, r.occupied, model.blocks.start)
    k_total = ds.k_public + ds.k_private
    mv = ds.moves
    return {
        "population": pop_sim / scale,
        "dwellings": ds.built_places / (scale * ppd),
        "vacancies": (ds.built_places - pop_sim) / (scale * ppd),
        "price_eur_m2": np.exp(ds.log_price),
        "identity": ds.identity,
        "liveability": ds.liveability,
        "reputation": ds.reputation,
        "attractiveness": ds.attractiveness,
        "participation_rate": ds.participation,
        "active_persons": ds.active_persons,
        "members_persons": ds.members,
        "active_members_persons": ds.active_members,
        "volunteers_persons": ds.volunteers,
        "channel_coverage": ds.coverage,
        "n_channels": ds.active_channels.sum(axis=1),
        "outside_visibility": ds.visibility,
        "events": ds.event_now.astype(float),
        "collective_knowledge_person_months": k_total,
        "knowledge_public_share": ds.k_public / np.maximum(k_total, 1e-12),
        "competence_inside_persons": ds.competence_inside,
        "competence_outside_persons": ds.competence_outside,
        "moves_in_persons": mv["in"],
        "moves_in_from_outside_persons": mv["in_outside"],
        "moves_out_persons": mv["out"],
        "moves_out_to_outside_persons": mv["out_outside"],
        "moves_out_burden_persons": mv["out_burden"],
        "moves_out_liveability_persons": mv["out_liveability"],
        "moves_out_other_persons": mv["out_other"],
        **{
            f"moves_out_{cause}{tenure}_persons": mv[f"out_{cause}{tenure}"]
            for cause in ("", "burden_")
            for tenure in TENURES
        },
        "moves_within_persons": mv["within"],
        "mean_income_eur": ds.mean_income,
        "months_in_district_mean": months_sum / np.maximum(pop_sim, 1),
        "local_firms": ds.local_firms.astype(float),
        "local_firms_developing": model.firms.developing_per_district(model.n_districts),
        "association_orientation": np.array([a.orientation for a in model.associations]),
        **kind_columns(model),
        "partners": ds.partners,
        "partners_local": ds.partners_local,
        "external_persons": ds.partners * part.experts_per_partnership,
        "external_eur": annual_rate_to_monthly(ds.partners * part.eur_per_partnership_per_year),
        "innovations": ds.innovations,
        "commercial_value_eur": ds.commercial_value,
        "local_benefit": ds.local_benefit,
        "is_platform": model.program.is_platform.astype(float),
        "public_support_persons": model.program.staff_persons,
        "public_support_eur": annual_rate_to_monthly(model.program.grant_eur),
    }


def kind_columns(model: DistrictModel) -> dict[str, np.ndarray]:
    """Return members per association kind and the developer network's orientation (NaN: none)."""
    nd = model.n_districts
    out = {f"members_{kind}_persons": np.zeros(nd) for kind in ASSOCIATION_KINDS}
    dev = np.full(nd, np.nan)
    for x in model.all_associations:
        out[f"members_{x.kind}_persons"][x.district] += x.members
        if x.kind == "developer_network":
            dev[x.district] = x.orientation
    out["developer_network_orientation"] = dev
    return out


def step(model: DistrictModel, t: int) -> None:
    """Phase 11b: record the month; in September, the program year's criteria rows.

    Reads: the district state, the associations, the local firms, the program year.
    Writes: the recorder's row for month ``t``; ``model.criteria_rows`` and ``criteria_years``.
    """
    values = district_values(model)
    model.recorder.record(t, values, list(model.districts.mode), model.displaced_persons)
    if is_year_end(t):
        window = slice(max(t - 11, 0), t + 1)
        model.criteria_rows.append(criteria(model.recorder.data, window))
        model.criteria_years.append(program_year(t))
