"""Scenario discovery with EMA Workbench: where does the traditional district's civic life collapse?

Question: in the two-district city (``two_districts``: two identical districts, one
traditional and one creative), which region of the behavioural assumptions makes the
traditional district's civic life collapse (participation over its last year below 0.5% of
residents, issue 12's line, :data:`districtsim.outputs.QUIET_PARTICIPATION`), and which makes
it turn creative (its lead association creative or an innovation platform in at least half
of the last year's months)?

Design: a Latin hypercube (EMA Workbench's LHS) over seven behavioural parameters, each over
its plausible range (``docs/ODD.md`` section 10; :func:`districtsim.ema.uncertainties`), run
through :func:`districtsim.ema.districtsim_model` with ``replicates`` runs per point on the
seeds ``root + r`` (common random numbers, as sweeps). A point is a case of interest when the
event happens in at least half of its replicates. PRIM (``ema_workbench.analysis.prim``)
then peels a box around the cases; the box reported is the densest one on the peeling
trajectory whose coverage is at least ``--min-coverage`` (0.5).

Writes, into ``--out`` (default ``results/`` next to this file):

- ``experiments.csv``: one row per point: its inputs and each measure's mean over replicates;
- ``prim_<question>.csv`` (``collapse``, ``creative``): the chosen box: one row per restricted
  parameter with its limits, its plausible range and PRIM's quasi-p values, and the box's
  coverage, density, mass, cases and points on every row; no rows when a question has fewer
  than two cases (PRIM has nothing to peel);
- ``prim_<question>_tradeoff.png`` (coverage against density along the peeling trajectory,
  the chosen box ringed) and ``prim_<question>_box.png`` (the box's limits);
- ``summary.json``: the size, the seeds, the number of cases, the wall time and the versions.

Usage::

    .venv/bin/python experiments/ema_prim/scenario_discovery.py            # the documented size
    .venv/bin/python experiments/ema_prim/scenario_discovery.py --tiny --out /tmp/ema_tiny
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from districtsim import __version__, ema  # noqa: E402
from districtsim.outputs import QUIET_PARTICIPATION  # noqa: E402
from districtsim.params import param_rows  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SCENARIO = "two_districts"
DISTRICT = "Traditional"
UNCERTAINTIES = (
    "mobilisation.theta_mean",
    "mobilisation.tau",
    "population.engagement_b",
    "population.owner_engagement_bonus",
    "communication.reach_paper",
    "associations.omega_per_year",
    "population.orientation_mean_traditional",
)
"""Civic engagement (the first five) and the drift of the lead association's orientation."""
CREATIVE_MODES = ("creative", "innovation_platform")
SIZES = {
    "full": {"n": 250, "replicates": 2, "months": 240, "scale": 0.05},
    "tiny": {"n": 20, "replicates": 1, "months": 24, "scale": 0.01},
}
"""Points, replicates per point, horizon and scale of each size (``--tiny``; the default
``full`` is the size whose results are committed)."""
ROOT_SEED = 20240601
DESIGN_SEED = 1


def measures() -> list[ema.Measure]:
    """Return what each run keeps: the traditional district's last year."""
    return [
        ema.measure("participation_rate", DISTRICT, name="participation"),
        ema.measure("mode_share", DISTRICT, modes=CREATIVE_MODES, name="creative_share"),
        ema.measure("association_orientation", DISTRICT, name="orientation"),
    ]


def run(n: int, replicates: int, months: int, scale: float) -> tuple[pd.DataFrame, dict]:
    """Sample ``n`` points by LHS and run each ``replicates`` times; return EMA's results."""
    workbench = ema.workbench()
    model = ema.districtsim_model(
        SCENARIO,
        measures(),
        uncertainties=list(UNCERTAINTIES),
        months=months,
        scale=scale,
        replicates=replicates,
        root_seed=ROOT_SEED,
    )
    return workbench.perform_experiments(
        model, scenarios=n, uncertainty_sampling_kwargs={"rng": DESIGN_SEED}, log_progress=True
    )


def cases(outcomes: dict[str, np.ndarray], collapse_below: float) -> dict[str, np.ndarray]:
    """Return, per question, whether each point is a case (the event in >= half its runs)."""
    return {
        "collapse": (outcomes["participation"] < collapse_below).mean(axis=1) >= 0.5,
        "creative": (outcomes["creative_share"] >= 0.5).mean(axis=1) >= 0.5,
    }


def discover(x: pd.DataFrame, y: np.ndarray, min_coverage: float) -> tuple[object, int]:
    """Run PRIM on ``x`` for the cases ``y``; return the box and its chosen index."""
    from ema_workbench.analysis import prim

    box = prim.Prim(x, y).find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    best = eligible.sort_values(["density", "coverage"], ascending=False).index[0]
    return box, int(best)


