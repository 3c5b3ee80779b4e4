"""nn.init: eye_, dirac_, orthogonal_ and sparse_."""

import math

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn
from tensorgrad.nn import functional as F


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_eye(shape):
    w = nn.init.eye_(tg.empty(*shape))
    expected = np.array([[1.0 if i == j else 0.0 for j in range(shape[1])] for i in range(shape[0])])
    np.testing.assert_array_equal(w.numpy(), expected)


def test_dirac_makes_conv2d_an_identity():
    w = nn.init.dirac_(tg.empty(3, 3, 3, 3))
    x = tg.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32))
    np.testing.assert_allclose(F.conv2d(x, w, padding=1).numpy(), x.numpy(), rtol=0, atol=1e-6)


def test_dirac_conv1d_groups_and_extra_channels():
    # 4 output channels in 2 groups of 2, 3 input channels: in group g, output g*2+d copies input d
    w = nn.init.dirac_(tg.empty(4, 3, 5), groups=2).numpy()
    expected = np.zeros((4, 3, 5))
    for out, inp in [(0, 0), (1, 1), (2, 0), (3, 1)]:
        expected[out, inp, 2] = 1.0
    np.testing.assert_array_equal(w, expected)
    x = tg.tensor(np.random.default_rng(1).standard_normal((1, 3, 6)).astype(np.float32))
    y = F.conv1d(x, nn.init.dirac_(tg.empty(2, 3, 3)), padding=1).numpy()
    np.testing.assert_allclose(y, x.numpy()[:, :2], atol=1e-6)  # the first 2 channels pass through


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 2)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape, gain):
    tg.manual_seed(0)
    w = nn.init.orthogonal_(tg.empty(*shape, dtype=tg.float64), gain=gain).numpy().reshape(shape[0], -1)
    rows, cols = w.shape
    if rows <= cols:
        np.testing.assert_allclose(w @ w.T, gain**2 * np.eye(rows), atol=1e-12)
    else:
        np.testing.assert_allclose(w.T @ w, gain**2 * np.eye(cols), atol=1e-12)
    tg.manual_seed(0)
    again = nn.init.orthogonal_(tg.empty(*shape, dtype=tg.float64), gain=gain).numpy().reshape(rows, cols)
    np.testing.assert_array_equal(again, w)


def test_orthogonal_sign_correction_matches_numpy_reference():
    tg.manual_seed(4)
    w = nn.init.orthogonal_(tg.empty(3, 6, dtype=tg.float64)).numpy()
    a = np.random.default_rng(4).normal(0.0, 1.0, (3, 6)).T  # the draw manual_seed(4) gives
    q, r = np.linalg.qr(a)
    np.testing.assert_allclose(w, (q @ np.diag(np.sign(np.diag(r)))).T, atol=1e-12)


def test_sparse():
    tg.manual_seed(2)
    w = nn.init.sparse_(tg.empty(10, 6), sparsity=0.25, std=0.5).numpy()
    zeros_per_column = (w == 0).sum(0)
    assert zeros_per_column.tolist() == [math.ceil(0.25 * 10)] * 6
    assert 0.2 < w[w != 0].std() < 0.9


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: nn.init.eye_(tg.empty(2, 2, 2)),
            r"eye_: Only tensors with 2 dimensions are supported, got shape \[2, 2, 2\]",
        ),
        (
            lambda: nn.init.dirac_(tg.empty(3, 3)),
            r"dirac_: Only tensors with 3, 4, or 5 dimensions are supported, got shape \[3, 3\]",
        ),
        (
            lambda: nn.init.dirac_(tg.empty(3, 3, 3), groups=2),
            "dim 0 must be divisible by groups, got size 3 and groups=2",
        ),
        (
            lambda: nn.init.orthogonal_(tg.empty(4)),
            r"orthogonal_: Only tensors with 2 or more dimensions are supported, got shape \[4\]",
        ),
        (
            lambda: nn.init.sparse_(tg.empty(2, 2, 2), 0.5),
            r"sparse_: Only tensors with 2 dimensions are supported, got shape \[2, 2, 2\]",
        ),
    ],
)
def test_init_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
