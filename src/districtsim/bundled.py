"""Where the bundled scenarios and experiments live: package data inside ``districtsim``.

The scenario files (``districtsim/scenarios/*.toml`` and the CSV files under
``scenarios/data/`` that ``csv_city`` reads) and the experiment files
(``districtsim/experiments/*.toml``) are installed with the package, so a
wheel runs ``districtsim run helsinki`` as a source checkout does. They are
found through :mod:`importlib.resources`, never relative to a checkout.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from districtsim.errors import ScenarioError


def package_folder(name: str) -> Path:
    """Return a folder of package data as a resolved filesystem path.

    Scenario files name their base scenario and their CSV files by paths
    relative to themselves, so the files must be on a file system:
    districtsim is installed as a folder (pip, an editable install or a source
    checkout), never imported from a zip archive.

    Args:
        name: The folder inside the ``districtsim`` package, e.g. ``"scenarios"``.

    Returns:
        The folder's absolute path (it need not exist).

    Raises:
        TypeError: If districtsim is imported from a zip archive.
    """
    return Path(os.fspath(resources.files("districtsim").joinpath(name))).resolve()


SCENARIO_DIR = package_folder("scenarios")
"""The bundled scenarios: ``districtsim run NAME`` reads ``SCENARIO_DIR / "NAME.toml"``."""

EXPERIMENT_DIR = package_folder("experiments")
"""The bundled experiments: ``districtsim sweep NAME`` reads ``EXPERIMENT_DIR / "NAME.toml"``."""


def bundled_names(folder: Path) -> list[str]:
    """Return the names (file stems) of the TOML files in a bundled folder, sorted."""
    return sorted(p.stem for p in folder.glob("*.toml"))


def find_bundled(name: str, folder: Path, kind: str) -> Path:
    """Return the bundled file ``folder / "NAME.toml"`` for a name without a suffix.

    Args:
        name: What the user typed: a bundled name (or a path that does not exist).
        folder: The bundled folder, :data:`SCENARIO_DIR` or :data:`EXPERIMENT_DIR`.
        kind: What the folder holds, for the message: ``"scenario"`` or ``"experiment"``.

    Raises:
        ScenarioError: Naming ``name`` and the bundled names, if there is no such file.
    """
    bundled = folder / f"{name}.toml"
    if Path(name).suffix == "" and bundled.exists():
        return bundled
    names = ", ".join(bundled_names(folder))
    raise ScenarioError(str(name), "", None, f"an existing {kind} file or a bundled name ({names})")
