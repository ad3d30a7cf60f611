"""The command line: ``districtsim run`` and ``districtsim validate``.

Good runs write the promised tables and metadata; every user mistake is one
line on stderr (file, key path, value found, what is expected) with exit
status 2 and never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from districtsim import __version__
from districtsim.cli import main
from districtsim.params import SECTIONS
from districtsim.scenario import SCENARIO_DIR

SCENARIOS = SCENARIO_DIR
TWO = SCENARIOS / "two_districts.toml"
TINY = ["--months", "6", "--scale", "0.01", "--quiet"]

DISTRICT_COLUMNS = [
    "population",
    "dwellings",
    "vacancies",
    "price_eur_m2",
    "identity",
    "liveability",
    "reputation",
    "attractiveness",
    "participation_rate",
    "channel_coverage",
    "outside_visibility",
    "collective_knowledge_person_months",
    "competence_inside_persons",
    "competence_outside_persons",
    "moves_in_persons",
    "moves_out_persons",
    "moves_out_burden_persons",
    "local_firms",
    "mode",
]
CITY_COLUMNS = ["price_gini", "displacement_persons"]
OUTPUTS = ("districts", "city", "events")


# ---------------------------------------------------------------- helpers
def two_text() -> str:
    return TWO.read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, f"test setup: expected {old!r} in two_districts.toml"
    return text.replace(old, new, 1)


def write_scenario(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def copy_csv_city(tmp_path: Path) -> Path:
    """Copy csv_city.toml and its data folder into tmp_path; return the TOML path."""
    shutil.copytree(SCENARIOS / "data", tmp_path / "data")
    dst = tmp_path / "csv_city.toml"
    shutil.copy(SCENARIOS / "csv_city.toml", dst)
    return dst


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *parts: str, says_expected: bool = True) -> str:
    """Check exit 2, exactly one stderr line, no traceback, and that each part is named."""
    assert code == 2, f"expected exit status 2 for bad input, got {code}; stderr: {err!r}"
    assert "Traceback" not in err, f"expected no traceback on stderr, got: {err}"
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}: {err!r}"
    line = lines[0]
    assert line.startswith("districtsim: "), (
        f"expected the line to start with 'districtsim: ', got {line!r}"
    )
    for part in parts:
        assert part in line, f"expected {part!r} in the error line, got {line!r}"
    if says_expected:
        assert "expected" in line, f"expected the error line to say what is expected, got {line!r}"
    return line


# ------------------------------------------------------------ good runs
@pytest.fixture(scope="module")
def parquet_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small run of two_districts with a --set override and an explicit seed."""
    out = tmp_path_factory.mktemp("cli") / "out"
    code = main(
        [
            "run",
            "two_districts",
            *TINY,
            "--seed",
            "3",
            "--set",
            "mobilisation.tau=0.05",
            "--out",
            str(out),
        ]
    )
    assert code == 0, f"expected the run to succeed (exit 0), got {code}"
    return out


def test_run_writes_parquet_tables_and_meta(parquet_run: Path) -> None:
    for name in (*(f"{n}.parquet" for n in OUTPUTS), "meta.json"):
        assert (parquet_run / name).is_file(), (
            f"expected {name} in --out, found {sorted(p.name for p in parquet_run.iterdir())}"
        )
    leftovers = [p.name for p in parquet_run.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"expected no temporary files left in --out, found {leftovers}"


def test_run_prints_written_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, ["run", "two_districts", *TINY, "--out", str(out)])
    assert code == 0, f"expected exit 0, got {code}; stderr {err!r}"
    listed = {Path(line.strip()).name for line in stdout.splitlines() if line.strip()}
    assert listed == {
        "districts.parquet",
        "city.parquet",
        "events.parquet",
        "criteria.parquet",
        "meta.json",
        "report.html",
    }, f"expected the six written files on stdout, got {listed}"
    assert "Traceback" not in err, f"expected no traceback on a good run, got {err}"


