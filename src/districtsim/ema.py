"""EMA Workbench interop (the optional extra ``districtsim[ema]``): scenario discovery.

`EMA Workbench <https://emaworkbench.readthedocs.io>`_ 3 samples uncertainties and levers,
runs a model over them and finds, with PRIM or CART, the regions of the input space where an
outcome of interest happens. This module turns districtsim's own declarations into what the
workbench needs, so nothing is written twice:

- :func:`uncertainties`: one ``RealParameter`` (or ``IntegerParameter``) per behavioural
  parameter, over its plausible range (the ``plausible`` of its :func:`districtsim.params.param`
  declaration, ``docs/ODD.md`` section 10). Fixed parameters are refused: they have no range.
- :func:`levers_from_scenarios` and :func:`scenario_policies`: the intervention scenarios
  (bundled names or files) as one categorical lever, :data:`LEVER`; each value replaces the
  whole scenario (as a ``kind = "scenario"`` input of a sweep does) and the uncertainties
  apply on top of it.
- :func:`measure` and :func:`outcomes`: outcomes from the declared output columns
  (:mod:`districtsim.outputs`): a city or district column summarised over a program year as
  compare and sweeps summarise it (flows summed, states averaged), or the share of a year's
  months a district spends in given operating modes (``"mode_share"``).
- :func:`districtsim_model`: a ``ReplicatorModel`` whose function runs
  :func:`districtsim.run.run_scenario`. Sampled values go in through
  :meth:`~districtsim.scenario.Scenario.with_values` (numpy integers, floats and booleans are
  taken as the Python values they hold, and checked as ``--set`` checks them), replicate ``r``
  of every experiment runs on :func:`districtsim.rng.replicate_seed` ``(root_seed, r)`` (the
  common random numbers of sweeps and comparisons) and the outcomes come back as plain floats.

Names: EMA Workbench 3 wants Python identifiers, so the parameter ``mobilisation.theta_mean``
is the uncertainty ``mobilisation__theta_mean`` (:func:`ema_name`; :func:`parameter_path` goes
back). Its ``variable_name`` is the parameter path, which is what the model function receives.

The workbench is imported only when a function here needs it; without it they raise one
line naming ``pip install 'districtsim[ema]'``. Worked example (LHS, then PRIM on where the
traditional district's civic life collapses or it turns creative): ``experiments/ema_prim/``.
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from districtsim.calendar import program_year
from districtsim.errors import ScenarioError
from districtsim.modes import MODE_CODES
from districtsim.outputs import TABLES, Column
from districtsim.params import SECTIONS, param_rows
from districtsim.results import RunResult, yearly_values
from districtsim.rng import replicate_seed
from districtsim.run import run_scenario
from districtsim.scenario import Scenario, load_scenario, plain_value
from districtsim.validation import one_of

INSTALL = "pip install 'districtsim[ema]'"
"""How to install what this module needs (EMA Workbench 3)."""

LEVER = "intervention"
"""Name of the categorical lever over whole scenarios (:func:`levers_from_scenarios`)."""

MODE_SHARE = "mode_share"
"""The :func:`measure` variable that is not a column: the share of a year's months a district
spends in the given operating modes."""

SOURCE = "districtsim.ema"
"""What :class:`~districtsim.errors.ScenarioError` names as the origin of a bad value."""


KNOWN_WARNINGS: tuple[tuple[str, type[Warning]], ...] = (
    ("ipyparallel not installed", UserWarning),
    ("The inplace keyword in DataFrame.drop is deprecated", DeprecationWarning),
)
"""Warnings of EMA Workbench 3.0 that say nothing about the analysis (message start, category):
its import warns when ipyparallel, an optional parallel back end not used here, is missing;
its PRIM calls ``DataFrame.drop(inplace=True)``, which pandas 3.1 deprecates."""


@contextlib.contextmanager
def known_warnings_ignored() -> Iterator[None]:
    """Ignore :data:`KNOWN_WARNINGS` (only those) inside the block, e.g. around PRIM."""
    with warnings.catch_warnings():
        for message, category in KNOWN_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield


def workbench() -> ModuleType:
    """Return the ``ema_workbench`` module, or raise one line saying how to install it.

    Its import warns when ipyparallel is missing (:data:`KNOWN_WARNINGS`); that warning is
    ignored, so that a test run with warnings as errors can import it.

    Raises:
        ImportError: If EMA Workbench is not installed.
    """
    try:
        with known_warnings_ignored():
            import ema_workbench
    except ImportError:
        raise ImportError(
            f"districtsim.ema needs EMA Workbench 3 (ema_workbench), which is not installed: "
            f"{INSTALL}"
        ) from None
    return ema_workbench


def ema_name(path: str) -> str:
    """Return the EMA name (a Python identifier) of a parameter path: ``a.b`` -> ``a__b``."""
    return path.replace(".", "__")


def parameter_path(name: str) -> str:
    """Return the parameter path of an EMA name made by :func:`ema_name`: ``a__b`` -> ``a.b``."""
    return name.replace("__", ".", 1)


def uncertainties(
    names: Sequence[str] | None = None,
    *,
    sections: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> list[Any]:
    """Return EMA uncertainties over the plausible ranges of declared parameters.

    Args:
        names: Parameter paths (``"mobilisation.tau"``), in the order wanted. None takes
            every behavioural parameter (one with a plausible range) of ``sections``.
        sections: With ``names`` None, the parameter sections to take (default: all).
        exclude: Parameter paths to leave out.

    Returns:
        One ``RealParameter`` per real parameter and one ``IntegerParameter`` per integer
        one, named :func:`ema_name` of the path, with bounds the plausible range and
        ``variable_name`` the path.

    Raises:
        ScenarioError: For an unknown path or section, or a parameter declared ``fixed``
            (it has no plausible range: build its parameter by hand, with
            ``variable_name`` the path, if it must vary).
    """
    ema = workbench()
    rows = {f"{r['section']}.{r['name']}": r for r in param_rows()}
    for path in exclude:
        if path not in rows:
            raise ScenarioError(SOURCE, "exclude", path, one_of(path, rows, "a parameter path"))
    if names is None:
        chosen = list(SECTIONS) if sections is None else list(sections)
        for s in chosen:
            if s not in SECTIONS:
                raise ScenarioError(SOURCE, "sections", s, one_of(s, SECTIONS, "a section"))
        names = [
            p
            for p, r in rows.items()
            if r["section"] in chosen and r["plausible"] is not None and p not in exclude
        ]
    out = []
    for path in names:
        if path not in rows:
            raise ScenarioError(SOURCE, "names", path, one_of(path, rows, "a parameter path"))
        if path in exclude:
            continue
        row = rows[path]
        if row["plausible"] is None:
            raise ScenarioError(
                SOURCE,
                "names",
                path,
                f"a parameter with a plausible range; {path} is fixed "
                f"({row['plausible_reason']}), so it has no range to sample",
            )
        low, high = row["plausible"]
        if isinstance(row["default"], int) and not isinstance(row["default"], bool):
            out.append(ema.IntegerParameter(ema_name(path), low, high, variable_name=path))
        else:
            out.append(ema.RealParameter(ema_name(path), low, high, variable_name=path))
    return out


declared_uncertainties = uncertainties
""":func:`uncertainties` under a name :func:`districtsim_model`'s argument does not hide."""


