"""Experiments: which inputs a sweep varies, how, and what it keeps (TOML experiment files).

The bundled experiments are package data (``districtsim/experiments/*.toml``,
:mod:`districtsim.bundled`). An experiment file has four tables (see
``src/districtsim/experiments/README.md``):

- ``[experiment]``: ``name``, ``description``, ``scenario`` (a bundled
  scenario name or a path relative to the experiment file), ``root_seed``,
  ``replicates`` and optional ``months`` / ``scale`` that override the
  scenario's.
- ``[[inputs]]``: the inputs to vary. ``name`` is a parameter path
  ``section.key`` (checked against :mod:`districtsim.params`) or
  ``scenario.months`` / ``scenario.scale``; ``kind`` is ``continuous``
  (``lo``, ``hi``), ``integer`` (``lo``, ``hi``, both included), ``category``
  (``values``) or ``scenario`` (``values`` = scenario files or bundled names:
  the whole scenario is the lever; ``name`` is then a free label).
- ``[design]``: ``method`` = ``grid`` | ``lhs`` | ``sobol`` | ``morris``,
  ``n`` (sample size; Sobol's and Morris's base sample), ``seed``, and
  ``calc_second_order`` (Sobol), ``num_levels`` (Morris), ``levels`` (grid
  default for continuous inputs; an input's own ``levels`` wins).
- ``[outputs]``: ``variables`` (columns of ``districts.parquet`` and of
  ``city.parquet``), ``summary = "yearly"`` (yearly means of states, yearly
  sums of flows, as :mod:`districtsim.outputs` declares them) or
  ``months = [...]`` (the values in those months), and ``scope`` =
  ``city`` | ``district`` | ``both``.

Every problem is a one-line :class:`~districtsim.errors.ScenarioError`
naming the file, the key, the value found and what is expected.

**Design.** The sampled designs come from SALib with bounds ``[0, 1]`` for
every input (the *unit* matrix, :attr:`Design.unit`, in SALib's row order,
which its analysers expect), then each column is mapped to the input's
values: continuous ``lo + u (hi - lo)``; integer ``lo + floor(u (hi - lo + 1))``
(capped at ``hi``); category and scenario ``values[floor(u k)]`` (capped at
the last). Point ``p`` is row ``p``. A grid is the Cartesian product of the
inputs' levels (continuous: ``levels`` evenly spaced values from ``lo`` to
``hi``; integer: every value; category and scenario: every value), the
first input varying slowest. Run sizes: grid = product of levels; ``lhs`` =
``n``; ``sobol`` = ``n (D + 2)`` (``n (2D + 2)`` with
``calc_second_order``), ``n`` a power of 2; ``morris`` = ``n (D + 1)``
(``D`` = number of inputs); each point is run ``replicates`` times.

**Runs and seeds.** Run ``run_id = point * replicates + replicate``. Its
seed is :func:`districtsim.rng.replicate_seed`: ``(root_seed + replicate)
mod 2**63``, the same at every design point (common random numbers across
points, as across the arms of a comparison; ``experiments/README.md`` says
why), so it depends only on the root seed and the replicate, never on the
number of workers, the executor or the order runs finish in.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from districtsim.bundled import EXPERIMENT_DIR, bundled_names, find_bundled
from districtsim.errors import ScenarioError
from districtsim.outputs import CITY_OUTPUTS, flow_names
from districtsim.params import SECTIONS, param_rows
from districtsim.results import DISTRICT_COLUMNS
from districtsim.rng import SEED_SCHEME as SEED_SCHEME  # re-exported: the scheme of sweep.json
from districtsim.rng import replicate_seed
from districtsim.scenario import (
    QUESTION_KEYS,
    SCENARIO_KEYS,
    Scenario,
    load_scenario,
    read_toml,
    resolve_path,
)
from districtsim.targets import Target, load_targets
from districtsim.validation import check_param_value, check_scalar, one_of, suggestion

KINDS: tuple[str, ...] = ("continuous", "integer", "category", "scenario")
METHODS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")
SCOPES: tuple[str, ...] = ("city", "district", "both")

FLOW_VARIABLES: frozenset[str] = flow_names()
"""Flows of the district and city tables: their yearly summary is a sum (every other variable:
a mean), as declared in :mod:`districtsim.outputs`."""

_SCENARIO_INPUTS = ("scenario.months", "scenario.scale")
_NAME_EXPECTED = (
    "a parameter path section.key (e.g. mobilisation.tau), scenario.months or scenario.scale"
)


@dataclass(frozen=True)
class Input:
    """One varied input.

    Attributes:
        name: ``section.key`` of a parameter, ``scenario.months`` or ``scenario.scale``;
            for ``kind = "scenario"`` a free label.
        kind: ``continuous``, ``integer``, ``category`` or ``scenario``.
        lo: Lowest value (continuous, integer).
        hi: Highest value (continuous, integer), included.
        values: The values (category; scenario: the references as written).
        levels: Grid levels of a continuous input (None: the design's ``levels``).
    """

    name: str
    kind: str
    lo: float | int | None = None
    hi: float | int | None = None
    values: tuple[Any, ...] = ()
    levels: int | None = None

    def grid_values(self, default_levels: int | None) -> list[Any]:
        """Return the input's values on a grid."""
        if self.kind == "continuous":
            k = self.levels or default_levels or 0
            return [float(v) for v in np.linspace(float(self.lo), float(self.hi), k)]
        if self.kind == "integer":
            return list(range(int(self.lo), int(self.hi) + 1))
        return list(self.values)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval samples ``u`` to the input's values (see the module docstring)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.kind == "continuous":
            return [float(v) for v in float(self.lo) + u * (float(self.hi) - float(self.lo))]
        if self.kind == "integer":
            lo, hi = int(self.lo), int(self.hi)
            return [int(v) for v in np.minimum(lo + np.floor(u * (hi - lo + 1)), hi)]
        k = len(self.values)
        return [self.values[int(i)] for i in np.minimum(np.floor(u * k), k - 1)]


@dataclass(frozen=True)
class DesignSpec:
    """The ``[design]`` table."""

    method: str
    n: int | None = None
    seed: int = 0
    calc_second_order: bool = False
    num_levels: int = 4
    levels: int | None = None


@dataclass(frozen=True)
class Outputs:
    """The ``[outputs]`` table: what each run keeps."""

    variables: tuple[str, ...]
    summary: str = "yearly"  # "yearly" or "months"
    months: tuple[int, ...] = ()
    scope: str = "both"
    targets: tuple[Target, ...] = ()
    """Calibration targets whose measures each run also keeps (scope ``"target"``)."""


@dataclass(frozen=True)
class Design:
    """The design points and, for a sampled design, SALib's sample.

    ``points`` has a column ``point`` and one column per input; ``unit`` is
    SALib's sample in ``[0, 1]`` (None for a grid).
    """

    points: pd.DataFrame
    unit: np.ndarray | None


@dataclass(frozen=True)
class Experiment:
    """A validated experiment (what :func:`districtsim.sweep.run_experiment` runs).

    ``scenario_paths`` maps each scenario reference (``scenario`` and the
    values of a ``scenario`` input, as written) to the resolved file.
    """

    name: str
    description: str
    scenario: str | None
    root_seed: int
    replicates: int
    months: int | None
    scale: float | None
    inputs: tuple[Input, ...]
    design_spec: DesignSpec
    outputs: Outputs
    source: str = ""
    scenario_paths: tuple[tuple[str, str], ...] = ()

    @property
    def input_names(self) -> list[str]:
        """Return the input names in file order (the input columns of every table)."""
        return [i.name for i in self.inputs]

    def salib_problem(self) -> dict[str, Any]:
        """Return the SALib problem of the design: every input on ``[0, 1]`` (:class:`Design`)."""
        return {
            "num_vars": len(self.inputs),
            "names": self.input_names,
            "bounds": [[0.0, 1.0]] * len(self.inputs),
        }

    def design(self) -> Design:
        """Return the design points (deterministic: the same spec gives the same points)."""
        return _design(self)

    def runs(self) -> pd.DataFrame:
        """Return one row per run: ``run_id``, ``point``, ``replicate``, ``seed`` and the inputs."""
        points = self.design().points
        reps = self.replicates
        p = np.repeat(points["point"].to_numpy(dtype=np.int64), reps)
        r = np.tile(np.arange(reps, dtype=np.int32), len(points))
        columns: dict[str, Any] = {
            "run_id": p * reps + r,
            "point": p,
            "replicate": r,
            "seed": np.array(
                [run_seed(self.root_seed, int(a), int(b)) for a, b in zip(p, r, strict=True)],
                dtype=np.int64,
            ),
        }
        # All columns at once (one insert per input fragments a frame of many inputs).
        for name in self.input_names:
            columns[name] = np.repeat(points[name].to_numpy(), reps)
        return pd.DataFrame(columns)

    def scenario_for(self, values: dict[str, Any]) -> Scenario:
        """Return the scenario of one design point.

        The lever (or base) scenario, then the experiment's months and scale,
        then the inputs.

        Raises:
            ScenarioError: When the combination is invalid (e.g. municipality_share +
                state_share > 1); a sweep records it as a failed run.
        """
        paths = dict(self.scenario_paths)
        lever = next((i for i in self.inputs if i.kind == "scenario"), None)
        ref = values[lever.name] if lever is not None else self.scenario
        scen = _cached_scenario(paths[ref])
        head = [f"scenario.months={self.months}"] if self.months is not None else []
        head += [f"scenario.scale={self.scale!r}"] if self.scale is not None else []
        head += [
            f"{i.name}={_toml_value(values[i.name])}"
            for i in self.inputs
            if i.name in _SCENARIO_INPUTS
        ]
        scen = scen.with_overrides(head)
        # Parameters are set together, then the cross-parameter rules are checked once (one at a
        # time, a valid point could fail on a half-applied state).
        return scen.with_values(
            {
                inp.name: values[inp.name]
                for inp in self.inputs
                if inp.kind != "scenario" and inp.name not in _SCENARIO_INPUTS
            },
            source=f"{self.source or self.name} (design point)",
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the normalised spec as plain data (in sweep.json; :func:`experiment_hash`)."""
        d = dataclasses.asdict(self)
        d["inputs"] = [
            {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in i.items()
                if v is not None and v != ()
            }
            for i in d["inputs"]
        ]
        d["outputs"] = {k: list(v) if isinstance(v, tuple) else v for k, v in d["outputs"].items()}
        if not d["outputs"]["targets"]:
            del d["outputs"]["targets"]  # specs (and hashes) without targets stay as they were
        d["scenario_paths"] = {ref: path for ref, path in self.scenario_paths}
        return d


def run_seed(root_seed: int, point: int, replicate: int) -> int:
    """Return the seed of run (point, replicate): :func:`districtsim.rng.replicate_seed`.

    ``point`` does not enter (design points share common random numbers);
    it is kept so that callers need not know the scheme.
    """
    del point
    return replicate_seed(root_seed, replicate)


def experiment_hash(exp: Experiment) -> str:
    """Return a SHA-256 of the normalised spec and of every scenario it uses.

    The scenarios count as resolved (after their base); the description does not count, nor
    do a scenario's question and focus (:data:`districtsim.scenario.QUESTION_KEYS`).
    A sweep folder records it; a resume with a different hash is refused
    (a changed experiment file, or a changed scenario file or parameter
    default it depends on). Comments and formatting do not count.
    """
    spec = exp.to_dict()
    for key in ("description", "source", "scenario_paths"):
        spec.pop(key, None)
    scenarios = {}
    for ref, path in exp.scenario_paths:
        d = _cached_scenario(path).to_dict()
        d.pop("source", None)
        for key in QUESTION_KEYS:  # what a comparison reports first, not what runs
            d["scenario"].pop(key, None)
        scenarios[ref] = d
    text = json.dumps({"experiment": spec, "scenarios": scenarios}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached_scenario(path: str) -> Scenario:
    """Load a scenario file once per process and version of the file.

    Sweep workers run many points of the same file.
    """
    st = Path(path).stat()
    return _load_scenario_version(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _load_scenario_version(path: str, mtime_ns: int, size: int) -> Scenario:
    """Load ``path`` (modification time and size key the cache: an edited file is read again)."""
    return load_scenario(path)


def city_columns() -> tuple[str, ...]:
    """Return the numeric columns of ``city.parquet`` (:data:`districtsim.outputs.CITY_OUTPUTS`)."""
    return tuple(c.name for c in CITY_OUTPUTS)


def _toml_value(value: Any) -> str:
    """Return a number as a TOML literal (for a ``scenario.months|scale=value`` override)."""
    if isinstance(value, int | np.integer):
        return str(int(value))
    return repr(float(value))


def bundled_experiments() -> list[str]:
    """Return the names of the bundled experiments (``districtsim/experiments/*.toml``), sorted."""
    return bundled_names(EXPERIMENT_DIR)


def resolve_experiment(name_or_path: str) -> Path:
    """Find an experiment by path, or by name among the bundled ones (``bundled_experiments``)."""
    p = Path(name_or_path)
    if p.exists() and p.is_file():
        return p
    return find_bundled(name_or_path, EXPERIMENT_DIR, "experiment")


def load_experiment(name_or_path: str) -> Experiment:
    """Load and validate an experiment file (a path, or the name of a bundled one).

    Raises:
        ScenarioError: For any problem, naming file, key, value found and expectation.
    """
    path = resolve_experiment(name_or_path)
    file = str(path)
    raw = read_toml(path)
    return experiment_from_dict(raw, file, path.parent)


def _keys(table: dict[str, Any], allowed: tuple[str, ...], file: str, where: str) -> None:
    """Refuse a key of ``table`` that is not in ``allowed``."""
    for key, value in table.items():
        if key not in allowed:
            raise ScenarioError(
                file, f"{where}.{key}" if where else key, value, one_of(key, allowed)
            )


def _table(raw: dict[str, Any], key: str, file: str, required: bool = True) -> dict[str, Any]:
    """Return the table ``raw[key]`` ({} if absent and not required), or raise."""
    value = raw.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(file, key, value, f"a [{key}] table")
    return value


def _resolve_ref(ref: Any, base_dir: Path, file: str, key: str) -> str:
    """Return the resolved path of a scenario reference.

    Relative to the experiment file, else bundled or relative to the working directory.
    """
    if not isinstance(ref, str) or not ref:
        raise ScenarioError(
            file,
            key,
            ref,
            "a bundled scenario name or a path to a scenario file "
            "(relative to the experiment file)",
        )
    candidate = base_dir / ref
    if candidate.suffix and candidate.is_file():
        return str(candidate.resolve())
    try:
        return str(resolve_path(ref).resolve())
    except ScenarioError as exc:
        raise ScenarioError(
            file,
            key,
            ref,
            exc.expected.replace(
                "an existing scenario file",
                "an existing scenario file (relative to the experiment file)",
            ),
        ) from None


def experiment_from_dict(
    raw: dict[str, Any], file: str = "<dict>", base_dir: Path | None = None
) -> Experiment:
    """Validate a parsed experiment mapping (see the module docstring for the keys)."""
    base_dir = base_dir or Path(".")
    _check_tables(raw, file)
    head = _table(raw, "experiment", file)
    fields = _check_head(head, file)
    rows = raw.get("inputs", [])
    if "plausible" in raw:
        if not isinstance(rows, list):
            raise ScenarioError(file, "inputs", rows, "a list of [[inputs]] tables")
        rows = [*rows, *_plausible_inputs(_table(raw, "plausible", file), rows, file)]
    scenario_ref, inputs, paths = _check_inputs(rows, head, file, base_dir)
    design = _check_design(_table(raw, "design", file), file, inputs)
    horizon = _shortest_horizon(paths, fields["months"], fields["scale"], inputs, file)
    outputs = _check_outputs(_table(raw, "outputs", file), file, horizon, base_dir)
    return Experiment(
        **fields,
        scenario=scenario_ref,
        inputs=tuple(inputs),
        design_spec=design,
        outputs=outputs,
        source=file,
        scenario_paths=tuple(paths.items()),
    )


def _check_tables(raw: dict[str, Any], file: str) -> None:
    """Check that the experiment has its four tables (``[plausible]`` may stand for the inputs)."""
    _keys(raw, ("experiment", "inputs", "plausible", "design", "outputs"), file, "")
    required = ("experiment", "design", "outputs") if "plausible" in raw else TABLES_REQUIRED
    for key in required:
        if key not in raw:
            raise ScenarioError(
                file,
                key,
                None,
                "[experiment], [[inputs]], [design] and [outputs] tables "
                "(see src/districtsim/experiments/README.md)",
            )


TABLES_REQUIRED = ("experiment", "inputs", "design", "outputs")
"""The tables every experiment file has (``[plausible]`` can replace ``[[inputs]]``)."""


def _plausible_inputs(
    table: dict[str, Any], explicit: list[Any], file: str
) -> list[dict[str, Any]]:
    """Return one input row per behavioural parameter of ``[plausible]``, over its plausible range.

    Keys: ``sections`` (default: every section) and ``exclude`` (parameter paths). Parameters
    named by an explicit ``[[inputs]]`` table are left to it; fixed parameters have no range.
    """
    _keys(table, ("sections", "exclude"), file, "plausible")
    sections = table.get("sections", list(SECTIONS))
    if not isinstance(sections, list) or not sections or any(s not in SECTIONS for s in sections):
        raise ScenarioError(
            file, "plausible.sections", sections, f"a list of sections: {', '.join(SECTIONS)}"
        )
    rows = [r for r in param_rows() if r["section"] in sections]
    known = {f"{r['section']}.{r['name']}" for r in rows}
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or any(x not in known for x in exclude):
        raise ScenarioError(
            file,
            "plausible.exclude",
            exclude,
            "a list of parameter paths (section.name) of the sections chosen",
        )
    taken = {r.get("name") for r in explicit if isinstance(r, dict)}
    return [
        {
            "name": f"{r['section']}.{r['name']}",
            "kind": "integer" if isinstance(r["default"], int) else "continuous",
        }
        for r in rows
        if r["plausible"] is not None
        and not isinstance(r["default"], bool)
        and f"{r['section']}.{r['name']}" not in {*exclude, *taken}
    ]


def _check_head(head: dict[str, Any], file: str) -> dict[str, Any]:
    """Return the checked fields of the ``[experiment]`` table (all but ``scenario``)."""
    _keys(
        head,
        ("name", "description", "scenario", "root_seed", "replicates", "months", "scale"),
        file,
        "experiment",
    )
    name = check_scalar(
        head.get("name"), str, None, None, "a short name", file=file, key="experiment.name"
    )
    description = check_scalar(
        head.get("description", ""),
        str,
        None,
        None,
        "a sentence",
        file=file,
        key="experiment.description",
    )
    root_seed = check_scalar(
        head.get("root_seed"),
        int,
        0,
        2**63 - 1,
        "a non-negative integer",
        file=file,
        key="experiment.root_seed",
    )
    replicates = check_scalar(
        head.get("replicates", 1),
        int,
        1,
        100000,
        "runs per design point",
        file=file,
        key="experiment.replicates",
    )
    return {
        "name": name,
        "description": description,
        "root_seed": root_seed,
        "replicates": replicates,
        "months": _check_head_override(head, "months", file),
        "scale": _check_head_override(head, "scale", file),
    }


def _check_head_override(head: dict[str, Any], key: str, file: str) -> Any:
    """Return the experiment's ``months`` or ``scale`` (checked as the scenario key), or None."""
    if key not in head:
        return None
    return check_scalar(head[key], *SCENARIO_KEYS[key], file=file, key=f"experiment.{key}")


def _check_inputs(
    rows: Any, head: dict[str, Any], file: str, base_dir: Path
) -> tuple[str | None, list[Input], dict[str, str]]:
    """Return the base scenario reference, the checked inputs and the resolved scenario paths."""
    if not isinstance(rows, list) or not rows:
        raise ScenarioError(file, "inputs", rows, "at least one [[inputs]] table")
    paths: dict[str, str] = {}
    scenario_ref = head.get("scenario")
    _check_scenario_source(rows, scenario_ref, file)
    if scenario_ref is not None:
        paths[scenario_ref] = _resolve_ref(scenario_ref, base_dir, file, "experiment.scenario")
    inputs: list[Input] = []
    for i, row in enumerate(rows):
        inp = _check_input(row, file, f"inputs[{i}]", base_dir, paths)
        if inp.name in [x.name for x in inputs]:
            raise ScenarioError(
                file, f"inputs[{i}].name", inp.name, "a name not used by another input"
            )
        inputs.append(inp)
    return scenario_ref, inputs, paths


def _check_scenario_source(rows: list[Any], scenario_ref: Any, file: str) -> None:
    """Check that the runs have one scenario: ``experiment.scenario``, or one scenario input."""
    levers = [i for i, r in enumerate(rows) if isinstance(r, dict) and r.get("kind") == "scenario"]
    if len(levers) > 1:
        raise ScenarioError(
            file,
            f"inputs[{levers[1]}].kind",
            "scenario",
            "at most one input of kind scenario (it replaces the whole scenario)",
        )
    if scenario_ref is None and not levers:
        raise ScenarioError(
            file,
            "experiment.scenario",
            None,
            "a bundled scenario name or a path to a scenario file (or an input of kind scenario)",
        )


def _shortest_horizon(
    paths: dict[str, str], months: int | None, scale: float | None, inputs: list[Input], file: str
) -> int:
    """Load every scenario used, check the horizon overrides on each; return the shortest horizon.

    Each scenario reports its own mistakes in its own file.
    """
    scenarios = {ref: _cached_scenario(path) for ref, path in paths.items()}
    for ref, scen in scenarios.items():
        head_sets = ([f"scenario.months={months}"] if months is not None else []) + (
            [f"scenario.scale={scale!r}"] if scale is not None else []
        )
        try:
            scen.with_overrides(head_sets)
        except ScenarioError as exc:
            raise ScenarioError(
                file, "experiment.months", months, f"{exc.expected} in scenario {ref}"
            ) from None
    horizons = [months if months is not None else s.months for s in scenarios.values()]
    for inp in inputs:
        if inp.name == "scenario.months":
            horizons.append(int(min(inp.grid_values(2) if inp.kind != "continuous" else [inp.lo])))
    return min(horizons)


def _param_field(name: str, file: str, key: str) -> tuple[type, Any]:
    """Return (section class, default) of a parameter path, or raise."""
    if "." not in name:
        raise ScenarioError(
            file,
            key,
            name,
            _NAME_EXPECTED,
        )
    section, pname = name.split(".", 1)
    if section not in SECTIONS:
        raise ScenarioError(
            file,
            key,
            name,
            f"a parameter path whose section is one of scenario, {', '.join(SECTIONS)}",
        )
    fields = {f.name: f for f in dataclasses.fields(SECTIONS[section])}
    if pname not in fields:
        raise ScenarioError(file, key, name, one_of(pname, fields, f"a parameter of [{section}]"))
    f = fields[pname]
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
    return SECTIONS[section], default


def _check_value(name: str, value: Any, file: str, key: str) -> Any:
    """Check one value of an input against its parameter's declaration; return it normalised."""
    if name in _SCENARIO_INPUTS:
        return check_scalar(value, *SCENARIO_KEYS[name.split(".", 1)[1]], file=file, key=key)
    section, pname = name.split(".", 1)
    return check_param_value(SECTIONS[section], pname, value, file, key)


def _check_input(row: Any, file: str, where: str, base_dir: Path, paths: dict[str, str]) -> Input:
    """Check one ``[[inputs]]`` table; a scenario input's files are added to ``paths``."""
    name, kind = _check_input_head(row, file, where)
    if kind == "scenario":
        return _check_scenario_input(row, name, file, where, base_dir, paths)
    if name not in _SCENARIO_INPUTS:
        _, default = _param_field(name, file, f"{where}.name")
        typ = type(default)
    else:
        typ = SCENARIO_KEYS[name.split(".", 1)[1]][0]
    if kind == "category":
        _only(row, ("name", "kind", "values"), file, where, kind)
        values = _values(row, file, where)
        checked = tuple(
            _check_value(name, v, file, f"{where}.values[{j}]") for j, v in enumerate(values)
        )
        return Input(name=name, kind=kind, values=checked)
    return _check_range_input(row, name, kind, typ, file, where)


def _check_input_head(row: Any, file: str, where: str) -> tuple[str, str]:
    """Return the ``name`` and ``kind`` of an input table, checked."""
    if not isinstance(row, dict):
        raise ScenarioError(file, where, row, "an [[inputs]] table")
    _keys(row, ("name", "kind", "lo", "hi", "values", "levels"), file, where)
    name = row.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(
            file,
            f"{where}.name",
            name,
            _NAME_EXPECTED,
        )
    kind = row.get("kind")
    if kind not in KINDS:
        raise ScenarioError(file, f"{where}.kind", kind, f"one of {', '.join(KINDS)}")
    return name, kind


def _check_scenario_input(
    row: dict[str, Any], name: str, file: str, where: str, base_dir: Path, paths: dict[str, str]
) -> Input:
    """Check an input of kind scenario and resolve its scenario files into ``paths``."""
    if "." in name:
        raise ScenarioError(
            file,
            f"{where}.name",
            name,
            "a label without a dot for a scenario input (e.g. policy)",
        )
    _only(row, ("name", "kind", "values"), file, where, "scenario")
    values = _values(row, file, where)
    if any(not isinstance(v, str) for v in values):
        raise ScenarioError(
            file,
            f"{where}.values",
            list(values),
            "a list of bundled scenario names or scenario files",
        )
    for j, v in enumerate(values):
        paths.setdefault(v, _resolve_ref(v, base_dir, file, f"{where}.values[{j}]"))
    return Input(name=name, kind="scenario", values=values)


def _check_range_input(
    row: dict[str, Any], name: str, kind: str, typ: type, file: str, where: str
) -> Input:
    """Check a continuous or integer input of a ``typ`` parameter (its bounds and levels)."""
    if typ not in (int, float):
        raise ScenarioError(
            file,
            f"{where}.kind",
            kind,
            f"category for {name} (a {typ.__name__} parameter has no range)",
        )
    if kind == "continuous" and typ is int:
        raise ScenarioError(
            file, f"{where}.kind", kind, f"integer or category for {name} (an integer parameter)"
        )
    _only(
        row,
        ("name", "kind", "lo", "hi", "levels")
        if kind == "continuous"
        else ("name", "kind", "lo", "hi"),
        file,
        where,
        kind,
    )
    bound_type = float if kind == "continuous" else int
    if "lo" not in row and "hi" not in row and name not in _SCENARIO_INPUTS:
        row = {**row, **_plausible_bounds(name, bound_type, file, where)}
    lo = check_scalar(
        row.get("lo"), bound_type, None, None, "the lowest value", file=file, key=f"{where}.lo"
    )
    hi = check_scalar(
        row.get("hi"), bound_type, None, None, "the highest value", file=file, key=f"{where}.hi"
    )
    lo = _check_value(name, lo if typ is float else int(lo), file, f"{where}.lo")
    hi = _check_value(name, hi if typ is float else int(hi), file, f"{where}.hi")
    if not hi > lo:
        raise ScenarioError(file, f"{where}.hi", hi, f"a value above lo ({lo})")
    levels = None
    if "levels" in row:
        levels = check_scalar(
            row["levels"],
            int,
            2,
            1000,
            "grid levels of a continuous input",
            file=file,
            key=f"{where}.levels",
        )
    return Input(name=name, kind=kind, lo=lo, hi=hi, levels=levels)


def _plausible_bounds(name: str, bound_type: type, file: str, where: str) -> dict[str, Any]:
    """Return ``{"lo": low, "hi": high}`` from a parameter's plausible range (docs/ODD.md 10).

    An input that gives neither ``lo`` nor ``hi`` is sampled over the plausible range of its
    parameter; a parameter without one (fixed) needs both.
    """
    section, pname = name.split(".", 1)
    meta = next(f for f in dataclasses.fields(SECTIONS[section]) if f.name == pname).metadata
    plausible = meta.get("plausible")
    if plausible is None:
        raise ScenarioError(
            file,
            f"{where}.lo",
            None,
            f"lo and hi for {name}: it has no plausible range to use by default (fixed: "
            f"{meta.get('plausible_reason')})",
        )
    low, high = plausible
    if bound_type is int and not (isinstance(low, int) and isinstance(high, int)):
        raise ScenarioError(
            file,
            f"{where}.lo",
            None,
            f"lo and hi for an integer input of {name}: its plausible range {low}..{high} is "
            "not in whole numbers",
        )
    return {"lo": bound_type(low), "hi": bound_type(high)}


def _only(row: dict[str, Any], allowed: tuple[str, ...], file: str, where: str, kind: str) -> None:
    """Refuse a key of an input table that its ``kind`` does not take."""
    for key, value in row.items():
        if key not in allowed:
            raise ScenarioError(
                file,
                f"{where}.{key}",
                value,
                f"only {', '.join(allowed)} for an input of kind {kind}",
            )


def _values(row: dict[str, Any], file: str, where: str) -> tuple[Any, ...]:
    """Return an input's ``values``: a list of at least two distinct values."""
    values = row.get("values")
    if not isinstance(values, list) or len(values) < 2:
        raise ScenarioError(file, f"{where}.values", values, "a list of at least two values")
    if len({json.dumps(v, sort_keys=True) for v in values}) < len(values):
        raise ScenarioError(file, f"{where}.values", values, "a list of distinct values")
    return tuple(values)


def _check_design(table: dict[str, Any], file: str, inputs: list[Input]) -> DesignSpec:
    """Check the ``[design]`` table against the inputs."""
    _keys(
        table, ("method", "n", "seed", "calc_second_order", "num_levels", "levels"), file, "design"
    )
    method = table.get("method")
    if method not in METHODS:
        raise ScenarioError(file, "design.method", method, f"one of {', '.join(METHODS)}")
    seed = check_scalar(
        table.get("seed", 0),
        int,
        0,
        2**32 - 1,
        "a non-negative integer below 2**32",
        file=file,
        key="design.seed",
    )
    levels = (
        check_scalar(
            table["levels"],
            int,
            2,
            1000,
            "grid levels of continuous inputs",
            file=file,
            key="design.levels",
        )
        if "levels" in table
        else None
    )
    if method == "grid":
        _check_grid(table, file, inputs, levels)
        return DesignSpec(method=method, seed=seed, levels=levels)
    return _check_sampled_design(table, file, inputs, method, seed)


def _check_grid(table: dict[str, Any], file: str, inputs: list[Input], levels: int | None) -> None:
    """Check a grid design: no sample keys, and levels for every continuous input."""
    for key in ("n", "calc_second_order", "num_levels"):
        if key in table:
            raise ScenarioError(
                file,
                f"design.{key}",
                table[key],
                "no such key for a grid (its size is the product of the inputs' levels)",
            )
    for i, inp in enumerate(inputs):
        if inp.kind == "continuous" and inp.levels is None and levels is None:
            raise ScenarioError(
                file,
                f"inputs[{i}].levels",
                None,
                "grid levels for a continuous input (its own levels, or [design] levels)",
            )


def _check_sampled_design(
    table: dict[str, Any], file: str, inputs: list[Input], method: str, seed: int
) -> DesignSpec:
    """Check a sampled design (lhs, sobol, morris): its sample size, options and inputs."""
    if "levels" in table:
        raise ScenarioError(
            file, "design.levels", table["levels"], "levels only with method = grid"
        )
    n = _check_sample_size(table, file, method)
    second = _check_second_order(table, file, method)
    num_levels = _check_num_levels(table, file, method)
    if method in ("sobol", "morris") and len(inputs) < 2:
        raise ScenarioError(file, "inputs", len(inputs), f"at least two inputs for {method}")
    for i, inp in enumerate(inputs):
        if inp.levels is not None:
            raise ScenarioError(
                file, f"inputs[{i}].levels", inp.levels, "levels only with method = grid"
            )
    return DesignSpec(
        method=method, n=n, seed=seed, calc_second_order=second, num_levels=num_levels
    )


def _check_sample_size(table: dict[str, Any], file: str, method: str) -> int:
    """Return the design's ``n`` (a power of 2 for Sobol)."""
    n = check_scalar(
        table.get("n"),
        int,
        1,
        10**7,
        "the sample size (Sobol and Morris: the base sample)",
        file=file,
        key="design.n",
    )
    if method == "sobol" and n & (n - 1):
        raise ScenarioError(
            file,
            "design.n",
            n,
            f"a power of 2 for Sobol (e.g. {2 ** math.ceil(math.log2(n))}): "
            "Sobol' points lose their balance otherwise",
        )
    return n


def _check_second_order(table: dict[str, Any], file: str, method: str) -> bool:
    """Return the design's ``calc_second_order`` (Sobol only; default false)."""
    if "calc_second_order" not in table:
        return False
    if method != "sobol":
        raise ScenarioError(
            file,
            "design.calc_second_order",
            table["calc_second_order"],
            "calc_second_order only with method = sobol",
        )
    return check_scalar(
        table["calc_second_order"],
        bool,
        None,
        None,
        "true or false",
        file=file,
        key="design.calc_second_order",
    )


def _check_num_levels(table: dict[str, Any], file: str, method: str) -> int:
    """Return the design's ``num_levels`` (Morris only; default 4)."""
    if "num_levels" not in table:
        return 4
    if method != "morris":
        raise ScenarioError(
            file,
            "design.num_levels",
            table["num_levels"],
            "num_levels only with method = morris",
        )
    return check_scalar(
        table["num_levels"],
        int,
        2,
        100,
        "levels of the Morris grid (even, e.g. 4)",
        file=file,
        key="design.num_levels",
    )


def _check_outputs(table: dict[str, Any], file: str, horizon: int, base_dir: Path) -> Outputs:
    """Check the ``[outputs]`` table; ``months`` must lie within ``horizon``."""
    _keys(table, ("variables", "summary", "months", "scope", "targets"), file, "outputs")
    targets = _check_targets(table.get("targets"), file, base_dir)
    scope = table.get("scope", "both")
    if scope not in SCOPES:
        raise ScenarioError(file, "outputs.scope", scope, f"one of {', '.join(SCOPES)}")
    variables = _check_variables(table.get("variables"), file, scope)
    if ("summary" in table) == ("months" in table):
        raise ScenarioError(
            file,
            "outputs.summary",
            table.get("summary"),
            'either summary = "yearly" or months = [...] (one of them)',
        )
    if "summary" in table:
        if table["summary"] != "yearly":
            raise ScenarioError(
                file, "outputs.summary", table["summary"], '"yearly" (or months = [...] instead)'
            )
        return Outputs(variables=tuple(variables), summary="yearly", scope=scope, targets=targets)
    months = _check_months(table["months"], file, horizon)
    return Outputs(
        variables=tuple(variables), summary="months", months=months, scope=scope, targets=targets
    )


def _check_targets(ref: Any, file: str, base_dir: Path) -> tuple[Target, ...]:
    """Load ``outputs.targets``: a bundled targets name or a file relative to the experiment."""
    if ref is None:
        return ()
    if not isinstance(ref, str) or not ref:
        raise ScenarioError(
            file, "outputs.targets", ref, 'a targets file or a bundled name (e.g. "helsinki")'
        )
    local = base_dir / ref
    try:
        return load_targets(str(local) if local.is_file() else ref)
    except ScenarioError as err:
        raise ScenarioError(file, "outputs.targets", ref, err.one_line()) from None


def _check_variables(variables: Any, file: str, scope: str) -> list[str]:
    """Return the output variables, checked against the columns of the ``scope``'s tables."""
    if (
        not isinstance(variables, list)
        or not variables
        or not all(isinstance(v, str) for v in variables)
    ):
        raise ScenarioError(
            file,
            "outputs.variables",
            variables,
            "a list of column names of districts.parquet or city.parquet (docs/outputs.md)",
        )
    allowed = {"city": set(city_columns()), "district": set(DISTRICT_COLUMNS)}
    allowed["both"] = allowed["city"] | allowed["district"]
    for j, v in enumerate(variables):
        if v not in allowed[scope]:
            where = {
                "city": "city.parquet",
                "district": "districts.parquet",
                "both": "districts.parquet or city.parquet",
            }[scope]
            close = suggestion(v, sorted(allowed[scope]))
            hint = f"; did you mean {close!r}?" if close else ""
            raise ScenarioError(
                file,
                f"outputs.variables[{j}]",
                v,
                f"a numeric column of {where} (see docs/outputs.md){hint}",
            )
    if len(set(variables)) < len(variables):
        raise ScenarioError(file, "outputs.variables", variables, "distinct column names")
    return variables


def _check_months(months: Any, file: str, horizon: int) -> tuple[int, ...]:
    """Return the output months, checked against ``horizon`` and sorted."""
    if not isinstance(months, list) or not months:
        raise ScenarioError(file, "outputs.months", months, "a non-empty list of months")
    checked = tuple(
        check_scalar(
            m,
            int,
            0,
            horizon - 1,
            f"a month within the shortest horizon 0..{horizon - 1}",
            file=file,
            key=f"outputs.months[{j}]",
        )
        for j, m in enumerate(months)
    )
    if len(set(checked)) < len(checked):
        raise ScenarioError(file, "outputs.months", months, "distinct months")
    return tuple(sorted(checked))


def _design(exp: Experiment) -> Design:
    """Return the design points of ``exp`` (a grid, or mapped from SALib's unit sample)."""
    spec = exp.design_spec
    names = exp.input_names
    if spec.method == "grid":
        axes = [inp.grid_values(spec.levels) for inp in exp.inputs]
        rows = list(itertools.product(*axes))
        cols = {name: [r[k] for r in rows] for k, name in enumerate(names)}
        unit = None
    else:
        from SALib.sample import latin, morris, sobol

        problem = exp.salib_problem()
        if spec.method == "lhs":
            unit = latin.sample(problem, spec.n, seed=spec.seed)
        elif spec.method == "sobol":
            unit = sobol.sample(
                problem, spec.n, calc_second_order=spec.calc_second_order, seed=spec.seed
            )
        else:
            unit = morris.sample(problem, spec.n, num_levels=spec.num_levels, seed=spec.seed)
        cols = {
            name: inp.from_unit(unit[:, k])
            for k, (name, inp) in enumerate(zip(names, exp.inputs, strict=True))
        }
    n = len(next(iter(cols.values())))
    columns: dict[str, Any] = {"point": np.arange(n, dtype=np.int64)}
    for name, inp in zip(names, exp.inputs, strict=True):
        columns[name] = pd.Series(cols[name], dtype=_input_dtype(inp))
    return Design(points=pd.DataFrame(columns), unit=unit)


def _input_dtype(inp: Input) -> str:
    """Return the column dtype of an input (the same in every table and part file)."""
    if inp.kind == "continuous":
        return "float64"
    if inp.kind == "integer":
        return "int64"
    if inp.kind == "scenario" or all(isinstance(v, str) for v in inp.values):
        return "object"
    if all(isinstance(v, bool) for v in inp.values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in inp.values):
        return "int64"
    return "float64"


def design_size(exp: Experiment) -> int:
    """Return the number of design points without sampling (see the module docstring).

    A grid has the product of the inputs' levels.
    """
    spec, d = exp.design_spec, len(exp.inputs)
    if spec.method == "grid":
        return math.prod(len(i.grid_values(spec.levels)) for i in exp.inputs)
    if spec.method == "lhs":
        return int(spec.n)
    if spec.method == "sobol":
        return int(spec.n) * (2 * d + 2 if spec.calc_second_order else d + 2)
    return int(spec.n) * (d + 1)
