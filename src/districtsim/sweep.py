"""Run an experiment's design (``districtsim sweep``): many runs, written as they finish, resumable.

A sweep folder ``DIR`` holds (every column in ``docs/outputs.md``):

- ``sweep.json``: the experiment's hash, its normalised spec, the seed
  scheme, sizes and versions; written first. A later sweep into the same
  folder must have the same hash (else it is refused: results of a changed
  experiment are never mixed with old ones).
- ``experiment.toml``: a copy of the experiment file as it was at the start.
- ``experiments.parquet``: the design, one row per run: ``run_id``,
  ``point``, ``replicate``, ``seed`` and every input.
- ``runs/part-<first run id>-<number of runs>.parquet``: the outcomes of a
  batch of finished runs (long format, with the run's id, point, replicate,
  seed and inputs on every row). Together a Parquet dataset:
  ``pandas.read_parquet(DIR / "runs")``.
- ``failures/part-<first run id>-<number of runs>.parquet``: runs that
  raised: id, point, replicate, seed, inputs, the error and the traceback.

**Writing.** Finished runs are kept in memory and written as one part file
(a temporary file in the same folder, then an atomic rename, so a part file
is complete or absent) when ``batch_runs`` runs are waiting, when
``flush_seconds`` (default 30 s) have passed since the last write, and at
the end. A run that takes longer than ``flush_seconds`` is therefore written
alone as soon as it finishes, and small runs share a file (a 100,000-run
sweep of small runs makes a few hundred files, not 100,000). Until its part
file is written, each finished run is also journaled at once as one small
file in ``runs/pending/`` (or ``failures/pending/``; atomic too), deleted
when the part file is in place; so a process killed outright (SIGKILL, power
loss) loses no finished run: the next sweep into the folder merges the
journal into a part file first, and :func:`load_sweep` reads it in the
meantime (a run in both a part file and the journal counts once). On Ctrl-C
the runs in progress finish and everything finished is written.

**Resume.** Rerunning into the same folder (or ``--resume``) reads the run
ids of the existing part files (temporary files of an interrupted write are
ignored and removed), and runs only the missing ones. A failed run counts as
done (it is deterministic: the same inputs and seed fail again); delete its
part file in ``failures/`` to retry it. Each run is in exactly one part file.
A folder of a sweep started with another seed scheme (``seed_scheme`` in
sweep.json, e.g. one of districtsim before design points shared common
random numbers) is refused, like a changed experiment.

**Seeds and determinism.** Replicate ``r`` of every design point runs on
the seed :func:`districtsim.rng.replicate_seed` ``(root_seed, r)``, the
scheme of comparisons: design points share common random numbers (see
``experiments/README.md`` for why). A run depends only on its inputs and
seed, never on the number of workers, the executor, the order runs finish
in, or how they are batched into files; :func:`load_sweep` returns the same
tables for any of these.

**Executors.** Runs go through one function, :func:`run_task` (module
level, picklable), and an executor of :mod:`districtsim.executors` that
calls it for each task and hands every :class:`RunRecord` back as it
finishes: a :class:`~districtsim.executors.LocalExecutor` (in this process
for one worker, else a ``spawn`` process pool; the default, with
``workers``) or a :class:`~districtsim.executors.DaskExecutor` (a running
Dask cluster, ``districtsim sweep --scheduler tcp://HOST:PORT``), passed as
``run_experiment(executor=...)``. The writing, resume and determinism above
do not depend on the executor.

**Dask.** The workers need the same districtsim (and dependencies)
installed and the experiment's scenario files at the same paths (a shared
file system), because a worker reads the scenario of each run itself. Each
run is a task with key ``<experiment>-run<run_id>-<token>`` (unique per
session; ``pure=False``). A run that raises is a failed run as above; an
error outside the run (a worker killed three times on the same run, a lost
connection to the scheduler, districtsim not importable on a worker) is a
:class:`~districtsim.executors.ClusterError`: the runs already finished are
written, the others are cancelled, and rerunning resumes. On Ctrl-C the
finished runs are written and the rest are cancelled (runs in progress on
the cluster are not waited for).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import json
import shutil
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from districtsim import __version__
from districtsim.calendar import program_year
from districtsim.errors import ScenarioError
from districtsim.executors import (
    ClusterError,
    DaskExecutor,
    Executor,
    LocalExecutor,
    dask_executor,
    local_executor,
)
from districtsim.experiment import (
    Experiment,
    Outputs,
    design_size,
    experiment_hash,
)
from districtsim.outputs import TABLES
from districtsim.results import (
    YEARLY_COLUMNS,
    RunResult,
    atomic_write,
    district_names,
    software_versions,
    yearly_values,
)
from districtsim.rng import SEED_SCHEME
from districtsim.scenario import Scenario, plain_value
from districtsim.targets import evaluate

RUN_COLUMNS = ["run_id", "point", "replicate", "seed"]
"""Columns of every run row before the inputs (experiments.parquet, part files, failures)."""
MONTHLY_COLUMNS = ["scope", "district", "variable", "month", "value"]
"""Outcome columns with ``months = [...]``."""
FAILURE_COLUMNS = ["error", "traceback"]
"""Columns of a failure row after the run columns and inputs."""

FLUSH_SECONDS = 30.0
BATCH_RUNS = 1000
BATCH_ROWS = 1_000_000
PENDING = "pending"
"""Subfolder of ``runs/`` and ``failures/`` holding the journal.

