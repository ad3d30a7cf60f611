"""Running a model's interventions: their hooks month by month, and what they contribute.

The :class:`InterventionRunner` belongs to one model run. Each month it
starts, continues and ends the interventions (the city-wide program types
just before the program year's stage, the others in phase 2), logs every
start and end, and answers the model's questions without naming a type: the
``[program]`` settings in force (:meth:`InterventionRunner.program_settings`)
and the cap on private renters' cost rise per district
(:meth:`InterventionRunner.rent_rise_cap_per_year`). :func:`housing_places`
collects the places interventions add at set-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from districtsim.interventions.base import Intervention, Places, State, overrides

if TYPE_CHECKING:
    from districtsim.model import DistrictModel
    from districtsim.params import Program


def housing_places(
    interventions: tuple[Intervention, ...],
    names: list[str],
    persons_per_dwelling: float,
    scale: float,
) -> dict[int, list[Places]]:
    """Return, per district index, the places interventions add at set-up.

    Each entry is (count, built month of each place, share owner, share
    social), from :meth:`Intervention.added_places`, in the order of the
    scenario's tables.
    """
    out: dict[int, list[Places]] = {}
    for iv in interventions:
        for d, places in iv.added_places(names, persons_per_dwelling, scale):
            out.setdefault(d, []).append(places)
    return out


class InterventionRunner:
    """Applies a model's interventions month by month (phase 2) and collects their effects.

    Args:
        model: The model it belongs to.
        interventions: The scenario's validated interventions.
    """

    def __init__(self, model: DistrictModel, interventions: tuple[Intervention, ...]) -> None:
        self.model = model
        self.interventions = tuple(interventions)
        self.states: dict[int, State] = {}
        """State of each started intervention, by position in :attr:`interventions`."""
        by_start = sorted(range(len(self.interventions)), key=self._start_month)
        self._program_order = [
            i
            for i in by_start
            if overrides(Intervention.program_settings, type(self.interventions[i]))
        ]

    def _start_month(self, i: int) -> int:
        return self.interventions[i].start_month

    # ----------------------------------------------------------- schedule
    def before_calendar(self, t: int) -> None:
        """Start and end this month's program-year interventions, before its stage (phase 1).

        So a program intervention starting in October opens that October's
        call, and a continuation cut in force in September applies to that
        September's decision.
        """
        self._run(t, before_program_year=True)

    def step(self, t: int) -> None:
        """Start, continue and end this month's other interventions (phase 2)."""
        self._run(t, before_program_year=False)

    def _run(self, t: int, before_program_year: bool) -> None:
        for i, iv in enumerate(self.interventions):
            if iv.before_program_year != before_program_year:
                continue
            if iv.start_month == t:
                self.states[i] = State(self._resolve(iv))
                iv.start(self.model, self.states[i])
                self._log(iv, self.states[i], "intervention_start")
            if iv.active(t):
                iv.month(self.model, t, self.states[i])
            if iv.end_month == t:
                iv.end(self.model, self.states[i])
                self._log(iv, self.states[i], "intervention_end")

    def _resolve(self, iv: Intervention) -> np.ndarray:
        """Return the indices of the target districts now (a selector reads the modes)."""
        model = self.model
        if iv.select is None:
            return np.array([model.names.index(n) for n in iv.districts], dtype=np.intp)
        if iv.select == "all":
            return np.arange(model.n_districts, dtype=np.intp)
        want = (
            ("traditional",) if iv.select == "traditional" else ("creative", "innovation_platform")
        )
        return np.array(
            [d for d, mode in enumerate(model.districts.mode) if mode in want], dtype=np.intp
        )

    def _log(self, iv: Intervention, state: State, event: str) -> None:
        """Log one event per target district (value: the table's index).

        A city-wide intervention (``select = "all"``) logs one city event, district empty.
        """
        model = self.model
        if iv.select == "all":
            model.log_event(None, event, f"{iv.type} (all districts)", float(iv.index))
            return
        detail = iv.type + (f" (select {iv.select})" if iv.select else "")
        for d in state.districts:
            model.log_event(int(d), event, detail, float(iv.index))

    # ------------------------------------------------------ contributions
    def program_settings(self, settings: Program) -> Program:
        """Return the ``[program]`` settings in force this month.

        Args:
            settings: The scenario's settings (``model.params.program``, never changed).

        Returns:
            ``settings`` as changed by the interventions started so far, in
            order of start month (then of the table): the one started last wins.
        """
        t = self.model.month
        for i in self._program_order:
            iv = self.interventions[i]
            if iv.start_month <= t:
                settings = iv.program_settings(settings, t)
        return settings

    def rent_rise_cap_per_year(self) -> np.ndarray | None:
        """Return the cap on private renters' yearly cost rise per district, or None.

        Each intervention in force that caps rent rises
        (:meth:`Intervention.rent_rise_cap_per_year`) contributes its cap in its
        target districts; the lowest applies; inf where none does. None if no
        cap is in force this month.
        """
        t = self.model.month
        out = None
        for i, iv in enumerate(self.interventions):
            cap = iv.rent_rise_cap_per_year() if iv.active(t) else None
            if cap is None:
                continue
            if out is None:
                out = np.full(self.model.n_districts, np.inf)
            d = self.states[i].districts
            out[d] = np.minimum(out[d], cap)
        return out
