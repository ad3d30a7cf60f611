"""Executors: run many independent tasks on local processes or on a Dask cluster.

Comparisons (:func:`districtsim.compare.compare_scenarios`) and sweeps
(:func:`districtsim.sweep.run_experiment`) hand their runs to an executor.
Executors are interchangeable context managers (as EMA Workbench's
evaluators): :class:`LocalExecutor` runs in this process (one worker) or on
a ``spawn`` process pool, :class:`DaskExecutor` on a running Dask cluster.
Each offers one method, :meth:`Executor.execute`::

    with LocalExecutor(workers=2) as executor:  # or DaskExecutor("tcp://HOST:PORT")
        executor.execute(run_one, tasks, sink)

``run_one`` is a module-level (picklable) function of one task; ``sink`` is
called in the calling process with each result as soon as it finishes, in
the order they finish. A task carries everything its run depends on (its
inputs and its seed, :func:`districtsim.rng.replicate_seed`), so results
never depend on the executor, the number of workers or the order of
completion.

**Backpressure.** Tasks are taken from the iterable lazily, at most four per
worker (or thread of the cluster) in flight, so a sweep of 100,000 runs
does not create 100,000 futures.

**Errors.** An exception raised by ``run_one`` is raised again in the
calling process (by every executor, with its type), after the results
already finished are handed to the sink; the tasks not started are dropped.
A sweep's task function never raises (a failing run is a record); a
comparison's may (e.g. a scenario too small to run). An error of the Dask
cluster itself (a worker killed repeatedly, a lost scheduler, districtsim
not importable on a worker) is a one-line :class:`ClusterError`.

**Ctrl-C.** Local worker processes ignore SIGINT (:func:`ignore_sigint`):
the runs in progress finish and are handed to the sink, queued ones are
dropped, then ``KeyboardInterrupt`` is raised again. On Dask the finished
runs are handed over and the rest are cancelled (runs in progress on the
cluster are not waited for). In this process (one worker) the run in
progress is lost.

**Dask.** :class:`DaskExecutor` connects a ``distributed.Client`` at once
(a wrong address is a :class:`ClusterError` before anything runs) and
submits each task with ``pure=False`` under a key unique to the task and
the session (``<task name>-<token>``): two tasks that look identical (two
arms of the same scenario, two design points whose inputs do not matter,
which share seeds under common random numbers) are both computed, and
nothing is shared with other clients. Used in a ``with`` block it stays
connected until the block ends; otherwise it closes its client after one
:meth:`~Executor.execute` (as the sweeps' executor always did).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import signal
import socket
import time
import traceback
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Self

from districtsim import kernels

IN_FLIGHT_PER_WORKER = 4
"""Tasks submitted but not finished, per local worker or cluster thread."""

DASK_CONNECT_SECONDS = 5.0
"""How long :class:`DaskExecutor` waits for the scheduler."""

DASK_CAPACITY_SECONDS = 5.0
"""How often :class:`DaskExecutor` asks the cluster for its threads (workers may join or leave)."""


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached, or failed outside a task (a one-line message)."""


class WorkerLost(ClusterError):
    """A local worker process died outside a task's own code.

    Killed by the system, for example for lack of memory: the pool cannot go on. Handled as a
    failed cluster: the finished runs are kept, and rerunning the command runs only what is
    missing.
    """


