"""Every entry of the op table: gradcheck and gradgradcheck in float64, forward against the numpy
reference and backward's gradient shapes/dtypes in float32 and float64."""

import zlib

import numpy as np
import pytest
from op_table import OPS, check_backward, check_forward, check_grad, check_gradgrad


def _cases(twice_only: bool = False) -> list:
    cases = []
    for info in OPS:
        if twice_only and not info.twice_differentiable:
            continue
        rng = np.random.default_rng(zlib.crc32(info.name.encode()))  # stable per op
        for i, sample in enumerate(info.samples(rng)):
            cases.append(pytest.param(info, sample, id=f"{info.name}-{i}-{sample.desc}"))
    return cases


CASES = _cases()
DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("info, sample", CASES)
def test_gradcheck(info, sample):
    check_grad(info, sample)


@pytest.mark.parametrize("info, sample", _cases(twice_only=True))
def test_gradgradcheck(info, sample):
    check_gradgrad(info, sample)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("info, sample", CASES)
def test_forward_matches_numpy_reference(info, sample, dtype):
    check_forward(info, sample, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("info, sample", CASES)
def test_backward_gives_gradients_of_input_shape_and_dtype(info, sample, dtype):
    check_backward(info, sample, dtype)
