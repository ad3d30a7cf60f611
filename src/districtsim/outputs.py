"""Output columns declared once: name, unit, flow or state, city and yearly aggregation.

Every numeric column of ``districts.parquet`` and ``city.parquet`` is declared
here, in table order, as a frozen :class:`Column` (like the parameters of
:mod:`districtsim.params`). Everything else derives from these declarations:

- the district table (:class:`~districtsim.results.Recorder` preallocates and
  refuses a month whose values differ from :data:`DISTRICT_OUTPUTS`);
- the city table (:meth:`~districtsim.results.Recorder.city_frame` computes each
  :class:`CityColumn` by its ``how``);
- yearly summaries (:func:`~districtsim.results.yearly_values`, shared by
  ``districtsim compare`` and ``districtsim sweep``): a flow's year is the sum
  of its months, a state's year the mean of its months;
- the units of compared outcomes (:attr:`Column.yearly_unit`);
- ``docs/outputs.md``, whose district and city tables a test checks against
  these declarations (same columns, order, unit and kind).

Kinds (Starsim's rule: ``new_`` flows sum, states average):

- **flow**: counted over the month (moves, innovations, EUR paid this
  month); a year sums its months; the city sums the districts.
- **state**: the level at the end of the month (residents, prices,
  stocks); a year is the mean of its months; the city sums counts and takes
  population-weighted means of levels (see :data:`CITY_HOW`).

To add an output column: declare it below (and, if the city table should
show it, a :class:`CityColumn` built from it) and compute it in the model's
record phase; then document it in ``docs/outputs.md`` (a test says what is
missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from districtsim.residents import TENURES

Kind = Literal["flow", "state"]
Direction = Literal["higher", "lower", "neither"]
YearStat = Literal["sum", "mean"]
CityHow = Literal[
    "sum",
    "mean",
    "min",
    "max",
    "gini",
    "per_resident",
    "recorded",
    "mode_count",
    "start_mode_gap",
    "trailing_below",
]

FLOW: Kind = "flow"
STATE: Kind = "state"

YEAR_STAT: dict[str, YearStat] = {FLOW: "sum", STATE: "mean"}
"""How a program year summarises a column of each kind: flows sum, states average."""

CITY_HOW: dict[str, str] = {
    "sum": "sum over districts",
    "mean": "population-weighted mean over districts (0 while the city is empty)",
    "min": "lowest district value",
    "max": "highest district value",
    "gini": "Gini coefficient over districts, each weighted by its population",
    "per_resident": "city total of the source column divided by the city's population",
    "recorded": "recorded for the city by the model (not from the district table)",
    "mode_count": "number of districts whose operating mode is the source",
    "start_mode_gap": (
        "population-weighted mean of the source over the districts creative in month 0 minus that "
        "over the districts traditional in month 0 (empty if either group is)"
    ),
    "trailing_below": (
        "number of districts whose source, averaged over the last 12 recorded months (fewer at "
        "the start), is below QUIET_PARTICIPATION"
    ),
}
"""How a city column is computed from the districts (:attr:`CityColumn.how`)."""

DIRECTIONS: dict[str, str] = {
    "higher": "more is better for the district's residents",
    "lower": "less is better for the district's residents",
    "neither": "neither: good for some residents and bad for others, or a size, not a good",
}
"""What a column's :attr:`Column.direction` says (reports colour differences by it). Prices are
``neither``: a rise is a gain to owners and a cost to renters and newcomers."""

QUIET_PARTICIPATION = 0.005
"""Participation (share of residents active in a month, a 12-month mean) under which a district's
civic life counts as collapsed: issue 12's line (``docs/ODD.md`` section 9)."""
TRAILING_MONTHS = 12
"""Months of the trailing mean of ``trailing_below``."""


EXTENSIVE_UNITS = frozenset(
    {
        "persons",
        "persons/month",
        "dwellings",
        "firms",
        "partnerships",
        "person-months",
        "EUR/month",
        "innovations/month",
        "channels (0-4)",
        "events this month (0 or 1)",
        "0 or 1",
    }
)
"""Units of quantities that add up over districts (counts and amounts); the others (shares,
probabilities, 0..1 stocks, prices, means, indices) are averaged, weighted by population."""


