"""The ``districtsim`` command line: run, compare, sweep, analyze, dashboard and validate.

User mistakes (bad scenario, bad override, bad option, unwritable output
folder) are reported as one line on stderr with exit status 2, never as a
traceback or a usage block; ``--help`` prints the full usage.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from districtsim import __version__
from districtsim.bundled import EXPERIMENT_DIR, bundled_names
from districtsim.errors import ScenarioError
from districtsim.scenario import DEFAULT_SCENARIO, Scenario, bundled_scenarios, load_scenario

if TYPE_CHECKING:
    from collections.abc import Callable

    from tqdm import tqdm

    from districtsim.executors import Executor
    from districtsim.experiment import Experiment
    from districtsim.sweep import SweepProgress

EXIT_USAGE = 2

_INVALID_VALUE = re.compile(
    r"^argument (?P<option>\S+): invalid (?P<type>\w+) value: (?P<found>.*)$", re.DOTALL
)
_INVALID_CHOICE = re.compile(
    r"^argument (?P<option>\S+): invalid choice: (?P<found>.*?) \(choose from (?P<choices>.*)\)$",
    re.DOTALL,
)
_TYPE_EXPECTED = {"int": "an integer", "float": "a number"}

# Options that set a [scenario] key: (option, key). Applied after --set, in this order.
_SCENARIO_OPTIONS = (("--months", "months"), ("--scale", "scale"), ("--seed", "seed"))


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a mistake as one line.

    For example ``districtsim: --months: found 'abc'; expected an integer``.
    """

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one line on stderr and exit with status 2."""
        self.exit(EXIT_USAGE, f"districtsim: {self.one_line(message)}\n")

    def one_line(self, message: str) -> str:
        """Return argparse's ``message`` in the CLI's ``option: found ...; expected ...`` form."""
        if m := _INVALID_VALUE.match(message):
            expected = _TYPE_EXPECTED.get(m["type"], "a value of type " + m["type"])
            return f"{m['option']}: found {m['found']}; expected {expected}"
        if m := _INVALID_CHOICE.match(message):
            choices = ", ".join(c.strip().strip("'") for c in m["choices"].split(","))
            return f"{m['option']}: found {m['found']}; expected one of {choices}"
        message = " ".join(message.removeprefix("argument ").split())
        return f"{message} (see {self.prog} --help)"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser (also used to document ``--help``)."""
    parser = _Parser(
        prog="districtsim",
        description=(
            "Agent-based model of how city districts develop over 20 years: communication, "
            "collective action, identity, reputation and housing value."
        ),
    )
    parser.add_argument("--version", action="version", version=f"districtsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    bundled = ", ".join(bundled_scenarios())
    run = sub.add_parser(
        "run",
        help="run one simulation and write its tables",
        description=(
            "Run one simulation and write districts, city and events tables and meta.json to --out."
        ),
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help=f"scenario TOML file or bundled name ({bundled}); default: {DEFAULT_SCENARIO}",
    )
    run.add_argument(
        "--seed", type=int, default=None, help="root seed (default: the scenario's seed)"
    )
    run.add_argument(
        "--months",
        type=int,
        default=None,
        help="horizon in months (default: the scenario's, usually 240)",
    )
    run.add_argument(
        "--scale",
        type=float,
        default=None,
        help="fraction of the real population simulated, 0.0001-1 (1 = every resident)",
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a parameter, e.g. --set mobilisation.tau=0.05 (repeatable)",
    )
    run.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="table format (default: parquet)",
    )
    run.add_argument("--out", default=None, help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    cmp = sub.add_parser(
        "compare",
        help="run scenarios on the same seeds and compare them",
        description=(
            "Run each scenario --replicates times on the same seeds (common random numbers: "
            "replicate r uses seed S + r in every scenario) and compare yearly outcomes: "
            "writes effects.parquet (means and paired differences to the first scenario with "
            "95% confidence intervals), replicates.parquet (every run's yearly values), "
            "report.html (a self-contained report) and meta.json to --out, and each run's "
            "tables to --out/runs/<scenario>/<replicate>/. The scenarios must have the same "
            "districts."
            " Runs on local processes (--workers) or on a running Dask cluster (--scheduler);"
            " the results do not depend on either. Exit status: 0 done, 2 bad input (also: no"
            " scheduler at --scheduler), 3 the Dask cluster or a local worker process failed, 130"
            " interrupted (finished"
            " runs are kept under --out/runs/ after 3 and 130)."
        ),
    )
    cmp.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help=(
            f"two or more scenario TOML files or bundled names ({bundled}); the first is the "
            "reference"
        ),
    )
    cmp.add_argument(
        "--replicates",
        type=int,
        required=True,
        help="runs per scenario (at least 1; 10 or more for useful confidence intervals)",
    )
    cmp.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel local processes (default 1); results do not depend on it",
    )
    cmp.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help=(
            "run on the Dask cluster whose scheduler listens there (see README, Sweeps on a "
            "Dask cluster); the workers need the same districtsim installed"
        ),
    )
    cmp.add_argument(
        "--seed",
        type=int,
        default=None,
        help="root seed S: replicate r uses seed S + r (default: the first scenario's seed)",
    )
    cmp.add_argument(
        "--months",
        type=int,
        default=None,
        help="horizon in months for every scenario (default: the scenarios', usually 240)",
    )
    cmp.add_argument(
        "--scale",
        type=float,
        default=None,
        help="fraction of the real population simulated, 0.0001-1, for every scenario",
    )
    cmp.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a parameter in every scenario (repeatable)",
    )
    cmp.add_argument(
        "--out",
        default=None,
        help="output folder (default: results/compare_<first>_vs_<second>...)",
    )
    cmp.add_argument("--quiet", action="store_true", help="no progress bar")
    swp = sub.add_parser(
        "sweep",
        help="run an experiment: many runs over a design of inputs",
        description=(
            "Run an experiment (a TOML file or a bundled name; the file format is in "
            "src/districtsim/experiments/README.md): "
            "every design point x replicate, on local processes (--workers) or on a running "
            "Dask cluster (--scheduler). "
            "Writes into --out: sweep.json (experiment hash, versions), experiment.toml (a "
            "copy), experiments.parquet (the design: run_id, point, replicate, seed, inputs), "
            "runs/part-*.parquet (outcomes of finished runs, written in batches as they "
            "finish) and failures/part-*.parquet (runs that raised: inputs, seed, traceback). "
            "Rerunning the same command into the same folder runs only what is missing; a "
            "changed experiment is refused. "
            "Replicate r of every design point uses seed S + r, S the experiment's root_seed "
            "(common random numbers across points, as across the scenarios of compare). "
            "Results do not depend on --workers or --scheduler. "
            "Exit status: 0 all runs ok, 1 some runs failed (the sweep goes on), 2 bad input "
            "(also: no scheduler at --scheduler), 3 the Dask cluster or a local worker process "
            "failed during the sweep (e.g. killed for lack of memory), "
            "130 interrupted (finished runs are kept after 3 and 130), or a new sweep expected "
            "to take over an hour not confirmed on a terminal (--yes skips the question; "
            "--dry-run prints the estimate)."
        ),
    )
    bundled_exp = ", ".join(bundled_names(EXPERIMENT_DIR))
    swp.add_argument("experiment", help=f"experiment TOML file or bundled name ({bundled_exp})")
    swp.add_argument(
        "--out", default=None, help="sweep folder (default: results/sweep_<experiment name>)"
    )
    swp.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel local processes (default: all usable cores); results do not depend on it",
    )
    swp.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help=(
            "run on the Dask cluster whose scheduler listens there (see README, Sweeps); the "
            "workers need districtsim installed and the scenario files at the same paths"
        ),
    )
    swp.add_argument(
        "--resume",
        action="store_true",
        help=(
            "require an earlier sweep in --out and run only its missing runs (without --resume "
            "an earlier sweep is continued too)"
        ),
    )
    swp.add_argument(
        "--batch-runs",
        type=int,
        default=None,
        metavar="N",
        help="write a part file every N finished runs (default 1000; and at least every 30 s)",
    )
    swp.add_argument(
        "--dry-run",
        action="store_true",
        help=(
            "check the experiment, print its size and an estimate of its time and disk from a "
            "12-month pilot run of its first point; run nothing"
        ),
    )
    swp.add_argument(
        "--yes",
        action="store_true",
        help="do not ask before a new sweep expected to take over an hour (asked on a terminal)",
    )
    swp.add_argument("--quiet", action="store_true", help="no progress bar")
    ana = sub.add_parser(
        "analyze",
        help="sensitivity analysis of a finished sweep",
        description=(
            "Analyse a sweep folder: Sobol first-order and total indices with confidence "
            "intervals (sobol designs), Morris mu* and sigma (morris), or each outcome's "
            "response to each input with a 95% interval of its rank correlation (grid, lhs), "
            "for the outcomes of the last year (or last kept month), each design point the "
            "mean over its replicates. Writes analysis/indices and analysis/levels (Parquet "
            "and CSV) and analysis/report.html into the sweep folder; the report shows every "
            "outcome, one at a time from a list with a search box, with its indices and its "
            "values against the inputs that move it most. A sweep that kept calibration "
            "targets ([outputs] targets) also gets analysis/accepted (the design points that "
            "meet every target)."
        ),
        epilog=(
            "Exit status: 0 when the analysis is complete; 1 when it is written but "
            "incomplete: some runs failed (tracebacks in DIR/failures/) or have not run, or no "
            "outcome varies over the design points (the report's banner and one line each on "
            "stderr say which); 2 when nothing was analysed: no sweep in DIR, no finished run, "
            "a --year, --month or --outcomes the sweep did not keep, or a sobol or morris "
            "design with a point without a finished run. Fewer than 10 design points with a "
            "finished run are a warning (rough indices), not an error."
        ),
    )
    ana.add_argument("sweep_dir", metavar="DIR", help="a folder written by districtsim sweep")
    when = ana.add_mutually_exclusive_group()
    when.add_argument(
        "--year",
        type=int,
        default=None,
        metavar="Y",
        help=(
            'the program year to analyse, from 0 as in the tables (summary = "yearly"; '
            "default the last)"
        ),
    )
    when.add_argument(
        "--month",
        type=int,
        default=None,
        metavar="M",
        help="the kept month to analyse (months = [...]; default the last)",
    )
    ana.add_argument(
        "--outcomes",
        nargs="+",
        default=None,
        metavar="NAME",
        help="analyse only these variables (default every kept one), e.g. price_eur_m2",
    )
    dash = sub.add_parser(
        "dashboard",
        help="explore a running model in the browser",
        description=(
            "Start the students' dashboard (Mesa's SolaraViz with plotly views) and print its "
            "address: choose a scenario, set parameters, step, play and reset the model, and "
            "watch the district map, time series, participation curve, evaluation criteria, "
            "events and resident ties. No network needed; no telemetry. Ctrl+C stops it. "
            "See docs/tutorial.md."
        ),
    )
    dash.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help=f"scenario TOML file or bundled name ({bundled}); default: {DEFAULT_SCENARIO}",
    )
    dash.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    dash.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    val = sub.add_parser(
        "validate",
        help="check a scenario file without running it",
        description="Check a scenario file (and --set overrides) and report the first problem.",
    )
    val.add_argument("scenario", help="scenario TOML file or bundled name")
    val.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override to check as well",
    )
    return parser


