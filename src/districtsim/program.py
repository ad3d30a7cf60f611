"""The innovation-platform program year (MODEL 5.9) [S3], run by public funders [S1].

Stages, by calendar month (each can be switched off in ``[program]``):

1. October: the call opens (in program years up to ``last_call_year``). A district
   applies when its lead association's orientation is at least
   ``apply_orientation`` and it has at least ``apply_volunteers_per_10k``
   volunteers; platforms whose funding continues do not apply. Each application
   gets a quality ~ Beta(2, 2).
2. November-December (sparring): quality += gain/2 * (1 - quality) each month.
3. December-January (complementing): the same with its own gain.
4. February: selection and kick-off. Score = weighted criteria (z-scores of
   the last 12 recorded months, :mod:`districtsim.criteria`) +
   ``quality_weight * quality``. ``competitive``: best scores first while the
   budget left (after continued grants) covers a grant. ``equal``: the budget
   left is split equally among all applicants (at most one full grant each). Selected districts hold
   platform status, a grant (EUR/year) and staff; matchmaking gives each new
   platform ``matchmaking_partners`` partnerships with free outside actors.
5. March-April (benchmarking): each platform closes ``rate/2`` of its
   knowledge gap to the best platform each month.
6. May (structuring): platforms' innovation efficiency becomes ``1 + gain``.
7. June (evaluation): a score in 0..1, half from the year's innovations
   (full at ``evaluation_innovations_ref``) and half from mobilisation.
8. September (autumn start): a platform's funding continues with probability
   ``continuation_probability`` (+ ``evaluation_weight * (score - 0.5)``);
   otherwise its status lapses. The grant and staff stop at once; the
   platform standing (``legacy``: the partnership and local-firm rate
   multipliers, the platform mode multiplier of a creative district) and the
   structuring efficiency fade with ``legacy_half_life_years`` (P4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from districtsim import calendar
from districtsim.criteria import CRITERIA_GROUPS, criteria, score
from districtsim.rates import half_life_to_monthly_rate

if TYPE_CHECKING:
    from districtsim.model import DistrictModel
    from districtsim.params import Program


class Funder(mesa.Agent):
    """A public funder co-financing the call [S1].

    Args:
        model: The model.
        kind: ``municipality``, ``state_agency`` or ``innovation_fund``.
        budget_eur_per_year: Its share of the program budget.
        staff_persons: Staff it puts into the program.
        settings: The ``[program]`` settings of the call it co-finances.

    The funders co-finance one joint call: each holds the call's criteria
    weights (``criteria_weights``, from ``[program]`` ``w_*``), and the
    selection scores applications with them (:func:`districtsim.criteria.score`).
    """

    def __init__(
        self,
        model: DistrictModel,
        kind: str,
        budget_eur_per_year: float,
        staff_persons: float,
        settings: Program,
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.budget_eur_per_year = float(budget_eur_per_year)
        self.staff_persons = float(staff_persons)
        self.criteria_weights = {name: getattr(settings, name) for name in CRITERIA_GROUPS}


class ProgramYear:
    """State and stages of the annual call for one model.

    Args:
        model: The model it belongs to.
    """

    def __init__(self, model: DistrictModel) -> None:
        self.model = model
        p = model.params.program  # at set-up: the scenario's (no intervention has started)
        nd = model.n_districts
        self.enabled = p.enabled
        self.is_platform = np.zeros(nd, dtype=bool)
        self.grant_eur = np.zeros(nd)
        self.staff_persons = np.zeros(nd)
        self.efficiency = np.ones(nd)
        self.applied = np.zeros(nd, dtype=bool)
        self.quality = np.zeros(nd)
        self.evaluation_score = np.full(nd, 0.5)
        self.innovations_year = np.zeros(nd)
        # Platform standing 0..1: 1 while a platform; after a lapse it fades with
        # legacy_half_life_years (P4).
        self.legacy = np.zeros(nd)
        if self.enabled:
            self._create_funders(p)

    @property
    def settings(self) -> Program:
        """Return the ``[program]`` settings in force this month.

        The scenario's (``model.params.program``, which never changes) as
        changed by the program interventions started so far
        (:meth:`districtsim.interventions.InterventionRunner.program_settings`).
        """
        return self.model.interventions.program_settings(self.model.params.program)

    @property
    def legacy_decay(self) -> float:
        """Return the monthly fading of a lapsed platform's legacy (1, at once, for 0 years).

        It follows from ``legacy_half_life_years``.
        """
        half_life = self.settings.legacy_half_life_years
        return 1.0 if half_life <= 0 else half_life_to_monthly_rate(half_life)

    def _create_funders(self, p: Program) -> None:
        """Create the three funders (Mesa agents) with their shares of the budget and staff."""
        shares = {
            "municipality": p.municipality_share,
            "state_agency": p.state_share,
            "innovation_fund": max(0.0, 1.0 - p.municipality_share - p.state_share),
        }
        for kind, share in shares.items():
            Funder(
                self.model,
                kind,
                share * p.budget_eur_per_year,
                share
                * p.staff_persons_per_platform
                * max(1, round(p.budget_eur_per_year / p.grant_eur_per_year)),
                settings=p,
            )

    def start(self) -> None:
        """Start (or restart) the program with the settings in force (a program intervention).

        The funders are made again, with the budget and criteria weights in force.
        """
        self.enabled = True
        for funder in list(self.model.agents_by_type.get(Funder, [])):
            funder.remove()
        self._create_funders(self.settings)

    @property
    def grant_factor(self) -> np.ndarray:
        """Return the innovation multiplier from funding, ``1 + m * grant / grant_ref``."""
        p = self.settings
        return 1.0 + p.innovation_multiplier_per_grant * self.grant_eur / p.grant_eur_per_year

    def step(self, t: int) -> None:
        """Run this month's stage of the program year, if the program is enabled.

        A lapsed platform's legacy fades in any case.
        """
        lapsed = ~self.is_platform
        self.legacy[lapsed] *= 1.0 - self.legacy_decay
        self.efficiency[lapsed] = 1.0 + (self.efficiency[lapsed] - 1.0) * (1.0 - self.legacy_decay)
        if self.enabled:
            self._stage(t)
        self.legacy[self.is_platform] = 1.0

    def _stage(self, t: int) -> None:
        """Run this month's stage of the program year (``calendar.PROGRAM_STAGES``)."""
        p = self.settings
        stage = calendar.is_stage_month
        rng = self.model.streams.get("program", t)
        if calendar.is_call_month(t) and calendar.program_year(t) <= p.last_call_year:
            self._call(rng)
        elif stage("sparring", t) and p.sparring:
            gain = p.sparring_gain / calendar.stage_length_months("sparring")
            self.quality[self.applied] += gain * (1 - self.quality[self.applied])
        if stage("complementing", t) and p.complementing:
            gain = p.complementing_gain / calendar.stage_length_months("complementing")
            self.quality[self.applied] += gain * (1 - self.quality[self.applied])
        if stage("selection", t):
            self._select()
        elif stage("benchmarking", t) and p.benchmarking:
            self._benchmark(p.benchmarking_rate / calendar.stage_length_months("benchmarking"))
        elif stage("structuring", t) and p.structuring:
            self.efficiency[self.is_platform] = 1.0 + p.structuring_gain
        elif stage("evaluation", t) and p.evaluation:
            self._evaluate()
        elif calendar.is_year_end(t):
            self._autumn_start(rng)

    def _call(self, rng: np.random.Generator) -> None:
        model = self.model
        p = self.settings
        self.innovations_year[:] = 0.0
        orientation = np.array([a.orientation for a in model.associations])
        volunteers_per_10k = model.districts.volunteers / np.maximum(
            model.districts.population / 1e4, 1e-9
        )
        self.applied = (
            (orientation >= p.apply_orientation)
            & (volunteers_per_10k >= p.apply_volunteers_per_10k)
            & ~self.is_platform
        )
        self.quality = np.where(self.applied, rng.beta(2.0, 2.0, model.n_districts), 0.0)
        for d in np.flatnonzero(self.applied):
            model.associations[d].applications.append(calendar.program_year(model.month))
            model.log_event(
                int(d), "application", "filed by the district association", float(self.quality[d])
            )

    def _select(self) -> None:
        model = self.model
        p = self.settings
        applicants = np.flatnonzero(self.applied)
        if applicants.size == 0:
            return
        budget_left = max(p.budget_eur_per_year - self.grant_eur[self.is_platform].sum(), 0.0)
        if p.allocation == "equal":
            # Equal shares of the budget left, at most one full grant each.
            grants = {
                int(d): min(budget_left / applicants.size, p.grant_eur_per_year) for d in applicants
            }
        else:
            recorded = model.recorder.n_recorded
            values = (
                criteria(model.recorder.data, slice(max(recorded - 12, 0), recorded))
                if recorded
                else None
            )
            evidence = score(values, p) if values is not None else np.zeros(model.n_districts)
            total = evidence + p.quality_weight * self.quality
            order = applicants[np.argsort(-total[applicants], kind="stable")]
            n = int(budget_left // p.grant_eur_per_year)
            grants = {int(d): p.grant_eur_per_year for d in order[:n]}
        for d in applicants:
            d = int(d)
            if grants.get(d, 0.0) > 0:
                self.is_platform[d] = True
                self.grant_eur[d] = grants[d]
                self.staff_persons[d] = (
                    p.staff_persons_per_platform * grants[d] / p.grant_eur_per_year
                )
                model.log_event(d, "selection", p.allocation, grants[d])
                if p.matchmaking:
                    for _ in range(p.matchmaking_partners):
                        model.form_partnership(d, matched=True)
            else:
                model.log_event(d, "application", "not selected", float(self.quality[d]))
        self.applied[:] = False

    def _benchmark(self, rate: float) -> None:
        model = self.model
        if self.is_platform.sum() < 2:
            return
        total = model.districts.k_public + model.districts.k_private
        best = total[self.is_platform].max()
        gain = np.where(self.is_platform, rate * (best - total), 0.0)
        share = np.where(total > 0, model.districts.k_public / np.maximum(total, 1e-12), 0.5)
        model.districts.k_public = model.districts.k_public + gain * share
        model.districts.k_private = model.districts.k_private + gain * (1 - share)

    def _evaluate(self) -> None:
        model = self.model
        ref = model.params.identity.participation_ref
        full = self.settings.evaluation_innovations_ref
        self.evaluation_score = 0.5 * np.minimum(
            self.innovations_year / full, 1.0
        ) + 0.5 * np.minimum(model.districts.participation / ref, 1.0)
        for d in np.flatnonzero(self.is_platform):
            model.log_event(
                int(d), "evaluation", "process evaluation", float(self.evaluation_score[d])
            )

    def _autumn_start(self, rng: np.random.Generator) -> None:
        model = self.model
        p = self.settings
        u = rng.random(model.n_districts)
        bonus = p.evaluation_weight * (self.evaluation_score - 0.5) if p.evaluation else 0.0
        keep = u < np.clip(p.continuation_probability + bonus, 0.0, 1.0)
        for d in np.flatnonzero(self.is_platform):
            if keep[d]:
                model.log_event(
                    int(d), "continuation", "continuation funding found", float(self.grant_eur[d])
                )
            else:
                self.is_platform[d] = False
                self.grant_eur[d] = 0.0
                self.staff_persons[d] = 0.0
                model.log_event(int(d), "platform_lapse", "no continuation funding")
