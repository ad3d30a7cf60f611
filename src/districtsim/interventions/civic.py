"""Interventions in civic infrastructure: meeting places and communication channels.

- ``meeting_place``: meeting places (resident houses) opened or closed.
- ``channel``: a channel launched (paid for, or run by the lead association)
  or closed.

``docs/interventions.md`` describes each type's mechanism in the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from districtsim.interventions.base import Intervention, State, register
from districtsim.params import CHANNELS, REQUIRED, param

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


@register
@dataclass(frozen=True, kw_only=True)
class MeetingPlace(Intervention):
    """Meeting places opened in each target district (negative: closed, not below 0).

    The change actually made is undone at the end month.
    """

    type: ClassVar[str] = "meeting_place"
    focus_outcomes: ClassVar[tuple[str, ...]] = ("participation_rate", "identity", "liveability")

    change: int = param(
        1,
        "meeting places opened (negative: closed)",
        -100,
        100,
        "one resident house, the unit a city opens or closes [S1]",
    )

    def start(self, model: DistrictModel, state: State) -> None:
        """Open (or close) the places; keep the change made for the end."""
        d = state.districts
        before = model.districts.meeting_places[d].copy()
        model.districts.meeting_places[d] = np.maximum(before + self.change, 0)
        state.saved = model.districts.meeting_places[d] - before

    def end(self, model: DistrictModel, state: State) -> None:
        """Undo the change made at the start (not below 0)."""
        d = state.districts
        model.districts.meeting_places[d] = np.maximum(
            model.districts.meeting_places[d] - state.saved, 0
        )


@register
@dataclass(frozen=True, kw_only=True)
class Channel(Intervention):
    """A communication channel launched by the lead association, or closed.

    ``launch``: the target districts' lead associations run the channel
    (``funded``: paid for, needing no volunteer hours and unable to lapse while
    the intervention lasts); at the end it becomes the lead's own. ``close``:
    the channel stops in every association of the target districts and is not
    restarted while the intervention lasts.
    """

    type: ClassVar[str] = "channel"
    focus_outcomes: ClassVar[tuple[str, ...]] = ("participation_rate", "identity", "reputation")

    channel: str = param(REQUIRED, "|".join(CHANNELS), None, None, "the channel is the choice")
    action: str = param(
        "launch", "launch|close", None, None, "launching is the usual measure [S1, S2]"
    )
    funded: bool = param(
        True,
        "switch",
        None,
        None,
        "a launched channel is paid for: no volunteer hours, no lapse while it lasts [S2]",
    )

    def start(self, model: DistrictModel, state: State) -> None:
        """Launch the channel in the lead associations, or close it in every association."""
        d = state.districts
        if self.action == "launch":
            for x in (model.associations[i] for i in d):
                x.channels[self.channel] = x.wanted[self.channel] = True
                if self.funded:
                    x.funded_channels.add(self.channel)
            return
        for x in model.all_associations:
            if x.district in d:
                x.closed_channels.add(self.channel)
                x.channels[self.channel] = False

    def end(self, model: DistrictModel, state: State) -> None:
        """Stop paying for (or stop keeping closed) the channel; the associations decide again."""
        for x in model.all_associations:
            if x.district in state.districts:
                x.funded_channels.discard(self.channel)
                x.closed_channels.discard(self.channel)
