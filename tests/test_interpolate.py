"""F.interpolate, nn.Upsample, nn.UpsamplingNearest2d and nn.UpsamplingBilinear2d: against a loop-based
numpy version of PyTorch's index formulas (aten/src/ATen/native/UpSample.h), PyTorch's documented
examples, gradcheck, and errors."""

import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn.functional as F
from tensorgrad import nn
from tensorgrad.autograd import gradcheck, gradgradcheck
from tensorgrad.ops import interpolate as interpolate_module

A = -0.75  # PyTorch's bicubic convolution constant


def _index_scale(n_in, n_out, scale):
    """compute_scales_value in float32: what nearest modes step by per output position."""
    return np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)


def _keys(x):
    """Keys' cubic convolution kernel at distance x."""
    x = abs(x)
    if x <= 1:
        return (A + 2) * x**3 - (A + 3) * x**2 + 1
    return A * x**3 - 5 * A * x**2 + 8 * A * x - 4 * A if x < 2 else 0.0


def taps_ref(mode, n_in, n_out, scale=None, align_corners=False):
    """For each output position along one dim, the (input position, weight) pairs it sums."""
    taps = []
    for i in range(n_out):
        if mode == "nearest":
            if n_out == n_in:
                src = i
            elif n_out == 2 * n_in:
                src = i // 2
            else:  # floorf(i * scale) with a float32 scale
                src = min(math.floor(np.float32(i) * _index_scale(n_in, n_out, scale)), n_in - 1)
            taps.append([(src, 1.0)])
        elif mode == "nearest-exact":
            src = math.floor(np.float32((i + 0.5) * float(_index_scale(n_in, n_out, scale))))
            taps.append([(min(src, n_in - 1), 1.0)])
        elif mode == "area":
            start, end = (i * n_in) // n_out, -(-(i + 1) * n_in // n_out)
            taps.append([(j, 1.0 / (end - start)) for j in range(start, end)])
        elif mode == "linear" and n_out == n_in:
            taps.append([(i, 1.0)])
        else:
            if align_corners:
                real = i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
            else:
                real = (1.0 / scale if scale else n_in / n_out) * (i + 0.5) - 0.5
            if mode == "linear":
                real = max(real, 0.0)
            i0 = min(math.floor(real), n_in - 1)
            t = min(max(real - i0, 0.0), 1.0)
            if mode == "linear":
                taps.append([(i0, 1 - t), (min(i0 + 1, n_in - 1), t)])
            else:
                taps.append([(min(max(i0 + k, 0), n_in - 1), _keys(t - k)) for k in (-1, 0, 1, 2)])
    return taps


def interpolate_ref(x, out_sizes, mode, scales=None, align_corners=False):
    """Each spatial dim in turn (the last first), output position by output position."""
    scales = scales or [None] * len(out_sizes)
    kind = "linear" if mode in ("linear", "bilinear", "trilinear") else mode
    out = x.astype(np.float64)
    for axis in range(x.ndim - 1, 1, -1):
        n_out = out_sizes[axis - 2]
        taps = taps_ref(kind, out.shape[axis], n_out, scales[axis - 2], align_corners)
        new = np.zeros(out.shape[:axis] + (n_out,) + out.shape[axis + 1 :])
        for i, pairs in enumerate(taps):
            for j, weight in pairs:
                new[(slice(None),) * axis + (i,)] += weight * np.take(out, j, axis=axis)
        out = new
    return out


