"""The public Tensor API: creation, dtype rules, conversion, repr, in-place ops and versions,
index assignment, grad mode, hooks, user-written Functions and autograd.grad/backward options."""

import threading

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import Function, once_differentiable

# ---- creation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, shape, dtype",
    [
        (lambda: tg.zeros(2, 3), (2, 3), tg.float32),
        (lambda: tg.zeros((2, 3)), (2, 3), tg.float32),
        (lambda: tg.ones(4, dtype=tg.float64), (4,), tg.float64),
        (lambda: tg.empty(0, 2), (0, 2), tg.float32),
        (lambda: tg.full((2, 2), 7), (2, 2), tg.int64),
        (lambda: tg.full((2,), 1.5), (2,), tg.float32),
        (lambda: tg.full((2,), True), (2,), tg.bool),
        (lambda: tg.rand(3, 2), (3, 2), tg.float32),
        (lambda: tg.randn(5, dtype=tg.float64), (5,), tg.float64),
        (lambda: tg.randint(0, 10, (3, 4)), (3, 4), tg.int64),
        (lambda: tg.arange(5), (5,), tg.int64),
        (lambda: tg.arange(0, 1, 0.25), (4,), tg.float32),
        (lambda: tg.linspace(0, 1, 5), (5,), tg.float32),
        (lambda: tg.eye(3), (3, 3), tg.float32),
        (lambda: tg.eye(2, 3), (2, 3), tg.float32),
        (lambda: tg.zeros_like(tg.ones(2, dtype=tg.float64)), (2,), tg.float64),
        (lambda: tg.ones_like(tg.arange(3)), (3,), tg.int64),
    ],
)
def test_creation_functions_give_pytorch_shapes_and_dtypes(make, shape, dtype):
    t = make()
    assert t.shape == shape and t.dtype == dtype
    assert not t.requires_grad and t.is_leaf


def test_creation_values():
    np.testing.assert_array_equal(tg.arange(1, 7, 2).numpy(), [1, 3, 5])
    np.testing.assert_allclose(tg.linspace(-1, 1, 5).numpy(), [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_array_equal(tg.eye(2, 3).numpy(), np.eye(2, 3))
    np.testing.assert_array_equal(tg.full((2,), 7).numpy(), [7, 7])
    r = tg.rand(1000).numpy()
    assert r.min() >= 0 and r.max() < 1
    i = tg.randint(3, 5, (100,)).numpy()
    assert set(np.unique(i)) <= {3, 4}


def test_manual_seed_makes_random_draws_repeat():
    tg.manual_seed(123)
    a = (tg.rand(4).numpy(), tg.randn(3).numpy(), tg.randint(0, 100, (5,)).numpy())
    tg.manual_seed(123)
    b = (tg.rand(4).numpy(), tg.randn(3).numpy(), tg.randint(0, 100, (5,)).numpy())
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_requires_grad_in_factories():
    assert tg.zeros(2, requires_grad=True).requires_grad
    assert tg.tensor([1.0], requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor([1, 2], requires_grad=True)


# ---- dtype rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, tg.float32),
        ([1.0, 2.0], tg.float32),
        ([[1, 2.5]], tg.float32),
        (3, tg.int64),
        ([1, 2], tg.int64),
        (True, tg.bool),
        ([True, False], tg.bool),
        (np.array([1.0, 2.0]), tg.float64),
        (np.array([1.0], dtype=np.float32), tg.float32),
        (np.array([1, 2], dtype=np.int64), tg.int64),
        (np.array([True]), tg.bool),
        (np.float64(2.0), tg.float64),
    ],
)
def test_tensor_infers_dtype_like_pytorch(data, dtype):
    assert tg.tensor(data).dtype == dtype


def test_dtype_argument_wins():
    assert tg.tensor([1, 2], dtype=tg.float64).dtype == tg.float64
    assert tg.tensor(np.array([1.5]), dtype=tg.float32).dtype == tg.float32


def f32(*values):
    return tg.tensor(list(values), dtype=tg.float32)


@pytest.mark.parametrize(
    "expr, dtype",
    [
        (lambda: f32(1.0) * 2.5, tg.float32),
        (lambda: 2.5 * f32(1.0), tg.float32),
        (lambda: f32(1.0) + 1, tg.float32),
        (lambda: f32(1.0) / 3, tg.float32),
        (lambda: 1 / f32(1.0), tg.float32),
        (lambda: f32(1.0) ** 2, tg.float32),
        (lambda: f32(1.0) ** 0.5, tg.float32),
        (lambda: 2.0 ** f32(1.0), tg.float32),
        (lambda: f32(1.0) - np.float64(1.0), tg.float32),
        (lambda: tg.tensor([1, 2]) + 1.5, tg.float32),
        (lambda: tg.tensor([1, 2]) * 0.5, tg.float32),
        (lambda: tg.tensor([1, 2]) + 1, tg.int64),
        (lambda: tg.tensor([1, 2]) / 2, tg.float32),
        (lambda: tg.tensor([1, 2]) / tg.tensor([2, 2]), tg.float32),
        (lambda: tg.tensor([1, 2]) + f32(1.0, 2.0), tg.float32),
        (lambda: f32(1.0, 2.0) * tg.tensor([1, 2]), tg.float32),
        (lambda: f32(1.0) + tg.tensor([1.0], dtype=tg.float64), tg.float64),
        (lambda: tg.tensor([True]) + 1, tg.int64),
        (lambda: tg.tensor([True]) + tg.tensor([2]), tg.int64),
        (lambda: tg.tensor([True]) * 1.5, tg.float32),
        (lambda: tg.tensor([1, 2]).sum(), tg.int64),
        (lambda: tg.tensor([True, True]).sum(), tg.int64),
        (lambda: tg.exp(tg.tensor([1, 2])), tg.float32),
        (lambda: tg.where(tg.tensor([True]), f32(1.0), 2.0), tg.float32),
        (lambda: tg.maximum(f32(1.0), tg.tensor([2], dtype=tg.float64)), tg.float64),
    ],
)
def test_type_promotion_follows_pytorch(expr, dtype):
    assert expr().dtype == dtype


def test_comparisons_return_bool_tensors_without_gradient():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x > 1.5, x >= 2, x < x, x <= 2.0, x == 2, x != 2.0):
        assert result.dtype == tg.bool and not result.requires_grad
    np.testing.assert_array_equal((x > 1.5).numpy(), [False, True, True])


