"""The readable per-agent version of the resident rules, for students and for docking.

Runs never use this module. The engine (:class:`~districtsim.model.DistrictModel`) keeps
residents as arrays over places and applies each rule to all of them at once. Here every
person is a :class:`Resident` (a ``mesa.Agent``) deciding for themself, with scalar
arithmetic and one random draw per decision, so that each method reads as the rule of
``docs/ODD.md`` it cites (7.2 reach, 7.3 threshold, 7.4 membership, 7.7 and 7.9 moves and
location choice). The formulas are written again, not taken from the engine's vectorised
helpers. :class:`ReferenceModel` builds the engine's city and runs the engine's monthly
ledger with the resident halves done by the agents; the district phases are the engine's.
``tests/test_reference.py`` docks the two (the same distributions of participation, members,
moves and prices over replicates); ``docs/reference.md`` reads them side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from districtsim import communication, housing, modes, partnerships, recording, reputation, stocks
from districtsim.districts import MOVE_FLOWS
from districtsim.migration import update_pressure
from districtsim.model import DistrictModel
from districtsim.orgs import associations, firms
from districtsim.residents import OWNER, PRIVATE, SOCIAL, TENURES
from districtsim.scenario import Scenario

ALLOCATION_ROUNDS = 4
"""Rounds of location choice before an unplaced chooser gives up (ODD 7.9)."""

READ_BY_DISTRICT_PHASES: tuple[str, ...] = (
    "income_eur",  # reputation (status), recording
    "engagement",  # associations (volunteers)
    "orientation",  # associations (drift)
    "months_in_district",  # recording
    "is_competent",  # stocks (competence network)
    "member_of",  # associations
    "is_active",  # associations, stocks
)
"""The residents' state the engine's district phases read from the per-place arrays."""


def sigmoid(z: float) -> float:
    """Return ``1 / (1 + e^-z)`` without overflow."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass
class CivicMonth:
    """What residents know of their district in phases 3-5 of a month (lists by district)."""

    reach: list[float]  # r_d of channels, events and background (ODD 7.2)
    identity: list[float]  # at the start of the month (7.3)
    event_orientation: list[float | None]  # the organisers' mean orientation; None: no event
    rng: np.random.Generator  # the month's stream for the residents' draws


@dataclass
class Market:
    """What movers know of the districts in phase 10 of a month (lists by district)."""

    price: list[float]  # EUR/m2 after this month's update (ODD 7.8)
    identity: list[float]
    liveability: list[float]
    reputation: list[float]
    liveability_gap: list[float]  # mean L - L_d, the mean weighted by population (7.9)
    creative: list[float]  # 1.0 if the lead association is creative (7.7)
    constant: list[float]  # the location constant k_d (7.7)
    log_mean_income: list[float]  # ln of the residents' mean income (homophily, 7.7)
    rent_cap: list[float] | None  # rent-rise cap per year of private renters (inf: none)


