"""Benchmark the dashboard: how long after a Step click the page shows the next month, and why.

The benchmark also measures where the time goes.

Three measurements per scenario (default ``helsinki`` at its own scale 0.1,
about 70,000 simulated residents, and ``two_districts``), each repeat with a
fresh server process and a fresh browser:

1. **In a real browser.** ``districtsim dashboard SCENARIO --port FREE`` (the
   venv's ``districtsim`` next to ``sys.executable``) runs as a child process
   in its own session; once it answers HTTP 200 another child process (this
   script with a hidden ``--child browser`` option, so that a Ctrl+C never
   lands inside playwright) opens the page in headless Chromium
   (``/usr/bin/chromium``, flags as tests/test_browser.py, viewport
   1600x1200, software rendering: ``--disable-gpu``), the five plotly
   charts are awaited, and then the script waits until no chart has redrawn
   for ``--quiet-ms`` (the page fires a few resize events after it appears).
   Then Step is clicked ``--steps`` times. Each click is timed inside the page
   with ``performance.now()``: one ``page.evaluate`` installs the listeners,
   calls ``button.click()`` on the Step button and returns a Promise that
   resolves once the update is over, so playwright's round trips are not in
   the figures. Per click:

   - ``status_ms``: click until the status line (``.districtsim-status``)
     shows the next month, seen by a ``MutationObserver`` on the document body
     (childList and characterData; the check reads ``textContent``, which
     forces no layout);
   - ``charts_ms``: click until the last chart redraw of the update. Redraws
     are detected with plotly's ``plotly_afterplot`` event (``gd.on`` on each
     ``.js-plotly-plot`` graph div; removed again after the click). A chart
     can fire it more than once per update (plotly's FigureWidget sends a
     relayout, an addTraces and a deleteTraces when traces are replaced): its
     last one counts. The
     update is over when the status shows the next month and no chart has
     redrawn for ``--quiet-ms`` (not counted in the figures). A month that
     does not show within ``--timeout`` (a lost update), like a page that
     does not come up, fails the repeat: recorded with the server's log, it
     ends that repeat, and the goal is then not met. A
     repeat whose server was killed by a signal from another program (on a
     shared machine) is recorded and run again, at most twice.
   - ``page_ms``: the larger of the two, i.e. the page fully updated (status,
     tables and every chart that changed). Both events are DOM updates; the
     paint follows within a frame.

   A chart whose figure did not change sends nothing and is not redrawn:
   ``charts_redrawn`` counts the charts that fired per click (the evaluation
   criteria chart stays empty, and is not redrawn, until the first program
   year ends after month 11). The model's own step time is read from the page
   (``last step took N ms`` next to the status). The peak memory of the server
   process is its ``ru_maxrss`` from ``os.wait4`` after SIGINT (as
   ``bench_run.py``'s ``time_child``). Browser console errors and the
   tracebacks in the server's output are counted.

2. **Server side without a browser**, in a fresh child process (this script
   with a hidden ``--child render`` option): the same page in Solara's test
   rendering (``solara.render(solara.AppLayout(children=[app.Page()]))``)
   and ``--steps`` clicks of its Step button (``widget.click()`` runs the
   model's step and the re-render of every view, synchronously); each click
   is timed with ``time.perf_counter``.

3. **The model alone**, in another fresh child process (``--child model``):
   ``DashboardModel(SCENARIO)`` and ``--steps`` calls of ``step()``.

Every child runs in its own session and is stopped (its whole process
group) on an error, Ctrl+C or SIGTERM: the server with SIGINT, as a user
would, the others with SIGTERM, then SIGKILL.

So a month's page update splits into the model's step (3), the Python views
and widget updates (2 minus 3) and the browser: transfer, plotly drawing and
DOM updates (1 minus 2).

Medians (and 90th percentiles, maxima) per repeat and over all clicks of all
repeats, and the machine (CPU count, load average, Python, platform, date,
git commit) go to ``results/dashboard_benchmark.json`` and ``.csv`` next to
this file, and a small table is printed.

After the Step clicks each browser repeat presses Reset and then Play, and times the
whole run (``play_s``: Play until the status shows the last month, polled every 50 ms) at
the dashboard's default *Play Interval* and *Render Interval*.

Goals: at the default scale (helsinki, scale 0.1) the page is updated within
1 s of a Step click (median over clicks), and the 90th percentile is under
1 s too; playing the whole 20 years takes under 30 s (issue 17).

Usage::

    # helsinki and two_districts, 30 steps, 3 repeats
    .venv/bin/python experiments/benchmarks/bench_dashboard.py
    .venv/bin/python experiments/benchmarks/bench_dashboard.py \\
        --scenarios two_districts --steps 5 --repeats 1
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # leave no __pycache__ next to the scripts
sys.path.insert(0, str(HERE))
from bench_run import RESULTS, _maxrss_mb, machine_info  # noqa: E402 (the sibling script)

CHROMIUM = Path(os.environ.get("DISTRICTSIM_CHROMIUM", "/usr/bin/chromium"))
# As tests/test_browser.py: a closed network (no background connections), running as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GOAL_SCENARIO = "helsinki"
GOAL_MS = 1000.0
N_CHARTS = 5
MAX_RETRIES = 2  # per repeat, when the server was killed by a signal from another program
STEP_MS = re.compile(r"last step took (\d+) ms")

# Wait (in the page) until no chart has fired plotly_afterplot for quietMs; resolves with the
# time waited.
SETTLE_JS = (
    "async ({quietMs, timeoutMs}) => {\n"
    "  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));\n"
    "  let last = performance.now();\n"
    "  const t0 = last;\n"
    "  const h = () => { last = performance.now(); };\n"
    "  plots.forEach((gd) => gd.on('plotly_afterplot', h));\n"
    "  await new Promise((resolve) => { const tick = () => { const now = performance.now(); if "
    "(now - last >= quietMs || now - t0 > timeoutMs) resolve(); else setTimeout(tick, 25); }; "
    "tick(); });\n"
    "  plots.forEach((gd) => gd.removeListener('plotly_afterplot', h));\n"
    "  return performance.now() - t0;\n"
    "}"
)

# Click Step and time the update inside the page (see the module docstring).
CLICK_JS = (
    "async ({button, month, quietMs, timeoutMs}) => {\n"
    "  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));\n"
    "  const last = plots.map(() => null);\n"
    "  const count = plots.map(() => 0);\n"
    "  const handlers = plots.map((gd, i) => { const h = () => { last[i] = performance.now(); "
    "count[i] += 1; }; gd.on('plotly_afterplot', h); return h; });\n"
    "  const want = ` ${month} of `;\n"
    "  const statusText = () => { const el = document.querySelector('.districtsim-status'); return "
    "el ? el.textContent : ''; };\n"
    "  let statusAt = null;\n"
    "  const obs = new MutationObserver(() => { if (statusAt === null && "
    "statusText().includes(want)) statusAt = performance.now(); });\n"
    "  obs.observe(document.body, {subtree: true, childList: true, characterData: true});\n"
    "  const connected = button.isConnected;\n"
    "  const disabled = button.disabled;\n"
    "  const t0 = performance.now();\n"
    "  button.click();\n"
    "  let timedOut = false;\n"
    "  await new Promise((resolve) => {\n"
    "    const tick = () => {\n"
    "      const now = performance.now();\n"
    "      const lastDraw = Math.max(t0, ...last.filter((x) => x !== null));\n"
    "      if (statusAt !== null && now - Math.max(statusAt, lastDraw) >= quietMs) resolve();\n"
    "      else if (now - t0 > timeoutMs) { timedOut = true; resolve(); }\n"
    "      else setTimeout(tick, 20);\n"
    "    };\n"
    "    tick();\n"
    "  });\n"
    "  obs.disconnect();\n"
    "  plots.forEach((gd, i) => gd.removeListener('plotly_afterplot', handlers[i]));\n"
    "  const el = document.querySelector('.districtsim-status');\n"
    "  return {\n"
    "    status_ms: statusAt === null ? null : statusAt - t0,\n"
    "    chart_ms: last.map((x) => (x === null ? null : x - t0)),\n"
    "    afterplot_events: count,\n"
    "    titles: plots.map((gd) => ((gd.layout && gd.layout.title && gd.layout.title.text) || "
    "'').split('<')[0].slice(0, 40)),\n"
    "    status: statusText(),\n"
    "    status_line: el && el.parentElement ? el.parentElement.textContent : '',\n"
    "    timed_out: timedOut,\n"
    "    button_connected: connected,\n"
    "    button_disabled: disabled,\n"
    "  };\n"
    "}"
)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) of ``values``.

    It interpolates linearly between order statistics.
    """
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def stats(values: list[float | None]) -> dict[str, float | None]:
    """Return the median, 90th percentile and maximum of the values that are not None.

    They are rounded to 0.01.
    """
    xs = [float(v) for v in values if v is not None]
    if not xs:
        return {"median": None, "p90": None, "max": None}
    return {
        "median": round(statistics.median(xs), 2),
        "p90": round(pct(xs, 90), 2),
        "max": round(max(xs), 2),
    }


