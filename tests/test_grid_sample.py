"""F.affine_grid and F.grid_sample (4-D): a per-point numpy reference of PyTorch's documented
sampling (unnormalise, pad by zeros / border / reflection, bilinear or nearest) for every mode,
padding mode and align_corners, the identity transform, gradients to the input and the grid (and
to theta through affine_grid) by gradcheck in float64, the align_corners=None warning and errors."""

import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4, 5))
GRID = RNG.uniform(-1.6, 1.6, (2, 3, 2, 2))  # reaches outside [-1, 1] on every side
PADDINGS = ("zeros", "border", "reflection")


def t(a, grad=False):
    return tg.tensor(np.asarray(a), requires_grad=grad)


def reflect(v, twice_low, twice_high):
    if twice_low == twice_high:
        return 0.0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    v = abs(v - low)
    extra, flips = math.fmod(v, span), math.floor(v / span)
    return extra + low if flips % 2 == 0 else span - extra + low


def source(coord, size, padding, align):
    v = (coord + 1) / 2 * (size - 1) if align else ((coord + 1) * size - 1) / 2
    if padding == "reflection":
        v = reflect(v, 0, 2 * (size - 1)) if align else reflect(v, -1, 2 * size - 1)
    if padding != "zeros":
        v = min(max(v, 0.0), size - 1.0)
    return v


def grid_sample_reference(x, grid, mode, padding, align):
    n, c, h, w = x.shape
    out = np.zeros((n, c) + grid.shape[1:3])

    def pixel(b, yy, xx):
        return x[b, :, yy, xx] if 0 <= yy < h and 0 <= xx < w else np.zeros(c)

    for b in range(n):
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                sx = source(grid[b, i, j, 0], w, padding, align)
                sy = source(grid[b, i, j, 1], h, padding, align)
                if mode == "nearest":
                    out[b, :, i, j] = pixel(b, int(np.rint(sy)), int(np.rint(sx)))
                    continue
                x0, y0 = math.floor(sx), math.floor(sy)
                fx, fy = sx - x0, sy - y0
                out[b, :, i, j] = (
                    pixel(b, y0, x0) * (1 - fx) * (1 - fy)
                    + pixel(b, y0, x0 + 1) * fx * (1 - fy)
                    + pixel(b, y0 + 1, x0) * (1 - fx) * fy
                    + pixel(b, y0 + 1, x0 + 1) * fx * fy
                )
    return out


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_against_numpy(mode, padding, align):
    out = F.grid_sample(t(X), t(GRID), mode=mode, padding_mode=padding, align_corners=align)
    assert out.shape == (2, 3, 3, 2)
    np.testing.assert_allclose(out.numpy(), grid_sample_reference(X, GRID, mode, padding, align), atol=1e-12)


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("align", [False, True])
def test_bilinear_gradients_reach_input_and_grid(padding, align):
    def fn(x, g):
        return F.grid_sample(x, g, padding_mode=padding, align_corners=align)

    assert gradcheck(fn, (t(X[:1, :2], True), t(GRID[:1], True)))


def test_nearest_gradient_to_the_input():
    assert gradcheck(lambda x: F.grid_sample(x, t(GRID), mode="nearest", align_corners=False), (t(X, True),))


def affine_grid_reference(theta, size, align):
    n, _, h, w = size

    def points(k):
        if k == 1:
            return np.zeros(1)
        p = np.linspace(-1, 1, k)
        return p if align else p * (k - 1) / k

    out = np.zeros((n, h, w, 2))
    for b in range(n):
        for i, y in enumerate(points(h)):
            for j, x in enumerate(points(w)):
                out[b, i, j] = theta[b] @ np.array([x, y, 1.0])
    return out


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3)])
def test_affine_grid(align, size):
    theta = RNG.standard_normal((2, 2, 3))
    out = F.affine_grid(t(theta), size, align_corners=align)
    np.testing.assert_allclose(out.numpy(), affine_grid_reference(theta, size, align), rtol=1e-12, atol=1e-15)
    assert gradcheck(lambda th: F.affine_grid(th, size, align_corners=align), (t(theta, True),))


@pytest.mark.parametrize("align", [False, True])
def test_identity_transform_reproduces_the_input(align):
    theta = t(np.tile([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], (2, 1, 1)))
    grid = F.affine_grid(theta, X.shape, align_corners=align)
    for mode in ("bilinear", "nearest"):
        np.testing.assert_allclose(
            F.grid_sample(t(X), grid, mode, align_corners=align).numpy(), X, atol=1e-12
        )


def test_spatial_transformer_gradient_to_theta():
    def fn(th):
        return F.grid_sample(t(X), F.affine_grid(th, (2, 3, 3, 3), align_corners=False), align_corners=False)

    assert gradcheck(fn, (t(RNG.uniform(-0.8, 0.8, (2, 2, 3)), True),))


def test_float32_and_the_align_corners_warning():
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        grid = F.affine_grid(t(np.zeros((1, 2, 3), np.float32)), (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="align_corners=False"):
        out = F.grid_sample(t(X[:1, :1].astype(np.float32)), grid)
    assert out.dtype == tg.float32 and out.shape == (1, 1, 2, 2)


def test_errors():
    x, g = t(X), t(GRID)
    with pytest.raises(
        ValueError, match="expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'area'"
    ):
        F.grid_sample(x, g, mode="area", align_corners=False)
    with pytest.raises(ValueError, match="expected padding_mode to be 'zeros', 'border', or 'reflection'"):
        F.grid_sample(x, g, padding_mode="circular", align_corners=False)
    with pytest.raises(NotImplementedError, match="grid_sample: mode='bicubic' is not supported"):
        F.grid_sample(x, g, mode="bicubic", align_corners=False)
    with pytest.raises(
        RuntimeError, match=r"expected grid and input to have same batch size.*\[2, 3, 4, 5\]"
    ):
        F.grid_sample(x, t(GRID[:1]), align_corners=False)
    with pytest.raises(RuntimeError, match=r"expected grid to have size 2 in last dimension.*\[2, 3, 2, 1\]"):
        F.grid_sample(x, t(GRID[..., :1]), align_corners=False)
    with pytest.raises(RuntimeError, match="expected 4D input and grid"):
        F.grid_sample(t(X[0]), g, align_corners=False)
    with pytest.raises(RuntimeError, match="expected input and grid to have same dtype"):
        F.grid_sample(x, t(GRID.astype(np.float32)), align_corners=False)
    with pytest.raises(NotImplementedError, match="grid_sample: 5-D"):
        F.grid_sample(t(X[..., None]), t(GRID[..., None, :1].repeat(3, -1)), align_corners=False)
    theta = t(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match=r"Expected a batch of 2D affine matrices of shape Nx2x3 for size"):
        F.affine_grid(t(np.zeros((2, 3, 3))), (2, 1, 4, 4), align_corners=False)
    with pytest.raises(ValueError, match=r"Expected non-zero, positive output size. Got \[2, 1, 0, 4\]"):
        F.affine_grid(theta, (2, 1, 0, 4), align_corners=False)
    with pytest.raises(NotImplementedError, match="affine_grid: 5-D sizes"):
        F.affine_grid(theta, (2, 1, 2, 2, 2), align_corners=False)
    with pytest.raises(ValueError, match="Expected theta to have floating point type"):
        F.affine_grid(t(np.zeros((2, 2, 3), np.int64)), (2, 1, 4, 4), align_corners=False)
