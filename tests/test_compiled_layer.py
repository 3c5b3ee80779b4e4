"""The Python layer's hot modules are compiled by setup.py (PYTHON_MODULES): check that they are,
and that no compiled module is older than the sources it was built from, the .py and the .pxd
beside it that types it (a stale one would run code that is no longer in the tree)."""

import ast
import importlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_modules() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PYTHON_MODULES":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py has no PYTHON_MODULES list")


PURE = os.environ.get("TENSORGRAD_PURE_PYTHON") == "1"


@pytest.mark.parametrize("path", _python_modules())
def test_compiled_module_is_built_from_its_current_source(path):
    source = ROOT / path
    assert source.is_file(), f"setup.py lists {path}, which does not exist"
    module = importlib.import_module(path[:-3].replace("/", "."))
    compiled = not module.__file__.endswith(".py")
    if PURE:
        assert not compiled, f"{module.__file__} is compiled although TENSORGRAD_PURE_PYTHON=1"
        return
    assert compiled, f"{path} is not compiled: build with `python setup.py build_ext --inplace`"
    for src in (source, source.with_suffix(".pxd")):
        if src.exists():
            assert os.path.getmtime(module.__file__) >= src.stat().st_mtime, (
                f"{module.__file__} is older than {src.name}: rebuild with "
                "`python setup.py build_ext --inplace`"
            )
