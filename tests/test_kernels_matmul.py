"""kernels/matmul.pyx (batched BLAS gemm with transpose flags) against numpy, and the MatMul and
linear ops on top of it."""

import subprocess
import sys

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import gradcheck, gradgradcheck
from tensorgrad.ops import matmul as matmul_ops
from tensorgrad.ops.matmul import MatMul, linear

k = matmul_ops._kernel()

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-4, np.float64: 1e-12}


def rand(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def stored(op_x, trans):
    """An array whose op() (its transpose when `trans`) is op_x, stored C-contiguous."""
    return np.ascontiguousarray(np.swapaxes(op_x, -1, -2)) if trans else op_x


def close(got, want, dtype):
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])


# ---- the kernel -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
@pytest.mark.parametrize(
    "sa, sb",
    [
        ((4, 5), (5, 6)),
        ((3, 4, 5), (3, 5, 6)),
        ((3, 4, 5), (5, 6)),  # a's batch folds into its rows
        ((4, 5), (2, 5, 6)),
        ((2, 1, 4, 5), (3, 5, 6)),  # batch dims broadcast both ways
        ((1, 5), (5, 1)),
        ((0, 5), (5, 3)),
        ((4, 0), (0, 3)),  # empty inner dim: zeros
        ((1, 4, 5), (0, 5, 3)),  # empty batch
    ],
)
def test_gemm_matches_numpy(sa, sb, trans_a, trans_b, dtype):
    a, b = rand(sa, dtype), rand(sb, dtype, seed=1)
    want = a @ b
    out = np.empty(want.shape, dtype)
    k.gemm(stored(a, trans_a), stored(b, trans_b), out, trans_a, trans_b, False)
    close(out, want, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "sa, sb, out_batch",
    [
        ((3, 4, 5), (3, 5, 6), ()),  # summed over the batch (K folded when contiguous)
        ((3, 4, 5), (5, 6), ()),
        ((2, 3, 4, 5), (3, 5, 6), (3,)),
        ((2, 3, 4, 5), (2, 1, 5, 6), (2, 1)),
        ((2, 3, 4, 5), (2, 3, 5, 6), (1, 3)),
    ],
)
@pytest.mark.parametrize("accumulate", [False, True])
def test_gemm_sums_over_batch_dims_that_out_reduces(sa, sb, out_batch, accumulate, dtype):
    a, b = rand(sa, dtype), rand(sb, dtype, seed=1)
    full = a @ b
    lead = full.ndim - 2 - len(out_batch)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(out_batch) if s == 1 and full.shape[lead + i] != 1
    )
    want = full.sum(axis=axes).reshape(out_batch + full.shape[-2:])
    for trans_a in (False, True):
        out = np.ones(want.shape, dtype)
        k.gemm(stored(a, trans_a), b, out, trans_a, False, accumulate)
        close(out, want + accumulate, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_reads_transposed_and_strided_views_in_place(dtype):
    base = rand((6, 8, 7), dtype)
    views = [
        base[0].T,  # column-major: the transpose flag flips
        base[:, 1:5, :3],  # row stride > row length
        np.swapaxes(base[::2, :, :5], 1, 2),  # batch stride and column-major matrices
    ]
    for a in views:
        assert k.blas_compatible(a)
        b = rand(a.shape[:-2] + (a.shape[-1], 3), dtype, seed=2)
        out = np.empty(a.shape[:-1] + (3,), dtype)
        k.gemm(a, b, out, False, False, False)
        close(out, a @ b, dtype)
        out_t = np.empty(a.shape[:-2] + (a.shape[-1], a.shape[-1]), dtype)
        k.gemm(a, a, out_t, True, False, False)  # a^T a, both read from the same view
        close(out_t, np.swapaxes(a, -1, -2) @ a, dtype)


def test_gemm_layout_and_shape_checks():
    assert not k.blas_compatible(rand((6, 8))[:, ::2])  # no unit stride: needs a copy
    assert not k.blas_compatible(np.broadcast_to(rand((1, 4)), (3, 4)))
    a, b = rand((3, 4)), rand((4, 2))
    with pytest.raises(ValueError, match="do not match"):
        k.gemm(a, b, np.empty((3, 3)), False, False, False)
    with pytest.raises(ValueError, match="one float dtype"):
        k.gemm(a, b.astype(np.float32), np.empty((3, 2)), False, False, False)
    with pytest.raises(ValueError, match="C-contiguous"):
        k.gemm(a, b, np.empty((2, 3)).T, False, False, False)
    with pytest.raises(ValueError, match="not BLAS-compatible"):
        k.gemm(rand((3, 8))[:, ::2], b, np.empty((3, 2)), False, False, False)
    with pytest.raises(ValueError, match="broadcast"):
        k.gemm(rand((2, 3, 4)), rand((3, 4, 2)), np.empty((2, 3, 2)), False, False, False)


# ---- MatMul with flags, and matmul -----------------------------------------------------------------


@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
@pytest.mark.parametrize(
    "sa, sb, batch",
    [
        ((3, 4), (4, 2), None),
        ((2, 3, 4), (4, 2), None),
        ((2, 1, 3, 4), (3, 4, 2), None),
        ((2, 3, 4), (2, 4, 2), ()),
    ],
)
def test_matmul_op_with_flags_is_twice_differentiable(sa, sb, batch, trans_a, trans_b):
    a = tg.tensor(stored(rand(sa), trans_a), requires_grad=True)
    b = tg.tensor(stored(rand(sb, seed=1), trans_b), requires_grad=True)

    def fn(x, y):
        return MatMul.apply(x, y, trans_a, trans_b, batch)

    out = fn(a, b).detach().numpy()
    want = rand(sa) @ rand(sb, seed=1)
    if batch == ():
        want = want.sum(axis=0)
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-12)
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_matmul_backward_uses_flags_not_transposed_copies(monkeypatch):
    calls = []
    real_gemm = k.gemm

    def spy(a, b, out, trans_a, trans_b, accumulate):
        calls.append((a.flags.c_contiguous, b.flags.c_contiguous, trans_a, trans_b))
        return real_gemm(a, b, out, trans_a, trans_b, accumulate)

    monkeypatch.setattr(k, "gemm", spy)
    a = tg.tensor(rand((5, 4)), requires_grad=True)
    b = tg.tensor(rand((4, 3)), requires_grad=True)
    (a @ b).backward(tg.tensor(rand((5, 3))))
    assert sorted(calls) == sorted(
        [(True, True, False, False), (True, True, False, True), (True, True, True, False)]
    )