# (mode, input shape, kwargs of F.interpolate, output sizes, scales the index formulas use)
CASES = [
    ("nearest", (2, 3, 5), dict(size=12), [12], None),
    ("nearest", (2, 3, 7), dict(size=3), [3], None),
    ("nearest", (1, 2, 5), dict(scale_factor=2), [10], [2.0]),
    ("nearest", (1, 2, 5), dict(scale_factor=1.7), [8], [1.7]),
    ("nearest", (1, 2, 5), dict(scale_factor=1.7, recompute_scale_factor=True), [8], None),
    ("nearest", (1, 2, 16, 3), dict(scale_factor=(2.2, 0.7)), [35, 2], [2.2, 0.7]),
    ("nearest", (1, 1, 26, 6), dict(size=(22, 13)), [22, 13], None),
    ("nearest", (1, 2, 4, 4), dict(scale_factor=1.2), [4, 4], [1.2, 1.2]),  # equal size: a copy
    ("nearest-exact", (2, 2, 5), dict(size=8), [8], None),
    ("nearest-exact", (1, 2, 9, 5), dict(size=(4, 11)), [4, 11], None),
    ("nearest-exact", (1, 2, 4, 5), dict(scale_factor=1.5), [6, 7], [1.5, 1.5]),
    ("linear", (2, 3, 4), dict(size=9), [9], None),
    ("linear", (2, 3, 4), dict(size=9, align_corners=True), [9], None),
    ("linear", (2, 3, 9), dict(size=4), [4], None),
    ("linear", (2, 3, 9), dict(size=4, align_corners=True), [4], None),
    ("linear", (1, 2, 5), dict(scale_factor=1.7), [8], [1.7]),
    ("linear", (1, 2, 5), dict(scale_factor=1.7, recompute_scale_factor=True), [8], None),
    ("linear", (1, 2, 4), dict(scale_factor=1.1), [4], [1.1]),  # equal size: a copy
    ("linear", (1, 2, 5), dict(size=1), [1], None),
    ("linear", (1, 2, 5), dict(size=1, align_corners=True), [1], None),
    ("bilinear", (2, 2, 3, 4), dict(size=(7, 5)), [7, 5], None),
    ("bilinear", (2, 2, 3, 4), dict(size=(7, 5), align_corners=True), [7, 5], None),
    ("bilinear", (1, 2, 8, 7), dict(scale_factor=(0.5, 0.3)), [4, 2], [0.5, 0.3]),
    ("bilinear", (1, 2, 8, 7), dict(scale_factor=(0.5, 0.3), align_corners=True), [4, 2], [0.5, 0.3]),
    ("bilinear", (1, 1, 3, 5), dict(scale_factor=2.5), [7, 12], [2.5, 2.5]),
    ("bicubic", (2, 2, 4, 3), dict(size=(9, 5)), [9, 5], None),
    ("bicubic", (2, 2, 4, 3), dict(size=(9, 5), align_corners=True), [9, 5], None),
    ("bicubic", (1, 2, 9, 8), dict(size=(4, 3)), [4, 3], None),
    ("bicubic", (1, 2, 4, 4), dict(scale_factor=1.1), [4, 4], [1.1, 1.1]),  # not a copy for cubic
    ("trilinear", (1, 2, 2, 3, 4), dict(size=(3, 5, 2)), [3, 5, 2], None),
    ("trilinear", (1, 2, 2, 3, 4), dict(scale_factor=1.5, align_corners=True), [3, 4, 6], [1.5] * 3),
    ("area", (2, 3, 7), dict(size=3), [3], None),
    ("area", (2, 3, 7, 5), dict(size=(3, 8)), [3, 8], None),
    ("area", (1, 2, 6, 6), dict(scale_factor=0.5), [3, 3], None),
]


def _case_id(case):
    return f"{case[0]}-{case[1]}-{case[2]}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("mode, shape, kwargs, out_sizes, scales", CASES, ids=[_case_id(c) for c in CASES])