def levers_from_scenarios(names: Sequence[str]) -> list[Any]:
    """Return one categorical lever, :data:`LEVER`, whose values are whole scenarios.

    Each value is a bundled scenario name (e.g. the intervention scenarios ``baseline``,
    ``resident_houses``, ``coaching``; ``src/districtsim/scenarios/README.md``) or a file;
    :func:`districtsim_model` loads each once. Switches of single interventions are not
    levers here: write one scenario file per policy to compare.

    Raises:
        ScenarioError: If fewer than two names are given, or a name repeats.
    """
    ema = workbench()
    names = list(names)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ScenarioError(SOURCE, "levers", names, "two or more different scenario names")
    return [ema.CategoricalParameter(LEVER, names)]


def scenario_policies(names: Sequence[str]) -> list[Any]:
    """Return one EMA policy (a ``Sample``) per scenario name, for :data:`LEVER`.

    Pass them as ``perform_experiments(model, scenarios=n, policies=scenario_policies(...))``
    to run every sampled scenario of the uncertainties under every policy (full factorial);
    the experiments' ``policy`` column then holds the scenario names.
    """
    ema = workbench()
    return [ema.Sample(name=n, **{LEVER: n}) for n in names]


@dataclass(frozen=True)
class Measure:
    """One scalar outcome of a run: a declared column (or the mode share) in one program year.

    Attributes:
        name: The EMA outcome name (a Python identifier).
        variable: A column of the city table (``district`` None) or of the district table,
            or :data:`MODE_SHARE`.
        district: The district, or None for the city table.
        year: Program year (0-based, months ``12y .. 12y + 11``); negative counts from the
            end (-1: the last, partial if the horizon is not whole years).
        modes: For :data:`MODE_SHARE`: the operating modes counted.
    """

    name: str
    variable: str
    district: str | None = None
    year: int = -1
    modes: tuple[str, ...] = ()

    def _column(self) -> Column:
        """Return the declared output column the measure reads (not for MODE_SHARE)."""
        return TABLES["city" if self.district is None else "district"][self.variable]

    @property
    def unit(self) -> str:
        """The unit of the value (the column's yearly unit, or a share of months)."""
        return "share of months" if self.variable == MODE_SHARE else self._column().yearly_unit

    @property
    def direction(self) -> str:
        """Whether more is better for residents (``higher``, ``lower`` or ``neither``)."""
        return "neither" if self.variable == MODE_SHARE else self._column().direction

    def value(self, result: RunResult) -> float:
        """Return the measure of one run as a plain float."""
        n_years = program_year(len(result.city) - 1) + 1
        year = self.year % n_years if -n_years <= self.year < n_years else None
        if year is None:
            raise ValueError(f"{self.name}: year {self.year} outside the run's {n_years} years")
        if self.variable == MODE_SHARE:
            d = result.districts
            rows = (d["district"].astype(str) == self.district) & (
                program_year(d["month"].to_numpy()) == year
            )
            return float(np.mean(d.loc[rows, "mode"].astype(str).isin(self.modes)))
        scope = "city" if self.district is None else "district"
        table = yearly_values(result, [(scope, self.variable)])
        row = table[(table["year"] == year) & (table["district"] == (self.district or ""))]
        return float(row["value"].iloc[0])