def _check_writable(out: Path) -> str | None:
    """Return None if ``out`` can be created and written, else the reason."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-test-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _out_problem(out: Path) -> str | None:
    """Return the one-line complaint if ``--out`` cannot be created and written, else None."""
    problem = _check_writable(out)
    if problem:
        return f"--out {out}: cannot write there ({problem}); choose a folder you can write to"
    return None


def _fail(message: str, status: int = EXIT_USAGE, bar: tqdm | None = None) -> int:
    """Close the progress bar, print ``message`` as one line on stderr and return ``status``."""
    if bar:
        bar.close()
    print(f"districtsim: {message}", file=sys.stderr)
    return status


def _first_problem(*problems: str | None) -> str | None:
    """Return the first complaint given, or None when there is none."""
    return next((problem for problem in problems if problem), None)


def _progress_bar(quiet: bool, total: int, unit: str, desc: str) -> tqdm | None:
    """Return a progress bar on stderr, or None with ``--quiet`` or when stderr is no terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    # A terminal that reports its size as 0x0 (e.g. under `script`) would hide the bar.
    size = shutil.get_terminal_size()
    return tqdm(
        total=total,
        unit=unit,
        desc=desc,
        file=sys.stderr,
        ncols=size.columns or 80,
        nrows=size.lines or 24,
    )


