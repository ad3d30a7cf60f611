"""The HTML reports in a real headless Chromium.

They open offline, draw their charts, log no errors and request nothing.

Needs Debian's chromium (``make browser`` installs it, as root) and the
``playwright`` package (test extra), pointed at ``/usr/bin/chromium``: a
browser download by playwright itself fails on these machines. Without
chromium the tests are skipped, except in CI (``CI=true``), where a missing
browser is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from districtsim.analysis import analyze_sweep
from districtsim.compare import compare_scenarios
from districtsim.dashboard.model import model_params
from districtsim.experiment import experiment_from_dict
from districtsim.report import write_compare_report, write_run_report
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario
from districtsim.sweep import run_experiment
from helpers import tiny_experiment

CHROMIUM = Path(os.environ.get("DISTRICTSIM_CHROMIUM", "/usr/bin/chromium"))
# Flags for a closed network (no background connections) and running as root.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(
            f"the browser tests need Debian's chromium at {CHROMIUM}; .ci/run installs it "
            "with `make browser`"
        )
    pytest.skip(
        f"no chromium at {CHROMIUM} (sudo apt-get install chromium, or make browser as root)",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")


def open_in_chromium(path: Path) -> dict:
    """Open ``path`` in headless Chromium; return plots drawn, console errors, non-file requests."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
            page.wait_for_load_state("networkidle")
            plots = page.locator(".js-plotly-plot").count()
            drawn = page.evaluate(
                "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(p => p.querySelector('.main-svg') && p._fullData "
                "&& p._fullData.length > 0).length"
            )
            points = page.evaluate(
                "() => document.querySelectorAll('.js-plotly-plot .scatterlayer .trace, "
                ".js-plotly-plot .point').length"
            )
            title = page.title()
        finally:
            browser.close()
    return {
        "plots": plots,
        "drawn": drawn,
        "points": points,
        "errors": errors,
        "requests": [r for r in requests if not r.startswith("file:")],
        "title": title,
    }


def test_run_report_opens_offline_and_draws_its_charts(tmp_path: Path) -> None:
    result = run_scenario(
        load_scenario(
            "two_districts", ["scenario.months=24", "scenario.scale=0.02", "program.enabled=true"]
        ),
        seed=1,
    )
    path = write_run_report(result, tmp_path / "report.html")
    seen = open_in_chromium(path)
    assert seen["plots"] >= 3 and seen["drawn"] == seen["plots"], (
        f"expected every chart of the run report drawn (at least 3), got {seen}"
    )
    assert seen["points"] > 0, "expected traces with data in the charts"
    assert not seen["errors"], f"expected no console errors, got {seen['errors']}"
    assert not seen["requests"], (
        f"expected no network requests (the report is self-contained), got {seen['requests']}"
    )


def test_compare_report_opens_offline_and_draws_its_charts(tmp_path: Path) -> None:
    base = load_scenario("two_districts", ["scenario.months=24", "scenario.scale=0.02"])
    more = load_scenario(
        "two_districts",
        ["scenario.months=24", "scenario.scale=0.02", "communication.reach_paper=0.6"],
    )
    more = type(base)(**{**more.__dict__, "name": "stronger_paper"})
    comparison = compare_scenarios([base, more], replicates=3)
    path = write_compare_report(comparison, tmp_path / "report.html")
    seen = open_in_chromium(path)
    assert seen["plots"] >= 4 and seen["drawn"] == seen["plots"], (
        f"expected every chart of the comparison drawn (at least 4), got {seen}"
    )
    assert not seen["errors"], f"expected no console errors, got {seen['errors']}"
    assert not seen["requests"], f"expected no network requests, got {seen['requests']}"


SWEEP = tiny_experiment(
    "browser_lhs",
    {"method": "lhs", "n": 5, "seed": 3},
    ["participation_rate", "reputation"],
    root_seed=2,
)
"""A tiny Latin hypercube with city and district outcomes (1 + 2 x 2 = 5)."""


