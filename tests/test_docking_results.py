"""The docking study's result files follow from its runs, match the code and the docs.

``experiments/docking/docking_study.py`` runs the engine, the per-agent reference and five
references with one rule changed on 100 seeds (``districtsim.docking``) and writes every
run's outputs and the Holm-corrected p-values per seed set. Here: the p-values are
recomputed from the runs; one seed of the engine and of the reference is run again and must
give the stored outputs (a model change without a rerun of the study fails here); and the
table in ``docs/reference.md`` must be the one the files give.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from districtsim import docking
from districtsim.model import DistrictModel
from districtsim.reference import ReferenceModel

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "docking" / "results"


def _rows(name: str) -> list[dict[str, str]]:
    with (RESULTS / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


RUNS = _rows("docking_runs.csv")
PVALUES = _rows("docking_pvalues.csv")
META = json.loads((RESULTS / "docking.json").read_text(encoding="utf-8"))


def _outputs(arm: str, seeds: list[int]) -> np.ndarray:
    by_seed = {int(r["seed"]): r for r in RUNS if r["arm"] == arm}
    return np.array([[float(by_seed[s][o]) for o in docking.OUTPUTS] for s in seeds])


def _seeds(label: str) -> list[int]:
    first, last = (int(x) for x in label.split("-"))
    return list(range(first, last + 1))


def _p(arm: str, seeds: str, output: str) -> float:
    return next(
        float(r["p_holm"])
        for r in PVALUES
        if r["arm"] == arm and r["seeds"] == seeds and r["output"] == output
    )


SETS = list(dict.fromkeys(r["seeds"] for r in PVALUES))


def test_the_study_covers_five_seed_sets_pooled_and_every_mutant():
    assert META["seeds"] == 100 and len(SETS) == 6, f"expected 5 sets and 1-100, got {SETS}"
    assert {r["arm"] for r in RUNS} == {"engine", "reference", *(m.name for m in docking.MUTANTS)}
    assert META["scale"] == docking.SCALE and META["months"] == docking.MONTHS


@pytest.mark.parametrize("seeds", SETS)
def test_the_pvalues_follow_from_the_runs(seeds):
    engine = _outputs("engine", _seeds(seeds))
    for arm in ["reference", *(m.name for m in docking.MUTANTS)]:
        p = docking.docking_pvalues(engine, _outputs(arm, _seeds(seeds)))
        for output in docking.OUTPUTS:
            assert _p(arm, seeds, output) == pytest.approx(p[output], rel=1e-9, abs=1e-300), (
                f"{arm}, seeds {seeds}, {output}: the file's p-value does not follow from the runs"
            )


@pytest.mark.parametrize(
    "model_class", [DistrictModel, ReferenceModel], ids=["engine", "reference"]
)
def test_the_stored_runs_are_the_current_models(model_class):
    arm = "engine" if model_class is DistrictModel else "reference"
    got = docking.replicates(model_class, [1])[0]
    np.testing.assert_allclose(
        got,
        _outputs(arm, [1])[0],
        rtol=1e-12,
        err_msg=f"seed 1 of the {arm} differs from the study: rerun experiments/docking",
    )


def _fmt(p: float) -> str:
    return f"{p:.2g}"


def table_rows() -> list[str]:
    """Return the rows of the table docs/reference.md must hold, from the result files."""
    rows = [
        "| unchanged reference | all nine (the smallest) | "
        + " | ".join(_fmt(min(_p("reference", s, o) for o in docking.OUTPUTS)) for s in SETS)
        + " |"
    ]
    for m in docking.MUTANTS:
        cells = " | ".join(_fmt(_p(m.name, s, m.output)) for s in SETS)
        rows.append(f"| {m.change} | {m.output} | {cells} |")
    return rows


def test_the_docs_quote_the_study():
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    header = "| Arm | Output | " + " | ".join(f"seeds {s}" for s in SETS) + " |"
    assert header in text, f"docs/reference.md lacks the table header {header}"
    for row in table_rows():
        assert row in text, f"docs/reference.md does not have the row {row}"
