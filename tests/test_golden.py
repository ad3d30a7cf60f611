"""Golden baseline: every bundled scenario (and a fixture with every intervention type) gives
exactly the stored tables.

A change that is not meant to alter results must leave this test passing unchanged. An intended
model change regenerates the stored values once, and its commit message says what changed and
why::

    .venv/bin/python tests/test_golden.py --write     # or: make golden

Each case runs a short horizon (26 months: three October calls, two program-year ends) at a
small scale with a fixed seed, which exercises every phase of the month, the program year and,
through ``tests/golden/every_intervention.toml``, every intervention type's start, monthly
action and end. The stored values are a SHA-256 digest of each column's exact bytes (so the
test is bit-for-bit) and, for reading a failure, each numeric column's sum.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from districtsim.run import run_scenario
from districtsim.scenario import bundled_scenarios, load_scenario

HERE = Path(__file__).resolve().parent / "golden"
STORED = HERE / "baseline.json"
MONTHS = 26
SEED = 7
SCALE = {"two_districts": 0.05, "csv_city": 0.05}
"""Scale per case; the default city and its variants run at 0.01 (about 7,000 places)."""
FIXTURES = {"every_intervention": HERE / "every_intervention.toml"}


def cases() -> list[str]:
    """Return the golden cases: every bundled scenario plus the fixtures in ``tests/golden``."""
    return [*bundled_scenarios(), *FIXTURES]


def column_digest(values: pd.Series) -> dict[str, object]:
    """Return a column's exact digest (SHA-256 of its bytes) and, if numeric, its sum."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        arr = np.ascontiguousarray(values.to_numpy())
        out: dict[str, object] = {
            "dtype": str(arr.dtype),
            "sha256": hashlib.sha256(arr.tobytes()).hexdigest(),
        }
        out["sum"] = float(np.nansum(arr.astype(float)))
        return out
    text = "\x1f".join("" if pd.isna(v) else str(v) for v in values.to_numpy(dtype=object))
    return {"dtype": "text", "sha256": hashlib.sha256(text.encode()).hexdigest()}


def digest(case: str) -> dict[str, object]:
    """Run one golden case and return the digest of each of its tables."""
    name = str(FIXTURES.get(case, case))
    overrides = [f"scenario.months={MONTHS}", f"scenario.scale={SCALE.get(case, 0.01)}"]
    result = run_scenario(load_scenario(name, overrides), seed=SEED)
    tables = {
        "districts": result.districts,
        "city": result.city,
        "events": result.events,
        "criteria": result.criteria,
    }
    out: dict[str, object] = {"simulated_places": result.meta["simulated_places"]}
    for key, frame in tables.items():
        out[key] = {
            "rows": len(frame),
            "columns": {c: column_digest(frame[c]) for c in frame.columns},
        }
    return out


def differences(stored: dict[str, object], now: dict[str, object]) -> list[str]:
    """Return a line per table, column or count that differs between two digests."""
    lines = []
    if stored["simulated_places"] != now["simulated_places"]:
        lines.append(
            f"simulated_places: stored {stored['simulated_places']}, now {now['simulated_places']}"
        )
    for key in ("districts", "city", "events", "criteria"):
        old, new = stored[key], now[key]
        if old["rows"] != new["rows"]:
            lines.append(f"{key}: stored {old['rows']} rows, now {new['rows']}")
        gone = [c for c in old["columns"] if c not in new["columns"]]
        added = [c for c in new["columns"] if c not in old["columns"]]
        if gone or added:
            lines.append(f"{key}: columns removed {gone}, added {added}")
        for col, d in old["columns"].items():
            n = new["columns"].get(col)
            if n is not None and n != d:
                lines.append(
                    f"{key}.{col}: stored sum {d.get('sum')}, now {n.get('sum')} "
                    f"({d['dtype']} -> {n['dtype']})"
                )
    return lines


def test_golden_cases_cover_every_bundled_scenario_and_intervention_type() -> None:
    from districtsim.interventions import TYPES

    stored = json.loads(STORED.read_text())
    assert sorted(stored) == sorted(cases()), (
        "regenerate with `.venv/bin/python tests/test_golden.py --write`"
    )
    fixture = load_scenario(str(FIXTURES["every_intervention"]))
    assert {i.type for i in fixture.interventions} == set(TYPES), (
        "every_intervention.toml must use every intervention type"
    )
    assert fixture.shocks, "every_intervention.toml must include a scenario [[shocks]] table"


@pytest.mark.parametrize("case", cases())
def test_golden_baseline(case: str) -> None:
    stored = json.loads(STORED.read_text())
    assert case in stored, (
        f"no stored baseline for {case}: run `.venv/bin/python tests/test_golden.py --write`"
    )
    diff = differences(stored[case], digest(case))
    assert not diff, (
        f"{case} differs from the golden baseline ({len(diff)} differences):\n"
        + "\n".join(diff[:40])
    )


def test_golden_baseline_detects_a_changed_run(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = json.loads(STORED.read_text())
    monkeypatch.setattr(sys.modules[__name__], "SEED", SEED + 1)
    diff = differences(stored["two_districts"], digest("two_districts"))
    assert any(line.startswith("districts.price_eur_m2") for line in diff), diff


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(
            "usage: python tests/test_golden.py --write   (regenerates tests/golden/baseline.json)"
        )
    values = {case: digest(case) for case in cases()}
    STORED.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
    print(f"wrote {STORED} ({len(values)} cases)")
