"""Write a sweep's point means of its city outcomes in the first and the last year, as a CSV.

``docs/sensitivity.md`` puts each outcome's mu* and S1/ST next to the spread of the outcome
over the design (median and 5-95% range of the point means) and counts the points where the
first year and the last differ in sign; this file is what it reads, so the sweep's 230,000-row
outcome table need not be committed. One row per design point: ``point``, then
``<variable>_year0`` and ``<variable>_year<N-1>`` for a run of N years (the mean over the
point's finished replicates; years counted from 0, as the ``year`` column of the outputs).

Usage::

    .venv/bin/python experiments/sensitivity/point_means.py SWEEP_FOLDER OUT.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from districtsim.sweep import sweep_table


def point_means(folder: Path) -> pd.DataFrame:
    """Return the point means of the city outcomes of the sweep's first and last year."""
    tidy = sweep_table(folder, tidy=True)
    tidy = tidy[tidy["scope"] == "city"]
    first, last = int(tidy["year"].min()), int(tidy["year"].max())
    kept = tidy[tidy["year"].isin([first, last])]
    means = kept.groupby(["point", "variable", "year"], observed=True)["value"].mean()
    wide = means.unstack(["variable", "year"])
    wide.columns = [f"{variable}_year{year}" for variable, year in wide.columns]
    return wide.sort_index(axis=1).reset_index()


def main(argv: list[str]) -> int:
    """Write the CSV; return the exit status."""
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    table = point_means(Path(argv[0]))
    table.to_csv(argv[1], index=False, float_format="%.10g")
    print(f"{len(table)} points, {len(table.columns) - 1} columns: {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
