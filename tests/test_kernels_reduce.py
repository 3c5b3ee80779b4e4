"""kernels/reduce.pyx against plain numpy references, and the reduction ops built on it.

The kernels take C-contiguous float32/float64 arrays; the sizes below include shapes large
enough to take the OpenMP path (above the thresholds in kernels/parallel.pxd).
"""

import itertools

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad._kernels import reduce as k
from tensorgrad.autograd import gradcheck, gradgradcheck

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 2e-5, np.float64: 1e-12}


def rand(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def kept(shape, axes):
    return tuple(s for d, s in enumerate(shape) if d not in axes)


def close(got, want, dtype):
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])


def all_axes(ndim):
    for r in range(ndim + 1):
        yield from itertools.combinations(range(ndim), r)


# ---- sum / mean / sum_to ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4, 5, 6), (2, 1, 3, 1), (0, 3, 2), (3, 0, 2), (1,), ()])
def test_sum_and_mean_over_every_axes_combination(shape, dtype):
    x = rand(shape, dtype)
    ref = x.astype(np.float64)
    for axes in all_axes(len(shape)):
        out = np.empty(kept(shape, axes), dtype)
        k.sum(x, axes, out)
        close(out, ref.sum(axis=axes), dtype)
        k.sum(x, axes, out, True)
        count = int(np.prod([shape[a] for a in axes]))
        with np.errstate(invalid="ignore", divide="ignore"):
            close(out, ref.sum(axis=axes) / count, dtype)  # nan for an empty mean


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape, axes",
    [
        ((200_000,), (0,)),  # one long row, split over threads
        ((300, 400), (1,)),  # rows
        ((300, 400), (0,)),  # columns, several column blocks
        ((40, 30, 50), (0, 2)),  # two separate groups: two passes
        ((100_000, 3), (0,)),  # long narrow columns
    ],
)
def test_sum_of_large_arrays(shape, axes, dtype):
    x = rand(shape, dtype)
    out = np.empty(kept(shape, axes), dtype)
    k.sum(x, axes, out)
    np.testing.assert_allclose(out, x.astype(np.float64).sum(axis=axes), rtol=1e-5, atol=1e-3)


def test_float32_sum_of_4m_elements_keeps_float32_accuracy():
    x = np.random.default_rng(1).random(4_000_000).astype(np.float32)
    out = np.empty((), np.float32)
    k.sum(x, (0,), out)
    exact = x.astype(np.float64).sum()
    assert abs(float(out) - exact) / exact < 2e-7  # one float32 rounding, nothing accumulated


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape, target",
    [
        ((4, 3), (3,)),
        ((4, 3), (4, 1)),
        ((2, 4, 3), (1, 3)),
        ((2, 4, 3), (2, 1, 3)),
        ((5, 1, 3), (1, 1)),
        ((3,), (1,)),
        ((0, 3), (3,)),
        ((2, 3), (2, 3)),
    ],
)
def test_sum_to_reduces_a_broadcast_back(shape, target, dtype):
    x = rand(shape, dtype)
    lead = len(shape) - len(target)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(target) if s == 1 and shape[lead + i] != 1
    )
    out = np.empty(target, dtype)
    k.sum_to(x, out)
    close(out, x.astype(np.float64).sum(axis=axes).reshape(target), dtype)


# ---- amax / amin, max / min with indices ----------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_extremum_over_every_axes_combination(dtype):
    x = rand((3, 4, 5, 300), dtype)
    for axes in all_axes(4):
        out = np.empty(kept(x.shape, axes), dtype)
        k.extremum(x, axes, out, True)
        np.testing.assert_array_equal(out, x.max(axis=axes))
        k.extremum(x, axes, out, False)
        np.testing.assert_array_equal(out, x.min(axis=axes))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [7, 100_000])
def test_extremum_propagates_nan(dtype, n):
    x = rand((2, n), dtype)
    x[1, n // 2] = np.nan
    out = np.empty((2,), dtype)
    k.extremum(x, (1,), out, True)
    np.testing.assert_array_equal(out, x.max(axis=1))
    full = np.empty((), dtype)
    k.extremum(x, (0, 1), full, False)
    assert np.isnan(full)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4, 5), (1, 7), (600, 300), (5, 1)])
