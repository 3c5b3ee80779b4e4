"""softplus and silu forward + backward (fused kernels) against the best numpy expression of the
same maths, at a size above the threading threshold and one below it. docs/extending.md, step 4.

The numpy expressions are what a numpy user writes: one array pass per ufunc, with temporaries;
the tensorgrad column is the whole op through autograd (grad of the output against an upstream
gradient), Python overhead included.
"""

from __future__ import annotations

import numpy as np
import pytest

SIZES = {"1M": 1_000_000, "4k": 4096}


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.standard_normal(n, dtype=np.float32) * 3, rng.standard_normal(n, dtype=np.float32)


def numpy_softplus(x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """softplus(x) (beta 1, threshold 20) and g * softplus'(x) = g * sigmoid(x)."""
    y = np.where(x > 20, x, np.logaddexp(0, x))
    return y, np.where(x > 20, g, g / (1 + np.exp(-x)))


def numpy_silu(x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """silu(x) = x * s and g * s * (1 + x * (1 - s)), s = sigmoid(x)."""
    s = 1 / (1 + np.exp(-x))
    return x * s, g * s * (1 + x * (1 - s))


NUMPY = {"softplus": numpy_softplus, "silu": numpy_silu}


def _tensorgrad_step(tg, name: str, x: np.ndarray, g: np.ndarray):
    torch, F = tg.torch, tg.F
    xt = torch.from_numpy(x).requires_grad_()
    gt = torch.from_numpy(g)
    op = getattr(F, name)

    def step() -> tuple:
        y = op(xt)
        (dx,) = torch.autograd.grad(y, xt, gt)
        return y, dx

    return step


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("column", ["tensorgrad", "numpy"])
@pytest.mark.parametrize("name", ["softplus", "silu"])
def test_activation_fwd_bwd(benchmark, tg, name, column, size):
    benchmark.group = f"{name} fwd+bwd {size}"
    x, g = _data(SIZES[size])
    want = NUMPY[name](x, g)
    step = _tensorgrad_step(tg, name, x, g) if column == "tensorgrad" else (lambda: NUMPY[name](x, g))
    got = step()
    for a, b in zip(got, want):
        np.testing.assert_allclose(
            np.asarray(a.detach() if hasattr(a, "detach") else a), b, rtol=1e-5, atol=1e-5
        )
    benchmark(step)
