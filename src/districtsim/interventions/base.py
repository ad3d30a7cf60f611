"""The intervention base class, the registry of types and the validation of their tables.

An intervention type is one frozen dataclass, a subclass of
:class:`Intervention` registered with :func:`register` under its ``type``
string. It declares its settings as fields with
:func:`districtsim.params.param` (default, unit, range, source or reason),
just as the model's parameters are declared, and the ``[[interventions]]``
tables are validated against those declarations. Its behaviour is in hooks
the :class:`~districtsim.interventions.runner.InterventionRunner` calls:
``start``, ``month`` (each month while it lasts) and ``end``, plus narrowly
named contributions the model asks for without knowing the type
(:meth:`Intervention.added_places`, :meth:`Intervention.program_settings`,
:meth:`Intervention.rent_rise_cap_per_year`).

The scenario holds the validated instances, which never change; what one run
needs to remember (the target districts resolved at the start month, what the
start saved for the end) is in a :class:`State` the runner keeps per run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from districtsim.errors import ScenarioError
from districtsim.validation import (
    check_month,
    check_param_value,
    check_scalar,
    check_table,
    declared_field,
    declared_kind,
    describe_declared,
    one_of,
)

if TYPE_CHECKING:
    from districtsim.model import DistrictModel
    from districtsim.params import Program

SELECTORS = ("all", "traditional", "creative")
"""Values of ``select``: every district, or those in that operating mode at the start month.

Creative includes innovation platforms.
"""

COMMON_KEYS = (
    "type",
    "start_month",
    "end_month",
    "start_year",
    "end_year",
    "districts",
    "select",
)
"""Keys every ``[[interventions]]`` table may have besides the type's settings."""

Places = tuple[int, np.ndarray, float, float]
"""Places added at set-up: (count, built month of each, share owner, share social)."""

TYPES: dict[str, type[Intervention]] = {}
"""The registered intervention types: ``type`` string -> class, in registration order."""


@dataclass
class State:
    """One intervention's state in one run (kept by the runner, not by the scenario).

    Attributes:
        districts: Indices of the target districts, resolved at the start month.
        saved: What the start hook keeps for the end hook (e.g. the change made).
    """

    districts: np.ndarray
    saved: Any = None