def test_interpolate_matches_reference(mode, shape, kwargs, out_sizes, scales, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    y = F.interpolate(tg.tensor(x), mode=mode, **kwargs)
    want = interpolate_ref(x, out_sizes, mode, scales, kwargs.get("align_corners", False))
    assert y.shape == want.shape and y.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.numpy(), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_resampling_by_product_and_by_gathering_agree(mode, monkeypatch):
    """Small resampling matrices are applied by a product, large ones and inputs with inf or nan
    by gathering: both match the reference, and an inf stays among its own taps' outputs."""
    x = np.random.default_rng(5).standard_normal((2, 3, 5, 6))
    ref = interpolate_ref(x, (9, 4), mode)
    np.testing.assert_allclose(F.interpolate(tg.tensor(x), size=(9, 4), mode=mode).numpy(), ref, atol=1e-12)
    monkeypatch.setattr(interpolate_module, "_DENSE_MAX", 0)
    np.testing.assert_allclose(F.interpolate(tg.tensor(x), size=(9, 4), mode=mode).numpy(), ref, atol=1e-12)
    monkeypatch.undo()
    x[0, 0, 2, 3] = np.inf
    out = F.interpolate(tg.tensor(x), size=(9, 4), mode=mode).numpy()
    assert np.isfinite(out[1]).all() and np.isfinite(out[0, 1:]).all()
    assert not np.isfinite(out[0, 0]).all() and np.isfinite(out[0, 0]).any()


def test_nearest_uses_pytorchs_float32_index_scale():
    """26 -> 22: the float32 scale 26/22 rounds down, so output 11 reads input 12, not 13 = 11*26/22;
    with scale_factor 2.2 on 16 -> 35, output 33 reads floor(33 * float32(1/2.2)) = 15."""
    x = tg.arange(26, dtype=tg.float32).reshape(1, 1, 26)
    assert F.interpolate(x, size=22)[0, 0, 11].item() == 12
    x = tg.arange(16, dtype=tg.float32).reshape(1, 1, 16)
    assert F.interpolate(x, scale_factor=2.2)[0, 0, 33].item() == 15


def test_pytorch_documented_examples():
    """The examples of torch.nn.Upsample's documentation."""
    x = tg.arange(1, 5, dtype=tg.float32).view(1, 1, 2, 2)
    np.testing.assert_array_equal(
        nn.Upsample(scale_factor=2, mode="nearest")(x).numpy()[0, 0],
        [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]],
    )
    np.testing.assert_allclose(
        nn.Upsample(scale_factor=2, mode="bilinear")(x).numpy()[0, 0],
        [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]],
    )
    third, two_thirds = 1 / 3, 2 / 3
    np.testing.assert_allclose(
        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)(x).numpy()[0, 0],
        [
            [1, 1 + third, 1 + two_thirds, 2],
            [1 + two_thirds, 2, 2 + third, 2 + two_thirds],
            [2 + third, 2 + two_thirds, 3, 3 + third],
            [3, 3 + third, 3 + two_thirds, 4],
        ],
        rtol=1e-6,
    )
    x3 = tg.zeros(1, 1, 3, 3)
    x3[:, :, :2, :2] = x
    np.testing.assert_allclose(
        nn.Upsample(scale_factor=2, mode="bilinear")(x3).numpy()[0, 0],
        [
            [1.0, 1.25, 1.75, 1.5, 0.5, 0.0],
            [1.5, 1.75, 2.25, 1.875, 0.625, 0.0],
            [2.5, 2.75, 3.25, 2.625, 0.875, 0.0],
            [2.25, 2.4375, 2.8125, 2.25, 0.75, 0.0],
            [0.75, 0.8125, 0.9375, 0.75, 0.25, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        ],
    )


GRAD_CASES = [
    ("nearest", (1, 2, 3), dict(size=7)),
    ("nearest", (1, 2, 5, 4), dict(size=(3, 9))),
    ("nearest-exact", (1, 2, 3, 4), dict(scale_factor=1.5)),
    ("linear", (2, 2, 4), dict(size=7)),
    ("linear", (2, 2, 6), dict(size=4, align_corners=True)),
    ("bilinear", (1, 2, 3, 4), dict(size=(5, 3))),
    ("bilinear", (1, 2, 3, 4), dict(scale_factor=1.7, align_corners=True)),
    ("bicubic", (1, 1, 4, 3), dict(size=(6, 5))),
    ("bicubic", (1, 1, 4, 3), dict(size=(3, 2), align_corners=True)),
    ("trilinear", (1, 1, 2, 3, 2), dict(size=(3, 2, 4))),
    ("area", (1, 2, 5, 4), dict(size=(3, 3))),
    ("area", (1, 2, 7), dict(size=3)),
]


@pytest.mark.parametrize("mode, shape, kwargs", GRAD_CASES, ids=[f"{c[0]}-{c[1]}" for c in GRAD_CASES])
def test_interpolate_gradcheck(mode, shape, kwargs):
    x = tg.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, mode=mode, **kwargs), (x,))


def test_interpolate_is_twice_differentiable():
    x = tg.tensor(np.random.default_rng(2).standard_normal((1, 1, 3, 3)), requires_grad=True)
    assert gradgradcheck(lambda t: F.interpolate(t, size=(4, 5), mode="bicubic") ** 2, (x,))


def test_interpolate_non_contiguous_and_integer_input():
    x0 = np.random.default_rng(3).standard_normal((2, 3, 4, 10))
    y = F.interpolate(tg.tensor(x0)[:, :, :, ::2], size=(5, 7), mode="bilinear")
    np.testing.assert_allclose(y.numpy(), interpolate_ref(x0[:, :, :, ::2], [5, 7], "bilinear"), rtol=1e-12)
    ints = np.arange(24).reshape(1, 2, 3, 4)
    y = F.interpolate(tg.tensor(ints), size=(5, 6))
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), interpolate_ref(ints, [5, 6], "nearest"))


def test_interpolate_returns_a_new_tensor_at_equal_size():
    x = tg.randn(1, 2, 3, 4, requires_grad=True)
    y = F.interpolate(x, size=(3, 4))
    assert y is not x
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy())
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((1, 2, 3, 4)))


# ---- modules -----------------------------------------------------------------------------------------