def ignore_sigint() -> None:
    """Worker initializer: leave Ctrl-C to the parent, which lets running tasks finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Executor(ABC):
    """Runs a function over tasks and hands each result to a sink as it finishes.

    A context manager: ``with`` closes its resources (processes, connections). A new backend
    implements :meth:`describe` and ``_run`` (the work of :meth:`execute`).
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 (a no-op unless the executor holds resources)
        """Release the executor's resources (idempotent)."""

    @abstractmethod
    def describe(self) -> str:
        """Return a short description for messages and metadata, e.g. ``2 local processes``."""

    def execute[T, R](
        self,
        fn: Callable[[T], R],
        tasks: Iterable[T],
        sink: Callable[[R], None],
        name: Callable[[T], str] | None = None,
    ) -> None:
        """Call ``fn`` on every task and ``sink`` on each result as it finishes.

        Args:
            fn: A module-level (picklable) function of one task.
            tasks: The tasks (picklable), taken lazily.
            sink: Called in the calling process with each result.
            name: A task's name, for the cluster's task keys and messages
                (default: the function's name and the task's position).

        Raises:
            Exception: What ``fn`` raised, after the finished results are handed over.
            KeyboardInterrupt: After the finished results are handed over.
            ClusterError: The Dask cluster failed outside a task.
        """
        self._run(_Job(fn, tasks, sink, name))

    @abstractmethod
    def _run(self, job: _Job[Any, Any]) -> None:
        """Run every task of ``job`` (what each executor implements; see :meth:`execute`)."""


@dataclass(frozen=True)
class _Job[T, R]:
    """The arguments of one :meth:`Executor.execute` call."""

    fn: Callable[[T], R]
    tasks: Iterable[T]
    sink: Callable[[R], None]
    name: Callable[[T], str] | None = None


class LocalExecutor(Executor):
    """Runs tasks in this process (one worker) or on ``workers`` ``spawn`` processes.

    A process pool is started by :meth:`execute` and shut down when it ends
    (``spawn``: a clean interpreter per worker; forking a multi-threaded
    process is unsafe).

    Args:
        workers: Worker processes (1 = in this process).

    Raises:
        ValueError: If ``workers`` is below 1.
    """

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = int(workers)

    def describe(self) -> str:
        """Return ``in this process`` or ``N local processes``."""
        return "in this process" if self.workers == 1 else f"{self.workers} local processes"

    def _run(self, job: _Job[Any, Any]) -> None:
        """Run every task here or on a process pool (see :meth:`Executor.execute`)."""
        fn, tasks, sink = job.fn, job.tasks, job.sink
        if self.workers == 1:
            for task in tasks:
                result = fn(task)
                collect_finished_run(worker=False)
                sink(result)
            return
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=ignore_sigint,
        )
        inflight: set[Future[tuple[bool, Any]]] = set()
        it: Iterator[Any] = iter(tasks)

        def fill() -> None:
            for task in it:
                inflight.add(pool.submit(call_guarded, fn, task))
                if len(inflight) >= IN_FLIGHT_PER_WORKER * self.workers:
                    return

        try:
            fill()
            while inflight:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=_failed):  # results first, then a task's error
                    inflight.discard(fut)  # before the sink: a result is handed over once
                    sink(unwrap(*fut.result(), "in a worker process"))  # a crashed worker raises
                fill()
        except BaseException as exc:
            # Interrupted or failed: runs in progress finish and are handed over; queued ones
            # are dropped.
            pool.shutdown(wait=True, cancel_futures=True)
            for fut in inflight:
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    ok, value = fut.result()
                    if ok:
                        sink(value)
            if isinstance(exc, BrokenProcessPool):
                raise WorkerLost(
                    "a worker process died (killed by the system, for example for lack of "
                    "memory: check with dmesg or free -m; fewer --workers or a smaller --scale "
                    "need less)"
                ) from None
            raise
        pool.shutdown(wait=True)


def _failed(fut: Future[tuple[bool, Any]]) -> bool:
    return fut.exception() is not None or not fut.result()[0]


