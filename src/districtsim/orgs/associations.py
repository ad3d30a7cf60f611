"""Associations: Mesa agents with members, volunteers, channels and events (MODEL 2, 5.3) [S1, S2, S5].

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

from typing import TYPE_CHECKING

import mesa
import numpy as np

from districtsim.calendar import is_festival_month
from districtsim.params import ASSOCIATION_KINDS, CHANNELS, Params

if TYPE_CHECKING:
    from districtsim.model import DistrictModel

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
    """Return (join weight, initial orientation, event factor) of a kind; the lead's are 1, its mode's, 1."""
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

    def run_channels(self, hours: float) -> float:
        """Spend volunteer ``hours`` on channel upkeep; lapse or (re)launch channels.

        Returns:
            The hours left for events.
        """
        c = self.model.params.communication
        for name in CHANNELS:
            upkeep = getattr(c, f"upkeep_{name}_hours")
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
        """Decide whether to hold an event next month (needs hours and a place or a festival slot)."""
        a = self.model.params.associations
        has_place = self.model.meeting_places[self.district] > 0
        festival = self.is_creative and is_festival_month(month + 1, a.festival_months)
        rate = (
            a.events_per_year_creative if self.is_creative else a.events_per_year_traditional
        ) * self.event_factor
        self.event_next_month = bool(
            hours_left >= a.event_hours and (has_place or festival) and u < rate / 12.0
        )

    def drift(self, mean_active_orientation: float) -> None:
        """Move the orientation toward the active members' mean (rate omega per year)."""
        if np.isfinite(mean_active_orientation):
            self.orientation += self.model.rates.omega * (
                mean_active_orientation - self.orientation
            )