def _print_paths(done: str, paths: list[Path]) -> int:
    """Print the ``done`` line on stderr and the written paths on stdout; return 0."""
    print(done, file=sys.stderr)
    for p in paths:
        print(f"  {p}")
    return 0


def _with_options(
    scenario: Scenario, args: argparse.Namespace, options: tuple[tuple[str, str], ...]
) -> Scenario:
    """Return ``scenario`` with the [scenario] keys that the given options set (in that order)."""
    for option, key in options:
        value = getattr(args, key)
        if value is not None:
            scenario = scenario.with_option(key, value, option)
    return scenario


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _with_options(load_scenario(args.scenario, args.overrides), args, _SCENARIO_OPTIONS)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    problem = _out_problem(out)
    if problem:
        return _fail(problem)
    from districtsim.results import write_results
    from districtsim.run import run_scenario

    print(
        f"districtsim {__version__}: {scenario.name}, {len(scenario.districts)} districts, "
        f"{scenario.months} months, scale {scenario.scale:g}, seed {scenario.seed}",
        file=sys.stderr,
    )
    bar = _progress_bar(args.quiet, scenario.months, "month", scenario.name)
    result = run_scenario(scenario, on_month=(lambda t: bar.update(1)) if bar else None)
    if bar:
        bar.close()
    paths = write_results(result, out, args.format)
    from districtsim.report import write_run_report

    paths.append(write_run_report(result, out / "report.html"))
    done = f"done in {result.meta['elapsed_seconds']:.1f} s; results in {out}/:"
    return _print_paths(done, paths)


