"""Shared statistics for the validation tests: means and confidence intervals over replicates.

:func:`mean_ci` lives in ``tests/helpers.py`` (the unit tests use it too); pytest puts
``tests/`` on ``sys.path`` for ``tests/conftest.py``, so this module re-exports it.
"""

from __future__ import annotations

from helpers import mean_ci

__all__ = ["mean_ci"]
