"""District associations: Mesa agents that run channels and events (MODEL 5.3) [S1, S2, S5].

Each district has a lead association. Each month it spends its volunteers'
hours on its channels in priority order (paper, website, social media,
forum); a channel that goes short of hours for ``lapse_grace_months`` months
lapses, and a lapsed channel restarts when spare hours exceed its upkeep by
``relaunch_margin`` for as long. It then decides whether to hold an event
next month: events need ``event_hours`` of spare volunteer time and a meeting
place, or, for a creative association, a festival month. Its orientation
drifts toward the mean future orientation of its active members at rate
``omega_per_year`` (the share of the gap closed in a year), which is what lets newcomers turn a traditional district creative.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from districtsim.calendar import is_festival_month
from districtsim.params import CHANNELS, Params

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


class Association(mesa.Agent):
    """A district's lead association.

    Args:
        model: The model.
        district: Index of its district.
        orientation: 0 = interest group looking to history, 1 = developer
            network looking to the future [S5].
        channels: The channels it runs at the start.
    """

    kind = "district_association"

    def __init__(self, model: DistrictModel, district: int, orientation: float, channels: tuple[str, ...]) -> None:
        super().__init__(model)
        self.district = district
        self.orientation = float(orientation)
        self.channels = {c: (c in channels) for c in CHANNELS}
        self.short_months = dict.fromkeys(CHANNELS, 0)
        self.spare_months = dict.fromkeys(CHANNELS, 0)
        self.event_next_month = False

    @property
    def is_creative(self) -> bool:
        """True when the orientation is at or above the mode cut (MODEL 5.11)."""
        return self.orientation >= self.model.params.associations.mode_cut

    def run_channels(self, hours: float) -> float:
        """Spend volunteer ``hours`` on channel upkeep; lapse or relaunch channels.

        Returns:
            The hours left for events.
        """
        p: Params = self.model.params
        c = p.communication
        for name in CHANNELS:
            upkeep = getattr(c, f"upkeep_{name}_hours")
            if self.channels[name]:
                if hours >= upkeep:
                    hours -= upkeep
                    self.short_months[name] = 0
                else:
                    self.short_months[name] += 1
                    if self.short_months[name] >= c.lapse_grace_months:
                        self.channels[name] = False
                        self.short_months[name] = 0
                        self.model.log_event(self.district, "channel_lapse", name)
            elif self.model.channel_wanted[self.district, CHANNELS.index(name)]:
                if hours >= c.relaunch_margin * upkeep:
                    self.spare_months[name] += 1
                    if self.spare_months[name] >= c.lapse_grace_months:
                        self.channels[name] = True
                        self.spare_months[name] = 0
                        hours -= upkeep
                        self.model.log_event(self.district, "channel_relaunch", name)
                else:
                    self.spare_months[name] = 0
        return hours

    def plan_event(self, hours_left: float, month: int, u: float) -> None:
        """Decide whether to hold an event next month (needs hours and a place or a festival slot)."""
        a = self.model.params.associations
        has_place = self.model.meeting_places[self.district] > 0
        festival = self.is_creative and is_festival_month(month + 1, a.festival_months)
        rate = a.events_per_year_creative if self.is_creative else a.events_per_year_traditional
        self.event_next_month = bool(hours_left >= a.event_hours and (has_place or festival) and u < rate / 12.0)

    def drift(self, mean_active_orientation: float) -> None:
        """Move the orientation toward the active members' mean (rate omega per year)."""
        if np.isfinite(mean_active_orientation):
            self.orientation += self.model.rates.omega * (mean_active_orientation - self.orientation)

