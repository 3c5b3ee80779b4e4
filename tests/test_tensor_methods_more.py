"""Tensor methods that are PyTorch's spelling of a function (`t.erf()` for `torch.erf(t)`), the
in-place forms `t.f_()` (values, version counter and gradients as the out-of-place op), and the
bitwise operators against the logical functions."""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import gradcheck

RNG = np.random.default_rng(7)
X = RNG.uniform(0.2, 0.9, (3, 4))
Y = RNG.uniform(0.2, 0.9, (3, 4))
V = RNG.uniform(0.2, 0.9, 3)
IDX = np.array([0, 2])

# (method name, extra args, the function it must equal)
METHODS = [
    ("atan2", (Y,), tg.atan2),
    ("absolute", (), tg.abs),
    ("negative", (), tg.neg),
    ("remainder", (0.3,), tg.remainder),
    ("floor_divide", (0.3,), tg.floor_divide),
    ("true_divide", (Y,), tg.div),
    ("swapaxes", (0, 1), tg.transpose),
    ("broadcast_to", ((2, 3, 4),), tg.broadcast_to),
    ("reciprocal", (), tg.reciprocal),
    ("trunc", (), tg.trunc),
    ("fix", (), tg.trunc),
    ("frac", (), tg.frac),
    ("sgn", (), tg.sgn),
    ("signbit", (), tg.signbit),
    ("fmod", (0.3,), tg.fmod),
    ("xlogy", (Y,), tg.xlogy),
    ("logit", (), tg.logit),
    ("erf", (), tg.erf),
    ("erfc", (), tg.erfc),
    ("erfinv", (), tg.erfinv),
    ("logaddexp", (Y,), tg.logaddexp),
    ("logaddexp2", (Y,), tg.logaddexp2),
    ("hypot", (Y,), tg.hypot),
    ("deg2rad", (), tg.deg2rad),
    ("rad2deg", (), tg.rad2deg),
    ("nansum", (1,), tg.nansum),
    ("nanmean", (0,), tg.nanmean),
    ("cumprod", (1,), tg.cumprod),
    ("logcumsumexp", (0,), tg.logcumsumexp),
    ("diff", (), tg.diff),
    ("diagonal", (), tg.diagonal),
    ("trace", (), tg.trace),
    ("diag_embed", (), tg.diag_embed),
    ("rot90", (), tg.rot90),
    ("fliplr", (), tg.fliplr),
    ("flipud", (), tg.flipud),
    ("movedim", (0, 1), tg.movedim),
    ("moveaxis", (0, 1), tg.moveaxis),
    ("masked_select", (X > 0.5,), tg.masked_select),
    ("take", (np.array([0, 5, 11]),), tg.take),
    ("histc", (4,), tg.histc),
    ("index_fill", (1, IDX, -1.0), tg.index_fill),
    ("index_add", (1, IDX, np.ones((3, 2))), tg.index_add),
    ("index_copy", (1, IDX, np.ones((3, 2))), tg.index_copy),
    ("logical_xor", (Y > 0.5,), tg.logical_xor),
    ("hardshrink", (0.5,), tg.hardshrink),
    ("lgamma", (), tg.lgamma),
    ("digamma", (), tg.digamma),
]

SQUARE = RNG.standard_normal((3, 3)) + 3 * np.eye(3)  # well conditioned
SPD = SQUARE @ SQUARE.T


@pytest.mark.parametrize(
    "name, args, function",
    [
        ("det", (), tg.det),
        ("logdet", (), tg.logdet),
        ("inverse", (), tg.inverse),
        ("pinverse", (), tg.pinverse),
        ("matrix_power", (3,), tg.matrix_power),
        ("matrix_exp", (), tg.matrix_exp),
    ],
)
def test_matrix_methods_equal_their_functions(name, args, function):
    got = getattr(tg.tensor(SQUARE), name)(*args)
    np.testing.assert_array_equal(got.numpy(), function(tg.tensor(SQUARE), *args).numpy())


def test_methods_with_other_argument_orders():
    t = tg.tensor(X)
    np.testing.assert_array_equal(t.polygamma(1).numpy(), tg.polygamma(1, t).numpy())
    sign, logabsdet = tg.tensor(SQUARE).slogdet()
    np.testing.assert_allclose(sign.item() * np.exp(logabsdet.item()), np.linalg.det(SQUARE))
    b = tg.tensor(RNG.standard_normal((3, 2)))
    chol = tg.tensor(np.linalg.cholesky(SPD))
    np.testing.assert_allclose(b.cholesky_solve(chol).numpy(), np.linalg.solve(SPD, b.numpy()), rtol=1e-10)


