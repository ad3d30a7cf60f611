"""Benchmark sweep throughput at 1 and 2 workers, and the scaling efficiency.

The benchmark runs ``districtsim sweep`` of an experiment.

Each repeat runs ``python -m districtsim.cli sweep EXPERIMENT --quiet --workers N --out TMPDIR``
as a separate process (start-up, spawning the workers, the runs and writing
the part files all count), reaped with ``os.wait4``. Throughput is runs per
minute of whole-process wall time; the scaling efficiency at N workers is
``throughput(N) / (N * throughput(1))`` (1 = perfect). Peak memory is
``ru_maxrss`` as reported for the reaped process, which on Linux is the
largest resident set of that process and of its workers.

Medians over the repeats, every run and the machine are written to
``results/sweep_benchmark.json`` and ``.csv`` next to this file.

Usage::

    .venv/bin/python experiments/benchmarks/bench_sweep.py  # smoke, workers 1 and 2, 3 repeats
    .venv/bin/python experiments/benchmarks/bench_sweep.py --experiment program_grid --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_run import (  # noqa: E402 (the sibling script)
    RESULTS,
    _maxrss_mb,
    machine_info,
    time_child,
    write_results,
)


def sweep_command(experiment: str, workers: int, out: Path, *extra: str) -> list[str]:
    """Return the command line of a quiet ``districtsim sweep`` on ``workers`` into ``out``."""
    return [
        sys.executable,
        "-m",
        "districtsim.cli",
        "sweep",
        experiment,
        "--quiet",
        *extra,
        "--workers",
        str(workers),
        "--out",
        str(out),
    ]


def run_once(experiment: str, workers: int) -> dict[str, object]:
    """Run one sweep in a child process; return its wall time, runs, throughput and peak memory."""
    with tempfile.TemporaryDirectory(prefix="districtsim-bench-sweep-") as tmp:
        out = Path(tmp) / "out"
        wall, usage = time_child(sweep_command(experiment, workers, out), Path(tmp), "bench_sweep")
        n_runs = json.loads((out / "sweep.json").read_text(encoding="utf-8"))["n_runs"]
    return {
        "workers": workers,
        "runs": n_runs,
        "wall_s": round(wall, 3),
        "runs_per_minute": round(60.0 * n_runs / wall, 2),
        "peak_mb": round(_maxrss_mb(usage.ru_maxrss), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--experiment", default="smoke", help="experiment name or file (default smoke)"
    )
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated worker counts (default 1,2)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="repeats per worker count (default 3)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="results folder (default: results/ next to this file)",
    )
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    info = machine_info()
    info["load_average_before"] = os.getloadavg()
    runs = []
    for w in counts:
        for i in range(args.repeats):
            run = run_once(args.experiment, w) | {"repeat": i + 1}
            runs.append(run)
            print(
                f"workers {w} run {i + 1}/{args.repeats}: {run['wall_s']:.1f} s, "
                f"{run['runs_per_minute']:.1f} runs/min, {run['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
    info["load_average_after"] = os.getloadavg()
    rows = []
    for w in counts:
        mine = [r for r in runs if r["workers"] == w]
        rows.append(
            {
                "workers": w,
                "repeats": len(mine),
                "runs": mine[0]["runs"],
                "median_wall_s": round(statistics.median(r["wall_s"] for r in mine), 2),
                "median_runs_per_minute": round(
                    statistics.median(r["runs_per_minute"] for r in mine), 2
                ),
                "median_peak_mb": round(statistics.median(r["peak_mb"] for r in mine), 1),
            }
        )
    base = next((r["median_runs_per_minute"] for r in rows if r["workers"] == 1), None)
    for r in rows:
        r["scaling_efficiency"] = (
            round(r["median_runs_per_minute"] / (r["workers"] * base), 3) if base else None
        )
    report = {
        "benchmark": "districtsim sweep (whole process)",
        "experiment": args.experiment,
        "machine": info,
        "summary": rows,
        "runs": runs,
    }
    csv_rows = [{**r, "experiment": args.experiment} for r in rows]
    write_results(args.out, "sweep_benchmark", report, csv_rows)
    print(
        f"{'workers':>7} {'runs':>5} {'median s':>9} {'runs/min':>9} {'efficiency':>10} "
        f"{'peak MB':>8}"
    )
    for r in rows:
        print(
            f"{r['workers']:>7} {r['runs']:>5} {r['median_wall_s']:>9.1f} "
            f"{r['median_runs_per_minute']:>9.1f} {r['scaling_efficiency']!s:>10} "
            f"{r['median_peak_mb']:>8.0f}"
        )
    print(
        f"{info['cpus_usable']} CPUs, Python {info['python']}, commit "
        f"{info['git_commit']}; results: {args.out / 'sweep_benchmark.json'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