def _at_least(option: str, value: int | None, low: int) -> str | None:
    """Return the one-line complaint if ``value`` is given and below ``low``."""
    if value is not None and value < low:
        return f"{option}: found {value}; expected an integer of at least {low}"
    return None


def _scheduler_and_workers(args: argparse.Namespace) -> str | None:
    """Return the complaint when both --scheduler and --workers are given."""
    if args.scheduler is not None and args.workers is not None:
        return (
            "--workers: not used with --scheduler (the cluster's workers run the runs: start as "
            f"many as you want there); drop --workers {args.workers}"
        )
    return None


def _connect(scheduler: str) -> Executor | None:
    """Return a DaskExecutor for ``--scheduler``, or None after printing why it cannot connect."""
    from districtsim.executors import ClusterError, dask_executor

    try:
        return dask_executor(scheduler)
    except ClusterError as err:
        print(f"districtsim: --scheduler: {err}", file=sys.stderr)
        return None


def _compare_problem(args: argparse.Namespace) -> str | None:
    """Return the first complaint about compare's scenario count and numeric options, or None."""
    few = None
    if len(args.scenarios) < 2:
        few = (
            f"compare: found {len(args.scenarios)} scenario; expected two or more scenarios to "
            "compare (see districtsim compare --help)"
        )
    negative_seed = None
    if args.seed is not None and args.seed < 0:
        negative_seed = f"--seed: found {args.seed}; expected a non-negative integer"
    return _first_problem(
        few,
        _scheduler_and_workers(args),
        _at_least("--replicates", args.replicates, 1),
        _at_least("--workers", args.workers, 1),
        negative_seed,
    )


