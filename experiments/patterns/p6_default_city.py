"""P6 in the default city: why the competitive call does not widen the price Gini, and when it does.

Runs ``innovation_call`` (the default city with the program) under
competitive and equal allocation on the same seeds, and the same two arms
in a counterfactual city where the three expensive creative districts
(Vironniemi, Kampinmalmi, Lauttasaari) get a forum and one meeting place,
like the creative districts that win the call (Kallio, Vallila, ...).
Prints, per city, competitive minus equal final ``price_gini`` (mean and
95% t-interval over the seeds), the same difference for the Gini of 20-year
innovations among the first call's applicants, the strong applicants' month-0
price against the weak ones' (strong: above the median of the funder's first
score) and each creative district's grants per arm, and writes the per-seed
rows to ``results/p6_default_city.csv`` next to this file.

Measured at the defaults of issue 12's third session (40 seeds, scale 0.02, 240 months,
about 5-12 minutes on 2 cores; ``results/p6_default_city.csv``):

- default city: -0.0014 [-0.0024, -0.0004]: the competitive call narrows the Gini a little.
  The innovation Gini among the applicants widens by +0.180 [+0.169, +0.190] (cumulative
  advantage in what the call funds), and the strong applicants are the cheaper ones: their
  month-0 log price is -0.24 below the weak ones' on average (-0.46 to +0.16 by seed; dearer
  in 1 seed of 40). The call funds mid- and low-priced creative districts with meeting
  places and forums (Kallio, Herttoniemi, Vanhakaupunki, Vallila, Vuosaari, Malmi: 2.6-4.0
  MEUR per run against 2.2 under equal allocation); the expensive creative centre scores low
  on the structure, knowledge and competence criteria (Kampinmalmi 0.05, Lauttasaari 0.13,
  Vironniemi 1.5 MEUR against about 2.1); traditional districts, the most expensive among
  them, never apply. Before the third session's correction of movers' owner bonus -0.0012
  [-0.0024, +0.0001]; at the second issue-12 defaults -0.0019 [-0.0033, -0.0005], at the
  first -0.0012 [-0.0021, -0.0002]; before issue 12 (20 seeds) -0.0014 [-0.0030, +0.0002];
- counterfactual city: +0.0016 [+0.0005, +0.0026]: the call now funds the expensive centre
  (3.2-3.6 MEUR each), the strong applicants are the dearer ones (+0.16 on average, dearer
  in 33 seeds of 40), and the Gini widens a little (innovation Gini +0.160 [+0.146,
  +0.174]). Before the third session's correction of movers' owner bonus +0.0006 [-0.0006,
  +0.0018]; at the second issue-12 defaults +0.0014 [+0.0000, +0.0029], at the first +0.0018
  [+0.0007, +0.0030]; before issue 12 (20 seeds) +0.0017 [+0.0004, +0.0030].

Usage::

    .venv/bin/python experiments/patterns/p6_default_city.py            # 20 seeds
    .venv/bin/python experiments/patterns/p6_default_city.py --seeds 6
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
from pathlib import Path

import numpy as np
from scipy import stats

from districtsim.criteria import criteria, score
from districtsim.results import DISTRICT_COLUMNS, RunResult, weighted_gini
from districtsim.run import run_scenario
from districtsim.scenario import Scenario, load_scenario

CENTRE = ("Vironniemi", "Kampinmalmi", "Lauttasaari")


def counterfactual(scen: Scenario) -> Scenario:
    """Return ``scen`` with a forum and one meeting place in each of the CENTRE districts."""
    districts = tuple(
        dataclasses.replace(
            d,
            channels=(*d.channels, "forum") if "forum" not in d.channels else d.channels,
            meeting_places=max(d.meeting_places, 1),
        )
        if d.name in CENTRE
        else d
        for d in scen.districts
    )
    return dataclasses.replace(scen, districts=districts)


def applicant_measures(res: RunResult, scen: Scenario) -> dict[str, float]:
    """Of the first call's applicants: innovation Gini, and the strong half's price at month 0.

    The strong half are the applicants above the median of the funder's score of the first four
    recorded months (the evidence of the first selection, the same in both arms). Returns the
    Gini of the applicants' 20-year innovation counts (unweighted: one district, one value) and
    the log of the strong half's population-weighted mean month-0 price over the weak half's.
    """
    d = res.districts
    n = len(d["district"].cat.categories)
    g = {k: d[k].to_numpy().reshape(-1, n) for k in DISTRICT_COLUMNS}
    s0 = score(criteria(g, slice(0, 4)), scen.params.program)
    ev = res.events
    first = ev.loc[(ev.month == 0) & (ev.event == "application"), "district"].astype(str)
    applied = np.isin(list(d["district"].cat.categories), first)
    strong = applied & (s0 > np.median(s0[applied]))
    weak = applied & ~strong
    price, pop = g["price_eur_m2"][0], g["population"][0]
    return {
        "innovation_gini_applicants": weighted_gini(
            g["innovations"].sum(axis=0)[applied], np.ones(applied.sum())
        ),
        "log_price_strong_over_weak_m0": float(
            np.log(
                np.average(price[strong], weights=pop[strong])
                / np.average(price[weak], weights=pop[weak])
            )
        ),
    }


def mean_ci(x: np.ndarray) -> str:
    """Return 'mean [lo, hi]' with a 95% Student-t interval."""
    m = float(np.mean(x))
    h = float(stats.t.ppf(0.975, len(x) - 1) * np.std(x, ddof=1) / np.sqrt(len(x)))
    return f"{m:+.4f} [{m - h:+.4f}, {m + h:+.4f}]"


def main() -> None:
    """Run both cities and both allocations on the same seeds; print and write the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="replicate seeds 1..N (default 20)")
    ap.add_argument("--scale", type=float, default=0.02, help="scenario scale (default 0.02)")
    args = ap.parse_args()
    rows = []
    for city in ("default", "counterfactual"):
        diffs, inn_diffs, gaps = [], [], []
        grants = {}
        for seed in range(1, args.seeds + 1):
            gini, inn = {}, {}
            for alloc in ("competitive", "equal"):
                scen = load_scenario(
                    "innovation_call",
                    [f"scenario.scale={args.scale}", f"program.allocation={alloc}"],
                )
                scen = counterfactual(scen) if city == "counterfactual" else scen
                res = run_scenario(scen, seed=seed)
                gini[alloc] = float(res.city["price_gini"].iloc[-1])
                measures = applicant_measures(res, scen)
                inn[alloc] = measures["innovation_gini_applicants"]
                paid = (
                    res.districts.groupby("district", observed=True)["public_support_eur"].sum()
                    / 1e6
                )
                for name, v in paid[paid > 0].items():
                    grants.setdefault((name, alloc), []).append(v)
            diffs.append(gini["competitive"] - gini["equal"])
            inn_diffs.append(inn["competitive"] - inn["equal"])
            gaps.append(measures["log_price_strong_over_weak_m0"])
            rows.append(
                {
                    "city": city,
                    "seed": seed,
                    "gini_competitive": gini["competitive"],
                    "gini_equal": gini["equal"],
                    "innovation_gini_competitive": inn["competitive"],
                    "innovation_gini_equal": inn["equal"],
                    "log_price_strong_over_weak_m0": measures["log_price_strong_over_weak_m0"],
                }
            )
        print(
            f"{city}: competitive minus equal final price Gini {mean_ci(np.array(diffs))} "
            f"({args.seeds} seeds, scale {args.scale}); innovation Gini among the first call's "
            f"applicants {mean_ci(np.array(inn_diffs))}; strong over weak applicants' month-0 "
            f"log price {np.mean(gaps):+.3f} (range {np.min(gaps):+.3f} to {np.max(gaps):+.3f})"
        )
        for name in sorted({n for n, _ in grants}):
            c, e = (sum(grants.get((name, a), [])) / args.seeds for a in ("competitive", "equal"))
            print(f"  {name:15s} grants per run, MEUR: competitive {c:5.2f}  equal {e:5.2f}")
    out = Path(__file__).parent / "results" / "p6_default_city.csv"
    out.parent.mkdir(exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
