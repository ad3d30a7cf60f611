"""The district model: a ``mesa.Model`` that wires the submodels and runs the monthly schedule.

Residents are a vectorised population (:mod:`districtsim.residents`) with ties in scipy.sparse
(:mod:`districtsim.network`), their hottest passes compiled (:mod:`districtsim.kernels`);
district state is a struct of arrays (:mod:`districtsim.districts`), as are the local firms
(:mod:`districtsim.orgs.firms`); associations, outside actors and funders are Mesa agents
(:mod:`districtsim.orgs`, :mod:`districtsim.program`). Each phase of the month is a
``step(model, t)`` function in the module of its submodel, whose docstring says what it reads
and writes. Every random draw comes from a named stream of one root seed
(:mod:`districtsim.rng`).
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from districtsim import (
    communication,
    housing,
    migration,
    mobilisation,
    modes,
    partnerships,
    recording,
    reputation,
    stocks,
)
from districtsim.criteria import criteria_frame
from districtsim.districts import Districts
from districtsim.initialisation import initialise
from districtsim.orgs import associations, firms
from districtsim.rates import MonthlyRates
from districtsim.results import Recorder
from districtsim.rng import Streams
from districtsim.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    import scipy.sparse as sp

    from districtsim.interventions import InterventionRunner
    from districtsim.network import Ties
    from districtsim.orgs.associations import Association, SlotTable
    from districtsim.orgs.firms import LocalFirms
    from districtsim.orgs.partners import OutsideActor, Partnership
    from districtsim.program import ProgramYear
    from districtsim.residents import Blocks, Residents

MOVED_TO_DISTRICTS = frozenset(f.name for f in dataclasses.fields(Districts))
"""District state that was an attribute of the model before 0.2 (now ``model.districts.<name>``)."""


class DistrictModel(mesa.Model):
    """Districts, residents and their organisations over monthly steps.

    Args:
        scenario: A validated scenario; None loads the default city.
        seed: Root seed; None takes the scenario's seed.
    """

    residents: Residents
    districts: Districts
    blocks: Blocks
    block_start: np.ndarray
    ties: Ties
    adjacency: sp.csr_matrix
    near: np.ndarray
    firms: LocalFirms
    all_associations: list[Association]
    associations: list[Association]
    slots: SlotTable
    outside_actors: list[OutsideActor]
    program: ProgramYear
    interventions: InterventionRunner
    reach_index: np.ndarray
    tie_code: np.ndarray  # buffer of kernels.reach
    log_city_price0: float
    participation0: np.ndarray  # per district, the initial fixed point (initialisation)

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None) -> None:
        scenario = scenario if scenario is not None else load_scenario()
        seed = scenario.seed if seed is None else int(seed)
        self.streams = Streams(seed)
        super().__init__(rng=self.streams.get("mesa"))
        self.seed = seed
        self.config = scenario
        """The districtsim scenario this model runs (Mesa keeps its own object in ``scenario``)."""
        self.params = scenario.params
        self.scale = scenario.scale
        self.horizon = scenario.months
        self.month = 0
        self.names = [d.name for d in scenario.districts]
        self.n_districts = len(self.names)
        self.rates = MonthlyRates.from_params(self.params)
        self.income_index = 1.0
        """Every resident's income relative to month 0 (the wage trend)."""
        self.displaced_persons = 0.0
        """This month's moves attributed to housing burden, city-wide (persons)."""
        self.innovation_months: list[np.ndarray] = []
        """Innovations per district, one array per month so far."""
        self.partnerships_formed: dict[tuple[int, int], int] = {}
        """Outside partnerships formed per (district, month): each gets its own random stream."""
        self.event_log: list[dict[str, Any]] = []
        self.recorder = Recorder(self.horizon, self.names)
        self.criteria_rows: list[dict[str, np.ndarray]] = []
        self.criteria_years: list[int] = []
        initialise(self)

    def step(self) -> None:
        """Advance one month through the phases of MODEL section 3, in this order.

        1. calendar: this month's stage of the innovation-platform program year;
        2. scheduled shocks and interventions take effect;
        3. communication: channels, events and ties reach residents;
        4. mobilisation: reached residents take part by the threshold rule;
        5. associations: membership, volunteers, channel upkeep, events, orientation;
        6. partnerships with outside firms, research institutes and local firms; innovations;
        7. stocks: collective knowledge, competence network, identity, liveability;
        8. reputation and attractiveness;
        9. housing market: prices;
        10. migration of residents; entry and exit of local firms;
        11. operating mode of each district; observation (and the criteria table at the end of
            each program year).

        Each phase is a ``step(model, t)`` function of its submodel's module (the call in the
        body below); ``docs/ODD.md`` section 3 tabulates what each reads and writes.
        """
        t = self.month
        self.interventions.before_calendar(t)
        self.program.step(t)
        reputation.apply_shocks(self, t)
        self.interventions.step(t)
        communication.step(self, t)
        mobilisation.step(self, t)
        associations.step(self, t)
        partnerships.step(self, t)
        stocks.step(self, t)
        reputation.step(self, t)
        housing.step(self, t)
        migration.step(self, t)
        firms.step(self, t)
        modes.step(self, t)
        recording.step(self, t)
        self.month += 1
        if self.month >= self.horizon:
            self.running = False

    def log_event(
        self, district: int | None, kind: str, detail: str = "", value: float = float("nan")
    ) -> None:
        """Append an event (channel lapse, shock, mode transition, ...) to the event log."""
        name = None if district is None else self.names[district]
        row = {"month": self.month, "district": name, "event": kind, "detail": detail}
        self.event_log.append({**row, "value": value})

    def form_partnership(self, d: int, matched: bool = False) -> Partnership | None:
        """Partner district ``d`` with a free outside actor.

        See :func:`partnerships.form_partnership`.
        """
        return partnerships.form_partnership(self, d, matched)

    def __getattr__(self, name: str) -> Any:
        """Forward the pre-0.2 names of district state (``model.identity``, ``model.spec``, ...).

        Deprecated: they warn and will be removed; use ``model.districts.<name>`` and
        ``model.config``.
        """
        districts = self.__dict__.get("districts")
        if name in MOVED_TO_DISTRICTS and districts is not None:
            new = f"model.districts.{name}"
        elif name == "spec" and "config" in self.__dict__:
            new = "model.config"
        else:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        warnings.warn(f"model.{name} is deprecated; use {new}", DeprecationWarning, stacklevel=2)
        return self.config if name == "spec" else getattr(districts, name)

    def criteria_table(self) -> pd.DataFrame:
        """Return the criteria table: a row per district and completed program year (MODEL 5.10)."""
        return criteria_frame(self.criteria_rows, self.criteria_years, self.names)
