"""The dashboard's model and its controls, without Solara (usable from Python and tests).

:class:`DashboardModel` is a :class:`~districtsim.model.DistrictModel` built
from a scenario name and the values of the dashboard's controls, the way
Mesa's ``SolaraViz`` re-creates a model on *Reset*: every control is a keyword
argument. :func:`model_params` generates those controls, in ``SolaraViz``'s
``model_params`` format, from the parameter declarations
(:mod:`districtsim.params`: unit, range, default) and the scenario's own values,
so nothing is written twice: the list :data:`STUDENT_PARAMS` only names which
parameters a student sees, and may narrow a slider's span where a parameter
has no declared bound.

A control value that cannot be used (a seed that is not an integer, a setting
the scenario's cross-checks refuse) does not stop the dashboard: the model
keeps the scenario's value and explains why in :attr:`DashboardModel.notices`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

from districtsim.errors import ScenarioError
from districtsim.interventions import check_interventions, describe_window
from districtsim.model import DistrictModel
from districtsim.params import SECTIONS
from districtsim.scenario import DEFAULT_SCENARIO, Scenario, load_scenario

STUDENT_PARAMS: tuple[tuple[str, float | None, float | None], ...] = (
    # (section.key, slider lowest, slider highest);
    # None = the declared bound (or the rule in slider_span)
    ("mobilisation.theta_mean", 0.6, 1.4),
    ("mobilisation.b_social", None, None),
    ("communication.q_tie", None, 0.5),
    ("communication.reach_social_media", None, None),
    ("associations.omega_per_year", None, 0.5),
    ("associations.mode_cut", None, None),
    ("population.newcomer_orientation_mean", None, None),
    ("network.share_within_district", None, None),
    ("reputation.w_achievement", None, None),
    ("housing.beta_reputation", None, None),
    ("migration.alpha_burden", None, None),
    ("program.enabled", None, None),
    ("program.allocation", None, None),
    ("program.budget_eur_per_year", None, None),
    ("program.continuation_probability", None, None),
    ("program.legacy_half_life_years", None, 5.0),
    ("program.sparring", None, None),
    ("program.matchmaking", None, None),
)
"""The parameters a student can set in the dashboard: the threshold dynamics,
word of mouth and social media, how associations turn creative, reputation,
prices and displacement, and the program year's settings."""

ADD_TYPES: tuple[str, ...] = ("none", "meeting_place", "matchmaking", "coaching", "rent_cap")
"""Intervention types the dashboard can add.

Those whose parameters all have defaults and which target districts.
"""

ADD_TARGETS_SELECT: tuple[str, ...] = ("traditional", "creative", "all")


def declaration(key: str) -> dataclasses.Field:
    """Return the declared field of a ``section.key`` parameter.

    Raises:
        ScenarioError: If there is no such parameter.
    """
    section, _, name = key.partition(".")
    fields = (
        {f.name: f for f in dataclasses.fields(SECTIONS[section])} if section in SECTIONS else {}
    )
    if name not in fields:
        raise ScenarioError(
            "dashboard", key, None, "a parameter as section.key (docs/ODD.md, parameter table)"
        )
    return fields[name]


def _nice_step(span: float) -> float:
    """Return a round slider step of about a hundredth of ``span``.

    The step is 1, 2 or 5 times a power of ten.
    """
    raw = span / 100.0
    if raw <= 0:
        return 0.01
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def slider_span(
    default: float,
    lo: float | None,
    hi: float | None,
    show_lo: float | None = None,
    show_hi: float | None = None,
) -> tuple[float, float]:
    """Return a slider's (lowest, highest) value.

    The declared bounds, narrowed by ``show_lo``/``show_hi`` where given; an
    open lower bound becomes ``default - 2|default|``, an open upper bound
    ``4|default|`` (at least lowest + 1).
    """
    low = show_lo if show_lo is not None else lo if lo is not None else default - 2 * abs(default)
    high = (
        show_hi if show_hi is not None else hi if hi is not None else max(4 * abs(default), low + 1)
    )
    return float(low), float(high)