def test_meta_records_scenario_after_overrides_seed_version_elapsed(parquet_run: Path) -> None:
    meta = json.loads((parquet_run / "meta.json").read_text(encoding="utf-8"))
    for key in ("scenario", "seed", "version", "elapsed_seconds"):
        assert key in meta, f"expected {key!r} in meta.json, found keys {sorted(meta)}"
    assert meta["seed"] == 3, f"expected the --seed value 3 in meta.json, got {meta['seed']}"
    assert meta["version"] == __version__, f"expected version {__version__}, got {meta['version']}"
    assert isinstance(meta["elapsed_seconds"], int | float) and meta["elapsed_seconds"] >= 0, (
        f"expected a non-negative elapsed_seconds, got {meta['elapsed_seconds']!r}"
    )
    scen = meta["scenario"]
    head = scen["scenario"]
    assert head["name"] == "two_districts", (
        f"expected scenario name two_districts, got {head['name']!r}"
    )
    assert head["months"] == 6, (
        f"expected --months 6 to show in meta scenario.months, got {head['months']}"
    )
    assert head["scale"] == pytest.approx(0.01), (
        f"expected --scale 0.01 in meta, got {head['scale']}"
    )
    assert head["seed"] == 3, f"expected --seed 3 in meta scenario.seed, got {head['seed']}"
    assert scen["params"]["mobilisation"]["tau"] == pytest.approx(0.05), (
        "expected --set mobilisation.tau=0.05 in meta params, "
        f"got {scen['params']['mobilisation']['tau']}"
    )
    # Every parameter section and every key, not just the overridden ones.
    for section, cls in SECTIONS.items():
        names = {f.name for f in dataclasses.fields(cls)}
        got = set(scen["params"].get(section, {}))
        assert got == names, (
            f"expected every parameter of [{section}] in meta.json, missing {sorted(names - got)}"
        )
    assert len(scen["districts"]) == 2, (
        f"expected both districts in meta, got {len(scen['districts'])}"
    )


def test_districts_table_has_promised_columns(parquet_run: Path) -> None:
    df = pd.read_parquet(parquet_run / "districts.parquet")
    missing = [c for c in ["month", "district", *DISTRICT_COLUMNS] if c not in df.columns]
    assert not missing, f"expected districts table columns {missing}, have {list(df.columns)}"
    assert len(df) == 6 * 2, f"expected 6 months x 2 districts = 12 rows, got {len(df)}"
    assert sorted(df["month"].unique().tolist()) == list(range(6)), (
        f"expected months 0..5, got {sorted(df['month'].unique())}"
    )
    numeric = [c for c in DISTRICT_COLUMNS if c != "mode"]
    assert not df[numeric].isna().any().any(), (
        "expected no NaN in district columns, found NaN in "
        f"{df[numeric].columns[df[numeric].isna().any()].tolist()}"
    )
    assert set(df["mode"].astype(str)) <= {"traditional", "creative"}, (
        f"expected modes traditional/creative, got {set(df['mode'])}"
    )


def test_city_table_has_gini_and_displacement(parquet_run: Path) -> None:
    df = pd.read_parquet(parquet_run / "city.parquet")
    missing = [c for c in ["month", *CITY_COLUMNS] if c not in df.columns]
    assert not missing, f"expected city table columns {missing}, have {list(df.columns)}"
    assert len(df) == 6, f"expected one city row per month (6), got {len(df)}"
    assert df["price_gini"].between(0, 1).all(), (
        f"expected price_gini in [0, 1], got {df['price_gini'].tolist()}"
    )
    assert (df["displacement_persons"] >= 0).all(), (
        f"expected non-negative displacement, got {df['displacement_persons'].tolist()}"
    )


def test_events_table_columns(parquet_run: Path) -> None:
    df = pd.read_parquet(parquet_run / "events.parquet")
    assert list(df.columns) == ["month", "district", "event", "detail", "value"], (
        f"expected the event columns, got {list(df.columns)}"
    )


def test_run_format_csv_writes_csv_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys, ["run", "two_districts", *TINY, "--format", "csv", "--out", str(out)]
    )
    assert code == 0, f"expected exit 0, got {code}; stderr {err!r}"
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "city.csv",
        "criteria.csv",
        "districts.csv",
        "events.csv",
        "meta.json",
        "report.html",
    ], f"expected csv tables, meta.json and report.html, got {names}"
    df = pd.read_csv(out / "districts.csv")
    missing = [c for c in DISTRICT_COLUMNS if c not in df.columns]
    assert not missing, f"expected the district columns in districts.csv too, missing {missing}"
    city = pd.read_csv(out / "city.csv")
    assert all(c in city.columns for c in CITY_COLUMNS), (
        f"expected {CITY_COLUMNS} in city.csv, have {list(city.columns)}"
    )


def test_run_without_scenario_runs_default_city(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys, ["run", "--months", "2", "--scale", "0.005", "--quiet", "--out", str(out)]
    )
    assert code == 0, f"expected exit 0 for the default city, got {code}; stderr {err!r}"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["scenario"]["scenario"]["name"] == "helsinki", (
        f"expected the default city helsinki, got {meta['scenario']['scenario']['name']!r}"
    )
    df = pd.read_parquet(out / "districts.parquet")
    assert df["district"].nunique() == 34, (
        f"expected 34 districts in the default city, got {df['district'].nunique()}"
    )
    assert len(df) == 2 * 34, f"expected 2 months x 34 districts, got {len(df)} rows"


