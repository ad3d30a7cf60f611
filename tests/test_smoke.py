import dataclasses

import pytest

from districtsim.districts import Districts
from districtsim.model import DistrictModel
from districtsim.run import run_scenario


def test_model_steps(two_districts):
    model = DistrictModel(two_districts)
    for _ in range(3):
        model.step()
    assert model.month == 3
    assert model.recorder.n_recorded == 3


def test_run_tables_have_rows(two_districts):
    result = run_scenario(two_districts)
    assert len(result.districts) == two_districts.months * 2
    assert len(result.city) == two_districts.months


def test_district_state_is_declared_once_with_units_and_created_at_set_up(two_districts) -> None:
    model = DistrictModel(two_districts, seed=1)
    created = dict(vars(model.districts))
    for f in dataclasses.fields(Districts):
        assert f.metadata.get("unit"), f"Districts.{f.name} declares no unit"
        assert f.name in created, f"Districts.{f.name} is not created at set-up"
    shapes = {k: getattr(v, "shape", None) for k, v in created.items()}
    model.step()
    for name, value in vars(model.districts).items():
        assert getattr(value, "shape", None) == shapes[name], f"{name} changed shape in a step"


def test_old_model_attribute_names_warn_and_forward(two_districts) -> None:
    model = DistrictModel(two_districts, seed=1)
    with pytest.deprecated_call(match="model.districts.identity"):
        assert model.identity is model.districts.identity
    with pytest.deprecated_call(match="model.config"):
        assert model.spec is model.config
    with pytest.raises(AttributeError):
        _ = model.no_such_attribute