def analysis_report(tmp: Path) -> Path:
    """Run the tiny sweep into ``tmp`` and return its analysis report."""
    exp = experiment_from_dict(SWEEP, str(tmp / "browser.toml"), base_dir=tmp)
    run_experiment(exp, tmp / "sweep", workers=1)
    analyze_sweep(tmp / "sweep")
    return tmp / "sweep" / "analysis" / "report.html"


SHOWN = """() => ({
  outcome: document.body.getAttribute('data-outcome'),
  title: document.getElementById('outcome-title').textContent,
  count: document.getElementById('outcome-count').textContent,
  options: document.querySelectorAll('#outcome-select option').length,
  scatterY: Array.from(document.getElementById('fig-scatter').data[0].y),
  bars: document.getElementById('fig-indices').data[0].x.length,
  rows: document.querySelectorAll('#indices-table tbody tr').length,
})"""


def test_analysis_report_redraws_the_chosen_outcome(tmp_path: Path) -> None:
    """Open a sweep's analysis report; choose another outcome, then narrow the list by typing."""
    path = analysis_report(tmp_path)
    seen = open_in_chromium(path)
    assert seen["plots"] == 2 and seen["drawn"] == 2, f"expected indices and scatter: {seen}"
    assert not seen["errors"] and not seen["requests"], seen
    data = json.loads(
        re.search(r'id="analysis-data">(.*?)</script>', path.read_text(encoding="utf-8"))
        .group(1)
        .replace("<\\/", "</")
    )
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_selector("#fig-scatter .main-svg", timeout=30_000)
            first = page.evaluate(SHOWN)
            page.select_option("#outcome-select", "4")
            chosen = page.evaluate(SHOWN)
            page.fill("#outcome-filter", "traditional reputation")
            narrowed = page.evaluate(SHOWN)
        finally:
            browser.close()
    assert first["outcome"] == "0" and first["options"] == 5 == len(data["outcomes"]), first
    assert first["scatterY"] == data["outcomes"][0]["y"] and first["rows"] == 2, first
    assert chosen["outcome"] == "4" and chosen["scatterY"] == data["outcomes"][4]["y"], (
        f"expected the fifth outcome drawn after choosing it: {chosen}"
    )
    assert chosen["title"].startswith(data["outcomes"][4]["name"]), chosen
    assert narrowed["count"] == "1 of 5 outcomes" and narrowed["options"] == 1, narrowed
    assert narrowed["title"].startswith("reputation in Traditional"), narrowed
    assert not errors, errors


# ------------------------------------------------------------ layout at two widths

OVERLAPS = """() => {
  const sel = ['.updatemenu-container', '.gtitle', '.legend', '.annotation', '.g-xtitle',
               '.g-ytitle', '.cbtitle', '.colorbar'];
  const out = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const boxes = [];
    for (const s of sel) {
      for (const el of plot.querySelectorAll(s)) {
        const r = el.getBoundingClientRect();
        if (r.width > 1 && r.height > 1) boxes.push({s, r, el});
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        if (a.s === '.colorbar' && b.s === '.cbtitle' || a.s === '.cbtitle' && b.s === '.colorbar')
          continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 2 && h > 2)
          out.push(`${plot.id}: ${a.s} over ${b.s} (${w.toFixed(0)}x${h.toFixed(0)} px)`);
      }
    }
  }
  return out;
}"""


def layout_problems(path: Path, width: int) -> dict:
    """Open ``path`` at ``width`` px; return horizontal page overflow and overlapping text boxes."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            overlaps = page.evaluate(OVERLAPS)
        finally:
            browser.close()
    return {"overflow_px": overflow, "overlaps": overlaps}


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A run report of the default city, a compare report with a question and a sweep's analysis.

    Built once.
    """
    tmp = tmp_path_factory.mktemp("reports")
    run = run_scenario(
        load_scenario("helsinki", ["scenario.months=24", "scenario.scale=0.01"]), seed=1
    )
    base = load_scenario("two_districts", ["scenario.months=24", "scenario.scale=0.02"])
    (tmp / "cap.toml").write_text(
        '[scenario]\nbase = "two_districts"\nname = "cap"\nquestion = "Does a cap help?"\n'
        '[[interventions]]\ntype = "rent_cap"\ndistricts = ["Traditional"]\nstart_month = 0\n',
        encoding="utf-8",
    )
    cap = load_scenario(str(tmp / "cap.toml"), ["scenario.months=24", "scenario.scale=0.02"])
    return [
        write_run_report(run, tmp / "run.html"),
        write_compare_report(compare_scenarios([base, cap], replicates=2), tmp / "c.html"),
        analysis_report(tmp),
    ]