def _cmd_compare(args: argparse.Namespace) -> int:
    problem = _compare_problem(args)
    if problem:
        return _fail(problem)
    scenarios = [
        _with_options(load_scenario(name, args.overrides), args, _SCENARIO_OPTIONS[:2])
        for name in args.scenarios
    ]
    from districtsim.compare import arm_labels, check_arms

    check_arms(scenarios)
    labels = arm_labels(scenarios)
    out = Path(args.out) if args.out else Path("results") / ("compare_" + "_vs_".join(labels))
    executor = _connect(args.scheduler) if args.scheduler is not None else None
    if args.scheduler is not None and executor is None:
        return EXIT_USAGE
    with executor or contextlib.nullcontext():
        problem = _out_problem(out)
        if problem:
            return _fail(problem)
        return _run_compare(args, scenarios, labels, out, executor)


def _announce_compare(
    args: argparse.Namespace,
    scenarios: list[Scenario],
    labels: list[str],
    where: str,
) -> None:
    """Print the comparison's header on stderr: arms, seeds, districts, horizon, scale, where."""
    from districtsim.rng import replicate_seed

    root = scenarios[0].seed if args.seed is None else args.seed
    first = scenarios[0]
    print(
        f"districtsim {__version__}: compare {', '.join(labels)}; {args.replicates} replicate(s) "
        f"each on seeds {root}..{replicate_seed(root, args.replicates - 1)}, "
        f"{len(first.districts)} districts, {first.months} months, scale {first.scale:g}, {where}",
        file=sys.stderr,
    )


def _run_compare(
    args: argparse.Namespace,
    scenarios: list[Scenario],
    labels: list[str],
    out: Path,
    executor: Executor | None,
) -> int:
    """Run the comparison with a progress bar, print where its files are; return the exit status."""
    from districtsim.compare import compare_scenarios
    from districtsim.executors import ClusterError
    from districtsim.report import write_compare_report

    workers = args.workers or 1
    where = f"on {executor.describe()}" if executor else f"{workers} worker(s)"
    _announce_compare(args, scenarios, labels, where)
    bar = _progress_bar(args.quiet, len(scenarios) * args.replicates, "run", "compare")
    kept = f"finished runs are in {out / 'runs'}/, no comparison tables were written"
    try:
        comparison = compare_scenarios(
            scenarios,
            args.replicates,
            workers=workers,
            root_seed=args.seed,
            on_run=(lambda arm, r: bar.update(1)) if bar else None,
            out=out,
            executor=executor,
        )
    except ClusterError as err:
        return _fail(f"{err}; {kept}", 3, bar)
    except KeyboardInterrupt:
        return _fail(f"interrupted; {kept}", 130, bar)
    if bar:
        bar.close()
    paths = [out / "effects.parquet", out / "replicates.parquet"]
    paths.append(write_compare_report(comparison, out / "report.html"))
    paths.append(out / "meta.json")
    done = (
        f"done in {comparison.meta['elapsed_seconds']:.1f} s; results in {out}/ "
        f"(each run's tables in {out / 'runs'}/):"
    )
    return _print_paths(done, paths)