@dataclass(frozen=True, kw_only=True)
class Intervention:
    """One validated ``[[interventions]]`` table: when, where, and its type's settings.

    Subclass it (as a frozen, keyword-only dataclass) once per type, set
    :attr:`type`, declare the settings with :func:`districtsim.params.param`
    and override the hooks the type needs; then :func:`register` it.

    Attributes:
        start_month: First month in force.
        end_month: First month no longer in force; None: to the end of the run.
        districts: Names of the target districts (empty when ``select`` is set).
        select: ``all``, ``traditional`` or ``creative``; None when ``districts`` is set.
        index: Position of the table in the scenario's ``[[interventions]]`` list.
        given: Names of the settings the table gave (the others take their default).
    """

    type: ClassVar[str] = ""
    """The ``type`` string of the tables this class reads."""
    city_wide: ClassVar[bool] = False
    """True if the target must be ``select = "all"``."""
    focus_outcomes: ClassVar[tuple[str, ...]] = ()
    """The outcomes of ``districtsim compare`` this type is about: a comparison of a scenario
    with it reports them first (unless the scenario states its own ``focus_outcomes``)."""
    before_program_year: ClassVar[bool] = False
    """True to start and end just before the program year's stage (phase 1), not in phase 2."""

    start_month: int
    end_month: int | None = None
    districts: tuple[str, ...] = ()
    select: str | None = None
    index: int = 0
    given: tuple[str, ...] = ()

    # ------------------------------------------------------------ settings
    @classmethod
    def setting_names(cls) -> tuple[str, ...]:
        """Return the names of the declared settings (fields declared with ``param``)."""
        return tuple(f.name for f in dataclasses.fields(cls) if "unit" in f.metadata)

    @classmethod
    def check_settings(cls, row: dict[str, Any], file: str, where: str) -> dict[str, Any]:
        """Return the settings given in ``row``, checked against the declarations.

        A setting declared without a default (``REQUIRED``) must be given.

        Raises:
            ScenarioError: Naming ``file``, the key (``where.name``), the value and
                what is expected.
        """
        values: dict[str, Any] = {}
        for name in cls.setting_names():
            if name in row:
                values[name] = check_param_value(cls, name, row[name], file, f"{where}.{name}")
            elif _is_required(declared_field(cls, name)):
                expected = f"a value for {name} ({describe_declared(cls, name)})"
                raise ScenarioError(file, f"{where}.{name}", None, expected)
        return {**values, "given": tuple(sorted(values))}

    @classmethod
    def settings_doc(cls) -> str:
        """Return the settings as the types table of ``docs/interventions.md`` lists them.

        Each setting: its name, its default (or ``required``) and its range or
        choices, e.g. ``change`` (1; -100..100). A test checks the table.
        """
        return ", ".join(_setting_doc(cls, name) for name in cls.setting_names())

    def check(self, file: str, where: str) -> None:
        """Check rules that involve more than one setting (none by default).

        Raises:
            ScenarioError: Naming ``file``, the key and what is expected.
        """

    def given_settings(self) -> dict[str, Any]:
        """Return the settings the table gave, by name (sorted)."""
        return {name: getattr(self, name) for name in self.given}

    def active(self, t: int) -> bool:
        """Return True in months from the start month up to (not including) the end month."""
        return t >= self.start_month and (self.end_month is None or t < self.end_month)

    def to_dict(self) -> dict[str, Any]:
        """Return the table as plain data (for meta.json): only the settings it gave."""
        out: dict[str, Any] = {"type": self.type, "start_month": self.start_month}
        if self.end_month is not None:
            out["end_month"] = self.end_month
        if self.select is not None:
            out["select"] = self.select
        else:
            out["districts"] = list(self.districts)
        out.update(self.given_settings())
        return out

    def describe(self, months: int | None = None) -> str:
        """Return the intervention in words: type, districts, months and settings."""
        return describe_intervention(self.to_dict(), months)

    # --------------------------------------------------------------- hooks
    def start(self, model: DistrictModel, state: State) -> None:
        """Take effect in the start month (after the targets are resolved into ``state``)."""

    def month(self, model: DistrictModel, t: int, state: State) -> None:
        """Act in month ``t``, each month while in force (the start month included)."""

    def end(self, model: DistrictModel, state: State) -> None:
        """Stop in the end month (never called when the intervention lasts to the end)."""

    def added_places(
        self, names: list[str], persons_per_dwelling: float, scale: float
    ) -> list[tuple[int, Places]]:
        """Return the places this intervention adds at set-up, as (district index, places).

        Args:
            names: The district names, in district order.
            persons_per_dwelling: Persons' places per dwelling.
            scale: The run's scale (simulated share of residents).
        """
        return []

    def program_settings(self, settings: Program, t: int) -> Program:
        """Return the ``[program]`` settings in force in month ``t``, given those before this one.

        Called, for interventions that have started, in order of start month
        (then of the table), so the one started last wins.
        """
        return settings

    def rent_rise_cap_per_year(self) -> float | None:
        """Return the cap on private renters' yearly cost rise in the targets while in force.

        None (the default): this intervention caps nothing.
        """
        return None


def _setting_doc(cls: type[Intervention], name: str) -> str:
    f = declared_field(cls, name)
    if _is_required(f):
        default = "required"
    elif isinstance(f.default, bool):
        default = str(f.default).lower()
    elif isinstance(f.default, str):
        default = f'`"{f.default}"`'
    else:
        default = str(f.default)
    lo, hi, unit = f.metadata["lo"], f.metadata["hi"], f.metadata["unit"]
    if declared_kind(cls, name) is str:
        limits = ", ".join(f"`{c}`" for c in unit.split("|"))
    elif lo is not None or hi is not None:
        limits = f"{'' if lo is None else lo}..{'' if hi is None else hi}"
    else:
        return f"`{name}` ({default})"
    return f"`{name}` ({default}; {limits})"


