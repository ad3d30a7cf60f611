"""The documentation matches the code: the ODD parameter table and the outputs reference.

``docs/outputs.md``'s district and city tables list exactly the columns declared in
:mod:`districtsim.outputs`, in order, with the declared unit and kind (a new output
column is documented there; the test names what is missing or different).

``docs/ODD.md`` holds one row per parameter of :mod:`districtsim.params`,
between the markers ``<!-- param-table:start -->`` and
``<!-- param-table:end -->``. After changing a parameter, regenerate the
table with ``.venv/bin/python tests/test_docs.py`` (it rewrites only the part
between the markers) and explain any new default in the notes below it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from districtsim.compare import (
    CRITERIA_PREFIX,
    EFFECTS_COLUMNS,
    REPLICATES_COLUMNS,
    criteria_outcomes,
    outcome_names,
    outcome_unit,
)
from districtsim.outputs import CITY_KEYS, CITY_OUTPUTS, DISTRICT_KEYS, DISTRICT_OUTPUTS
from districtsim.params import param_rows
from districtsim.run import EVENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
OUTPUTS = ROOT / "docs" / "outputs.md"
HEADER = "| section | name | unit | default | range | plausible | source or reason |"
START = "<!-- param-table:start -->"
END = "<!-- param-table:end -->"
REGENERATE = "regenerate the table with `.venv/bin/python tests/test_docs.py`"


def format_default(value: Any) -> str:
    """Format a default as the table shows it.

    It is repr for tuples, bools and strings, ``:g`` for numbers.
    """
    if isinstance(value, tuple | bool | str):
        return repr(value)
    return f"{value:g}"


def format_range(lo: float | None, hi: float | None) -> str:
    """Format an allowed range as ``lo..hi``; an open side is ``-inf`` or ``inf``."""
    lo_s = "-inf" if lo is None else f"{lo:g}"
    hi_s = "inf" if hi is None else f"{hi:g}"
    return f"{lo_s}..{hi_s}"


def format_plausible(row: dict[str, Any]) -> str:
    """Format the plausible range ``low..high (reason)``, or ``fixed (reason)``."""
    if row["plausible"] is None:
        return f"fixed ({row['plausible_reason']})"
    low, high = row["plausible"]
    return f"{low:g}..{high:g} ({row['plausible_reason']})"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def render_param_table() -> str:
    """Return the Markdown parameter table generated from ``param_rows()``."""
    lines = [HEADER, "|---|---|---|---|---|---|---|"]
    for r in param_rows():
        cells = (
            r["section"],
            f"`{r['name']}`",
            r["unit"],
            format_default(r["default"]),
            format_range(r["lo"], r["hi"]),
            format_plausible(r),
            r["source"],
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [c.strip().replace("\\|", "|") for c in cells]


def parse_param_table(text: str) -> list[dict[str, str]]:
    """Return the rows of the parameter table in ``text`` (the table under HEADER)."""
    lines = text.splitlines()
    assert HEADER in lines, (
        f"docs/ODD.md has no parameter table with the header {HEADER!r}; {REGENERATE}"
    )
    rows = []
    names = _split_row(HEADER)
    for line in lines[lines.index(HEADER) + 1 :]:
        if not line.startswith("|"):
            break
        cells = _split_row(line)
        if all(set(c) <= set("-: ") for c in cells):
            continue
        assert len(cells) == len(names), (
            f"parameter table row has {len(cells)} cells, expected {len(names)}: {line}"
        )
        row = dict(zip(names, cells, strict=True))
        row["name"] = row["name"].strip("`")
        rows.append(row)
    return rows


def _table_rows() -> list[dict[str, str]]:
    return parse_param_table(ODD.read_text(encoding="utf-8"))


def test_every_parameter_is_in_the_odd_table_with_its_unit_and_default():
    documented = {(r["section"], r["name"]): r for r in _table_rows()}
    problems = []
    for p in param_rows():
        row = documented.get((p["section"], p["name"]))
        if row is None:
            problems.append(f"{p['section']}.{p['name']}: missing")
            continue
        if row["unit"] != p["unit"]:
            problems.append(
                f"{p['section']}.{p['name']}: unit {row['unit']!r} in docs, {p['unit']!r} "
                "in params.py"
            )
        if row["default"] != format_default(p["default"]):
            problems.append(
                f"{p['section']}.{p['name']}: default {row['default']!r} in docs, "
                f"{format_default(p['default'])!r} in params.py"
            )
    assert not problems, (
        "docs/ODD.md parameter table out of date:\n" + "\n".join(problems) + f"\n{REGENERATE}"
    )


def test_odd_table_shows_each_plausible_range():
    documented = {(r["section"], r["name"]): r["plausible"] for r in _table_rows()}
    stale = [
        f"{p['section']}.{p['name']}"
        for p in param_rows()
        if documented.get((p["section"], p["name"])) != format_plausible(p)
    ]
    assert not stale, f"docs/ODD.md plausible ranges out of date: {stale}; {REGENERATE}"


def test_every_parameter_is_a_behavioural_assumption_with_a_plausible_range_or_fixed():
    """Each model parameter has a plausible range with its reason, or the reason it is fixed."""
    problems = []
    for p in param_rows():
        key = f"{p['section']}.{p['name']}"
        if not p["plausible_reason"]:
            problems.append(f"{key}: no plausible range and no reason why it is fixed")
            continue
        if p["plausible"] is None:
            continue
        low, high = p["plausible"]
        lo = -float("inf") if p["lo"] is None else p["lo"]
        hi = float("inf") if p["hi"] is None else p["hi"]
        if not lo <= low <= p["default"] <= high <= hi:
            problems.append(
                f"{key}: expected allowed low {lo} <= plausible low {low} <= default "
                f"{p['default']} <= plausible high {high} <= allowed high {hi}"
            )
        if isinstance(p["default"], int) and not (isinstance(low, int) and isinstance(high, int)):
            problems.append(f"{key}: an integer parameter needs integer plausible bounds")
    assert not problems, "parameter declarations (districtsim.params):\n" + "\n".join(problems)


def test_odd_table_names_no_unknown_parameter():
    known = {(p["section"], p["name"]) for p in param_rows()}
    unknown = [
        f"{r['section']}.{r['name']}"
        for r in _table_rows()
        if (r["section"], r["name"]) not in known
    ]
    assert not unknown, (
        "docs/ODD.md documents parameters that districtsim.params does not declare: "
        f"{unknown}; {REGENERATE}"
    )


def test_odd_table_follows_the_declaration_order_once_per_parameter():
    documented = [(r["section"], r["name"]) for r in _table_rows()]
    declared = [(p["section"], p["name"]) for p in param_rows()]
    assert documented == declared, (
        f"expected one row per parameter in the order of districtsim.params; {REGENERATE}"
    )


def _documented_columns(heading: str) -> set[str]:
    """Return the `column` names in the first cell of table rows under a section of docs/outputs.md.

    The section is the one under ``heading``.
    """
    text = OUTPUTS.read_text(encoding="utf-8")
    assert heading in text, f"docs/outputs.md has no section {heading!r}"
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)}


def _documented_rows(heading: str) -> list[list[str]]:
    """Return the cells of the column table under ``heading`` of docs/outputs.md (first table)."""
    text = OUTPUTS.read_text(encoding="utf-8")
    assert heading in text, f"docs/outputs.md has no section {heading!r}"
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return [_split_row(line) for line in section.splitlines() if re.match(r"^\| `[^`]+` \|", line)]


@pytest.mark.parametrize(
    ("heading", "keys", "declared"),
    [
        ("## districts", DISTRICT_KEYS, DISTRICT_OUTPUTS),
        ("## city", CITY_KEYS, CITY_OUTPUTS),
    ],
    ids=["districts", "city"],
)
def test_outputs_md_column_tables_match_the_declarations(heading, keys, declared):
    rows = _documented_rows(heading)
    header = ["Column", "Unit", "Kind", "Meaning"]
    assert all(len(r) == len(header) for r in rows), (
        f"docs/outputs.md ({heading}): expected rows of {len(header)} cells ({header})"
    )
    documented = [r[0].strip("`") for r in rows]
    expected = [*keys, *(c.name for c in declared)]
    missing = [c for c in expected if c not in documented]
    unknown = [c for c in documented if c not in expected]
    assert not missing and not unknown, (
        f"docs/outputs.md ({heading}) must document exactly the columns declared in "
        f"districtsim.outputs; not documented: {missing}; documented but not declared: {unknown}"
    )
    assert documented == expected, (
        f"docs/outputs.md ({heading}): expected the columns in table order (the declarations' "
        f"order in districtsim.outputs): {expected}"
    )
    problems = [
        f"{c.name}: unit {r[1]!r} and kind {r[2]!r} in docs, {c.unit!r} and {c.kind!r} declared"
        for r, c in zip(rows[len(keys) :], declared, strict=True)
        if (r[1], r[2]) != (c.unit, c.kind)
    ]
    problems += [
        f"{r[0]}: kind {r[2]!r}, expected 'key'" for r in rows[: len(keys)] if r[2] != "key"
    ]
    assert not problems, f"docs/outputs.md ({heading}) differs from districtsim.outputs:\n" + (
        "\n".join(problems)
    )


def test_outputs_md_outcome_units_are_the_declared_yearly_units():
    text = OUTPUTS.read_text(encoding="utf-8").split("### effects", 1)[1]
    table = text.split("| `outcome` | Unit | Scope | Meaning |", 1)[1].split("\n\n", 1)[0]
    units = {
        r[0].strip("`"): r[1]
        for r in (_split_row(line) for line in table.splitlines() if line.startswith("| `"))
    }
    wrong = {
        o: (units.get(o), outcome_unit(o))
        for o in outcome_names()
        if not o.startswith(CRITERIA_PREFIX) and units.get(o) != outcome_unit(o)
    }
    assert not wrong, f"docs/outputs.md outcomes: (documented, declared) units differ: {wrong}"


def test_every_event_column_is_in_outputs_md():
    documented = _documented_columns("## events")
    missing = [c for c in EVENT_COLUMNS if c not in documented]
    assert not missing, f"docs/outputs.md does not document these event columns: {missing}"


def test_every_comparison_column_and_outcome_is_in_outputs_md():
    effects = _documented_columns("### effects")
    missing = [c for c in EFFECTS_COLUMNS if c not in effects]
    assert not missing, (
        "docs/outputs.md (### effects) does not document these columns of "
        f"districtsim.compare.EFFECTS_COLUMNS: {missing}"
    )
    outcomes = [o for o in outcome_names() if not o.startswith(CRITERIA_PREFIX)]
    missing = [o for o in outcomes if o not in effects]
    assert not missing, (
        "docs/outputs.md (### effects) does not document these outcomes of "
        f"districtsim.compare.OUTCOMES: {missing}"
    )
    text = OUTPUTS.read_text(encoding="utf-8").split("### effects", 1)[1]
    missing = [c for c in criteria_outcomes() if f"`{c}`" not in text.split("### replicates", 1)[0]]
    assert not missing, (
        f"docs/outputs.md (### effects) does not list these criteria outcomes: {missing}"
    )
    replicates = _documented_columns("### replicates")
    missing = [c for c in REPLICATES_COLUMNS if c not in replicates]
    assert not missing, (
        "docs/outputs.md (### replicates) does not document these columns of "
        f"districtsim.compare.REPLICATES_COLUMNS: {missing}"
    )


def write_param_table(path: Path = ODD) -> None:
    """Rewrite the parameter table between the markers in ``path``."""
    text = path.read_text(encoding="utf-8")
    assert START in text and END in text, f"{path} needs the markers {START} and {END}"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{render_param_table()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    write_param_table()
    print(f"rewrote the parameter table in {ODD}")


def test_odd_schedule_is_the_step_docstring() -> None:
    """ODD section 3 lists the phases exactly as ``DistrictModel.step``'s docstring does."""
    import inspect
    import re

    from districtsim.model import DistrictModel

    doc = inspect.getdoc(DistrictModel.step) or ""
    listed = re.findall(r"^\d+\. .*(?:\n {3,}\S.*)*", doc, flags=re.M)
    odd = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = odd[odd.index("## 3. Process overview") : odd.index("## 4. Design concepts")]
    in_odd = re.findall(r"^\d+\. .*(?:\n {3,}\S.*)*", section, flags=re.M)
    normal = [re.sub(r"\s+", " ", x) for x in listed]
    assert len(normal) == 11, f"expected 11 phases in the docstring, found {len(normal)}"
    assert normal == [re.sub(r"\s+", " ", x) for x in in_odd], "ODD section 3 differs from step()"