One file per finished run not yet in a part file.
"""


@dataclass(frozen=True)
class RunTask:
    """One run to do: the experiment, the run's identity and its input values."""

    experiment: Experiment
    run_id: int
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]


@dataclass
class RunRecord:
    """What a run hands back: its outcome rows, or the error and traceback."""

    run_id: int
    ok: bool
    outcomes: pd.DataFrame | None = None
    error: str = ""
    traceback: str = ""
    elapsed_seconds: float = 0.0


@dataclass(frozen=True)
class SweepProgress:
    """Progress passed to ``on_progress``.

    Runs done (ok or failed, including earlier sessions), failed, total, and
    done before this session.
    """

    done: int
    failed: int
    total: int
    resumed: int


def summarise(result: RunResult, outputs: Outputs) -> pd.DataFrame:
    """Return one run's kept outcomes (long: :data:`YEARLY_COLUMNS` or :data:`MONTHLY_COLUMNS`).

    Yearly: per program year ``y`` (months ``12y`` .. ``12y + 11``) the mean
    of a state or rate and the sum of a flow, as declared in
    :mod:`districtsim.outputs` (:func:`districtsim.results.yearly_values`, the
    summariser compare uses). Rows: city first, then districts in scenario
    order; variables in the experiment's order; years or months ascending.
    """
    d, c = result.districts, result.city
    names = district_names(d)
    n_months = len(c)
    scopes = {"city": ("city",), "district": ("district",), "both": ("city", "district")}[
        outputs.scope
    ]
    pairs = [(s, v) for s in scopes for v in outputs.variables if v in TABLES[s]]
    if outputs.summary == "yearly":
        return yearly_values(result, pairs)
    months = np.asarray(outputs.months, dtype=np.int64)
    if months.max() >= n_months:
        raise ValueError(
            f"outputs.months asks for month {int(months.max())}, but the run has {n_months} months"
        )
    frames = []
    for scope, var in pairs:
        arr = (
            c[var].to_numpy(dtype=float)[:, None]
            if scope == "city"
            else d[var].to_numpy(dtype=float).reshape(n_months, len(names))
        )
        labels = [""] if scope == "city" else names
        frames.append(
            pd.DataFrame(
                {
                    "scope": scope,
                    "district": np.repeat(labels, len(months)),
                    "variable": var,
                    "month": np.tile(months.astype(np.int32), len(labels)),
                    "value": arr[months].T.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[MONTHLY_COLUMNS]


def target_rows(result: RunResult, scenario: Scenario, outputs: Outputs) -> pd.DataFrame:
    """Return one outcome row per calibration target of ``outputs``: scope ``"target"``.

    The variable is the target's measure (:data:`districtsim.targets.MEASURES`), measured over
    the whole run and dated to its last year (``stat`` ``"run"``, ``months`` the run's length)
    or its last month, so that the last-year analyses read it with the other outcomes.
    """
    values = evaluate(result, scenario, outputs.targets)
    n_months = len(result.city)
    rows = {
        "scope": "target",
        "district": "",
        "variable": values["measure"].to_numpy(),
        "value": values["value"].to_numpy(dtype=float),
    }
    if outputs.summary == "yearly":
        rows |= {
            "year": np.int32(program_year(n_months - 1)),
            "months": np.int32(n_months),
            "stat": "run",
        }
        return pd.DataFrame(rows)[YEARLY_COLUMNS]
    return pd.DataFrame(rows | {"month": np.int32(n_months - 1)})[MONTHLY_COLUMNS]


def run_task(task: RunTask) -> RunRecord:
    """Run one task through :func:`districtsim.run.run_scenario`.

    An exception becomes a failed :class:`RunRecord` (it is never raised).
    """
    started = time.perf_counter()
    try:
        from districtsim.run import run_scenario

        scenario = task.experiment.scenario_for(task.values)
        result = run_scenario(scenario, seed=task.seed)
        outputs = task.experiment.outputs
        table = summarise(result, outputs)
        if outputs.targets:
            table = pd.concat([table, target_rows(result, scenario, outputs)], ignore_index=True)
        return RunRecord(
            task.run_id, True, outcomes=table, elapsed_seconds=time.perf_counter() - started
        )
    except Exception as exc:  # a failing run is recorded and the sweep goes on
        text = str(exc).splitlines()[0] if str(exc) else ""
        return RunRecord(
            task.run_id,
            False,
            error=f"{type(exc).__name__}: {text}",
            traceback=traceback.format_exc(),
            elapsed_seconds=time.perf_counter() - started,
        )


PARALLEL_EFFICIENCY = 0.8
"""Runs a minute on ``n`` local workers over ``n`` times one worker's: 0.76 at 2 workers on short
runs (``experiments/benchmarks/results/sweep_benchmark_throughput.csv``), more on long ones."""

PILOT_MONTHS = 12
"""Months of the pilot run :func:`estimate_sweep` times."""

WORKER_START_SECONDS = 3.0
"""Starting local worker processes (spawn, import districtsim): about 2-3 s on this machine."""

BYTES_PER_ROW = 24
"""Outcome part files per kept value: 22-24 bytes on the calibration and smoke sweeps (Parquet
compresses the long rows well)."""


@dataclass(frozen=True)
class SweepEstimate:
    """What :func:`estimate_sweep` expects of a sweep, from one short pilot run.

    Attributes:
        seconds_per_run: One run's expected time on one core (set-up plus months).
        wall_seconds: The runs still to do, on the given workers.
        disk_bytes: The outcome part files of those runs (Parquet, roughly).
        pilot_seconds: How long the pilot took.
    """

    seconds_per_run: float
    wall_seconds: float
    disk_bytes: int
    pilot_seconds: float


def estimate_sweep(exp: Experiment, workers: int, runs: int | None = None) -> SweepEstimate:
    """Time a short pilot of the first design point and extrapolate to the sweep.

    The pilot runs the point's scenario for :data:`PILOT_MONTHS` months; a run costs its
    set-up plus the months at the pilot's rate per month (months past the first). The wall time
    of ``runs`` runs (default: every run) on ``workers`` local processes assumes
    :data:`PARALLEL_EFFICIENCY`. Design points differ (a point with more residents active runs
    slower), so this is an estimate within a factor of about 2, not a benchmark.
    """
    from districtsim.run import run_scenario

    table = exp.runs()
    task = next(_tasks(exp, table.head(1)))
    scenario = exp.scenario_for(task.values)
    months = scenario.months
    pilot = min(PILOT_MONTHS, months)
    stamps: list[float] = []
    started = time.perf_counter()
    result = run_scenario(
        scenario.with_option("months", pilot, "--dry-run"),
        seed=task.seed,
        on_month=lambda t: stamps.append(time.perf_counter()),
    )
    pilot_seconds = time.perf_counter() - started
    per_month = (stamps[-1] - stamps[0]) / (pilot - 1) if pilot > 1 else stamps[0] - started
    setup = max(0.0, stamps[0] - started - per_month)
    per_run = setup + per_month * months
    yearly = dataclasses.replace(exp.outputs, summary="yearly", months=(), targets=())
    rows = len(summarise(result, yearly))  # values kept per year (or per kept month)
    periods = -(-months // 12) if exp.outputs.summary == "yearly" else len(exp.outputs.months)
    n = len(table) if runs is None else runs
    rows_per_run = rows * periods + len(exp.outputs.targets)
    if workers > 1:
        wall = WORKER_START_SECONDS + n * per_run / (workers * PARALLEL_EFFICIENCY)
    else:
        wall = n * per_run
    return SweepEstimate(per_run, wall, int(n * rows_per_run * BYTES_PER_ROW), pilot_seconds)


@dataclass
class SweepResult:
    """What :func:`run_experiment` returns; the tables are read from the folder on first use.

    Attributes:
        out: The sweep folder.
        n_runs: Runs in the design (points x replicates).
        n_ok: Runs finished without error (including earlier sessions).
        n_failed: Runs that raised (see :attr:`failures`).
        n_missing: Runs not done (0 unless interrupted).
        ran: Runs done in this call.
        elapsed_seconds: Wall-clock time of this call.
    """

    out: Path
    n_runs: int
    n_ok: int
    n_failed: int
    n_missing: int
    ran: int = 0
    elapsed_seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return load_sweep(self.out)

    @property
    def inputs(self) -> pd.DataFrame:
        """The design, a row per run (index ``run_id``), with ``status``; see :func:`load_sweep`."""
        return self._tables[0]

    @property
    def outcomes(self) -> pd.DataFrame:
        """The outcomes of finished runs (long, column ``run_id``); see :func:`load_sweep`."""
        return self._tables[1]

    @property
    def failures(self) -> pd.DataFrame:
        """The failed runs: ids, inputs, seed, error and traceback."""
        return load_failures(self.out)


def _part_ids(folder: Path) -> set[int]:
    """Return the run ids in ``folder``'s part files and journal.

    Leftover temporary files are removed; the journal is first merged into a part file.
    """
    import pyarrow.parquet as pq

    ids: set[int] = set()
    if not folder.is_dir():
        return ids
    for tmp in [*folder.glob(".part-*.tmp"), *folder.glob(f"{PENDING}/.run-*.tmp")]:
        tmp.unlink(missing_ok=True)
    _merge_journal(folder)
    for path in sorted(folder.glob("part-*.parquet")):
        ids.update(
            int(i) for i in pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist()
        )
    return ids


def _merge_journal(folder: Path) -> None:
    """Write the journal of runs not yet in a part file as one part file, then delete it.

    The journal outlives a killed sweep.
    """
    pending = (
        sorted((folder / PENDING).glob("run-*.parquet")) if (folder / PENDING).is_dir() else []
    )
    if not pending:
        return
    import pyarrow.parquet as pq

    in_parts = {
        int(i)
        for path in folder.glob("part-*.parquet")
        for i in pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist()
    }
    frames = [
        df
        for df in (pd.read_parquet(p) for p in pending)
        if int(df["run_id"].iloc[0]) not in in_parts
    ]
    if frames:
        df = pd.concat(frames, ignore_index=True).sort_values("run_id", kind="stable")
        ids = df["run_id"].unique()
        _Writer._write(folder, int(ids[0]), len(ids), df)
    for p in pending:
        p.unlink(missing_ok=True)


def _prepare(
    exp: Experiment, out: Path, resume: bool, require_existing: bool
) -> tuple[str, pd.DataFrame]:
    """Check the folder, write sweep.json, experiment.toml and experiments.parquet.

    Returns:
        The experiment's hash and its runs (:meth:`Experiment.runs`).
    """
    digest = experiment_hash(exp)
    info = out / "sweep.json"
    if info.exists():
        _check_resumable(exp, out, digest, resume)
    else:
        _check_startable(out, require_existing)
    runs = exp.runs()
    if not info.exists():
        meta = _sweep_meta(exp, digest, runs)
        atomic_write(
            info,
            lambda p: Path(p).write_text(
                json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
            ),
        )
        if exp.source and Path(exp.source).is_file():
            atomic_write(out / "experiment.toml", lambda p: shutil.copyfile(exp.source, p))
    if not (out / "experiments.parquet").exists():
        atomic_write(out / "experiments.parquet", lambda p: runs.to_parquet(p, index=False))
    return digest, runs


def _check_resumable(exp: Experiment, out: Path, digest: str, resume: bool) -> None:
    """Refuse to continue the earlier sweep in ``out`` unless asked to and it is of ``exp``."""
    info = out / "sweep.json"
    old = json.loads(info.read_text(encoding="utf-8"))
    if not resume:
        raise ScenarioError(
            str(out),
            "",
            "an earlier sweep",
            "a new or empty folder (or resume it: rerun the same experiment into this folder)",
        )
    if old.get("seed_scheme") != SEED_SCHEME:
        raise ScenarioError(
            str(info),
            "seed_scheme",
            old.get("seed_scheme"),
            f"{SEED_SCHEME!r} (districtsim {__version__}: design points share common random "
            "numbers); this sweep's runs used other seeds and results are never mixed, so "
            "use a new --out folder",
        )
    if old.get("experiment_hash") != digest:
        raise ScenarioError(
            str(info),
            "experiment_hash",
            str(old.get("experiment_hash", ""))[:12],
            f"{digest[:12]}, the hash of {exp.source or exp.name}: the experiment or a scenario "
            f"it uses changed since this sweep started (see {out / 'experiment.toml'}); "
            "results are never mixed, so use a new --out folder",
        )


def _check_startable(out: Path, require_existing: bool) -> None:
    """Refuse to start a sweep in ``out`` when resuming was required, or it holds unknown parts."""
    if require_existing:
        raise ScenarioError(
            str(out),
            "sweep.json",
            None,
            "a folder with an earlier sweep to resume (run without --resume to start one)",
        )
    if any((out / sub).is_dir() and any((out / sub).iterdir()) for sub in ("runs", "failures")):
        raise ScenarioError(
            str(out),
            "sweep.json",
            None,
            "a sweep.json beside runs/ (this folder holds part files of an unknown sweep); "
            "use a new --out folder",
        )


def _sweep_meta(exp: Experiment, digest: str, runs: pd.DataFrame) -> dict[str, Any]:
    """Return the contents of sweep.json."""
    return {
        "experiment": exp.name,
        "experiment_hash": digest,
        "source": exp.source,
        "spec": exp.to_dict(),
        "n_points": int(runs["point"].nunique()),
        "replicates": exp.replicates,
        "n_runs": len(runs),
        "root_seed": exp.root_seed,
        "seed_scheme": SEED_SCHEME,
        "run_id_scheme": "point * replicates + replicate",
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **software_versions("pandas", "pyarrow", "SALib"),
    }


class _Writer:
    """Buffers finished runs and writes them as part files (see the module docstring)."""

    def __init__(
        self,
        out: Path,
        runs: pd.DataFrame,
        inputs: list[str],
        batch_runs: int,
        flush_seconds: float,
    ) -> None:
        self.out, self.inputs = out, inputs
        self.meta = runs.set_index("run_id")
        self.batch_runs, self.flush_seconds = batch_runs, flush_seconds
        self.ok: list[RunRecord] = []
        self.failed: list[RunRecord] = []
        self.rows = 0
        self.last = time.monotonic()
        (out / "runs").mkdir(parents=True, exist_ok=True)
        (out / "failures").mkdir(parents=True, exist_ok=True)

    def add(self, rec: RunRecord) -> None:
        (self.ok if rec.ok else self.failed).append(rec)
        # Journal the run at once (one small file, atomic), so a killed sweep loses no finished
        # run; the part file replaces it.
        folder = self.out / ("runs" if rec.ok else "failures") / PENDING
        folder.mkdir(exist_ok=True)
        atomic_write(
            folder / f"run-{rec.run_id:09d}.parquet",
            lambda p: (self._ok_frame([rec]) if rec.ok else self._failed_frame([rec])).to_parquet(
                p, index=False
            ),
        )
        self.rows += len(rec.outcomes) if rec.outcomes is not None else 1
        if (
            len(self.ok) + len(self.failed) >= self.batch_runs
            or self.rows >= BATCH_ROWS
            or time.monotonic() - self.last >= self.flush_seconds
        ):
            self.flush()

    def _head(self, run_id: int, n: int) -> pd.DataFrame:
        row = self.meta.loc[run_id]
        columns: dict[str, Any] = {
            "run_id": np.full(n, run_id, dtype=np.int64),
            "point": np.full(n, row["point"], dtype=np.int64),
            "replicate": np.full(n, row["replicate"], dtype=np.int32),
            "seed": np.full(n, row["seed"], dtype=np.int64),
        }
        # One frame from all columns at once: inserting them one by one fragments the frame
        # (a pandas PerformanceWarning per run with the 158 inputs of a [plausible] screen).
        for name in self.inputs:
            columns[name] = pd.Series([row[name]] * n, dtype=self.meta[name].dtype)
        return pd.DataFrame(columns)

    def _failed_frame(self, recs: list[RunRecord]) -> pd.DataFrame:
        return pd.concat(
            [self._head(r.run_id, 1).assign(error=r.error, traceback=r.traceback) for r in recs],
            ignore_index=True,
        )

    def _ok_frame(self, recs: list[RunRecord]) -> pd.DataFrame:
        return pd.concat(
            [
                pd.concat(
                    [self._head(r.run_id, len(r.outcomes)), r.outcomes.reset_index(drop=True)],
                    axis=1,
                )
                for r in recs
            ],
            ignore_index=True,
        )

    def flush(self) -> None:
        """Write the failures, then the outcomes, each as one part file.

        Then drop their journal files and clear the buffers.
        """
        for folder, recs, frame in (
            (self.out / "failures", self.failed, self._failed_frame),
            (self.out / "runs", self.ok, self._ok_frame),
        ):
            if not recs:
                continue
            recs = sorted(recs, key=lambda r: r.run_id)
            self._write(folder, recs[0].run_id, len(recs), frame(recs))
            for r in recs:
                (folder / PENDING / f"run-{r.run_id:09d}.parquet").unlink(missing_ok=True)
        self.failed, self.ok = [], []
        self.rows = 0
        self.last = time.monotonic()

    @staticmethod
    def _write(folder: Path, first: int, n: int, df: pd.DataFrame) -> None:
        path = folder / f"part-{first:09d}-{n}.parquet"
        if path.exists():  # cannot happen: a run id is written once and skipped afterwards
            raise RuntimeError(f"{path} exists already")
        atomic_write(path, lambda p: df.to_parquet(p, index=False))


@dataclass
class _Tally:
    """The runs done (ok or failed, earlier sessions included), failed and run in this call."""

    total: int
    resumed: int
    failed: int
    on_progress: Callable[[SweepProgress], None] | None
    finished: set[int] = field(default_factory=set)
    done: int = 0
    ran: int = 0

    @classmethod
    def start(
        cls, out: Path, runs: pd.DataFrame, on_progress: Callable[[SweepProgress], None] | None
    ) -> _Tally:
        """Count the runs in the part files of earlier sessions; report the start."""
        done_ok = _part_ids(out / "runs")
        done_failed = _part_ids(out / "failures") - done_ok
        finished = done_ok | done_failed
        tally = cls(
            total=len(runs),
            resumed=len(finished),
            failed=len(done_failed),
            on_progress=on_progress,
            finished=finished,
            done=len(finished),
        )
        tally.report()
        return tally

    def report(self) -> None:
        """Pass the counts to ``on_progress`` (if given)."""
        if self.on_progress:
            self.on_progress(SweepProgress(self.done, self.failed, self.total, self.resumed))

    def counting(self, write: Callable[[RunRecord], None]) -> Callable[[RunRecord], None]:
        """Return a sink that writes each finished run, then counts and reports it."""

        def sink(rec: RunRecord) -> None:
            write(rec)
            self.done += 1
            self.ran += 1
            self.failed += 0 if rec.ok else 1
            self.report()

        return sink

    def result(self, out: Path, elapsed_seconds: float, meta: dict[str, Any]) -> SweepResult:
        """Return the :class:`SweepResult` of these counts."""
        return SweepResult(
            out=out,
            n_runs=self.total,
            n_ok=self.done - self.failed,
            n_failed=self.failed,
            n_missing=self.total - self.done,
            ran=self.ran,
            elapsed_seconds=elapsed_seconds,
            meta=meta,
        )


def run_experiment(
    exp: Experiment,
    out: str | Path,
    workers: int = 1,
    resume: bool = True,
    on_progress: Callable[[SweepProgress], None] | None = None,
    *,
    require_existing: bool = False,
    batch_runs: int = BATCH_RUNS,
    flush_seconds: float = FLUSH_SECONDS,
    executor: Executor | None = None,
) -> SweepResult:
    """Run every missing run of an experiment's design and write it into ``out``.

    The module docstring describes the folder, resuming and determinism.

    Args:
        exp: A validated experiment (:func:`districtsim.experiment.load_experiment`).
        out: The sweep folder (created if needed).
        workers: Local processes (1 = in this process); results do not depend on it.
        resume: Continue a sweep already in ``out`` (the default); False refuses a folder
            with an earlier sweep.
        on_progress: Called with a :class:`SweepProgress` at the start and after every finished run.
        require_existing: Refuse a folder without an earlier sweep (``--resume``).
        batch_runs: Write a part file when this many runs are waiting.
        flush_seconds: ... or when this long has passed since the last write.
        executor: How runs are executed (default: a
            :class:`~districtsim.executors.LocalExecutor` with ``workers``, closed at the
            end; or a :class:`~districtsim.executors.DaskExecutor`). An executor passed
            in is not closed here (unless a DaskExecutor outside a ``with`` block).

    Returns:
        Counts and (loaded on first use) the tables.

    Raises:
        ScenarioError: A changed experiment on resume, a folder of another sweep, or a
            folder another sweep is writing to.
        KeyboardInterrupt: After writing every finished run.
        ClusterError: The Dask cluster failed outside a run, after writing every finished run.
    """
    started = time.perf_counter()
    out = Path(out)
    if require_existing and not (out / "sweep.json").exists():
        _check_startable(out, require_existing)  # before creating the folder or its lock
    out.mkdir(parents=True, exist_ok=True)
    with _sweep_lock(out):
        digest, runs = _prepare(exp, out, resume, require_existing)
        tally = _Tally.start(out, runs, on_progress)
        todo = runs[~runs["run_id"].isin(tally.finished)]
        writer = _Writer(out, runs, exp.input_names, max(1, batch_runs), flush_seconds)
        tasks = _tasks(exp, todo)
        try:
            _execute(executor, min(workers, max(1, len(todo))), tasks, tally.counting(writer.add))
        finally:
            writer.flush()
        elapsed = round(time.perf_counter() - started, 3)
        return tally.result(
            out, elapsed, {"experiment_hash": digest, "design_points": design_size(exp)}
        )


@contextlib.contextmanager
def _sweep_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock (flock) on the folder for the whole sweep; refuse a folder in use."""
    lock = open(out / ".sweep.lock", "w")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ScenarioError(
                str(out),
                "",
                "a folder another sweep is writing to",
                "a folder no other sweep is using (wait for it, or choose another --out)",
            ) from None
        yield
    finally:
        lock.close()


def _tasks(exp: Experiment, todo: pd.DataFrame) -> Iterator[RunTask]:
    """Return the tasks of the runs in ``todo``, made lazily in their order."""
    names = exp.input_names
    return (
        RunTask(
            exp,
            int(row[0]),
            int(row[1]),
            int(row[2]),
            int(row[3]),
            {n: plain_value(row[4 + k]) for k, n in enumerate(names)},
        )
        for row in todo[[*RUN_COLUMNS, *names]].itertuples(index=False, name=None)
    )


def _task_name(task: RunTask) -> str:
    return f"{task.experiment.name}-run{task.run_id}"


def _execute(
    executor: Executor | Callable[..., None] | None,
    workers: int,
    tasks: Any,
    sink: Callable[[RunRecord], None],
) -> None:
    """Run the tasks with ``executor``, or with a local executor of ``workers`` processes."""
    if executor is None:
        with LocalExecutor(workers) as local:
            local.execute(run_task, tasks, sink, name=_task_name)
    elif isinstance(executor, Executor):
        executor.execute(run_task, tasks, sink, name=_task_name)
    else:
        warnings.warn(
            "an executor as a function (tasks, sink) is deprecated; pass an Executor of "
            "districtsim.executors",
            DeprecationWarning,
            stacklevel=3,
        )
        executor(tasks, sink)


def _read_parts(folder: Path) -> pd.DataFrame | None:
    """Read the part files and the journal (runs of a killed sweep not yet merged).

    A run in both counts once.
    """
    files = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    frames = [pd.read_parquet(f) for f in files]
    seen = {int(i) for df in frames for i in df["run_id"].unique()}
    for path in (
        sorted((folder / PENDING).glob("run-*.parquet")) if (folder / PENDING).is_dir() else []
    ):
        df = pd.read_parquet(path)
        if len(df) and int(df["run_id"].iloc[0]) not in seen:
            frames.append(df)
    if not frames:
        return None
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values("run_id", kind="stable")
        .reset_index(drop=True)
    )


def _require_sweep(out: Path) -> None:
    """Refuse a folder that holds no sweep (a one-line error naming it, not a traceback)."""
    if not (out / "sweep.json").is_file() or not (out / "experiments.parquet").is_file():
        raise ScenarioError(
            str(out),
            "",
            "no sweep.json and experiments.parquet",
            "a folder written by districtsim sweep (its --out)",
        )


def load_failures(out: str | Path) -> pd.DataFrame:
    """Return the failed runs of a sweep folder, by run id.

    Columns: run_id, point, replicate, seed, the inputs, error and traceback.
    """
    _require_sweep(Path(out))
    df = _read_parts(Path(out) / "failures")
    if df is None:
        runs = pd.read_parquet(Path(out) / "experiments.parquet").iloc[:0]
        return runs.assign(error=pd.Series(dtype=object), traceback=pd.Series(dtype=object))
    return df


def load_sweep(out: str | Path, wide: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a sweep folder: (inputs, outcomes), aligned on ``run_id``.

    Args:
        out: The sweep folder.
        wide: Return the outcomes as one row per finished run (index
            ``run_id``) with a column per (scope, district, variable,
            year or month); flatten the column levels (e.g. join them with ``/``)
            before ``inputs.join(outcomes)``: pandas does not join one column level
            with four.

    Returns:
        ``inputs``: every run of the design (index ``run_id``; columns point,
        replicate, seed, the inputs, and ``status`` = ok | failed | missing).
        ``outcomes``: long format, one row per run and kept value (column
        ``run_id``, then :data:`YEARLY_COLUMNS` or :data:`MONTHLY_COLUMNS`),
        sorted by run id; the same whatever the workers or batching.
    """
    out = Path(out)
    _require_sweep(out)
    inputs = pd.read_parquet(out / "experiments.parquet").set_index("run_id")
    spec = json.loads((out / "sweep.json").read_text(encoding="utf-8"))["spec"]
    value_cols = YEARLY_COLUMNS if spec["outputs"]["summary"] == "yearly" else MONTHLY_COLUMNS
    parts = _read_parts(out / "runs")
    if parts is None:
        outcomes = pd.DataFrame(
            {
                "run_id": pd.Series(dtype=np.int64),
                **{c: pd.Series(dtype=float if c == "value" else object) for c in value_cols},
            }
        )
    else:
        outcomes = parts[["run_id", *value_cols]].copy()
    for col in ("scope", "district", "variable", "stat"):
        if col in outcomes:
            outcomes[col] = pd.Categorical(
                outcomes[col].astype(str), categories=list(dict.fromkeys(outcomes[col].astype(str)))
            )
    failed = set(load_failures(out)["run_id"].tolist())
    ok = set(outcomes["run_id"].unique().tolist())
    inputs["status"] = [
        "ok" if i in ok else "failed" if i in failed else "missing" for i in inputs.index
    ]
    if wide:
        key = "year" if "year" in value_cols else "month"
        flat = outcomes.assign(
            **{c: outcomes[c].astype(str) for c in ("scope", "district", "variable")}
        )
        outcomes = flat.pivot(
            index="run_id", columns=["scope", "district", "variable", key], values="value"
        )
    return inputs, outcomes


def outcome_column(scope: str, district: str, variable: str) -> str:
    """Return the plain column name of an outcome in :func:`sweep_table`.

    A city outcome keeps its variable's name (``participation_rate``); a district outcome
    names its district in brackets (``reputation[Kallio]``).
    """
    return variable if scope == "city" else f"{variable}[{district}]"


def sweep_table(out: str | Path, when: int | None = None, tidy: bool = False) -> pd.DataFrame:
    """Read a sweep folder as one table of inputs and outcomes, ready to analyse or plot.

    Args:
        out: The sweep folder.
        when: The year (yearly summary) or month (kept months) to keep; default the last.
            With ``tidy``, ``None`` keeps every year or month.
        tidy: Return one row per run and kept value instead of one row per run.

    Returns:
        Wide (default): one row per run of the design (index ``run_id``): ``point``,
        ``replicate``, ``seed``, the inputs, ``status`` (ok | failed | missing), then one column
        per outcome named by :func:`outcome_column` (``participation_rate``,
        ``reputation[Kallio]``), NaN for runs that did not finish.
        Tidy: the finished runs' values in long format, one row per run and kept value: the run's
        columns above, then ``scope``, ``district``, ``variable``, ``year`` (or ``month``) and
        ``value``.
    """
    out = Path(out)
    inputs, outcomes = load_sweep(out)
    key = "year" if "year" in outcomes.columns else "month"
    kept = sorted(int(v) for v in outcomes[key].unique())
    if when is None and not tidy:
        when = kept[-1] if kept else None
    if when is not None:
        if when not in kept:
            raise ScenarioError(str(out), key, str(when), f"one of the kept {key}s ({_span(kept)})")
        outcomes = outcomes[outcomes[key] == when]
    if tidy:
        long = outcomes.drop(columns=[c for c in ("stat",) if c in outcomes])
        return long.join(inputs, on="run_id")[[*inputs.columns, *long.columns]].set_index("run_id")
    names = [
        outcome_column(str(s), str(d), str(v))
        for s, d, v in zip(
            outcomes["scope"], outcomes["district"], outcomes["variable"], strict=True
        )
    ]
    wide = (
        outcomes.assign(column=names)
        .pivot(index="run_id", columns="column", values="value")
        .reindex(columns=list(dict.fromkeys(names)))
    )
    wide.columns.name = None
    return inputs.join(wide)


def _span(values: list[int]) -> str:
    """Return ``1-20`` for consecutive values, else the list (``none`` when empty)."""
    if not values:
        return "none"
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}" if len(values) > 1 else str(values[0])
    return ", ".join(map(str, values))


__all__ = [
    "YEARLY_COLUMNS",
    "ClusterError",
    "DaskExecutor",
    "RunRecord",
    "RunTask",
    "SweepProgress",
    "SweepResult",
    "dask_executor",
    "load_failures",
    "load_sweep",
    "local_executor",
    "outcome_column",
    "run_experiment",
    "run_task",
    "summarise",
    "sweep_table",
]
