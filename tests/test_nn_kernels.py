"""The nn kernels (loss, norm, embedding) called directly, against plain numpy references of the same
formulas, in float32 and float64, at sizes below and above the threads threshold."""

import zlib

import numpy as np
import pytest
from scipy.special import logsumexp

from tensorgrad._kernels import embedding as embedding_k
from tensorgrad._kernels import loss as loss_k
from tensorgrad._kernels import norm as norm_k

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-11, atol=1e-13)}
# (rows, classes / features): serial, and large enough for the OpenMP path
SIZES = [(7, 5), (300, 200)]


def _rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# ---- cross-entropy ------------------------------------------------------------------------------------


def ce_reference(x, t, w, ignore, eps):
    """Per-row loss, logsumexp and d loss / d x (unscaled), in float64."""
    x = x.astype(np.float64)
    n, c = x.shape
    w = np.ones(c) if w.size == 0 else w.astype(np.float64)
    lse = logsumexp(x, axis=1)
    keep = t != ignore
    y = np.where(keep, t, 0)
    rows = np.arange(n)
    loss = (1 - eps) * w[y] * (lse - x[rows, y]) + eps / c * (w * (lse[:, None] - x)).sum(1)
    p = np.exp(x - lse[:, None])
    grad = p * ((1 - eps) * w[y] + eps / c * w.sum())[:, None] - eps / c * w[None, :]
    grad[rows, y] -= (1 - eps) * w[y]
    return loss * keep, lse, grad * keep[:, None]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, c", SIZES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_cross_entropy_kernels_match_numpy(dtype, n, c, weighted, eps):
    rng = _rng(n, c, weighted, eps)
    x = (3 * rng.standard_normal((n, c))).astype(dtype)
    t = rng.integers(0, c, n)
    t[::4] = -100
    w = rng.uniform(0.5, 2.0, c).astype(dtype) if weighted else np.empty(0, dtype)
    loss = np.empty(n, dtype)
    lse = np.empty(n, dtype)
    loss_k.cross_entropy_forward(x, t, w, -100, eps, loss, lse)
    ref_loss, ref_lse, ref_grad = ce_reference(x, t, w, -100, eps)
    np.testing.assert_allclose(loss, ref_loss, **TOL[dtype])
    np.testing.assert_allclose(lse, ref_lse, **TOL[dtype])
    scale = rng.uniform(0.5, 1.5, n).astype(dtype)
    grad = np.full_like(x, np.nan)
    loss_k.cross_entropy_backward(x, t, w, -100, eps, lse, scale, grad)
    np.testing.assert_allclose(grad, ref_grad * scale[:, None], **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_kernel_shifts_by_the_row_max(dtype):
    x = np.array([[1000.0, 0.0, -1000.0], [-50.0, -50.0, -50.0]], dtype)
    t = np.array([0, 2])
    loss = np.empty(2, dtype)
    lse = np.empty(2, dtype)
    loss_k.cross_entropy_forward(x, t, np.empty(0, dtype), -100, 0.0, loss, lse)
    np.testing.assert_allclose(loss, [0.0, np.log(3.0)], rtol=1e-6, atol=1e-6)


# ---- batch norm -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3, 1), (5, 2, 6), (64, 16, 100)])
def test_batch_norm_kernels_match_numpy(dtype, shape):
    rng = _rng(shape)
    n, c, s = shape
    x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    mean = np.empty(c)
    var = np.empty(c)
    norm_k.batch_norm_stats(x, mean, var)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(
        mean, x64.mean((0, 2)), **TOL[np.float64] if dtype is np.float64 else TOL[dtype]
    )
    np.testing.assert_allclose(var, x64.var((0, 2)), **TOL[np.float64] if dtype is np.float64 else TOL[dtype])

    sum_dy = np.empty(c)
    sum_dy_xmu = np.empty(c)
    norm_k.batch_norm_backward_reduce(dy, x, mean, sum_dy, sum_dy_xmu)
    np.testing.assert_allclose(sum_dy, dy.astype(np.float64).sum((0, 2)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        sum_dy_xmu, (dy.astype(np.float64) * (x64 - mean[None, :, None])).sum((0, 2)), rtol=1e-6, atol=1e-5
    )

    scale, shift = rng.standard_normal(c).astype(dtype), rng.standard_normal(c).astype(dtype)
    y = np.empty_like(x)
    norm_k.channel_affine(x, scale, shift, y)
    np.testing.assert_allclose(y, x * scale[None, :, None] + shift[None, :, None], **TOL[dtype])

    k1, k2, k3 = (rng.standard_normal(c).astype(dtype) for _ in range(3))
    dx = np.empty_like(x)
    norm_k.channel_affine_backward(dy, x, k1, k2, k3, dx)
    want = k1[None, :, None] * dy + k2[None, :, None] * x + k3[None, :, None]
    np.testing.assert_allclose(dx, want, **TOL[dtype])


# ---- layer norm -----------------------------------------------------------------------------------------


def ln_reference(x, w, b, eps, dy):
    x = x.astype(np.float64)
    dy = dy.astype(np.float64)
    mean = x.mean(1)
    rstd = 1 / np.sqrt(x.var(1) + eps)
    h = (x - mean[:, None]) * rstd[:, None]
    wv = np.ones(x.shape[1]) if w.size == 0 else w.astype(np.float64)
    y = h * wv + (0 if b.size == 0 else b)
    g = dy * wv
    dx = rstd[:, None] * (g - g.mean(1, keepdims=True) - h * (g * h).mean(1, keepdims=True))
    return y, mean, rstd, dx, (dy * h).sum(0), dy.sum(0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, d", SIZES)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_kernels_match_numpy(dtype, m, d, affine):
    rng = _rng(m, d, affine)
    x = (rng.standard_normal((m, d)) * 3 - 2).astype(dtype)
    dy = rng.standard_normal((m, d)).astype(dtype)
    w = rng.standard_normal(d).astype(dtype) if affine else np.empty(0, dtype)
    b = rng.standard_normal(d).astype(dtype) if affine else np.empty(0, dtype)
    y = np.empty_like(x)
    mean = np.empty(m)
    rstd = np.empty(m)
    norm_k.layer_norm_forward(x, w, b, 1e-5, y, mean, rstd)
    ref_y, ref_mean, ref_rstd, ref_dx, ref_dw, ref_db = ln_reference(x, w, b, 1e-5, dy)
    np.testing.assert_allclose(y, ref_y, **TOL[dtype])
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rstd, ref_rstd, rtol=1e-10)
    dx = np.empty_like(x)
    dw, db = norm_k.layer_norm_backward(dy, x, mean, rstd, w, dx, affine, affine)
    np.testing.assert_allclose(dx, ref_dx, **TOL[dtype])
    if affine:
        np.testing.assert_allclose(dw, ref_dw, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(db, ref_db, rtol=1e-5, atol=1e-5)
    else:
        assert dw is None and db is None


# ---- embedding --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, d", [(6, 3), (2000, 64)])
@pytest.mark.parametrize("padding_idx", [-1, 2])
def test_embedding_backward_matches_numpy_add_at(dtype, m, d, padding_idx):
    rng = _rng(m, d, padding_idx)
    rows = 5
    idx = rng.integers(0, rows, m)  # many repeated indices
    g = rng.standard_normal((m, d)).astype(dtype)
    out = np.zeros((rows, d), dtype)
    embedding_k.embedding_backward(g, idx, padding_idx, out)
    want = np.zeros((rows, d))
    keep = idx != padding_idx
    np.add.at(want, idx[keep], g[keep].astype(np.float64))
    np.testing.assert_allclose(out, want, rtol=1e-5 if dtype is np.float32 else 1e-12, atol=1e-4)