def test_arg_extremum_along_each_dim(shape, dtype):
    x = rand(shape, dtype)
    for dim in range(len(shape)):
        values = np.empty(kept(shape, (dim,)), dtype)
        idx = np.empty(values.shape, np.int64)
        k.arg_extremum(x, dim, values, idx, True)
        np.testing.assert_array_equal(idx, x.argmax(axis=dim))
        np.testing.assert_array_equal(values, x.max(axis=dim))
        k.arg_extremum(x, dim, None, idx, False)
        np.testing.assert_array_equal(idx, x.argmin(axis=dim))


@pytest.mark.parametrize("dtype", DTYPES)
def test_arg_extremum_takes_the_first_tie_and_the_first_nan(dtype):
    x = np.array([[1, 3, 3, 0], [2, np.nan, 5, np.nan], [-np.inf, -np.inf, -np.inf, -np.inf]], dtype)
    for data, dim in ((x, 1), (np.ascontiguousarray(x.T), 0)):
        idx = np.empty(3, np.int64)
        k.arg_extremum(data, dim, None, idx, True)
        np.testing.assert_array_equal(idx, [1, 1, 0])
        k.arg_extremum(data, dim, None, idx, False)
        np.testing.assert_array_equal(idx, [3, 1, 0])


# ---- var ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("correction", [0.0, 1.0, 2.5])
def test_var_over_adjacent_axes(dtype, correction):
    x = rand((3, 4, 5, 6), dtype) + 10  # an offset that a one-pass formula would lose
    for lo in range(4):
        for hi in range(lo, 5):
            axes = tuple(range(lo, hi))
            out = np.empty(kept(x.shape, axes), dtype)
            k.var(x, axes, out, correction)
            count = int(np.prod([x.shape[a] for a in axes]))
            ref = ((x.astype(np.float64) - x.astype(np.float64).mean(axis=axes, keepdims=True)) ** 2).sum(
                axis=axes
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                close(out, ref / max(count - correction, 0), dtype)


def test_var_rejects_separated_axes():
    with pytest.raises(ValueError, match="adjacent"):
        k.var(rand((2, 3, 4), np.float64), (0, 2), np.empty(3), 1.0)


# ---- logsumexp, softmax, log_softmax ---------------------------------------------------------------


def np_logsumexp(x, axes):
    x = x.astype(np.float64)
    m = np.max(x, axis=axes, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 1000), (1000, 30), (4, 0, 3)])
def test_softmax_log_softmax_and_logsumexp_along_each_dim(shape, dtype):
    x = rand(shape, dtype) * 5
    for dim in range(len(shape)):
        lse = np_logsumexp(x, (dim,))
        out = np.empty(shape, dtype)
        k.softmax(x, dim, out)
        close(out, np.exp(x - lse), dtype)
        k.log_softmax(x, dim, out)
        close(out, x - lse, dtype)
        reduced = np.empty(kept(shape, (dim,)), dtype)
        k.logsumexp(x, (dim,), reduced)
        close(reduced, lse.squeeze(dim), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_over_adjacent_axes(dtype):
    x = rand((3, 4, 5, 6), dtype)
    for axes in [(), (0, 1), (1, 2, 3), (0, 1, 2, 3)]:
        out = np.empty(kept(x.shape, axes), dtype)
        k.logsumexp(x, axes, out)
        close(out, np_logsumexp(x, axes).reshape(out.shape), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_family_is_stable_for_large_logits_and_minus_inf(dtype):
    x = np.array([[1e4, 1e4 - 1, -1e4], [0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf]], dtype)
    out = np.empty_like(x)
    k.softmax(x, 1, out)
    e = np.exp([-0.0, -1.0])
    np.testing.assert_allclose(out[0], [e[0] / e.sum(), e[1] / e.sum(), 0], rtol=1e-6)
    np.testing.assert_allclose(out[1], [1 / (1 + np.e), 0, np.e / (1 + np.e)], rtol=1e-6)
    assert np.isnan(out[2]).all()  # 0/0, as PyTorch
    k.log_softmax(x, 1, out)
    np.testing.assert_allclose(out[0, :2], -np.log1p(np.exp([-1.0, 1.0])), rtol=1e-6)
    assert out[1, 1] == -np.inf
    lse = np.empty(3, dtype)
    k.logsumexp(x, (1,), lse)
    np.testing.assert_allclose(lse[:2], [1e4 + np.log1p(np.exp(-1.0)), 1 + np.log1p(np.exp(-1.0))], rtol=1e-6)
    assert lse[2] == -np.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4, 5), (300, 200)])
