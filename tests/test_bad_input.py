"""Runs the bad-input table (bad_input_table.py) over the public API: each case must give the correct
result (checked against numpy) or raise the exception PyTorch raises, with a message that names
the op and what was wrong; nothing may crash the interpreter.

Kernels run without bounds checks, so a case that slipped past the Python checks could crash
the process: `test_no_case_crashes_the_interpreter` first replays the whole table in a child
process (with faulthandler), printing each case's name before running it, and names the case
that killed the child. Cases that crashed there are skipped in-process, so the rest still run.
"""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from bad_input_table import CASES, FAMILIES, Raises

import tensorgrad as tg


class Library:
    """The library as the table's `m`: its top-level names, plus `data` (PyTorch's torch.utils.data)."""

    def __init__(self, module, data):
        self._module = module
        self.data = data

    def __getattr__(self, name):
        return getattr(self._module, name)


M = Library(tg, tg.data)
crashed: set = set()
MIN_CASES = 300


def as_array(value):
    if isinstance(value, tg.Tensor):
        return np.asarray(value.detach().numpy())
    if isinstance(value, (tuple, list)) and value and isinstance(value[0], tg.Tensor):
        return [as_array(v) for v in value]
    return value


def assert_same(result, reference):
    if callable(reference):
        reference = reference()
    result = as_array(result)
    if isinstance(reference, list) and not isinstance(result, np.ndarray):
        assert result == reference, (result, reference)
        return
    got = np.asarray(result)
    want = np.asarray(reference)
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    if want.dtype.kind in "biu" and got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
        return
    np.testing.assert_allclose(
        got.astype(np.float64), want.astype(np.float64), rtol=1e-5, atol=1e-6, equal_nan=True
    )


def run_case(case):
    expect = case.expect
    if isinstance(expect, Raises):
        with pytest.raises(expect.error) as info:
            case.call(M)
        message = str(info.value)
        assert re.search(expect.match, message, re.IGNORECASE | re.DOTALL), (
            f"{type(info.value).__name__}: {message!r} does not match {expect.match!r}"
        )
        if expect.match:
            assert len(message) > 10, f"uninformative message {message!r}"
    else:
        assert_same(case.call(M), expect.reference)


def test_the_table_is_big_and_its_names_are_unique():
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    print({family: len(cases) for family, cases in FAMILIES.items()}, "total", len(CASES))
    assert len(CASES) >= MIN_CASES


def run_all_cases():
    """The child process of the crash test: every case, its name printed first."""
    import warnings

    warnings.simplefilter("ignore")
    for case in CASES:
        print(f"CASE {case.name}", flush=True)
        try:
            case.call(M)
        except BaseException:
            pass
    print("ALL CASES RAN", flush=True)


def test_no_case_crashes_the_interpreter():
    here = os.path.dirname(os.path.abspath(__file__))
    code = f"import sys; sys.path.insert(0, {here!r}); import test_bad_input; test_bad_input.run_all_cases()"
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", code], capture_output=True, text=True, timeout=600
    )
    if proc.returncode == 0 and "ALL CASES RAN" in proc.stdout:
        return
    started = re.findall(r"^CASE (.*)$", proc.stdout, re.MULTILINE)
    last = started[-1] if started else "(before the first case)"
    crashed.add(last)
    pytest.fail(f"case {last!r} killed the interpreter (exit code {proc.returncode}):\n{proc.stderr[-3000:]}")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case):
    if case.name in crashed:
        pytest.skip("crashed the interpreter in test_no_case_crashes_the_interpreter")
    run_case(case)
