"""Interventions in the housing market and the districts' image.

- ``housing``: dwellings built in the target districts.
- ``reputation_shock``: negative or positive publicity.
- ``rent_cap``: a cap on private renters' cost rise, against displacement.

``docs/interventions.md`` describes each type's mechanism in the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from districtsim.errors import ScenarioError
from districtsim.interventions.base import Intervention, Places, State, register
from districtsim.params import REQUIRED, param

if TYPE_CHECKING:
    from districtsim.model import DistrictModel


@register
@dataclass(frozen=True, kw_only=True)
class HousingConstruction(Intervention):
    """Dwellings built in each target district, completed evenly over ``over_months``.

    The places (dwellings x persons per dwelling, at the run's scale) exist
    from the first month as empty, unbuilt places, so a run with housing has
    more places than its baseline and its per-resident random draws differ.
    The tenure shares are ``share_owner``, ``share_social`` and the rest
    private rental. The target is ``districts`` or ``select = "all"``: the
    places are made at set-up, before any operating mode is known, so a
    selector by mode is refused when the scenario is loaded.
    """

    type: ClassVar[str] = "housing"
    focus_outcomes: ClassVar[tuple[str, ...]] = (
        "population",
        "price_eur_m2",
        "displacement_persons",
    )

    dwellings: int = param(
        REQUIRED, "dwellings per target district", 1, 1_000_000, "the size of the project"
    )
    over_months: int = param(
        12, "months", 1, 1200, "assumption: a project is completed within about a year"
    )
    share_owner: float = param(
        0.5, "share of the new dwellings", 0, 1, "assumption: a mixed new neighbourhood"
    )
    share_social: float = param(
        0.2, "share of the new dwellings", 0, 1, "assumption: a mixed new neighbourhood"
    )

    def check(self, file: str, where: str) -> None:
        """Check the target (no selector by mode) and that the shares leave a private share."""
        if self.select not in (None, "all"):
            expected = (
                'districts = [...] or select = "all" (housing is built at set-up, before '
                "operating modes are known)"
            )
            raise ScenarioError(file, f"{where}.select", self.select, expected)
        if self.share_owner + self.share_social > 1 + 1e-9:
            expected = "share_owner + share_social <= 1"
            raise ScenarioError(file, f"{where}.share_social", self.share_social, expected)

    def added_places(
        self, names: list[str], persons_per_dwelling: float, scale: float
    ) -> list[tuple[int, Places]]:
        """Return the new places of each target district, with their completion months."""
        n = int(round(self.dwellings * persons_per_dwelling * scale))
        if n == 0:
            return []
        built = (self.start_month + np.floor(np.arange(n) * self.over_months / n)).astype(np.int16)
        places = (n, built, float(self.share_owner), float(self.share_social))
        targets = self.districts if self.select is None else names
        return [(names.index(name), places) for name in targets]


@register
@dataclass(frozen=True, kw_only=True)
class ReputationShock(Intervention):
    """``change`` added to the target districts' reputation at the start month (0..1 kept).

    Reputation then relaxes toward its target with its half-life; the
    scenario-level ``[[shocks]]`` tables do the same.
    """

    type: ClassVar[str] = "reputation_shock"
    focus_outcomes: ClassVar[tuple[str, ...]] = ("reputation", "price_eur_m2", "population")

    change: float = param(
        REQUIRED, "reputation units, -1..1", -1, 1, "the size of the publicity, given by the table"
    )

    def start(self, model: DistrictModel, state: State) -> None:
        """Add the change to the targets' reputation, kept within 0..1."""
        d = state.districts
        model.districts.reputation[d] = np.clip(
            model.districts.reputation[d] + self.change, 0.0, 1.0
        )


@register
@dataclass(frozen=True, kw_only=True)
class RentCap(Intervention):
    """A private renter's cost follows the market price only up to a capped yearly rise.

    The rise counts since the renter moved in; owners and social renters are
    not affected. A measure against displacement (P7).
    """

    type: ClassVar[str] = "rent_cap"
    focus_outcomes: ClassVar[tuple[str, ...]] = (
        "displacement_persons",
        "price_eur_m2",
        "population",
    )

    max_increase_per_year: float = param(
        0.02,
        "largest rise of a private renter's housing cost a year since moving in (1/year)",
        0,
        1,
        "assumption: rises near inflation, as in rent regulation",
    )

    def rent_rise_cap_per_year(self) -> float | None:
        """Return the cap on the yearly rise."""
        return self.max_increase_per_year