def test_softmax_family_backward_kernels(shape, dtype):
    x = rand(shape, dtype)
    g = rand(shape, dtype, seed=1)
    for dim in range(len(shape)):
        out = np.empty(shape, dtype)
        y = np.exp(x - np_logsumexp(x, (dim,))).astype(dtype)
        k.softmax_backward(y, g, dim, out)
        close(out, y * (g - (g * y).sum(axis=dim, keepdims=True)), dtype)
        logy = np.log(y)
        k.log_softmax_backward(logy, g, dim, out)
        close(out, g - y * g.sum(axis=dim, keepdims=True), dtype)
        lse = np_logsumexp(x, (dim,)).astype(dtype)
        gr = np.ascontiguousarray(g.sum(axis=dim, keepdims=True))
        k.logsumexp_backward(x, lse, gr, (dim,), out)
        close(out, gr * np.exp(x - lse), dtype)


# ---- entry checks ---------------------------------------------------------------------------------


def test_kernels_reject_what_they_cannot_index_safely():
    x = rand((3, 4), np.float64)
    with pytest.raises(ValueError, match="elements"):
        k.sum(x, (1,), np.empty(4))
    with pytest.raises(ValueError, match="out of range"):
        k.sum(x, (2,), np.empty(3))
    with pytest.raises(ValueError, match="C-contiguous"):
        k.softmax(x.T, 0, np.empty((4, 3)))
    with pytest.raises(ValueError, match="float32 or float64"):
        k.sum(x.astype(np.int64), (0,), np.empty(4, np.int64))
    with pytest.raises(ValueError, match="one dtype"):
        k.sum(x, (0,), np.empty(4, np.float32))
    with pytest.raises(ValueError, match="cannot sum"):
        k.sum_to(x, np.empty((2,)))
    with pytest.raises(ValueError, match="int64"):
        k.arg_extremum(x, 0, None, np.empty(4, np.int32), True)


# ---- the ops on top: non-contiguous inputs, semantics, double backward ----------------------------


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_reductions_of_non_contiguous_views(dtype):
    base = rand((6, 5, 4), np.float64)
    t = tg.tensor(base, dtype=dtype).permute(2, 0, 1)[:, ::2]
    ref = np.transpose(base, (2, 0, 1))[:, ::2]
    tol = 1e-5 if dtype == tg.float32 else 1e-12
    np.testing.assert_allclose(t.sum((0, 2)).numpy(), ref.sum(axis=(0, 2)), rtol=tol, atol=tol)
    np.testing.assert_allclose(t.amax(1).numpy(), ref.max(axis=1), rtol=tol)
    np.testing.assert_array_equal(t.argmax(2).numpy(), ref.argmax(axis=2))
    np.testing.assert_allclose(t.var((0, 2)).numpy(), ref.var(axis=(0, 2), ddof=1), rtol=tol * 10)
    np.testing.assert_allclose(
        tg.logsumexp(t, (0, 2), keepdim=True).numpy(), np_logsumexp(ref, (0, 2)), rtol=tol, atol=tol
    )
    np.testing.assert_allclose(
        t.softmax(1).numpy(), np.exp(ref - np_logsumexp(ref, (1,))), rtol=tol, atol=tol
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.softmax(1),
        lambda x: x.softmax(0),
        lambda x: x.log_softmax(-1),
        lambda x: x.log_softmax(0),
        lambda x: tg.logsumexp(x, (0, 2)),
        lambda x: tg.logsumexp(x, 1, keepdim=True),
        lambda x: x.var((0, 2)),
        lambda x: x.var(1, keepdim=True, correction=0),
        lambda x: x.sum((0, 2)) * x.mean(1).sum(),
    ],
    ids=[
        "softmax1",
        "softmax0",
        "log_softmax-1",
        "log_softmax0",
        "lse02",
        "lse1",
        "var02",
        "var1",
        "sum_mean",
    ],
)
def test_reductions_are_twice_differentiable(fn):
    x = tg.tensor(rand((3, 4, 2), np.float64) * 2, requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_softmax_gradients_are_finite_with_masked_logits():
    x = tg.tensor([[0.0, -float("inf"), 1.0]], requires_grad=True)
    x.softmax(1).mul(tg.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert x.grad.numpy()[0, 1] == 0
