"""Helpers the pattern scripts in this folder share: writing result rows and a mean with its CI.

The scripts run as ``.venv/bin/python experiments/patterns/NAME.py``, so this folder is on
``sys.path`` and they import these with ``from common import ...``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from scipy import stats

RESULTS = Path(__file__).resolve().parent / "results"
"""Where the scripts write their result files."""


def write_rows(rows: list[dict[str, object]], out: str | Path) -> Path:
    """Write ``rows`` (dicts with the same keys) to the CSV file ``out``; return its path."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path}")
    return path


def mean_ci(values: list[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Return the mean and a two-sided Student-t interval over replicates (NaN for one value)."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return float(x.mean()), float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


def ci_text(values: list[float] | np.ndarray, fmt: str = ".4g") -> str:
    """Return ``mean [lo, hi]`` (95% t interval) as text."""
    m, lo, hi = mean_ci(values)
    return f"{m:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"