def test_conversions_between_dtypes():
    x = tg.tensor([1.7, -2.2])
    assert x.double().dtype == tg.float64 and x.to(tg.float64).dtype == tg.float64
    np.testing.assert_array_equal(x.long().numpy(), [1, -2])
    assert x.long().dtype == tg.int64 and x.bool().dtype == tg.bool
    assert x.to(tg.float32) is x
    assert x.to("cpu") is x


# ---- conversion to numpy and Python -------------------------------------------------------------------


def test_from_numpy_shares_memory_both_ways():
    a = np.array([1.0, 2.0, 3.0])
    t = tg.from_numpy(a)
    assert t.dtype == tg.float64
    a[0] = 10.0
    assert t[0].item() == 10.0
    t.numpy()[1] = 20.0
    assert a[1] == 20.0
    t.add_(1.0)
    np.testing.assert_array_equal(a, [11.0, 21.0, 4.0])


def test_numpy_refuses_a_tensor_that_requires_grad_as_pytorch_does():
    t = tg.tensor([1.0, 2.0], requires_grad=True)
    for convert in (lambda: t.numpy(), lambda: np.asarray(t), lambda: np.array(t)):
        with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
            convert()
    np.testing.assert_array_equal(np.asarray(t.detach()), [1.0, 2.0])
    np.testing.assert_array_equal(t.detach().numpy(), [1.0, 2.0])


def test_tensor_copies_its_input():
    a = np.array([1.0, 2.0])
    t = tg.tensor(a)
    a[0] = 5.0
    assert t[0].item() == 1.0


def test_item_tolist_numpy_and_asarray():
    t = tg.tensor([[1.5, 2.0]])
    assert t.tolist() == [[1.5, 2.0]]
    assert tg.tensor([3]).item() == 3 and isinstance(tg.tensor([3]).item(), int)
    assert isinstance(tg.tensor(2.5).item(), float)
    assert float(tg.tensor([2.5])) == 2.5 and int(tg.tensor(4)) == 4
    arr = np.asarray(t)
    assert arr.dtype == np.float32 and arr.shape == (1, 2)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
        t.item()
    with pytest.raises(RuntimeError, match="requires grad"):
        tg.tensor([1.0], requires_grad=True).numpy()
    assert tg.tensor([1.0], requires_grad=True).detach().numpy().tolist() == [1.0]


