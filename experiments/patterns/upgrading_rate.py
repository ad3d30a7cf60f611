"""Held-out pattern (issue 12, point 6): how fast does a sustained revitalisation capitalise?

Target, never used for tuning: a sustained revitalisation raises prices about 2-5% a year
above comparable areas (Rossi-Hansberg, Sarte & Owens 2010, Richmond's Neighborhoods in
Bloom; ``../shared/REFERENCES.md``).

Design: the default city (``helsinki``) with and without a revitalisation of the four
cheapest traditional districts (Jakomäki, Mellunkylä, Östersundom, Puistola) for the first
``--years`` years: one more meeting place, a website and a social-media group paid for, and
coaching of the district association toward the future (the levers the model has; it has no
housing quality, which is much of what the Richmond programme bought). Both arms run on the
same seeds (common random numbers). For each seed, the treated districts' log price minus the
same districts' log price in the baseline arm, averaged over the four, is regressed on time over
the window; the slope is the capitalisation rate (per year). Also reported: the gap at the end
of the window and five years later.

It prints the rate per seed and its mean with a 95% t interval, and writes the rows to
``results/upgrading_rate.csv`` next to this file.

Usage::

    .venv/bin/python experiments/patterns/upgrading_rate.py                  # seeds 1-10
    .venv/bin/python experiments/patterns/upgrading_rate.py --seeds 1,2 --scale 0.05
"""

from __future__ import annotations

import argparse
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from common import RESULTS, ci_text, write_rows

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

TREATED = ("Jakomäki", "Mellunkylä", "Östersundom", "Puistola")


def revitalisation(years: int) -> str:
    """Return the ``[[interventions]]`` tables of the revitalisation, ``years`` long."""
    names = ", ".join(f'"{n}"' for n in TREATED)
    end = 12 * years
    tables = [
        f'type = "meeting_place"\ndistricts = [{names}]\nstart_month = 0\nend_month = {end}',
        f'type = "channel"\nchannel = "website"\ndistricts = [{names}]\n'
        f"start_month = 0\nend_month = {end}",
        f'type = "channel"\nchannel = "social_media"\ndistricts = [{names}]\n'
        f"start_month = 0\nend_month = {end}",
        f'type = "coaching"\nshift_per_year = 0.1\ndistricts = [{names}]\n'
        f"start_month = 0\nend_month = {end}",
    ]
    return "\n\n".join(f"[[interventions]]\n{t}" for t in tables)


def treated_log_prices(scale: float, seed: int, months: int, tables: str) -> np.ndarray:
    """Return the treated districts' mean log price per month (with ``tables`` added)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arm.toml"
        head = f'[scenario]\nbase = "helsinki"\nmonths = {months}\nscale = {scale}\n\n'
        path.write_text(head + tables, encoding="utf-8")
        result = run_scenario(load_scenario(str(path)), seed=seed)
    d = result.districts
    d = d[d["district"].astype(str).isin(TREATED)]
    wide = d.pivot_table(index="month", columns="district", values="price_eur_m2", observed=True)
    return np.log(wide.to_numpy()).mean(axis=1)


def measure(scale: float, seed: int, years: int) -> dict[str, float]:
    """Run both arms on ``seed``; return the capitalisation rate and the gaps."""
    months = 12 * (years + 5)
    base = treated_log_prices(scale, seed, months, "")
    treated = treated_log_prices(scale, seed, months, revitalisation(years))
    gap = treated - base
    window = np.arange(12 * years)
    slope = float(np.polyfit(window / 12.0, gap[window], 1)[0])
    return {
        "scale": scale,
        "seed": seed,
        "years": years,
        "rate_per_year": round(slope, 5),
        "gap_end_of_window": round(float(gap[12 * years - 1]), 5),
        "gap_five_years_later": round(float(gap[-1]), 5),
    }


def main() -> None:
    """Run the seeds; print and write the rows and the mean rate with its interval."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(str(s) for s in range(1, 11)))
    parser.add_argument("--scale", type=float, default=0.1, help="scale (default 0.1)")
    parser.add_argument("--years", type=int, default=10, help="years of revitalisation")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", default=str(RESULTS / "upgrading_rate.csv"))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    n = len(seeds)
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(measure, [args.scale] * n, seeds, [args.years] * n))
    for row in rows:
        print(row)
    for key in ("rate_per_year", "gap_end_of_window", "gap_five_years_later"):
        print(f"{key}: {ci_text([r[key] for r in rows], '+.4f')}")
    write_rows(rows, args.out)


if __name__ == "__main__":
    main()