@pytest.mark.parametrize("width", [1366, 390])
def test_reports_fit_the_page_without_overlapping_text(
    report_pages: list[Path], width: int
) -> None:
    """Run and compare reports at a laptop's and a phone's width.

    No sideways page scroll (wide tables scroll inside their own box), no menu, title, legend or
    axis title over another.
    """
    for path in report_pages:
        seen = layout_problems(path, width)
        assert seen["overflow_px"] <= 0, f"{path.name} at {width} px scrolls sideways: {seen}"
        assert not seen["overlaps"], f"{path.name} at {width} px: {seen['overlaps']}"


# ------------------------------------------------------------ the dashboard


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_dashboard(scenario: str, log: Path):
    """Run ``districtsim dashboard SCENARIO`` on a free port of 127.0.0.1, as a user would.

    Yield its address; stop it (Ctrl+C) after. Its output goes to ``log``.
    """
    port = _free_port()
    exe = Path(sys.executable).with_name("districtsim")
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [str(exe), "dashboard", scenario, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    f"the dashboard server did not come up:\n{log.read_text(encoding='utf-8')}"
                )
                time.sleep(0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def dashboard_page(url: str, width: int = 1366, height: int = 900):
    """Open the dashboard at ``url`` in headless Chromium and wait for its charts.

    Yield the page and the list of its console errors (filled as they come).
    """
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5",
                timeout=60_000,
            )
            yield page, errors
        finally:
            browser.close()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory):
    """``districtsim dashboard two_districts``: yield its address and its output file."""
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with serve_dashboard("two_districts", log) as url:
        yield url, log


PLOT_DATA = (
    "(prefix) => { const gd = Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".find(p => p.layout.title && p.layout.title.text.startsWith(prefix));\n"
    "    return gd ? gd.data.map(t => ({name: t.name || '', n: (t.y || []).length, "
    "y: Array.from(t.y || []).slice(-1)[0] ?? null, "
    "colour: t.marker && t.marker.color && typeof t.marker.color !== 'string' "
    "? Array.from(t.marker.color) : null})) : null; }"
)