def test_metadata():
    t = tg.zeros(2, 3, 4)
    assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
    assert t.size() == (2, 3, 4) and t.size(-1) == 4 and t.shape[1] == 3
    assert t.T.shape == (4, 3, 2)
    assert t.transpose(0, 2).is_contiguous() is False


# ---- repr -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, text",
    [
        (lambda: tg.tensor([1.0, 2.0, 3.0]), "tensor([1., 2., 3.])"),
        (lambda: tg.tensor([1.5, 2.0]), "tensor([1.5000, 2.0000])"),
        (lambda: tg.tensor(3.5), "tensor(3.5000)"),
        (lambda: tg.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
        (lambda: tg.tensor([-1.25, 100.5]), "tensor([ -1.2500, 100.5000])"),
        (lambda: tg.tensor([float("nan"), float("inf"), 1.5]), "tensor([   nan,    inf, 1.5000])"),
        (lambda: tg.tensor([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
        (lambda: tg.tensor([-1, 20]), "tensor([-1, 20])"),
        (lambda: tg.tensor([True, False]), "tensor([ True, False])"),
        (lambda: tg.tensor([1.0, 2.0], dtype=tg.float64), "tensor([1., 2.], dtype=tensorgrad.float64)"),
        (lambda: tg.zeros(0), "tensor([])"),
        (lambda: tg.zeros(0, 3), "tensor([], size=(0, 3))"),
        (lambda: tg.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
        (lambda: tg.arange(2000.0)[:7], "tensor([0., 1., 2., 3., 4., 5., 6.])"),
    ],
)
def test_repr_matches_pytorch(make, text):
    assert repr(make()) == text


def test_repr_summarizes_large_tensors_and_shows_grad_fn():
    text = repr(tg.arange(2000.0))
    assert text == (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"
    )
    y = tg.tensor([1.0], requires_grad=True) * 2
    assert repr(y).startswith("tensor([2.], grad_fn=<") and repr(y).endswith("Backward>)")


# ---- in-place ops and the version counter -------------------------------------------------------------


@pytest.mark.parametrize(
    "apply, expected",
    [
        (lambda t: t.add_(1.0), [2.0, 3.0]),
        (lambda t: t.add_(tg.tensor([1.0, 1.0]), alpha=2), [3.0, 4.0]),
        (lambda t: t.sub_(0.5), [0.5, 1.5]),
        (lambda t: t.mul_(tg.tensor(3.0)), [3.0, 6.0]),
        (lambda t: t.div_(2), [0.5, 1.0]),
        (lambda t: t.zero_(), [0.0, 0.0]),
        (lambda t: t.fill_(7), [7.0, 7.0]),
        (lambda t: t.copy_(tg.tensor([5, 6])), [5.0, 6.0]),
        (lambda t: t.clamp_(1.5, 1.8), [1.5, 1.8]),
    ],
)
def test_inplace_ops_write_into_the_tensor_and_bump_its_version(apply, expected):
    t = tg.tensor([1.0, 2.0])
    data, version = t.numpy(), t._version
    assert apply(t) is t
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6)
    assert t.numpy() is data and t.dtype == tg.float32
    assert t._version > version


def test_augmented_assignment_is_in_place():
    t = tg.tensor([1.0, 2.0])
    alias = t
    t += 1
    t -= tg.tensor([0.5, 0.5])
    t *= 2
    t /= 4
    assert t is alias and t._version == 4
    np.testing.assert_allclose(t.numpy(), [0.75, 1.25])


def test_views_share_the_version_counter():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = t[0]
    v.add_(1.0)
    assert t._version == v._version == 1
    np.testing.assert_array_equal(t.numpy(), [[2.0, 3.0], [3.0, 4.0]])


def test_inplace_on_a_leaf_that_requires_grad_raises():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    for op in (lambda: w.add_(1.0), lambda: w.mul_(2.0), lambda: w.zero_(), lambda: w.copy_(tg.ones(2))):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            op()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w[0] = 3.0
    with tg.no_grad():
        w.sub_(1.0)  # the optimizer step: allowed without grad mode
    np.testing.assert_array_equal(w.numpy() if not w.requires_grad else w.detach().numpy(), [0.0, 1.0])


def test_inplace_on_a_saved_tensor_makes_backward_raise():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y * y
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_on_a_non_leaf_records_the_op():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.mul_(3.0)
    y.add_(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_fill_and_copy_on_a_non_leaf_give_zero_gradient_to_the_old_value():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    src = tg.tensor([5.0, 6.0], requires_grad=True)
    a = x * 2
    a.zero_()
    b = x * 2
    b.copy_(src)
    c = x * 2
    c.copy_(tg.tensor([1.0, 1.0]))  # a constant source: still part of the graph, as in PyTorch
    assert a.requires_grad and b.requires_grad and c.requires_grad
    (a + b + c).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(src.grad.numpy(), [1.0, 1.0])


# ---- index assignment ------------------------------------------------------------------------------------


def test_setitem_gradient_flows_to_value_and_untouched_part():
    x = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    v = tg.tensor([10.0, 20.0], requires_grad=True)
    y = x * 1.0
    y[:, 1] = v
    (y * tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 3.0], [4.0, 0.0, 6.0]])
    np.testing.assert_array_equal(v.grad.numpy(), [2.0, 5.0])
    np.testing.assert_array_equal(y.detach().numpy(), [[1.0, 10.0, 3.0], [4.0, 20.0, 6.0]])


def test_setitem_with_broadcast_value_and_bool_mask():
    x = tg.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    v = tg.tensor(0.5, requires_grad=True)
    y = x.clone()
    y[x < 0] = v
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [0.5, 2.0, 0.5])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])
    assert v.grad.item() == 2.0