def stop_child(
    proc: subprocess.Popen, sig: int = signal.SIGINT, grace_s: float = 20.0
) -> tuple[int, os.struct_rusage | None]:
    """Stop ``proc`` and its process group with ``sig``; reap it with ``os.wait4``.

    ``proc`` is the leader of its own session; SIGKILL follows after
    ``grace_s``. Returns its exit status and resource usage (None if it had been reaped already).
    """
    if proc.returncode is not None:
        return proc.returncode, None
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace_s
    # Wait for it to exit without reaping it (WNOWAIT): while it is a zombie its pid, and so its
    # group id, cannot be reused.
    while (
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    with contextlib.suppress(
        ProcessLookupError
    ):  # after the grace time, or anything it left in its group
        os.killpg(proc.pid, signal.SIGKILL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    return proc.returncode, usage


def start_server(scenario: str, port: int, log: Path) -> subprocess.Popen:
    """Start ``districtsim dashboard SCENARIO --port PORT`` in its own session.

    A Ctrl+C here reaches it only through :func:`stop_child`.
    """
    exe = Path(sys.executable).with_name("districtsim")
    with log.open("wb") as fh:
        return subprocess.Popen(
            [str(exe), "dashboard", scenario, "--port", str(port)],
            cwd=log.parent,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 120.0) -> float:
    """Wait until ``url`` answers 200; return the seconds waited.

    Raise with the server's log if it exits or times out.
    """
    start = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - start > timeout_s:
            raise RuntimeError(
                f"the dashboard server did not come up at {url} (exit "
                f"{proc.poll()}):\n{log.read_text(errors='replace')[-2000:]}"
            )
        time.sleep(0.2)


def browser_repeat(scenario: str, steps: int, quiet_ms: int, timeout_s: float) -> dict[str, object]:
    """One repeat in the browser; return the timings and the server's peak memory.

    Each repeat has a fresh server (child process) and a fresh Chromium
    (driven from another child).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    out: dict[str, object] = {"scenario": scenario}
    with tempfile.TemporaryDirectory(prefix="districtsim-bench-dash-") as tmp:
        log = Path(tmp) / "server.log"
        t_spawn = time.perf_counter()
        proc = start_server(scenario, port, log)
        try:
            out["server_up_s"] = round(wait_http(url, proc, log, timeout_s), 2)
            try:
                out |= run_child(
                    "browser",
                    scenario,
                    steps,
                    ["--url", url, "--quiet-ms", str(quiet_ms), "--timeout", str(timeout_s)],
                )
                out["driver_peak_mb"] = out.pop("peak_mb")
            except RuntimeError as e:
                # The page did not come up, or the driver failed: recorded as a failure of this
                # repeat.
                out["failure"] = {"error": str(e)[-2000:]}
                out |= {"clicks": [], "console_errors": [], "n_console_errors": 0}
        finally:
            pid, status, usage = (
                os.wait4(proc.pid, os.WNOHANG) if proc.returncode is None else (0, 0, None)
            )
            if pid:  # it ended before being stopped: a crash, or a signal from another program
                proc.returncode = code = os.waitstatus_to_exitcode(status)
                out["server_ended_early"] = True
            else:
                code, usage = stop_child(proc)
            text = log.read_text(errors="replace")
            out["server_tracebacks"] = text.count("Traceback (most recent call last)")
            out["server_errors"] = sorted(
                set(re.findall(r"^(\w+(?:Error|Exception)\b.*)$", text, re.MULTILINE))
            )[:10]
            if "failure" in out or "clicks" not in out:
                out["server_log_tail"] = text[-4000:]
        out["server_exit"] = code
        out["server_wall_s"] = round(time.perf_counter() - t_spawn, 1)
        out["server_peak_mb"] = round(_maxrss_mb(usage.ru_maxrss), 1) if usage else None
        out["server_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1) if usage else None
    return out


def child_browser(url: str, steps: int, quiet_ms: int, timeout_s: float) -> dict[str, object]:
    """In this process: open ``url`` in headless Chromium, click Step ``steps`` times.

    Time each update in the page (ms).
    """
    from playwright.sync_api import sync_playwright

    out: dict[str, object] = {}
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            t_goto = time.perf_counter()
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= "
                f"{N_CHARTS}",
                timeout=timeout_s * 1000,
            )
            page.wait_for_selector(".districtsim-status", timeout=timeout_s * 1000)
            out["page_ready_s"] = round(time.perf_counter() - t_goto, 2)
            out["settle_ms"] = round(
                page.evaluate(
                    SETTLE_JS, {"quietMs": max(quiet_ms, 3000), "timeoutMs": timeout_s * 1000}
                ),
                0,
            )
            out["charts_on_page"] = page.locator(".js-plotly-plot").count()
            step = page.get_by_role("button", name="Step", exact=True)
            clicks = []
            for month in range(1, steps + 1):
                handle = step.element_handle(timeout=timeout_s * 1000)
                r = page.evaluate(
                    CLICK_JS,
                    {
                        "button": handle,
                        "month": month,
                        "quietMs": quiet_ms,
                        "timeoutMs": timeout_s * 1000,
                    },
                )
                if (
                    r["timed_out"] or r["status_ms"] is None
                ):  # a lost update: record it, end this repeat
                    out["failure"] = {
                        "month": month,
                        "waited_s": timeout_s,
                        "status": r["status"],
                        "button_connected": r["button_connected"],
                        "button_disabled": r["button_disabled"],
                        "afterplot_events": r["afterplot_events"],
                    }
                    break
                drawn = [x for x in r["chart_ms"] if x is not None]
                m = STEP_MS.search(r["status_line"])
                clicks.append(
                    {
                        "month": month,
                        "status_ms": round(r["status_ms"], 1),
                        "charts_ms": round(max(drawn), 1) if drawn else None,
                        "page_ms": round(max([r["status_ms"], *drawn]), 1),
                        "charts_redrawn": len(drawn),
                        "model_step_ms": int(m.group(1)) if m else None,
                        "chart_ms": [None if x is None else round(x, 1) for x in r["chart_ms"]],
                        "afterplot_events": r["afterplot_events"],
                    }
                )
            out["chart_titles"] = r["titles"]
            out["clicks"] = clicks
            if "failure" not in out:
                out |= play_whole_run(page, timeout_s)
        finally:
            browser.close()
    out["console_errors"] = errors[:20]
    out["n_console_errors"] = len(errors)
    return out


STATUS_JS = (
    "() => { const s = document.querySelector('.districtsim-status'); "
    "return s ? s.textContent : ''; }"
)


def play_whole_run(page: object, timeout_s: float) -> dict[str, object]:
    """Reset, then Play the whole horizon at the default settings; time it (s).

    The time runs from the click on Play until the status shows the last month (polled every
    50 ms), with the dashboard's default Play and Render Interval.
    """
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function(f"() => ({STATUS_JS})().includes(' 0 of ')", polling=50)
    horizon = int(re.search(r" 0 of (\d+) months", page.evaluate(STATUS_JS)).group(1))
    start = time.perf_counter()
    page.get_by_role("button", name="▶", exact=True).click()
    page.wait_for_function(
        f"() => ({STATUS_JS})().includes('{horizon} of {horizon} months')",
        polling=50,
        timeout=max(timeout_s, 600) * 1000,
    )
    return {"play_months": horizon, "play_s": round(time.perf_counter() - start, 2)}


def run_child(
    kind: str, scenario: str, steps: int, extra: list[str] | None = None
) -> dict[str, object]:
    """Run this script's ``--child KIND`` in a fresh process, in its own session.

    Return its JSON result and its peak memory.

    On an error or Ctrl+C here, the child's whole process group (for the
    browser: the playwright driver too; Chromium exits when its pipe closes)
    gets SIGTERM, then SIGKILL.
    """
    with tempfile.TemporaryDirectory(prefix="districtsim-bench-dash-") as tmp:
        res, err = Path(tmp) / "out.json", Path(tmp) / "stderr.txt"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            kind,
            "--scenarios",
            scenario,
            "--steps",
            str(steps),
            "--out",
            str(res),
            *(extra or []),
        ]
        with err.open("wb") as fh:
            proc = subprocess.Popen(
                cmd, cwd=tmp, stdout=subprocess.DEVNULL, stderr=fh, start_new_session=True
            )
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if proc.returncode is None:
                stop_child(proc, signal.SIGTERM, grace_s=5.0)
        if proc.returncode != 0:
            raise RuntimeError(
                f"bench_dashboard --child {kind} {scenario} exited with status "
                f"{proc.returncode}:\n{err.read_text(errors='replace')[-3000:]}"
            )
        out = json.loads(res.read_text(encoding="utf-8"))
    out["peak_mb"] = round(_maxrss_mb(usage.ru_maxrss), 1)
    return out


def child_render(scenario: str, steps: int) -> dict[str, object]:
    """In this process: render the page with Solara's test rendering; time ``steps`` Step clicks.

    The times are in ms.
    """
    import ipyvuetify as v
    import solara

    from districtsim.dashboard import app

    app.scenario_name.set(scenario)
    t = time.perf_counter()
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    first_render = time.perf_counter() - t
    step = rc.find(v.Btn, children=["Step"]).widget
    times, model_ms = [], []
    for _ in range(steps):
        t = time.perf_counter()
        step.click()
        times.append(round((time.perf_counter() - t) * 1000, 2))
        html = "\n".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)
        m = STEP_MS.search(html)
        model_ms.append(int(m.group(1)) if m else None)
    status = next((line for line in html.split("</p>") if "districtsim-status" in line), "")
    rc.close()
    return {
        "first_render_s": round(first_render, 2),
        "click_ms": times,
        "model_step_ms_on_page": model_ms,
        "status": re.sub("<[^>]+>", "", status),
    }


def child_model(scenario: str, steps: int) -> dict[str, object]:
    """In this process: ``DashboardModel(scenario)`` and ``steps`` calls of ``step()`` (ms)."""
    from districtsim.dashboard.model import DashboardModel

    t = time.perf_counter()
    model = DashboardModel(scenario)
    setup = time.perf_counter() - t
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        model.step()
        times.append(round((time.perf_counter() - t) * 1000, 2))
    return {
        "setup_s": round(setup, 2),
        "step_ms": times,
        "scale": model.scale,
        "places": int(model.residents.n),
    }


def summarise(
    scenario: str,
    browser: list[dict[str, object]],
    render: list[dict[str, object]],
    model: list[dict[str, object]],
) -> dict[str, object]:
    """Return one summary row for a scenario.

    The row has medians, 90th percentiles and maxima over all clicks of all
    repeats, and the split.
    """
    row: dict[str, object] = {"scenario": scenario, "repeats": len(browser) or len(render)}
    clicks = [c for rep in browser for c in rep["clicks"]]
    if clicks:
        row["clicks"] = len(clicks)
        for key in ("status_ms", "charts_ms", "page_ms"):
            s = stats([c[key] for c in clicks])
            row |= {
                f"{key[:-3]}_median_ms": s["median"],
                f"{key[:-3]}_p90_ms": s["p90"],
                f"{key[:-3]}_max_ms": s["max"],
            }
            row[f"{key[:-3]}_median_of_repeat_medians_ms"] = stats(
                [rep["stats"][key]["median"] for rep in browser]
            )["median"]
        all5 = [c["page_ms"] for c in clicks if c["charts_redrawn"] == N_CHARTS]
        row["clicks_all_charts_redrawn"] = len(all5)
        row["page_all_charts_median_ms"] = stats(all5)["median"]
        row["first_click_page_median_ms"] = stats(
            [rep["clicks"][0]["page_ms"] for rep in browser if rep["clicks"]]
        )["median"]
        row["browser_model_step_median_ms"] = stats([c["model_step_ms"] for c in clicks])["median"]
        row["server_peak_mb_median"] = stats([rep["server_peak_mb"] for rep in browser])["median"]
        row["server_up_s_median"] = stats([rep["server_up_s"] for rep in browser])["median"]
        row["page_ready_s_median"] = stats([rep.get("page_ready_s") for rep in browser])["median"]
        row["play_months"] = next((rep["play_months"] for rep in browser if "play_s" in rep), None)
        row["play_whole_run_median_s"] = stats([rep.get("play_s") for rep in browser])["median"]
        row["console_errors"] = sum(rep["n_console_errors"] for rep in browser)
        row["server_tracebacks"] = sum(rep["server_tracebacks"] for rep in browser)
        row["server_killed_from_outside"] = sum(len(rep["discarded_attempts"]) for rep in browser)
    if browser:
        row["failed_repeats"] = sum("failure" in rep for rep in browser)
    if render:
        s = stats([x for rep in render for x in rep["click_ms"]])
        row |= {
            "render_click_median_ms": s["median"],
            "render_click_p90_ms": s["p90"],
            "render_click_max_ms": s["max"],
        }
    if model:
        s = stats([x for rep in model for x in rep["step_ms"]])
        row |= {
            "model_step_median_ms": s["median"],
            "model_step_p90_ms": s["p90"],
            "model_step_max_ms": s["max"],
        }
    if clicks and render and model:
        row["split_model_ms"] = row["model_step_median_ms"]
        row["split_views_ms"] = round(
            row["render_click_median_ms"] - row["model_step_median_ms"], 1
        )
        row["split_browser_ms"] = round(row["page_median_ms"] - row["render_click_median_ms"], 1)
    return row


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios",
        default="helsinki,two_districts",
        help="comma-separated scenario names or files (default helsinki,two_districts)",
    )
    parser.add_argument(
        "--steps", type=int, default=30, help="Step clicks (months) per repeat (default 30)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="repeats per scenario, each with a fresh server and browser (default 3)",
    )
    parser.add_argument(
        "--quiet-ms",
        type=int,
        default=1000,
        help=(
            "an update is over when no chart has redrawn for this long after the status "
            "changed (default 1000; not counted)"
        ),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds to wait for the server, the page or one month (default 120)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="only the server-side parts (Solara test rendering and the model alone)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="results folder (default: results/ next to this file)",
    )
    parser.add_argument("--child", choices=("browser", "render", "model"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if args.repeats < 1 or args.steps < 1 or not scenarios:
        parser.error("need at least one repeat, one step and one scenario")

    if args.child:  # a fresh process for part 2 or 3: write its result to --out (a file)
        if args.child == "browser":
            result = child_browser(args.url, args.steps, args.quiet_ms, args.timeout)
        else:
            result = (
                child_render(scenarios[0], args.steps)
                if args.child == "render"
                else child_model(scenarios[0], args.steps)
            )
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return 0
    signal.signal(signal.SIGTERM, _terminated)  # a kill runs the clean-up too, as Ctrl+C does
    if not args.no_browser and not CHROMIUM.exists():
        parser.error(f"no chromium at {CHROMIUM} (set DISTRICTSIM_CHROMIUM, or use --no-browser)")

    info = machine_info()
    info["load_average_before"] = os.getloadavg()
    results: dict[str, dict[str, list]] = {}
    for scenario in scenarios:
        res = results[scenario] = {"browser": [], "render": [], "model": []}
        for i in range(args.repeats):
            if not args.no_browser:
                discarded = []
                while True:
                    rep = browser_repeat(scenario, args.steps, args.quiet_ms, args.timeout) | {
                        "repeat": i + 1
                    }
                    if not (
                        rep.get("server_ended_early")
                        and rep["server_exit"] < 0
                        and len(discarded) < MAX_RETRIES
                    ):
                        break
                    # Killed by a signal from elsewhere (not a property of the dashboard): recorded,
                    # and the repeat is run again.
                    print(
                        f"{scenario} browser {i + 1}/{args.repeats}: the server was killed "
                        f"from outside (exit {rep['server_exit']}) after "
                        f"{len(rep.get('clicks', []))} clicks; repeating",
                        file=sys.stderr,
                    )
                    discarded.append(rep)
                rep["discarded_attempts"] = discarded
                rep["stats"] = {
                    k: stats([c[k] for c in rep["clicks"]])
                    for k in ("status_ms", "charts_ms", "page_ms")
                }
                res["browser"].append(rep)
                s, mb = rep["stats"], rep["server_peak_mb"]
                page = (
                    f"page median {s['page_ms']['median']} ms, p90 {s['page_ms']['p90']}, max "
                    f"{s['page_ms']['max']}"
                )
                errs = (
                    f"{rep['n_console_errors']} console errors, {rep['server_tracebacks']} "
                    f"server tracebacks {rep['server_errors']}"
                )
                print(
                    f"{scenario} browser {i + 1}/{args.repeats}: {len(rep['clicks'])} "
                    f"clicks, {page}; status median {s['status_ms']['median']} ms; server "
                    f"{mb} MB; {errs}",
                    file=sys.stderr,
                )
                if "failure" in rep:
                    print(
                        f"{scenario} browser {i + 1}/{args.repeats}: FAILED "
                        f"{rep['failure']}; server log: "
                        f"{rep.get('server_log_tail', '')[-1500:]}",
                        file=sys.stderr,
                    )
            rend = run_child("render", scenario, args.steps) | {"repeat": i + 1}
            res["render"].append(rend)
            mod = run_child("model", scenario, args.steps) | {"repeat": i + 1}
            res["model"].append(mod)
            print(
                f"{scenario} server side {i + 1}/{args.repeats}: render click median "
                f"{statistics.median(rend['click_ms']):.0f} ms, model step median "
                f"{statistics.median(mod['step_ms']):.0f} ms",
                file=sys.stderr,
            )
    info["load_average_after"] = os.getloadavg()

    rows = [summarise(s, r["browser"], r["render"], r["model"]) for s, r in results.items()]
    goal: dict[str, object] = {
        "scenario": GOAL_SCENARIO,
        "page_median_ms_below": GOAL_MS,
        "page_p90_ms_below": GOAL_MS,
        "measure": (
            "click to page updated (status shows the next month and every chart that changed "
            "redrawn), in headless Chromium"
        ),
    }
    target = next(
        (r for r in rows if r["scenario"] == GOAL_SCENARIO and "page_median_ms" in r), None
    )
    if target is not None:
        goal["met"] = bool(
            target["page_median_ms"] < GOAL_MS
            and target["page_p90_ms"] < GOAL_MS
            and not target["failed_repeats"]
        )

    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": (
            "districtsim dashboard: Step click to page updated (browser), Solara render per "
            "click, model step"
        ),
        "steps": args.steps,
        "repeats": args.repeats,
        "quiet_ms": args.quiet_ms,
        "goal": goal,
        "machine": info,
        "summary": rows,
        "runs": results,
    }
    (args.out / "dashboard_benchmark.json").write_text(
        json.dumps(report, indent=2) + "\n", encoding="utf-8"
    )
    machine_cols = ("cpu_count", "python", "platform", "date", "git_commit")
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with (args.out / "dashboard_benchmark.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh,
            fieldnames=[
                *fields,
                "steps",
                *machine_cols,
                "load_average_before",
                "load_average_after",
            ],
        )
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    **r,
                    "steps": args.steps,
                    **{k: info[k] for k in machine_cols},
                    "load_average_before": " ".join(
                        f"{x:.2f}" for x in info["load_average_before"]
                    ),
                    "load_average_after": " ".join(f"{x:.2f}" for x in info["load_average_after"]),
                }
            )

    def fmt(r: dict[str, object], key: str) -> str:
        vals = [r.get(f"{key}_{s}_ms") for s in ("median", "p90", "max")]
        return "/".join("-" if x is None else f"{x:.0f}" for x in vals)

    print(
        f"{'scenario':<14} {'clicks':>6} {'status ms':>16} {'charts ms':>16} "
        f"{'page ms':>16} {'render ms':>14} {'model ms':>14} {'server MB':>9}"
    )
    print(f"{'':<14} {'':>6} {'(median/p90/max)':>16} {'':>16} {'':>16} {'':>14} {'':>14} {'':>9}")
    for r in rows:
        mb = r.get("server_peak_mb_median")
        print(
            f"{r['scenario']:<14} {r.get('clicks', 0):>6} {fmt(r, 'status'):>16} "
            f"{fmt(r, 'charts'):>16} {fmt(r, 'page'):>16} {fmt(r, 'render_click'):>14} "
            f"{fmt(r, 'model_step'):>14} {'-' if mb is None else f'{mb:.0f}':>9}"
        )
    for r in rows:
        if "split_model_ms" in r:
            split = (
                f"model {r['split_model_ms']:.0f} ms + views {r['split_views_ms']:.0f} ms + "
                f"browser {r['split_browser_ms']:.0f} ms"
            )
            print(
                f"{r['scenario']}: playing all {r.get('play_months')} months took "
                f"{r.get('play_whole_run_median_s')} s (median of the repeats)"
            )
            print(
                f"{r['scenario']}: median split: {split}; first click "
                f"{r['first_click_page_median_ms']} ms; {r['console_errors']} console "
                f"errors; {r['server_tracebacks']} server tracebacks; "
                f"{r['failed_repeats']} failed repeats"
            )
    print(
        f"{info['cpus_usable']} CPUs, Python {info['python']}, commit "
        f"{info['git_commit']}, load {info['load_average_before'][0]:.2f} -> "
        f"{info['load_average_after'][0]:.2f}"
    )
    if "met" in goal:
        print(
            f"goal ({GOAL_SCENARIO}: page updated < {GOAL_MS:.0f} ms after a Step click, "
            f"median and 90th percentile): {'met' if goal['met'] else 'NOT met'}"
        )
    print(
        f"results: {args.out / 'dashboard_benchmark.json'}, {args.out / 'dashboard_benchmark.csv'}"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (
        KeyboardInterrupt
    ):  # the finally blocks have stopped the server, the browser and any child
        print("bench_dashboard: interrupted; no results written", file=sys.stderr)
        sys.exit(130)