def test_dashboard_in_chromium_moves_a_slider_steps_and_redraws_without_errors(dashboard) -> None:
    """Open the app, move a slider, reset, step the model: the charts change.

    No console errors, no server errors; nothing fetched from outside.
    """
    dashboard_url, log = dashboard
    origin = dashboard_url.rstrip("/")
    assert (
        log.read_text(encoding="utf-8").splitlines()[0]
        == f"districtsim dashboard: two_districts at {dashboard_url} (Ctrl+C stops it)"
    )
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            errors: list[str] = []
            outside: list[str] = []
            failed: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if not r.url.startswith((origin, "blob:", "data:"))
                    else None
                ),
            )
            page.on(
                "response",
                lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(dashboard_url)
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5",
                timeout=60_000,
            )
            status = page.locator(".districtsim-status")
            assert status.inner_text().startswith(
                "two_districts: initial state, 0 of 240 months simulated"
            )
            map0 = page.evaluate(PLOT_DATA, "Districts by reputation")
            assert map0 and map0[-1]["colour"] and len(map0[-1]["colour"]) == 2, map0

            # Move a slider with the keyboard (as a user can), ten steps right, then Reset: the new
            # model runs with that value. The slider starts at the scenario's value and moves by
            # the step the control declares (both from the parameter declarations).
            control = model_params("two_districts")["mobilisation.b_social"]
            start = f"{control['value']:g}"
            moved = f"{round(control['value'] + 10 * control['step'], 9):g}"
            assert moved != start
            control = page.locator(".districtsim-control", has_text="mobilisation.b_social")
            slider = control.get_by_role("slider")
            assert slider.get_attribute("aria-valuenow") == start
            slider.focus()
            for _ in range(10):
                page.keyboard.press("ArrowRight")
            # The field beside the slider shows the value the server holds: Reset after that.
            expect = sync_api.expect
            expect(control.locator(".districtsim-value input")).to_have_value(moved)
            page.get_by_role("button", name="Reset", exact=True).click()
            value = page.locator("td", has_text="mobilisation.b_social").locator(
                "xpath=following-sibling::td[1]"
            )
            page.wait_for_function(
                "(v) => Array.from(document.querySelectorAll('td')).some(td => "
                "td.innerText === 'mobilisation.b_social' "
                "&& td.nextElementSibling.innerText === v)",
                arg=moved,
            )
            assert value.inner_text() == moved

            step = page.get_by_role("button", name="Step", exact=True)
            for month in (1, 2, 3):
                step.click()
                _wait_for_months(page, month)
            page.wait_for_function(
                "() => { const gd = Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".find(p => p.layout.title.text.startsWith('reputation')); "
                "return gd && gd.data.length > 0 && gd.data[0].y.length === 3; }"
            )
            series = page.evaluate(PLOT_DATA, "reputation")
            assert [t["n"] for t in series] == [3, 3], series
            map3 = page.evaluate(PLOT_DATA, "Districts by reputation")
            assert map3[-1]["colour"] != map0[-1]["colour"], "the map's colours follow the model"
            page.wait_for_timeout(500)
        finally:
            browser.close()
    assert not errors, f"expected no console errors, got {errors}"
    assert not outside, (
        f"expected every request to go to the dashboard's own server (no CDN), got {outside[:5]}"
    )
    assert not failed, f"expected no failed requests, got {failed[:5]}"
    server = log.read_text(encoding="utf-8")
    assert "Traceback" not in server and "Error" not in server, (
        f"expected no errors in the server's output, got:\n{server[-3000:]}"
    )


SLIDER_VALUES = """() => Array.from(document.querySelectorAll('[role=slider]')).map(s => {
    const box = s.closest('.districtsim-control');
    const field = box ? box.querySelector('.districtsim-value input') : null;
    const bubble = s.querySelector('.v-slider__thumb-label');
    const shown = field ? field.value : (bubble ? bubble.innerText : '');
    const visible = field ? field.offsetParent !== null
        : (bubble ? bubble.getBoundingClientRect().width > 0 : false);
    return {name: s.getAttribute('aria-label') || (box ? box.innerText.split('\\n')[0] : ''),
            now: s.getAttribute('aria-valuenow'), shown: shown.trim(), visible: visible};
})"""