def test_run_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys, ["run", str(SCENARIOS / "csv_city.toml"), *TINY, "--out", str(out)]
    )
    assert code == 0, f"expected exit 0 running a scenario by path, got {code}; stderr {err!r}"
    assert (out / "districts.parquet").is_file(), (
        "expected districts.parquet for a scenario given by path"
    )


# ------------------------------------------------------------ bad input
# Each case: (id, how to make the scenario, extra argv, parts the one line must name).
# ``file`` in the parts is replaced by the path of the file holding the mistake.
_SHOCK = '\n[[shocks]]\ndistrict = "Creative"\nmonth = {month}\nreputation = -0.2\n'


def _case_top_level_unknown(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), "[scenario]", "[mobilisaton]\ntau = 0.05\n\n[scenario]")
    )
    return p, p


def _case_scenario_unknown(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, replace_once(two_text(), "seed = 1", "seed = 1\nhorizon = 12"))
    return p, p


def _case_param_unknown(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, two_text() + "\n[mobilisation]\ntaux = 0.05\n")
    return p, p


def _case_district_unknown(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path,
        replace_once(two_text(), 'mode = "traditional"', 'mode = "traditional"\ncolour = "red"'),
    )
    return p, p


def _case_wrong_type(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), "population = 20000", 'population = "20000"')
    )
    return p, p


def _case_param_wrong_type(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, two_text() + '\n[mobilisation]\ntau = "low"\n')
    return p, p


def _case_out_of_range(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), "price_eur_m2 = 4500", "price_eur_m2 = 50")
    )
    return p, p


def _case_share_out_of_range(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), "share_owner = 0.45", "share_owner = 1.5")
    )
    return p, p


def _case_param_out_of_range(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, two_text() + "\n[mobilisation]\ntau = -1.0\n")
    return p, p


def _case_scale_out_of_range(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, replace_once(two_text(), "scale = 0.05", "scale = 2.0"))
    return p, p


def _case_unknown_neighbour(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), 'neighbours = ["Creative"]', 'neighbours = ["Creativ"]')
    )
    return p, p


def _case_adjacency_missing_district(tmp_path: Path) -> tuple[Path, Path]:
    toml = copy_csv_city(tmp_path)
    adj = tmp_path / "data" / "example_adjacency.csv"
    adj.write_text(adj.read_text(encoding="utf-8") + "Harbour,Atlantis\n", encoding="utf-8")
    return toml, adj


def _case_shock_outside_horizon(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, two_text() + _SHOCK.format(month=240))
    return p, p


def _case_shock_negative_month(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, two_text() + _SHOCK.format(month=-1))
    return p, p


def _case_shock_unknown_district(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, two_text() + _SHOCK.format(month=3).replace('"Creative"', '"Atlantis"')
    )
    return p, p


def _case_shock_after_months_override(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, two_text() + _SHOCK.format(month=10))
    return p, p


def _case_good(tmp_path: Path) -> tuple[Path, Path]:
    return TWO, TWO


def _case_missing_file(tmp_path: Path) -> tuple[Path, Path]:
    p = tmp_path / "no_such_scenario.toml"
    return p, p


def _case_duplicate_name(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), 'name = "Creative"', 'name = "Traditional"')
    )
    return p, p


def _case_bad_mode(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), 'mode = "creative"', 'mode = "innovative"')
    )
    return p, p