def test_setitem_without_grad_writes_in_place_and_casts():
    t = tg.zeros(2, 3)
    data = t.numpy()
    t[0] = 1
    t[1, 1:] = tg.tensor([2.0, 3.0], dtype=tg.float64)
    t[..., 0] = tg.tensor([7, 8])
    assert t.numpy() is data and t.dtype == tg.float32 and t._version == 3
    np.testing.assert_array_equal(data, [[7.0, 1.0, 1.0], [8.0, 2.0, 3.0]])


# ---- grad mode -------------------------------------------------------------------------------------------


def test_no_grad_and_enable_grad_as_context_managers_and_decorators():
    x = tg.tensor([1.0], requires_grad=True)

    @tg.no_grad()
    def without(t):
        assert not tg.is_grad_enabled()
        return t * 2

    @tg.enable_grad()
    def with_grad(t):
        return t * 2

    assert not without(x).requires_grad
    with tg.no_grad():
        assert with_grad(x).requires_grad
        assert not (x * 2).requires_grad
        with tg.enable_grad():
            assert (x * 2).requires_grad
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with tg.no_grad():
            raise ValueError
    assert tg.is_grad_enabled()


def test_set_grad_enabled():
    with tg.set_grad_enabled(False):
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()
    tg.set_grad_enabled(False)
    try:
        assert not tg.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True)


def test_grad_mode_is_thread_local():
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def worker():
        with tg.no_grad():
            inside.set()
            release.wait(5)
            seen["worker"] = tg.is_grad_enabled()

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    x = tg.tensor([1.0], requires_grad=True)
    seen["main"] = tg.is_grad_enabled() and (x * 2).requires_grad
    release.set()
    thread.join()
    assert seen == {"main": True, "worker": False}

    # and the other way round: a fresh thread starts with grad mode on
    result = []
    with tg.no_grad():
        t = threading.Thread(target=lambda: result.append(tg.is_grad_enabled()))
        t.start()
        t.join()
    assert result == [True]


# ---- retain_grad, hooks ---------------------------------------------------------------------------------


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = y * y
    assert z.grad is None
    z.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(x.grad.numpy(), [18.0, 36.0])
    assert z.grad is None


def test_register_hook_can_replace_the_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    np.testing.assert_allclose(seen[0], [2.0, 2.0])
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_hook_on_a_non_leaf_changes_what_flows_upstream():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 0)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


# ---- user-written Functions -----------------------------------------------------------------------------


class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return tg.tensor(x.detach().numpy() ** 3 * scale, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x * ctx.scale, None


def test_user_function_follows_pytorch_contract():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.requires_grad and not y.is_leaf
    np.testing.assert_allclose(y.detach().numpy(), [2.0, 16.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 24.0])
    assert tg.autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (x,))
    assert tg.autograd.gradgradcheck(lambda t: Cube.apply(t, 2.0), (x,))