def box_rows(question: str, box: object, i: int, n_cases: int) -> list[dict[str, object]]:
    """Return the chosen box as rows: one per restricted parameter, with the box's stats."""
    plausible = {f"{r['section']}.{r['name']}": r["plausible"] for r in param_rows()}
    stats, limits = box.inspect(i, style="data")[0]
    rows = []
    for name in limits.index:
        low, high, qp_low, qp_high = limits.loc[name].to_numpy(dtype=float)
        path = ema.parameter_path(name)
        rows.append(
            {
                "question": question,
                "box": i,
                "coverage": float(stats["coverage"]),
                "density": float(stats["density"]),
                "mass": float(stats["mass"]),
                "cases": n_cases,
                "points": len(box.prim.y),
                "parameter": path,
                "low": low,
                "high": high,
                "plausible_low": plausible[path][0],
                "plausible_high": plausible[path][1],
                "qp_low": qp_low,
                "qp_high": qp_high,
            }
        )
    return rows


BOX_COLUMNS = [
    "question",
    "box",
    "coverage",
    "density",
    "mass",
    "cases",
    "points",
    "parameter",
    "low",
    "high",
    "plausible_low",
    "plausible_high",
    "qp_low",
    "qp_high",
]


def plot(box: object, i: int, question: str, out: Path) -> list[Path]:
    """Write the peeling trajectory (chosen box ringed) and the box's limits as PNG files."""
    import matplotlib.pyplot as plt

    fig = box.show_tradeoff()
    ax = fig.axes[0]
    chosen = box.peeling_trajectory.loc[i]
    ax.scatter(
        [chosen["coverage"]], [chosen["density"]], s=160, facecolors="none", edgecolors="red"
    )
    ax.set_title(f"{question}: PRIM peeling trajectory (box {i} ringed)")
    paths = [out / f"prim_{question}_tradeoff.png", out / f"prim_{question}_box.png"]
    fig.savefig(paths[0], dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    fig = box.inspect(i, style="graph")[0]
    fig.savefig(paths[1], dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return paths


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the design, PRIM for each question, and write the files; return the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="the test's size (seconds)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--n", type=int, help="LHS points (default: the size's)")
    parser.add_argument("--replicates", type=int, help="runs per point (default: the size's)")
    parser.add_argument(
        "--collapse-below",
        type=float,
        default=QUIET_PARTICIPATION,
        help="participation under which civic life counts as collapsed (default 0.005)",
    )
    parser.add_argument("--min-coverage", type=float, default=0.5, help="of the chosen box")
    args = parser.parse_args(argv)
    size = dict(SIZES["tiny" if args.tiny else "full"])
    size |= {k: getattr(args, k) for k in ("n", "replicates") if getattr(args, k) is not None}
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    experiments, outcomes = run(**size)
    seconds = time.perf_counter() - started
    x = experiments[[ema.ema_name(p) for p in UNCERTAINTIES]]
    table = x.rename(columns=ema.parameter_path).assign(
        **{k: v.mean(axis=1) for k, v in outcomes.items()}
    )
    table.to_csv(args.out / "experiments.csv", index_label="point")

    summary: dict[str, object] = {
        "scenario": SCENARIO,
        "district": DISTRICT,
        **size,
        "uncertainties": list(UNCERTAINTIES),
        "root_seed": ROOT_SEED,
        "design_seed": DESIGN_SEED,
        "collapse_below": args.collapse_below,
        "min_coverage": args.min_coverage,
        "runs": size["n"] * size["replicates"],
        "run_seconds": round(seconds, 1),
        "districtsim": __version__,
        "ema_workbench": ema.workbench().__version__,
        "cases": {},
    }
    for question, y in cases(outcomes, args.collapse_below).items():
        summary["cases"][question] = int(y.sum())
        rows: list[dict[str, object]] = []
        if y.sum() >= 2:
            with ema.known_warnings_ignored():  # EMA 3.0's PRIM under pandas 3.1
                box, i = discover(x, y, args.min_coverage)
                rows = box_rows(question, box, i, int(y.sum()))
                plot(box, i, question, args.out)
        pd.DataFrame(rows, columns=BOX_COLUMNS).to_csv(
            args.out / f"prim_{question}.csv", index=False
        )
        print(f"{question}: {int(y.sum())} cases of {len(y)} points; {len(rows)} limits")
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({summary['runs']} runs in {seconds:.0f} s)")
    return summary


if __name__ == "__main__":
    main()
