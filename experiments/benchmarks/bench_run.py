"""Benchmark a whole ``districtsim run`` of the default city: wall time and peak memory per scale.

Each repeat runs ``python -m districtsim.cli run --quiet --scale S --out TMPDIR``
as a separate process (imports, set-up, the monthly loop and writing the
tables all count) and reaps it with ``os.wait4``, whose resource usage is
that one child's: ``ru_maxrss`` is its peak resident set size. (The
cumulative ``getrusage(RUSAGE_CHILDREN)`` would report the largest child so
far, not each run's.) Wall time is measured around spawn and reap.

Each run's ``meta.json`` also gives the model's own time (``elapsed_seconds``:
set-up and the monthly loop, without imports and writing) and the run's first
row of the district table its simulated residents, so the benchmark reports
how the cost grows with the population: the model's microseconds per
resident-month at each scale (constant if the cost is linear in population).

The medians per scale, every run, and the machine (CPU count, load average,
Python, platform, date, git commit) are written to
``results/run_benchmark.json`` and ``results/run_benchmark.csv`` next to this
file, and a small table is printed.

Goal (issue 16): the full-scale (1.0) 20-year run of the default city in at
most 10 s (5 s the aim) and at most 1 GB on a 2-core machine.

Usage::

    .venv/bin/python experiments/benchmarks/bench_run.py  # scales 1.0 to 0.05, 3 repeats
    .venv/bin/python experiments/benchmarks/bench_run.py --repeats 1 --scales 0.1
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RESULTS = HERE / "results"
GOAL_WALL_S = 10.0
GOAL_PEAK_MB = 1024.0
SCALES = "1.0,0.5,0.25,0.1,0.05"


def _maxrss_mb(maxrss: int) -> float:
    """Return ``ru_maxrss`` in MiB (Linux reports KiB, macOS bytes)."""
    return maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else maxrss / 1024.0


def time_child(cmd: list[str], tmp: Path, who: str) -> tuple[float, os.struct_rusage]:
    """Run ``cmd`` as a child process; return its wall time and resource usage (``os.wait4``).

    Exit with its stderr if it fails.
    """
    log = tmp / "stderr.txt"
    with log.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(
            f"{who}: {' '.join(cmd)} exited with status "
            f"{code}:\n{log.read_text(errors='replace')[-2000:]}"
        )
    return wall, usage


def run_once(scale: float, scenario: str | None, months: int | None) -> dict[str, object]:
    """Run one simulation in a child process; return its wall time, peak memory and exit status."""
    with tempfile.TemporaryDirectory(prefix="districtsim-bench-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "districtsim.cli",
            "run",
            "--quiet",
            "--scale",
            repr(scale),
            "--out",
            str(Path(tmp) / "out"),
        ]
        if months is not None:
            cmd += ["--months", str(months)]
        if scenario is not None:
            cmd.insert(4, scenario)
        wall, usage = time_child(cmd, Path(tmp), "bench_run")
        out = Path(tmp) / "out"
        meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
        first = pq.read_table(out / "districts.parquet", columns=["month", "population"])
    month0 = first.filter(pc.equal(first["month"], pc.min(first["month"])))
    residents = round(pc.sum(month0["population"]).as_py() * scale)
    model_s = float(meta["elapsed_seconds"])
    return {
        "scale": scale,
        "wall_s": round(wall, 3),
        "peak_mb": round(_maxrss_mb(usage.ru_maxrss), 1),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        "model_s": model_s,
        "residents": residents,
        "months": int(meta["months"]),
        "model_us_per_resident_month": round(1e6 * model_s / (residents * meta["months"]), 4),
    }


def git_commit() -> str | None:
    """Return the checked-out commit (``-dirty`` if the tree has changes), or None without git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if dirty else "")


def machine_info() -> dict[str, object]:
    """Return what the timings depend on: CPUs, load, Python, platform, date and commit."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
    }


MACHINE_COLUMNS = ("cpu_count", "python", "platform", "date", "git_commit")
"""The machine columns every benchmark's CSV row ends with."""