def _case_bad_channel(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(
        tmp_path,
        replace_once(
            two_text(), 'channels = ["paper", "website"]', 'channels = ["paper", "radio"]'
        ),
    )
    return p, p


def _case_missing_key(tmp_path: Path) -> tuple[Path, Path]:
    p = write_scenario(tmp_path, replace_once(two_text(), "dwellings = 10850\n", ""))
    return p, p


BAD_CASES = [
    # id, builder, extra argv for run (validate gets the --set ones only), parts
    (
        "top_level_unknown_table",
        _case_top_level_unknown,
        [],
        ["{file}", ": mobilisaton:", "found", "a table", "did you mean 'mobilisation'?"],
    ),
    (
        "scenario_unknown_key",
        _case_scenario_unknown,
        [],
        ["{file}", "scenario.horizon", "found 12", "one of name"],
    ),
    (
        "parameter_unknown_key",
        _case_param_unknown,
        [],
        ["{file}", "mobilisation.taux", "found 0.05", "tau"],
    ),
    (
        "district_unknown_key",
        _case_district_unknown,
        [],
        ["{file}", "districts[0].colour", "found 'red'", "one of name"],
    ),
    (
        "district_missing_key",
        _case_missing_key,
        [],
        ["{file}", "districts[0].dwellings", "found missing", "dwellings"],
    ),
    (
        "wrong_type_string_for_number",
        _case_wrong_type,
        [],
        ["{file}", "districts[0].population", "found '20000'", "int"],
    ),
    (
        "parameter_wrong_type",
        _case_param_wrong_type,
        [],
        ["{file}", "mobilisation.tau", "found 'low'", "float"],
    ),
    (
        "price_out_of_range",
        _case_out_of_range,
        [],
        ["{file}", "districts[0].price_eur_m2", "found 50", "[100, 100000]"],
    ),
    (
        "share_out_of_range",
        _case_share_out_of_range,
        [],
        ["{file}", "districts[0].share_owner", "found 1.5", "[0, 1]"],
    ),
    (
        "parameter_out_of_range",
        _case_param_out_of_range,
        [],
        ["{file}", "mobilisation.tau", "found -1.0", "[1e-06, inf]"],
    ),
    (
        "scale_out_of_range",
        _case_scale_out_of_range,
        [],
        ["{file}", "scenario.scale", "found 2.0", "0.0001-1"],
    ),
    (
        "duplicate_district_name",
        _case_duplicate_name,
        [],
        ["{file}", "districts[1].name", "found 'Traditional'", "not used by another district"],
    ),
    (
        "bad_mode",
        _case_bad_mode,
        [],
        ["{file}", "districts[1].mode", "found 'innovative'", "traditional, creative"],
    ),
    (
        "bad_channel",
        _case_bad_channel,
        [],
        ["{file}", "districts[0].channels", "radio", "paper, website"],
    ),
    (
        "unknown_neighbour",
        _case_unknown_neighbour,
        [],
        ["{file}", "districts[0].neighbours", "found 'Creativ'", "name of a district"],
    ),
    (
        "adjacency_csv_missing_district",
        _case_adjacency_missing_district,
        [],
        ["{file}", "row 10, column neighbour", "found 'Atlantis'", "name of a district"],
    ),
    (
        "shock_month_outside_horizon",
        _case_shock_outside_horizon,
        [],
        ["{file}", "shocks[0].month", "found 240", "0..239"],
    ),
    (
        "shock_month_negative",
        _case_shock_negative_month,
        [],
        ["{file}", "shocks[0].month", "found -1", "0..239"],
    ),
    (
        "shock_unknown_district",
        _case_shock_unknown_district,
        [],
        ["{file}", "shocks[0].district", "found 'Atlantis'", "name of a district"],
    ),
    (
        "months_override_below_shock",
        _case_shock_after_months_override,
        ["--set", "scenario.months=6"],
        ["{file}", "shocks[0].month", "found 10", "0..5", "(--set scenario.months=6)"],
    ),
    (
        "set_unknown_section",
        _case_good,
        ["--set", "mobilisaton.tau=0.05"],
        ["--set", "mobilisaton.tau", "found 0.05", "a section", "did you mean 'mobilisation'?"],
    ),
    (
        "set_unknown_key",
        _case_good,
        ["--set", "mobilisation.taux=0.05"],
        ["--set", "mobilisation.taux", "found 0.05", "tau"],
    ),
    (
        "set_unknown_scenario_key",
        _case_good,
        ["--set", "scenario.horizon=12"],
        ["--set", "scenario.horizon", "found 12", "scenario.months"],
    ),
    (
        "set_no_equals",
        _case_good,
        ["--set", "mobilisation.tau"],
        ["--set", "mobilisation.tau", "section.key=value"],
    ),
    (
        "set_no_section",
        _case_good,
        ["--set", "tau=0.05"],
        ["--set", "tau=0.05", "section.key=value"],
    ),
    (
        "set_out_of_range",
        _case_good,
        ["--set", "scenario.scale=2"],
        ["--set", "scenario.scale", "found 2.0", "0.0001-1"],
    ),
    (
        "set_wrong_type",
        _case_good,
        ["--set", "scenario.months=twelve"],
        ["--set", "scenario.months", "found 'twelve'", "int"],
    ),
    (
        "missing_scenario_file",
        _case_missing_file,
        [],
        ["{file}", "found missing", "an existing scenario file"],
    ),
]


def _resolve(parts: list[str], file: Path) -> list[str]:
    return [p.replace("{file}", str(file)) for p in parts]


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize(
    ("case", "build", "extra", "parts"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
def test_bad_input_is_one_line_with_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    case: str,
    build,
    extra: list[str],
    parts: list[str],
) -> None:
    scenario, culprit = build(tmp_path)
    out = tmp_path / "out"
    argv = [command, str(scenario), *extra]
    if command == "run":
        argv += [*TINY, "--out", str(out)]
    code, stdout, err = run_cli(capsys, argv)
    assert_one_line_error(code, err, *_resolve(parts, culprit))
    assert not out.exists(), (
        f"expected nothing written to --out for bad input ({case}), found {out}"
    )
    assert "ok" not in stdout, f"expected no 'ok' on stdout for bad input ({case}), got {stdout!r}"


def test_months_option_below_shock_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, _ = _case_shock_after_months_override(tmp_path)
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys,
        ["run", str(scenario), "--months", "6", "--scale", "0.01", "--quiet", "--out", str(out)],
    )
    line = assert_one_line_error(
        code, err, str(scenario), "shocks[0].month", "found 10", "0..5", "(--months 6)"
    )
    assert "--set" not in line, (
        f"expected the hint to name --months, the option typed, not --set: {line!r}"
    )
    assert not out.exists(), "expected nothing written when --months cuts a shock off the horizon"


def test_months_option_keeping_shock_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write_scenario(tmp_path, two_text() + _SHOCK.format(month=2), "shock.toml")
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, ["run", str(scenario), *TINY, "--out", str(out)])
    assert code == 0, f"expected a shock inside the horizon to run, got exit {code}: {err!r}"
    events = pd.read_parquet(out / "events.parquet")
    shocks = events[events["event"] == "shock"]
    assert len(shocks) == 1 and int(shocks["month"].iloc[0]) == 2, (
        f"expected one shock event at month 2, got {shocks.to_dict('records')}"
    )


