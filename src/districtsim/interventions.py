"""Interventions: what planners change, when and where (MODEL section 3, phase 2).

A scenario's ``[[interventions]]`` tables each name a ``type``, a target
(``districts = [...]`` names, or ``select = "all" | "traditional" |
"creative"``, evaluated from the operating modes at the start month), a
``start_month`` (within the horizon), an optional ``end_month`` (exclusive;
without it, or at or beyond the horizon, the change lasts to the end of the
run) and the type's own parameters. They take effect
in phase 2 of the month, after the program year's stage and before
communication. Every start and end is logged (event ``intervention_start`` /
``intervention_end``, detail the type). ``docs/interventions.md`` describes
each type's mechanism.

Types (parameters, defaults):

- ``meeting_place``: ``change`` (+1) meeting places (resident houses) opened
  (negative: closed, not below 0); undone at the end month.
- ``channel``: ``channel`` (paper, website, social_media, forum) and
  ``action`` ``"launch"`` (the lead association runs it; ``funded = true``:
  paid for, so it needs no volunteer hours and cannot lapse while the
  intervention lasts) or ``"close"`` (stopped and not restarted while it
  lasts). At the end a launched channel becomes the lead's own (it then needs
  volunteer hours); a closed one may be restarted by the lead.
- ``program``: the innovation-platform call runs (``[program]`` settings
  given as parameters of the intervention, e.g. ``budget_eur_per_year``)
  in program years from the start month's to the one before the end month;
  platforms then keep their status only by continuation funding. Its
  target must be ``select = "all"`` (the call is city-wide).
- ``matchmaking``: at the start and every ``every_months`` (12) months while
  it lasts, each target district gets ``partners`` (1) partnerships with
  free outside firms or research institutes (as at the program's kick-off).
- ``coaching``: the target districts' associations of ``kind``
  (district_association) move their orientation toward ``toward`` (1.0,
  the future) by ``shift_per_year`` (0.1) orientation units a year, each
  month while it lasts.
- ``continuation_funding``: ``action`` ``"cut"`` (continuation probability
  0) or ``"restore"`` (``probability``, 1.0) while it lasts; city-wide
  (``select = "all"``).
- ``housing``: ``dwellings`` (persons' places = dwellings x
  persons_per_dwelling) built in each target district, completed evenly
  over ``over_months`` (12) from the start month, with tenure shares
  ``share_owner`` (0.5) and ``share_social`` (0.2) (the rest private
  rental). The places exist from the first month (as empty, unbuilt places),
  so a run with a housing intervention has more places than its baseline
  and its per-resident random draws differ (its paired differences are
  noisier; the other types keep common random numbers exact).
- ``reputation_shock``: ``change`` (-1..1) added to the target districts'
  reputation at the start month (negative or positive publicity).
- ``rent_cap``: while it lasts, a private renter's housing cost follows the
  market price only up to a rise of ``max_increase_per_year`` (0.02) a year
  since moving in (a cap on rent rises: a measure against displacement).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from districtsim.calendar import program_year
from districtsim.errors import ScenarioError
from districtsim.params import ASSOCIATION_KINDS, CHANNELS, SECTIONS
from districtsim.validation import check_param_value, check_scalar, check_table

if TYPE_CHECKING:
    from districtsim.model import DistrictModel

SELECTORS = ("all", "traditional", "creative")
"""Values of ``select``: every district, or those in that operating mode at the start month (creative includes innovation platforms)."""

# type -> {parameter: (python type, lo, hi, default, meaning)}; a tuple of strings as ``lo`` lists the choices.
TYPES: dict[str, dict[str, tuple[Any, ...]]] = {
    "meeting_place": {"change": (int, -100, 100, 1, "meeting places opened (negative: closed)")},
    "channel": {
        "channel": (str, CHANNELS, None, None, "the channel"),
        "action": (str, ("launch", "close"), None, "launch", "launch or close the channel"),
        "funded": (
            bool,
            None,
            None,
            True,
            "a launched channel is paid for: no volunteer hours, no lapse while the intervention lasts",
        ),
    },
    "program": {},  # any [program] key, checked against the parameter declarations
    "matchmaking": {
        "partners": (int, 1, 10, 1, "partnerships per target district each round"),
        "every_months": (int, 1, 1200, 12, "months between rounds"),
    },
    "coaching": {
        "kind": (
            str,
            ASSOCIATION_KINDS,
            None,
            "district_association",
            "the kind of association coached",
        ),
        "shift_per_year": (float, 0, 1, 0.1, "orientation units a year"),
        "toward": (float, 0, 1, 1.0, "the orientation coached toward"),
    },
    "continuation_funding": {
        "action": (
            str,
            ("cut", "restore"),
            None,
            "cut",
            "cut (probability 0) or restore continuation funding",
        ),
        "probability": (float, 0, 1, 1.0, "continuation probability when restored"),
    },
    "housing": {
        "dwellings": (int, 1, 1_000_000, None, "dwellings built in each target district"),
        "over_months": (int, 1, 1200, 12, "months over which they are completed"),
        "share_owner": (float, 0, 1, 0.5, "owner-occupied share of the new dwellings"),
        "share_social": (float, 0, 1, 0.2, "social rental share of the new dwellings"),
    },
    "reputation_shock": {"change": (float, -1, 1, None, "change of reputation, -1..1")},
    "rent_cap": {
        "max_increase_per_year": (
            float,
            0,
            1,
            0.02,
            "largest rise of a private renter's housing cost a year since moving in",
        )
    },
}
"""Intervention types and their parameters."""

CITY_WIDE = ("program", "continuation_funding")
"""Types whose target must be ``select = "all"``."""


@dataclass(frozen=True)
class Intervention:
    """One validated ``[[interventions]]`` table."""

    type: str
    start_month: int
    end_month: int | None = None
    districts: tuple[str, ...] = ()
    select: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    index: int = 0

    def get(self, name: str) -> Any:
        """Return a parameter's value (the default where the table did not give it)."""
        values = dict(self.params)
        if name in values:
            return values[name]
        return TYPES[self.type][name][3]

    def active(self, t: int) -> bool:
        """True in months from the start month up to (not including) the end month."""
        return t >= self.start_month and (self.end_month is None or t < self.end_month)

    def to_dict(self) -> dict[str, Any]:
        """Return the table as plain data (for meta.json)."""
        out: dict[str, Any] = {"type": self.type, "start_month": self.start_month}
        if self.end_month is not None:
            out["end_month"] = self.end_month
        if self.select is not None:
            out["select"] = self.select
        else:
            out["districts"] = list(self.districts)
        out.update(dict(self.params))
        return out


