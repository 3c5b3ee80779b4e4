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


_UNCOMPILED_WITHOUT_CYTHON = """
import importlib.machinery as machinery, sys
package = sys.argv[1]
def source_only(path):
    # tensorgrad's .py files instead of its compiled Python layer; its kernels stay compiled
    if not path.startswith(package) or path.endswith("_kernels"):
        raise ImportError
    return machinery.FileFinder(path, (machinery.SourceFileLoader, machinery.SOURCE_SUFFIXES))
sys.path_hooks.insert(0, source_only)
sys.path_importer_cache.clear()
sys.modules["cython"] = None  # as if Cython (a build dependency only) were not installed
import tensorgrad as tg
from tensorgrad.autograd import function
from tensorgrad.ops import elementwise
assert function.__file__.endswith(".py") and elementwise.__file__.endswith(".py")
import numpy as np
v = np.array([0.5, -1.0, 2.0])
x = tg.tensor(v, requires_grad=True)
with tg.no_grad():
    assert not (x * 2).requires_grad
(tg.tanh(x * x + 1.0)).sum().backward()
expected = (1 - np.tanh(v * v + 1.0) ** 2) * 2 * v
assert np.allclose(x.grad.numpy(), expected), (x.grad, expected)
print("ok")
"""


def test_uncompiled_layer_runs_without_cython(tmp_path):
    """The .py sources import and differentiate where Cython is absent (the `cython` name then
    comes from tensorgrad/_cython_shim.py), as a source install without the build would."""
    import subprocess
    import sys

    package = str(ROOT / "tensorgrad")
    result = subprocess.run(
        [sys.executable, "-c", _UNCOMPILED_WITHOUT_CYTHON, package],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