@pytest.mark.parametrize("width", [1366, 1920])
def test_dashboard_controls_show_their_values_and_take_typed_ones(dashboard, width) -> None:
    """Every slider shows its value, which follows the slider; a typed value moves the slider.

    A typed value outside the range is refused with the range; the meaning of a parameter is
    on its (?) (a title, shown on hover). No framework defaults: no "Page 0" tab, no Solara
    banner, the Information card gives the month.
    """
    dashboard_url, log = dashboard
    with dashboard_page(dashboard_url, width, 1000) as (page, errors):
        text = page.evaluate("() => document.body.innerText")
        assert "page 0" not in text.lower(), "Mesa's tab 'Page 0' means nothing to a student"
        assert "runs on Solara" not in text, "the Solara banner covers a view"
        assert "Time:" not in text, "Mesa's 'Time: 0.0' card: the month is shown instead"
        info = page.locator(".v-card", has_text="Information")
        sync_api.expect(info).to_contain_text("0 of 240 months simulated")
        sliders = page.evaluate(SLIDER_VALUES)
        assert len(sliders) >= 10, f"expected the controls' sliders, got {sliders}"
        for s in sliders:
            assert s["visible"] and s["shown"], f"slider without a visible value: {s}"
            assert float(s["shown"]) == pytest.approx(float(s["now"])), s

        control = page.locator(".districtsim-control", has_text="communication.q_tie")
        slider = control.get_by_role("slider")
        field = control.locator(".districtsim-value input")
        before = field.input_value()
        slider.focus()
        page.keyboard.press("ArrowRight")
        sync_api.expect(field).not_to_have_value(before)
        assert float(field.input_value()) == pytest.approx(
            float(slider.get_attribute("aria-valuenow"))
        ), "the field shows the slider's new value"

        field.fill("0.25")
        field.press("Enter")
        sync_api.expect(slider).to_have_attribute("aria-valuenow", "0.25")
        field.fill("7")
        field.press("Enter")
        sync_api.expect(control).to_contain_text("7 is outside")
        assert slider.get_attribute("aria-valuenow") == "0.25", "a refused value changes nothing"

        # The time-series menu filters as one types, and the choice redraws the chart.
        menu = page.locator(".districtsim-variable-menu", has_text="variable")
        menu.locator("input[type=text]").click()
        page.keyboard.type("housing burden, by private")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(p => "
            "p.layout.title && p.layout.title.text.startsWith("
            "'moves_out_burden_private_persons'))"
        )
        # Every view says what it shows; the guided tour steps forward and back.
        helps = page.evaluate(
            "() => Array.from(document.querySelectorAll('.districtsim-view')).map(v => "
            "{ const h = v.querySelector('.districtsim-view-help'); "
            "return h ? h.getAttribute('title') : ''; })"
        )
        assert len(helps) == 7 and all(len(h) > 40 for h in helps), helps
        tour = page.locator(".districtsim-tour")
        sync_api.expect(tour).to_contain_text("1 of 5")
        tour.get_by_role("button", name="Next").click()
        sync_api.expect(tour).to_contain_text("2 of 5")
        tour.get_by_role("button", name="Back").click()
        sync_api.expect(tour).to_contain_text("1 of 5")
        help_title = control.locator(".districtsim-help").get_attribute("title")
        assert help_title and "tie" in help_title, f"expected q_tie's meaning, got {help_title}"
    assert not errors, f"expected no console errors, got {errors}"
    server = log.read_text(encoding="utf-8")
    assert "Traceback" not in server, f"expected no server errors, got:\n{server[-3000:]}"


def test_dashboard_plays_the_whole_run_without_errors(dashboard) -> None:
    """Play runs to the horizon at the default settings: every redraw reads a finished month.

    (Mesa's own Play stepped on while the views drew; with a short Play Interval a view read
    a half-updated month and failed.) Then Step is disabled and the status shows the end.
    """
    dashboard_url, log = dashboard
    with dashboard_page(dashboard_url, 1366, 900) as (page, errors):
        page.get_by_role("button", name="Reset", exact=True).click()
        _play_to_the_end(page)
        sync_api.expect(page.get_by_role("button", name="Step", exact=True)).to_be_disabled()
    assert not errors, f"expected no console errors, got {errors}"
    server = log.read_text(encoding="utf-8")
    assert "Traceback" not in server, f"expected no server errors, got:\n{server[-3000:]}"


LEGEND_OVER_DATA = """() => {
  const out = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const data = plot.querySelector('.nsewdrag');
    if (!data) continue;
    const d = data.getBoundingClientRect();
    for (const el of plot.querySelectorAll('.legend, .gtitle, .g-xtitle, .g-ytitle')) {
      const r = el.getBoundingClientRect();
      const w = Math.min(r.right, d.right) - Math.max(r.left, d.left);
      const h = Math.min(r.bottom, d.bottom) - Math.max(r.top, d.top);
      if (w > 2 && h > 2) {
        const title = plot.layout && plot.layout.title ? plot.layout.title.text : plot.id;
        out.push(`${title.split('<')[0]}: ${el.getAttribute('class')} over the data area`);
      }
    }
  }
  return out;
}"""