def _is_required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


# ------------------------------------------------------------------ registry
def register(cls: type[Intervention]) -> type[Intervention]:
    """Register an intervention class under its ``type`` string (a class decorator).

    Raises:
        ValueError: If the class has no ``type`` or the type is already registered.
    """
    if not cls.type:
        raise ValueError(f"{cls.__name__} must set the class attribute `type`")
    if cls.type in TYPES:
        raise ValueError(f"intervention type {cls.type!r} is already registered")
    TYPES[cls.type] = cls
    return cls


def unregister(type_name: str) -> None:
    """Remove a registered intervention type (a test's own type, when the test ends)."""
    del TYPES[type_name]


@contextmanager
def registered(cls: type[Intervention]) -> Iterator[type[Intervention]]:
    """Register ``cls`` for the duration of a ``with`` block, then remove it."""
    register(cls)
    try:
        yield cls
    finally:
        unregister(cls.type)


# ---------------------------------------------------------------- validation
def check_interventions(
    rows: Any, file: str, names: list[str], months: int
) -> tuple[Intervention, ...]:
    """Validate ``[[interventions]]`` tables into instances of their registered types.

    Args:
        rows: The parsed list of tables.
        file: The scenario file, for messages.
        names: The scenario's district names.
        months: The horizon: the start month must fall within it.

    Raises:
        ScenarioError: One line naming the file, the key (``interventions[2].change``),
            the value found and what is expected.
    """
    if not isinstance(rows, list):
        raise ScenarioError(file, "interventions", rows, "a list of [[interventions]] tables")
    return tuple(_check_one(row, i, file, names, months) for i, row in enumerate(rows))


def _check_one(row: Any, i: int, file: str, names: list[str], months: int) -> Intervention:
    where = f"interventions[{i}]"
    row = check_table(row, file, where)
    kind = row.get("type")
    if kind not in TYPES:
        expected = one_of(kind, TYPES, "an intervention type")
        raise ScenarioError(file, f"{where}.type", kind, expected)
    cls = TYPES[kind]
    allowed = cls.setting_names()
    for key in row:
        if key not in COMMON_KEYS and key not in allowed:
            expected = one_of(
                key, [*COMMON_KEYS[1:], *allowed], f"a setting of a {kind} intervention"
            )
            raise ScenarioError(file, f"{where}.{key}", row[key], expected)
    start, end = _check_window(row, file, where, months)
    districts, select = _check_target(row, file, where, names)
    if cls.city_wide and select != "all":
        found = select if select else list(districts)
        expected = f'select = "all" (a {kind} intervention is city-wide)'
        raise ScenarioError(file, f"{where}.select", found, expected)
    iv = cls(
        start_month=start,
        end_month=end,
        districts=districts,
        select=select,
        index=i,
        **cls.check_settings(row, file, where),
    )
    iv.check(file, where)
    return iv


def _check_window(
    row: dict[str, Any], file: str, where: str, months: int
) -> tuple[int, int | None]:
    """Return the start month (within the horizon) and the end month (after it, or None).

    The window is given in months (``start_month``, ``end_month``: month 0 is October of
    year 0) or in years (``start_year = 4``: from the start of year 4, month 48;
    ``end_year = 8``: to the end of year 7, end_month 96), not both. Years count from 0 as
    months do (``docs/outputs.md``, "Months and years"); a year is 12 months.
    """
    row = _years_as_months(row, file, where, months)
    start = check_month(row.get("start_month"), months, file=file, key=f"{where}.start_month")
    if "end_month" not in row:
        return start, None
    what = (
        f"a month after start_month, {start + 1}..1200 "
        "(at or beyond the horizon: to the end of the run)"
    )
    end = check_scalar(
        row["end_month"], int, start + 1, 1200, file=file, key=f"{where}.end_month", what=what
    )
    return start, end


