"""Benchmark ``districtsim sweep --dry-run``'s time estimate against the measured sweep.

For each experiment, a child process computes the estimate exactly as ``--dry-run`` does
(:func:`districtsim.sweep.estimate_sweep`: a 12-month pilot of the first design point), then a
second child runs the whole sweep (``python -m districtsim.cli sweep EXPERIMENT --quiet
--workers N --yes --out DIR``), timed around spawn and reap with ``os.wait4`` as in the other
benchmarks. The ratio measured / estimated should lie within a factor of 2 (issue 15: the
estimate is an estimate, not a benchmark). Run it on an otherwise idle machine: the pilot and
the sweep must see the same load.

Results: ``results/estimate_benchmark.json`` and ``.csv`` next to this file (one row per
experiment and repeat, with the machine and the commit; rows of earlier experiments in the
file are kept, those of the experiments run now are replaced).

Usage::

    .venv/bin/python experiments/benchmarks/bench_estimate.py                   # smoke, 3 repeats
    .venv/bin/python experiments/benchmarks/bench_estimate.py --experiment sobol_default_city \
        --repeats 1 --keep results/sweep_sobol_default_city    # about an hour; keeps the sweep
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_run import RESULTS, _maxrss_mb, machine_info, time_child  # noqa: E402 (the sibling script)
from bench_sweep import sweep_command  # noqa: E402 (the sibling script)

ESTIMATE = (
    "import dataclasses, json, sys\n"
    "from districtsim.experiment import load_experiment\n"
    "from districtsim.sweep import estimate_sweep\n"
    "est = estimate_sweep(load_experiment(sys.argv[1]), int(sys.argv[2]))\n"
    "print(json.dumps(dataclasses.asdict(est)))\n"
)
"""The child that computes the estimate (what ``--dry-run`` prints, as numbers)."""

FIELDS = (
    "experiment",
    "workers",
    "repeat",
    "runs",
    "estimated_seconds_per_run",
    "estimated_wall_s",
    "measured_wall_s",
    "measured_over_estimated",
    "within_factor_2",
    "peak_mb",
)


def estimate(experiment: str, workers: int) -> dict[str, float]:
    """Return the dry-run estimate of ``experiment`` on ``workers``, computed in a child."""
    done = subprocess.run(
        [sys.executable, "-c", ESTIMATE, experiment, str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(experiment: str, workers: int, out: Path, tmp: Path) -> tuple[float, int, float]:
    """Run the sweep into ``out`` in a child (its stderr in ``tmp``); return wall s, runs, MB."""
    wall, usage = time_child(
        sweep_command(experiment, workers, out, "--yes"), tmp, "bench_estimate"
    )
    n_runs = json.loads((out / "sweep.json").read_text(encoding="utf-8"))["n_runs"]
    return wall, n_runs, _maxrss_mb(usage.ru_maxrss)


def one_repeat(experiment: str, workers: int, repeat: int, keep: Path | None) -> dict:
    """Estimate, then run, one sweep; return its row."""
    est = estimate(experiment, workers)
    with tempfile.TemporaryDirectory(prefix="districtsim-bench-estimate-") as tmp:
        out = keep if keep is not None else Path(tmp) / "out"
        if keep is not None and keep.exists():
            sys.exit(f"bench_estimate: {keep} exists; the benchmark times a sweep from scratch")
        out.parent.mkdir(parents=True, exist_ok=True)
        wall, n_runs, peak = measure(experiment, workers, out, Path(tmp))
    ratio = wall / est["wall_seconds"]
    return {
        "experiment": experiment,
        "workers": workers,
        "repeat": repeat,
        "runs": n_runs,
        "estimated_seconds_per_run": round(est["seconds_per_run"], 3),
        "estimated_wall_s": round(est["wall_seconds"], 1),
        "measured_wall_s": round(wall, 1),
        "measured_over_estimated": round(ratio, 3),
        "within_factor_2": 0.5 <= ratio <= 2.0,
        "peak_mb": round(peak, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="smoke", help="experiment name or file")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (default 3)")
    parser.add_argument(
        "--keep", type=Path, help="keep the sweep in this new folder (only with --repeats 1)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    if args.keep is not None and args.repeats != 1:
        parser.error("--keep needs --repeats 1 (one sweep to keep)")
    info = machine_info()
    info["load_average_before"] = os.getloadavg()
    rows = []
    for repeat in range(1, args.repeats + 1):
        row = one_repeat(args.experiment, args.workers, repeat, args.keep)
        rows.append(row)
        print(
            f"{args.experiment} repeat {repeat}: estimated {row['estimated_wall_s']} s, "
            f"measured {row['measured_wall_s']} s (x{row['measured_over_estimated']})",
            file=sys.stderr,
        )
    info["load_average_after"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    path_json = args.out / "estimate_benchmark.json"
    old = json.loads(path_json.read_text(encoding="utf-8")) if path_json.exists() else {}
    experiments = {k: v for k, v in old.get("experiments", {}).items() if k != args.experiment}
    experiments[args.experiment] = {"machine": info, "rows": rows}
    report = {
        "benchmark": "sweep --dry-run estimate against the measured sweep",
        "experiments": experiments,
    }
    path_json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    cols = ("cpu_count", "date", "git_commit")
    with (args.out / "estimate_benchmark.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*FIELDS, *cols])
        writer.writeheader()
        for entry in experiments.values():
            for row in entry["rows"]:
                writer.writerow({**row, **{k: entry["machine"][k] for k in cols}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
