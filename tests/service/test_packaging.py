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