def test_upsample_modules():
    x = tg.randn(2, 3, 4, 5)
    up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
    assert up.state_dict() == {} and list(up.parameters()) == []
    assert up.scale_factor == 2.0 and isinstance(up.scale_factor, float)
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')"
    np.testing.assert_array_equal(
        up(x).numpy(), F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=True).numpy()
    )
    assert repr(nn.Upsample(size=(3, 4))) == "Upsample(size=(3, 4), mode='nearest')"
    assert nn.Upsample(scale_factor=(2, 3)).scale_factor == (2.0, 3.0)
    assert nn.Upsample(size=7)(tg.randn(1, 2, 3)).shape == (1, 2, 7)
    near = nn.UpsamplingNearest2d(size=(7, 9))
    assert (near.mode, near.align_corners) == ("nearest", None)
    np.testing.assert_array_equal(near(x).numpy(), interpolate_ref(x.numpy(), [7, 9], "nearest"))
    bil = nn.UpsamplingBilinear2d(scale_factor=2)
    assert (bil.mode, bil.align_corners) == ("bilinear", True)
    assert repr(bil) == "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"
    want = interpolate_ref(x.numpy(), [8, 10], "bilinear", [2.0, 2.0], align_corners=True)
    np.testing.assert_allclose(bil(x).numpy(), want, rtol=1e-5, atol=1e-6)


# ---- errors ------------------------------------------------------------------------------------------

NIE, VE = NotImplementedError, ValueError


@pytest.mark.parametrize(
    "shape, kwargs, error, match",
    [
        ((3, 4), dict(size=5), NIE, r"Only 3D, 4D and 5D input Tensors supported \(got 2D, shape \[3, 4\]"),
        ((1, 2, 3), dict(size=5, mode="bilinear"), NIE, "Got 3D input, but bilinear mode needs 4D input"),
        ((1, 2, 3, 3), dict(size=5, mode="linear"), NIE, "Got 4D input, but linear mode needs 3D input"),
        ((1, 2, 3, 3), dict(size=5, mode="trilinear"), NIE, "trilinear mode needs 5D input"),
        ((1, 2, 3, 3), dict(size=5, mode="cubic"), NIE, r"nearest \| linear .* \(got 'cubic'\)"),
        ((1, 2, 3, 3, 3), dict(size=2, mode="area"), NIE, "mode 'area' on 5-D input"),
        ((1, 2, 3, 3), dict(size=5, mode="bilinear", antialias=True), NIE, "antialias=True"),
        ((1, 2, 3), dict(size=5, mode="linear", antialias=True), VE, "Anti-alias option is restricted"),
        ((1, 2, 3, 3), dict(size=5, scale_factor=2.0), VE, "only one of size or scale_factor should be"),
        ((1, 2, 3, 3), dict(), VE, "either size or scale_factor should be defined"),
        ((1, 2, 3, 3), dict(size=(5, 5, 5)), VE, r"dimensions of \[3, 3\] and output size of \(5, 5, 5\)"),
        ((1, 2, 3, 3), dict(scale_factor=(2.0,)), VE, r"dimensions of \[3, 3\] and scale_factor of shape"),
        ((1, 2, 3, 3), dict(size=5, align_corners=True), VE, "align_corners option can only be set with"),
        ((1, 2, 3, 3), dict(size=5, recompute_scale_factor=True), VE, "recompute_scale_factor is not"),
        ((1, 2, 3, 3), dict(size=(5, 2.5)), TypeError, r"tuple of ints, but got size \(5, 2.5\)"),
        ((1, 2, 3, 3), dict(scale_factor="2"), TypeError, "expected scale_factor to be a float"),
        ((1, 2, 3, 3), dict(scale_factor=(2.0, math.inf)), VE, r"must be finite, got \(2.0, inf\)"),
        ((1, 2, 3, 3), dict(scale_factor=0.2), RuntimeError, r"greater than 0, .* size \[0, 0\]"),
        ((1, 2, 0, 3), dict(size=4), RuntimeError, r"greater than 0, but got input \[1, 2, 0, 3\]"),
    ],
)  # fmt: skip
def test_interpolate_errors(shape, kwargs, error, match):
    with pytest.raises(error, match=match):
        F.interpolate(tg.zeros(shape), **kwargs)


def test_interpolate_rejects_integer_input_for_interpolating_modes():
    with pytest.raises(RuntimeError, match="mode 'bilinear' expects a floating point input, got dtype int64"):
        F.interpolate(tg.zeros(1, 1, 2, 2, dtype=tg.int64), size=3, mode="bilinear")
    with pytest.raises(TypeError, match="interpolate: input must be a Tensor"):
        F.interpolate(np.zeros((1, 1, 2)), size=3)