def write_results(out: Path, name: str, report: dict, rows: list[dict]) -> None:
    """Write ``report`` to ``out/NAME.json`` and ``rows`` to ``out/NAME.csv``.

    Each CSV row gets the machine columns (:data:`MACHINE_COLUMNS`) of ``report["machine"]``.
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    machine = {k: report["machine"][k] for k in MACHINE_COLUMNS}
    with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*rows[0].keys(), *MACHINE_COLUMNS])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **machine})


def summarise(runs: list[dict[str, object]], scales: list[float]) -> list[dict[str, object]]:
    """Return one row per scale: medians (and ranges) over its repeats."""
    rows = []
    for scale in scales:
        mine = [r for r in runs if r["scale"] == scale]
        walls = [float(r["wall_s"]) for r in mine]
        peaks = [float(r["peak_mb"]) for r in mine]
        model = [float(r["model_s"]) for r in mine]
        per = [float(r["model_us_per_resident_month"]) for r in mine]
        rows.append(
            {
                "scale": scale,
                "repeats": len(mine),
                "median_wall_s": round(statistics.median(walls), 2),
                "min_wall_s": round(min(walls), 2),
                "max_wall_s": round(max(walls), 2),
                "median_peak_mb": round(statistics.median(peaks), 1),
                "max_peak_mb": round(max(peaks), 1),
                "residents": mine[0]["residents"],
                "median_model_s": round(statistics.median(model), 2),
                "model_us_per_resident_month": round(statistics.median(per), 4),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per scale (default 3)")
    parser.add_argument(
        "--scales", default=SCALES, help=f"comma-separated scales (default {SCALES})"
    )
    parser.add_argument(
        "--scenario", default=None, help="scenario name or file (default: the default city)"
    )
    parser.add_argument(
        "--months", type=int, default=None, help="horizon in months (default: the scenario's, 240)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help=f"results folder (default {RESULTS.relative_to(REPO)})",
    )
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    if args.repeats < 1 or not scales:
        parser.error("need at least one repeat and one scale")

    info = machine_info()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    runs = []
    for scale in scales:
        for i in range(args.repeats):
            run = run_once(scale, args.scenario, args.months)
            run["repeat"] = i + 1
            runs.append(run)
            print(
                f"scale {scale:g} run {i + 1}/{args.repeats}: {run['wall_s']:.1f} s, "
                f"{run['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
    info["load_average_before"] = load_before
    info["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    rows = summarise(runs, scales)
    full = next((r for r in rows if r["scale"] == 1.0), None)
    goal = {"scale": 1.0, "wall_s_at_most": GOAL_WALL_S, "peak_mb_at_most": GOAL_PEAK_MB}
    if full is not None:
        goal["met"] = bool(
            full["median_wall_s"] <= GOAL_WALL_S and full["median_peak_mb"] <= GOAL_PEAK_MB
        )

    report = {
        "benchmark": "districtsim run (whole process)",
        "scenario": args.scenario or "default",
        "months": args.months,
        "goal": goal,
        "machine": info,
        "summary": rows,
        "runs": runs,
    }
    write_results(args.out, "run_benchmark", report, rows)

    print(
        f"{'scale':>6} {'residents':>10} {'runs':>5} {'median s':>9} {'min s':>7} {'max s':>7} "
        f"{'median MB':>10} {'model s':>8} {'us/res-month':>13}"
    )
    for r in rows:
        print(
            f"{r['scale']:>6g} {r['residents']:>10,} {r['repeats']:>5} {r['median_wall_s']:>9.1f} "
            f"{r['min_wall_s']:>7.1f} {r['max_wall_s']:>7.1f} {r['median_peak_mb']:>10.0f} "
            f"{r['median_model_s']:>8.2f} {r['model_us_per_resident_month']:>13.4f}"
        )
    print(
        f"{info['cpus_usable']} CPUs, Python {info['python']}, {info['platform']}, commit "
        f"{info['git_commit']}"
    )
    if "met" in goal:
        print(
            f"goal (scale 1: <= {GOAL_WALL_S:.0f} s and <= {GOAL_PEAK_MB:.0f} MB): "
            f"{'met' if goal['met'] else 'NOT met'}"
        )
    print(f"results: {args.out / 'run_benchmark.json'}, {args.out / 'run_benchmark.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