def check_interventions(
    rows: Any, file: str, names: list[str], months: int
) -> tuple[Intervention, ...]:
    """Validate ``[[interventions]]`` tables; raise :class:`ScenarioError` naming the key and what was expected."""
    if not isinstance(rows, list):
        raise ScenarioError(file, "interventions", rows, "a list of [[interventions]] tables")
    out = []
    for i, row in enumerate(rows):
        where = f"interventions[{i}]"
        row = check_table(row, file, where)
        kind = row.get("type")
        if kind not in TYPES:
            raise ScenarioError(file, f"{where}.type", kind, f"one of {', '.join(TYPES)}")
        common = ("type", "start_month", "end_month", "districts", "select")
        allowed = (
            [f.name for f in dataclasses.fields(SECTIONS["program"]) if f.name != "enabled"]
            if kind == "program"
            else list(TYPES[kind])
        )
        for key in row:
            if key not in common and key not in allowed:
                raise ScenarioError(
                    file,
                    f"{where}.{key}",
                    row[key],
                    f"one of {', '.join([*common[1:], *allowed])} (parameters of a {kind} intervention)",
                )
        start = check_scalar(
            row.get("start_month"),
            int,
            0,
            months - 1,
            file=file,
            key=f"{where}.start_month",
            what=f"a month within the horizon 0..{months - 1}",
        )
        end = None
        if "end_month" in row:
            end = check_scalar(
                row["end_month"],
                int,
                start + 1,
                1200,
                file=file,
                key=f"{where}.end_month",
                what=f"a month after start_month, {start + 1}..1200 (at or beyond the horizon: to the end of the run)",
            )
        districts: tuple[str, ...] = ()
        select = None
        if ("districts" in row) == ("select" in row):
            raise ScenarioError(
                file,
                f"{where}.districts",
                row.get("districts", row.get("select")),
                'exactly one of districts = ["name", ...] or select = "all" | "traditional" | "creative"',
            )
        if "select" in row:
            select = row["select"]
            if select not in SELECTORS:
                raise ScenarioError(
                    file, f"{where}.select", select, f"one of {', '.join(SELECTORS)}"
                )
        else:
            target = row["districts"]
            target = [target] if isinstance(target, str) else target
            if not isinstance(target, list) or not target:
                raise ScenarioError(
                    file,
                    f"{where}.districts",
                    target,
                    "a district name or a non-empty list of names",
                )
            for name in target:
                if name not in names:
                    raise ScenarioError(
                        file,
                        f"{where}.districts",
                        name,
                        f"the name of a district in this scenario ({', '.join(names[:6])}, ...)",
                    )
            districts = tuple(target)
        if kind in CITY_WIDE and select != "all":
            raise ScenarioError(
                file,
                f"{where}.select",
                select if select else list(districts),
                f'select = "all" (a {kind} intervention is city-wide)',
            )
        params: dict[str, Any] = {}
        for key in allowed:
            if key not in row:
                if kind != "program" and TYPES[kind][key][3] is None:
                    raise ScenarioError(
                        file, f"{where}.{key}", None, f"a value for {key} ({TYPES[kind][key][4]})"
                    )
                continue
            if kind == "program":
                params[key] = check_param_value(
                    SECTIONS["program"], key, row[key], file, f"{where}.{key}"
                )
                continue
            typ, lo, hi, _, what = TYPES[kind][key]
            if isinstance(lo, tuple):
                if row[key] not in lo:
                    raise ScenarioError(
                        file, f"{where}.{key}", row[key], f"one of {', '.join(lo)} ({what})"
                    )
                params[key] = row[key]
            elif typ is bool:
                if not isinstance(row[key], bool):
                    raise ScenarioError(file, f"{where}.{key}", row[key], f"true or false ({what})")
                params[key] = row[key]
            else:
                params[key] = check_scalar(
                    row[key], typ, lo, hi, file=file, key=f"{where}.{key}", what=what
                )
        if (
            kind == "housing"
            and params.get("share_owner", 0.5) + params.get("share_social", 0.2) > 1 + 1e-9
        ):
            raise ScenarioError(
                file,
                f"{where}.share_social",
                params.get("share_social", 0.2),
                "share_owner + share_social <= 1",
            )
        if kind == "channel" and "channel" not in params:
            raise ScenarioError(file, f"{where}.channel", None, f"one of {', '.join(CHANNELS)}")
        out.append(
            Intervention(kind, start, end, districts, select, tuple(sorted(params.items())), i)
        )
    return tuple(out)