def measure(
    variable: str,
    district: str | None = None,
    *,
    year: int = -1,
    modes: Sequence[str] = (),
    name: str | None = None,
) -> Measure:
    """Return a :class:`Measure`, checked against the declared output columns.

    Examples: ``measure("price_gini")`` (the city's price Gini in the last year, its mean over
    the year's months); ``measure("participation_rate", "Kallio")``; ``measure("mode_share",
    "Traditional", modes=["creative", "innovation_platform"])`` (share of the last year's
    months the district operates creatively). A flow is summed over the year, a state
    averaged, as compare and sweeps do (``docs/outputs.md``).

    Args:
        variable: A column of the city table (no ``district``) or of the district table, or
            :data:`MODE_SHARE` (with ``district`` and ``modes``).
        district: A district name; None measures the city.
        year: Program year; -1 the last.
        modes: Operating modes counted by :data:`MODE_SHARE`.
        name: The outcome name; default ``variable`` (city) or ``variable__district``, with
            ``_yearN`` when ``year`` is not -1, made a Python identifier.

    Raises:
        ScenarioError: For an unknown column, a mode share without district or modes, or an
            unknown mode.
    """
    scope = "city" if district is None else "district"
    if variable == MODE_SHARE:
        if district is None or not modes:
            raise ScenarioError(
                SOURCE, "mode_share", modes, "a district and one or more operating modes"
            )
        for m in modes:
            if m not in MODE_CODES:
                raise ScenarioError(SOURCE, "modes", m, one_of(m, MODE_CODES, "a mode"))
    elif variable not in TABLES[scope]:
        what = f"a column of the {scope} table (docs/outputs.md)" + (
            f" or {MODE_SHARE}" if district is not None else ""
        )
        raise ScenarioError(SOURCE, "variable", variable, one_of(variable, TABLES[scope], what))
    if name is None:
        name = variable if district is None else f"{variable}__{district}"
        name = re.sub(r"\W", "_", name) + ("" if year == -1 else f"_year{year}")
    if not name.isidentifier():
        raise ScenarioError(SOURCE, "name", name, "a Python identifier (EMA Workbench 3)")
    return Measure(name, variable, district, int(year), tuple(modes))


def outcomes(measures: Sequence[Measure], aggregate: Callable[..., Any] | None = None) -> list[Any]:
    """Return the EMA outcomes of ``measures``.

    Args:
        measures: What to keep of each run.
        aggregate: None keeps every replicate: an ``ArrayOutcome`` per measure, an array of
            shape (experiments, replicates) in the results (``ema_workbench.
            process_replications`` averages them). A function of the replicates' values
            (e.g. ``np.mean``) gives a ``ScalarOutcome`` instead, to maximise or minimise
            when the column's direction says more or less is better for residents
            (:data:`districtsim.outputs.DIRECTIONS`), for optimisation over levers.
    """
    ema = workbench()
    if aggregate is None:
        return [ema.ArrayOutcome(m.name) for m in measures]
    kinds = {"higher": ema.ScalarOutcome.MAXIMIZE, "lower": ema.ScalarOutcome.MINIMIZE}
    return [
        ema.ScalarOutcome(
            m.name, kind=kinds.get(m.direction, ema.ScalarOutcome.INFO), function=aggregate
        )
        for m in measures
    ]


