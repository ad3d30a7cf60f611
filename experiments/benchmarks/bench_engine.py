"""Benchmark the vectorised engine against the per-agent reference: resident-steps per second.

Both models (:class:`districtsim.model.DistrictModel` and
:class:`districtsim.reference.ReferenceModel`, which runs the resident rules as one Mesa
``Resident`` agent per person) are built from the same scenario, scale and seed, and
stepped for the same months in this process. A resident-step is one resident living
through one month; the rate is the residents summed over the months (the occupied places
after each month) over the wall time of the monthly loop (set-up excluded). Both models run
the same district phases (the engine's functions: program, interventions, the district
halves of communication and associations, partnerships, stocks, reputation, housing, firms,
modes, recording); the benchmark times them too and also reports the rate of the resident
rules alone (the month's time less those phases), the rules that the reference writes one
agent at a time. Each model
runs ``--repeats`` times (a new model each time; the first call of each compiled kernel
happens before the timing); the medians are reported with their ratio.

Issue 16 asks for the vectorised engine to run at least 100 times the resident-steps per
second of the reference on the same small city. Results: ``results/engine_benchmark.json``
and ``.csv`` next to this file, with the machine and the commit.

Each scale is measured on its own: the small city (scale 0.1, 12 months) and the full city
(scale 1.0, 3 months: the reference takes about 5 s a month there). The
vectorised engine runs twice, with its default threads (the kernels' slices,
:func:`districtsim.kernels.set_threads`; at scale 0.1 the slices are too small to split)
and on one thread; the reference runs on one.

Usage::

    .venv/bin/python experiments/benchmarks/bench_engine.py   # helsinki, scales 0.1 and 1.0
    .venv/bin/python experiments/benchmarks/bench_engine.py --scales 0.01 --months 6 --repeats 1
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_run import RESULTS, machine_info, write_results  # noqa: E402 (the sibling script)

from districtsim import (  # noqa: E402
    communication,
    housing,
    kernels,
    modes,
    partnerships,
    program,
    recording,
    reputation,
    stocks,
)
from districtsim.interventions import InterventionRunner  # noqa: E402
from districtsim.model import DistrictModel  # noqa: E402
from districtsim.orgs import associations, firms  # noqa: E402
from districtsim.reference import ReferenceModel  # noqa: E402
from districtsim.scenario import load_scenario  # noqa: E402

GOAL_RATIO = 100.0


SHARED = (
    (program.ProgramYear, "step"),
    (InterventionRunner, "before_calendar"),
    (InterventionRunner, "step"),
    (reputation, "apply_shocks"),
    (communication, "update_districts"),
    (associations, "run_associations"),
    (partnerships, "step"),
    (stocks, "step"),
    (reputation, "step"),
    (housing, "step"),
    (firms, "step"),
    (modes, "step"),
    (recording, "step"),
)
"""The district phases both models run (the engine's functions): their time is subtracted
from the month's to give the time of the resident rules alone."""


@contextlib.contextmanager
def timed_shared_phases(clock: list[float]):
    """Add the wall time of every shared district phase to ``clock[0]`` while active."""
    saved = [(owner, name, getattr(owner, name)) for owner, name in SHARED]

    def timed(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                clock[0] += time.perf_counter() - start

        return wrapper

    try:
        for owner, name, function in saved:
            setattr(owner, name, timed(function))
        yield
    finally:
        for owner, name, function in saved:
            setattr(owner, name, function)


def time_loop(model_class: type, scenario, seed: int, months: int) -> dict[str, float]:
    """Build a model, step it ``months`` times; return loop seconds and resident-steps.

    Also the seconds of the shared district phases, and the resident-steps per second of
    the whole month (``per_s``) and of the resident rules alone (``rules_per_s``).
    """
    model = model_class(scenario, seed=seed)
    steps = 0
    clock = [0.0]
    with timed_shared_phases(clock):
        start = time.perf_counter()
        for _ in range(months):
            model.step()
            steps += int(model.residents.occupied.sum())
        wall = time.perf_counter() - start
    rules = wall - clock[0]
    return {
        "loop_s": round(wall, 4),
        "district_phases_s": round(clock[0], 4),
        "resident_rules_s": round(rules, 4),
        "resident_steps": steps,
        "per_s": steps / wall,
        "rules_per_s": steps / rules,
    }


ENGINES = (
    ("vectorised", DistrictModel, 0),
    ("vectorised_1_thread", DistrictModel, 1),
    ("reference", ReferenceModel, 0),
)
"""The engines timed: the vectorised engine with its default threads (kernels.threads()) and
with one thread, and the per-agent reference (one thread: Python)."""


def measure_scale(scenario, scale: float, months: int, repeats: int, seed: int) -> tuple:
    """Time every engine ``repeats`` times on ``scenario`` at ``scale``; return summary, runs."""
    scenario = scenario.with_option("scale", scale, "--scale").with_option(
        "months", months, "--months"
    )
    # Warm-up: load the compiled kernels (numba's cache) before any timing.
    time_loop(DistrictModel, scenario.with_option("months", 1, "--months"), seed, 1)
    runs = []
    for engine, model_class, threads in ENGINES:
        kernels.set_threads(threads)
        for i in range(repeats):
            run = {"scale": scale, "engine": engine, "threads": kernels.threads()}
            run.update({"repeat": i + 1, **time_loop(model_class, scenario, seed, months)})
            runs.append(run)
            gc.collect()  # free the model before the next one (the reference's is large)
            print(
                f"scale {scale:g}, {engine} run {i + 1}/{repeats}: {run['loop_s']:.2f} s, "
                f"{run['per_s']:,.0f} resident-steps/s",
                file=sys.stderr,
            )
    kernels.set_threads(0)
    names = [e for e, _, _ in ENGINES]
    rates = {e: statistics.median(r["per_s"] for r in runs if r["engine"] == e) for e in names}
    rules = {
        e: statistics.median(r["rules_per_s"] for r in runs if r["engine"] == e) for e in names
    }
    ratio = rates["vectorised"] / rates["reference"]
    summary = {
        "scale": scale,
        "months": months,
        "repeats": repeats,
        "residents_month0": runs[0]["resident_steps"] // max(months, 1),
        "threads": runs[0]["threads"],
        "vectorised_resident_steps_per_s": round(rates["vectorised"]),
        "vectorised_1_thread_resident_steps_per_s": round(rates["vectorised_1_thread"]),
        "reference_resident_steps_per_s": round(rates["reference"]),
        "ratio": round(ratio, 1),
        "ratio_1_thread": round(rates["vectorised_1_thread"] / rates["reference"], 1),
        "vectorised_rules_steps_per_s": round(rules["vectorised"]),
        "reference_rules_steps_per_s": round(rules["reference"]),
        "rules_ratio": round(rules["vectorised"] / rules["reference"], 1),
        "goal_ratio_at_least": GOAL_RATIO,
        "goal_met": bool(ratio >= GOAL_RATIO),
    }
    return summary, runs


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(
            f"bench_engine.py: {what}: found {text!r}; expected numbers, e.g. 0.1,1.0"
        ) from None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="helsinki", help="scenario (default helsinki)")
    parser.add_argument(
        "--scales",
        default="0.1,1.0",
        help="comma-separated scales (default 0.1,1.0: a small city and the full city)",
    )
    parser.add_argument(
        "--months",
        default="12,3",
        help="months stepped: one value for every scale, or one per scale (default 12,3)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per engine (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    scales = _floats(args.scales, "--scales")
    months = [int(m) for m in _floats(args.months, "--months")]
    if len(months) == 1:
        months = months * len(scales)
    if len(months) != len(scales):
        raise SystemExit(
            f"bench_engine.py: --months: found {len(months)} values for {len(scales)} scales; "
            "expected one value or one per scale"
        )
    scenario = load_scenario(args.scenario)
    info = machine_info()
    summaries, runs = [], []
    for scale, n_months in zip(scales, months, strict=True):
        summary, scale_runs = measure_scale(scenario, scale, n_months, args.repeats, args.seed)
        summaries.append({"scenario": args.scenario, **summary})
        runs += scale_runs
    report = {
        "benchmark": "resident-steps per second",
        "summary": summaries,
        "machine": info,
        "runs": runs,
    }
    write_results(args.out, "engine_benchmark", report, summaries)
    for s in summaries:
        print(
            f"scale {s['scale']:g} ({s['residents_month0']:,} residents, {s['months']} months): "
            f"vectorised {s['vectorised_resident_steps_per_s']:,} resident-steps/s "
            f"({s['threads']} threads; {s['vectorised_1_thread_resident_steps_per_s']:,} on one), "
            f"reference {s['reference_resident_steps_per_s']:,}: ratio {s['ratio']:,} "
            f"({s['ratio_1_thread']:,} on one thread; goal >= {GOAL_RATIO:.0f}: "
            f"{'met' if s['goal_met'] else 'NOT met'}); resident rules alone: "
            f"{s['vectorised_rules_steps_per_s']:,} against "
            f"{s['reference_rules_steps_per_s']:,}, ratio {s['rules_ratio']:,}"
        )
    print(f"results: {args.out / 'engine_benchmark.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