def housing_places(
    interventions: tuple[Intervention, ...],
    names: list[str],
    persons_per_dwelling: float,
    scale: float,
) -> dict[int, list[tuple[int, np.ndarray, float, float]]]:
    """Return, per district index, the places housing interventions add: (count, built months, share owner, share social).

    Places are persons' places (dwellings x persons per dwelling, at ``scale``);
    completions are spread evenly over ``over_months`` from the start month.
    """
    out: dict[int, list[tuple[int, np.ndarray, float, float]]] = {}
    for iv in interventions:
        if iv.type != "housing":
            continue
        n = int(round(iv.get("dwellings") * persons_per_dwelling * scale))
        if n == 0:
            continue
        over = iv.get("over_months")
        built = (iv.start_month + np.floor(np.arange(n) * over / n)).astype(np.int16)
        for name in iv.districts if iv.select is None else names:
            out.setdefault(names.index(name), []).append(
                (n, built, float(iv.get("share_owner")), float(iv.get("share_social")))
            )
    return out


@dataclass
class InterventionRunner:
    """Applies a model's interventions month by month (phase 2)."""

    model: DistrictModel
    interventions: tuple[Intervention, ...]
    targets: dict[int, np.ndarray] = field(default_factory=dict)
    saved: dict[int, Any] = field(default_factory=dict)

    def before_calendar(self, t: int) -> None:
        """Start and end this month's city-wide program interventions, before the program year's stage (phase 1).

        So a program intervention starting in October opens that October's
        call, and a continuation cut in force in September applies to that
        September's decision.
        """
        self._run(t, [iv for iv in self.interventions if iv.type in CITY_WIDE])

    def step(self, t: int) -> None:
        """Start, continue and end this month's other interventions (phase 2)."""
        self._run(t, [iv for iv in self.interventions if iv.type not in CITY_WIDE])

    def _run(self, t: int, interventions: list[Intervention]) -> None:
        for iv in interventions:
            if iv.start_month == t:
                self.targets[iv.index] = self._resolve(iv)
                self._start(iv, t)
                self._log(iv, "intervention_start")
            if iv.active(t):
                self._each_month(iv, t)
            if iv.end_month == t:
                self._end(iv)
                self._log(iv, "intervention_end")

    def _log(self, iv: Intervention, event: str) -> None:
        """Log one event per target district (one city event, district empty, for a city-wide intervention); value = its table index."""
        m = self.model
        if iv.select == "all":
            m.log_event(None, event, f"{iv.type} (all districts)", float(iv.index))
            return
        for d in self.targets[iv.index]:
            m.log_event(
                int(d),
                event,
                iv.type + (f" (select {iv.select})" if iv.select else ""),
                float(iv.index),
            )

    def rent_cap(self) -> np.ndarray | None:
        """Return the cap on private renters' yearly cost rise per district (inf where none), or None if no cap runs now."""
        t = self.model.month
        caps = [iv for iv in self.interventions if iv.type == "rent_cap" and iv.active(t)]
        if not caps:
            return None
        out = np.full(self.model.n_districts, np.inf)
        for iv in caps:
            d = self.targets[iv.index]
            out[d] = np.minimum(out[d], iv.get("max_increase_per_year"))
        return out

    # ------------------------------------------------------------- helpers
    def _resolve(self, iv: Intervention) -> np.ndarray:
        m = self.model
        if iv.select is None:
            return np.array([m.names.index(n) for n in iv.districts], dtype=np.intp)
        if iv.select == "all":
            return np.arange(m.n_districts, dtype=np.intp)
        want = (
            ("traditional",) if iv.select == "traditional" else ("creative", "innovation_platform")
        )
        return np.array([d for d, mode in enumerate(m.mode) if mode in want], dtype=np.intp)

    def _program(self, **changes: Any) -> None:
        m = self.model
        m.params = dataclasses.replace(
            m.params, program=dataclasses.replace(m.params.program, **changes)
        )

    def _start(self, iv: Intervention, t: int) -> None:
        m = self.model
        d = self.targets[iv.index]
        if iv.type == "meeting_place":
            before = m.meeting_places[d].copy()
            m.meeting_places[d] = np.maximum(before + iv.get("change"), 0)
            self.saved[iv.index] = m.meeting_places[d] - before
        elif iv.type == "channel" and iv.get("action") == "launch":
            name = iv.get("channel")
            for x in (m.associations[i] for i in d):
                x.channels[name] = x.wanted[name] = True
                if iv.get("funded"):
                    x.funded_channels.add(name)
        elif iv.type == "channel":  # close it in every association of the district
            name = iv.get("channel")
            for x in m.all_associations:
                if x.district in d:
                    x.closed_channels.add(name)
                    x.channels[name] = False
        elif iv.type == "program":
            last = (
                program_year(iv.end_month - 1)
                if iv.end_month is not None
                else m.params.program.last_call_year
            )
            self._program(enabled=True, last_call_year=last, **dict(iv.params))
            m.program.start()
        elif iv.type == "continuation_funding":
            self.saved[iv.index] = m.params.program.continuation_probability
            self._program(
                continuation_probability=0.0 if iv.get("action") == "cut" else iv.get("probability")
            )
        elif iv.type == "reputation_shock":
            m.reputation[d] = np.clip(m.reputation[d] + iv.get("change"), 0.0, 1.0)

    def _each_month(self, iv: Intervention, t: int) -> None:
        m = self.model
        d = self.targets[iv.index]
        if iv.type == "matchmaking" and (t - iv.start_month) % iv.get("every_months") == 0:
            for district in d:
                for _ in range(iv.get("partners")):
                    m.form_partnership(int(district), matched=True)
        elif iv.type == "coaching":
            step = iv.get("shift_per_year") / 12.0
            goal = iv.get("toward")
            for x in m.all_associations:
                if x.kind == iv.get("kind") and x.district in d:
                    gap = goal - x.orientation
                    x.orientation += float(np.sign(gap) * min(step, abs(gap)))

    def _end(self, iv: Intervention) -> None:
        m = self.model
        d = self.targets[iv.index]
        if iv.type == "meeting_place":
            m.meeting_places[d] = np.maximum(m.meeting_places[d] - self.saved[iv.index], 0)
        elif iv.type == "channel":
            name = iv.get("channel")
            for x in m.all_associations:
                if x.district in d:
                    x.funded_channels.discard(name)
                    x.closed_channels.discard(name)
        elif iv.type == "continuation_funding":
            self._program(continuation_probability=self.saved[iv.index])
