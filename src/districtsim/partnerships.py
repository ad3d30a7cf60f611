"""Partnerships with outside actors and innovations (MODEL 5.5) [S1, S4].

Each month a district forms a new partnership with probability
``1 - exp(-r_d)``, ``r_d = rate / 12 * (E_d / E_ref) * (0.5 + k_d) * m_platform``
(outside visibility ``E_d``, normalised knowledge ``k_d``, and a multiplier
for platform status); the partner is a free outside firm or research
institute drawn in proportion to its interest. Innovations arrive as a
Poisson process with monthly rate
``lambda0 / 12 * k_d^a * c_d^b * (1 + partners_d) * mode multiplier * efficiency
* (1 + m_grant * grant_d / grant_ref)``,
with ``k = K / (K + K_half)`` and ``c = C / (C + C_half)`` for knowledge and
competence. Each innovation has a lognormal commercial value in EUR
(transferable: counted for the city) and adds ``benefit_per_innovation`` to
the district's local benefit, which fades with a half-life and feeds
liveability and reputation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim import modes
from districtsim.orgs.firms import FREE, local_partnership_hazard
from districtsim.orgs.partners import OutsideFirm, Partnership, ResearchInstitute
from districtsim.params import Partnerships
from districtsim.rates import annual_rate_to_monthly

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


def saturating(x: np.ndarray, half: float) -> np.ndarray:
    """Return ``x / (x + half)``: a stock normalised to 0..1 (0.5 at ``half``)."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    return x / (x + half)


def partnership_rate(
    visibility: np.ndarray, k_norm: np.ndarray, platform: np.ndarray, p: Partnerships
) -> np.ndarray:
    """Return each district's monthly hazard of forming a new partnership.

    ``platform`` is the platform standing in 0..1 (1 while a platform, fading
    after a lapse, :attr:`districtsim.program.ProgramYear.legacy`); the rate
    multiplier is ``1 + (platform_multiplier - 1) * platform``.
    """
    return (
        annual_rate_to_monthly(p.rate_per_year)
        * (visibility / p.visibility_ref)
        * (0.5 + k_norm)
        * platform_factor(platform, p.platform_multiplier)
    )


def platform_factor(platform: np.ndarray, multiplier: float) -> np.ndarray:
    """Return ``1 + (multiplier - 1) * platform`` for a platform standing in 0..1.

    A bool works too: it gives 1 or the multiplier.
    """
    return 1.0 + (multiplier - 1.0) * np.asarray(platform, dtype=float)


def innovation_rate(
    k_norm: np.ndarray,
    c_norm: np.ndarray,
    partners: np.ndarray,
    mode_multiplier: np.ndarray,
    efficiency: np.ndarray,
    grant_factor: np.ndarray,
    p: Partnerships,
) -> np.ndarray:
    """Return each district's expected innovations this month (MODEL 5.5)."""
    return (
        annual_rate_to_monthly(p.lambda0_per_year)
        * k_norm**p.exponent_knowledge
        * c_norm**p.exponent_competence
        * (1.0 + partners)
        * mode_multiplier
        * efficiency
        * grant_factor
    )


def mode_multiplier(
    mode_codes: np.ndarray, p: Partnerships, legacy: np.ndarray | None = None
) -> np.ndarray:
    """Return the innovation multiplier for mode codes 0 traditional, 1 creative, 2 platform.

    A creative district with a platform ``legacy`` in 0..1 (a lapsed platform)
    gets ``m_creative + legacy * (m_platform - m_creative)``.
    """
    table = np.array(
        [p.mode_multiplier_traditional, p.mode_multiplier_creative, p.mode_multiplier_platform]
    )
    out = table[mode_codes]
    if legacy is not None:
        out = np.where(
            mode_codes == 1,
            p.mode_multiplier_creative
            + np.asarray(legacy) * (p.mode_multiplier_platform - p.mode_multiplier_creative),
            out,
        )
    return out


def draw_values(rng: np.random.Generator, n: int, p: Partnerships) -> np.ndarray:
    """Draw the commercial values (EUR) of ``n`` innovations (lognormal)."""
    return p.value_median_eur * np.exp(p.value_sigma * rng.standard_normal(n))


def create_outside_actors(model: DistrictModel) -> None:
    """Create the pool of outside firms and research institutes (Mesa agents, MODEL 2).

    Sets ``model.outside_actors`` (outside firms, then research institutes: their activation
    order).
    """
    part = model.params.partnerships
    rng = model.streams.get("init.partners")
    for _ in range(part.n_outside_firms):
        OutsideFirm(model, interest=float(rng.beta(2.0, 2.0)), capacity=part.capacity_per_firm)
    for _ in range(part.n_research_institutes):
        capacity = part.capacity_per_institute
        ResearchInstitute(model, interest=float(rng.beta(2.0, 2.0)), capacity=capacity)
    model.outside_actors = [
        *model.agents_by_type.get(OutsideFirm, []),
        *model.agents_by_type.get(ResearchInstitute, []),
    ]