def test_user_function_forward_runs_without_grad_and_sees_needs_input_grad():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["grad_mode"] = tg.is_grad_enabled()
            seen["needs"] = ctx.needs_input_grad
            return a.detach() + b.detach()

        @staticmethod
        def backward(ctx, g):
            return g, g

    a = tg.tensor([1.0], requires_grad=True)
    Probe.apply(a, tg.tensor([2.0]))
    assert seen == {"grad_mode": False, "needs": (True, False)}


def test_mark_non_differentiable():
    class SortWithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.detach().numpy())
            values = tg.tensor(x.detach().numpy()[order])
            ranks = tg.tensor(order.astype(np.float32))  # a float output that carries no gradient
            ctx.mark_non_differentiable(ranks)
            ctx.order = order
            return values, ranks

        @staticmethod
        def backward(ctx, g_values, g_ranks):
            out = np.zeros_like(g_values.numpy())
            out[ctx.order] = g_values.numpy()
            return tg.tensor(out)

    x = tg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, ranks = SortWithIndex.apply(x)
    assert values.requires_grad and not ranks.requires_grad
    (values * tg.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 1.0, 2.0])


def test_once_differentiable_raises_on_second_derivative():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return tg.tensor(x.detach().numpy() ** 2)

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = tg.tensor([3.0], requires_grad=True)
    (g,) = tg.autograd.grad(Square.apply(x).sum(), x)
    assert g.item() == 6.0
    (g,) = tg.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert g.item() == 6.0 and g.requires_grad
    with pytest.raises(RuntimeError, match="only once differentiable"):
        g.sum().backward()


def test_function_with_wrong_number_of_gradients_is_reported():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a.detach() * b.detach()

        @staticmethod
        def backward(ctx, g):
            return g

    a = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="returned 1 gradients, but forward received 2 inputs"):
        Bad.apply(a, tg.tensor([2.0])).sum().backward()


# ---- autograd.grad and backward options ------------------------------------------------------------------


def test_autograd_grad_allow_unused():
    x = tg.tensor([1.0], requires_grad=True)
    unused = tg.tensor([2.0], requires_grad=True)
    y = (x * 3).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        tg.autograd.grad(y, (x, unused), retain_graph=True)
    gx, gu = tg.autograd.grad(y, (x, unused), allow_unused=True)
    assert gx.item() == 3.0 and gu is None
    assert x.grad is None


def test_autograd_grad_with_grad_outputs_and_multiple_outputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 2, x * x
    (g,) = tg.autograd.grad((a, b), x, (tg.tensor([1.0, 1.0]), tg.tensor([0.5, 2.0])))
    np.testing.assert_allclose(g.numpy(), [2.0 + 1.0, 2.0 + 8.0])


def test_backward_with_inputs_only_fills_those():
    x = tg.tensor([1.0], requires_grad=True)
    w = tg.tensor([2.0], requires_grad=True)
    y = (x * w).sum()
    y.backward(inputs=[w])
    assert x.grad is None and w.grad.item() == 1.0
    z = (x * w * 3).sum()
    z.backward(inputs=[x, w])
    assert x.grad.item() == 6.0 and w.grad.item() == 4.0


def test_backward_inputs_may_be_a_non_leaf():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (h * h).sum().backward(inputs=[h])
    np.testing.assert_allclose(h.grad.numpy(), [4.0, 8.0])
    assert x.grad is None


def test_double_backward_via_create_graph():
    x = tg.tensor([0.3, -0.7], dtype=tg.float64, requires_grad=True)
    y = tg.tanh(x).sum()
    (g,) = tg.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    t = np.tanh(np.array([0.3, -0.7]))
    np.testing.assert_allclose(x.grad.numpy(), -2 * t * (1 - t * t))


def test_gradient_accumulates_into_existing_grad_with_its_dtype():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == tg.float32
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_retain_grad_sees_the_gradient_after_hooks_and_works_on_the_root():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [40.0, 80.0])  # as PyTorch: retain_grad runs last
    np.testing.assert_allclose(x.grad.numpy(), [80.0, 160.0])
    root = (x * 2).sum()
    root.retain_grad()
    root.backward()
    assert root.grad.item() == 1.0 and root.retains_grad


def test_autograd_grad_of_a_hooked_non_leaf_returns_the_hooked_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.register_hook(lambda g: g * 10)
    (g,) = tg.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(g.numpy(), [40.0, 80.0])