@dataclass(frozen=True)
class ScenarioFunction:
    """What EMA Workbench calls: one run of a scenario with sampled values and a seed.

    Picklable (the scenarios travel with it), so the workbench's multiprocessing evaluator
    can use it.

    Attributes:
        base: The scenario run when no lever value is given.
        arms: The lever's scenarios, by name (:data:`LEVER`).
        measures: The measures returned.
    """

    base: Scenario
    arms: tuple[tuple[str, Scenario], ...]
    measures: tuple[Measure, ...]

    def __call__(self, seed: Any, **values: Any) -> dict[str, float]:
        """Run one replicate; return ``{measure name: value}`` as plain floats.

        Args:
            seed: The run's root seed (:func:`districtsim.rng.replicate_seed`).
            **values: ``{"section.key": value}`` settings (numpy scalars accepted), and
                optionally :data:`LEVER`, the scenario to run.
        """
        scenario = self.base
        if LEVER in values:
            arm = plain_value(values.pop(LEVER))
            scenario = dict(self.arms)[arm]
        scenario = scenario.with_values(values, source="EMA Workbench")
        result = run_scenario(scenario, seed=int(plain_value(seed)))
        return {m.name: m.value(result) for m in self.measures}


def districtsim_model(
    scenario: str | Scenario,
    measures: Sequence[Measure],
    *,
    uncertainties: Sequence[Any] = (),
    levers: Sequence[str] = (),
    months: int | None = None,
    scale: float | None = None,
    replicates: int = 1,
    root_seed: int | None = None,
    aggregate: Callable[..., Any] | None = None,
    name: str = "districtsim",
) -> Any:
    """Return an EMA ``ReplicatorModel`` that runs districtsim.

    Args:
        scenario: The base scenario (a bundled name, a file, or a loaded scenario).
        measures: The outcomes (:func:`measure`).
        uncertainties: Parameter paths (made by :func:`uncertainties`, over their plausible
            ranges) or EMA parameters built by hand (``variable_name`` a parameter path or
            ``scenario.months`` / ``scenario.scale``).
        levers: Scenario names or files: the values of the lever :data:`LEVER`
            (:func:`levers_from_scenarios`); each replaces ``scenario``, which then only
            supplies the default. Every one must have the districts the measures name.
        months: The horizon of every run (default: each scenario's own).
        scale: The scale of every run (default: each scenario's own).
        replicates: Runs per experiment; replicate ``r`` uses seed
            ``replicate_seed(root_seed, r)`` at every experiment (common random numbers).
        root_seed: Default: the base scenario's seed.
        aggregate: See :func:`outcomes` (None keeps every replicate).
        name: The model's name (a Python identifier).

    Raises:
        ScenarioError: For a bad scenario, a district or year a scenario lacks, or a value
            out of range; ValueError for ``replicates`` under 1.
    """
    ema = workbench()
    if replicates < 1:
        raise ValueError(f"replicates must be 1 or more, got {replicates}")
    horizon = {"scenario.months": months} if months is not None else {}
    horizon |= {"scenario.scale": scale} if scale is not None else {}

    def prepared(ref: str | Scenario) -> Scenario:
        scen = ref if isinstance(ref, Scenario) else load_scenario(ref)
        scen = scen.with_values(horizon, source=SOURCE)
        names = [d.name for d in scen.districts]
        n_years = math.ceil(scen.months / 12)
        for m in measures:
            if m.district is not None and m.district not in names:
                raise ScenarioError(
                    scen.source or scen.name,
                    m.name,
                    m.district,
                    one_of(m.district, names, "the name of a district in this scenario"),
                )
            if not -n_years <= m.year < n_years:
                raise ScenarioError(
                    scen.source or scen.name, m.name, m.year, f"a year of 0..{n_years - 1} or -1"
                )
        return scen

    base = prepared(scenario)
    arms = tuple((n, prepared(n)) for n in levers)
    params = [
        p
        for u in uncertainties
        for p in (declared_uncertainties([u]) if isinstance(u, str) else [u])
    ]
    model = ema.ReplicatorModel(name, function=ScenarioFunction(base, arms, tuple(measures)))
    model.uncertainties = params
    if levers:
        model.levers = levers_from_scenarios(levers)
    model.outcomes = outcomes(measures, aggregate)
    seed0 = base.seed if root_seed is None else int(root_seed)
    model.replications = [{"seed": replicate_seed(seed0, r)} for r in range(replicates)]
    return model


__all__ = [
    "INSTALL",
    "KNOWN_WARNINGS",
    "LEVER",
    "MODE_SHARE",
    "Measure",
    "ScenarioFunction",
    "districtsim_model",
    "ema_name",
    "known_warnings_ignored",
    "levers_from_scenarios",
    "measure",
    "outcomes",
    "parameter_path",
    "scenario_policies",
    "uncertainties",
    "workbench",
]
