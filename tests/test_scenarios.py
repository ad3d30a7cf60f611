"""Bundled scenarios load and run.

The default city matches its calibration targets (MODEL section 7).
"""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from districtsim.errors import ScenarioError
from districtsim.model import DistrictModel
from districtsim.run import run_scenario
from districtsim.scenario import SCENARIO_DIR, load_scenario

SCENARIOS = SCENARIO_DIR
BUNDLED = sorted(SCENARIOS.glob("*.toml"))
HELSINKI_RESIDENTS = (
    695_526  # end of 2025, City of Helsinki / Statistics Finland (scenarios/README.md)
)


def test_bundled_scenarios_found() -> None:
    names = {p.stem for p in BUNDLED}
    assert {"helsinki", "two_districts", "csv_city"} <= names, (
        f"expected the three documented scenarios in scenarios/, found {sorted(names)}"
    )


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenario_loads_and_runs(path: Path) -> None:
    scenario = load_scenario(
        str(path), ["scenario.months=13", "scenario.scale=0.01"]
    )  # 13: the library's interventions start by month 12
    assert scenario.districts, f"expected districts in {path.name}"
    result = run_scenario(scenario)
    nd = len(scenario.districts)
    assert len(result.districts) == 13 * nd, (
        f"expected 13 months x {nd} districts rows for {path.name}, got {len(result.districts)}"
    )
    assert len(result.city) == 13, f"expected 13 city rows for {path.name}, got {len(result.city)}"
    # The developer network's orientation is NaN (documented) where a district has none.
    numeric = result.districts.select_dtypes("number").drop(columns="developer_network_orientation")
    assert np.isfinite(numeric.to_numpy()).all(), (
        f"expected finite district values for {path.name}, non-finite in "
        f"{numeric.columns[~np.isfinite(numeric).all()].tolist()}"
    )
    assert (result.districts["population"] > 0).all(), (
        f"expected every district of {path.name} to keep residents"
    )


# ---------------------------------------------------------------- helsinki
@pytest.fixture(scope="module")
def helsinki():
    return load_scenario("helsinki")


def _spec_arrays(scenario) -> tuple[np.ndarray, np.ndarray]:
    pop = np.array([d.population for d in scenario.districts], dtype=float)
    price = np.array([d.price_eur_m2 for d in scenario.districts], dtype=float)
    return pop, price


def test_helsinki_has_34_districts_and_its_residents(helsinki) -> None:
    assert len(helsinki.districts) == 34, (
        f"expected Helsinki's 34 basic districts, got {len(helsinki.districts)}"
    )
    total = sum(d.population for d in helsinki.districts)
    assert abs(total - HELSINKI_RESIDENTS) <= 0.01 * HELSINKI_RESIDENTS, (
        f"expected ~{HELSINKI_RESIDENTS:,} residents (within 1%), got {total:,}"
    )


def test_helsinki_price_calibration(helsinki) -> None:
    pop, price = _spec_arrays(helsinki)
    mean = np.average(price, weights=pop)
    assert 4300 <= mean <= 4700, (
        "expected a population-weighted mean price of 4,300-4,700 EUR/m2 (city mean ~4,500), "
        f"got {mean:.0f}"
    )
    ratio = price.max() / price.min()
    assert 3 <= ratio <= 5, (
        f"expected a max/min district price ratio of 3-5 (extreme areas ~4x), got {ratio:.2f}"
    )


def test_helsinki_run_reports_calibrated_city() -> None:
    """The first month of a tiny run still shows the city-level targets in real units."""
    scenario = load_scenario("helsinki", ["scenario.months=2", "scenario.scale=0.005"])
    city = run_scenario(scenario).city
    first = city.iloc[0]
    assert abs(first["population"] - HELSINKI_RESIDENTS) <= 0.01 * HELSINKI_RESIDENTS, (
        f"expected ~{HELSINKI_RESIDENTS:,} residents in real units at month 0 (within 1%), "
        f"got {first['population']:,.0f}"
    )
    assert 4300 <= first["price_eur_m2_mean"] <= 4700, (
        "expected a mean price of 4,300-4,700 EUR/m2 at month 0, got "
        f"{first['price_eur_m2_mean']:.0f}"
    )
    ratio = first["price_eur_m2_max"] / first["price_eur_m2_min"]
    assert 3 <= ratio <= 5, f"expected a max/min price ratio of 3-5 at month 0, got {ratio:.2f}"


