"""Validation helpers shared by the scenario, intervention and experiment loaders.

Each helper checks one value read from a file (a TOML table, a CSV cell or a
command-line option) and raises a one-line
:class:`~districtsim.errors.ScenarioError` naming the file, the key, the value
found and what is expected. Declared values (the parameters of
:mod:`districtsim.params`, the settings of an intervention type) are checked
against their declaration: unit, range and, for text, the choices written as
``"a|b|c"`` in the unit.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
import unicodedata
from typing import Any

from districtsim.errors import ScenarioError

if typing.TYPE_CHECKING:
    from districtsim.params import Params


def check_table(value: Any, file: str, key: str) -> dict[str, Any]:
    """Return ``value`` if it is a table (a dict), else raise naming ``key``."""
    if not isinstance(value, dict):
        raise ScenarioError(file, key, value, "a table")
    return value


def check_scalar(
    value: Any,
    typ: type,
    lo: float | None,
    hi: float | None,
    what: str = "",
    *,
    file: str,
    key: str,
) -> Any:
    """Return ``value`` checked to be a ``typ`` in ``[lo, hi]`` (an int is accepted as a float).

    Args:
        value: The value read.
        typ: ``bool``, ``int``, ``float`` or ``str``.
        lo: Lowest allowed value (inclusive), or None.
        hi: Highest allowed value (inclusive), or None.
        what: What is expected, in words (e.g. the unit), for the message.
        file: The file (or option) the value came from.
        key: The key path, e.g. ``interventions[2].change``.

    Raises:
        ScenarioError: If the value has the wrong type, is not finite or is out of range.
    """
    expected = what or typ.__name__
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if typ is bool:
        ok = isinstance(value, bool)
    elif typ is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, typ) and not isinstance(value, bool)
    if not ok:
        raise ScenarioError(
            file, key, value, f"{expected} ({typ.__name__})" if what else typ.__name__
        )
    if typ is float and not math.isfinite(value):
        raise ScenarioError(file, key, value, f"a finite number{': ' + what if what else ''}")
    if typ in (int, float) and ((lo is not None and value < lo) or (hi is not None and value > hi)):
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise ScenarioError(
            file, key, value, f"a value in [{lo_s}, {hi_s}]" + (f": {what}" if what else "")
        )
    return value


def check_month(value: Any, months: int, *, file: str, key: str) -> int:
    """Return ``value`` checked to be a month within the horizon, ``0..months - 1``."""
    what = f"a month within the horizon 0..{months - 1}"
    return check_scalar(value, int, 0, months - 1, file=file, key=key, what=what)


def declared_field(cls: type, name: str) -> dataclasses.Field[Any]:
    """Return the field ``name`` of the declaration dataclass ``cls``."""
    return {f.name: f for f in dataclasses.fields(cls)}[name]


def declared_kind(cls: type, name: str) -> Any:
    """Return the declared value's kind: the type of its default, or its annotation if required.

    A tuple default means a tuple of integers; a field without a default (a
    required setting) is typed by its annotation.
    """
    f = declared_field(cls, name)
    if f.default is not dataclasses.MISSING:
        return type(f.default)
    if f.default_factory is not dataclasses.MISSING:
        return type(f.default_factory())
    return typing.get_type_hints(cls)[name]


LIST_ALL_UP_TO = 40
"""Names an error lists in full when a value must be one of them (the 34 districts fit)."""


def suggestion(found: Any, allowed: typing.Iterable[str]) -> str | None:
    """Return the allowed name closest to ``found`` (difflib, case-insensitive), if one is close.

    ``"rentcap"`` -> ``"rent_cap"``, ``"Kalio"`` -> ``"Kallio"``,
    ``"Pitajanmaki"`` -> ``"Pitäjänmäki"``; None when nothing is close.
    """
    if not isinstance(found, str):
        return None
    folded = {_fold(a): a for a in allowed}
    key = _fold(found)
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.65)
    return folded[close[0]] if close else None


def _fold(name: str) -> str:
    """Return ``name`` lower-case, without diacritics, with ``-`` and spaces as ``_``."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.lower().replace("-", "_").replace(" ", "_")


def one_of(found: Any, allowed: typing.Iterable[str], what: str = "") -> str:
    """Return what an error expects when ``found`` must be one of ``allowed`` names.

    ``what`` describes the names (e.g. "the name of a district in this scenario"); a close
    name is offered first ("...; did you mean 'Kallio'? (one of ...)"), then every allowed
    name when there are at most :data:`LIST_ALL_UP_TO`, otherwise their number and the first
    few.
    """
    allowed = list(allowed)
    close = suggestion(found, allowed)
    if len(allowed) <= LIST_ALL_UP_TO:
        names = f"one of {', '.join(allowed)}"
    else:
        names = f"one of {len(allowed)} names ({', '.join(allowed[:8])}, ...)"
    if close is not None:
        return f"{what or 'a known name'}; did you mean {close!r}? ({names})"
    return f"{what}: {names}" if what else names


def describe_declared(cls: type, name: str) -> str:
    """Return what a declared value must be, in words: its choices, or its unit."""
    unit = declared_field(cls, name).metadata["unit"]
    if declared_kind(cls, name) is str:
        return f"one of {', '.join(unit.split('|'))}"
    return unit


def check_param_value(cls: type, name: str, value: Any, file: str, key: str) -> Any:
    """Return ``value`` checked against the declaration of field ``name`` of ``cls``.

    ``cls`` is a dataclass whose fields are declared with
    :func:`districtsim.params.param` (unit, range, source): a parameter section
    or an intervention type. A tuple is a list of integers in the range; text
    is one of the choices written ``"a|b|c"`` in the unit.

    Raises:
        ScenarioError: Naming ``file``, ``key``, the value and what is expected.
    """
    meta = declared_field(cls, name).metadata
    lo, hi, unit = meta["lo"], meta["hi"], meta["unit"]
    kind = declared_kind(cls, name)
    if kind is tuple:
        if not isinstance(value, list):
            raise ScenarioError(file, key, value, f"a list of integers ({unit})")
        return tuple(
            check_scalar(v, int, lo, hi, file=file, key=f"{key}[{i}]", what=unit)
            for i, v in enumerate(value)
        )
    if kind is str:
        if value not in unit.split("|"):
            raise ScenarioError(file, key, value, describe_declared(cls, name))
        return value
    return check_scalar(value, kind, lo, hi, file=file, key=key, what=unit)


def check_cross(params: Params, file: str) -> None:
    """Check the rules that involve more than one parameter.

    Raises:
        ScenarioError: Naming ``file`` and the parameter that breaks a rule.
    """
    prog = params.program
    if prog.municipality_share + prog.state_share > 1 + 1e-9:
        raise ScenarioError(
            file,
            "program.state_share",
            prog.state_share,
            f"municipality_share + state_share <= 1 (municipality_share is "
            f"{prog.municipality_share}; the innovation fund pays the rest)",
        )
