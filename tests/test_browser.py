"""The HTML reports in a real headless Chromium: they open offline, draw their charts, log no errors and request nothing.

Needs Debian's chromium (``make browser`` installs it, as root) and the
``playwright`` package (test extra), pointed at ``/usr/bin/chromium``: a
browser download by playwright itself fails on these machines. Without
chromium the tests are skipped, except in CI (``CI=true``), where a missing
browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from districtsim.compare import compare_scenarios
from districtsim.report import write_compare_report, write_run_report
from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

CHROMIUM = Path(os.environ.get("DISTRICTSIM_CHROMIUM", "/usr/bin/chromium"))
# Flags for a closed network (no background connections) and running as root.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"the browser tests need Debian's chromium at {CHROMIUM}; .ci/run installs it with `make browser`")
    pytest.skip(f"no chromium at {CHROMIUM} (sudo apt-get install chromium, or make browser as root)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def open_in_chromium(path: Path) -> dict:
    """Open ``path`` in headless Chromium; return the plots drawn, console errors and non-file requests."""
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
            drawn = page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => p.querySelector('.main-svg') && p._fullData && p._fullData.length > 0).length")
            points = page.evaluate("() => document.querySelectorAll('.js-plotly-plot .scatterlayer .trace, .js-plotly-plot .point').length")
            title = page.title()
        finally:
            browser.close()
    return {"plots": plots, "drawn": drawn, "points": points, "errors": errors, "requests": [r for r in requests if not r.startswith("file:")], "title": title}


def test_run_report_opens_offline_and_draws_its_charts(tmp_path: Path) -> None:
    result = run_scenario(load_scenario("two_districts", ["scenario.months=24", "scenario.scale=0.02", "program.enabled=true"]), seed=1)
    path = write_run_report(result, tmp_path / "report.html")
    seen = open_in_chromium(path)
    assert seen["plots"] >= 3 and seen["drawn"] == seen["plots"], f"expected every chart of the run report drawn (at least 3), got {seen}"
    assert seen["points"] > 0, "expected traces with data in the charts"
    assert not seen["errors"], f"expected no console errors, got {seen['errors']}"
    assert not seen["requests"], f"expected no network requests (the report is self-contained), got {seen['requests']}"


def test_compare_report_opens_offline_and_draws_its_charts(tmp_path: Path) -> None:
    base = load_scenario("two_districts", ["scenario.months=24", "scenario.scale=0.02"])
    more = load_scenario("two_districts", ["scenario.months=24", "scenario.scale=0.02", "communication.reach_paper=0.6"])
    more = type(base)(**{**more.__dict__, "name": "stronger_paper"})
    comparison = compare_scenarios([base, more], replicates=3)
    path = write_compare_report(comparison, tmp_path / "report.html")
    seen = open_in_chromium(path)
    assert seen["plots"] >= 4 and seen["drawn"] == seen["plots"], f"expected every chart of the comparison drawn (at least 4), got {seen}"
    assert not seen["errors"], f"expected no console errors, got {seen['errors']}"
    assert not seen["requests"], f"expected no network requests, got {seen['requests']}"
