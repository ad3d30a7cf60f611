"""District state: every per-district array of the model, declared once with its unit.

:class:`Districts` is the district-level counterpart of
:class:`districtsim.residents.Residents`: a struct of numpy arrays of length D
(the number of districts). Every array is created at set-up by
:meth:`Districts.empty` with its declared dtype and shape, filled by
:mod:`districtsim.initialisation`, and then written only by the phases named
in its description (``docs/ODD.md`` sections 2.3 and 3). The operating mode is
a list of strings, one per district.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from districtsim.params import CHANNELS

MONTHS_IN_YEAR = 12
"""Rows of the rolling event history (one per month of the year)."""

MOVE_FLOWS: tuple[str, ...] = (
    "in",
    "in_outside",
    "out",
    "out_outside",
    "within",
    "out_burden",
    "out_liveability",
    "out_other",
    "out_owner",
    "out_private",
    "out_social",
    "out_burden_owner",
    "out_burden_private",
    "out_burden_social",
)
"""Keys of :attr:`Districts.moves`: this month's moves by direction, cause and tenure."""


def state(unit: str, meaning: str, dtype: Any = float, shape: str = "D") -> Any:
    """Declare a district array: its unit, meaning, dtype and shape (``D``, ``12xD`` or ``DxC``)."""
    return field(metadata={"unit": unit, "meaning": meaning, "dtype": dtype, "shape": shape})


@dataclass
class Districts:
    """Per-district arrays (length D); the phase that writes each is named in brackets."""

    amenity: np.ndarray = state("0..1", "location quality, fixed [scenario]")
    meeting_places: np.ndarray = state("places", "resident houses [scenario, interventions]", int)
    population: np.ndarray = state("persons", "occupied places / scale [stocks]")
    built_places: np.ndarray = state("simulated places", "places built by now [stocks]")
    participation: np.ndarray = state("share", "residents active this month [stocks]")
    active_persons: np.ndarray = state("persons", "residents active this month [stocks]")
    members: np.ndarray = state("persons", "members of its associations [associations]")
    volunteers: np.ndarray = state("persons", "volunteers of its associations [associations]")
    active_members: np.ndarray = state("persons", "members active this month [associations]")
    coverage: np.ndarray = state("probability/month", "reach of running channels [communication]")
    visibility: np.ndarray = state("probability", "outside visibility E_d [communication]")
    active_channels: np.ndarray = state("bool", "channels running [communication]", bool, "DxC")
    creative: np.ndarray = state("bool", "the lead association is creative [communication]", bool)
    event_now: np.ndarray = state("bool", "an association holds an event [communication]", bool)
    event_orientation: np.ndarray = state("0..1", "organisers' mean orientation [communication]")
    event_creative: np.ndarray = state("bool", "an organiser is creative [communication]", bool)
    events_hist: np.ndarray = state(
        "event months",
        "event by month of year [associations]; before a month is simulated, its expected "
        "probability (initialisation)",
        float,
        "12xD",
    )
    events_year: np.ndarray = state("events/year", "event months in the last 12 months [stocks]")
    identity: np.ndarray = state("0..1", "identity I_d [stocks]")
    liveability: np.ndarray = state("0..1", "liveability L_d [stocks]")
    reputation: np.ndarray = state("0..1", "reputation R_d [reputation, shocks]")
    attractiveness: np.ndarray = state("index, 1 = average", "reference mover's share [reputation]")
    mean_income: np.ndarray = state("EUR/year", "residents' mean income [reputation]")
    log_price: np.ndarray = state("log EUR/m2", "log price of an old flat [housing]")
    price_fixed_effect: np.ndarray = state("log EUR/m2", "unmodelled location quality, fixed")
    pressure: np.ndarray = state("log ratio", "relative demand pressure [migration]")
    demand_baseline: np.ndarray = state("log ratio", "demand ratio at the start, fixed")
    location_constant: np.ndarray = state(
        "utility",
        "constant of the district in the location choice, set at the start so that the initial "
        "settlement is a flow equilibrium, fixed",
    )
    first_choices: np.ndarray = state(
        "simulated movers/month", "smoothed first choices [migration]"
    )
    vacancy_supply: np.ndarray = state("simulated places", "smoothed vacancies [migration]")
    k_public: np.ndarray = state("person-months", "published collective knowledge [stocks]")
    k_private: np.ndarray = state("person-months", "unpublished collective knowledge [stocks]")
    competence_inside: np.ndarray = state("persons", "active competent residents [stocks]")
    competence_outside: np.ndarray = state("persons", "competent people tied from outside [stocks]")
    partners: np.ndarray = state("partnerships", "running outside partnerships [partnerships]")
    partners_local: np.ndarray = state("partnerships", "running local-firm ones [partnerships]")
    innovations: np.ndarray = state("innovations/month", "this month's innovations [partnerships]")
    commercial_value: np.ndarray = state("EUR/month", "their commercial value [partnerships]")
    local_benefit: np.ndarray = state("liveability units", "innovations' benefit [partnerships]")
    local_firms: np.ndarray = state("firms", "its local firms (LocalFirms) [firms]", int)
    moves: dict[str, np.ndarray] = field(
        default_factory=dict, metadata={"unit": "persons/month", "meaning": "moves [migration]"}
    )
    mode: list[str] = field(
        default_factory=list, metadata={"unit": "-", "meaning": "operating mode [modes]"}
    )

    @classmethod
    def empty(cls, n_districts: int) -> Districts:
        """Return every declared array at its dtype and shape (zeros; NaN for event orientation)."""
        shapes = {
            "D": (n_districts,),
            "12xD": (MONTHS_IN_YEAR, n_districts),
            "DxC": (n_districts, len(CHANNELS)),
        }
        arrays = {}
        for f in dataclasses.fields(cls):
            if f.name in ("moves", "mode"):
                continue
            arrays[f.name] = np.zeros(shapes[f.metadata["shape"]], dtype=f.metadata["dtype"])
        arrays["event_orientation"][:] = np.nan
        moves = {k: np.zeros(n_districts) for k in MOVE_FLOWS}
        return cls(**arrays, moves=moves, mode=["traditional"] * n_districts)