class Resident(mesa.Agent):
    """One person, living in one place of one district (ODD 2.4), deciding by the rules of 7.

    Args:
        model: The reference model.
        income_eur: Income (EUR/year).
        engagement: Civic engagement 0..1 (a newcomer's before the owner bonus of the place).
        orientation: Future orientation 0..1.
        theta: Participation threshold.
        is_competent: Has skills a development network can use.
    """

    def __init__(
        self,
        model: ReferenceModel,
        income_eur: float,
        engagement: float,
        orientation: float,
        theta: float = 0.0,
        is_competent: bool = False,
    ) -> None:
        super().__init__(model)
        self.income_eur = income_eur
        self.engagement = engagement
        self.orientation = orientation
        self.theta = theta
        self.is_competent = is_competent
        self.place = -1  # no place yet (a newcomer choosing a district)
        self.district = -1
        self.tenure = -1  # the tenure of the place (fixed per place)
        self.months_in_district = 0
        self.price_ref_eur_m2 = 0.0
        self.member_of = -1  # slot of the association in the district, -1 = none
        self.was_active = self.is_active = self.is_reached = False
        self.n_active_ties = self.n_occupied_ties = 0
        self.move_cause: str | None = None
        self.leaves_city = False
        self.utilities: list[float] = []  # of each district, without size term and noise (7.7)

    @classmethod
    def newcomer(cls, model: ReferenceModel, rng: np.random.Generator) -> Resident:
        """Return a newcomer from outside the city, not yet placed (ODD 7.9).

        Income lognormal around the newcomers' median times the income index; orientation
        Beta with the newcomers' mean; engagement Beta before the owner bonus of the place.
        """
        pop = model.params.population
        median = pop.newcomer_income_median_eur * model.income_index
        mean = min(max(pop.newcomer_orientation_mean, 0.01), 0.99)
        c = pop.orientation_concentration
        return cls(
            model,
            income_eur=median * math.exp(pop.income_sigma * rng.standard_normal()),
            orientation=float(rng.beta(mean * c, (1.0 - mean) * c)),
            engagement=float(rng.beta(pop.engagement_a, pop.engagement_b)),
        )

    def occupy(self, place: int) -> None:
        """Live in ``place``: take its district and tenure."""
        self.place = place
        self.district = self.model.place_district[place]
        self.tenure = self.model.place_tenure[place]
        self.model.occupant[place] = self

    def step(self) -> None:
        """The civic month: hear (ODD 7.2), take part (7.3), leave or join an association (7.4)."""
        month = self.model.civic
        d = self.district
        self.hear(month.reach[d], month.rng)
        self.take_part(month.identity[d], month.event_orientation[d], month.rng)
        self.update_membership(month.rng)

    def hear(self, reach: float, rng: np.random.Generator) -> None:
        """ODD 7.2: reached with ``p = 1 - (1 - r_d) (1 - q_tie)^n``.

        ``n`` counts my ties to places whose occupant was active last month; a tie to a vacant
        place is dormant (2.5). I also count my ties to occupied places (the share of 7.3).
        """
        n_active = self.count_ties()
        q_tie = self.model.params.communication.q_tie
        p = 1.0 - (1.0 - reach) * (1.0 - q_tie) ** n_active
        self.is_reached = rng.random() < p

    def count_ties(self) -> int:
        """Count my ties to occupied places and to those active last month; return the latter.

        Also kept as ``n_occupied_ties`` and ``n_active_ties`` (the share of ODD 7.3).
        """
        n_active = n_occupied = 0
        for place in self.model.ties.partners[self.place].tolist():
            other = self.model.occupant[place]
            if other is not None:
                n_occupied += 1
                n_active += other.was_active
        self.n_active_ties, self.n_occupied_ties = n_active, n_occupied
        return n_active

    def take_part(
        self, identity: float, event_orientation: float | None, rng: np.random.Generator
    ) -> None:
        """ODD 7.3: if reached, take part with ``sigmoid((M + b_s s + b_ev w - theta) / tau)``.

        ``M = a_I I_d + a_e engagement + a_t min(months / T_att, 1)``; ``s`` the share of my
        ties to occupied places that were active last month; ``w = 1 - |orientation -
        orientation of the event|`` in an event month, else 0.
        """
        self.is_active = False
        if not self.is_reached:
            return
        m = self.model.params.mobilisation
        attachment = min(self.months_in_district / m.attachment_months, 1.0)
        motivation = (
            m.a_identity * identity + m.a_engagement * self.engagement + m.a_tenure * attachment
        )
        share = self.n_active_ties / self.n_occupied_ties if self.n_occupied_ties else 0.0
        pull = 0.0 if event_orientation is None else 1.0 - abs(self.orientation - event_orientation)
        z = (motivation + m.b_social * share + m.b_event * pull - self.theta) / m.tau
        self.is_active = rng.random() < sigmoid(z)

    def update_membership(self, rng: np.random.Generator) -> None:
        """ODD 7.4, step 1: a member leaves with the monthly exit probability; a non-member joins.

        A non-member joins with ``p_join`` if active this month, plus ``p_join_reached *
        engagement`` if reached this month.
        """
        a = self.model.params.associations
        u = rng.random()
        if self.member_of >= 0:
            if u < self.model.rates.p_member_exit:
                self.member_of = -1
            return
        p_join = a.p_join_per_month if self.is_active else 0.0
        if self.is_reached:
            p_join += a.p_join_reached_per_month * self.engagement
        if u < p_join:
            self.member_of = self.choose_association(rng)

    def choose_association(self, rng: np.random.Generator) -> int:
        """ODD 7.4, step 2: return the slot of an association of my district.

        Chosen with weight ``join weight x eligible(my tenure) x (1 - |my orientation - its
        orientation|)``; the lead if every weight is 0.
        """
        options = self.model.district_associations[self.district]
        weights = [
            x.join_weight * x.eligible[self.tenure] * (1.0 - abs(self.orientation - x.orientation))
            for x in options
        ]
        total = sum(weights)
        if total <= 0:
            return self.model.associations[self.district].slot
        u = rng.random() * total
        for x, w in zip(options, weights, strict=True):
            if u < w:
                return x.slot
            u -= w
        return options[-1].slot  # u within rounding of the total

    def age_a_month(self, income_growth: float) -> None:
        """ODD 7.9: my income grows with the wage trend; I have lived here a month more."""
        self.income_eur *= income_growth
        self.months_in_district += 1

    def housing_burden(self, market: Market) -> float:
        """ODD 7.8: annual housing cost over income.

        Cost ``m2 x yield x (P_ref + pass_through x (P_d - P_ref)) x discount``; a private
        renter under a rent cap pays at most the capped rise since moving in.
        """
        h = self.model.params.housing
        price = market.price[self.district]
        ref = self.price_ref_eur_m2
        if market.rent_cap is not None and self.tenure == PRIVATE:
            cap = market.rent_cap[self.district]
            if math.isfinite(cap):
                price = min(price, ref * (1.0 + cap) ** (self.months_in_district / 12.0))
        pass_through = {
            OWNER: h.pass_through_owner,
            PRIVATE: h.pass_through_private,
            SOCIAL: h.pass_through_social,
        }[self.tenure]
        discount = h.social_rent_discount if self.tenure == SOCIAL else 1.0
        cost = h.m2_per_person * h.rent_yield_per_year * (ref + pass_through * (price - ref))
        return cost * discount / max(self.income_eur, 1.0)

    def move_out_hazard(self, market: Market) -> tuple[float, float, float]:
        """ODD 7.9: return (baseline, with liveability, total) monthly move hazards.

        ``h = h0_tenure exp(-alpha_t (a - 1/2) - alpha_I (I_d - 1/2) + alpha_L (mean L - L_d)
        + alpha_B max(0, burden - cap))``, with attachment ``a = min(months / T_att, 1)``.
        """
        mig = self.model.params.migration
        t_att = self.model.params.mobilisation.attachment_months
        attachment = min(self.months_in_district / t_att, 1.0)
        identity = market.identity[self.district]
        baseline = float(self.model.rates.h0[self.tenure]) * math.exp(
            -mig.alpha_attachment * (attachment - 0.5) - mig.alpha_identity * (identity - 0.5)
        )
        with_liveability = baseline * math.exp(
            mig.alpha_liveability * market.liveability_gap[self.district]
        )
        excess = max(0.0, self.housing_burden(market) - mig.burden_cap)
        return baseline, with_liveability, with_liveability * math.exp(mig.alpha_burden * excess)

    def decide_move(self, market: Market, rng: np.random.Generator) -> bool:
        """ODD 7.9: move out with probability ``1 - e^-h``; return whether I move.

        A move's cause is drawn in proportion to what each term adds to the hazard (other:
        ``min(b, l)``, liveability: ``max(l - b, 0)``, burden: ``h - l``); a mover leaves the
        city with probability ``share_leaving_city``, otherwise searches in the city.
        """
        self.move_cause, self.leaves_city = None, False
        baseline, with_liveability, total = self.move_out_hazard(market)
        if rng.random() >= -math.expm1(-total):
            return False
        other = min(baseline, with_liveability)
        liveability = max(with_liveability - baseline, 0.0)
        burden = total - with_liveability
        x = rng.random() * (other + liveability + burden)
        if x < other:
            self.move_cause = "other"
        elif x < other + liveability:
            self.move_cause = "liveability"
        else:
            self.move_cause = "burden"
        self.leaves_city = rng.random() < self.model.params.migration.share_leaving_city
        return True

    def value_districts(self, market: Market, searching: bool) -> None:
        """ODD 7.7: my systematic utility of each district (without size term and noise).

        ``b_R g R_d + b_L L_d - b_P c P_d / y + b_f o creative_d + b_near near_d + k_d
        + b_h (ln y - ln y_c)(ln ybar_d - ln y_c)``, with ``g = 1 - w + w e / e_mean``;
        ``near_d`` (my own and adjacent districts) only for a searcher in the city.
        """
        a = self.model.params.attractiveness
        pop = self.model.params.population
        mean_engagement = pop.engagement_a / (pop.engagement_a + pop.engagement_b)
        w = a.reputation_engagement
        g = 1.0 - w + w * self.engagement / mean_engagement  # the engaged value reputation more
        cost = self.model.rates.cost_per_eur_m2
        log_income = math.log(self.income_eur)
        centre = sum(market.log_mean_income) / len(market.log_mean_income)
        near = self.model.near[self.district].tolist() if searching else None
        self.utilities = []
        for d in range(len(market.price)):
            u = (
                a.b_reputation * g * market.reputation[d]
                + a.b_liveability * market.liveability[d]
                - a.b_price * cost * market.price[d] / self.income_eur
                + a.b_future * self.orientation * market.creative[d]
                + market.constant[d]
                + a.b_income_homophily
                * (log_income - centre)
                * (market.log_mean_income[d] - centre)
            )
            if near is not None and near[d]:
                u += a.b_near
            self.utilities.append(u)

    def choose_district(self, left: list[int], rng: np.random.Generator) -> int:
        """ODD 7.7, 7.9: return the district with the highest utility + ln(room left) + Gumbel.

        Only districts with room left can be chosen (the size term of the logit).
        """
        best, best_u = -1, -math.inf
        for d, room in enumerate(left):
            if room > 0:
                u = self.utilities[d] + math.log(room) + rng.gumbel()
                if u > best_u:
                    best, best_u = d, u
        return best

    def move_to(self, place: int, price: float) -> None:
        """ODD 7.9: move into ``place`` (a searcher).

        Within my district I keep my months and my membership (if my association takes the
        new place's tenure); to another district I start at 0 months and lose it. The owner
        bonus of engagement goes with the place's tenure.
        """
        old_district, old_tenure = self.district, self.tenure
        self.model.occupant[self.place] = None
        self.occupy(place)
        bonus = self.model.params.population.owner_engagement_bonus
        base = self.engagement - bonus * (old_tenure == OWNER)
        self.engagement = min(max(base + bonus * (self.tenure == OWNER), 0.0), 1.0)
        if self.district != old_district:
            self.months_in_district, self.member_of = 0, -1
        elif self.member_of >= 0:
            association = self.model.district_associations[self.district][self.member_of]
            if not association.eligible[self.tenure]:
                self.member_of = -1
        self.arrive(price)

    def settle(self, place: int, price: float, rng: np.random.Generator) -> None:
        """ODD 7.9: a newcomer moves into ``place``; threshold and competence are drawn."""
        pop = self.model.params.population
        mob = self.model.params.mobilisation
        self.occupy(place)
        bonus = pop.owner_engagement_bonus * (self.tenure == OWNER)
        self.engagement = min(max(self.engagement + bonus, 0.0), 1.0)
        self.theta = mob.theta_mean + mob.theta_sd * rng.standard_normal()
        self.is_competent = rng.random() < pop.p_competent
        self.months_in_district, self.member_of = 0, -1
        self.arrive(price)

    def arrive(self, price: float) -> None:
        """Every arrival: the current price is my reference price; inactive this month."""
        self.price_ref_eur_m2 = price
        self.is_active = self.was_active = False