def test_top_level_names_are_the_functional_ones():
    import tensorgrad.nn.functional as F

    for name in ("pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "pdist", "hardshrink", "bilinear"):
        assert getattr(tg, name) is getattr(F, name)
    assert tg.adaptive_avg_pool1d is F.adaptive_avg_pool1d


def _tensors(args):
    return tuple(tg.tensor(a) if isinstance(a, np.ndarray) else a for a in args)


@pytest.mark.parametrize("name, args, function", METHODS, ids=[m[0] for m in METHODS])
def test_method_equals_its_function(name, args, function):
    t = tg.tensor(X)
    got = getattr(t, name)(*_tensors(args))
    np.testing.assert_array_equal(got.numpy(), function(tg.tensor(X), *_tensors(args)).numpy())


def test_methods_of_values_and_indices_and_sequences():
    t = tg.tensor(np.array([[1.0, 3.0, 2.0, 3.0], [0.0, 0.0, 5.0, 1.0]]))
    for name in ("cummax", "cummin"):
        got, ref = getattr(t, name)(1), getattr(tg, name)(t, 1)
        np.testing.assert_array_equal(got.values.numpy(), ref.values.numpy())
        np.testing.assert_array_equal(got.indices.numpy(), ref.indices.numpy())
    assert t.mode(1).values.tolist() == [3.0, 0.0] and t.mode(1).indices.tolist() == [3, 1]
    parts = t.tensor_split(3, dim=1)
    assert [p.shape for p in parts] == [(2, 2), (2, 1), (2, 1)]
    v = tg.tensor(V)
    np.testing.assert_allclose(v.outer(v).numpy(), np.outer(V, V))
    c = tg.tensor(RNG.standard_normal((2, 3)))
    np.testing.assert_allclose(c.cross(c.flip(1), dim=1).numpy(), np.cross(c.numpy(), c.flip(1).numpy()))
    assert tg.tensor([1, 1, 3]).bincount().tolist() == [0, 2, 0, 1]


# (in-place method, extra args, the out-of-place function it must equal)
IN_PLACE = [
    ("abs_", (), tg.abs),
    ("neg_", (), tg.neg),
    ("exp_", (), tg.exp),
    ("log_", (), tg.log),
    ("sqrt_", (), tg.sqrt),
    ("rsqrt_", (), tg.rsqrt),
    ("square_", (), tg.square),
    ("reciprocal_", (), tg.reciprocal),
    ("pow_", (3.0,), tg.pow),
    ("sin_", (), tg.sin),
    ("cos_", (), tg.cos),
    ("tanh_", (), tg.tanh),
    ("sigmoid_", (), tg.sigmoid),
    ("relu_", (), tg.relu),
    ("log1p_", (), tg.log1p),
    ("expm1_", (), tg.expm1),
    ("erf_", (), tg.erf),
    ("clamp_min_", (0.5,), tg.clamp_min),
    ("clamp_max_", (0.5,), tg.clamp_max),
    ("clip_", (0.3, 0.6), tg.clamp),
    ("fmod_", (0.3,), tg.fmod),
    ("lerp_", (Y, 0.25), tg.lerp),
    ("addcmul_", (Y, Y), tg.addcmul),
    ("addcdiv_", (Y, Y), tg.addcdiv),
    ("index_fill_", (1, IDX, -1.0), tg.index_fill),
    ("index_add_", (1, IDX, np.ones((3, 2))), tg.index_add),
    ("index_copy_", (1, IDX, np.ones((3, 2))), tg.index_copy),
]


@pytest.mark.parametrize("name, args, function", IN_PLACE, ids=[m[0] for m in IN_PLACE])
def test_in_place_form_matches_the_function_with_its_gradient(name, args, function):
    x = tg.tensor(X, requires_grad=True)
    y = x * 1.0
    version = y._version
    out = getattr(y, name)(*_tensors(args))
    assert out is y and y._version == version + 1
    ref = function(x * 1.0, *_tensors(args))
    np.testing.assert_allclose(y.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    (grad,) = tg.autograd.grad(y.sum(), x)
    (ref_grad,) = tg.autograd.grad(ref.sum(), x)
    np.testing.assert_allclose(grad.numpy(), ref_grad.numpy(), rtol=1e-12)


def test_in_place_forms_are_differentiable_and_refuse_leaves():
    assert gradcheck(lambda a: (a * 1.0).sigmoid_().mul(a).tanh_(), (tg.tensor(X, requires_grad=True),))
    with pytest.raises(RuntimeError, match="exp_"):
        tg.tensor(X, requires_grad=True).exp_()
    with pytest.raises(RuntimeError, match="exp_"):  # a float result cannot be written into int64
        tg.tensor([1, 2]).exp_()
    r = tg.tensor(X)
    assert r.remainder_(0.3) is r  # remainder has no gradient here: values only
    np.testing.assert_allclose(r.numpy(), np.remainder(X, 0.3))


def test_bitwise_operators_and_logical_functions():
    a, b = np.array([1, 2, 0, 6]), np.array([2, 3, 0, 5])
    ta, tb = tg.tensor(a), tg.tensor(b)
    np.testing.assert_array_equal((ta & tb).numpy(), a & b)
    np.testing.assert_array_equal((ta | tb).numpy(), a | b)
    np.testing.assert_array_equal((ta ^ tb).numpy(), a ^ b)
    np.testing.assert_array_equal((~ta).numpy(), ~a)
    np.testing.assert_array_equal((3 & ta).numpy(), 3 & a)
    # logical_* look at truth (non-zero), for any dtype, and return bool
    for fn, ref in ((tg.logical_and, np.logical_and), (tg.logical_or, np.logical_or)):
        out = fn(ta, tb)
        assert out.dtype == tg.bool
        np.testing.assert_array_equal(out.numpy(), ref(a, b))
        np.testing.assert_array_equal(fn(tg.tensor([0.5, 0.0]), 1).numpy(), ref([0.5, 0.0], 1))
    np.testing.assert_array_equal(tg.logical_not(ta).numpy(), np.logical_not(a))
    np.testing.assert_array_equal(ta.logical_not().numpy(), np.logical_not(a))
    m = tg.tensor([True, False])
    assert (~m).tolist() == [False, True] and (m & True).tolist() == [True, False]
    with pytest.raises(
        RuntimeError, match="bitwise_and: expected bool or integer tensors, got dtype float32"
    ):
        tg.tensor([1.0]) & tg.tensor([1.0])
    with pytest.raises(RuntimeError, match="logical_and.*\\[2\\].*\\[3\\]"):
        tg.logical_and(tg.ones(2), tg.ones(3))


@pytest.mark.parametrize(
    "name, args, function",
    [
        ("swapdims", (0, 1), tg.swapdims),
        ("adjoint", (), tg.adjoint),
        ("kron", (Y,), tg.kron),
        ("inner", (Y,), tg.inner),
        ("diagflat", (), tg.diagflat),
        ("narrow_copy", (1, 1, 2), tg.narrow_copy),
        ("quantile", (0.3,), tg.quantile),
        ("nanquantile", (0.3, 1), tg.nanquantile),
        ("float_power", (2.0,), tg.float_power),
        ("copysign", (-1.0,), tg.copysign),
        ("renorm", (2, 0, 0.5), tg.renorm),
    ],
)
def test_more_methods_equal_their_functions(name, args, function):
    got = getattr(tg.tensor(X), name)(*_tensors(args))
    np.testing.assert_array_equal(got.numpy(), function(tg.tensor(X), *_tensors(args)).numpy())


def test_integer_methods_and_shift_operators():
    a, b = tg.tensor([12, 18, 5]), tg.tensor([8, 12, 3])
    assert a.gcd(b).tolist() == np.gcd(a.numpy(), b.numpy()).tolist()
    assert a.lcm(b).tolist() == np.lcm(a.numpy(), b.numpy()).tolist()
    assert (a << 2).tolist() == (a.numpy() << 2).tolist() and (a >> 1).tolist() == (a.numpy() >> 1).tolist()
    assert a.bitwise_left_shift(b).tolist() == (a.numpy() << b.numpy()).tolist()
    mantissa, exponent = tg.tensor([8.0, 0.75]).frexp()
    assert mantissa.tolist() == [0.5, 0.75] and exponent.tolist() == [4, 0]


def test_device_and_storage_queries():
    t = tg.ones(2, 3)
    assert t.device == tg.device("cpu") and t.device.type == "cpu" and t.device == "cpu"
    assert not t.is_cuda and t.is_cpu and t.get_device() == -1 and not t.is_pinned()
    assert t.nelement() == 6 and t.ndimension() == 2 and t.itemsize == 4
    assert t.storage_offset() == 0 and t[1:].storage_offset() == 3
    assert t.data_ptr() == t.numpy().ctypes.data and t.pin_memory() is t and t.share_memory_() is t


def test_to_takes_pytorchs_forms_and_refuses_other_devices():
    t = tg.ones(2)
    assert t.to("cpu") is t and t.to(tg.device("cpu")) is t and t.to("cpu:0") is t
    assert t.to(tg.float64).dtype == tg.float64 and t.to("cpu", tg.float64).dtype == tg.float64
    assert t.to(tg.zeros(1, dtype=tg.float64)).dtype == tg.float64
    assert t.to(device="cpu", dtype=tg.float64, non_blocking=True).dtype == tg.float64
    copied = t.to(copy=True)
    assert copied is not t and copied.tolist() == t.tolist()
    for bad in ("cuda", tg.device("cuda", 0), 0):
        with pytest.raises(RuntimeError, match="to: tensorgrad runs on the CPU only"):
            t.to(bad)
    with pytest.raises(RuntimeError, match="CPU only"):
        t.to(device="cuda")
    model = tg.nn.Linear(2, 2)
    assert model.to(tg.device("cpu")) is model
    model.to("cpu", tg.float64)
    assert model.weight.dtype == tg.float64
    with pytest.raises(RuntimeError, match="Module.to: tensorgrad runs on the CPU only"):
        model.to(tg.device("cuda"))
