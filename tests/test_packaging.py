"""districtsim is an installable package: a wheel built from the checkout runs a bundled scenario.

The wheel is built from a copy of the source files (so the build leaves nothing in the
checkout and the wheel holds only what ``pyproject.toml`` declares), installed by pip into a
fresh virtual environment in a temporary folder, and its ``districtsim`` command is run from a
folder outside the checkout. The new environment has neither pip nor dependencies of its own:
a ``.pth`` file appends this interpreter's site-packages (numpy, mesa, ...) to its path. That
reuses the dependencies without letting the checkout in: here ``src/`` is importable only
through the editable install's own ``.pth`` file, and ``.pth`` files in a folder added by a
``.pth`` line are not read. The tests assert that ``districtsim`` is imported from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from districtsim.bundled import EXPERIMENT_DIR, SCENARIO_DIR, bundled_names

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FILES = ("pyproject.toml", "README.md", "LICENSE")
RESULT_FILES = ("districts.parquet", "city.parquet", "events.parquet", "criteria.parquet")
TIMEOUT_S = 120


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command; fail the test with its output if it exits with a non-zero status."""
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert proc.returncode == 0, (
        f"expected exit status 0 from {' '.join(map(str, cmd))} (in {cwd}); got {proc.returncode}"
        f"\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc


def _clean_env() -> dict[str, str]:
    """Return the environment without anything that would put the checkout on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _dependency_dirs() -> list[str]:
    """Return this interpreter's site-packages folders (where the dependencies are installed)."""
    dirs = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return list(dict.fromkeys(d for d in dirs if Path(d).is_dir()))


def _copy_sources(dest: Path) -> Path:
    """Copy what the build reads (``src/``, ``pyproject.toml``, README, LICENSE) to ``dest``."""
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "src", dest / "src", ignore=junk)
    for name in SOURCE_FILES:
        shutil.copy2(ROOT / name, dest / name)
    return dest


@dataclass(frozen=True)
class Installed:
    """A wheel installed into a fresh virtual environment, and a folder to run it in."""

    wheel: Path
    python: Path
    purelib: Path  # the new venv's site-packages
    command: Path  # the installed ``districtsim`` console script
    work: Path  # the working directory of the commands, outside the checkout
    env: dict[str, str]

    def run(self, *args: str | Path) -> subprocess.CompletedProcess:
        """Run the installed ``districtsim`` command in ``work``; fail on a non-zero status."""
        return _run([self.command, *args], cwd=self.work, env=self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel and install it into a fresh venv in a temporary folder."""
    base = tmp_path_factory.mktemp("packaging")
    assert not base.resolve().is_relative_to(ROOT), f"expected a folder outside {ROOT}: {base}"
    env = _clean_env()
    source = _copy_sources(base / "source")
    dist = base / "dist"
    pip = [sys.executable, "-m", "pip"]
    offline = ["--no-deps", "--no-index"]
    _run([*pip, "wheel", *offline, "--no-build-isolation", "-w", dist, source], cwd=base, env=env)
    (wheel,) = dist.glob("districtsim-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base, env=env)
    python = venv / "bin" / "python"
    query = "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))"
    paths = json.loads(_run([python, "-c", query], cwd=base, env=env).stdout)
    _run([*pip, "--python", python, "install", *offline, "--no-compile", wheel], cwd=base, env=env)
    purelib = Path(paths["purelib"]).resolve()
    (purelib / "zz_districtsim_test_dependencies.pth").write_text(
        "\n".join(_dependency_dirs()) + "\n", encoding="utf-8"
    )
    work = base / "work"
    work.mkdir()
    command = Path(paths["scripts"]) / "districtsim"
    return Installed(wheel, python, purelib, command, work, env)


def test_wheel_holds_the_bundled_scenarios_their_data_and_the_experiments(
    installed: Installed,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {f"districtsim/scenarios/{n}.toml" for n in bundled_names(SCENARIO_DIR)}
    expected |= {f"districtsim/experiments/{n}.toml" for n in bundled_names(EXPERIMENT_DIR)}
    expected |= {
        f"districtsim/scenarios/data/{p.name}" for p in (SCENARIO_DIR / "data").glob("*.csv")
    }
    assert len(expected) >= 17, f"expected the checkout's bundled files; found {sorted(expected)}"
    assert expected <= names, f"expected in the wheel, missing: {sorted(expected - names)}"
    assert "districtsim/cli.py" in names


def test_installed_districtsim_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    code = (
        "import districtsim, districtsim.bundled as b; print(districtsim.__file__, b.SCENARIO_DIR)"
    )
    proc = _run([installed.python, "-c", code], cwd=installed.work, env=installed.env)
    module, scenarios = (Path(p) for p in proc.stdout.split())
    purelib = installed.purelib
    assert module.resolve().is_relative_to(purelib), (
        f"expected districtsim imported from the new venv ({purelib}); got {module}"
    )
    assert scenarios.is_relative_to(purelib), f"expected bundled scenarios there; got {scenarios}"
    assert not module.resolve().is_relative_to(ROOT), f"imported from the checkout: {module}"


def test_installed_command_runs_two_districts(installed: Installed) -> None:
    out = installed.work / "results"
    installed.run("run", "two_districts", "--months", "3", "--out", out, "--quiet")
    for name in (*RESULT_FILES, "meta.json", "report.html"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, (
            f"expected {name} written by the installed districtsim in {out}"
        )
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["months"] == 3, (
        f"expected a 3-month run recorded in meta.json; got {meta['months']}"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", "helsinki"], "helsinki.toml: ok (34 districts, 695,526 residents"),
        (["validate", "csv_city"], "csv_city.toml: ok (6 districts, 120,000 residents"),
        (["sweep", "smoke", "--dry-run"], "smoke.toml: ok (8 runs)"),
    ],
)
def test_installed_command_finds_bundled_files(
    installed: Installed, args: list[str], expected: str
) -> None:
    proc = installed.run(*args)
    assert expected in proc.stdout, f"expected {expected!r}; got {proc.stdout!r}"
    where = proc.stdout.split(": ok")[0]
    assert Path(where).is_relative_to(installed.purelib), (
        f"expected the bundled file inside the new venv; got {where}"
    )


def test_own_scenario_outside_the_checkout_resolves_a_bundled_base(
    installed: Installed,
) -> None:
    own = installed.work / "my_city.toml"
    own.write_text(
        '[scenario]\nbase = "helsinki"\nname = "my_city"\nmonths = 24\n', encoding="utf-8"
    )
    proc = _run([installed.command, "validate", own], cwd=installed.work, env=installed.env)
    assert "my_city.toml: ok (34 districts, 695,526 residents, 24 months," in proc.stdout, (
        f"expected the base helsinki found in the installed package; got {proc.stdout!r}"
    )


def test_top_level_scenarios_and_experiments_are_the_package_data() -> None:
    """The checkout's ``scenarios/`` and ``experiments/*.toml`` are links to the bundled files."""
    root = Path(__file__).resolve().parents[1]
    assert (root / "scenarios").resolve() == SCENARIO_DIR.resolve(), (
        "expected the top-level scenarios/ to be a link to src/districtsim/scenarios/"
    )
    bundled = sorted(p.name for p in EXPERIMENT_DIR.glob("*.toml"))
    linked = sorted(p.name for p in (root / "experiments").glob("*.toml"))
    assert linked == bundled, f"expected experiments/ to link every bundled experiment: {linked}"
    for name in linked:
        target = (root / "experiments" / name).resolve()
        assert target == (EXPERIMENT_DIR / name).resolve(), f"{name} is not a link"