def _usable_cores() -> int:
    """Return the number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _cmd_sweep(args: argparse.Namespace) -> int:
    problem = _first_problem(
        _scheduler_and_workers(args),
        _at_least("--workers", args.workers, 1),
        _at_least("--batch-runs", args.batch_runs, 1),
    )
    if problem:
        return _fail(problem)
    workers = args.workers or _usable_cores()
    from districtsim.experiment import design_size, load_experiment

    exp = load_experiment(args.experiment)
    n_points = design_size(exp)
    n_runs = n_points * exp.replicates
    out = Path(args.out) if args.out else Path("results") / f"sweep_{exp.name}"
    executor = None
    if args.scheduler is not None and not args.dry_run:
        executor = _connect(args.scheduler)
        if executor is None:
            return EXIT_USAGE
    where = f"on the Dask cluster at {args.scheduler}" if args.scheduler else f"{workers} worker(s)"
    print(
        f"districtsim {__version__}: sweep {exp.name}: {exp.design_spec.method} design, "
        f"{len(exp.inputs)} input(s), {n_points} point(s) x {exp.replicates} replicate(s) = "
        f"{n_runs} runs, root seed {exp.root_seed}, {where}",
        file=sys.stderr,
    )
    if args.dry_run:
        print(f"{exp.source}: ok ({n_runs} runs)")
        print(_estimate_text(exp, workers, args.scheduler, n_runs))
        return 0
    if not args.yes and not _confirm_long_sweep(exp, workers, args.scheduler, out):
        return _fail("not started (answer y to run it, or pass --yes)", 130)
    problem = _out_problem(out)
    if problem:
        if executor is not None:
            executor.close()
        return _fail(problem)
    return _run_sweep(args, exp, out, n_runs, workers, executor)


LONG_SWEEP_SECONDS = 3600.0
"""A sweep expected to take longer asks for confirmation on a terminal (``--yes`` skips it)."""


def _duration(seconds: float) -> str:
    """Return a duration in words: ``45 s``, ``12 min``, ``2.3 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _estimate_text(exp: Experiment, workers: int, scheduler: str | None, n_runs: int) -> str:
    """Return the dry run's estimate of time and disk (from a short pilot run)."""
    from districtsim.sweep import PILOT_MONTHS, estimate_sweep

    est = estimate_sweep(exp, workers)
    where = (
        f"{_duration(est.seconds_per_run * n_runs)} of CPU for the cluster to share"
        if scheduler
        else f"about {_duration(est.wall_seconds)} on {workers} worker(s)"
    )
    disk = (
        f"{est.disk_bytes / 1e6:.1f} MB"
        if est.disk_bytes >= 1e6
        else f"{est.disk_bytes / 1e3:.0f} kB"
    )
    return (
        f"estimate: about {est.seconds_per_run:.2g} s a run on one core (from a "
        f"{PILOT_MONTHS}-month pilot of the first point, {est.pilot_seconds:.2g} s; points "
        f"differ, so within about a factor of 2), {where}; about {disk} of results"
    )


def _confirm_long_sweep(exp: Experiment, workers: int, scheduler: str | None, out: Path) -> bool:
    """On a terminal, ask before a new sweep expected to take over an hour; True to go on."""
    if scheduler or not sys.stdin.isatty() or (out / "sweep.json").exists():
        return True
    from districtsim.sweep import estimate_sweep

    est = estimate_sweep(exp, workers)
    if est.wall_seconds <= LONG_SWEEP_SECONDS:
        return True
    answer = input(
        f"this sweep is expected to take about {_duration(est.wall_seconds)} on {workers} "
        "worker(s) (districtsim sweep --dry-run for details); run it? [y/N] "
    )
    return answer.strip().lower() in ("y", "yes")


def _sweep_progress(bar: tqdm | None, out: Path) -> Callable[[SweepProgress], None]:
    """Return the sweep's progress callback: a line when resuming, then the bar's updates."""

    def progress(p: SweepProgress) -> None:
        if p.done == p.resumed and p.resumed:
            print(
                f"resuming: {p.resumed} of {p.total} runs already in {out} ({p.failed} failed)",
                file=sys.stderr,
            )
        if bar is not None:
            if p.done == p.resumed:
                bar.reset(total=p.total)
                bar.update(p.resumed)
                bar.unpause()
                bar.last_print_n = p.resumed  # time left from this session's rate only
            else:
                bar.update(p.done - bar.n)
            bar.set_postfix_str(f"failed {p.failed}", refresh=False)

    return progress