# Values of --months, --scale and --seed that parse but are out of range: reported under the
# option typed.
OPTION_CASES = [
    (
        "months_zero",
        ["--months", "0"],
        "--months: found 0; expected an integer number of months, 1-1200",
    ),
    (
        "months_too_long",
        ["--months", "1201"],
        "--months: found 1201; expected an integer number of months, 1-1200",
    ),
    (
        "scale_above_one",
        ["--scale", "2"],
        "--scale: found 2.0; expected a fraction of the real population, 0.0001-1",
    ),
    (
        "scale_zero",
        ["--scale", "0"],
        "--scale: found 0.0; expected a fraction of the real population, 0.0001-1",
    ),
    (
        "scale_nan",
        ["--scale", "nan"],
        "--scale: found nan; expected a fraction of the real population, 0.0001-1",
    ),
    ("seed_negative", ["--seed", "-1"], "--seed: found -1; expected a non-negative integer"),
]


@pytest.mark.parametrize(
    ("case", "option", "expected"), OPTION_CASES, ids=[c[0] for c in OPTION_CASES]
)
def test_bad_option_value_is_reported_under_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, option: list[str], expected: str
) -> None:
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        capsys, ["run", "two_districts", "--quiet", "--months", "6", *option, "--out", str(out)]
    )
    line = assert_one_line_error(code, err, option[0])
    assert line == f"districtsim: {expected}", (
        f"expected the line {expected!r} for {' '.join(option)}, got {line!r}"
    )
    assert "--set" not in line and "scenario." not in line, (
        f"expected the option typed, not an override, to be named: {line!r}"
    )
    assert stdout == "" and not out.exists(), f"expected nothing written for {' '.join(option)}"


def test_option_overrides_set_and_set_errors_still_name_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys,
        [
            "run",
            "two_districts",
            "--quiet",
            "--set",
            "scenario.months=0",
            "--months",
            "6",
            "--out",
            str(out),
        ],
    )
    line = assert_one_line_error(code, err, "--set: scenario.months", "found 0")
    assert "--months" not in line, f"expected a bad --set to be reported under --set, got {line!r}"
    code, _, err = run_cli(
        capsys, ["run", "two_districts", *TINY, "--set", "scenario.months=3", "--out", str(out)]
    )
    assert code == 0, f"expected --months to be applied after --set, got exit {code}: {err!r}"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["scenario"]["scenario"]["months"] == 6, (
        "expected --months 6 to win over --set scenario.months=3, "
        f"got {meta['scenario']['scenario']['months']}"
    )