def test_inplace_through_a_view_rebases_the_base_history():
    x = tg.ones(2, 3, requires_grad=True)
    v = tg.tensor(5.0, requires_grad=True)
    y = x * 1
    y[0][1] = v  # y[0] is a view of y: the write must reach y's graph
    y[:, 2].mul_(3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 3.0], [1.0, 1.0, 3.0]])
    assert v.grad.item() == 1.0


def _x5():
    return tg.tensor(np.arange(1.0, 6.0), requires_grad=True)


def _stale_views_cases():
    """(name, loss built with views taken before an in-place write, d loss / dx worked by hand)."""
    x0 = np.arange(1.0, 6.0)

    def write_to_base(x):  # b = x; v = b[1:3]; b *= 3  ->  v = 3 x[1:3]
        b = x * 1
        v = b[1:3]
        b.mul_(3)
        return v.sum()

    def write_through_another_view(x):  # b[0:2] *= 2  ->  v2 = b[1:3] = (2 x1, x2)
        b = x * 1
        v1, v2 = b[0:2], b[1:3]
        v1.mul_(2)
        return v2.sum()

    def view_of_a_view(x):  # b = x[:4] + x[:4]  ->  w = b.view(2, 2)[0] = 2 x[0:2]
        b = x[:4] * 1
        w = b.view(2, 2)[0]
        b.add_(x[:4])
        return w.sum()

    def permuted(x):  # b = x[:4]**2 as (2, 2); sum(b.T * W) with W = [[1, 2], [3, 4]]
        b = (x[:4] * 1).view(2, 2)
        t = b.t()
        b.mul_(x[:4].view(2, 2))
        return (t * tg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tg.float64)).sum()

    def expanded(x):  # e = 3 rows of 2 x[0:2]
        b = x[:2] * 1
        e = b.expand(3, 2)
        b.mul_(2)
        return e.sum()

    def inplace_on_a_stale_view(x):  # b = (2 x0, 2 x1 x3, x2 x4, x3, x4)
        b = x * 1
        v1, v2 = b[0:2], b[1:3]
        v1.mul_(2)
        v2.mul_(x[3:5])
        return b.sum()

    x1, x2, x3, x4 = x0[1:]
    return [
        ("write to the base", write_to_base, [0, 3, 3, 0, 0]),
        ("write through another view", write_through_another_view, [0, 2, 1, 0, 0]),
        ("view of a view", view_of_a_view, [2, 2, 0, 0, 0]),
        ("permuted view", permuted, [2 * 1 * 1, 2 * x1 * 3, 2 * x2 * 2, 2 * x3 * 4, 0]),
        ("expanded view", expanded, [6, 6, 0, 0, 0]),
        ("in-place on a stale view", inplace_on_a_stale_view, [2, 2 * x3, x4, 2 * x1 + 1, x2 + 1]),
    ]


@pytest.mark.parametrize(
    "name, loss, expected", _stale_views_cases(), ids=[c[0] for c in _stale_views_cases()]
)
def test_views_taken_before_an_inplace_write_follow_the_new_history(name, loss, expected):
    """As in PyTorch, a view made before an in-place write to its base (or to another view of it)
    sees the new values and differentiates through the new history, not the old one."""
    x = _x5()
    loss(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), expected)
    assert tg.autograd.gradcheck(lambda x: loss(x), (_x5(),))


def test_backward_from_a_stale_view_and_writes_without_grad_mode():
    x = _x5()
    b = x * 1
    v = b[1:3]
    b.mul_(3)
    v.backward(tg.tensor([1.0, 10.0], dtype=tg.float64))  # the view itself is the root
    np.testing.assert_allclose(x.grad.numpy(), [0, 3, 30, 0, 0])
    x = _x5()
    b = x * 2
    v = b[0:2]
    with tg.no_grad():
        b.mul_(10)  # records nothing: the values change, the gradient rule does not
    v.sum().backward()
    np.testing.assert_allclose(v.detach().numpy(), [20.0, 40.0])
    np.testing.assert_allclose(x.grad.numpy(), [2, 2, 0, 0, 0])


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_raises():
    w = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a view of a leaf Variable that requires grad"):
        w[0].add_(1)
    with tg.no_grad():
        w[0].add_(1)  # allowed without grad mode, and visible in w
    assert w.detach().numpy().tolist() == [2.0, 1.0, 1.0]