def test_matmul_of_non_contiguous_operands():
    a = rand((4, 6))[:, ::2]
    b = rand((3, 5, 2)).transpose(1, 0, 2)  # batch stride not contiguous
    t = tg.tensor(a) @ tg.tensor(b)
    np.testing.assert_allclose(t.numpy(), a @ b, rtol=1e-12)


# ---- linear ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
@pytest.mark.parametrize("x_shape", [(5, 4), (2, 5, 4), (4,), (0, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_numpy(x_shape, with_bias, dtype):
    x, w, bias = rand(x_shape), rand((3, 4), seed=1), rand((3,), seed=2)
    out = linear(
        tg.tensor(x, dtype=dtype),
        tg.tensor(w, dtype=dtype),
        tg.tensor(bias, dtype=dtype) if with_bias else None,
    )
    want = x @ w.T + (bias if with_bias else 0)
    assert out.shape == want.shape and out.dtype == dtype
    tol = 1e-5 if dtype == tg.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 5, 4), (4,)])
def test_linear_is_twice_differentiable(x_shape):
    x = tg.tensor(rand(x_shape), requires_grad=True)
    w = tg.tensor(rand((3, 4), seed=1), requires_grad=True)
    b = tg.tensor(rand((3,), seed=2), requires_grad=True)
    assert gradcheck(linear, (x, w, b))
    assert gradgradcheck(linear, (x, w, b))
    assert gradcheck(lambda x, w: linear(x, w, tg.tensor(rand((1,), seed=3))), (x, w))  # broadcast bias


def test_linear_backward_skips_the_gradient_of_an_input_that_needs_none(monkeypatch):
    calls = []
    real_gemm = k.gemm
    monkeypatch.setattr(k, "gemm", lambda *args: calls.append(args[3:5]) or real_gemm(*args))
    x = tg.tensor(rand((8, 4)))  # data: no gradient
    w = tg.tensor(rand((3, 4), seed=1), requires_grad=True)
    b = tg.tensor(rand((3,), seed=2), requires_grad=True)
    linear(x, w, b).sum().backward()
    assert calls == [(False, True), (True, False)]  # forward, then weight's gradient only
    assert x.grad is None
    np.testing.assert_allclose(b.grad.numpy(), np.full(3, 8.0))


def test_linear_errors_name_the_shapes_and_dtypes():
    x, w = tg.tensor(rand((2, 5))), tg.tensor(rand((3, 4)))
    with pytest.raises(RuntimeError, match=r"linear: input of shape \[2, 5\].*weight of shape \[3, 4\]"):
        linear(x, w)
    with pytest.raises(RuntimeError, match="linear: expected input, weight and bias of one dtype"):
        linear(tg.tensor(rand((2, 4))), w.float())


# ---- loading BLAS --------------------------------------------------------------------------------


def test_import_does_not_load_blas_and_scipy_linalg_still_imports_normally_after_use():
    code = (
        "import sys, tensorgrad as tg\n"
        "assert 'tensorgrad._kernels.matmul' not in sys.modules and 'scipy.linalg' not in sys.modules\n"
        "tg.ones(2, 3) @ tg.ones(3, 2)\n"
        "assert 'scipy.linalg' not in sys.modules\n"
        "import scipy.linalg.cython_blas, scipy.linalg\n"
        "from tensorgrad._kernels import matmul\n"
        "assert scipy.linalg.cython_blas is matmul._cython_blas_module\n"
        "import numpy as np\n"
        "a = np.random.rand(4, 4)\n"
        "assert np.allclose(scipy.linalg.blas.dgemm(1.0, a, a), a @ a)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