# Values argparse cannot convert, and other argparse mistakes: one line, no usage block.
ARGPARSE_CASES = [
    (
        "months_not_integer",
        ["run", "--months", "abc"],
        "districtsim: --months: found 'abc'; expected an integer",
    ),
    (
        "months_decimal",
        ["run", "--months", "6.5"],
        "districtsim: --months: found '6.5'; expected an integer",
    ),
    (
        "scale_not_number",
        ["run", "--scale", "tenth"],
        "districtsim: --scale: found 'tenth'; expected a number",
    ),
    (
        "seed_not_integer",
        ["run", "--seed", "x1"],
        "districtsim: --seed: found 'x1'; expected an integer",
    ),
    (
        "format_unknown",
        ["run", "--format", "xlsx"],
        "districtsim: --format: found 'xlsx'; expected one of parquet, csv",
    ),
    (
        "command_unknown",
        ["simulate"],
        "districtsim: command: found 'simulate'; expected one of run, compare, sweep, analyze, "
        "dashboard, validate",
    ),
]


@pytest.mark.parametrize(
    ("case", "argv", "expected"), ARGPARSE_CASES, ids=[c[0] for c in ARGPARSE_CASES]
)
def test_argparse_errors_are_one_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, argv: list[str], expected: str
) -> None:
    code, stdout, err = run_cli(
        capsys, [*argv, "--out", str(tmp_path / "out")] if argv[0] == "run" else argv
    )
    line = assert_one_line_error(code, err)
    assert line == expected, f"expected {expected!r}, got {line!r}"
    assert "usage:" not in err and stdout == "", (
        f"expected no usage block, got stdout {stdout!r}, stderr {err!r}"
    )


