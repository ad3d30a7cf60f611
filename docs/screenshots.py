"""Regenerate the dashboard screenshots of docs/dashboard.md: the whole page and each view.

Starts ``districtsim dashboard helsinki`` on a free port of 127.0.0.1, opens it in headless
Chromium (Debian's ``/usr/bin/chromium``, or ``DISTRICTSIM_CHROMIUM``) at 1366 x 900 px,
presses Step ``--months`` times (24: two program years, so the criteria view has scores),
and writes ``docs/images/dashboard_page.png`` (the page as a student first sees it after
those months) and one ``docs/images/dashboard_<view>.png`` per view (``map``, ``series``,
``participation``, ``ties``, ``criteria``, ``events``, ``run``: the views of
``districtsim.dashboard.app.COMPONENTS``). ``tests/test_docs_screenshots.py`` checks that
every view has its picture and that docs/dashboard.md shows it.

Usage::

    .venv/bin/python docs/screenshots.py                 # into docs/images/
    .venv/bin/python docs/screenshots.py --out /tmp/shots --months 3
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("DISTRICTSIM_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWS = ("map", "series", "participation", "ties", "criteria", "events", "run")
"""The views, by the suffix of their CSS class (``districtsim-view-<name>``)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "images", help="folder for the PNGs")
    parser.add_argument("--months", type=int, default=24, help="Step clicks first (default 24)")
    parser.add_argument("--scenario", default="helsinki", help="scenario (default helsinki)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"screenshots.py: no chromium at {CHROMIUM} (make browser installs it)")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    exe = Path(sys.executable).with_name("districtsim")
    log = args.out / ".server.log"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [str(exe), "dashboard", args.scenario, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    problem = f"the dashboard did not start:\n{log.read_text()}"
                    raise SystemExit(f"screenshots.py: {problem}") from None
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5",
                timeout=120_000,
            )
            step = page.get_by_role("button", name="Step", exact=True)
            for month in range(1, args.months + 1):
                step.click()
                page.wait_for_function(
                    "(m) => { const s = document.querySelector('.districtsim-status'); "
                    "return s && s.textContent.includes(` ${m} of `); }",
                    arg=month,
                    timeout=120_000,
                )
            page.wait_for_timeout(1500)  # the charts' last redraw and resize
            page.evaluate(  # the sidebar from its top, as the page opens
                "() => document.querySelectorAll('.v-navigation-drawer__content')"
                ".forEach(e => { e.scrollTop = 0; })"
            )
            page.screenshot(path=str(args.out / "dashboard_page.png"))
            for view in VIEWS:
                element = page.locator(f".districtsim-view-{view}")
                element.scroll_into_view_if_needed()
                element.screenshot(path=str(args.out / f"dashboard_{view}.png"))
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.unlink(missing_ok=True)
    print(f"screenshots: {args.out} (page and {len(VIEWS)} views, after {args.months} months)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