CUT_TEXT = """() => {
  const out = [];
  for (const v of document.querySelectorAll('.districtsim-view')) {
    const c = v.getBoundingClientRect();
    for (const t of v.querySelectorAll(
        '.js-plotly-plot .xtick text, .js-plotly-plot .ytick text, .js-plotly-plot .g-xtitle, '
        + '.js-plotly-plot .g-ytitle, .js-plotly-plot .gtitle')) {
      const r = t.getBoundingClientRect();
      if (r.width > 0 && (r.left < c.left - 1 || r.right > c.right + 1))
        out.push(`${v.className.split(' ').pop()}: '${t.textContent.slice(0, 30)}' cut`);
    }
  }
  return out;
}"""


SCROLLS = """() => [...document.querySelectorAll('.districtsim-view')]
  .filter(v => v.scrollHeight > v.clientHeight + 1)
  .map(v => v.className.split(' ').find(k => k.startsWith('districtsim-view-')))"""
"""Views whose content is taller than their grid cell (the cell scrolls)."""


@pytest.mark.parametrize("width", [1366, 1920])
def test_dashboard_views_keep_titles_and_legends_off_each_other_and_the_data(
    dashboard, width
) -> None:
    """After 13 months (the criteria view has a year): no title, legend or axis title over
    another or over a plot's data area, no tick label or title cut at a view's side, the
    criteria names show without scrolling, and no other view needs scrolling but the run's."""
    dashboard_url, _ = dashboard
    with dashboard_page(dashboard_url, width, 1000) as (page, errors):
        page.get_by_role("button", name="Reset", exact=True).click()
        step = page.get_by_role("button", name="Step", exact=True)
        for month in range(1, 14):
            step.click()
            _wait_for_months(page, month)
        page.wait_for_timeout(1500)
        overlaps = page.evaluate(OVERLAPS) + page.evaluate(LEGEND_OVER_DATA)
        cut = page.evaluate(CUT_TEXT)
        view = page.locator(".districtsim-view-criteria")
        cell = view.bounding_box()
        ticks = view.locator(".xtick text")
        assert ticks.count() >= 7, "expected the criteria names"
        hidden = [
            ticks.nth(i).text_content()
            for i in range(ticks.count())
            if not (cell["y"] <= ticks.nth(i).bounding_box()["y"] <= cell["y"] + cell["height"])
        ]
        scrolls = page.evaluate(SCROLLS)
    assert not overlaps, f"at {width} px: {overlaps}"
    # Every view but the criteria (a row per district) and the run settings (a line per
    # parameter) shows its whole content, caption and legend included, in its cell.
    assert not [v for v in scrolls if not v.endswith(("-criteria", "-run"))], (
        f"at {width} px, views that need scrolling inside their cell: {scrolls}"
    )
    assert not cut, f"at {width} px, text cut at a view's side: {cut}"
    assert not hidden, f"criteria names below the view (scroll needed): {hidden}"
    assert not errors, f"expected no console errors, got {errors}"


def _choose_in_menu(page, label: str, typed: str) -> None:
    """Type ``typed`` into the variable menu labelled ``label`` and take the first match."""
    menu = page.locator(".districtsim-variable-menu", has_text=label)
    field = menu.locator("input[type=text]")
    field.click()
    field.fill(typed)
    page.keyboard.press("Enter")


def _menu_item(page, text: str):
    """Return the open menu's item ``text``, scrolling the menu (Vuetify renders long lists
    twenty items at a time)."""
    menu = page.locator(".v-menu__content.menuable__content__active")
    item = menu.locator(".v-list-item", has_text=text).first
    for _ in range(10):
        if item.count():
            break
        menu.evaluate("e => { e.scrollTop = e.scrollHeight; }")
        page.wait_for_timeout(200)
    return item


def _plot_title_starts(page, prefix: str) -> None:
    page.wait_for_function(
        "(p) => Array.from(document.querySelectorAll('.js-plotly-plot')).some(g => "
        "g.layout && g.layout.title && g.layout.title.text.startsWith(p))",
        arg=prefix,
    )