def test_district_model_without_arguments_loads_default_city() -> None:
    model = DistrictModel()
    assert model.config.name == "helsinki", (
        f"expected DistrictModel() to load the default city helsinki, got {model.config.name!r}"
    )
    assert model.n_districts == 34, (
        f"expected 34 districts in the default city, got {model.n_districts}"
    )
    assert model.seed == model.config.seed, (
        f"expected the scenario's seed {model.config.seed}, got {model.seed}"
    )


# ---------------------------------------------------------------- CSV city
def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _csv_as_inline_toml(path: Path) -> str:
    """Rewrite csv_city.toml with inline [[districts]] tables built from its CSV rows."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    base = path.parent
    with (base / raw["districts_file"]["districts"]).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (base / raw["districts_file"]["adjacency"]).open(newline="", encoding="utf-8") as fh:
        adjacency = list(csv.DictReader(fh))
    ints = {"population", "dwellings", "meeting_places", "local_firms"}
    floats = {"x_km", "y_km", "share_owner", "share_social", "price_eur_m2", "amenity"}
    lines = ["[scenario]"] + [f"{k} = {_toml_value(v)}" for k, v in raw["scenario"].items()]
    for row in rows:
        lines += ["", "[[districts]]"]
        for key, text in row.items():
            text = text.strip()
            if key in ints:
                value: object = int(text)
            elif key in floats:
                value = float(text)
            elif key in ("channels", "neighbours"):
                value = [t.strip() for t in text.split(";") if t.strip()]
            else:
                value = text
            lines.append(f"{key} = {_toml_value(value)}")
        neighbours = [a["neighbour"] for a in adjacency if a["district"] == row["name"]]
        lines.append(f"neighbours = {_toml_value(neighbours)}")
    return "\n".join(lines) + "\n"


def test_csv_scenario_equals_inline_toml(tmp_path: Path) -> None:
    inline = tmp_path / "csv_city_inline.toml"
    inline.write_text(_csv_as_inline_toml(SCENARIOS / "csv_city.toml"), encoding="utf-8")
    overrides = ["scenario.months=12", "scenario.scale=0.02"]
    from_csv = load_scenario("csv_city", overrides)
    from_toml = load_scenario(str(inline), overrides)
    assert len(from_csv.districts) == 6, (
        f"expected the 6 districts of the CSV city, got {len(from_csv.districts)}"
    )
    assert from_csv.districts == from_toml.districts, (
        "expected the same district specs from the CSV and from the inline TOML"
    )
    assert from_csv.adjacency_pairs() == from_toml.adjacency_pairs(), (
        "expected the same adjacency from the CSV and from the inline TOML"
    )
    a, b = from_csv.to_dict(), from_toml.to_dict()
    a.pop("source")
    b.pop("source")
    assert a == b, "expected the resolved scenarios to agree apart from their source file"
    ra, rb = run_scenario(from_csv, seed=3), run_scenario(from_toml, seed=3)
    for name in ("districts", "city", "events"):
        pd.testing.assert_frame_equal(
            getattr(ra, name),
            getattr(rb, name),
            check_exact=True,
            obj=f"{name} table (CSV vs inline TOML, seed 3)",
        )


# ------------------------------------------------------------ [scenario] base
def test_base_scenario_is_merged_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "derived.toml"
    path.write_text(
        (
            "[scenario]\n"
            'base = "two_districts"\n'
            'name = "derived"\n'
            "months = 24\n"
            "\n"
            "[mobilisation]\n"
            "tau = 0.2\n"
            "\n"
            "[[interventions]]\n"
            'type = "meeting_place"\n'
            'districts = ["Traditional"]\n'
            "start_month = 3\n"
        ),
        encoding="utf-8",
    )
    base = load_scenario("two_districts")
    scen = load_scenario(str(path))
    assert (scen.name, scen.months, scen.scale, scen.seed) == (
        "derived",
        24,
        base.scale,
        base.seed,
    ), "expected this file's [scenario] keys to win and the base's to fill in"
    assert scen.districts == base.districts, "expected the base's districts when the file has none"
    assert (
        scen.params.mobilisation.tau == 0.2
        and scen.params.mobilisation.theta_mean == base.params.mobilisation.theta_mean
    ), "expected parameter keys merged one by one"
    assert [iv.type for iv in scen.interventions] == ["meeting_place"]


def test_bundled_library_scenarios_share_the_default_city() -> None:
    city = load_scenario("helsinki").districts
    for name in (
        "baseline",
        "resident_houses",
        "local_media",
        "innovation_call",
        "call_without_continuation",
        "matchmaking",
        "coaching",
        "housing_construction",
        "displacement_measure",
    ):
        scen = load_scenario(name)
        assert scen.districts == city, (
            f"expected {name} to run on the default city's districts (so compare can pair it "
            "with baseline)"
        )
        assert (
            (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8").lstrip().startswith("#")
        ), f"expected {name}.toml to open with a comment stating its question"
    assert load_scenario("call_without_continuation").params.program.enabled, (
        "expected a base's base (innovation_call -> helsinki) to be merged too"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[scenario]\nbase = "nowhere"\n', "scenario.base"),
        ("[scenario]\nbase = 3\n", "scenario.base"),
        (
            '[scenario]\nbase = "self.toml"\n',
            "does not (directly or through its own base) name this file",
        ),
    ],
)
def test_bad_base_is_a_one_line_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "self.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(path))
    assert expected in str(err.value) and "\n" not in str(err.value), (
        f"expected a one-line error with '{expected}', got {err.value}"
    )


def test_the_dict_api_takes_numpy_and_pandas_scalars() -> None:
    """What notebooks, SALib and EMA Workbench hand over: numpy scalars, pandas row values."""
    base = load_scenario("two_districts")
    row = pd.DataFrame({"ties": [8], "tau": [0.05]}).iloc[0]  # numpy scalars, as from a table
    scen = base.with_values(
        {
            "network.ties_per_resident": np.int64(8),
            "mobilisation.tau": row["tau"],
            "program.enabled": np.bool_(True),
            "scenario.months": np.int32(24),
            "scenario.scale": np.float32(0.5),
        }
    )
    assert scen.params.network.ties_per_resident == 8
    assert type(scen.params.network.ties_per_resident) is int
    assert scen.params.mobilisation.tau == 0.05 and type(scen.params.mobilisation.tau) is float
    assert scen.params.program.enabled is True and scen.months == 24 and scen.scale == 0.5
    with pytest.raises(ScenarioError) as info:
        base.with_values({"network.ties_per_resident": np.float64(8.5)})
    assert info.value.file == "Scenario.with_values", "expected the error to name the dict API"
    assert info.value.key == "network.ties_per_resident"


@pytest.mark.parametrize(
    "order",
    [
        ("program.state_share", "program.municipality_share"),
        ("program.municipality_share", "program.state_share"),
    ],
)
def test_overrides_are_checked_together_whatever_their_order(order: tuple[str, str]) -> None:
    """Lowering one share and raising the other is valid in either order (0.7 + 0.2 <= 1)."""
    base = load_scenario("two_districts")
    assert base.params.program.municipality_share + 0.7 > 1, "the test needs a clash midway"
    values = {"program.state_share": 0.7, "program.municipality_share": 0.2}
    scen = base.with_values({k: values[k] for k in order})
    assert (scen.params.program.state_share, scen.params.program.municipality_share) == (0.7, 0.2)
    scen = base.with_overrides([f"{k}={values[k]}" for k in order])
    assert (scen.params.program.state_share, scen.params.program.municipality_share) == (0.7, 0.2)
    with pytest.raises(ScenarioError) as info:
        base.with_overrides(["program.state_share=0.7", "program.municipality_share=0.5"])
    assert info.value.file == "--set" and "state_share" in info.value.key


@pytest.mark.parametrize(
    ("override", "close"),
    [
        ("mobilisation.tua=0.05", "tau"),
        ("mobilisaton.tau=0.05", "mobilisation"),
        ("scenario.scael=0.1", "scenario.scale"),
    ],
)
def test_an_unknown_key_gets_a_did_you_mean(override: str, close: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("two_districts", [override])
    assert f"did you mean {close!r}?" in info.value.expected, info.value.one_line()


@pytest.mark.parametrize(
    ("found", "close"), [("Kalio", "Kallio"), ("kallio", "Kallio"), ("Pitajanmaki", "Pitäjänmäki")]
)
def test_a_misspelt_district_gets_a_did_you_mean_and_the_full_list(
    tmp_path: Path, found: str, close: str
) -> None:
    """All 34 district names are listed (the list is short enough), the closest first."""
    (tmp_path / "s.toml").write_text(
        '[scenario]\nbase = "helsinki"\n[[interventions]]\ntype = "rent_cap"\n'
        f'districts = ["{found}"]\nstart_month = 0\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tmp_path / "s.toml"))
    expected = info.value.expected
    assert f"did you mean {close!r}?" in expected, info.value.one_line()
    names = [d.name for d in load_scenario("helsinki").districts]
    assert all(name in expected for name in names), "expected every district name"


def test_a_misspelt_intervention_type_gets_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        '[scenario]\nbase = "two_districts"\n[[interventions]]\ntype = "rentcap"\nselect = "all"\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tmp_path / "s.toml"))
    assert "did you mean 'rent_cap'?" in info.value.expected, info.value.one_line()


# ------------------------------------------------------------ spreadsheet inputs
def _csv_city_copy(tmp_path: Path, districts: str, adjacency: str | None = None) -> Path:
    """Write csv_city's TOML beside a districts CSV with the given text; return the TOML."""
    data = SCENARIOS / "data"
    (tmp_path / "d.csv").write_text(districts, encoding="utf-8")
    (tmp_path / "a.csv").write_text(
        adjacency or (data / "example_adjacency.csv").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    toml = (SCENARIOS / "csv_city.toml").read_text(encoding="utf-8")
    toml = toml.replace("data/example_districts.csv", "d.csv")
    toml = toml.replace("data/example_adjacency.csv", "a.csv")
    (tmp_path / "s.toml").write_text(toml, encoding="utf-8")
    return tmp_path / "s.toml"


def _as_excel_finnish(text: str) -> str:
    """Return a comma CSV as Finnish Excel saves it: ';' between cells, decimal commas."""
    rows = list(csv.reader(text.splitlines()))
    out = []
    for row in rows:
        cells = []
        for cell in row:
            try:
                float(cell)
                cells.append(cell.replace(".", ","))
            except ValueError:
                cells.append(f'"{cell}"' if ";" in cell else cell)
        out.append(";".join(cells))
    return "\n".join(out) + "\n"


def test_a_semicolon_csv_with_decimal_commas_reads_as_the_comma_csv(tmp_path: Path) -> None:
    original = (SCENARIOS / "data" / "example_districts.csv").read_text(encoding="utf-8")
    excel = _as_excel_finnish(original)
    assert ";" in excel.splitlines()[0] and "0,85" in excel, "the test needs an Excel-style file"
    from_excel = load_scenario(str(_csv_city_copy(tmp_path, excel)))
    assert from_excel.districts == load_scenario("csv_city").districts


def test_decomposed_unicode_names_match_composed_ones(tmp_path: Path) -> None:
    """macOS saves names decomposed (NFD): 'Käpylä' as 'Ka\u0308pyla\u0308'."""
    import unicodedata

    original = (SCENARIOS / "data" / "example_districts.csv").read_text(encoding="utf-8")
    first = original.splitlines()[1].split(",")[0]
    composed = original.replace(first, "Käpylä")
    adjacency = (SCENARIOS / "data" / "example_adjacency.csv").read_text(encoding="utf-8")
    decomposed = unicodedata.normalize("NFD", adjacency.replace(first, "Käpylä"))
    assert "Käpylä" not in decomposed, "the adjacency must hold the decomposed form"
    scen = load_scenario(str(_csv_city_copy(tmp_path, composed, decomposed)))
    assert scen.districts[0].name == "Käpylä"
    iv = unicodedata.normalize("NFD", "Käpylä")
    planner = tmp_path / "planner.toml"
    planner.write_text(
        f'[scenario]\nbase = "s.toml"\n[[interventions]]\ntype = "rent_cap"\n'
        f'districts = ["{iv}"]\nstart_month = 0\n',
        encoding="utf-8",
    )
    assert load_scenario(str(planner)).interventions[0].districts == ("Käpylä",)


def test_row_errors_name_the_csv_line_and_column(tmp_path: Path) -> None:
    lines = (SCENARIOS / "data" / "example_districts.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[3] = "-5"  # population of the second district, line 3 of the file
    lines[2] = ",".join(cells)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(_csv_city_copy(tmp_path, "\n".join(lines) + "\n")))
    assert info.value.file.endswith("d.csv") and info.value.key == "row 3, column population", (
        info.value.one_line()
    )


def test_a_missing_header_column_is_named(tmp_path: Path) -> None:
    text = (SCENARIOS / "data" / "example_districts.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    keep = [k for k in rows[0] if k != "dwellings"]
    lines = [",".join(keep)] + [",".join(r[k] for k in keep) for r in rows]
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(_csv_city_copy(tmp_path, "\n".join(lines) + "\n")))
    assert info.value.key == "header" and "dwellings" in info.value.expected, info.value.one_line()


def test_a_row_with_too_many_cells_names_the_delimiter(tmp_path: Path) -> None:
    text = (SCENARIOS / "data" / "example_districts.csv").read_text(encoding="utf-8")
    excel = _as_excel_finnish(text).splitlines()
    excel[1] = excel[1].replace('"', "")  # the channels cell unquoted: its ';' splits it
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(_csv_city_copy(tmp_path, "\n".join(excel) + "\n")))
    assert info.value.key == "row 2" and "';'" in info.value.expected, info.value.one_line()