def _years_as_months(row: dict[str, Any], file: str, where: str, months: int) -> dict[str, Any]:
    """Return ``row`` with ``start_year``/``end_year`` as months (``12 * year`` each).

    Like ``end_month``, ``end_year`` is the first year without the intervention.
    """
    out = dict(row)
    years = months // 12 + (months % 12 > 0)
    for year_key, month_key in (("start_year", "start_month"), ("end_year", "end_month")):
        if year_key not in row:
            continue
        if month_key in row:
            raise ScenarioError(
                file,
                f"{where}.{year_key}",
                row[year_key],
                f"either {year_key} or {month_key}, not both",
            )
        if year_key == "start_year":
            low, high = 0, years - 1
            what = f"a year of the run, 0..{high} (year 0 is months 0-11; start_month = 12 * year)"
        else:
            start = out.get("start_month")  # checked after this (check_month): maybe not a month
            low = start // 12 + 1 if type(start) is int else 1
            high = 100
            what = (
                f"the first year without it, {low}..{high} (end_year = 8 ends after year 7: "
                "end_month = 96)"
            )
        year = check_scalar(
            row[year_key], int, low, high, file=file, key=f"{where}.{year_key}", what=what
        )
        out[month_key] = 12 * year
    if "start_month" not in out:
        raise ScenarioError(
            file,
            f"{where}.start_month",
            None,
            "start_month (month 0 is October of year 0) or start_year (year 0 is the first; "
            "start_year = 4 is start_month = 48)",
        )
    return out


def _check_target(
    row: dict[str, Any], file: str, where: str, names: list[str]
) -> tuple[tuple[str, ...], str | None]:
    """Return the target: (district names, None) or ((), selector)."""
    if ("districts" in row) == ("select" in row):
        expected = (
            'exactly one of districts = ["name", ...] or '
            'select = "all" | "traditional" | "creative"'
        )
        found = row.get("districts", row.get("select"))
        raise ScenarioError(file, f"{where}.districts", found, expected)
    if "select" in row:
        select = row["select"]
        if select not in SELECTORS:
            expected = one_of(select, SELECTORS)
            raise ScenarioError(file, f"{where}.select", select, expected)
        return (), select
    target = row["districts"]
    target = [target] if isinstance(target, str) else target
    if not isinstance(target, list) or not target:
        expected = "a district name or a non-empty list of names"
        raise ScenarioError(file, f"{where}.districts", target, expected)
    for name in target:
        if name not in names:
            expected = one_of(name, names, "the name of a district in this scenario")
            raise ScenarioError(file, f"{where}.districts", name, expected)
    return tuple(target), None


def overrides(method: Callable[..., Any], cls: type[Intervention]) -> bool:
    """Return True if ``cls`` overrides the :class:`Intervention` hook ``method``."""
    return getattr(cls, method.__name__) is not method


def describe_window(start: int, end: int | None) -> str:
    """Return months ``start`` to ``end`` (exclusive; None: the run's end) in words."""
    return f"month {start} to the end" if end is None else f"months {start} to {end - 1}"


def describe_intervention(table: dict[str, Any], months: int | None = None) -> str:
    """Return an intervention table (as :meth:`Intervention.to_dict` gives it) in words.

    For example ``rent_cap in Kallio, Vallila, months 48 to 239 (from year 4);
    change = -0.1``: ``months`` is the horizon, the end when the table gives none.
    """
    select = table.get("select")
    if select == "all":
        where = "in every district"
    elif select is not None:
        where = f"in the districts {select} at the start"
    else:
        where = f"in {', '.join(table.get('districts', []))}"
    start = table["start_month"]
    end = table.get("end_month", months)
    window = describe_window(start, end)
    if start % 12 == 0:
        window += f" (from year {start // 12})"
    skip = {"type", "start_month", "end_month", "select", "districts"}
    settings = ", ".join(f"{k} = {v}" for k, v in table.items() if k not in skip)
    return f"{table['type']} {where}, {window}" + (f"; {settings}" if settings else "")
