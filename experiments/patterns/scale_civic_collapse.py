"""District civic life and ``scale`` in the default city: how many districts fall silent.

A district whose channels have all lapsed and in which nobody took part last
month stays silent (nobody is reached, so nobody takes part or joins). This
script runs ``helsinki`` for 240 months at several scales and counts, per run,
the districts with no channel running at month 239, the districts whose
mean participation over months 228-239 is exactly 0, and the city's
participation rate in year 20. It prints one line per run and writes the rows
to ``results/scale_civic_collapse.csv`` next to this file.

Measured at the commit that added this script (docs/ODD.md section 9,
"Scale and civic collapse"; about 1 minute on 2 cores):

- scale 0.02, seeds 1-2: no channel 22, 25; no participation 19, 20;
- scale 0.05: 15, 16; 11, 13;   scale 0.1: 13, 15; 7, 10;
- scale 0.2: 11, 10; 4, 3;      scale 0.5 (seed 1): 11; 2;   scale 1.0 (seed 1): 10; 4.

Usage::

    .venv/bin/python experiments/patterns/scale_civic_collapse.py
    .venv/bin/python experiments/patterns/scale_civic_collapse.py --scales 0.02,0.2 --seeds 1,2
"""

from __future__ import annotations

import argparse

from common import RESULTS, write_rows

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario


def silent_districts(scale: float, seed: int) -> dict[str, float]:
    """Run the default city at ``scale`` and ``seed``; return counts of districts at the end.

    The counts are of districts without channels and without participation.
    """
    result = run_scenario(load_scenario("helsinki", [f"scenario.scale={scale}"]), seed=seed)
    d = result.districts
    end = d[d["month"] == d["month"].max()]
    last_year = d[d["month"] > d["month"].max() - 12]
    participation = last_year.groupby("district", observed=True)["participation_rate"].mean()
    return {
        "scale": scale,
        "seed": seed,
        "districts_without_channels": int((end["n_channels"] == 0).sum()),
        "districts_without_participation": int((participation == 0).sum()),
        "city_participation_year_20": round(
            float(result.city["participation_rate"].iloc[-12:].mean()), 4
        ),
    }


def main() -> None:
    """Run the grid of scales and seeds; print and write the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        default="0.02,0.05,0.1,0.2",
        help="comma-separated scales run with every seed of --seeds",
    )
    parser.add_argument("--seeds", default="1,2", help="comma-separated seeds")
    parser.add_argument(
        "--large",
        default="0.5,1.0",
        help="comma-separated larger scales run with the first seed only ('' for none)",
    )
    args = parser.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    grid = [(float(s), seed) for s in args.scales.split(",") for seed in seeds] + [
        (float(s), seeds[0]) for s in args.large.split(",") if s
    ]
    rows = []
    for scale, seed in grid:
        row = silent_districts(scale, seed)
        rows.append(row)
        print(row, flush=True)
    write_rows(rows, RESULTS / "scale_civic_collapse.csv")


if __name__ == "__main__":
    main()
