"""Scenario files: load TOML (and district CSVs), validate, apply overrides.

A scenario is a TOML file with a ``[scenario]`` table (name, description,
months, scale, seed), the districts (``[[districts]]`` tables, or a
``[districts_file]`` table pointing to a CSV of districts and a CSV of
adjacency), optional ``[[shocks]]``, optional ``[[interventions]]``
(:mod:`districtsim.interventions`) and any parameter section of
:mod:`districtsim.params`. Every problem is reported as a
:class:`~districtsim.errors.ScenarioError` naming the file, the key path, the
value found and what is expected.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from districtsim.bundled import SCENARIO_DIR, bundled_names, find_bundled
from districtsim.errors import ScenarioError
from districtsim.interventions import Intervention, check_interventions
from districtsim.params import ASSOCIATION_KINDS as KINDS
from districtsim.params import CHANNELS, SECTIONS, Params, params_to_dict
from districtsim.validation import (
    check_cross,
    check_month,
    check_param_value,
    check_scalar,
    check_table,
    one_of,
)

MODES: tuple[str, ...] = ("traditional", "creative")
DEFAULT_SCENARIO = "helsinki"

SCENARIO_KEYS: dict[str, tuple[type, float | None, float | None, str]] = {
    "name": (str, None, None, "a short name"),
    "description": (str, None, None, "a sentence"),
    "months": (int, 1, 1200, "an integer number of months, 1-1200"),
    "scale": (float, 1e-4, 1.0, "a fraction of the real population, 0.0001-1"),
    "seed": (int, 0, 2**63 - 1, "a non-negative integer"),
}
"""``[scenario]`` keys: (type, lowest, highest, what is expected)."""

QUESTION_KEYS: dict[str, str] = {
    "question": "the question the scenario asks, in a sentence",
    "focus_outcomes": "a list of outcome names of districtsim compare (docs/outputs.md)",
    "focus_districts": "a list of district names of this scenario",
}
"""``[scenario]`` keys that state what a comparison is about (``districtsim compare`` reports
them first): the question, its outcomes and its districts. The districts an intervention
targets are in focus without being listed, and each intervention type brings its own outcomes
(:attr:`districtsim.interventions.Intervention.focus_outcomes`)."""


@dataclass(frozen=True)
class DistrictSpec:
    """One district as the scenario describes it (real units)."""

    name: str
    x_km: float
    y_km: float
    population: int
    dwellings: int
    share_owner: float
    share_social: float
    price_eur_m2: float
    mode: str
    channels: tuple[str, ...]
    meeting_places: int
    amenity: float = 0.5
    neighbours: tuple[str, ...] = ()
    local_firms: int | None = None
    associations: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Shock:
    """A scheduled change of reputation (negative or positive publicity)."""

    districts: tuple[str, ...]
    month: int
    reputation: float


@dataclass(frozen=True)
class Scenario:
    """A fully validated scenario: what :func:`districtsim.run.run_scenario` runs."""

    name: str = "unnamed"
    description: str = ""
    months: int = 240
    scale: float = 0.1
    seed: int = 0
    question: str = ""
    focus_outcomes: tuple[str, ...] = ()
    focus_districts: tuple[str, ...] = ()
    districts: tuple[DistrictSpec, ...] = ()
    shocks: tuple[Shock, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    params: Params = field(default_factory=Params)
    source: str = ""

    def with_overrides(self, overrides: list[str]) -> Scenario:
        """Return a copy with ``section.key=value`` overrides applied (file ``--set``).

        Each value is checked on its own as it is read; the rules that involve several
        parameters are checked once all are applied, so their order does not matter.
        """
        scen = self
        for item in overrides:
            scen = _apply_override(scen, item)
        check_cross(scen.params, "--set")
        return scen

    def with_values(self, values: dict[str, Any], source: str = "Scenario.with_values") -> Scenario:
        """Return a copy with typed ``{"section.key": value}`` settings applied.

        The Python form of ``--set``, for notebooks and experiment drivers (SALib, EMA
        Workbench): numpy and pandas scalars are accepted as the Python numbers they hold
        (``np.int64(8)`` as ``8``, ``np.float64(0.5)`` as ``0.5``). Each value is validated as
        ``--set`` validates it, and the rules that involve several parameters once all are
        applied (so the order of ``values`` does not matter). A problem raises
        :class:`ScenarioError` naming ``source`` (what handed the values over, e.g.
        ``"dashboard"``) and the key.
        """
        scen = self
        for path, value in values.items():
            scen = _set_value(scen, path, plain_value(value), source)
        check_cross(scen.params, source)
        return scen

    def with_option(self, key: str, value: Any, option: str) -> Scenario:
        """Return a copy with ``[scenario] key`` set by a command-line option such as ``--months``.

        A problem is reported under the option the user typed, e.g.
        ``--months: found 0; expected an integer number of months, 1-1200``;
        a horizon that cuts a shock off suggests ``--months N``.
        """
        typ, lo, hi, what = SCENARIO_KEYS[key]
        try:
            value = check_scalar(value, typ, lo, hi, file=option, key="")
        except ScenarioError:
            raise ScenarioError(option, "", value, what) from None
        new = dataclasses.replace(self, **{key: value})
        if key == "months":
            _check_shocks_horizon(new, f"{option} {value}")
        return new

    def to_dict(self) -> dict[str, Any]:
        """Return the resolved scenario as plain data (for meta.json)."""
        return {
            "scenario": {
                **{k: getattr(self, k) for k in SCENARIO_KEYS},
                "question": self.question,
                "focus_outcomes": list(self.focus_outcomes),
                "focus_districts": list(self.focus_districts),
            },
            "source": self.source,
            "districts": [
                {
                    k: list(v) if isinstance(v, tuple) else v
                    for k, v in dataclasses.asdict(d).items()
                }
                for d in self.districts
            ],
            "shocks": [
                {"districts": list(s.districts), "month": s.month, "reputation": s.reputation}
                for s in self.shocks
            ],
            "interventions": [iv.to_dict() for iv in self.interventions],
            "params": params_to_dict(self.params),
        }

    def adjacency_pairs(self) -> list[tuple[int, int]]:
        """Return the symmetric adjacency as sorted index pairs (i < j)."""
        index = {d.name: i for i, d in enumerate(self.districts)}
        pairs = set()
        for i, d in enumerate(self.districts):
            for n in d.neighbours:
                j = index[n]
                pairs.add((min(i, j), max(i, j)))
        return sorted(pairs)


def bundled_scenarios() -> list[str]:
    """Return the names of the bundled scenarios (``districtsim/scenarios/*.toml``), sorted."""
    return bundled_names(SCENARIO_DIR)


def resolve_path(name_or_path: str | None) -> Path:
    """Find a scenario by path, or by name among the bundled ones (:func:`bundled_scenarios`)."""
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    p = Path(name_or_path)
    if p.exists():
        return p
    return find_bundled(name_or_path, SCENARIO_DIR, "scenario")


def load_scenario(name_or_path: str | None = None, overrides: list[str] | None = None) -> Scenario:
    """Load, validate and override a scenario file.

    Args:
        name_or_path: A TOML path, or the name of a bundled scenario; None
            loads the default city.
        overrides: ``section.key=value`` strings applied after loading.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: For any problem, naming file, key and expectation.
    """
    path = resolve_path(name_or_path)
    raw = _read_with_base(path, ())
    return scenario_from_dict(raw, str(path), base_dir=path.parent).with_overrides(overrides or [])


def read_toml(path: Path) -> dict[str, Any]:
    """Return a TOML file parsed; a syntax error or an unreadable file raises ScenarioError."""
    file = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "invalid TOML", f"valid TOML syntax ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            file, "", "an unreadable file", f"a readable UTF-8 text file ({exc})"
        ) from None


def _read_with_base(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """Read a scenario file and merge it onto its ``[scenario] base``, if it names one.

    The base (a bundled name or a path relative to this file) is validated on
    its own first, so its mistakes are reported in its own file. Then this
    file's tables win: ``[scenario]`` keys and parameter keys one by one;
    ``[[districts]]`` or ``[districts_file]`` replace the base's districts
    as a whole; ``[[shocks]]`` and ``[[interventions]]`` are added after the
    base's.
    """
    raw = read_toml(path)
    head = raw.get("scenario", {})
    if not isinstance(head, dict) or "base" not in head:
        return raw
    base_path = _base_path(path, head["base"], seen)
    base_raw = _read_with_base(base_path, (*seen, path.resolve()))
    # Report the base's own mistakes in its own file.
    scenario_from_dict(base_raw, str(base_path), base_dir=base_path.parent)
    return _merge_onto_base(_anchor_districts_file(base_raw, base_path), raw)


def _base_path(path: Path, base_name: Any, seen: tuple[Path, ...]) -> Path:
    """Return the file that ``[scenario] base`` of ``path`` names, resolved; refuse a cycle."""
    file = str(path)
    if not isinstance(base_name, str):
        raise ScenarioError(
            file,
            "scenario.base",
            base_name,
            "the name of a bundled scenario or a path to a scenario file",
        )
    candidate = (path.parent / base_name) if not Path(base_name).is_absolute() else Path(base_name)
    try:
        base_path = (
            candidate if candidate.suffix and candidate.exists() else resolve_path(base_name)
        ).resolve()
    except ScenarioError as exc:
        raise ScenarioError(file, "scenario.base", base_name, exc.expected) from None
    if base_path == path.resolve() or base_path in seen:
        raise ScenarioError(
            file,
            "scenario.base",
            base_name,
            "a scenario that does not (directly or through its own base) "
            "name this file as its base",
        )
    return base_path


def _anchor_districts_file(base_raw: dict[str, Any], base_path: Path) -> dict[str, Any]:
    """Return the base with its ``[districts_file]`` paths made absolute (relative to the base)."""
    if "districts_file" not in base_raw:
        return base_raw
    spec = dict(base_raw["districts_file"])
    for key in ("districts", "adjacency"):
        if isinstance(spec.get(key), str):
            spec[key] = str((base_path.parent / spec[key]).resolve())
    return {**base_raw, "districts_file": spec}


def _merge_onto_base(base_raw: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """Return the tables of ``raw`` merged onto its base's, as :func:`_read_with_base` says."""
    merged: dict[str, Any] = {
        k: v
        for k, v in base_raw.items()
        if k not in ("districts", "districts_file")
        or ("districts" not in raw and "districts_file" not in raw)
    }
    for key, value in raw.items():
        if key == "scenario":
            merged["scenario"] = {
                **base_raw.get("scenario", {}),
                **{k: v for k, v in value.items() if k != "base"},
            }
        elif key in ("shocks", "interventions") and isinstance(value, list):
            merged[key] = [*base_raw.get(key, []), *value]
        elif key in SECTIONS and isinstance(value, dict) and isinstance(base_raw.get(key), dict):
            merged[key] = {**base_raw[key], **value}
        else:
            merged[key] = value
    merged.get("scenario", {}).pop("base", None)
    return merged


def scenario_from_dict(
    raw: dict[str, Any], file: str = "<dict>", base_dir: Path | None = None
) -> Scenario:
    """Validate a parsed scenario mapping (see module docstring for the keys).

    Text is compared in Unicode's composed form (NFC): a name typed or saved in decomposed
    form (as macOS does) matches the same name in composed form.
    """
    raw = nfc(raw)
    known = {"scenario", "districts", "districts_file", "shocks", "interventions", *SECTIONS}
    for key in raw:
        if key not in known:
            raise ScenarioError(file, key, key, one_of(key, sorted(known), "a table"))
    head = check_table(raw.get("scenario", {}), file, "scenario")
    values: dict[str, Any] = {}
    for key, value in head.items():
        if key in QUESTION_KEYS:
            continue
        if key not in SCENARIO_KEYS:
            keys = [*SCENARIO_KEYS, *QUESTION_KEYS]
            raise ScenarioError(
                file, f"scenario.{key}", value, one_of(key, keys, "a [scenario] key")
            )
        values[key] = check_scalar(value, *SCENARIO_KEYS[key], file=file, key=f"scenario.{key}")
    if "districts" in raw and "districts_file" in raw:
        raise ScenarioError(
            file, "districts_file", "both [[districts]] and [districts_file]", "only one of them"
        )
    if "districts_file" in raw:
        rows, dfile = _districts_from_csv(
            check_table(raw["districts_file"], file, "districts_file"), file, base_dir or Path(".")
        )
    else:
        rows, dfile = raw.get("districts"), file
        if not isinstance(rows, list) or not rows:
            raise ScenarioError(
                file,
                "districts",
                rows,
                "at least one [[districts]] table, or a [districts_file] table",
            )
    districts = _check_districts(rows, dfile, from_csv="districts_file" in raw)
    months = values.get("months", 240)
    shocks = _check_shocks(raw.get("shocks", []), file, {d.name for d in districts}, months)
    interventions = check_interventions(
        raw.get("interventions", []), file, [d.name for d in districts], months
    )
    params = _check_params(raw, file)
    check_cross(params, file)
    values.update(_check_question(head, file, [d.name for d in districts]))
    return Scenario(
        districts=districts,
        shocks=shocks,
        interventions=interventions,
        params=params,
        source=file,
        **values,
    )


def _check_params(raw: dict[str, Any], file: str) -> Params:
    sections = {}
    for section, cls in SECTIONS.items():
        table = check_table(raw.get(section, {}), file, section)
        names = [f.name for f in dataclasses.fields(cls)]
        values = {}
        for key, value in table.items():
            if key not in names:
                raise ScenarioError(
                    file,
                    f"{section}.{key}",
                    value,
                    one_of(key, names, f"a parameter of [{section}]"),
                )
            values[key] = check_param_value(cls, key, value, file, f"{section}.{key}")
        sections[section] = cls(**values)
    return Params(**sections)


_DISTRICT_KEYS: dict[str, tuple[type, float | None, float | None, str]] = {
    "name": (str, None, None, "a unique district name"),
    "x_km": (float, None, None, "position east, km"),
    "y_km": (float, None, None, "position north, km"),
    "population": (int, 1, None, "residents, persons"),
    "dwellings": (int, 1, None, "dwellings"),
    "share_owner": (float, 0, 1, "share of owner-occupied dwellings"),
    "share_social": (float, 0, 1, "share of social rental dwellings"),
    "price_eur_m2": (float, 100, 100000, "price, EUR/m2"),
    "meeting_places": (int, 0, 1000, "meeting places (resident houses)"),
    "amenity": (float, 0, 1, "location amenity, 0..1"),
    "local_firms": (int, 0, None, "local firms"),
}
_OPTIONAL = {"amenity", "neighbours", "local_firms", "associations"}


def _check_districts(
    rows: list[Any], file: str, from_csv: bool = False
) -> tuple[DistrictSpec, ...]:
    """Return the districts of ``rows`` (tables or parsed CSV rows) checked, then their links.

    Errors name ``districts[i].key`` in a scenario file, ``row N, column key`` (N the line of
    the CSV file, the header being line 1) in a districts CSV.
    """
    wheres = [f"row {i + 2}" if from_csv else f"districts[{i}]" for i in range(len(rows))]
    out, names = [], []
    for row, where in zip(rows, wheres, strict=True):
        spec = _check_district(row, file, where, names)
        names.append(spec.name)
        out.append(spec)
    _check_district_links(out, names, file, wheres)
    return tuple(out)


def _at(where: str, key: str) -> str:
    """Return the key path of ``key`` in a district: ``districts[3].key``, ``row 5, column key``."""
    return f"{where}, column {key}" if where.startswith("row ") else f"{where}.{key}"


def _check_district(row: Any, file: str, where: str, taken: list[str]) -> DistrictSpec:
    """Return one district checked; ``taken`` holds the names of the districts before it."""
    row = check_table(row, file, where)
    _check_district_keys(row, file, where)
    vals = {
        k: check_scalar(row[k], *_DISTRICT_KEYS[k], file=file, key=_at(where, k))
        for k in _DISTRICT_KEYS
        if k in row
    }
    if vals["name"] in taken:
        raise ScenarioError(
            file, _at(where, "name"), vals["name"], "a name not used by another district"
        )
    if vals["share_owner"] + vals["share_social"] > 1 + 1e-9:
        raise ScenarioError(
            file,
            _at(where, "share_social"),
            vals["share_social"],
            f"share_owner + share_social <= 1 (share_owner is {vals['share_owner']})",
        )
    vals.update(_check_district_lists(row, file, where))
    return DistrictSpec(**vals)


def _check_district_keys(row: dict[str, Any], file: str, where: str) -> None:
    """Refuse a district's unknown keys, then its missing required keys."""
    allowed = [*_DISTRICT_KEYS, "mode", "channels", "neighbours", "associations"]
    for key in row:
        if key not in allowed:
            raise ScenarioError(
                file, _at(where, key), row[key], one_of(key, allowed, "a district key")
            )
    for key in allowed:
        if key not in row and key not in _OPTIONAL:
            raise ScenarioError(file, _at(where, key), None, f"a value for {key}")


def _check_district_lists(row: dict[str, Any], file: str, where: str) -> dict[str, Any]:
    """Return a district's mode, channels, neighbours and (if given) association kinds, checked."""
    if row["mode"] not in MODES:
        raise ScenarioError(file, _at(where, "mode"), row["mode"], one_of(row["mode"], MODES))
    channels = row["channels"]
    if not isinstance(channels, list) or any(c not in CHANNELS for c in channels):
        raise ScenarioError(
            file, _at(where, "channels"), channels, f"a list drawn from {', '.join(CHANNELS)}"
        )
    neighbours = row.get("neighbours", [])
    if not isinstance(neighbours, list) or not all(isinstance(n, str) for n in neighbours):
        raise ScenarioError(file, _at(where, "neighbours"), neighbours, "a list of district names")
    vals: dict[str, Any] = {
        "mode": row["mode"],
        "channels": tuple(c for c in CHANNELS if c in channels),
        "neighbours": tuple(neighbours),
    }
    if "associations" in row:
        kinds = row["associations"]
        if (
            not isinstance(kinds, list)
            or any(k not in KINDS for k in kinds)
            or len(set(kinds)) < len(kinds)
        ):
            raise ScenarioError(
                file,
                _at(where, "associations"),
                kinds,
                f"a list of distinct kinds drawn from {', '.join(KINDS)} "
                "(the district_association is always present)",
            )
        vals["associations"] = tuple(k for k in KINDS if k in kinds or k == "district_association")
    return vals


def _check_district_links(
    out: list[DistrictSpec], names: list[str], file: str, wheres: list[str]
) -> None:
    """Check each district's capacity and that its neighbours are other districts."""
    for d, where in zip(out, wheres, strict=True):
        capacity = d.dwellings * 10
        if d.population > capacity:
            raise ScenarioError(
                file,
                _at(where, "population"),
                d.population,
                f"at most 10 persons per dwelling ({d.dwellings} dwellings)",
            )
        for n in d.neighbours:
            if n not in names:
                raise ScenarioError(
                    file,
                    _at(where, "neighbours"),
                    n,
                    one_of(n, names, "the name of a district in this scenario"),
                )
            if n == d.name:
                raise ScenarioError(
                    file, _at(where, "neighbours"), n, "another district (not itself)"
                )


def _districts_from_csv(
    spec: dict[str, Any], file: str, base: Path
) -> tuple[list[dict[str, Any]], str]:
    """Return the district rows of a ``[districts_file]`` table (as tables) and the CSV's path."""
    for key in spec:
        if key not in ("districts", "adjacency"):
            raise ScenarioError(
                file, f"districts_file.{key}", spec[key], "one of districts, adjacency"
            )
    if not isinstance(spec.get("districts"), str):
        raise ScenarioError(
            file,
            "districts_file.districts",
            spec.get("districts"),
            "a path to a CSV of districts, relative to the scenario file",
        )
    dpath = base / spec["districts"]
    rows, delimiter = _read_csv(dpath, file, "districts_file.districts")
    dfile = str(dpath)
    _check_csv_header(rows, dfile)
    parsed = [
        _district_from_csv_row(row, dfile, i + 2, decimal_comma=delimiter == ";")
        for i, row in enumerate(rows)
    ]
    if "adjacency" in spec:
        _add_adjacency(spec["adjacency"], parsed, file, base)
    return parsed, dfile


def _check_csv_header(rows: list[dict[str, str]], dfile: str) -> None:
    """Refuse a districts CSV whose header lacks a required column, or has an unknown one."""
    if not rows:
        raise ScenarioError(dfile, "", "no rows", "a header line and one row per district")
    header = [(k or "").strip() for k in rows[0] if k is not None]
    allowed = [*_DISTRICT_KEYS, "mode", "channels", "neighbours", "associations"]
    for key in header:
        if key not in allowed:
            raise ScenarioError(dfile, "header", key, one_of(key, allowed, "a column name"))
    missing = [k for k in allowed if k not in header and k not in _OPTIONAL]
    if missing:
        raise ScenarioError(
            dfile,
            "header",
            ", ".join(header),
            f"a column for each of {', '.join(missing)} (missing; the columns are listed "
            "in docs/ODD.md section 6)",
        )


def _district_from_csv_row(
    row: dict[str, Any], dfile: str, line: int, decimal_comma: bool = False
) -> dict[str, Any]:
    """Return one row of the districts CSV (``line`` of the file) as a ``[[districts]]`` table.

    With ``decimal_comma`` (a ``;``-separated file), numbers may be written ``0,35``.
    """
    out: dict[str, Any] = {}
    if None in row:
        delimiter = ";" if decimal_comma else ","
        raise ScenarioError(
            dfile,
            f"row {line}",
            row[None],
            f"as many cells as the header has columns ({len(row) - 1}; cells are separated "
            f"by {delimiter!r}, as in the header: quote a cell that contains it)",
        )
    for key, text in row.items():
        key = (key or "").strip()
        text = (text or "").strip()
        where = f"row {line}, column {key}"
        if key == "associations" and text == "":
            continue
        if key in ("channels", "neighbours", "associations"):
            out[key] = [t.strip() for t in re.split("[;,]", text) if t.strip()]
        elif key in ("name", "mode"):
            out[key] = text
        elif key in _DISTRICT_KEYS:
            if text == "" and key in _OPTIONAL:
                continue
            typ = _DISTRICT_KEYS[key][0]
            number = text.replace("\u00a0", "").replace(" ", "")  # thousands as 9 000
            if decimal_comma:
                number = number.replace(",", ".")
            try:
                out[key] = int(number) if typ is int else float(number)
            except ValueError:
                raise ScenarioError(
                    dfile, where, text, f"a number ({_DISTRICT_KEYS[key][3]})"
                ) from None
        else:
            out[key] = text
    return out


def _add_adjacency(adjacency: Any, parsed: list[dict[str, Any]], file: str, base: Path) -> None:
    """Add the pairs of the adjacency CSV to the ``neighbours`` of the parsed district rows."""
    if not isinstance(adjacency, str):
        raise ScenarioError(
            file,
            "districts_file.adjacency",
            adjacency,
            "a path to a CSV with columns district,neighbour",
        )
    apath = base / adjacency
    names = [r.get("name") for r in parsed]
    for i, row in enumerate(_read_csv(apath, file, "districts_file.adjacency")[0]):
        a, b = (row.get("district") or "").strip(), (row.get("neighbour") or "").strip()
        for col, val in (("district", a), ("neighbour", b)):
            if val not in names:
                raise ScenarioError(
                    str(apath),
                    f"row {i + 2}, column {col}",
                    val,
                    one_of(val, names, "the name of a district in the districts CSV"),
                )
        parsed[names.index(a)].setdefault("neighbours", []).append(b)


def nfc(value: Any) -> Any:
    """Return ``value`` with every string in it (keys too) in Unicode's composed form (NFC)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(nfc(v) for v in value)
    return value


def csv_delimiter(header: str) -> str:
    """Return the delimiter of a CSV file from its header line: ``;`` or ``,``.

    A spreadsheet saved as CSV in a locale with a decimal comma (Finnish, German, French
    Excel) separates cells with ``;``; such a header has more ``;`` than ``,``.
    """
    return ";" if header.count(";") > header.count(",") else ","


def _read_csv(path: Path, file: str, key: str) -> tuple[list[dict[str, str]], str]:
    """Return the rows of a CSV file (text in NFC) and its delimiter (``,`` or ``;``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            str(path),
            "",
            "bytes that are not UTF-8",
            f"a UTF-8 text file (save the CSV as UTF-8; {exc.reason} at byte {exc.start})",
        ) from None
    except OSError:
        raise ScenarioError(
            file,
            key,
            str(path),
            "an existing, readable CSV file (paths are relative to the scenario file)",
        ) from None
    text = unicodedata.normalize("NFC", text)
    delimiter = csv_delimiter(text.split("\n", 1)[0])
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter


def _check_shocks(rows: Any, file: str, names: set[str], months: int) -> tuple[Shock, ...]:
    if not isinstance(rows, list):
        raise ScenarioError(file, "shocks", rows, "a list of [[shocks]] tables")
    out = []
    for i, row in enumerate(rows):
        where = f"shocks[{i}]"
        row = check_table(row, file, where)
        for key in row:
            if key not in ("district", "month", "reputation"):
                raise ScenarioError(
                    file, f"{where}.{key}", row[key], "one of district, month, reputation"
                )
        target = row.get("district")
        targets = [target] if isinstance(target, str) else target
        if not isinstance(targets, list) or not targets:
            raise ScenarioError(
                file, f"{where}.district", target, "a district name or a list of names"
            )
        for t in targets:
            if t not in names:
                raise ScenarioError(
                    file,
                    f"{where}.district",
                    t,
                    one_of(t, names, "the name of a district in this scenario"),
                )
        month = check_month(row.get("month"), months, file=file, key=f"{where}.month")
        size = check_scalar(
            row.get("reputation"),
            float,
            -1,
            1,
            file=file,
            key=f"{where}.reputation",
            what="a change of reputation, -1..1",
        )
        out.append(Shock(tuple(targets), month, size))
    return tuple(out)


def _apply_override(scen: Scenario, item: str) -> Scenario:
    file = "--set"
    if "=" not in item or "." not in item.split("=", 1)[0]:
        raise ScenarioError(file, item, item, "section.key=value, e.g. mobilisation.tau=0.05")
    path, text = item.split("=", 1)
    try:
        value = nfc(tomllib.loads(f"v = {text}")["v"])
    except tomllib.TOMLDecodeError:
        value = text
    return _set_value(scen, path.strip(), value, file)


def plain_value(value: Any) -> Any:
    """Return ``value`` with numpy and pandas scalars as plain Python values, lists as tuples.

    ``np.int64(8)`` -> ``8``, ``np.float64(0.5)`` -> ``0.5``, ``np.bool_(True)`` -> ``True``,
    ``np.str_("a")`` -> ``"a"``; a 0-d array as its element; a list, tuple or 1-d array
    element by element (as a list, the form TOML gives). Anything else is returned as is.
    """
    if isinstance(value, np.ndarray):
        return plain_value(value.item()) if value.ndim == 0 else [plain_value(v) for v in value]
    if isinstance(value, np.generic):
        return plain_value(value.item())
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return value


def _set_value(scen: Scenario, path: str, value: Any, file: str) -> Scenario:
    """Return ``scen`` with ``section.key`` (a parameter or ``scenario.`` key) set, validated.

    The rules that involve several parameters are checked by the callers, once all their
    values are set (:meth:`Scenario.with_values`, :meth:`Scenario.with_overrides`).
    """
    section, key = path.split(".", 1) if "." in path else ("", path)
    if section == "scenario":
        if key not in SCENARIO_KEYS:
            keys = [f"scenario.{k}" for k in SCENARIO_KEYS]
            raise ScenarioError(file, path, value, one_of(path, keys, "a [scenario] key"))
        value = check_scalar(value, *SCENARIO_KEYS[key], file=file, key=path)
        new = dataclasses.replace(scen, **{key: value})
        if key == "months":
            _check_shocks_horizon(new)
        return new
    if section not in SECTIONS:
        raise ScenarioError(
            file, path, value, one_of(section, ["scenario", *SECTIONS], "a section")
        )
    cls = SECTIONS[section]
    names = [f.name for f in dataclasses.fields(cls)]
    if key not in names:
        raise ScenarioError(file, path, value, one_of(key, names, f"a parameter of [{section}]"))
    value = check_param_value(cls, key, value, file, path)
    sect = dataclasses.replace(getattr(scen.params, section), **{key: value})
    params = dataclasses.replace(scen.params, **{section: sect})
    return dataclasses.replace(scen, params=params)


def _check_question(head: dict[str, Any], file: str, names: list[str]) -> dict[str, Any]:
    """Return the ``[scenario]`` question, focus outcomes and focus districts, checked."""
    from districtsim.outcomes import outcome_names  # outcomes -> outputs -> residents -> here

    out: dict[str, Any] = {}
    if "question" in head:
        out["question"] = check_scalar(
            head["question"],
            str,
            None,
            None,
            QUESTION_KEYS["question"],
            file=file,
            key="scenario.question",
        )
    for key, allowed in (("focus_outcomes", outcome_names()), ("focus_districts", names)):
        if key not in head:
            continue
        items = head[key]
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise ScenarioError(file, f"scenario.{key}", items, QUESTION_KEYS[key])
        for x in items:
            if x not in allowed:
                what = (
                    "an outcome of districtsim compare"
                    if key == "focus_outcomes"
                    else ("the name of a district in this scenario")
                )
                raise ScenarioError(file, f"scenario.{key}", x, one_of(x, allowed, what))
        out[key] = tuple(dict.fromkeys(items))
    return out


def _check_shocks_horizon(scen: Scenario, how: str | None = None) -> None:
    """Check every shock and intervention starts inside the horizon.

    ``how`` names what set the horizon (default ``--set scenario.months=N``).
    """
    how = how or f"--set scenario.months={scen.months}"
    starts = [(f"shocks[{i}].month", s.month) for i, s in enumerate(scen.shocks)] + [
        (f"interventions[{iv.index}].start_month", iv.start_month) for iv in scen.interventions
    ]
    for key, month in starts:
        if month >= scen.months:
            raise ScenarioError(
                scen.source, key, month, f"a month within the horizon 0..{scen.months - 1} ({how})"
            )
