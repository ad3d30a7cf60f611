"""Outside actors: firms and research institutes as Mesa agents (MODEL 2, 5.5) [S1].

Firms have an interest in product development and commercialisation;
research institutes a research interest [S1]. Both form time-limited
partnerships with districts, up to a capacity. A partner brings outside
experts (competence network, external resources in persons) and its own
contribution in EUR (external resources) for as long as the partnership runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


@dataclass
class Partnership:
    """A time-limited partnership of an outside actor with a district."""

    partner: OutsideActor
    district: int
    start_month: int
    end_month: int
    matched: bool = False


class OutsideActor(mesa.Agent):
    """An actor outside the districts that can partner with them.

    Args:
        model: The model.
        interest: Weight of this actor when a district looks for a partner (0..1).
        capacity: Partnerships it can run at once.
    """

    kind = "outside_actor"

    def __init__(self, model: DistrictModel, interest: float, capacity: int) -> None:
        super().__init__(model)
        self.interest = float(interest)
        self.capacity = int(capacity)
        self.partnerships: list[Partnership] = []

    @property
    def is_free(self) -> bool:
        """True while the actor has capacity for another partnership."""
        return len(self.partnerships) < self.capacity

    def end_partnerships(self, month: int) -> list[Partnership]:
        """Drop the partnerships that end this month and return them."""
        ended = [p for p in self.partnerships if p.end_month <= month]
        self.partnerships = [p for p in self.partnerships if p.end_month > month]
        return ended


class OutsideFirm(OutsideActor):
    """A firm with an interest in product development and commercialisation [S1]."""

    kind = "outside_firm"


class ResearchInstitute(OutsideActor):
    """A university or research institute with a research interest [S1]."""

    kind = "research_institute"
