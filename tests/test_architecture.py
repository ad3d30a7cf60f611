"""docs/architecture.md runs and names only what exists; the code keeps the layering it describes.

Its python blocks run in one namespace (each block as a reader would paste it), every
``src/districtsim/...`` path it names exists, every ``module.name`` it names in backticks
resolves, and what it claims of the worked examples holds. The layering checks: no module
imports another module's private name, and the model layer imports nothing from the batch or
front-end layers.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from districtsim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "districtsim"
BATCH_AND_FRONT = {
    "analysis",
    "analysis_report",
    "calibration",
    "cli",
    "compare",
    "dashboard",
    "ema",
    "executors",
    "experiment",
    "report",
    "run",
    "sweep",
}
"""Modules above ``run_scenario``: the model layer must not import them."""


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_architecture_blocks_run_and_the_examples_do_what_the_text_says(capsys) -> None:
    namespace: dict[str, object] = {}
    for number, code in enumerate(python_blocks(), start=1):
        exec(compile(code, f"docs/architecture.md, python block {number}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "identity moved by" in out and "festival_grant started in month 0" in out, out
    grant = namespace["FestivalGrant"]
    registered = namespace["registered"]
    text = namespace["SCENARIO"].replace("start_month = 0", "start_month = 0\nevery_months = 0")
    path = Path(namespace["tempfile"].mkdtemp()) / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with registered(grant), pytest.raises(ScenarioError, match=r"interventions\[0\]\.every_months"):
        namespace["load_scenario"](str(path))


def test_architecture_names_only_existing_paths_and_names() -> None:
    text = DOC.read_text(encoding="utf-8")
    paths = set(re.findall(r"src/districtsim/[\w/.]*\w", text))
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"
    unresolved = [
        f"{dotted}"
        for dotted in sorted(set(re.findall(r"`([A-Za-z_]\w*(?:\.\w+)+)`", text)))
        if not dotted.startswith(("docs.", "src.", "tests.", "model.", "self."))
        and not dotted.endswith((".py", ".md", ".toml", ".parquet"))
        and resolve(dotted) is None
    ]
    assert not unresolved, f"docs/architecture.md names what does not exist: {unresolved}"


def resolve(dotted: str) -> object | None:
    """Return the object a dotted name in the docs stands for, or None.

    The first part is a module or subpackage of districtsim, or a name defined in one.
    """
    first, *rest = dotted.split(".")
    try:
        obj: object = importlib.import_module(f"districtsim.{first}")
    except ModuleNotFoundError:
        modules = [
            importlib.import_module(
                "districtsim." + ".".join(p.relative_to(SRC).with_suffix("").parts)
            )
            for p in SRC.rglob("*.py")
            if p.name != "__init__.py" and "dashboard" not in p.parts
        ]
        obj = next((getattr(m, first) for m in modules if hasattr(m, first)), None)
    for part in rest:
        if obj is None:
            return None
        if not hasattr(obj, part) and hasattr(obj, "__path__"):
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
                continue
            except ModuleNotFoundError:
                return None
        obj = getattr(obj, part, None)
    return obj


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """Return (module, imported names) of every ``from districtsim... import`` in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("districtsim"):
            out.append((node.module, [a.name for a in node.names]))
    return out


def test_no_private_name_is_imported_across_modules() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path in sorted(SRC.rglob("*.py"))
        for module, names in imports(path)
        for name in names
        if name.startswith("_") and name != "__version__"
    ]
    assert not found, f"private names imported across modules: {found}"


def test_the_model_layer_does_not_import_the_batch_or_front_end_layers() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        top = rel.parts[0]
        if top in BATCH_AND_FRONT or top == "__init__":
            continue
        for module, _ in imports(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[1] in BATCH_AND_FRONT:
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not found, f"the model layer imports the layers above run_scenario: {found}"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path) -> set[str]:
    """Return the districtsim modules a file imports when it is imported (not TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                break
            if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("districtsim"):
                out.add(sub.module)
                out.update(f"{sub.module}.{a.name}" for a in sub.names)
            elif isinstance(sub, ast.Import):
                out.update(a.name for a in sub.names if a.name.startswith("districtsim"))
    return out


def test_no_import_cycle_between_modules() -> None:
    files = {module_name(p): p for p in SRC.rglob("*.py")}
    graph = {
        name: {m for m in runtime_imports(path) if m in files and m != name}
        for name, path in files.items()
    }
    # A package's __init__ re-exporting its own modules is not a cycle between modules.
    graph = {
        name: {m for m in deps if not m.startswith(name + ".")} for name, deps in graph.items()
    }
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*stack[stack.index(dep) :], dep]))
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "runtime import cycles between districtsim modules:\n" + "\n".join(cycles)
