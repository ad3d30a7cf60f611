"""Is the default city stationary without interventions? Issue 12's acceptance measures.

Runs ``helsinki`` (no interventions, 240 months) at each scale and seed and reports, per run:

- ``districts_participation_lost``: districts whose participation in year 0 (months 0-11) was
  at least 0.5% and in year 19 (months 228-239) is below it;
- ``districts_identity_lost``: the same for identity and 0.1 (year-0 mean vs year-19 mean);
- ``districts_lost``: the names of the districts counted in either, ``;``-separated;
- ``districts_participation_below_1pct``: districts whose year-19 participation is below 1%
  (compared across scales: the real-unit count of districts in the quiet regime);
- ``members_ratio``: the city's members per resident in year 19 over year 0;
- ``price_gini_month0`` and ``price_gini_year19`` (month 239) of district prices;
- ``sd_log_income_month0`` and ``sd_log_income_year19``: the spread (SD over districts) of the
  log of district mean income at month 0 and month 239;
- ``city_participation_year0`` and ``city_participation_year19``;
- ``quietest_district``: of the districts that started at 0.5% participation or more, the one
  with the lowest year-19 participation, with its ``quietest_participation_year0`` and
  ``_year19``, ``quietest_identity_year19`` and ``quietest_channels_year19`` (mean channels
  running in year 19): how close the quietest district comes to the floor, and whether it
  crossed it with its channels running (noise) or after losing them (a collapse).

It prints one line per run and the means over seeds with 95% t intervals, and writes the rows
to ``results/baseline_stationarity.csv`` next to this file.

Usage::

    .venv/bin/python experiments/patterns/baseline_stationarity.py   # 0.1 and 1.0, seeds 1-5
    .venv/bin/python experiments/patterns/baseline_stationarity.py --scales 0.1 --seeds 1,2
    .venv/bin/python experiments/patterns/baseline_stationarity.py --set mobilisation.tau=0.175

Issue 12's third session also wrote, at scale 0.1 over seeds 1-30,
``results/baseline_stationarity_30_seeds.csv`` (defaults) and
``results/baseline_stationarity_30_seeds_sharp_cut.csv`` (``--set
associations.volunteer_engagement_width=0 --set associations.volunteer_engagement_cut=0.45``,
the sharp volunteer cut of the rule before; docs/ODD.md section 9, item 15).

docs/ODD.md section 9 ("A stationary baseline") reports its results at the issue-12 defaults
(``results/baseline_stationarity.csv``) and before them
(``results/baseline_stationarity_before_issue12.csv``, the same script at commit b1afce3).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from common import RESULTS, ci_text, write_rows

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

PARTICIPATION_FLOOR = 0.005
IDENTITY_FLOOR = 0.1
QUIET = 0.01


def measure(scale: float, seed: int, overrides: tuple[str, ...] = ()) -> dict[str, float]:
    """Run the default city at ``scale`` and ``seed``; return the stationarity measures."""
    scen = load_scenario("helsinki", [f"scenario.scale={scale}", *overrides])
    result = run_scenario(scen, seed=seed)
    d, c = result.districts, result.city
    last = int(d["month"].max())
    year0 = d[d["month"] < 12].groupby("district", observed=True)
    year19 = d[d["month"] > last - 12].groupby("district", observed=True)
    p0, p19 = year0["participation_rate"].mean(), year19["participation_rate"].mean()
    i0, i19 = year0["identity"].mean(), year19["identity"].mean()
    members = c["members_persons"] / c["population"]
    log_income = d.assign(log_income=np.log(d["mean_income_eur"]))
    sd = log_income.groupby("month")["log_income"].std(ddof=0)
    lost = ((p0 >= PARTICIPATION_FLOOR) & (p19 < PARTICIPATION_FLOOR)) | (
        (i0 >= IDENTITY_FLOOR) & (i19 < IDENTITY_FLOOR)
    )
    started = p0[p0 >= PARTICIPATION_FLOOR]
    quietest = p19[started.index].idxmin()
    return {
        "scale": scale,
        "seed": seed,
        "districts_participation_lost": int(
            ((p0 >= PARTICIPATION_FLOOR) & (p19 < PARTICIPATION_FLOOR)).sum()
        ),
        "districts_identity_lost": int(((i0 >= IDENTITY_FLOOR) & (i19 < IDENTITY_FLOOR)).sum()),
        "districts_lost": ";".join(str(name) for name in lost[lost].index),
        "districts_participation_below_1pct": int((p19 < QUIET).sum()),
        "members_ratio": round(float(members.iloc[-12:].mean() / members.iloc[:12].mean()), 4),
        "price_gini_month0": round(float(c["price_gini"].iloc[0]), 5),
        "price_gini_year19": round(float(c["price_gini"].iloc[-1]), 5),
        "sd_log_income_month0": round(float(sd.iloc[0]), 5),
        "sd_log_income_year19": round(float(sd.iloc[-1]), 5),
        "city_participation_year0": round(float(c["participation_rate"].iloc[:12].mean()), 4),
        "city_participation_year19": round(float(c["participation_rate"].iloc[-12:].mean()), 4),
        "quietest_district": str(quietest),
        "quietest_participation_year0": round(float(p0[quietest]), 5),
        "quietest_participation_year19": round(float(p19[quietest]), 5),
        "quietest_identity_year19": round(float(i19[quietest]), 4),
        "quietest_channels_year19": round(float(year19["n_channels"].mean()[quietest]), 2),
    }


def main() -> None:
    """Run the grid of scales and seeds; print and write the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.1,1.0", help="comma-separated scales")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="parameter override, as districtsim run --set (repeatable)",
    )
    parser.add_argument("--out", default=str(RESULTS / "baseline_stationarity.csv"))
    args = parser.parse_args()
    grid = [(float(s), int(seed)) for s in args.scales.split(",") for seed in args.seeds.split(",")]
    scales, seeds = zip(*grid, strict=True)
    overrides = [tuple(args.overrides)] * len(grid)
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(measure, scales, seeds, overrides))
    for row in rows:
        print(row)
    for scale in sorted({r["scale"] for r in rows}):
        sub = [r for r in rows if r["scale"] == scale]
        print(f"scale {scale}, {len(sub)} seeds:")
        for key in list(sub[0])[2:]:
            if key == "quietest_district":
                names = sorted({r[key] for r in sub})
                print(f"  {key}: {', '.join(names)}")
                continue
            if key == "districts_lost":
                named = [f"seed {r['seed']}: {r[key]}" for r in sub if r[key]]
                print(f"  {key}: {'; '.join(named) or 'none'}")
                continue
            print(f"  {key}: {ci_text([r[key] for r in sub])}")
    write_rows(rows, args.out)


if __name__ == "__main__":
    main()
