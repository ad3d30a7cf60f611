"""Interventions in innovation policy: the program's call, its services and its funding.

- ``program``: the innovation-platform call runs in a window of program years,
  with ``[program]`` settings of its own.
- ``matchmaking``: partnerships with free outside firms or research institutes.
- ``coaching``: associations' orientation moved toward the future.
- ``continuation_funding``: platforms' continuation funding cut or restored.

The two program types change the ``[program]`` settings in force through
:meth:`~districtsim.interventions.base.Intervention.program_settings`; the
scenario's parameters are never replaced. ``docs/interventions.md`` describes
each type's mechanism in the model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from districtsim.calendar import program_year
from districtsim.interventions.base import Intervention, State, register
from districtsim.params import ASSOCIATION_KINDS, Program, param
from districtsim.rates import annual_rate_to_monthly
from districtsim.validation import check_param_value

if TYPE_CHECKING:
    from districtsim.model import DistrictModel

SET_BY_WINDOW = ("enabled", "last_call_year")
"""``[program]`` keys a program intervention sets from its window (not given in its table)."""


@register
@dataclass(frozen=True, kw_only=True)
class InnovationProgram(Intervention):
    """The innovation-platform call runs in program years from the start month's.

    The last call is in the program year of the month before the end month
    (to the end of the run without one). The table may give any ``[program]``
    key except ``enabled`` and ``last_call_year``, checked against the
    parameter declarations; they stay in force after the window, for the
    platforms selected in it. City-wide.

    Attributes:
        changes: The ``[program]`` settings the table gave, sorted by name.
    """

    type: ClassVar[str] = "program"
    focus_outcomes: ClassVar[tuple[str, ...]] = (
        "innovations",
        "commercial_value_eur",
        "price_gini",
    )
    city_wide: ClassVar[bool] = True
    before_program_year: ClassVar[bool] = True

    changes: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def setting_names(cls) -> tuple[str, ...]:
        """Return the ``[program]`` keys a table may give (all but those set by the window)."""
        return tuple(f.name for f in dataclasses.fields(Program) if f.name not in SET_BY_WINDOW)

    @classmethod
    def check_settings(cls, row: dict[str, Any], file: str, where: str) -> dict[str, Any]:
        """Return the given ``[program]`` keys, checked against their parameter declarations."""
        values = {
            name: check_param_value(Program, name, row[name], file, f"{where}.{name}")
            for name in cls.setting_names()
            if name in row
        }
        return {"changes": tuple(sorted(values.items()))}

    @classmethod
    def settings_doc(cls) -> str:
        """Return the settings as the types table lists them: any ``[program]`` key but two."""
        keys = " and ".join(f"`{k}`" for k in SET_BY_WINDOW)
        return f"any `[program]` key except {keys} (the scenario's values)"

    def given_settings(self) -> dict[str, Any]:
        """Return the ``[program]`` settings the table gave."""
        return dict(self.changes)

    def program_settings(self, settings: Program, t: int) -> Program:
        """Enable the program, with its last call year and its own settings, from the start on."""
        last = (
            program_year(self.end_month - 1)
            if self.end_month is not None
            else settings.last_call_year
        )
        return dataclasses.replace(
            settings, enabled=True, last_call_year=last, **dict(self.changes)
        )

    def start(self, model: DistrictModel, state: State) -> None:
        """(Re)start the program year and its funders with the settings now in force."""
        model.program.start()


@register
@dataclass(frozen=True, kw_only=True)
class Matchmaking(Intervention):
    """Partnerships for each target district at the start and every ``every_months`` months.

    Each round gives each target district ``partners`` partnerships with free
    outside firms or research institutes, as at the program's kick-off.
    """

    type: ClassVar[str] = "matchmaking"
    focus_outcomes: ClassVar[tuple[str, ...]] = ("innovations", "commercial_value_eur")

    partners: int = param(
        1,
        "partnerships per target district and round",
        1,
        10,
        "as the program's kick-off matchmaking (program.matchmaking_partners) [S1]",
    )
    every_months: int = param(
        12, "months between rounds", 1, 1200, "one round a program year, like the call"
    )

    def month(self, model: DistrictModel, t: int, state: State) -> None:
        """Form the partnerships in the start month and every ``every_months`` after it."""
        if (t - self.start_month) % self.every_months != 0:
            return
        for district in state.districts:
            for _ in range(self.partners):
                model.form_partnership(int(district), matched=True)


@register
@dataclass(frozen=True, kw_only=True)
class Coaching(Intervention):
    """The target districts' associations of ``kind`` move their orientation each month.

    They move toward ``toward`` by ``shift_per_year / 12`` a month (not past it).
    """

    type: ClassVar[str] = "coaching"
    focus_outcomes: ClassVar[tuple[str, ...]] = ("participation_rate", "identity", "innovations")

    kind: str = param(
        "district_association",
        "|".join(ASSOCIATION_KINDS),
        None,
        None,
        "the lead association sets the district's mode and applies to the call [S5]",
    )
    shift_per_year: float = param(
        0.1,
        "orientation units/year",
        0,
        1,
        "assumption: a slow change, comparable to the drift toward the members [S5]",
    )
    toward: float = param(1.0, "orientation", 0, 1, "coaching toward the future (creative) [S5]")

    def month(self, model: DistrictModel, t: int, state: State) -> None:
        """Move each coached association's orientation one month's shift toward the goal."""
        step = annual_rate_to_monthly(self.shift_per_year)
        for x in model.all_associations:
            if x.kind == self.kind and x.district in state.districts:
                gap = self.toward - x.orientation
                x.orientation += float(np.sign(gap) * min(step, abs(gap)))


@register
@dataclass(frozen=True, kw_only=True)
class ContinuationFunding(Intervention):
    """Continuation funding cut (probability 0) or restored while it lasts. City-wide.

    The continuation probability in force returns to what it was at the end month.
    """

    type: ClassVar[str] = "continuation_funding"
    focus_outcomes: ClassVar[tuple[str, ...]] = ("innovations", "commercial_value_eur")
    city_wide: ClassVar[bool] = True
    before_program_year: ClassVar[bool] = True

    action: str = param(
        "cut", "cut|restore", None, None, "the question is what a cut does (P4) [S3]"
    )
    probability: float = param(
        1.0,
        "probability",
        0,
        1,
        "restored funding: certain continuation, the opposite of a cut",
    )

    def program_settings(self, settings: Program, t: int) -> Program:
        """While in force: the continuation probability is 0 (cut) or ``probability``."""
        if not self.active(t):
            return settings
        p = 0.0 if self.action == "cut" else self.probability
        return dataclasses.replace(settings, continuation_probability=p)
