"""docs/dashboard.md shows a current screenshot of the page and of every view.

The pictures are made by ``docs/screenshots.py`` (headless Chromium against a running
dashboard); here: the script knows every view of the app, each view has its picture (a PNG
of a plausible size), and the docs show each one.
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

from districtsim.dashboard.app import COMPONENTS, view_classes

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
spec = importlib.util.spec_from_file_location("screenshots", ROOT / "docs" / "screenshots.py")
screenshots = importlib.util.module_from_spec(spec)
spec.loader.exec_module(screenshots)


def test_the_script_takes_every_view_of_the_app():
    classes = {view_classes(component.__name__)[1] for component, _ in COMPONENTS}
    assert classes == {f"districtsim-view-{v}" for v in screenshots.VIEWS}


@pytest.mark.parametrize("name", ["page", *screenshots.VIEWS])
def test_each_view_has_its_screenshot_in_the_docs(name):
    path = IMAGES / f"dashboard_{name}.png"
    assert path.exists(), f"missing {path}: run .venv/bin/python docs/screenshots.py"
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    assert width >= 300 and height >= 150, f"{path}: {width}x{height} px is too small for a view"
    doc = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    assert f"(images/dashboard_{name}.png)" in doc, f"docs/dashboard.md does not show {path.name}"