def one_line(exc: BaseException) -> str:
    """Return ``Type: message`` of an exception on one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def call_guarded[T, R](fn: Callable[[T], R], task: T) -> tuple[bool, Any]:
    """Call ``fn(task)`` in a worker: ``(True, result)`` or ``(False, (exception, traceback))``.

    So the calling process tells an exception of the task (raised again with
    its type, :func:`unwrap`) from a failure of the pool or the cluster. An
    exception that does not survive pickling becomes a ``RuntimeError`` with its text.
    The kernels use one thread here: the workers already use every core
    (:func:`districtsim.kernels.set_threads`).
    """
    if kernels.threads() != 1:
        kernels.set_threads(1)
    try:
        return True, fn(task)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            exc = RuntimeError(one_line(exc))
        return False, (exc, traceback.format_exc())
    finally:
        collect_finished_run(worker=True)


_frozen = False


def collect_finished_run(worker: bool) -> None:
    """Free the finished run's model now: collect its reference cycles.

    A model and its agents refer to each other, so a finished model is freed only by
    Python's cyclic garbage collector, which runs by allocation counts: in a process that
    runs many models (a sweep or comparison worker) dead models piled up, about 3 MB a run
    at scale 0.05 (a 1,000-run sweep's worker reached 900 MB). In a worker process the first
    call also freezes what exists by then (the imported modules; :func:`gc.freeze`), so
    each later collection looks only at what the runs created (about 10 ms a run instead
    of about 60). In the calling process (``worker=False``: one local worker, the tasks
    run here) nothing is frozen, as the process may be a user's.
    """
    global _frozen
    gc.collect()
    if worker and not _frozen:
        gc.freeze()
        _frozen = True


def unwrap(ok: bool, value: Any, where: str) -> Any:
    """Return a :func:`call_guarded` result, or raise the task's exception (noting ``where``)."""
    if ok:
        return value
    error, text = value
    error.add_note(f"raised {where}:\n{text}")
    raise error


class DaskExecutor(Executor):
    """Runs tasks on the Dask cluster whose scheduler listens at ``address``.

    Connects at once, so a wrong address fails before anything runs. The
    workers need the same districtsim (and dependencies) installed, and
    whatever files the tasks read (a sweep's scenario files) at the same paths.

    Args:
        address: The scheduler's address, ``tcp://HOST:PORT``, as ``dask scheduler``
            prints it (or ``SLURMCluster(...).scheduler_address``).
        timeout: Seconds to wait for the scheduler.

    Raises:
        ClusterError: The address is malformed or no scheduler answers there.
    """

    def __init__(self, address: str, timeout: float = DASK_CONNECT_SECONDS) -> None:
        from distributed import Client

        self.address = address
        self._managed = False
        host_port = _parse_tcp(address)
        if host_port is not None:
            # Refuse quickly when nothing listens there (the client would retry until the timeout).
            try:
                socket.create_connection(host_port, timeout=timeout).close()
            except OSError as exc:
                raise ClusterError(
                    f"cannot connect to a Dask scheduler at {address} ({one_line(exc)}); "
                    "start one there (`dask scheduler --host HOST --port PORT`) "
                    "or check the address"
                ) from None
        problem = None
        try:
            self.client = Client(address, timeout=f"{timeout}s", set_as_default=False)
        except ValueError as exc:  # e.g. an unknown scheme
            problem = _not_an_address(address, exc)
        except (OSError, TimeoutError) as exc:
            problem = (
                f"cannot connect to a Dask scheduler at {address} ({one_line(exc)}); "
                "check that a scheduler (`dask scheduler`) listens there"
            )
        if problem is not None:
            # The half-started client sits in a reference cycle: close it now, while its event
            # loop runs (at exit it would hang).
            gc.collect()
            raise ClusterError(problem)

    def __enter__(self) -> Self:
        self._managed = True
        return self

    def describe(self) -> str:
        """Return ``the Dask cluster at ADDRESS``."""
        return f"the Dask cluster at {self.address}"

    def close(self) -> None:
        """Close the client (idempotent); the cluster keeps running."""
        if self.client.status not in ("closed", "closing"):
            self.client.close(timeout=f"{DASK_CONNECT_SECONDS}s")

    def _capacity(self) -> int:
        try:
            threads = sum(self.client.nthreads().values())
        except Exception:  # a lost scheduler shows up as a cancelled future next
            threads = 0
        return max(2 * IN_FLIGHT_PER_WORKER, IN_FLIGHT_PER_WORKER * threads)

    def _result(self, fut: Any, label: str) -> Any:
        """Return a finished task's result; raise what the task raised, or a ClusterError."""
        try:
            ok, value = fut.result()
        except CancelledError as exc:  # by the client when it lost the scheduler, or on the cluster
            reason = getattr(exc, "reason", None) or "no reason given"
            raise ClusterError(
                f"the Dask cluster at {self.address} cancelled {label} ({reason})"
            ) from None
        except Exception as exc:  # not the task (it is guarded): the cluster
            raise ClusterError(
                f"the Dask cluster at {self.address} failed on {label}: {one_line(exc)[:300]}"
            ) from None
        fut.release()
        return unwrap(ok, value, f"on {self.describe()}")

    def _run(self, job: _Job[Any, Any]) -> None:
        """Run every task on the cluster (see :meth:`Executor.execute`)."""
        from distributed import as_completed

        fn, sink, name = job.fn, job.sink, job.name
        client = self.client
        token = uuid.uuid4().hex[:8]
        pending: dict[Any, str] = {}  # future -> task name
        done = as_completed(loop=client.loop)
        state = {"capacity": self._capacity(), "checked": time.monotonic(), "i": 0}
        it: Iterator[Any] = iter(job.tasks)

        def fill() -> None:
            if time.monotonic() - state["checked"] > DASK_CAPACITY_SECONDS:
                state["capacity"], state["checked"] = self._capacity(), time.monotonic()
            while len(pending) < state["capacity"]:
                task = next(it, None)
                if task is None:
                    return
                label = name(task) if name else f"{fn.__name__}-{state['i']}"
                state["i"] += 1
                fut = client.submit(call_guarded, fn, task, key=f"{label}-{token}", pure=False)
                pending[fut] = label
                done.add(fut)

        try:
            fill()
            while pending:
                ready = done.next_batch(block=False)
                if not ready:  # nothing finished: look again soon, submit more if workers joined
                    time.sleep(0.05)
                    fill()
                    continue
                for fut in ready:
                    sink(self._result(fut, pending.pop(fut)))
                fill()
        except BaseException:
            # Interrupted or failed: hand over what finished, cancel the rest.
            finished = [f for f in pending if f.status == "finished"]
            client.cancel([f for f in pending if f.status != "finished"])
            for fut in finished:
                try:
                    ok, value = fut.result(timeout=DASK_CONNECT_SECONDS)
                except Exception:  # lost with the connection: it runs again on resume
                    continue
                if ok:
                    sink(value)
            raise
        finally:
            if not self._managed:
                self.close()


def _parse_tcp(address: str) -> tuple[str, int] | None:
    """Return (host, port) of a ``tcp://`` address, None for other schemes; ClusterError if bad."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, loc = parse_address(address)
        return parse_host_port(loc) if scheme == "tcp" else None
    except (ValueError, TypeError) as exc:
        raise ClusterError(_not_an_address(address, exc)) from None


def _not_an_address(address: str, exc: BaseException) -> str:
    return (
        f"{address!r} is not a scheduler address ({one_line(exc)}); "
        "expected tcp://HOST:PORT, as printed by `dask scheduler`"
    )


def local_executor(workers: int = 1) -> LocalExecutor:
    """Return a :class:`LocalExecutor` with ``workers`` processes (1 = in this process)."""
    return LocalExecutor(workers)


def dask_executor(address: str, timeout: float = DASK_CONNECT_SECONDS) -> DaskExecutor:
    """Return a :class:`DaskExecutor` connected to the scheduler at ``address``.

    Use it as ``with dask_executor(address) as executor: ...`` so the client
    is closed also when nothing runs (e.g. a changed experiment is refused).

    Raises:
        ClusterError: The address is malformed or no scheduler answers there.
    """
    return DaskExecutor(address, timeout)


def make_executor(workers: int = 1, scheduler: str | None = None) -> Executor:
    """Return a :class:`DaskExecutor` for ``scheduler`` if given, else a :class:`LocalExecutor`.

    Raises:
        ClusterError: No scheduler answers at ``scheduler``.
        ValueError: If ``workers`` is below 1.
    """
    return DaskExecutor(scheduler) if scheduler is not None else LocalExecutor(workers)


__all__ = [
    "ClusterError",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "call_guarded",
    "dask_executor",
    "ignore_sigint",
    "local_executor",
    "make_executor",
    "one_line",
    "unwrap",
]