def param_control(
    key: str, value: Any, show_lo: float | None = None, show_hi: float | None = None
) -> dict[str, Any]:
    """Return the ``SolaraViz`` control of one parameter, with its value ``value``.

    The parameter's unit is in the control's label and in ``unit``; its one-line meaning
    (the declaration's) in ``meaning``.
    """
    f = declaration(key)
    unit, lo, hi = f.metadata["unit"], f.metadata["lo"], f.metadata["hi"]
    meaning = f.metadata.get("meaning")
    if isinstance(value, bool):
        return {
            "type": "Checkbox",
            "value": value,
            "label": f"{key} (on/off)",
            "meaning": meaning,
        }
    if isinstance(value, str):
        return {
            "type": "Select",
            "value": value,
            "values": unit.split("|"),
            "label": key,
            "meaning": meaning,
        }
    low, high = slider_span(value, lo, hi, show_lo, show_hi)
    if isinstance(value, int):
        return {
            "type": "SliderInt",
            "value": value,
            "min": int(low),
            "max": int(high),
            "step": 1,
            "label": f"{key} [{unit}]",
            "unit": unit,
            "meaning": meaning,
        }
    step = _nice_step(high - low)
    return {
        "type": "SliderFloat",
        "value": float(value),
        "min": low,
        "max": high,
        "step": step,
        "label": f"{key} [{unit}]",
        "unit": unit,
        "meaning": meaning,
    }


def describe_intervention(iv: Any) -> str:
    """Return a one-line description of an intervention (type, target, months)."""
    target = f"select {iv.select}" if iv.select else ", ".join(iv.districts)
    window = describe_window(iv.start_month, iv.end_month)
    return f"interventions[{iv.index}] {iv.type} ({target}), {window}"


def model_params(scenario_name: str = DEFAULT_SCENARIO) -> dict[str, Any]:
    """Return ``SolaraViz``'s ``model_params`` for a scenario: its controls, with its values.

    Controls: seed and scale; the :data:`STUDENT_PARAMS`; a switch for each of
    the scenario's interventions; and one intervention to add (type, target,
    start month). ``scenario_name`` is passed as a fixed parameter.
    """
    scen = load_scenario(scenario_name)
    out: dict[str, Any] = {
        "scenario_name": scenario_name,
        "seed": {
            "type": "InputText",
            "value": str(scen.seed),
            "label": "seed (integer)",
            "meaning": "the root of every random draw: the same seed gives the same run",
        },
        "scale": {
            "type": "SliderFloat",
            "value": scen.scale,
            "min": 0.01,
            "max": 1.0,
            "step": 0.01,
            "label": "scale [simulated share of residents]",
            "unit": "share",
            "meaning": "the share of the real residents simulated (1: every resident; slower)",
        },
    }
    for key, show_lo, show_hi in STUDENT_PARAMS:
        section, name = key.split(".")
        out[key] = param_control(
            key, getattr(getattr(scen.params, section), name), show_lo, show_hi
        )
    for iv in scen.interventions:
        out[f"intervention.{iv.index}"] = {
            "type": "Checkbox",
            "value": True,
            "label": describe_intervention(iv),
        }
    names = [d.name for d in scen.districts]
    out["add.type"] = {
        "type": "Select",
        "value": "none",
        "values": list(ADD_TYPES),
        "label": "add an intervention: type (defaults in docs/interventions.md)",
    }
    out["add.target"] = {
        "type": "Select",
        "value": "traditional",
        "values": [*ADD_TARGETS_SELECT, *names],
        "label": "add: target (a mode or a district)",
    }
    out["add.start_month"] = {
        "type": "SliderInt",
        "value": 0,
        "min": 0,
        "max": scen.months - 1,
        "step": 1,
        "label": "add: start month (month 0 = October of year 0)",
    }
    return out


