"""Sweeps and comparisons on a Dask cluster (``--scheduler``, ``executors.DaskExecutor``).

The module starts a real cluster: one ``dask scheduler`` and one ``dask
worker`` (one process, one thread) as subprocesses of this interpreter,
everything bound to 127.0.0.1 (the scheduler, its dashboard, the worker and
the worker's HTTP server, which listens on all interfaces unless told
otherwise, even with ``--no-dashboard``). Ports are chosen by the operating
system (port 0); the worker finds the scheduler through ``--scheduler-file``,
so there is no race for a port. The processes are stopped at the end and
checked to be gone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from districtsim.cli import main
from districtsim.compare import compare_scenarios, load_comparison
from districtsim.errors import ScenarioError
from districtsim.experiment import load_experiment
from districtsim.scenario import load_scenario
from districtsim.sweep import ClusterError, dask_executor, load_failures, load_sweep, run_experiment

HOST = "127.0.0.1"

# Grid point (0.8, 0.5) breaks municipality_share + state_share <= 1 inside the worker: runs 6
# and 7 fail.
from test_compare import ONE_RESIDENT  # noqa: E402 (a scenario that fails when run)
from test_sweep import FAILING  # noqa: E402 (the same experiment as the local failure test)

TINY = ["--months", "12", "--scale", "0.01"]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DASK_TEMPORARY_DIRECTORY": str(log.parent),
    }  # scratch files and locks under the test's folder, not /tmp
    with open(log, "wb") as out:
        # Its own session: the worker's nanny and worker process can be stopped together (by this
        # group only).
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def _wait_for_file(
    path: Path, procs: list[subprocess.Popen], logs: list[Path], seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.stat().st_size):
        for proc, log in zip(procs, logs, strict=True):
            assert proc.poll() is None, f"{proc.args} exited:\n{log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, f"no {path} after {seconds} s"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Yield the address of a running scheduler with one registered worker.

    Stop both afterwards and check that no process is left.
    """
    from distributed import Client

    tmp = tmp_path_factory.mktemp("dask")
    info = tmp / "scheduler.json"
    logs = [tmp / "scheduler.log", tmp / "worker.log"]
    procs: list[subprocess.Popen] = []
    started: list[int] = []
    try:
        procs.append(
            _start(
                [
                    "scheduler",
                    "--host",
                    HOST,
                    "--port",
                    "0",
                    "--dashboard-address",
                    f"{HOST}:0",
                    "--scheduler-file",
                    str(info),
                ],
                logs[0],
            )
        )
        _wait_for_file(info, procs, logs[:1])
        address = json.loads(info.read_text(encoding="utf-8"))["address"]
        assert address.startswith(f"tcp://{HOST}:"), address
        worker = [
            "worker",
            "--scheduler-file",
            str(info),
            "--host",
            HOST,
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--dashboard-address",
            f"{HOST}:0",
            "--death-timeout",
            "60",
        ]
        procs.append(_start(worker, logs[1]))
        with Client(address, timeout="20s", set_as_default=False) as client:
            client.wait_for_workers(1, timeout=60)
            workers = client.scheduler_info()["workers"]
        assert len(workers) == 1 and all(w.startswith(f"tcp://{HOST}:") for w in workers), workers
        for proc in procs:
            started += [
                proc.pid,
                *(c.pid for c in psutil.Process(proc.pid).children(recursive=True)),
            ]
        listening = {
            c.laddr.ip
            for pid in started
            for c in psutil.Process(pid).net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN
        }
        assert listening == {HOST}, (
            listening
        )  # nothing the test started listens beyond this machine
        yield address
    finally:
        for proc in reversed(procs):  # the worker first, then the scheduler
            _stop(proc)
    left = [
        pid
        for pid in started
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert not left, f"processes left running: {left}"


def test_cli_sweep_on_the_cluster_equals_a_local_sweep(cluster, tmp_path, capsys):
    assert (
        main(
            [
                "sweep",
                "smoke",
                "--out",
                str(tmp_path / "dask"),
                "--scheduler",
                cluster,
                "--batch-runs",
                "3",
                "--quiet",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert f"on the Dask cluster at {cluster}" in err and "8 of 8 ok" in err, err
    local = run_experiment(load_experiment("smoke"), tmp_path / "local", workers=1)
    assert (local.n_ok, local.n_failed) == (8, 0)
    inputs, outcomes = load_sweep(tmp_path / "dask")
    assert list(inputs.index) == list(range(8)) and (inputs["status"] == "ok").all()
    for a, b in zip((inputs, outcomes), load_sweep(tmp_path / "local"), strict=True):
        pd.testing.assert_frame_equal(a, b)  # the same run ids, seeds, inputs and values, exactly
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask" / "experiments.parquet"),
        pd.read_parquet(tmp_path / "local" / "experiments.parquet"),
    )
    assert (
        len(list((tmp_path / "dask" / "runs").glob("part-*.parquet"))) >= 2
    )  # batched as it finished


def test_failed_runs_on_the_cluster_are_recorded_as_locally(cluster, tmp_path):
    path = tmp_path / "failing.toml"
    path.write_text(FAILING, encoding="utf-8")
    exp = load_experiment(str(path))
    with dask_executor(cluster) as executor:
        result = run_experiment(exp, tmp_path / "dask", executor=executor)
    assert (result.n_ok, result.n_failed, result.ran) == (6, 2, 8)
    assert executor.client.status == "closed"
    run_experiment(exp, tmp_path / "local", workers=1)
    for a, b in zip(load_sweep(tmp_path / "dask"), load_sweep(tmp_path / "local"), strict=True):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(
        load_failures(tmp_path / "dask").drop(columns="traceback"),
        load_failures(tmp_path / "local").drop(columns="traceback"),
    )


def test_cli_compare_on_the_cluster_equals_a_local_compare(cluster, tmp_path, capsys):
    out = tmp_path / "dask"
    argv = ["compare", "two_districts", "two_districts", "--replicates", "2", "--seed", "4"]
    assert main([*argv, *TINY, "--scheduler", cluster, "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"on the Dask cluster at {cluster}" in err, err
    dask = load_comparison(out)
    assert dask.meta["executor"] == f"the Dask cluster at {cluster}"
    base = load_scenario("two_districts", ["scenario.months=12", "scenario.scale=0.01"])
    local = compare_scenarios([base, base], 2, root_seed=4)
    pd.testing.assert_frame_equal(dask.replicates, local.replicates, check_exact=True)
    pd.testing.assert_frame_equal(dask.effects, local.effects, check_exact=True)
    # Two identical arms are two sets of tasks (not deduplicated): each run's tables are written.
    for arm in dask.arms:
        for r in (0, 1):
            assert (out / "runs" / arm / str(r) / "meta.json").is_file(), (arm, r)


def test_one_executor_serves_several_batches_and_raises_a_runs_error(cluster, tmp_path):
    base = load_scenario("two_districts", ["scenario.months=12", "scenario.scale=0.01"])
    paper = load_scenario(
        "two_districts",
        ["scenario.months=12", "scenario.scale=0.01", "communication.reach_paper=0.35"],
    )
    path = tmp_path / "one.toml"
    path.write_text(ONE_RESIDENT, encoding="utf-8")
    tiny = load_scenario(str(path))
    with dask_executor(cluster) as executor:
        on_dask = compare_scenarios([base, paper], 2, root_seed=9, executor=executor)
        with pytest.raises(ScenarioError, match="scenario.scale"):  # its own type, not a cluster
            compare_scenarios([tiny, tiny], 1, executor=executor)
        assert executor.client.status == "running", "expected the client open inside the block"
    assert executor.client.status == "closed"
    local = compare_scenarios([base, paper], 2, root_seed=9, workers=2)
    pd.testing.assert_frame_equal(on_dask.effects, local.effects, check_exact=True)


def test_cli_compare_with_a_bad_scheduler_or_with_workers_is_one_line(tmp_path, capsys):
    argv = ["compare", "two_districts", "two_districts", "--replicates", "1", *TINY]
    address = f"tcp://{HOST}:{_free_port()}"
    assert main([*argv, "--scheduler", address, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("districtsim: --scheduler: cannot connect"), err
    assert not (tmp_path / "out").exists()
    assert main([*argv, "--scheduler", address, "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--workers: not used with --scheduler" in err, err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("scheduler", "expected"),
    [
        ("unreachable", "cannot connect to a Dask scheduler at tcp://127.0.0.1:"),
        ("nonsense", "'nonsense' is not a scheduler address"),
        ("http://127.0.0.1:8786", "is not a scheduler address"),
    ],
)
def test_a_bad_scheduler_is_one_line_and_exit_2(tmp_path, capsys, scheduler, expected):
    address = (
        f"tcp://{HOST}:{_free_port()}" if scheduler == "unreachable" else scheduler
    )  # nothing listens on a port just freed
    assert (
        main(["sweep", "smoke", "--out", str(tmp_path / "out"), "--scheduler", address, "--quiet"])
        == 2
    )
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and err.startswith("districtsim: --scheduler: ") and expected in err
    ), err
    assert not (tmp_path / "out").exists()
    with pytest.raises(ClusterError, match="scheduler"):
        dask_executor(address, timeout=2)


def test_workers_and_scheduler_together_are_refused(tmp_path, capsys):
    assert (
        main(
            [
                "sweep",
                "smoke",
                "--out",
                str(tmp_path / "out"),
                "--scheduler",
                "tcp://127.0.0.1:8786",
                "--workers",
                "2",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--workers: not used with --scheduler" in err, err
