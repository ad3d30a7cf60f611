"""The district model: a ``mesa.Model`` whose monthly step is a ledger of named phases.

Residents are a vectorised population (:mod:`districtsim.residents`) with
ties in scipy.sparse (:mod:`districtsim.network`); associations are Mesa
agents (:mod:`districtsim.orgs.associations`); district stocks are numpy
arrays of length D. Every random draw comes from a named stream of one root
seed (:mod:`districtsim.rng`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp

from districtsim import communication, housing, mobilisation, partnerships, reputation, stocks
from districtsim.calendar import is_year_end, program_year
from districtsim.criteria import criteria, criteria_frame
from districtsim.errors import ScenarioError
from districtsim.interventions import InterventionRunner, housing_places
from districtsim.migration import CAUSES, allocate, attribute_causes, hazard_bound, hazard_terms
from districtsim.network import Ties
from districtsim.orgs.associations import (
    DEVELOPER_CHANNELS,
    Association,
    default_kinds,
    kind_settings,
)
from districtsim.orgs.firms import LocalFirm, draw_interest, local_partnership_hazard
from districtsim.orgs.partners import OutsideActor, OutsideFirm, Partnership, ResearchInstitute
from districtsim.params import ASSOCIATION_KINDS, CHANNELS
from districtsim.program import ProgramYear
from districtsim.rates import (
    annual_probability_to_monthly_hazard,
    half_life_to_monthly_rate,
    time_constant_to_monthly_rate,
)
from districtsim.residents import (
    PRIVATE,
    TENURES,
    Blocks,
    draw_engagement,
    draw_incomes,
    draw_orientation,
    draw_theta,
    init_residents,
)
from districtsim.results import Recorder
from districtsim.rng import Streams
from districtsim.scenario import Scenario, load_scenario

MODE_CODES: dict[str, int] = {"traditional": 0, "creative": 1, "innovation_platform": 2}
"""Operating modes (MODEL 5.11) and their codes for the innovation multiplier."""


class DistrictModel(mesa.Model):
    """Districts, residents and their associations over monthly steps.

    Args:
        scenario: A validated scenario; None loads the default city.
        seed: Root seed; None takes the scenario's seed.
    """

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None) -> None:
        scenario = scenario if scenario is not None else load_scenario()
        seed = scenario.seed if seed is None else int(seed)
        self.streams = Streams(seed)
        super().__init__(rng=self.streams.get("mesa"))
        self.seed = seed
        self.spec = scenario
        self.params = p = scenario.params
        self.scale = scenario.scale
        self.horizon = scenario.months
        self.month = 0
        self.names = [d.name for d in scenario.districts]
        self.n_districts = nd = len(self.names)
        self.rates = self._rates()

        pairs = scenario.adjacency_pairs()
        rows = [i for i, j in pairs] + [j for i, j in pairs]
        cols = [j for i, j in pairs] + [i for i, j in pairs]
        self.adjacency = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(nd, nd))
        self.near = (self.adjacency.toarray() > 0) | np.eye(nd, dtype=bool)

        extra = housing_places(
            scenario.interventions, self.names, p.housing.persons_per_dwelling, self.scale
        )
        self.residents = r = init_residents(
            scenario.districts,
            p,
            self.scale,
            self.horizon,
            self.streams.get("init.residents"),
            extra,
        )
        self.block_start = np.concatenate([[0], np.cumsum(np.bincount(r.district, minlength=nd))])
        self.blocks = Blocks(self.block_start)
        neighbours = [
            self.adjacency.indices[self.adjacency.indptr[d] : self.adjacency.indptr[d + 1]]
            for d in range(nd)
        ]
        if self.block_start[-1] < 2:
            raise ScenarioError(
                scenario.source,
                "scenario.scale",
                scenario.scale,
                "a scale large enough to simulate at least two residents (raise --scale)",
            )
        self.ties = Ties(
            self.block_start,
            neighbours,
            p.network.ties_per_resident,
            p.network.share_within_district,
            self.streams.get("init.ties"),
        )
        # Place index into a (district, number of active ties) table: reach probabilities are computed per table cell, not per resident.
        self._reach_index = r.district.astype(np.intp) * (self.ties.k + 1)
        self._reach_buffer = np.empty_like(self._reach_index)
        # Place index into a (tenure, district) table: both are fixed per place.
        self._tenure_district = r.tenure.astype(np.intp) * nd + r.district
        self._tenure_terms = (
            housing.pass_through(r.tenure, p.housing),
            housing.rent_discount(r.tenure, p.housing),
        )

        specs = scenario.districts
        self.amenity = np.array([d.amenity for d in specs])
        self.meeting_places = np.array([d.meeting_places for d in specs], dtype=np.int64)
        pop = np.array([d.population for d in specs], dtype=float)
        n_firms = [
            d.local_firms
            if d.local_firms is not None
            else round(p.firms.initial_per_1000 * d.population / 1000)
            for d in specs
        ]
        interest = draw_interest(self.streams.get("init.firms"), p.firms, sum(n_firms))
        for d, i in zip(np.repeat(np.arange(nd), n_firms), interest, strict=True):
            LocalFirm(self, d, i, -1)
        # The agents in an object array, mirrored by arrays of their (fixed) district and interest, for whole-array draws.
        self.firms = np.array(list(self.agents_by_type.get(LocalFirm, [])) + [None])[:-1]
        self._firm_district = np.array([x.district for x in self.firms], dtype=np.intp)
        self._firm_interest = np.array([x.interest for x in self.firms])
        self.local_firms = np.bincount(self._firm_district, minlength=nd).astype(np.int64)
        self.partnered_firms: list[LocalFirm] = []
        self._init_associations()
        self.mode = [spec.mode for spec in specs]

        # Initial stocks: near their targets, with prices consistent with the hedonic rule.
        creative = np.array([m == "creative" for m in self.mode])
        events0 = self._expected_events_per_year()
        coverage0, _, self.visibility = communication.district_reach(
            self._district_channels(), p.communication, np.zeros(nd, bool), creative
        )
        self.identity = stocks.identity_target(coverage0, np.full(nd, 0.04), events0, p.identity)
        self.local_benefit = np.zeros(nd)
        places0 = np.bincount(r.district, weights=(r.built_month == 0), minlength=nd)
        occ0 = np.bincount(r.district, weights=r.occupied, minlength=nd) / np.maximum(places0, 1)
        self.liveability = stocks.liveability_target(
            self.amenity,
            self.meeting_places / (pop / 1e4),
            events0,
            self.local_firms / (pop / 1e3),
            self.local_benefit,
            occ0,
            p.liveability,
            p.identity.events_ref_per_year,
        )
        self.log_price = np.log([d.price_eur_m2 for d in specs])
        self.log_city_price0 = float(np.average(self.log_price, weights=pop))
        self.reputation = self._initial_reputation(events0)
        # District fixed effects (unmodelled location and building quality) make the hedonic
        # target reproduce the scenario's prices at month 0; the model then moves prices only
        # through changes of reputation, liveability and demand.
        self.price_fixed_effect = self.log_price - housing.log_price_target(
            self.log_city_price0, self.reputation, self.liveability, np.zeros(nd), pop, p.housing
        )
        self.pressure = np.zeros(nd)
        self.income_index = 1.0
        self.creative = creative
        self.demand_baseline = self._initial_demand(
            places0 - np.bincount(r.district, weights=r.occupied, minlength=nd)
        )
        self.first_choices = np.zeros(nd)
        self.vacancy_supply = np.zeros(nd)
        self.k_public = np.zeros(nd)
        self.k_private = np.zeros(nd)
        self.event_now = np.zeros(nd, dtype=bool)
        self.events_hist = np.zeros((12, nd), dtype=np.int64)
        self.events_hist[:] = (
            events0[None, :] / 12.0 > np.linspace(0, 1, 12, endpoint=False)[:, None]
        ).astype(np.int64)
        self.coverage = coverage0
        self.attractiveness = np.ones(nd)
        self.event_log: list[dict[str, Any]] = []
        self.recorder = Recorder(self.horizon, self.names)
        self._init_partners_and_program()
        self.interventions = InterventionRunner(self, scenario.interventions)
        self._flows: dict[str, np.ndarray] = {}

    # ----------------------------------------------------------------- set-up
    def _init_associations(self) -> None:
        """Create each district's associations (Mesa agents) and assign the initial members to them (MODEL 5.3).

        ``self.associations`` holds the lead (district association) of each
        district in district order; ``self.all_associations`` every
        association in activation order: by district, then by kind
        (``ASSOCIATION_KINDS`` order).
        """
        p = self.params
        a = p.associations
        for d, spec in enumerate(self.spec.districts):
            kinds = (
                spec.associations if spec.associations is not None else default_kinds(spec.mode, p)
            )
            for slot, kind in enumerate(kinds):
                if kind == "district_association":
                    orient = (
                        a.initial_orientation_creative
                        if spec.mode == "creative"
                        else a.initial_orientation_traditional
                    )
                    Association(self, d, kind, orient, spec.channels, spec.channels, slot)
                else:
                    wanted = (
                        tuple(c for c in DEVELOPER_CHANNELS if c not in spec.channels)
                        if kind == "developer_network"
                        else ()
                    )
                    Association(self, d, kind, kind_settings(kind, p)[1], (), wanted, slot)
        self.all_associations: list[Association] = sorted(
            self.agents_by_type[Association], key=lambda x: (x.district, x.slot)
        )
        self.associations: list[Association] = [x for x in self.all_associations if x.is_lead]
        nd = self.n_districts
        n_slots = max(x.slot for x in self.all_associations) + 1
        self._assoc_weight = np.zeros((nd, n_slots))
        self._assoc_eligible = np.zeros((nd, n_slots, 3), dtype=bool)
        self._assoc_index = np.full((nd, n_slots), -1, dtype=np.int64)
        for i, x in enumerate(self.all_associations):
            self._assoc_weight[x.district, x.slot] = x.join_weight
            self._assoc_eligible[x.district, x.slot] = x.eligible
            self._assoc_index[x.district, x.slot] = i
        r = self.residents
        members = np.flatnonzero(r.is_member)
        r.member_of[members] = self._choose_association(
            members, self.streams.get("init.associations")
        )

    def _choose_association(self, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return the slot of the association each resident in ``idx`` joins.

        Probability proportional to join weight x eligibility of the tenure x
        ``1 - |orientation_i - orientation_assoc|``; the lead when no
        association of the district has positive weight.
        """
        r = self.residents
        if idx.size == 0:
            return np.zeros(0, dtype=np.int8)
        d = r.district[idx].astype(np.intp)
        orient = np.array([x.orientation for x in self.all_associations])[
            np.maximum(self._assoc_index, 0)
        ]
        w = (
            self._assoc_weight[d]
            * self._assoc_eligible[d, :, r.tenure[idx]]
            * (1.0 - np.abs(r.orientation[idx, None] - orient[d]))
        )
        cum = np.cumsum(w, axis=1)
        u = rng.random(idx.size) * cum[:, -1]
        slot = (cum <= u[:, None]).sum(axis=1)
        return np.where(cum[:, -1] > 0, np.minimum(slot, w.shape[1] - 1), 0).astype(np.int8)

    def _expected_events_per_year(self) -> np.ndarray:
        """Return each district's expected event months per year from its associations' rates (for the initial stocks)."""
        a = self.params.associations
        none = np.ones(self.n_districts)
        for x in self.all_associations:
            can = self.meeting_places[x.district] > 0 or (
                x.is_creative and len(a.festival_months) > 0
            )
            rate = (
                a.events_per_year_creative if x.is_creative else a.events_per_year_traditional
            ) * x.event_factor
            none[x.district] *= 1.0 - min(rate / 12.0, 1.0) * can
        return 12.0 * (1.0 - none)

    def _district_channels(self) -> np.ndarray:
        """Return the channels running in each district (bool, D x channels): any of its associations runs them."""
        out = np.zeros((self.n_districts, len(CHANNELS)), dtype=bool)
        for x in self.all_associations:
            out[x.district] |= [x.channels[k] for k in CHANNELS]
        return out

    def _init_partners_and_program(self) -> None:
        """Create the outside actors (Mesa agents), the program year and the innovation stocks."""
        pp = self.params.partnerships
        rng = self.streams.get("init.partners")
        for _ in range(pp.n_outside_firms):
            OutsideFirm(self, interest=float(rng.beta(2.0, 2.0)), capacity=pp.capacity_per_firm)
        for _ in range(pp.n_research_institutes):
            ResearchInstitute(
                self, interest=float(rng.beta(2.0, 2.0)), capacity=pp.capacity_per_institute
            )
        self.outside_actors: list[OutsideActor] = [
            *self.agents_by_type.get(OutsideFirm, []),
            *self.agents_by_type.get(ResearchInstitute, []),
        ]
        nd = self.n_districts
        self.partners = np.zeros(nd)
        self.partners_local = np.zeros(nd)
        self.competence_inside = np.zeros(nd)  # last month's, used by the partnership phase
        self.competence_outside = np.zeros(nd)
        # State the October call of month 0 reads before the first associations phase.
        r = self.residents
        cut = self.params.associations.volunteer_engagement_cut
        self.population = np.bincount(r.district, weights=r.occupied, minlength=nd) / self.scale
        self.volunteers = (
            np.bincount(r.district, weights=r.is_member & (r.engagement >= cut), minlength=nd)
            / self.scale
        )
        self.participation = np.zeros(nd)
        self.innovations = np.zeros(nd)
        self.commercial_value = np.zeros(nd)
        self.innovation_months: list[np.ndarray] = []
        self._partnerships_formed: dict[tuple[int, int], int] = {}
        self.program = ProgramYear(self)
        self.criteria_rows: list[dict[str, np.ndarray]] = []
        self.criteria_years: list[int] = []

    def form_partnership(self, d: int, matched: bool = False) -> Partnership | None:
        """Partner district ``d`` with a free outside actor drawn by interest; return the partnership or None."""
        free = [a for a in self.outside_actors if a.is_free]
        if not free:
            return None
        # A separate stream per district, month and partnership of that month (kick-off and spontaneous).
        n_before = self._partnerships_formed.get((d, self.month), 0)
        self._partnerships_formed[(d, self.month)] = n_before + 1
        rng = self.streams.get(f"partner.choice.{d}.{n_before}", self.month)
        w = np.array([a.interest for a in free]) + 1e-9
        actor = free[int(rng.choice(len(free), p=w / w.sum()))]
        part = Partnership(
            actor, d, self.month, self.month + self.params.partnerships.duration_months, matched
        )
        actor.partnerships.append(part)
        self.log_event(
            d,
            "partnership",
            f"{actor.kind} {actor.unique_id}" + (" (matchmaking)" if matched else ""),
            float(part.end_month),
        )
        return part

    def _initial_demand(self, vacancies: np.ndarray, n_sample: int = 20000) -> np.ndarray:
        """Return the demand ratio expected at the start (the logit's own equilibrium), as the zero of pressure.

        The city is taken to be in equilibrium at month 0: prices then move with
        demand relative to this baseline, not with how far the logit's shares
        differ from the scenario's settlement pattern. Expected first choices
        are logit probabilities summed over a sample of residents (weighted by
        their base move hazard; in-city searchers with the ``near`` term) and a
        sample of newcomers.
        """
        r = self.residents
        p = self.params
        rng = self.streams.get("init.demand")
        occupied = np.flatnonzero(r.occupied)
        sample = rng.choice(occupied, size=min(n_sample, occupied.size), replace=False)
        hazard = self.rates.h0[r.tenure[sample]].astype(float)
        leave = p.migration.share_leaving_city
        new_income = draw_incomes(
            rng, p.population.newcomer_income_median_eur, p.population.income_sigma, sample.size
        )
        new_orient = draw_orientation(
            rng,
            p.population.newcomer_orientation_mean,
            p.population.orientation_concentration,
            sample.size,
        )
        size = np.log(np.maximum(vacancies, 0.5))
        args = (self.reputation, self.liveability, self.log_price, self.creative.astype(float))
        v_search = reputation.utility(
            *args,
            np.log(r.income_eur[sample].astype(float)),
            r.orientation[sample].astype(float),
            p.attractiveness,
            self.rates.cost_per_eur_m2,
        )
        v_search += p.attractiveness.b_near * self.near[r.district[sample]] + size
        v_new = (
            reputation.utility(
                *args,
                np.log(new_income.astype(float)),
                new_orient.astype(float),
                p.attractiveness,
                self.rates.cost_per_eur_m2,
            )
            + size
        )
        weight_new = hazard.sum() * leave + self.rates.growth * sample.size
        expected = (hazard * (1 - leave)) @ reputation.logit_shares(
            v_search
        ) + weight_new * reputation.logit_shares(v_new).mean(axis=0)
        return housing.demand_ratio(expected, vacancies.astype(float))

    def _initial_reputation(self, events_per_year: np.ndarray) -> np.ndarray:
        """Return the reputation in equilibrium with the initial district state (spill-over solved by iteration)."""
        stat, achievement = self._status_and_achievement(
            events_per_year, np.full(self.n_districts, 0.04)
        )
        rep = np.full(self.n_districts, 0.5)
        for _ in range(200):
            rep = reputation.reputation_target(
                self.liveability,
                self.visibility,
                achievement,
                stat,
                reputation.neighbour_mean(rep, self.adjacency),
                self.params.reputation,
            )
        return rep

    def _status_and_achievement(
        self, events_per_year: np.ndarray, participation: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the social-mix status and the achievements (events, participation, local benefit) of each district.

        Also stores the residents' mean income per district (``self.mean_income``).
        """
        r = self.residents
        p = self.params
        income_sum = self.blocks.sum(r.income_eur, where=r.occupied)
        n_occ = self.blocks.count(r.occupied)
        self.mean_income = income_sum / np.maximum(n_occ, 1)
        stat = reputation.status(
            self.mean_income, income_sum.sum() / max(n_occ.sum(), 1), p.reputation.status_span
        )
        achievement = 0.5 * stocks.capped(
            events_per_year, p.identity.events_ref_per_year
        ) + 0.5 * stocks.capped(participation, p.identity.participation_ref)
        return stat, np.clip(achievement + self.local_benefit, 0.0, 1.0)

    def _rates(self) -> SimpleNamespace:
        """Convert every per-year rate and time constant to per month, once."""
        p = self.params
        m = p.migration
        return SimpleNamespace(
            eta_identity=time_constant_to_monthly_rate(p.identity.time_constant_months),
            eta_liveability=time_constant_to_monthly_rate(p.liveability.time_constant_months),
            eta_price=time_constant_to_monthly_rate(p.housing.price_time_constant_months),
            eta_pressure=time_constant_to_monthly_rate(p.housing.demand_smoothing_months),
            eta_reputation=half_life_to_monthly_rate(p.reputation.half_life_years),
            decay_public=half_life_to_monthly_rate(p.knowledge.half_life_public_years),
            decay_private=half_life_to_monthly_rate(p.knowledge.half_life_private_years),
            benefit_decay=half_life_to_monthly_rate(p.partnerships.benefit_half_life_years),
            h0=np.asarray(
                annual_probability_to_monthly_hazard(
                    [
                        m.move_rate_owner_per_year,
                        m.move_rate_private_per_year,
                        m.move_rate_social_per_year,
                    ]
                ),
                dtype=np.float32,
            ),
            p_member_exit=1.0 - (1.0 - p.associations.member_exit_per_year) ** (1 / 12)
            if p.associations.member_exit_per_year < 1
            else 1.0,
            omega=1.0 - (1.0 - p.associations.omega_per_year) ** (1 / 12),
            growth=np.log1p(m.population_growth_per_year) / 12.0,
            cost_per_eur_m2=p.housing.m2_per_person * p.housing.rent_yield_per_year,
            income_growth=np.float32((1.0 + p.population.income_growth_per_year) ** (1 / 12)),
            city_price_growth=np.log1p(p.housing.price_trend_per_year) / 12.0,
        )

    def log_event(
        self, district: int | None, kind: str, detail: str = "", value: float = float("nan")
    ) -> None:
        """Append an event (channel lapse, shock, mode transition, ...) to the event log."""
        self.event_log.append(
            {
                "month": self.month,
                "district": None if district is None else self.names[district],
                "event": kind,
                "detail": detail,
                "value": value,
            }
        )

    # ------------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one month through the phases of MODEL section 3.

        Phases, in this order:

        1. calendar: this month's stage of the innovation-platform program year;
        2. scheduled shocks and interventions take effect (:mod:`districtsim.interventions`);
        3. communication: channels, events and ties reach residents;
        4. mobilisation: reached residents take part by the threshold rule;
        5. associations: membership, volunteers, channel upkeep, events, orientation;
        6. partnerships with outside firms and research institutes; innovations;
        7. stocks: collective knowledge, competence network, identity, liveability;
        8. reputation and attractiveness;
        9. housing market: prices;
        10. migration of residents; entry and exit of local firms;
        11. operating mode of each district; data collection (and the criteria
            table at the end of each program year).
        """
        t = self.month
        self.interventions.before_calendar(t)
        self.program.step(t)
        self._shocks(t)
        self.interventions.step(t)
        self._communicate(t)
        self._mobilise(t)
        self._associations(t)
        self._partnerships(t)
        self._stocks()
        self._reputation()
        self._housing(t)
        self._migrate(t)
        self._firms(t)
        self._modes_and_record(t)
        self.month += 1
        if self.month >= self.horizon:
            self.running = False

    # ----------------------------------------------------------------- phases
    def _shocks(self, t: int) -> None:
        for shock in self.spec.shocks:
            if shock.month == t:
                for name in shock.districts:
                    d = self.names.index(name)
                    self.reputation[d] = float(
                        np.clip(self.reputation[d] + shock.reputation, 0.0, 1.0)
                    )
                    self.log_event(d, "shock", "reputation", shock.reputation)

    def _communicate(self, t: int) -> None:
        r = self.residents
        c = self.params.communication
        nd = self.n_districts
        organisers = [x for x in self.all_associations if x.event_next_month]
        for x in self.all_associations:
            x.event_now = x.event_next_month
        where = np.array([x.district for x in organisers], dtype=np.intp)
        n_org = np.bincount(where, minlength=nd)
        self.event_now = n_org > 0
        # Several events in a month: the pull uses the organisers' mean orientation; the reach is creative if any organiser is.
        with np.errstate(invalid="ignore"):
            self.event_orientation = (
                np.bincount(where, weights=[x.orientation for x in organisers], minlength=nd)
                / n_org
            )
        self.event_creative = (
            np.bincount(where, weights=[x.is_creative for x in organisers], minlength=nd) > 0
        )
        self.creative = np.array([a.is_creative for a in self.associations])
        self.active_channels = self._district_channels()
        self.coverage, reach_d, self.visibility = communication.district_reach(
            self.active_channels, c, self.event_now, self.event_creative
        )
        r.was_active, r.is_active = r.is_active, r.was_active
        self.tie_counts = n_active_ties, _ = self.ties.tie_counts(r.was_active, r.occupied)
        # The reach probability depends only on the district and the (integer) number of active ties.
        table = communication.resident_reach_probability(
            reach_d.astype(np.float32)[:, None],
            np.arange(self.ties.k + 1, dtype=np.float32),
            c.q_tie,
        )
        p = np.take(table.ravel(), np.add(self._reach_index, n_active_ties, out=self._reach_buffer))
        self.reached = r.occupied & (
            self.streams.get("communication", t).random(r.n, dtype=np.float32) < p
        )

    def _mobilise(self, t: int) -> None:
        r = self.residents
        m = self.params.mobilisation
        u = self.streams.get("mobilisation", t).random(r.n, dtype=np.float32)
        # Only reached residents can take part: evaluate the rule for them alone (a draw per place keeps draws aligned with places).
        idx = np.flatnonzero(self.reached)
        d = r.district[idx].astype(np.intp)
        orient = np.nan_to_num(self.event_orientation).astype(np.float32)
        motiv = mobilisation.motivation(
            self.identity.astype(np.float32)[d],
            r.engagement[idx],
            r.months_in_district[idx].astype(np.float32),
            m,
        )
        pull = mobilisation.event_pull(r.orientation[idx], orient[d]) * self.event_now[d]
        n_active_ties, n_occupied_ties = self.tie_counts
        share = n_active_ties[idx].astype(np.float32) / np.maximum(n_occupied_ties[idx], 1).astype(
            np.float32
        )
        p = mobilisation.participation_probability(motiv, share, pull, r.theta[idx], m)
        r.is_active[:] = False
        r.is_active[idx[u[idx] < p]] = True

    def _associations(self, t: int) -> None:
        r = self.residents
        a = self.params.associations
        nd = self.n_districts
        rng = self.streams.get("associations", t)
        # One draw per place serves both decisions: members may leave, active non-members may join (disjoint sets).
        u = rng.random(r.n, dtype=np.float32)
        member = r.is_member
        join = np.flatnonzero(r.is_active & ~member & (u < a.p_join_per_month))
        r.member_of[(member & (u < self.rates.p_member_exit)) | ~r.occupied] = -1
        r.member_of[join] = self._choose_association(join, rng)
        # Counts per association: key = district * slots + slot (bincount over members only).
        n_slots = self._assoc_weight.shape[1]
        mem = np.flatnonzero(r.is_member)
        key = r.district[mem].astype(np.intp) * n_slots + r.member_of[mem]
        size = nd * n_slots
        vol = r.engagement[mem] >= a.volunteer_engagement_cut
        act = r.is_active[mem]
        volunteers = np.bincount(key, weights=vol, minlength=size) / self.scale
        members = np.bincount(key, minlength=size) / self.scale
        n_am = np.bincount(key, weights=act, minlength=size)
        orient_am = np.bincount(key, weights=act * r.orientation[mem], minlength=size)
        self.volunteers = volunteers.reshape(nd, n_slots).sum(axis=1)
        self.members = members.reshape(nd, n_slots).sum(axis=1)
        n_am_d = n_am.reshape(nd, n_slots).sum(axis=1)
        self.active_members = n_am_d / self.scale
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_own = orient_am / n_am
            mean_district = orient_am.reshape(nd, n_slots).sum(axis=1) / n_am_d
        u_event = rng.random(len(self.all_associations))
        hours = volunteers * a.hours_per_volunteer
        staff_hours = self.program.staff_persons * self.program.settings.hours_per_staff_person
        for i, x in enumerate(self.all_associations):
            k = x.district * n_slots + x.slot
            x.members, x.volunteers, x.active_members = (
                members[k],
                volunteers[k],
                n_am[k] / self.scale,
            )
            h = hours[k] + (staff_hours[x.district] if x.is_lead else 0.0)
            left = x.run_channels(h - (a.event_hours if x.event_now else 0.0))
            x.plan_event(left, t, u_event[i])
            # The lead federates the district's organised residents: it follows all active members; the others their own.
            x.drift(mean_district[x.district] if x.is_lead else mean_own[k])
        self.events_hist[t % 12] = self.event_now
        self._build_event_ties(rng)

    def _build_event_ties(self, rng: np.random.Generator) -> None:
        """Creative events build ties between attendees (MODEL 5.3)."""
        r = self.residents
        festive = self.event_now & self.event_creative
        if not festive.any():
            return
        attendees = np.flatnonzero(r.is_active & self.blocks.spread(festive, bool))
        if attendees.size < 2:
            return
        chosen = attendees[
            rng.random(attendees.size) < self.params.associations.tie_building_per_event
        ]
        d_att = r.district[attendees]
        start = np.searchsorted(d_att, np.arange(self.n_districts))
        count = np.bincount(d_att, minlength=self.n_districts)
        dc = r.district[chosen]
        target = attendees[start[dc] + (rng.random(chosen.size) * count[dc]).astype(np.int64)]
        self.ties.connect(chosen, target, rng)

    def _partnerships(self, t: int) -> None:
        """Partnerships end and form; innovations arrive and add local benefit (MODEL 5.5)."""
        pp = self.params.partnerships
        nd = self.n_districts
        for actor in self.outside_actors:
            for ended in actor.end_partnerships(t):
                self.log_event(ended.district, "partnership_end", f"{actor.kind} {actor.unique_id}")
        k_total = self.k_public + self.k_private
        k_norm = partnerships.saturating(k_total, pp.knowledge_half_saturation)
        rate = partnerships.partnership_rate(self.visibility, k_norm, self.program.legacy, pp)
        u = self.streams.get("partnerships", t).random(nd)
        for d in np.flatnonzero(u < -np.expm1(-rate)):
            self.form_partnership(int(d))
        self.partners = np.bincount(
            [pt.district for a in self.outside_actors for pt in a.partnerships], minlength=nd
        ).astype(float)
        self.partners_local = self._local_partnerships(t, k_norm)
        c_norm = partnerships.saturating(
            self.competence_inside + self.competence_outside, pp.competence_half_saturation
        )
        codes = np.array([MODE_CODES[m] for m in self._current_modes()])
        lam = partnerships.innovation_rate(
            k_norm,
            c_norm,
            self.partners + self.partners_local,
            partnerships.mode_multiplier(codes, pp, self.program.legacy),
            self.program.efficiency,
            self.program.grant_factor,
            pp,
        )
        rng = self.streams.get("innovations", t)
        self.innovations = rng.poisson(lam).astype(float)
        values = partnerships.draw_values(rng, int(self.innovations.sum()), pp)
        owner = np.repeat(np.arange(nd), self.innovations.astype(np.int64))
        self.commercial_value = np.bincount(owner, weights=values, minlength=nd)
        for d, v in zip(owner, values, strict=True):
            self.log_event(int(d), "innovation", "commercial value EUR", float(v))
        self.program.innovations_year += self.innovations
        self.innovation_months.append(self.innovations)
        self.local_benefit = (
            self.local_benefit * (1.0 - self.rates.benefit_decay)
            + pp.benefit_per_innovation * self.innovations
        )

    def _local_partnerships(self, t: int, k_norm: np.ndarray) -> np.ndarray:
        """End and start local firms' partnerships with their districts; return the running ones per district."""
        pp = self.params.partnerships
        nd = self.n_districts
        # The firms in a partnership are few: they are tracked in a list, so only those agents are read.
        for firm in [x for x in self.partnered_firms if x.partnership_end <= t]:
            firm.partnership_end = None
            self.partnered_firms.remove(firm)
            self.log_event(firm.district, "partnership_end", f"local_firm {firm.unique_id}")
        district = self._firm_district
        hazard = local_partnership_hazard(
            self._firm_interest,
            k_norm[district],
            self.program.legacy[district],
            self.params.firms,
            pp.platform_multiplier,
        )
        u = self.streams.get("partnerships.local", t).random(len(self.firms))
        for i in np.flatnonzero(u < -np.expm1(-hazard)):
            firm = self.firms[i]
            if firm.is_free:
                firm.partnership_end = t + pp.duration_months
                self.partnered_firms.append(firm)
                self.log_event(
                    firm.district,
                    "partnership",
                    f"local_firm {firm.unique_id}",
                    float(firm.partnership_end),
                )
        return np.bincount([x.district for x in self.partnered_firms], minlength=nd).astype(float)

    def _stocks(self) -> None:
        r = self.residents
        p = self.params
        pop_sim = self.blocks.count(r.occupied)
        self.population = pop_sim / self.scale
        n_active = self.blocks.count(r.is_active)
        self.participation = n_active / np.maximum(pop_sim, 1)
        self.active_persons = n_active / self.scale
        web = (
            self.active_channels[:, CHANNELS.index("website")]
            | self.active_channels[:, CHANNELS.index("social_media")]
        )
        public_share = np.where(web, p.knowledge.public_share_web, p.knowledge.public_share_none)
        self.k_public, self.k_private = stocks.knowledge_update(
            self.k_public,
            self.k_private,
            self.active_persons,
            public_share,
            p.knowledge,
            self.rates.decay_public,
            self.rates.decay_private,
        )
        active_competent = r.is_active & r.is_competent
        self.competence_inside = self.blocks.count(active_competent) / self.scale
        self.competence_outside = (
            self._outside_competence(active_competent)
            + self.partners * self.params.partnerships.experts_per_partnership
        )
        events_year = self.events_hist.sum(axis=0).astype(float)
        self.events_year = events_year
        self.identity = stocks.relax(
            self.identity,
            stocks.identity_target(self.coverage, self.participation, events_year, p.identity),
            self.rates.eta_identity,
        )
        built = self.blocks.count(r.built_month <= self.month)
        self.built_places = built
        pop = np.maximum(self.population, 1.0)
        target = stocks.liveability_target(
            self.amenity,
            self.meeting_places / (pop / 1e4),
            events_year,
            self.local_firms / (pop / 1e3),
            self.local_benefit,
            pop_sim / np.maximum(built, 1),
            p.liveability,
            p.identity.events_ref_per_year,
        )
        self.liveability = stocks.relax(self.liveability, target, self.rates.eta_liveability)

    def _outside_competence(self, active_competent: np.ndarray) -> np.ndarray:
        """Count distinct active competent people in other districts tied to the district's active residents."""
        r = self.residents
        src = np.flatnonzero(r.is_active)
        if src.size == 0:
            return np.zeros(self.n_districts)
        partners = np.take(self.ties.partners, src, axis=0)
        # Few ties point to active competent people: find those first, then keep the ones across a district border.
        row, col = np.nonzero(active_competent[partners])
        target = partners[row, col]
        home = r.district[src[row]].astype(np.int64)
        cross = r.district[target] != home
        pairs = np.unique(home[cross] * r.n + target[cross])
        return np.bincount(pairs // r.n, minlength=self.n_districts) / self.scale

    def _reputation(self) -> None:
        p = self.params
        stat, achievement = self._status_and_achievement(self.events_year, self.participation)
        nbr = reputation.neighbour_mean(self.reputation, self.adjacency)
        target = reputation.reputation_target(
            self.liveability, self.visibility, achievement, stat, nbr, p.reputation
        )
        self.reputation = stocks.relax(self.reputation, target, self.rates.eta_reputation)
        # Attractiveness index: logit share for a reference mover relative to size (1 = average).
        v = reputation.utility(
            self.reputation,
            self.liveability,
            self.log_price,
            self.creative.astype(float),
            np.log([p.population.income_median_eur * self.income_index]),
            np.array([0.5]),
            p.attractiveness,
            self.rates.cost_per_eur_m2,
        )[0]
        size = np.maximum(self.built_places, 1)
        share = reputation.logit_shares(v + np.log(size))
        self.attractiveness = share / (size / size.sum())

    def _housing(self, t: int) -> None:
        h = self.params.housing
        log_city = self.log_city_price0 + self.rates.city_price_growth * t
        target = (
            housing.log_price_target(
                log_city,
                self.reputation,
                self.liveability,
                self.pressure,
                np.maximum(self.population, 1),
                h,
            )
            + self.price_fixed_effect
        )
        self.log_price = stocks.relax(self.log_price, target, self.rates.eta_price)

    def _migrate(self, t: int) -> None:
        r = self.residents
        p = self.params
        m = p.migration
        nd = self.n_districts
        rng = self.streams.get("migration", t)
        # Incomes grow with the wage trend (nominal EUR, like prices).
        r.income_eur *= self.rates.income_growth
        self.income_index = float(self.rates.income_growth) ** (t + 1)
        price = np.exp(self.log_price).astype(np.float32)
        occ = r.occupied
        r.months_in_district += occ
        alpha = (m.alpha_attachment, m.alpha_identity, m.alpha_liveability, m.alpha_burden)
        identity = self.identity.astype(np.float32)
        l_gap = (
            np.average(self.liveability, weights=np.maximum(self.population, 1)) - self.liveability
        ).astype(np.float32)
        u = rng.random(r.n, dtype=np.float32)
        price_now = self.blocks.spread(price)
        cap = self.interventions.rent_rise_cap_per_year()
        if cap is not None:
            # A cap on rent rises: a private renter's cost follows the price only up to the capped rise since moving in.
            capped = np.flatnonzero(
                r.occupied & (r.tenure == PRIVATE) & np.isfinite(cap)[r.district]
            )
            ceiling = r.price_ref_eur_m2[capped] * np.exp(
                np.log1p(cap[r.district[capped]]) * r.months_in_district[capped] / 12.0
            )
            price_now[capped] = np.minimum(price_now[capped], ceiling.astype(np.float32))
        excess = housing.burden_given_tenure_terms(
            price_now, r.price_ref_eur_m2, *self._tenure_terms, r.income_eur, p.housing
        )
        excess -= np.float32(m.burden_cap)
        np.maximum(excess, np.float32(0.0), out=excess)
        # Exact shortcut: P(move) = 1 - exp(-h) <= h <= bound * exp(alpha_B * excess), so only residents with burden excess
        # or a draw below the bound can move; the hazard (float32) is evaluated for them alone.
        bound = np.take(
            hazard_bound(self.rates.h0, identity, l_gap, alpha).ravel(), self._tenure_district
        )
        cand = np.flatnonzero(occ & ((u < bound) | (excess > 0)))
        d_c = r.district[cand].astype(np.intp)
        attach = np.minimum(
            r.months_in_district[cand].astype(np.float32)
            / np.float32(p.mobilisation.attachment_months),
            np.float32(1.0),
        )
        base, with_l, total = hazard_terms(
            self.rates.h0[r.tenure[cand]], attach, identity[d_c], l_gap[d_c], excess[cand], alpha
        )
        u_c = u[cand]
        below = np.flatnonzero(
            u_c < total
        )  # again 1 - exp(-h) <= h: expm1 only where it can matter
        is_moving = below[u_c[below] < -np.expm1(-total[below])]
        moving = cand[is_moving]
        cause = np.full(r.n, -1, dtype=np.int8)
        cause[moving] = attribute_causes(
            base[is_moving], with_l[is_moving], total[is_moving], rng.random(moving.size)
        )
        leave_city = rng.random(moving.size, dtype=np.float32) < m.share_leaving_city
        leavers = moving[leave_city]
        searchers = moving[~leave_city]
        flows = {
            k: np.zeros(nd)
            for k in (
                "in",
                "in_outside",
                "out",
                "out_outside",
                "within",
                *(f"out_{c}" for c in CAUSES),
            )
        }
        by_tenure = np.zeros(
            (2, len(TENURES), nd)
        )  # moves out, and those attributed to housing burden, by the mover's tenure
        flows["out_outside"] += np.bincount(r.district[leavers], minlength=nd)
        for ci, cname in enumerate(CAUSES):
            flows[f"out_{cname}"] += np.bincount(
                r.district[leavers[cause[leavers] == ci]], minlength=nd
            )
        r.reset_occupants(leavers)

        # Newcomers from outside the city.
        # Newcomers replace those who left the city, plus the city's growth (MODEL 5.12).
        growth = self.rates.growth * occ.sum()
        n_new = (
            int(leavers.size + rng.poisson(growth))
            if growth >= 0
            else int(rng.binomial(leavers.size, max(0.0, 1.0 + growth / max(leavers.size, 1))))
        )
        new_income = draw_incomes(
            rng,
            p.population.newcomer_income_median_eur * self.income_index,
            p.population.income_sigma,
            n_new,
        )
        new_orient = draw_orientation(
            rng,
            p.population.newcomer_orientation_mean,
            p.population.orientation_concentration,
            n_new,
        )
        log_income = np.log(np.concatenate([r.income_eur[searchers], new_income]).astype(float))
        orient = np.concatenate([r.orientation[searchers], new_orient]).astype(float)
        v = reputation.utility(
            self.reputation,
            self.liveability,
            self.log_price,
            self.creative.astype(float),
            log_income,
            orient,
            p.attractiveness,
            self.rates.cost_per_eur_m2,
        )
        v[: searchers.size] += p.attractiveness.b_near * self.near[r.district[searchers]]
        vacant = np.flatnonzero(~r.occupied & (r.built_month <= t))
        vacancies = np.bincount(r.district[vacant], minlength=nd)
        dest, first = allocate(v, vacancies, rng)
        # Smooth the counts, then take the ratio: the log of monthly small counts is biased at small scale.
        self.first_choices = stocks.relax(self.first_choices, first, self.rates.eta_pressure)
        self.vacancy_supply = stocks.relax(
            self.vacancy_supply, vacancies.astype(float), self.rates.eta_pressure
        )
        pressure = (
            housing.demand_ratio(self.first_choices, self.vacancy_supply) - self.demand_baseline
        )
        # Relative demand only: the city-wide level follows the city trend.
        self.pressure = pressure - np.average(pressure, weights=np.maximum(self.population, 1))

        # Assign places: a random vacant place in the chosen district.
        placed = np.flatnonzero(dest >= 0)
        # A random order of each district's vacancies (vacant is sorted by place, so grouped by district).
        key = rng.random(vacant.size)
        vstart = np.searchsorted(r.district[vacant], np.arange(nd + 1))
        vac_sorted = vacant[
            np.concatenate(
                [
                    lo + np.argsort(key[lo:hi])
                    for lo, hi in zip(vstart[:-1], vstart[1:], strict=True)
                ]
            )
        ]
        order = placed[np.argsort(dest[placed], kind="stable")]
        dsorted = dest[order]
        rank = np.arange(order.size) - np.searchsorted(dsorted, dsorted)
        slots = vac_sorted[vstart[dsorted] + rank]
        is_mover = order < searchers.size
        old = searchers[order[is_mover]]
        new_m = slots[is_mover]
        same = r.district[old] == r.district[new_m]
        for arr in (r.income_eur, r.engagement, r.orientation, r.theta, r.is_competent):
            arr[new_m] = arr[old]
        r.months_in_district[new_m] = np.where(same, r.months_in_district[old], 0)
        # A move inside the district keeps the membership if the new place's tenure may join (housing companies: not private renters).
        keep = (
            same
            & (r.member_of[old] >= 0)
            & self._assoc_eligible[
                r.district[new_m], np.maximum(r.member_of[old], 0), r.tenure[new_m]
            ]
        )
        r.member_of[new_m] = np.where(keep, r.member_of[old], -1)
        r.occupied[new_m] = True
        moved_out = old[~same]
        flows["within"] += np.bincount(r.district[old[same]], minlength=nd)
        flows["in"] += np.bincount(r.district[new_m[~same]], minlength=nd)
        for ci, cname in enumerate(CAUSES):
            flows[f"out_{cname}"] += np.bincount(
                r.district[moved_out[cause[moved_out] == ci]], minlength=nd
            )
        displaced = int((cause[leavers] == 2).sum() + (cause[moved_out] == 2).sum())
        for gone in (leavers, moved_out):
            key = r.tenure[gone].astype(np.intp) * nd + r.district[gone]
            by_tenure[0] += np.bincount(key, minlength=len(TENURES) * nd).reshape(len(TENURES), nd)
            by_tenure[1] += np.bincount(
                key[cause[gone] == CAUSES.index("burden")], minlength=len(TENURES) * nd
            ).reshape(len(TENURES), nd)
        flows["out"] += np.bincount(r.district[moved_out], minlength=nd)
        r.reset_occupants(old)

        k = order[~is_mover] - searchers.size
        new_s = slots[~is_mover]
        r.income_eur[new_s] = new_income[k]
        r.orientation[new_s] = new_orient[k]
        r.engagement[new_s] = draw_engagement(rng, p, r.tenure[new_s])
        r.theta[new_s] = draw_theta(rng, p, new_s.size)
        r.is_competent[new_s] = rng.random(new_s.size) < p.population.p_competent
        r.months_in_district[new_s] = 0
        r.member_of[new_s] = -1
        r.occupied[new_s] = True
        flows["in"] += np.bincount(r.district[new_s], minlength=nd)
        flows["in_outside"] += np.bincount(r.district[new_s], minlength=nd)
        flows["out"] += flows["out_outside"]

        arrivals = np.concatenate([new_m, new_s])
        r.price_ref_eur_m2[arrivals] = price[r.district[arrivals]]
        r.is_active[arrivals] = False
        r.was_active[arrivals] = False
        self.ties.rewire(arrivals, rng)
        for i, tenure in enumerate(TENURES):
            flows[f"out_{tenure}"], flows[f"out_burden_{tenure}"] = by_tenure[0, i], by_tenure[1, i]
        self._flows = {k: v / self.scale for k, v in flows.items()}
        self._displaced = displaced / self.scale

    def _firms(self, t: int) -> None:
        """Local firms exit and enter (MODEL 5.8); an exiting firm ends its partnership."""
        f = self.params.firms
        nd = self.n_districts
        rng = self.streams.get("firms", t)
        attr = np.maximum(self.attractiveness, 1e-6)
        entry_rate = (
            f.initial_per_1000
            * f.exit_per_year
            / 12.0
            * (self.population / 1000.0)
            * attr**f.elasticity_attractiveness
        )
        exit_p = np.clip(f.exit_per_year / 12.0 * attr ** (-f.elasticity_attractiveness), 0.0, 1.0)
        exits = rng.random(len(self.firms)) < exit_p[self._firm_district]
        for i in np.flatnonzero(exits):
            firm = self.firms[i]
            if not firm.is_free:
                self.partnered_firms.remove(firm)
                self.log_event(
                    firm.district, "partnership_end", f"local_firm {firm.unique_id} (firm closed)"
                )
            firm.remove()
        n_new = rng.poisson(entry_rate)
        district = np.repeat(np.arange(nd), n_new)
        interest = draw_interest(rng, f, int(n_new.sum()))
        new = np.array(
            [LocalFirm(self, d, i, t) for d, i in zip(district, interest, strict=True)] + [None]
        )[:-1]
        self.firms = np.concatenate([self.firms[~exits], new])
        self._firm_district = np.concatenate([self._firm_district[~exits], district])
        self._firm_interest = np.concatenate([self._firm_interest[~exits], interest])
        self.local_firms = np.bincount(self._firm_district, minlength=nd).astype(np.int64)

    def _current_modes(self) -> list[str]:
        """Return each district's operating mode now (MODEL 5.11).

        Traditional below the orientation cut, creative above it, innovation
        platform when creative and holding platform status or a record of
        ``platform_record_innovations`` innovations in the last 36 months.
        """
        record = (
            np.sum(self.innovation_months[-36:], axis=0)
            if self.innovation_months
            else np.zeros(self.n_districts)
        )
        out = []
        for a in self.associations:
            platform = a.is_creative and (
                self.program.is_platform[a.district]
                or record[a.district] >= self.params.partnerships.platform_record_innovations
            )
            out.append(
                "innovation_platform"
                if platform
                else "creative"
                if a.is_creative
                else "traditional"
            )
        return out

    def _modes_and_record(self, t: int) -> None:
        pp = self.params.partnerships
        for a, new in zip(self.associations, self._current_modes(), strict=True):
            if new != self.mode[a.district]:
                self.log_event(
                    a.district, "mode_transition", f"{self.mode[a.district]}->{new}", a.orientation
                )
                self.mode[a.district] = new
        r = self.residents
        ppd = self.params.housing.persons_per_dwelling
        pop_sim = self.blocks.count(r.occupied)
        months_sum = self.blocks.sum(r.months_in_district, where=r.occupied)
        f = self._flows
        values = {
            "population": pop_sim / self.scale,
            "dwellings": self.built_places / (self.scale * ppd),
            "vacancies": (self.built_places - pop_sim) / (self.scale * ppd),
            "price_eur_m2": np.exp(self.log_price),
            "identity": self.identity,
            "liveability": self.liveability,
            "reputation": self.reputation,
            "attractiveness": self.attractiveness,
            "participation_rate": self.participation,
            "active_persons": self.active_persons,
            "members_persons": self.members,
            "active_members_persons": self.active_members,
            "volunteers_persons": self.volunteers,
            "channel_coverage": self.coverage,
            "n_channels": self.active_channels.sum(axis=1),
            "outside_visibility": self.visibility,
            "events": self.event_now.astype(float),
            "collective_knowledge_person_months": self.k_public + self.k_private,
            "knowledge_public_share": self.k_public
            / np.maximum(self.k_public + self.k_private, 1e-12),
            "competence_inside_persons": self.competence_inside,
            "competence_outside_persons": self.competence_outside,
            "moves_in_persons": f["in"],
            "moves_in_from_outside_persons": f["in_outside"],
            "moves_out_persons": f["out"],
            "moves_out_to_outside_persons": f["out_outside"],
            "moves_out_burden_persons": f["out_burden"],
            "moves_out_liveability_persons": f["out_liveability"],
            "moves_out_other_persons": f["out_other"],
            **{
                f"moves_out_{k}{t}_persons": f[f"out_{k}{t}"]
                for k in ("", "burden_")
                for t in TENURES
            },
            "moves_within_persons": f["within"],
            "mean_income_eur": self.mean_income,
            "months_in_district_mean": months_sum / np.maximum(pop_sim, 1),
            "local_firms": self.local_firms.astype(float),
            "local_firms_developing": np.bincount(
                self._firm_district[self._firm_interest >= 0.5], minlength=self.n_districts
            ).astype(float),
            "association_orientation": np.array([a.orientation for a in self.associations]),
            **self._kind_columns(),
            "partners": self.partners,
            "partners_local": self.partners_local,
            "external_persons": self.partners * pp.experts_per_partnership,
            "external_eur": self.partners * pp.eur_per_partnership_per_year / 12.0,
            "innovations": self.innovations,
            "commercial_value_eur": self.commercial_value,
            "local_benefit": self.local_benefit,
            "is_platform": self.program.is_platform.astype(float),
            "public_support_persons": self.program.staff_persons,
            "public_support_eur": self.program.grant_eur / 12.0,
        }
        self.recorder.record(t, values, list(self.mode), self._displaced)
        if is_year_end(t):
            self.criteria_rows.append(criteria(self.recorder.data, slice(max(t - 11, 0), t + 1)))
            self.criteria_years.append(program_year(t))

    def _kind_columns(self) -> dict[str, np.ndarray]:
        """Return members per association kind and the developer network's orientation (NaN where none) per district."""
        nd = self.n_districts
        out = {f"members_{kind}_persons": np.zeros(nd) for kind in ASSOCIATION_KINDS}
        dev = np.full(nd, np.nan)
        for x in self.all_associations:
            out[f"members_{x.kind}_persons"][x.district] += x.members
            if x.kind == "developer_network":
                dev[x.district] = x.orientation
        out["developer_network_orientation"] = dev
        return out

    def criteria_table(self) -> pd.DataFrame:
        """Return the criteria table (one row per district and completed program year, MODEL 5.10)."""
        return criteria_frame(self.criteria_rows, self.criteria_years, self.names)