def apply_controls(
    scen: Scenario, seed: Any, scale: Any, controls: dict[str, Any]
) -> tuple[Scenario, int, list[str]]:
    """Return the scenario with the controls applied, the seed, and notices about values not used.

    Args:
        scen: The scenario as loaded.
        seed: An integer, text of an integer, or None/"" for the scenario's seed.
        scale: The scale, or None for the scenario's.
        controls: ``section.key`` parameter values, ``intervention.N`` switches
            and ``add.type``/``add.target``/``add.start_month``.

    Raises:
        ScenarioError: For a control name that is none of these (a programming error, not a
            user's value).
    """
    notices: list[str] = []
    if seed is None or (isinstance(seed, str) and not seed.strip()):
        seed_int = scen.seed
    else:
        try:
            seed_int = int(str(seed).strip())
            if seed_int < 0:
                raise ValueError
        except ValueError:
            seed_int = scen.seed
            notices.append(
                f"seed: {seed!r} is not a whole number >= 0; used the scenario's seed {scen.seed}"
            )
    if scale is not None:
        scen = _try(scen, {"scenario.scale": float(scale)}, notices)
    add = {k: controls[k] for k in ("add.type", "add.target", "add.start_month") if k in controls}
    switches = {k: v for k, v in controls.items() if k.startswith("intervention.")}
    values = {k: v for k, v in controls.items() if k not in add and k not in switches}
    for key, value in values.items():
        f = declaration(key)  # an unknown name is a programming error: raise
        if isinstance(f.default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        scen = _try(scen, {key: value}, notices)
    keep = [iv for iv in scen.interventions if bool(switches.get(f"intervention.{iv.index}", True))]
    if add.get("add.type", "none") != "none":
        kind = add["add.type"]
        target = add.get("add.target", "traditional")
        row: dict[str, Any] = {"type": kind, "start_month": int(add.get("add.start_month", 0))}
        row.update({"select": target} if target in ADD_TARGETS_SELECT else {"districts": [target]})
        try:
            (iv,) = check_interventions(
                [row], "dashboard", [d.name for d in scen.districts], scen.months
            )
            keep.append(dataclasses.replace(iv, index=len(scen.interventions)))
        except ScenarioError as e:
            notices.append(f"add an intervention: {e}; none added")
    return dataclasses.replace(scen, interventions=tuple(keep)), seed_int, notices


def _try(scen: Scenario, values: dict[str, Any], notices: list[str]) -> Scenario:
    try:
        return scen.with_values(values, source="dashboard")
    except ScenarioError as e:
        notices.append(f"{e}; kept the scenario's value")
        return scen


class DashboardModel(DistrictModel):
    """A :class:`~districtsim.model.DistrictModel` made from a scenario name and control values.

    Args:
        scenario_name: A bundled scenario's name or a TOML path.
        seed: Root seed (integer or its text); None or "" takes the scenario's.
        scale: Simulated share of residents; None takes the scenario's.
        **controls: Parameter values by ``section.key`` (e.g.
            ``**{"program.enabled": True}``), ``intervention.N = False`` to
            switch off the scenario's N-th intervention, and ``add.type``,
            ``add.target``, ``add.start_month`` to add one (types in
            :data:`ADD_TYPES`, with their default parameters).

    Attributes:
        notices: Why a control value was not used (shown on the page).
        step_seconds: Wall time of the last :meth:`step`.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: Any = None,
        scale: Any = None,
        **controls: Any,
    ) -> None:
        # Mesa's SolaraViz passes a Mesa scenario object of its own on Reset: districtsim's
        # scenario is chosen by name.
        controls = {k: v for k, v in controls.items() if k != "scenario"}
        spec, seed_int, notices = apply_controls(
            load_scenario(scenario_name), seed, scale, controls
        )
        super().__init__(spec, seed=seed_int)
        self.notices = notices
        self.step_seconds = float("nan")

    def step(self) -> None:
        """Advance one month (a no-op after the horizon) and time it."""
        if self.month >= self.horizon:
            self.running = False
            return
        started = time.perf_counter()
        super().step()
        self.step_seconds = time.perf_counter() - started


__all__ = [
    "ADD_TYPES",
    "STUDENT_PARAMS",
    "DashboardModel",
    "apply_controls",
    "model_params",
    "param_control",
    "slider_span",
]
