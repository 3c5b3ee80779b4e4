"""Importing tensorgrad leaves the process as it was: floating-point mode and environment."""

import os
import subprocess
import sys

import numpy as np

import tensorgrad as tg

CHECK = """
import os, numpy as np
before = dict(os.environ)
import tensorgrad
assert dict(os.environ) == before, "import tensorgrad changed os.environ"
print(float(np.float64(5e-324) * 1.0), float(np.float32(1e-45) * np.float32(1.0)))
"""


def test_subnormals_and_environment_survive_import_in_a_fresh_process():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    f64, f32 = out.stdout.split()
    assert float(f64) == 5e-324
    assert float(f32) > 0


def test_subnormals_survive_kernels_in_this_process():
    x = tg.tensor(np.array([5e-324, -5e-324]), dtype=tg.float64)
    assert (x * 1.0).numpy()[0] == 5e-324
    assert np.float64(5e-324) * 1.0 == 5e-324


def test_set_num_threads_round_trips_and_rejects_bad_counts():
    before = tg.get_num_threads()
    try:
        tg.set_num_threads(1)
        assert tg.get_num_threads() == 1
    finally:
        tg.set_num_threads(before)
    for bad in (0, -1, 1.5, True):
        try:
            tg.set_num_threads(bad)
        except ValueError as e:
            assert "set_num_threads" in str(e)
        else:
            raise AssertionError(f"set_num_threads({bad!r}) did not raise")
