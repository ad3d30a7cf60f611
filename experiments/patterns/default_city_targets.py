"""The default city against its calibration targets (issue 13, point 4).

Runs the default city (``helsinki``) at ``--scale`` for each seed and measures every target
of ``src/districtsim/targets/helsinki.toml`` (``districtsim.targets.evaluate``). Prints, per
target, the mean over seeds with its 95% t interval and the number of seeds meeting it, and
writes one row per seed and target to ``results/default_city_targets.csv`` next to this file.
``docs/sensitivity.md`` ("Calibration") quotes it; ``tests/test_sensitivity_doc.py`` checks
the quoted figures against the file.

Usage::

    .venv/bin/python experiments/patterns/default_city_targets.py            # seeds 1-6, 0.1
    .venv/bin/python experiments/patterns/default_city_targets.py --seeds 1,2 --scale 0.05
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
from common import RESULTS, ci_text, write_rows

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario
from districtsim.targets import evaluate, load_targets


def measure(scale: float, seed: int) -> list[dict[str, object]]:
    """Return one row per target for the default city at ``scale`` and ``seed``."""
    scenario = load_scenario("helsinki", [f"scenario.scale={scale}"])
    table = evaluate(run_scenario(scenario, seed=seed), scenario, load_targets("helsinki"))
    return [
        {
            "seed": seed,
            "scale": scale,
            "target": row.target,
            "measure": row.measure,
            "unit": row.unit,
            "value": float(row.value),
            "low": float(row.low),
            "high": float(row.high),
            "met": bool(row.met),
        }
        for row in table.itertuples(index=False)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5,6", help="comma-separated seeds")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(RESULTS / "default_city_targets.csv"))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = [r for rs in pool.map(measure, [args.scale] * len(seeds), seeds) for r in rs]
    df = pd.DataFrame(rows)
    for target, g in df.groupby("target", sort=False):
        print(
            f"{target:40s} {ci_text(g['value'])}  band {g['low'].iloc[0]:g}..{g['high'].iloc[0]:g}"
            f"  met in {int(g['met'].sum())} of {len(g)} seeds"
        )
    write_rows(rows, args.out)


if __name__ == "__main__":
    main()
