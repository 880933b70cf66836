"""The example plan ships inside the package (config/examples), so a non-editable install
loads it; examples/ in the repository keeps the same file for `actionbot import examples/…`."""

from __future__ import annotations

from importlib.resources import files

from config.settings import EXAMPLE_PLAN
from tests.conftest import REPO


def test_the_example_plan_is_package_data_and_the_examples_folder_holds_the_same_file() -> None:
    packaged = files("config") / "examples" / "moray-commissioning-2023.csv"
    assert EXAMPLE_PLAN == packaged and packaged.is_file()
    assert (REPO / "examples" / "moray-commissioning-2023.csv").read_bytes() == packaged.read_bytes()
    assert '"config" = ["*.toml", "*.yaml", "teams/*", "examples/*.csv"]' in (REPO / "pyproject.toml").read_text()


def test_a_deployment_can_start_with_no_plan_or_its_own(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """ACTIONBOT_EXAMPLE_PLAN=none: a council's database starts empty, not with the demo plan;
    a path loads that plan instead; a path that is not a file is a sentence."""
    import pytest

    from bot.app import build_runtime, load_example_plan_if_empty
    from config.settings import SettingsError, load_settings

    base = {"ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    runtime = build_runtime(load_settings(environ={**base, "ACTIONBOT_EXAMPLE_PLAN": "none"}))
    try:
        assert load_example_plan_if_empty(runtime) is None
        with runtime.new_uow() as uow:
            assert uow.plans.list() == []
    finally:
        runtime.close()
    own = tmp_path / "own.csv"
    own.write_bytes((REPO / "examples" / "moray-commissioning-2023.csv").read_bytes())
    runtime = build_runtime(load_settings(environ={"ACTIONBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}",
                                                   "ACTIONBOT_EXAMPLE_PLAN": str(own)}))
    try:
        assert "Loaded the example plan" in (load_example_plan_if_empty(runtime) or "")
    finally:
        runtime.close()
    with pytest.raises(SettingsError, match="ACTIONBOT_EXAMPLE_PLAN names .* which is not a file"):
        load_settings(environ={**base, "ACTIONBOT_EXAMPLE_PLAN": str(tmp_path / "missing.csv")})