class ReferenceModel(DistrictModel):
    """The engine's city and ledger, with the resident rules done by :class:`Resident` agents.

    Args:
        scenario: A validated scenario; None loads the default city.
        seed: Root seed; None takes the scenario's seed.
    """

    resident_class: type[Resident] = Resident
    """The agent class of residents (a subclass changes a rule, as the docking test does)."""

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None) -> None:
        super().__init__(scenario, seed)
        r = self.residents
        self.place_district = r.district.tolist()
        self.place_tenure = r.tenure.tolist()
        self.place_built = r.built_month.tolist()
        self.occupant: list[Resident | None] = [None] * r.n
        self.civic: CivicMonth | None = None  # what residents know this month (Resident.step)
        self.district_associations = [
            [x for x in self.all_associations if x.district == d] for d in range(self.n_districts)
        ]
        for place in np.flatnonzero(r.occupied).tolist():
            person = self.resident_class(
                self,
                income_eur=float(r.income_eur[place]),
                engagement=float(r.engagement[place]),
                orientation=float(r.orientation[place]),
                theta=float(r.theta[place]),
                is_competent=bool(r.is_competent[place]),
            )
            person.occupy(place)
            person.months_in_district = int(r.months_in_district[place])
            person.price_ref_eur_m2 = float(r.price_ref_eur_m2[place])
            person.member_of = int(r.member_of[place])

    @property
    def people(self) -> list[Resident]:
        """Every resident agent (in creation order)."""
        return list(self.agents_by_type.get(self.resident_class, ()))

    def step(self) -> None:
        """Advance one month: ``DistrictModel.step``'s phases, the resident halves by agents.

        Phases 1-2, the district halves of 3 and 5, 6-9, 10b and 11 are the engine's; the
        agents hear, take part and join or leave (3-5, :meth:`Resident.step`) and move
        (10a, :meth:`migrate`).
        """
        t = self.month
        self.interventions.before_calendar(t)
        self.program.step(t)
        reputation.apply_shocks(self, t)
        self.interventions.step(t)
        reach = communication.update_districts(self)  # phase 3, the district half
        self.civic = self.civic_month(t, reach)
        people = self.people
        # Everyone notes last month's activity before anyone hears: hearing counts the
        # neighbours who were active last month.
        for person in people:
            person.was_active = person.is_active
        for person in people:
            person.step()  # phases 3-5, the resident halves
        self.write_back(("member_of", "is_active"))
        associations.run_associations(self, t, self.streams.get("reference.associations", t))
        partnerships.step(self, t)
        stocks.step(self, t)
        reputation.step(self, t)
        housing.step(self, t)
        self.migrate(t)
        firms.step(self, t)
        modes.step(self, t)
        recording.step(self, t)
        self.month += 1
        if self.month >= self.horizon:
            self.running = False

    def civic_month(self, t: int, reach: np.ndarray) -> CivicMonth:
        """Return what residents know of their districts in phases 3-5 of month ``t``."""
        ds = self.districts
        return CivicMonth(
            reach=reach.tolist(),
            identity=ds.identity.tolist(),
            event_orientation=[
                float(o) if event else None
                for o, event in zip(ds.event_orientation, ds.event_now, strict=True)
            ],
            rng=self.streams.get("reference.residents", t),
        )

    def market(self) -> Market:
        """Return what movers know of the districts this month (phase 10)."""
        ds = self.districts
        mean_l = float(np.average(ds.liveability, weights=np.maximum(ds.population, 1)))
        cap = self.interventions.rent_rise_cap_per_year()
        return Market(
            price=np.exp(ds.log_price).tolist(),
            identity=ds.identity.tolist(),
            liveability=ds.liveability.tolist(),
            reputation=ds.reputation.tolist(),
            liveability_gap=(mean_l - ds.liveability).tolist(),
            creative=ds.creative.astype(float).tolist(),
            constant=ds.location_constant.tolist(),
            log_mean_income=np.log(np.maximum(ds.mean_income, 1.0)).tolist(),
            rent_cap=None if cap is None else np.asarray(cap, dtype=float).tolist(),
        )

    def migrate(self, t: int) -> None:
        """Phase 10a by agents (ODD 7.9), in the engine's sub-steps.

        Age; decide to move (and why); leavers leave; newcomers are drawn; searchers and
        newcomers choose in capacity rounds (first choices give the demand pressure of 7.8);
        the placed move in. Writes what ``migration.step`` writes.
        """
        rng = self.streams.get("reference.migration", t)
        people = self.people
        growth = float(self.rates.income_growth)
        for person in people:
            person.age_a_month(growth)
        self.income_index = growth ** (t + 1)
        market = self.market()
        flows = {k: [0] * self.n_districts for k in MOVE_FLOWS}
        movers = [person for person in people if person.decide_move(market, rng)]
        leavers = [person for person in movers if person.leaves_city]
        searchers = [person for person in movers if not person.leaves_city]
        for person in leavers:
            self.count_out(flows, person)
            flows["out_outside"][person.district] += 1
            self.occupant[person.place] = None
            person.remove()
        n_new = self.n_newcomers(len(leavers), len(people) - len(leavers), rng)
        newcomers = [self.resident_class.newcomer(self, rng) for _ in range(n_new)]
        for person in searchers:
            person.value_districts(market, searching=True)
        for person in newcomers:
            person.value_districts(market, searching=False)
        free = self.vacant_places(t)
        vacancies = [len(places) for places in free]
        chosen, first = self.allocate(searchers + newcomers, vacancies, rng)
        update_pressure(self, np.array(first), np.array(vacancies))
        self.move_in(chosen, free, market, flows, rng)
        for person in newcomers:
            if person not in chosen:
                person.remove()  # a newcomer not placed does not arrive
        self.districts.moves = {k: np.array(v, dtype=float) / self.scale for k, v in flows.items()}
        self.displaced_persons = sum(flows["out_burden"]) / self.scale
        self.write_back()

    def vacant_places(self, t: int) -> list[list[int]]:
        """Return the vacant places built by month ``t``, by district."""
        free: list[list[int]] = [[] for _ in range(self.n_districts)]
        for place, district in enumerate(self.place_district):
            if self.occupant[place] is None and self.place_built[place] <= t:
                free[district].append(place)
        return free

    def move_in(
        self,
        chosen: dict[Resident, int],
        free: list[list[int]],
        market: Market,
        flows: dict[str, list[int]],
        rng: np.random.Generator,
    ) -> None:
        """ODD 7.9: each placed chooser takes a random vacant place of its district.

        Counts the moves (within a district, between districts, from outside) and gives the
        arrivals fresh outgoing ties.
        """
        arrivals = []
        for person, d in chosen.items():
            place = free[d].pop(int(rng.integers(len(free[d]))))
            if person.place < 0:
                person.settle(place, market.price[d], rng)
                flows["in_outside"][d] += 1
                flows["in"][d] += 1
            elif person.district == d:
                flows["within"][d] += 1
                person.move_to(place, market.price[d])
            else:
                self.count_out(flows, person)
                flows["in"][d] += 1
                person.move_to(place, market.price[d])
            arrivals.append(place)
        self.ties.rewire(np.array(arrivals, dtype=np.int64), rng)

    def n_newcomers(self, n_leavers: int, n_residents: int, rng: np.random.Generator) -> int:
        """ODD 7.9: newcomers replace the leavers, plus ``Poisson(growth x residents)``.

        A negative growth rate thins the replacements instead.
        """
        growth = self.rates.growth * n_residents
        if growth >= 0:
            return n_leavers + int(rng.poisson(growth))
        return int(rng.binomial(n_leavers, max(0.0, 1.0 + growth / max(n_leavers, 1))))

    def allocate(
        self, choosers: list[Resident], vacancies: list[int], rng: np.random.Generator
    ) -> tuple[dict[Resident, int], list[int]]:
        """ODD 7.9: location choice within vacancies, in rounds.

        Each round every unplaced chooser chooses (:meth:`Resident.choose_district`); a
        district chosen by more people than it has room for accepts a random subset, and the
        others choose again in the next round among the districts with room left.

        Returns:
            The district each placed chooser gets, and the first round's choices per district
            (the demand of ODD 7.8).
        """
        left = list(vacancies)
        first = [0] * self.n_districts
        chosen: dict[Resident, int] = {}
        todo = choosers
        for round_ in range(ALLOCATION_ROUNDS):
            if not todo or sum(left) == 0:
                break
            by_district: list[list[Resident]] = [[] for _ in range(self.n_districts)]
            for person in todo:
                by_district[person.choose_district(left, rng)].append(person)
            if round_ == 0:
                first = [len(group) for group in by_district]
            todo = []
            for d, group in enumerate(by_district):
                rng.shuffle(group)
                for person in group[: left[d]]:
                    chosen[person] = d
                todo += group[left[d] :]
                left[d] -= min(left[d], len(group))
        return chosen, first

    def count_out(self, flows: dict[str, list[int]], person: Resident) -> None:
        """Count a move out of ``person``'s district: by cause and by tenure (burden moves too)."""
        d = person.district
        tenure = TENURES[person.tenure]
        flows["out"][d] += 1
        flows[f"out_{person.move_cause}"][d] += 1
        flows[f"out_{tenure}"][d] += 1
        flows[f"out_burden_{tenure}"][d] += person.move_cause == "burden"

    def write_back(self, names: tuple[str, ...] = READ_BY_DISTRICT_PHASES) -> None:
        """Copy the agents' ``names`` (and who lives where) into the per-place arrays.

        The district phases are the engine's and read the arrays; the arrays mirror the agents
        only in what those phases read (:data:`READ_BY_DISTRICT_PHASES`).
        """
        r = self.residents
        people = self.people
        places = [person.place for person in people]
        r.occupied[:] = False
        r.occupied[places] = True
        r.member_of[~r.occupied] = -1
        r.is_active[~r.occupied] = False
        for name in names:
            getattr(r, name)[places] = [getattr(person, name) for person in people]
