import importlib
import pkgutil
from pathlib import Path

import pytest

import trollscan
from trollscan.store.schema import render_data_model

ROOT = Path(__file__).resolve().parents[3]


def test_data_model_document_matches_the_schema() -> None:
    assert (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8") == render_data_model(), (
        "docs/data-model.md is stale: run python -m trollscan.store.schema > docs/data-model.md")


def test_readme_quick_start_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = quick.split("```")[1::2]
    assert len(blocks) == 2
    assert "trollscan demo" in blocks[0] and "pytest" in blocks[1]
    assert "pytest" in (ROOT / ".ci" / "run").read_text()


MODULES = ["trollscan"] + sorted(
    m.name for m in pkgutil.walk_packages(trollscan.__path__, "trollscan.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("module", MODULES)
def test_public_names_are_listed_in_all(module: str) -> None:
    mod = importlib.import_module(module)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ lists {name}, which does not exist"
    public = {n for n, v in vars(mod).items() if not n.startswith("_") and getattr(v, "__module__", None) == module
              and callable(v)}
    assert public <= set(mod.__all__), f"{module}: public but not in __all__: {public - set(mod.__all__)}"
