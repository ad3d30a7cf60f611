"""P3 Operating mode matters, mobilisation part (MODEL sections 1 and 7) [S5].

At equal starting resources (``scenarios/two_districts.toml``: two identical
adjacent districts that differ only in ``mode``) the traditional district
mobilises fewer residents than the creative one.

Design: two_districts at scale 0.05 (1,000 simulated residents per district)
for 96 months (8 years), replicate seeds 1-10. For each seed and district the
monthly ``participation_rate`` and ``active_persons`` are averaged over the
horizon; the statistics are over seeds, paired by seed (both districts share
the run), with 95% Student-t confidence intervals.

Asserted (measured at the defaults of issue 12's third session, mean [95% CI]
over the 10 seeds; before issue 12: +0.210, 0.253 vs 0.042, ratio 0.17):
- creative minus traditional participation rate > 0
  (measured +0.058 [0.052, 0.064]: 0.097 creative vs 0.039 traditional);
- creative minus traditional active persons > 0
  (measured +1,220 [1,098, 1,343] persons: 2,033 vs 812);
- traditional / creative, per seed, is at most ``MAX_RATIO`` = 0.5 at the upper
  CI bound, for both measures (measured 0.40 [0.36, 0.44] for the rate and
  for persons). P3 only says "fewer"; 0.5 is a bound with a
  wide margin that a regression toward equal mobilisation would still break.
- outside reach: the creative district's outside visibility (MODEL 5.1,
  ``E_d = 1 - prod_c(1 - e_c)`` over running channels) is not lower than the
  traditional one's in any seed. Both start with the same channels; the
  creative district's developer network adds a social-media group in the
  first months; measured before issue 12: 0.178 vs 0.104 over the horizon (now
  a difference of 0.069 in every seed).
(Before association kinds: +0.095 [0.080, 0.111], 0.125 vs 0.029, ratio
0.24; the creative district's developer network adds events and the
social-media group.)

Not asserted, because it does not hold with the current rules: the creative
district does NOT reach more outside competence. ``competence_outside_persons``
counts active competent people in *other* districts tied to the district's
active residents; in a two-district city the creative district's outside
competence is the traditional district's (small) mobilisation and vice versa.
Measured before issue 12: creative 43.7 vs traditional 72.1 persons,
difference -28.4 [-38.2, -18.7] (not re-measured since). Partnerships with
outside firms and research institutes (MODEL 5.5), the proper measure of
reaching outside actors, are tested in
``test_p3_p4_p6_program.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from replicates import mean_ci

from districtsim.run import run_scenario
from districtsim.scenario import load_scenario

pytestmark = pytest.mark.slow

MONTHS = 96
SCALE = 0.05
SEEDS = list(range(1, 11))
MAX_RATIO = 0.5
COLUMNS = [
    "participation_rate",
    "active_persons",
    "outside_visibility",
    "competence_outside_persons",
]


def fmt(ci: tuple[float, float, float]) -> str:
    return f"{ci[0]:.4g} [{ci[1]:.4g}, {ci[2]:.4g}]"


@pytest.fixture(scope="module")
def horizon_means() -> dict[str, pd.DataFrame]:
    """Per column: a (seed x district) table of the mean over the horizon."""
    scenario = load_scenario(
        "two_districts", [f"scenario.months={MONTHS}", f"scenario.scale={SCALE}"]
    )
    modes = {d.name: d.mode for d in scenario.districts}
    assert sorted(modes.values()) == ["creative", "traditional"], (
        f"expected one creative and one traditional district, got {modes}"
    )
    rows = []
    for seed in SEEDS:
        df = run_scenario(scenario, seed=seed).districts
        assert len(df) == MONTHS * 2
        means = df.groupby("district")[COLUMNS].mean()
        for name, row in means.iterrows():
            rows.append({"seed": seed, "mode": modes[name], **row.to_dict()})
    table = pd.DataFrame(rows)
    return {c: table.pivot(index="seed", columns="mode", values=c) for c in COLUMNS}


@pytest.mark.parametrize("column", ["participation_rate", "active_persons"])
def test_traditional_mobilises_fewer_residents(horizon_means, column):
    t = horizon_means[column]
    diff = mean_ci((t["creative"] - t["traditional"]).to_numpy())
    ratio = mean_ci((t["traditional"] / t["creative"]).to_numpy())
    summary = (
        f"{column} over {MONTHS} months, {len(SEEDS)} seeds: creative "
        f"{fmt(mean_ci(t['creative']))}, traditional {fmt(mean_ci(t['traditional']))}, "
        f"creative - traditional {fmt(diff)}, traditional / creative {fmt(ratio)}"
    )
    assert diff[1] > 0, (
        "P3: expected the creative district to mobilise more (95% CI of the paired "
        f"difference above 0); {summary}"
    )
    assert ratio[2] < MAX_RATIO, (
        f"P3: expected the traditional district to mobilise at most {MAX_RATIO:.0%} of the "
        f"creative level (upper 95% CI bound); {summary}"
    )


def test_creative_outside_visibility_not_lower(horizon_means):
    t = horizon_means["outside_visibility"]
    diff = (t["creative"] - t["traditional"]).to_numpy()
    assert np.all(diff >= -1e-12), (
        "expected the creative district's outside visibility not to be lower in any seed; "
        f"creative - traditional per seed: {np.round(diff, 4)}"
    )