def test_indexing_one_element_gives_a_writable_view():
    t = tg.zeros(2, 3)
    t[1, 2].add_(4.0)
    t[0][1].fill_(2.0)
    np.testing.assert_array_equal(t.numpy(), [[0.0, 2.0, 0.0], [0.0, 0.0, 4.0]])


def test_a_leaf_hook_runs_once_on_the_total_gradient_also_under_autograd_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def clip(g):
        seen.append(g.numpy().copy())
        return g.clamp(-5.0, 5.0)

    x.register_hook(clip)
    (x * 3 + x * 4).sum().backward()  # two paths: the hook sees 7, once, as in PyTorch
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [7.0, 7.0])
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])
    (g,) = tg.autograd.grad((x * 6).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [5.0, 5.0])


def test_augmented_assignment_on_an_index_of_a_non_leaf():
    x = tg.ones(2, 3, requires_grad=True)
    v = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y[:, 0] *= 3
    y[:, 1] += v
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3.0, 1.0, 1.0], [3.0, 1.0, 1.0]])
    np.testing.assert_array_equal(v.grad.numpy(), [1.0, 1.0])


def test_tensors_and_ctx_take_attributes_of_their_own():
    """As in PyTorch, code may tag a tensor with an attribute, and forward may keep anything on
    ctx (the compiled Tensor keeps a __dict__ for this; Function's subclasses get one)."""
    t = tg.ones(2)
    t.label = "input"
    assert t.label == "input" and not hasattr(tg.ones(2), "label")

    class Scale(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = tg.ones(3, requires_grad=True)
    Scale.apply(x, 4.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0, 4.0])


def test_isclose_allclose_equal_match_numpy_and_pytorch_rules():
    rng = np.random.default_rng(11)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = a + rng.choice([0.0, 1e-7, 1e-3], size=a.shape).astype(np.float32)
    a[0, 0] = b[0, 0] = np.nan
    a[1, 1] = b[1, 1] = np.inf
    for kwargs in ({}, dict(rtol=1e-3, atol=1e-4), dict(equal_nan=True)):
        got = tg.isclose(tg.tensor(a), tg.tensor(b), **kwargs)
        assert got.dtype == tg.bool
        np.testing.assert_array_equal(got.numpy(), np.isclose(a, b, **kwargs))
        assert tg.tensor(a).allclose(tg.tensor(b), **kwargs) is bool(np.allclose(a, b, **kwargs))
    row = tg.tensor(b[2])  # broadcast against every row
    np.testing.assert_array_equal(tg.isclose(tg.tensor(a), row).numpy(), np.isclose(a, b[2]))
    assert tg.allclose(tg.tensor(a), tg.tensor(a), equal_nan=True)
    assert not tg.allclose(tg.tensor(a), tg.tensor(a))  # NaN is not close to NaN by default

    assert tg.equal(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 2.0])) is True
    assert not tg.equal(tg.tensor([1.0, 2.0]), tg.tensor([1.0]))
    assert not tg.tensor([np.nan]).equal(tg.tensor([np.nan]))
    assert tg.equal(tg.tensor([1, 2]), tg.tensor([1.0, 2.0]))  # values compared across dtypes


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: tg.isclose(tg.ones(2), tg.ones(2, dtype=tg.float64)), RuntimeError, "isclose.*same dtype"),
        (lambda: tg.allclose(tg.ones(3), tg.ones(2)), RuntimeError, r"allclose.*\[3\].*\[2\]"),
        (lambda: tg.isclose(tg.ones(2), 1.0), TypeError, "isclose.*'other' must be a Tensor"),
        (lambda: tg.isclose(tg.ones(2), tg.ones(2), rtol=-1), RuntimeError, "isclose.*rtol"),
        (lambda: tg.equal(tg.ones(2), [1.0, 1.0]), TypeError, "equal.*must be a Tensor"),
    ],
)
def test_isclose_allclose_equal_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_isnan_isinf_isfinite_methods():
    v = np.array([0.0, np.nan, np.inf, -np.inf, 1.0], np.float32)
    t = tg.tensor(v)
    np.testing.assert_array_equal(t.isnan().numpy(), np.isnan(v))
    np.testing.assert_array_equal(t.isinf().numpy(), np.isinf(v))
    np.testing.assert_array_equal(t.isfinite().numpy(), np.isfinite(v))
