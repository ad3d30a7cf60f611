"""Shared statistics for the validation tests: means and confidence intervals over replicates."""

from __future__ import annotations

import numpy as np
from scipy import stats


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Return the mean and a two-sided Student-t confidence interval over replicates."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half