@pytest.mark.parametrize(
    "argv",
    [["run", "--months"], ["run", "--no-such-option"], [], ["validate"]],
    ids=["missing_value", "unknown_option", "no_command", "validate_without_scenario"],
)
def test_other_argparse_errors_are_one_line_pointing_to_help(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = run_cli(capsys, argv)
    line = assert_one_line_error(code, err, "--help", says_expected=False)
    assert "usage:" not in err, f"expected no usage block, got {err!r}"
    assert not line.startswith("districtsim: argument "), (
        f"expected argparse's 'argument' prefix dropped, got {line!r}"
    )


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["run", "--help"], ["compare", "--help"], ["validate", "--help"]],
    ids=["top", "run", "compare", "validate"],
)
def test_help_is_intact(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, stdout, err = run_cli(capsys, argv)
    assert code == 0, f"expected exit 0 for {' '.join(argv)}, got {code}"
    prog = " ".join(["districtsim", *argv[:-1]])
    assert stdout.startswith(f"usage: {prog} "), (
        f"expected the usage of {prog} first, got {stdout[:80]!r}"
    )
    assert "options:" in stdout and err == "", (
        f"expected the full help on stdout and nothing on stderr, got {err!r}"
    )
    if argv[0] == "run":
        for option in ("--seed", "--months", "--scale", "--set", "--format", "--out", "--quiet"):
            assert option in stdout, f"expected {option} documented in run --help"
    if argv[0] == "compare":
        for option in (
            "--replicates",
            "--workers",
            "--seed",
            "--months",
            "--scale",
            "--set",
            "--out",
            "--quiet",
        ):
            assert option in stdout, f"expected {option} documented in compare --help"


def test_subprocess_argparse_type_error_one_line(tmp_path: Path) -> None:
    proc = _subprocess(
        ["run", "two_districts", "--months", "abc", "--out", str(tmp_path / "out")], tmp_path
    )
    line = assert_one_line_error(proc.returncode, proc.stderr)
    assert line == "districtsim: --months: found 'abc'; expected an integer", (
        f"expected the one-line type error, got {line!r}"
    )
    assert proc.stdout == "" and not (tmp_path / "out").exists(), "expected nothing written"


def test_subprocess_bad_months_value_names_the_option(tmp_path: Path) -> None:
    proc = _subprocess(
        ["run", "two_districts", "--months", "0", "--out", str(tmp_path / "out")], tmp_path
    )
    line = assert_one_line_error(proc.returncode, proc.stderr)
    assert line == "districtsim: --months: found 0; expected an integer number of months, 1-1200", (
        f"got {line!r}"
    )


def test_toml_syntax_error_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = replace_once(two_text(), "population = 20000", "population = 20 000")
    lineno = text.splitlines().index("population = 20 000") + 1
    path = write_scenario(tmp_path, text)
    for command in ("validate", "run"):
        argv = [command, str(path)] + (
            [*TINY, "--out", str(tmp_path / "out")] if command == "run" else []
        )
        code, _, err = run_cli(capsys, argv)
        line = assert_one_line_error(code, err, str(path), "invalid TOML")
        assert f"line {lineno}" in line and "column" in line, (
            f"expected the TOML error to name line {lineno} and a column, got {line!r}"
        )


def test_validate_and_run_give_the_same_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = _case_out_of_range(tmp_path)
    _, _, err_validate = run_cli(capsys, ["validate", str(path)])
    _, _, err_run = run_cli(capsys, ["run", str(path), *TINY, "--out", str(tmp_path / "out")])
    assert err_validate == err_run, (
        f"expected validate and run to report the same line, got {err_validate!r} vs {err_run!r}"
    )


# ---------------------------------------------- bad input: known src gaps
def _nan_price(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    p = write_scenario(
        tmp_path, replace_once(two_text(), "price_eur_m2 = 4500", "price_eur_m2 = nan")
    )
    return p, [], [str(p), "districts[0].price_eur_m2", "nan"]


def _nan_amenity(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    p = write_scenario(tmp_path, replace_once(two_text(), "amenity = 0.5", "amenity = nan"))
    return p, [], [str(p), "districts[0].amenity", "nan"]


def _nan_set_scale(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    return TWO, ["--set", "scenario.scale=nan"], ["--set", "scenario.scale", "nan"]


def _nan_set_param(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    return TWO, ["--set", "mobilisation.tau=nan"], ["--set", "mobilisation.tau", "nan"]


def _csv_extra_field(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    toml = copy_csv_city(tmp_path)
    csv_path = tmp_path / "data" / "example_districts.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    lines[1] += ",surplus"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return toml, [], [str(csv_path), "row 2"]


def _csv_not_utf8(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    toml = copy_csv_city(tmp_path)
    csv_path = tmp_path / "data" / "example_districts.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace(b"Harbour", b"H\xe4rbour"))
    return toml, [], [str(csv_path)]


GAP_CASES = [
    pytest.param(_nan_price, id="nan_price"),
    pytest.param(_nan_amenity, id="nan_amenity"),
    pytest.param(_nan_set_scale, id="nan_set_scale"),
    pytest.param(_nan_set_param, id="nan_set_param"),
    pytest.param(_csv_extra_field, id="csv_extra_field"),
    pytest.param(_csv_not_utf8, id="csv_not_utf8"),
]


@pytest.mark.parametrize("build", GAP_CASES)
def test_bad_input_known_gaps(tmp_path: Path, capsys: pytest.CaptureFixture[str], build) -> None:
    scenario, extra, parts = build(tmp_path)
    code, _, err = run_cli(capsys, ["validate", str(scenario), *extra])
    assert_one_line_error(code, err, *parts)


def test_csv_with_utf8_bom_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = copy_csv_city(tmp_path)
    csv_path = tmp_path / "data" / "example_districts.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    code, stdout, err = run_cli(capsys, ["validate", str(toml)])
    assert code == 0 and "ok" in stdout, (
        f"expected a UTF-8 CSV with a byte-order mark to load, got exit {code}: {err!r}"
    )


# ------------------------------------------------------------ validate
BUNDLED = sorted(SCENARIOS.glob("*.toml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_validate_bundled_scenarios_ok(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    for arg in (str(path), path.stem):
        code, stdout, err = run_cli(capsys, ["validate", arg])
        assert code == 0, f"expected validate {arg} to succeed, got exit {code}: {err!r}"
        assert ": ok (" in stdout, f"expected 'ok' from validate {arg}, got {stdout!r}"
        assert err == "", f"expected nothing on stderr from validate {arg}, got {err!r}"


def test_validate_checks_overrides_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run_cli(
        capsys,
        [
            "validate",
            "two_districts",
            "--set",
            "scenario.months=12",
            "--set",
            "associations.festival_months=[5,11]",
        ],
    )
    assert code == 0 and "12 months" in stdout, (
        f"expected validate to apply good overrides, got exit {code}, stdout {stdout!r}, "
        f"stderr {err!r}"
    )


# ----------------------------------------------------- unwritable --out
def test_unwritable_out_fails_before_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import districtsim.run

    def must_not_run(*args, **kwargs):
        raise AssertionError("expected the output folder to be checked before the run starts")

    monkeypatch.setattr(districtsim.run, "run_scenario", must_not_run)
    blocker = tmp_path / "file.txt"
    blocker.write_text("a regular file\n", encoding="utf-8")
    out = blocker / "sub"
    started = time.perf_counter()
    code, _, err = run_cli(capsys, ["run", "two_districts", "--quiet", "--out", str(out)])
    elapsed = time.perf_counter() - started
    assert_one_line_error(
        code, err, "--out", str(out), "cannot write", "choose a folder", says_expected=False
    )
    assert elapsed < 5, (
        f"expected the unwritable --out to be reported at once, took {elapsed:.1f} s"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"], (
        f"expected nothing written, found {sorted(p.name for p in tmp_path.iterdir())}"
    )
    assert blocker.read_text(encoding="utf-8") == "a regular file\n", (
        "expected the blocking file untouched"
    )


# ------------------------------------------------------- real processes
def _subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "districtsim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_subprocess_bad_scenario_exit_2_no_traceback(tmp_path: Path) -> None:
    path, _ = _case_district_unknown(tmp_path)
    proc = _subprocess(["run", str(path), *TINY, "--out", str(tmp_path / "out")], tmp_path)
    assert_one_line_error(
        proc.returncode, proc.stderr, str(path), "districts[0].colour", "found 'red'"
    )
    assert proc.stdout == "", f"expected nothing on stdout, got {proc.stdout!r}"
    assert not (tmp_path / "out").exists(), "expected no output folder for a bad scenario"


def test_subprocess_bad_set_and_missing_file(tmp_path: Path) -> None:
    proc = _subprocess(["validate", "two_districts", "--set", "mobilisation.tau"], tmp_path)
    assert_one_line_error(proc.returncode, proc.stderr, "--set", "section.key=value")
    proc = _subprocess(
        ["run", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "out")], tmp_path
    )
    assert_one_line_error(
        proc.returncode, proc.stderr, str(tmp_path / "missing.toml"), "an existing scenario file"
    )


def test_subprocess_unwritable_out_exit_2_quickly(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    out = blocker / "sub"
    started = time.perf_counter()
    proc = _subprocess(["run", "two_districts", "--out", str(out)], tmp_path)
    elapsed = time.perf_counter() - started
    assert_one_line_error(
        proc.returncode,
        proc.stderr,
        "--out",
        str(out),
        "cannot write",
        "choose a folder",
        says_expected=False,
    )
    # A full two_districts run (240 months) would take several seconds more than start-up.
    assert elapsed < 20, f"expected exit before the run starts, took {elapsed:.1f} s"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"], (
        f"expected nothing written, found {sorted(p.name for p in tmp_path.iterdir())}"
    )


def test_subprocess_good_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _subprocess(["run", "two_districts", *TINY, "--out", str(out)], tmp_path)
    assert proc.returncode == 0, f"expected exit 0, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr, f"expected no traceback, got {proc.stderr}"
    assert (out / "meta.json").is_file(), "expected meta.json from a subprocess run"
    assert not (tmp_path / "results").exists(), "expected --out to be used instead of results/"


def test_a_scale_too_small_for_two_residents_is_a_user_error(tmp_path, capsys):
    path = tmp_path / "one.toml"
    path.write_text(
        '[scenario]\nname = "one"\nmonths = 2\n\n[[districts]]\nname = "A"\nx_km = 0\ny_km = 0\n'
        "population = 100\ndwellings = 60\nshare_owner = 0.5\nshare_social = 0.2\n"
        'price_eur_m2 = 4000\nmode = "creative"\nchannels = ["paper"]\nmeeting_places = 1\n',
        encoding="utf-8",
    )
    status = main(["run", str(path), "--scale", "0.0001", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2, (
        f"expected exit status 2 for a scale that simulates one resident, got {status}"
    )
    assert "scenario.scale" in err and "Traceback" not in err, (
        f"expected a one-line error naming scenario.scale, got {err!r}"
    )


def test_progress_bar_on_a_terminal_only(tmp_path):
    import os
    import pty

    primary, secondary = pty.openpty()
    cmd = [
        sys.executable,
        "-m",
        "districtsim.cli",
        "run",
        "two_districts",
        "--months",
        "6",
        "--scale",
        "0.01",
        "--out",
        str(tmp_path / "tty"),
    ]
    proc = subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
        timeout=120,
        check=False,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, f"expected the run to succeed, got {proc.returncode}"
    assert "6/6" in tty_err and "month" in tty_err, (
        f"expected a progress bar (6/6 months) on a terminal, got {tty_err!r}"
    )
    piped = subprocess.run(
        [*cmd[:-1], str(tmp_path / "pipe")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "6/6" not in piped.stderr, (
        f"expected no progress bar when stderr is not a terminal, got {piped.stderr!r}"
    )