def form_partnership(model: DistrictModel, d: int, matched: bool = False) -> Partnership | None:
    """Partner district ``d`` with a free outside actor drawn by interest; return it or None."""
    free = [a for a in model.outside_actors if a.is_free]
    if not free:
        return None
    # A separate stream per district, month and partnership of that month (kick-off and
    # spontaneous).
    t = model.month
    n_before = model.partnerships_formed.get((d, t), 0)
    model.partnerships_formed[(d, t)] = n_before + 1
    rng = model.streams.get(f"partner.choice.{d}.{n_before}", t)
    w = np.array([a.interest for a in free]) + 1e-9
    actor = free[int(rng.choice(len(free), p=w / w.sum()))]
    part = Partnership(actor, d, t, t + model.params.partnerships.duration_months, matched)
    actor.partnerships.append(part)
    detail = f"{actor.kind} {actor.unique_id}" + (" (matchmaking)" if matched else "")
    model.log_event(d, "partnership", detail, float(part.end_month))
    return part


def step(model: DistrictModel, t: int) -> None:
    """Phase 6: partnerships end and form; innovations arrive and add local benefit (MODEL 5.5).

    Reads: ``Districts.visibility`` (this month's), ``k_public``, ``k_private``,
    ``competence_inside``, ``competence_outside`` (last month's), the program's legacy,
    efficiency and grants, last month's operating modes, local firms' interest.
    Writes: partnerships of outside actors and local firms (ended, formed),
    ``Districts.partners``, ``partners_local``, ``innovations``, ``commercial_value``,
    ``local_benefit``; the program year's innovation count; ``model.innovation_months``;
    event log.
    """
    part = model.params.partnerships
    ds = model.districts
    nd = model.n_districts
    for actor in model.outside_actors:
        for ended in actor.end_partnerships(t):
            model.log_event(ended.district, "partnership_end", f"{actor.kind} {actor.unique_id}")
    k_total = ds.k_public + ds.k_private
    k_norm = saturating(k_total, part.knowledge_half_saturation)
    rate = partnership_rate(ds.visibility, k_norm, model.program.legacy, part)
    u = model.streams.get("partnerships", t).random(nd)
    for d in np.flatnonzero(u < -np.expm1(-rate)):
        form_partnership(model, int(d))
    ds.partners = np.bincount(
        [pt.district for a in model.outside_actors for pt in a.partnerships], minlength=nd
    ).astype(float)
    ds.partners_local = local_partnerships(model, t, k_norm)
    c_norm = saturating(
        ds.competence_inside + ds.competence_outside, part.competence_half_saturation
    )
    codes = np.array([modes.MODE_CODES[m] for m in modes.current_modes(model)])
    lam = innovation_rate(
        k_norm,
        c_norm,
        ds.partners + ds.partners_local,
        mode_multiplier(codes, part, model.program.legacy),
        model.program.efficiency,
        model.program.grant_factor,
        part,
    )
    rng = model.streams.get("innovations", t)
    ds.innovations = rng.poisson(lam).astype(float)
    values = draw_values(rng, int(ds.innovations.sum()), part)
    owner = np.repeat(np.arange(nd), ds.innovations.astype(np.int64))
    ds.commercial_value = np.bincount(owner, weights=values, minlength=nd)
    for d, v in zip(owner, values, strict=True):
        model.log_event(int(d), "innovation", "commercial value EUR", float(v))
    model.program.innovations_year += ds.innovations
    model.innovation_months.append(ds.innovations)
    ds.local_benefit = (
        ds.local_benefit * (1.0 - model.rates.benefit_decay)
        + part.benefit_per_innovation * ds.innovations
    )


def local_partnerships(model: DistrictModel, t: int, k_norm: np.ndarray) -> np.ndarray:
    """End and start local firms' partnerships with their districts; return the running ones.

    Partnerships end in the order they began (``LocalFirms.partnered``), then free firms start
    new ones in the firms' order (their creation order); each is logged.
    """
    part = model.params.partnerships
    firms = model.firms
    # The firms in a partnership are few: they are listed by id, so only their entries are read.
    if firms.partnered:
        pos = firms.index(firms.partnered)
        ended = firms.partnership_end[pos] <= t
        for i in pos[ended]:
            detail = f"{firms.kind} {int(firms.firm_id[i])}"
            model.log_event(int(firms.district[i]), "partnership_end", detail)
        firms.partnership_end[pos[ended]] = FREE
        firms.partnered = [x for x, gone in zip(firms.partnered, ended, strict=True) if not gone]
    district = firms.district
    hazard = local_partnership_hazard(
        firms.interest,
        k_norm[district],
        model.program.legacy[district],
        model.params.firms,
        part.platform_multiplier,
    )
    u = model.streams.get("partnerships.local", t).random(len(firms))
    start = np.flatnonzero((u < -np.expm1(-hazard)) & firms.is_free)
    end = t + part.duration_months
    firms.partnership_end[start] = end
    firms.partnered += firms.firm_id[start].tolist()
    for i in start:
        detail = f"{firms.kind} {int(firms.firm_id[i])}"
        model.log_event(int(district[i]), "partnership", detail, float(end))
    running = district[~firms.is_free]
    return np.bincount(running, minlength=model.n_districts).astype(float)
