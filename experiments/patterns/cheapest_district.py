"""The cheapest district falls behind: Jakomäki's price relative to the city in five years.

``docs/ODD.md`` section 9 quotes how the price of the default city's cheapest district,
Jakomäki, moves against the city's population-weighted mean price over the first five
years, at scales 0.05, 0.1 and 1.0 (seed 1): the ratio to its month-0 value at the end of
years 0, 2 and 4 (months 11, 35 and 59), and the city's max / min district price there.
It writes ``results/cheapest_district.csv``: one row per scale and month.
``tests/test_results_in_docs.py`` checks the doc against the file and reruns scale 0.05.

Usage::

    .venv/bin/python experiments/patterns/cheapest_district.py     # about 10 s
"""

from __future__ import annotations

import argparse

import numpy as np
from common import RESULTS, write_rows

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

DISTRICT = "Jakomäki"
MONTHS = (0, 11, 35, 59)
"""Month 0 and the ends of years 0, 2 and 4."""


def measure(scale: float, seed: int = 1) -> list[dict[str, object]]:
    """Return one row per month of :data:`MONTHS`: Jakomäki's price over the city's mean."""
    scenario = load_scenario("helsinki", [f"scenario.scale={scale}", "scenario.months=60"])
    d = run_scenario(scenario, seed=seed).districts
    rows = []
    for month in MONTHS:
        now = d[d["month"] == month]
        city = np.average(now["price_eur_m2"], weights=now["population"])
        price = float(now.loc[now["district"] == DISTRICT, "price_eur_m2"].iloc[0])
        rows.append(
            {
                "scale": scale,
                "seed": seed,
                "month": month,
                "relative_price": round(float(price / city), 5),
                "max_min_price_ratio": round(
                    float(now["price_eur_m2"].max() / now["price_eur_m2"].min()), 4
                ),
            }
        )
    start = rows[0]["relative_price"]
    for row in rows:
        row["relative_to_month0"] = round(float(row["relative_price"]) / float(start), 4)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(RESULTS / "cheapest_district.csv"))
    args = parser.parse_args()
    rows = [row for scale in (0.05, 0.1, 1.0) for row in measure(scale)]
    for row in rows:
        print(row)
    write_rows(rows, args.out)


if __name__ == "__main__":
    main()