def _wait_for_months(page, months: int, timeout: float = 30_000) -> None:
    """Wait until the status line says ``months`` months have been simulated."""
    page.wait_for_function(
        "(m) => { const s = document.querySelector('.districtsim-status'); "
        "return s && s.textContent.includes(` ${m} of `); }",
        arg=months,
        polling=100,
        timeout=timeout,
    )


def _play_to_the_end(page) -> None:
    page.get_by_role("button", name="▶", exact=True).click()
    _wait_for_months(page, 240, timeout=240_000)


def _feed(page) -> str:
    return page.locator(".districtsim-view-events").inner_text()


def test_the_tutorials_dashboard_steps_work_as_written(tmp_path: Path) -> None:
    """docs/tutorial.md section 2 in the browser: the controls and views it names exist under
    those names and respond as it says (its figures are checked in tests/test_tutorial.py)."""
    log = tmp_path / "server.log"
    with (
        serve_dashboard("helsinki", log) as url,
        dashboard_page(url, 1366, 900) as (
            page,
            errors,
        ),
    ):
        for name in ("Reset", "▶", "Step"):
            sync_api.expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
        # 1. Map by mode, then by the lead association's orientation.
        _choose_in_menu(page, "colour the districts by", "mode")
        _plot_title_starts(page, "Districts by operating mode")
        _choose_in_menu(page, "colour the districts by", "association_orientation")
        _plot_title_starts(page, "Districts by association_orientation")
        # 2. Follow traditional districts in the time series (after a month is recorded).
        page.get_by_role("button", name="Step", exact=True).click()
        _choose_in_menu(page, "variable", "association_orientation")
        districts = page.locator(".districtsim-view-series .v-select--is-multi")
        districts.click()
        for name in ("Laajasalo", "Reijola"):
            _menu_item(page, name).click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(g => "
            "g.layout.title.text.startsWith('association_orientation') && "
            "['Laajasalo', 'Reijola'].every(n => g.data.some(t => t.name === n)) && "
            "g.data.some(t => t.name.startsWith('city')))"
        )
        # The feed shows only mode transitions from here on.
        kinds = page.locator(".districtsim-view-events .v-select--is-multi")
        kinds.click()
        for item in page.locator(".menuable__content__active .v-list-item").all():
            text = item.inner_text().strip()
            if (
                text
                and text != "mode_transition"
                and "active" in (item.get_attribute("class") or "")
            ):
                item.click()
        page.keyboard.press("Escape")
        # 3. Play 20 years at the scenario's settings: platforms, no traditional -> creative.
        page.get_by_role("button", name="Reset", exact=True).click()
        _play_to_the_end(page)
        feed = _feed(page)
        assert "mode transition" in feed, f"expected mode transitions in the feed: {feed}"
        assert "traditional->creative" not in feed, "no traditional district turns creative"
        # 4. Faster drift: type 0.5, Reset, play again: traditional districts cross the cut.
        control = page.locator(".districtsim-control", has_text="associations.omega_per_year")
        field = control.locator(".districtsim-value input")
        field.fill("0.5")
        field.press("Enter")
        sync_api.expect(field).to_have_value("0.5")
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('td')).some(td => "
            "td.innerText === 'associations.omega_per_year' "
            "&& td.nextElementSibling.innerText === '0.5')"
        )
        _play_to_the_end(page)
        feed = _feed(page)
        assert "traditional->creative" in feed, f"expected the cut crossed: {feed}"
        # 5. The participation curve of a chosen district.
        chooser = page.locator(".districtsim-view-participation .v-select")
        chooser.click()
        _menu_item(page, "Kallio").click()
        _plot_title_starts(page, "Participation curve of Kallio")
    assert not errors, f"expected no console errors, got {errors}"
    server = log.read_text(encoding="utf-8")
    assert "Traceback" not in server, f"expected no server errors, got:\n{server[-3000:]}"
