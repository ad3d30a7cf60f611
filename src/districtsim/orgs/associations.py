"""Associations: Mesa agents with members, volunteers, channels and events.

MODEL 2, 5.3 [S1, S2, S5].

Kinds, in their activation order within a district (``KINDS``):

- ``district_association``: the lead association, one per district. It runs
  the district's channels (the scenario's ``channels``), files the
  district's applications to the innovation-platform call (MODEL 5.9), and
  its orientation sets the district's operating mode (MODEL 5.11). As the
  federating association of the district's organised residents (Helka is
  itself a federation of such associations), its orientation drifts toward
  the mean orientation of the active members of *all* the district's
  associations.
- ``housing_company``: housing companies and tenant committees. Only owners
  and social renters can join (shareholders of a housing company; tenant
  democracy in city rental housing); private renters cannot.
- ``school``: the school's parents' association; open to all residents (the
  model has no household structure), with a lower join weight.
- ``developer_network``: a future-oriented network of residents and
  entrepreneurs [S5]. Besides events it launches a website and a
  social-media group when the district lacks them and it has the hours.

Each association of a kind other than the lead drifts toward the mean
orientation of its own active members. A resident is a member of at most one
association (``Residents.member_of``); an active non-member who joins picks
one of the district's associations with probability proportional to the
kind's join weight times the match of orientations
``1 - |orientation_i - orientation_assoc|`` (zero where not eligible).

Each month an association spends its volunteers' hours on its channels in
priority order (paper, website, social media, forum); a channel that goes
short of hours for ``lapse_grace_months`` months lapses, and a lapsed (or
wanted, not yet running) channel starts when spare hours exceed its upkeep
by ``relaunch_margin`` for as long. A channel an intervention pays for needs
no hours and does not lapse; one an intervention closed is not restarted
while the intervention lasts. It then decides whether to hold an event
next month: events need ``event_hours`` of its spare volunteer time and a
meeting place, or, for a creative association (orientation at or above the
mode cut), a festival month; the rate is the creative or traditional rate
times the kind's event factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import expit

from districtsim import kernels
from districtsim.calendar import is_festival_month, month_of_year_index
from districtsim.params import ASSOCIATION_KINDS, CHANNELS, Params
from districtsim.rates import annual_rate_to_monthly

if TYPE_CHECKING:
    from districtsim.model import DistrictModel
    from districtsim.params import Associations as AssociationParams
    from districtsim.residents import Residents

KINDS = ASSOCIATION_KINDS
"""Association kinds (MODEL 2), in activation order within a district."""

ELIGIBLE_TENURES: dict[str, tuple[bool, bool, bool]] = {
    "district_association": (True, True, True),
    "housing_company": (True, False, True),
    "school": (True, True, True),
    "developer_network": (True, True, True),
}
"""Which tenures (owner, private renter, social renter) can join each kind."""

DEVELOPER_CHANNELS: tuple[str, ...] = ("website", "social_media")
"""Channels a developer network launches when the district does not already run them."""


def kind_settings(kind: str, p: Params) -> tuple[float, float, float]:
    """Return (join weight, initial orientation, event factor) of a kind.

    The lead's are 1, its mode's, 1.
    """
    a = p.associations
    if kind == "district_association":
        return 1.0, float("nan"), 1.0
    return (
        getattr(a, f"join_weight_{kind}"),
        getattr(a, f"initial_orientation_{kind}"),
        getattr(a, f"event_factor_{kind}"),
    )


def default_kinds(mode: str, p: Params) -> tuple[str, ...]:
    """Return the association kinds of a district whose scenario does not list them."""
    a = p.associations
    kinds = ["district_association"]
    if a.housing_company_everywhere:
        kinds.append("housing_company")
    if a.school_everywhere:
        kinds.append("school")
    if a.developer_network_in_creative and mode == "creative":
        kinds.append("developer_network")
    return tuple(kinds)


class Association(mesa.Agent):
    """An association of one district.

    Args:
        model: The model.
        district: Index of its district.
        kind: One of ``KINDS``.
        orientation: 0 = interest group looking to history, 1 = developer
            network looking to the future [S5].
        channels: The channels it runs at the start.
        wanted: The channels it keeps running or restarts when it has the hours.
        slot: Its index among its district's associations (``Residents.member_of``).
    """

    def __init__(
        self,
        model: DistrictModel,
        district: int,
        kind: str,
        orientation: float,
        channels: tuple[str, ...],
        wanted: tuple[str, ...],
        slot: int,
    ) -> None:
        super().__init__(model)
        self.district = district
        self.kind = kind
        self.slot = slot
        self.orientation = float(orientation)
        self.join_weight, _, self.event_factor = kind_settings(kind, model.params)
        self.eligible = ELIGIBLE_TENURES[kind]
        self.channels = {c: (c in channels) for c in CHANNELS}
        self.wanted = {c: (c in wanted) for c in CHANNELS}
        self.short_months = dict.fromkeys(CHANNELS, 0)
        self.spare_months = dict.fromkeys(CHANNELS, 0)
        self.event_next_month = False
        self.event_now = False
        self.members = 0.0
        self.volunteers = 0.0
        self.active_members = 0.0
        self.volunteer_hours: float | None = None  # smoothed (hours_smoothing_months)
        self.applications: list[int] = []
        self.funded_channels: set[str] = (
            set()
        )  # paid for by an intervention: no volunteer hours, no lapse
        self.closed_channels: set[str] = (
            set()
        )  # closed by an intervention: not restarted while it lasts

    @property
    def is_lead(self) -> bool:
        """True for the district association (the lead, MODEL 5.9 and 5.11)."""
        return self.kind == "district_association"

    @property
    def is_creative(self) -> bool:
        """True when the orientation is at or above the mode cut (MODEL 5.11)."""
        return self.orientation >= self.model.params.associations.mode_cut

    def smooth_hours(self, hours: float, months: float) -> float:
        """Return the volunteer hours the association can count on this month.

        An exponential average of its volunteers' hours with time constant ``months``
        (``associations.hours_smoothing_months``; 1 means this month's hours). Volunteers
        spread their work over the year, so a month in which the (simulated) volunteers are
        one fewer does not shut a channel (issue 12: decisions on smoothed quantities).
        """
        if months <= 1 or self.volunteer_hours is None:
            self.volunteer_hours = hours
        else:
            self.volunteer_hours += (hours - self.volunteer_hours) / months
        return self.volunteer_hours

    def run_channels(self, hours: float) -> float:
        """Spend volunteer ``hours`` on channel upkeep; lapse or (re)launch channels.

        Returns:
            The hours left for events.
        """
        c = self.model.params.communication
        size = self.model.districts.population[self.district] / c.upkeep_reference_persons
        factor = float(size**c.upkeep_size_elasticity)
        for name in CHANNELS:
            upkeep = getattr(c, f"upkeep_{name}_hours") * factor
            if name in self.closed_channels or name in self.funded_channels:
                continue
            if self.channels[name]:
                if hours >= upkeep:
                    hours -= upkeep
                    self.short_months[name] = 0
                else:
                    self.short_months[name] += 1
                    if self.short_months[name] >= c.lapse_grace_months:
                        self.channels[name] = False
                        self.short_months[name] = 0
                        self.model.log_event(
                            self.district, "channel_lapse", f"{name} ({self.kind})"
                        )
            elif self.wanted[name]:
                if hours >= c.relaunch_margin * upkeep:
                    self.spare_months[name] += 1
                    if self.spare_months[name] >= c.lapse_grace_months:
                        self.channels[name] = True
                        self.spare_months[name] = 0
                        hours -= upkeep
                        self.model.log_event(
                            self.district, "channel_relaunch", f"{name} ({self.kind})"
                        )
                else:
                    self.spare_months[name] = 0
        return hours

    def plan_event(self, hours_left: float, month: int, u: float) -> None:
        """Decide whether to hold an event next month.

        An event needs hours and a place or a festival slot.
        """
        a = self.model.params.associations
        has_place = self.model.districts.meeting_places[self.district] > 0
        festival = self.is_creative and is_festival_month(month + 1, a.festival_months)
        rate = (
            a.events_per_year_creative if self.is_creative else a.events_per_year_traditional
        ) * self.event_factor
        self.event_next_month = bool(
            hours_left >= a.event_hours
            and (has_place or festival)
            and u < annual_rate_to_monthly(rate)
        )

    def drift(self, mean_active_orientation: float) -> None:
        """Move the orientation toward the active members' mean (rate omega per year)."""
        if np.isfinite(mean_active_orientation):
            self.orientation += self.model.rates.omega * (
                mean_active_orientation - self.orientation
            )


@dataclass
class SlotTable:
    """Per district and slot (an association's index in its district), for whole-array choices.

    Attributes:
        weight: Join weight of the association's kind (D x slots; 0 where no association).
        eligible: Which tenures may join (D x slots x 3 tenures).
        index: The association's position in ``DistrictModel.all_associations`` (-1: none).
    """

    weight: np.ndarray
    eligible: np.ndarray
    index: np.ndarray

    @classmethod
    def from_associations(cls, associations: list[Association], n_districts: int) -> SlotTable:
        """Build the table from every association (in activation order)."""
        n_slots = max(x.slot for x in associations) + 1
        table = cls(
            weight=np.zeros((n_districts, n_slots)),
            eligible=np.zeros((n_districts, n_slots, 3), dtype=bool),
            index=np.full((n_districts, n_slots), -1, dtype=np.int64),
        )
        for i, x in enumerate(associations):
            table.weight[x.district, x.slot] = x.join_weight
            table.eligible[x.district, x.slot] = x.eligible
            table.index[x.district, x.slot] = i
        return table

    @property
    def n_slots(self) -> int:
        """Slots per district (the most associations any district has)."""
        return int(self.weight.shape[1])


def create_associations(model: DistrictModel) -> None:
    """Create each district's associations (Mesa agents) and assign the initial members (MODEL 5.3).

    Sets ``model.all_associations`` (every association in activation order: by district, then
    by kind in ``ASSOCIATION_KINDS`` order), ``model.associations`` (the lead of each district,
    in district order) and ``model.slots`` (:class:`SlotTable`); writes
    ``Residents.member_of`` of the initial members.
    """
    p = model.params
    a = p.associations
    for d, spec in enumerate(model.config.districts):
        kinds = spec.associations if spec.associations is not None else default_kinds(spec.mode, p)
        for slot, kind in enumerate(kinds):
            if kind == "district_association":
                orient = (
                    a.initial_orientation_creative
                    if spec.mode == "creative"
                    else a.initial_orientation_traditional
                )
                Association(model, d, kind, orient, spec.channels, spec.channels, slot)
            else:
                wanted = ()
                if kind == "developer_network":
                    wanted = tuple(c for c in DEVELOPER_CHANNELS if c not in spec.channels)
                Association(model, d, kind, kind_settings(kind, p)[1], (), wanted, slot)
    model.all_associations = sorted(
        model.agents_by_type[Association], key=lambda x: (x.district, x.slot)
    )
    model.associations = [x for x in model.all_associations if x.is_lead]
    model.slots = SlotTable.from_associations(model.all_associations, model.n_districts)
    r = model.residents
    members = np.flatnonzero(r.is_member)
    r.member_of[members] = choose_association(
        model, members, model.streams.get("init.associations")
    )


def choose_association(
    model: DistrictModel, idx: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Return the slot of the association each resident in ``idx`` joins.

    Probability proportional to join weight x eligibility of the tenure x
    ``1 - |orientation_i - orientation_assoc|``; the lead when no association of the district
    has positive weight.
    """
    r = model.residents
    slots = model.slots
    if idx.size == 0:
        return np.zeros(0, dtype=np.int8)
    d = r.district[idx].astype(np.intp)
    orient = np.array([x.orientation for x in model.all_associations])[np.maximum(slots.index, 0)]
    w = (
        slots.weight[d]
        * slots.eligible[d, :, r.tenure[idx]]
        * (1.0 - np.abs(r.orientation[idx, None] - orient[d]))
    )
    cum = np.cumsum(w, axis=1)
    u = rng.random(idx.size) * cum[:, -1]
    slot = (cum <= u[:, None]).sum(axis=1)
    return np.where(cum[:, -1] > 0, np.minimum(slot, w.shape[1] - 1), 0).astype(np.int8)


def expected_events_per_year(model: DistrictModel) -> np.ndarray:
    """Return each district's expected event months per year from its associations' rates."""
    a = model.params.associations
    none = np.ones(model.n_districts)
    for x in model.all_associations:
        festivals = x.is_creative and len(a.festival_months) > 0
        can = model.districts.meeting_places[x.district] > 0 or festivals
        rate = (
            a.events_per_year_creative if x.is_creative else a.events_per_year_traditional
        ) * x.event_factor
        none[x.district] *= 1.0 - min(annual_rate_to_monthly(rate), 1.0) * can
    return 12.0 * (1.0 - none)


def step(model: DistrictModel, t: int) -> None:
    """Phase 5: membership, volunteers, channel upkeep, events, orientation; ties at events.

    Reads: ``Residents.is_active``, ``member_of``, tenure, orientation, engagement; every
    association's orientation (join choice) and channels; program staff (the lead's hours).
    Writes: ``Residents.member_of``; ``Districts.members``, ``volunteers``,
    ``active_members``, ``events_hist``; each association's members, volunteers, channels
    (lapse, relaunch), event planned for month ``t + 1`` and orientation (drift); new ties
    between attendees of creative events.
    """
    rng = model.streams.get("associations", t)
    update_membership(model, rng)
    run_associations(model, t, rng)


def update_membership(model: DistrictModel, rng: np.random.Generator) -> None:
    """The resident half of phase 5: members may leave, active non-members may join one.

    Writes ``Residents.member_of``.
    """
    r = model.residents
    # One draw per place serves both decisions (disjoint sets).
    u = kernels.uniforms(rng, r.n)  # rng.random(r.n, dtype=np.float32), in parallel
    join = leave_or_join(r, r.member_of, u, model.params.associations, model.rates.p_member_exit)
    r.member_of[join] = choose_association(model, join, rng)


def leave_or_join(
    r: Residents, member_of: np.ndarray, u: np.ndarray, a: AssociationParams, p_exit: float
) -> np.ndarray:
    """Members leave (``member_of`` set to -1); return the non-members who join (ascending).

    A member leaves when ``u < p_exit``, and an empty place loses its membership; a
    non-member joins when ``u`` is below :func:`join_probability`. One pass
    (:func:`districtsim.kernels.membership`).
    """
    return kernels.membership(
        u,
        member_of,
        r.is_active,
        r.is_reached,
        r.engagement,
        r.occupied,
        np.float32(a.p_join_per_month),
        np.float32(a.p_join_reached_per_month),
        np.float32(p_exit),
    )


def run_associations(model: DistrictModel, t: int, rng: np.random.Generator) -> None:
    """The association half of phase 5: counts, hours, channels, events, drift, event ties.

    Reads the members from ``Residents.member_of``; writes what :func:`step` lists except
    the membership.
    """
    r = model.residents
    ds = model.districts
    a = model.params.associations
    nd = model.n_districts
    # Counts per association: key = district * slots + slot (bincount over members only).
    n_slots = model.slots.n_slots
    members, volunteers, n_am, orient_am = kernels.association_counts(
        r.member_of,
        r.district,
        n_slots,
        nd * n_slots,
        r.engagement,
        r.is_active,
        r.orientation,
        np.float32(a.volunteer_engagement_cut),
        np.float32(a.volunteer_engagement_width),
    )  # volunteers: volunteer_chance summed per association
    members /= model.scale
    volunteers /= model.scale
    ds.volunteers = volunteers.reshape(nd, n_slots).sum(axis=1)
    ds.members = members.reshape(nd, n_slots).sum(axis=1)
    n_am_d = n_am.reshape(nd, n_slots).sum(axis=1)
    ds.active_members = n_am_d / model.scale
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_own = orient_am / n_am
        mean_district = orient_am.reshape(nd, n_slots).sum(axis=1) / n_am_d
    u_event = rng.random(len(model.all_associations))
    hours = volunteers * a.hours_per_volunteer
    staff_hours = model.program.staff_persons * model.program.settings.hours_per_staff_person
    keys = [x.district * n_slots + x.slot for x in model.all_associations]
    own = np.empty(len(model.all_associations))
    for i, (x, k) in enumerate(zip(model.all_associations, keys, strict=True)):
        x.members, x.volunteers, x.active_members = members[k], volunteers[k], n_am[k] / model.scale
        own[i] = (
            x.smooth_hours(hours[k], a.hours_smoothing_months)
            + (staff_hours[x.district] if x.is_lead else 0.0)
            - (a.event_hours if x.event_now else 0.0)
        )
    left = pay_channels(model, own) if a.pooled_channel_hours else own
    for i, (x, k) in enumerate(zip(model.all_associations, keys, strict=True)):
        h = left[i] if (x.is_lead and a.pooled_channel_hours) else x.run_channels(left[i])
        x.plan_event(h, t, u_event[i])
        # The lead federates the district's organised residents: it follows all active members;
        # the others their own.
        x.drift(mean_district[x.district] if x.is_lead else mean_own[k])
    ds.events_hist[month_of_year_index(t)] = ds.event_now
    build_event_ties(model, rng)


def pay_channels(model: DistrictModel, own: np.ndarray) -> np.ndarray:
    """Run each lead's channels on its district's pooled hours; return the hours left.

    ``own`` holds each association's hours this month (smoothed volunteer hours, the lead's
    program staff, minus this month's event), in ``all_associations`` order. The lead runs
    its channels (:meth:`Association.run_channels`) on the district's pool: its own hours
    plus the positive hours of the district's other associations. It pays the upkeep from
    its own hours first; the rest is taken from the others in proportion to their hours.
    Returns each association's hours left for its own channels and events
    (``associations.pooled_channel_hours``; ODD 7.4).
    """
    left = own.copy()
    district = np.array([x.district for x in model.all_associations])
    is_lead = np.array([x.is_lead for x in model.all_associations])
    others = np.where(is_lead, 0.0, np.maximum(own, 0.0))
    pool_others = np.bincount(district, weights=others, minlength=model.n_districts)
    for x in model.associations:
        i = model.slots.index[x.district, x.slot]
        d = x.district
        pool = own[i] + pool_others[d]
        used = pool - x.run_channels(pool)
        from_lead = min(used, max(own[i], 0.0))
        left[i] = own[i] - from_lead
        if pool_others[d] > 0:
            share = min((used - from_lead) / pool_others[d], 1.0)
            rest_of_district = (district == d) & ~is_lead
            left[rest_of_district] -= others[rest_of_district] * share
    return left


def volunteer_chance(engagement: np.ndarray, a: AssociationParams) -> np.ndarray:
    """Return the share of months each member volunteers, from their engagement.

    ``expit((engagement - cut) / width)`` (``associations.volunteer_engagement_cut`` and
    ``volunteer_engagement_width``; ODD 7.4); at width 0 MODEL 5.3's sharp cut (1 at or above
    the cut, else 0). An association's volunteers are the sum over its members (expected
    persons), so its hours come from all its members rather than from the one or two
    simulated residents above a cut that a small district has at small scale.
    """
    if a.volunteer_engagement_width == 0:
        return engagement >= a.volunteer_engagement_cut
    return expit((engagement - a.volunteer_engagement_cut) / a.volunteer_engagement_width)


def join_probability(r: Residents, a: AssociationParams) -> np.ndarray:
    """Return each place's probability of joining an association this month (float32).

    An active resident joins with ``p_join_per_month``; a reached resident also with
    ``p_join_reached_per_month`` times their engagement (MODEL 5.3 recruits only active
    residents; the second term is off by default).
    """
    active = np.where(r.is_active, np.float32(a.p_join_per_month), np.float32(0.0))
    if a.p_join_reached_per_month == 0:
        return active
    reached = np.where(r.is_reached, a.p_join_reached_per_month * r.engagement, np.float32(0.0))
    return active + reached


def build_event_ties(model: DistrictModel, rng: np.random.Generator) -> None:
    """Creative events build ties between attendees (MODEL 5.3)."""
    r = model.residents
    ds = model.districts
    festive = ds.event_now & ds.event_creative
    if not festive.any():
        return
    attendees = np.flatnonzero(r.is_active & model.blocks.spread(festive, bool))
    if attendees.size < 2:
        return
    chosen = attendees[
        rng.random(attendees.size) < model.params.associations.tie_building_per_event
    ]
    d_att = r.district[attendees]
    start = np.searchsorted(d_att, np.arange(model.n_districts))
    count = np.bincount(d_att, minlength=model.n_districts)
    dc = r.district[chosen]
    target = attendees[start[dc] + (rng.random(chosen.size) * count[dc]).astype(np.int64)]
    model.ties.connect(chosen, target, rng)
