"""Docking study: the per-agent reference against the engine over five seed sets, and changed rules.

``tests/test_reference.py`` docks the reference with the engine on one seed set (1-20) and
shows that two changed rules fail. This study measures more: the same test on five seed
sets (1-20, 21-40, ..., 81-100) and on all 100 seeds pooled, for the reference and for five
references with one rule changed on purpose (``districtsim.docking.MUTANTS``), so the docs
can say how often the unchanged reference passes and which changes the test detects.

Every run's outputs go to ``results/docking_runs.csv`` (one row per arm and seed); the
Holm-corrected p-values per arm, seed set and output to ``results/docking_pvalues.csv``;
the settings and the machine to ``results/docking.json``. ``tests/test_docking_results.py``
recomputes the p-values from the runs and checks the figures ``docs/reference.md`` quotes.
About 700 runs of 12 months at scale 0.003: a few minutes on 2 workers.

Usage::

    .venv/bin/python experiments/docking/docking_study.py             # 100 seeds, 2 workers
    .venv/bin/python experiments/docking/docking_study.py --seeds 20 --out /tmp/dock
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))
from bench_run import machine_info  # noqa: E402 (the benchmarks' machine description)

from districtsim import docking  # noqa: E402
from districtsim.model import DistrictModel  # noqa: E402
from districtsim.reference import ReferenceModel  # noqa: E402

SET_SIZE = 20
ARMS = {
    "engine": DistrictModel,
    "reference": ReferenceModel,
    **{m.name: m.model_class for m in docking.MUTANTS},
}


def one_run(task: tuple[str, int]) -> tuple[str, int, list[float]]:
    """Run one arm on one seed; return its outputs."""
    arm, seed = task
    return arm, seed, [float(x) for x in docking.replicates(ARMS[arm], [seed])[0]]


def seed_sets(n_seeds: int) -> list[tuple[str, list[int]]]:
    """Return the seed sets: consecutive sets of SET_SIZE seeds, and all seeds pooled."""
    seeds = list(range(1, n_seeds + 1))
    sets = [
        (f"{s[0]}-{s[-1]}", s)
        for s in (seeds[i : i + SET_SIZE] for i in range(0, n_seeds, SET_SIZE))
    ]
    return sets + ([(f"1-{n_seeds}", seeds)] if len(sets) > 1 else [])


def pvalue_rows(outputs: dict[tuple[str, int], list[float]], n_seeds: int) -> list[dict]:
    """Return the Holm-corrected p-value of every arm against the engine, per seed set."""
    rows = []
    for label, seeds in seed_sets(n_seeds):
        engine = np.array([outputs["engine", s] for s in seeds])
        for arm in ARMS:
            if arm == "engine":
                continue
            other = np.array([outputs[arm, s] for s in seeds])
            p = docking.docking_pvalues(engine, other)
            diff = (other - engine).mean(axis=0)
            for j, name in enumerate(docking.OUTPUTS):
                rows.append(
                    {
                        "arm": arm,
                        "seeds": label,
                        "output": name,
                        "mean_difference": float(diff[j]),
                        "p_holm": float(p[name]),
                    }
                )
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` (dicts with the same keys) as CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the study and write the result files; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="seeds 1..N (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    args = parser.parse_args(argv)
    if args.seeds < 2:
        raise SystemExit(f"docking_study.py: --seeds: found {args.seeds}; expected at least 2")
    tasks = [(arm, seed) for arm in ARMS for seed in range(1, args.seeds + 1)]
    outputs = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for i, (arm, seed, values) in enumerate(pool.map(one_run, tasks, chunksize=4)):
            outputs[arm, seed] = values
            if (i + 1) % 50 == 0:
                print(f"{i + 1}/{len(tasks)} runs", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    runs = [
        {"arm": arm, "seed": seed, **dict(zip(docking.OUTPUTS, outputs[arm, seed], strict=True))}
        for arm, seed in tasks
    ]
    write_csv(args.out / "docking_runs.csv", runs)
    write_csv(args.out / "docking_pvalues.csv", pvalue_rows(outputs, args.seeds))
    meta = {
        "study": "docking of the per-agent reference with the engine",
        "city": docking.CITY,
        "scale": docking.SCALE,
        "months": docking.MONTHS,
        "alpha": docking.ALPHA,
        "seeds": args.seeds,
        "seed_set_size": SET_SIZE,
        "outputs": list(docking.OUTPUTS),
        "mutants": [
            {"name": m.name, "output": m.output, "change": m.change} for m in docking.MUTANTS
        ],
        "machine": machine_info(),
    }
    (args.out / "docking.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