@dataclass(frozen=True)
class Column:
    """One numeric output column of the district table.

    Attributes:
        name: Column name (``_persons``, ``_eur`` ... say the unit).
        unit: Unit in words, as in ``docs/outputs.md`` (flows per month).
        kind: ``"flow"`` (counted over the month) or ``"state"`` (level at month end).
        description: One line (the dashboard's label of the column).
        direction: Whether more is better for residents (``"higher"``), less is
            (``"lower"``), or neither (:data:`DIRECTIONS`); keyword only.
    """

    name: str
    unit: str
    kind: Kind
    description: str
    direction: Direction = field(default="neither", kw_only=True)

    def __post_init__(self) -> None:
        if self.kind not in YEAR_STAT:
            raise ValueError(f"{self.name}: kind must be 'flow' or 'state', got {self.kind!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"{self.name}: direction must be one of {', '.join(DIRECTIONS)}")

    @property
    def year(self) -> YearStat:
        """How a program year summarises the column: ``"sum"`` (flows) or ``"mean"`` (states)."""
        return YEAR_STAT[self.kind]

    @property
    def extensive(self) -> bool:
        """True if the column adds up over districts (a count or an amount, by its unit)."""
        return self.unit in EXTENSIVE_UNITS

    @property
    def yearly_unit(self) -> str:
        """Unit of the yearly summary: a flow's ``/month`` becomes ``/year``."""
        return self.unit.replace("/month", "/year") if self.kind == FLOW else self.unit


@dataclass(frozen=True)
class CityColumn(Column):
    """One numeric column of the city table: a :class:`Column` and how it comes from the districts.

    Attributes:
        how: How the districts' values make the city's (a key of :data:`CITY_HOW`).
        source: The district column it is computed from (for ``mode_count`` the mode;
            for ``recorded`` the column itself).
    """

    how: CityHow = "sum"
    source: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.how not in CITY_HOW:
            raise ValueError(f"{self.name}: how must be one of {', '.join(CITY_HOW)}")


def flow(name: str, unit: str, description: str, direction: Direction = "neither") -> Column:
    """Declare a district flow: counted over the month; a year (and the city, if shown) sums it."""
    return Column(name, unit, FLOW, description, direction=direction)


def state(name: str, unit: str, description: str, direction: Direction = "neither") -> Column:
    """Declare a district state: the level at month end; a year averages it."""
    return Column(name, unit, STATE, description, direction=direction)


_TENURE_NAMES = {
    "owner": "owner-occupiers",
    "private": "private renters",
    "social": "social renters",
}

DISTRICT_OUTPUTS: tuple[Column, ...] = (
    state("population", "persons", "residents, persons"),
    state("dwellings", "dwellings", "dwellings built"),
    state("vacancies", "dwellings", "vacant dwellings"),
    state("price_eur_m2", "EUR/m2", "price of an old flat, EUR/m2"),
    state("identity", "0..1", "identity, 0..1", "higher"),
    state("liveability", "0..1", "liveability, 0..1", "higher"),
    state("reputation", "0..1", "outsiders' reputation, 0..1", "higher"),
    state(
        "attractiveness",
        "index (1 = city average)",
        "logit attractiveness for a reference mover relative to district size (1 = city average)",
    ),
    state("participation_rate", "share", "share of residents active this month", "higher"),
    state("active_persons", "persons", "residents active this month, persons"),
    state("members_persons", "persons", "association members, persons"),
    state(
        "active_members_persons",
        "persons",
        "association members active this month (the association's active core), persons",
    ),
    state(
        "volunteers_persons",
        "persons",
        "volunteers: members weighted by the share of months each volunteers, persons",
    ),
    state(
        "channel_coverage",
        "probability/month",
        "probability a resident is reached by the channels this month",
    ),
    state("n_channels", "channels (0-4)", "channels running"),
    state(
        "outside_visibility",
        "probability",
        "probability an outside actor sees the district's channels",
    ),
    flow("events", "events this month (0 or 1)", "events held this month"),
    state(
        "collective_knowledge_person_months",
        "person-months",
        "collective knowledge, documented person-months",
    ),
    state("knowledge_public_share", "share", "public share of collective knowledge"),
    state("competence_inside_persons", "persons", "active competent residents, persons"),
    state(
        "competence_outside_persons",
        "persons",
        "active competent people outside the district tied to active residents, persons",
    ),
    flow(
        "moves_in_persons",
        "persons/month",
        "moves into the district this month (from other districts and from outside), persons",
    ),
    flow(
        "moves_in_from_outside_persons",
        "persons/month",
        "newcomers from outside the city this month, persons",
    ),
    flow(
        "moves_out_persons",
        "persons/month",
        "moves out of the district this month (to other districts or out of the city), persons",
    ),
    flow(
        "moves_out_to_outside_persons", "persons/month", "moves out of the city this month, persons"
    ),
    flow(
        "moves_out_burden_persons",
        "persons/month",
        "moves out caused by housing burden (displacement), persons",
        "lower",
    ),
    flow(
        "moves_out_liveability_persons",
        "persons/month",
        "moves out caused by low liveability, persons",
        "lower",
    ),
    flow(
        "moves_out_other_persons",
        "persons/month",
        "moves out for other reasons (life events), persons",
    ),
    *(
        flow(
            f"moves_out_{t}_persons",
            "persons/month",
            f"moves out by {_TENURE_NAMES[t]} (of moves out), persons",
        )
        for t in TENURES
    ),
    *(
        flow(
            f"moves_out_burden_{t}_persons",
            "persons/month",
            f"moves out caused by housing burden, by {_TENURE_NAMES[t]}, persons",
        )
        for t in TENURES
    ),
    flow("moves_within_persons", "persons/month", "moves inside the district this month, persons"),
    state("mean_income_eur", "EUR/year", "mean income of residents, EUR/year"),
    state("months_in_district_mean", "months", "mean months in the district, months"),
    state("local_firms", "firms", "local firms"),
    state(
        "local_firms_developing",
        "firms",
        "local firms with an interest in product development of at least 0.5",
    ),
    state("association_orientation", "0..1", "lead association's future orientation, 0..1"),
    state(
        "members_district_association_persons",
        "persons",
        "members of the district association (the lead), persons",
    ),
    state(
        "members_housing_company_persons",
        "persons",
        "members of housing companies and tenant committees, persons",
    ),
    state(
        "members_school_persons", "persons", "members of the school's parents' association, persons"
    ),
    state(
        "members_developer_network_persons", "persons", "members of the developer network, persons"
    ),
    state(
        "developer_network_orientation",
        "0..1",
        "developer network's future orientation, 0..1 (empty where the district has none)",
    ),
    state(
        "partners",
        "partnerships",
        "running partnerships with outside firms and research institutes",
    ),
    state(
        "partners_local",
        "partnerships",
        "running partnerships with the district's own local firms",
    ),
    state("external_persons", "persons", "outside experts brought by partnerships, persons"),
    flow("external_eur", "EUR/month", "partners' own contributions this month, EUR"),
    flow("innovations", "innovations/month", "innovations this month", "higher"),
    flow(
        "commercial_value_eur",
        "EUR/month",
        "commercial value of this month's innovations, EUR (transferable)",
        "higher",
    ),
    state(
        "local_benefit",
        "liveability units",
        "local benefit of recent innovations (feeds liveability and achievements), "
        "liveability units",
    ),
    state(
        "is_platform",
        "0 or 1",
        "1 while the district holds innovation-platform status (program funding), else 0",
    ),
    state("public_support_persons", "persons", "program staff working with the district, persons"),
    flow("public_support_eur", "EUR/month", "program grant paid this month, EUR"),
)
"""The numeric columns of ``districts.parquet`` (after month, district and mode), in table order."""

DISTRICT_KEYS: tuple[str, ...] = ("month", "district", "mode")
"""Key columns of ``districts.parquet`` before the declared ones."""

_DISTRICT = {c.name: c for c in DISTRICT_OUTPUTS}


def _from(
    name: str,
    source: str,
    how: CityHow,
    description: str,
    unit: str | None = None,
    direction: Direction | None = None,
) -> CityColumn:
    """Declare a city column computed from a district column.

    It takes the source's kind, and its unit and direction unless given.
    """
    col = _DISTRICT[source]
    return CityColumn(
        name,
        unit or col.unit,
        col.kind,
        description,
        how,
        source,
        direction=direction or col.direction,
    )


def _sum(source: str, description: str, unit: str | None = None) -> CityColumn:
    """Declare a city total of a district column (same name, kind and unit)."""
    return _from(source, source, "sum", description, unit)


def _mean(source: str, description: str) -> CityColumn:
    """Declare a population-weighted city mean of a district state, named ``<source>_mean``."""
    return _from(f"{source}_mean", source, "mean", description)


CITY_OUTPUTS: tuple[CityColumn, ...] = (
    _sum("population", "residents of the city"),
    _sum("dwellings", "dwellings built so far"),
    _sum("vacancies", "vacant dwellings"),
    _sum("active_persons", "residents active this month"),
    _sum("members_persons", "association members"),
    _sum("active_members_persons", "members active this month"),
    _sum("moves_in_persons", "moves into a district (a move between districts counts once)"),
    _sum("moves_in_from_outside_persons", "newcomers from outside the city"),
    _sum("moves_out_persons", "moves out of a district, to another district or out of the city"),
    _sum("moves_out_to_outside_persons", "moves out of the city"),
    _sum("moves_out_burden_persons", "moves out of a district attributed to housing burden"),
    _sum("moves_within_persons", "moves inside a district"),
    _sum("local_firms", "local firms"),
    _sum("events", "districts that held an event this month", unit="districts"),
    *(_sum(f"moves_out_{t}_persons", f"moves out by {_TENURE_NAMES[t]}") for t in TENURES),
    *(
        _sum(f"moves_out_burden_{t}_persons", f"burden moves out by {_TENURE_NAMES[t]}")
        for t in TENURES
    ),
    _sum("partners", "running partnerships with outside actors"),
    _sum("innovations", "innovations this month"),
    _sum("commercial_value_eur", "commercial value of this month's innovations"),
    _sum("public_support_eur", "program grants paid this month"),
    _from(
        "participation_rate",
        "active_persons",
        "per_resident",
        "share of the city's residents active this month",
        unit="share",
        direction="higher",
    ),
    _mean("price_eur_m2", "mean district price (population-weighted)"),
    _mean("identity", "mean identity (population-weighted)"),
    _mean("liveability", "mean liveability (population-weighted)"),
    _mean("reputation", "mean reputation (population-weighted)"),
    _mean("channel_coverage", "mean channel coverage (population-weighted)"),
    _mean("mean_income_eur", "mean income of the city's residents (population-weighted)"),
    _from("price_eur_m2_min", "price_eur_m2", "min", "lowest district price"),
    _from("price_eur_m2_max", "price_eur_m2", "max", "highest district price"),
    CityColumn(
        "price_gini",
        "0..1",
        STATE,
        "Gini coefficient of district prices, population-weighted",
        "gini",
        "price_eur_m2",
        direction="lower",
    ),
    CityColumn(
        "displacement_persons",
        "persons/month",
        FLOW,
        "moves out of a district attributed to housing burden",
        "recorded",
        "displacement_persons",
        direction="lower",
    ),
    CityColumn(
        "price_gap_creative_traditional_eur_m2",
        "EUR/m2",
        STATE,
        "mean price of the districts that were creative in month 0 minus that of the districts "
        "that were traditional (population-weighted): whether the creative districts pull away",
        "start_mode_gap",
        "price_eur_m2",
    ),
    CityColumn(
        "districts_participation_below_half_percent",
        "districts",
        STATE,
        "districts whose participation over the last 12 months is below 0.5% of residents: "
        "collapsed civic life (issue 12's line)",
        "trailing_below",
        "participation_rate",
        direction="lower",
    ),
    CityColumn(
        "creative_districts",
        "districts",
        STATE,
        "districts in creative mode",
        "mode_count",
        "creative",
    ),
    CityColumn(
        "innovation_platform_districts",
        "districts",
        STATE,
        "districts in innovation-platform mode",
        "mode_count",
        "innovation_platform",
    ),
)
"""The numeric columns of ``city.parquet`` (after month), in table order."""

CITY_KEYS: tuple[str, ...] = ("month",)
"""Key columns of ``city.parquet`` before the declared ones."""

_CITY = {c.name: c for c in CITY_OUTPUTS}
TABLES: dict[str, dict[str, Column]] = {"district": _DISTRICT, "city": _CITY}
"""Declared columns by table (``"district"``, ``"city"``) and name."""


def column(scope: str, name: str) -> Column:
    """Return the declaration of column ``name`` of the ``"district"`` or ``"city"`` table.

    Raises:
        KeyError: If the table has no such column (the message lists the valid names).
    """
    try:
        return TABLES[scope][name]
    except KeyError:
        valid = ", ".join(TABLES.get(scope, {})) or "tables: district, city"
        raise KeyError(f"no {scope} output column {name!r}; valid: {valid}") from None


def flow_names() -> frozenset[str]:
    """Return the names of every flow column of the district and city tables."""
    return frozenset(c.name for t in TABLES.values() for c in t.values() if c.kind == FLOW)


__all__ = [
    "CITY_HOW",
    "CITY_KEYS",
    "CITY_OUTPUTS",
    "DISTRICT_KEYS",
    "DISTRICT_OUTPUTS",
    "FLOW",
    "STATE",
    "TABLES",
    "YEAR_STAT",
    "CityColumn",
    "Column",
    "column",
    "flow",
    "flow_names",
    "state",
]
