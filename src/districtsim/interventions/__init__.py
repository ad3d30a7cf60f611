"""Interventions: what planners change, when and where (MODEL section 3, phase 2).

A scenario's ``[[interventions]]`` tables each name a ``type``, a target
(``districts = [...]`` names, or ``select = "all" | "traditional" |
"creative"``, evaluated from the operating modes at the start month), a
``start_month`` (within the horizon), an optional ``end_month`` (exclusive;
without it, or at or beyond the horizon, the change lasts to the end of the
run) and the type's own settings. They take effect in phase 2 of the month,
after the program year's stage and before communication (the two program
types just before the program year's stage). Every start and end is logged
(event ``intervention_start`` / ``intervention_end``, detail the type).

Each type is one registered class (:mod:`districtsim.interventions.base`)
with its settings declared like the model's parameters; the types are in
:mod:`~districtsim.interventions.civic` (``meeting_place``, ``channel``),
:mod:`~districtsim.interventions.innovation` (``program``, ``matchmaking``,
``coaching``, ``continuation_funding``) and
:mod:`~districtsim.interventions.market` (``housing``,
``reputation_shock``, ``rent_cap``), imported in that order, which is the
order of :data:`TYPES` (type string -> class). ``docs/interventions.md``
describes each type's mechanism and how to add one.
"""

from districtsim.interventions.base import (
    COMMON_KEYS,
    SELECTORS,
    TYPES,
    Intervention,
    Places,
    State,
    check_interventions,
    describe_intervention,
    describe_window,
    register,
    registered,
    unregister,
)
from districtsim.interventions.civic import Channel, MeetingPlace
from districtsim.interventions.innovation import (
    Coaching,
    ContinuationFunding,
    InnovationProgram,
    Matchmaking,
)
from districtsim.interventions.market import HousingConstruction, RentCap, ReputationShock
from districtsim.interventions.runner import InterventionRunner, housing_places

__all__ = [
    "COMMON_KEYS",
    "SELECTORS",
    "TYPES",
    "Channel",
    "Coaching",
    "ContinuationFunding",
    "HousingConstruction",
    "InnovationProgram",
    "Intervention",
    "InterventionRunner",
    "Matchmaking",
    "MeetingPlace",
    "Places",
    "RentCap",
    "ReputationShock",
    "State",
    "check_interventions",
    "describe_intervention",
    "describe_window",
    "housing_places",
    "register",
    "registered",
    "unregister",
]
