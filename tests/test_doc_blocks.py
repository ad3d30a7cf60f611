"""Every code block in the README and the docs runs, or is checked as far as this machine can.

- ``python`` blocks run in a fresh folder. A block that needs a package this project does not
  install (``dask_jobqueue`` in the README's Slurm example), or the optional ``ema_workbench``
  when it is missing outside CI (``make install`` installs it, so CI runs those blocks), is
  compiled and every districtsim name it imports must exist. ``docs/tutorial.md`` and
  ``docs/architecture.md`` have their own tests (tests/test_tutorial.py,
  tests/test_architecture.py), which also check their claims.
- ``bash``/``sh`` blocks: every ``districtsim`` command line is parsed by the real argument
  parser (a usage synopsis with ``[OPTIONAL]`` parts is skipped), every
  ``.venv/bin/python SCRIPT`` names an existing script, every ``make TARGET`` an existing target.
- ``toml`` blocks parse; a scenario snippet with ``[[interventions]]`` or ``[[shocks]]`` is
  validated on top of the default city, as a planner's file would be (a snippet with its own
  ``[scenario]`` table names its base itself).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
import shlex
import sys
import tomllib
import types
from pathlib import Path

import pytest

from districtsim.cli import build_parser
from districtsim.interventions import TYPES, unregister
from districtsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    "README.md",
    "docs/dashboard.md",
    "docs/interventions.md",
    "docs/outputs.md",
    "docs/ODD.md",
    "docs/calibration.md",
    "docs/sensitivity.md",
    "docs/reference.md",
    "src/districtsim/scenarios/README.md",
    "src/districtsim/experiments/README.md",
    "experiments/README.md",
    "experiments/benchmarks/README.md",
]
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.S | re.M)


def blocks(kinds: tuple[str, ...]) -> list[tuple[str, int, str]]:
    """Return (file, number, code) of every block of one of ``kinds`` in the checked files."""
    out = []
    for name in FILES:
        text = (ROOT / name).read_text(encoding="utf-8")
        for number, m in enumerate(BLOCK.finditer(text), start=1):
            if m.group(1) in kinds:
                out.append((name, number, m.group(2)))
    return out


def missing_modules(code: str) -> list[str]:
    """Return the top-level modules a block imports that are not installed.

    ``ema.workbench()`` (:mod:`districtsim.ema`) counts as importing ``ema_workbench``.
    """
    names = {"ema_workbench"} if "ema.workbench()" in code else set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    # find_spec, not an import: importing ema_workbench here would warn (the block's own
    # ema.workbench() imports it without that warning).
    return [name for name in sorted(names) if importlib.util.find_spec(name) is None]


def check_imports_only(code: str, where: str) -> None:
    """Compile a block and check that every districtsim name it imports exists."""
    tree = ast.parse(code, filename=where)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("districtsim"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{where}: {node.module}.{alias.name} missing"


@pytest.mark.parametrize(("file", "number", "code"), blocks(("python",)), ids=lambda v: str(v)[:40])
def test_python_block_runs(file, number, code, tmp_path, monkeypatch) -> None:
    where = f"{file}, block {number}"
    missing = missing_modules(code)
    if missing:
        allowed = {"dask_jobqueue"} | (set() if os.environ.get("CI") else {"ema_workbench"})
        assert set(missing) <= allowed, f"{where} needs modules not installed: {missing}"
        check_imports_only(code, where)
        return
    monkeypatch.chdir(tmp_path)
    # A real module, so that a dataclass defined in the block can find its module.
    module = types.ModuleType("doc_block")
    monkeypatch.setitem(sys.modules, "doc_block", module)
    before = set(TYPES)
    try:
        exec(compile(code, where, "exec"), module.__dict__)
    finally:
        for name in set(TYPES) - before:
            unregister(name)


def command_lines(code: str) -> list[str]:
    """Return a block's commands: comments stripped, continuations joined, ``&&`` chains split."""
    joined = re.sub(r"\\\n\s*", " ", code)
    lines = []
    for raw in joined.splitlines():
        line = raw.split(" #")[0].strip()
        if line and not line.startswith("#"):
            lines.extend(part.strip() for part in line.split(" && "))
    return lines


@pytest.mark.parametrize(
    ("file", "number", "code"), blocks(("bash", "sh")), ids=lambda v: str(v)[:40]
)
def test_shell_block_commands_are_valid(file, number, code) -> None:
    where = f"{file}, block {number}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for line in command_lines(code):
        words = shlex.split(line)
        program = Path(words[0]).name
        if program == "districtsim":
            if any(w.startswith("[") for w in words):
                continue  # a usage synopsis
            try:
                build_parser().parse_args(words[1:])
            except SystemExit as exc:
                raise AssertionError(f"{where}: `{line}` is not a valid command") from exc
        elif program == "python":
            script = next((w for w in words[1:] if w.endswith(".py")), None)
            if script is not None:
                assert (ROOT / script).exists(), f"{where}: no script {script}"
        elif program == "make":
            for target in (w for w in words[1:] if "=" not in w and not w.startswith("-")):
                assert re.search(rf"^{target}:", makefile, flags=re.M), f"{where}: make {target}"


@pytest.mark.parametrize(("file", "number", "code"), blocks(("toml",)), ids=lambda v: str(v)[:40])
def test_toml_block_parses_and_scenario_snippets_validate(file, number, code, tmp_path) -> None:
    where = f"{file}, block {number}"
    raw = tomllib.loads(code)
    if "interventions" in raw or "shocks" in raw:
        path = tmp_path / "snippet.toml"
        head = "" if "scenario" in raw else '[scenario]\nbase = "helsinki"\n\n'
        path.write_text(head + code, encoding="utf-8")
        scenario = load_scenario(str(path))
        assert scenario.interventions or scenario.shocks, f"{where}: nothing loaded"