def _run_sweep(
    args: argparse.Namespace,
    exp: Experiment,
    out: Path,
    n_runs: int,
    workers: int,
    executor: Executor | None,
) -> int:
    """Run the sweep with a progress bar, then close the executor; return the exit status."""
    from districtsim.executors import ClusterError
    from districtsim.sweep import BATCH_RUNS, run_experiment

    bar = _progress_bar(args.quiet, n_runs, "run", exp.name)
    rerun = "rerun the same command to run the missing ones"
    try:
        result = run_experiment(
            exp,
            out,
            workers=workers,
            on_progress=_sweep_progress(bar, out),
            require_existing=args.resume,
            batch_runs=args.batch_runs or BATCH_RUNS,
            executor=executor,
        )
    except ClusterError as err:
        return _fail(f"{err}; every finished run is in {out}/runs/; {rerun}", 3, bar)
    except KeyboardInterrupt:
        message = (
            f"interrupted; every finished run is in {out}/runs/ (failures in {out}/failures/); "
            f"{rerun}"
        )
        return _fail(message, 130, bar)
    finally:
        if bar:
            bar.close()
        if executor is not None:
            # Also when the sweep stopped before it reached the cluster (e.g. a changed experiment).
            executor.close()
    print(
        f"done in {result.elapsed_seconds:.1f} s: {result.ran} run(s) now, {result.n_ok} of "
        f"{result.n_runs} ok, {result.n_failed} failed; results in {out}/",
        file=sys.stderr,
    )
    if result.n_failed:
        return _fail(
            f"{result.n_failed} of {result.n_runs} runs failed; their inputs, seeds and "
            f"tracebacks are in {out}/failures/",
            1,
        )
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from districtsim.analysis import sweep_analysis, write_analysis

    analysis = sweep_analysis(
        args.sweep_dir, year=args.year, month=args.month, outcomes=args.outcomes
    )
    folder = write_analysis(analysis)
    tables = analysis.tables
    print(
        f"analysed {len(analysis.outcomes)} outcome(s) of {analysis.when} {analysis.at} over "
        f"{analysis.n_points_ok} design point(s); results in {folder}/:"
    )
    names = ["indices.parquet", "indices.csv", "levels.parquet", "levels.csv", "report.html"]
    accepted = tables.get("accepted")
    if accepted is not None:
        names += ["accepted.parquet", "accepted.csv"]
    for name in names:
        print(f"  {folder / name}")
    if accepted is not None:
        print(
            f"calibration targets: {int(accepted['accepted'].sum())} of {len(accepted)} design "
            "point(s) meet every target (analysis/accepted.csv)"
        )
    for caution in analysis.cautions:
        print(f"districtsim: warning: {caution}", file=sys.stderr)
    for problem in analysis.problems:
        print(f"districtsim: {problem}", file=sys.stderr)
    return 1 if analysis.problems else 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from districtsim.dashboard import serve

    if not 1 <= args.port <= 65535:
        raise ScenarioError("--port", "", args.port, "a port number, 1-65535")
    serve(args.scenario, host=args.host, port=args.port)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    n_residents = sum(d.population for d in scenario.districts)
    print(
        f"{scenario.source}: ok ({len(scenario.districts)} districts, {n_residents:,} residents, "
        f"{scenario.months} months, scale {scenario.scale:g})"
    )
    if scenario.question:
        print(f"  question: {scenario.question}")
    if scenario.interventions:
        print(f"  interventions ({len(scenario.interventions)}):")
        for iv in scenario.interventions:
            print(f"    {iv.describe(scenario.months)}")
    else:
        print("  interventions: none")
    for shock in scenario.shocks:
        print(
            f"  shock: reputation {shock.reputation:+g} in {', '.join(shock.districts)} "
            f"in month {shock.month}"
        )
    from districtsim.compare import comparison_focus

    focus = comparison_focus([scenario])
    if focus["outcomes"] or focus["districts"]:
        print(
            f"  a comparison reports first: {', '.join(focus['outcomes']) or 'no outcome'}"
            f" in {', '.join(focus['districts']) or 'the city'} and the city"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "compare":
            return _cmd_compare(args)
        if args.command == "sweep":
            return _cmd_sweep(args)
        if args.command == "analyze":
            return _cmd_analyze(args)
        if args.command == "dashboard":
            return _cmd_dashboard(args)
        return _cmd_validate(args)
    except ScenarioError as err:
        print(f"districtsim: {err.one_line()}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "districtsim: interrupted; nothing was written for the unfinished run", file=sys.stderr
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
