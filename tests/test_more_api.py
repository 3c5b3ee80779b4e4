"""PyTorch API beyond DESIGN's core subset that ported code commonly uses: truth tests, rounding,
sorting orders, comparison methods, new_* constructors and the like. Values are checked against
numpy; the differentiable ones (sort, topk, cumsum, flip, repeat, norm, ...) are in the op table."""

import math

import numpy as np
import pytest

import tensorgrad as tg

NAN = float("nan")


def test_all_any_count_nonzero_match_numpy():
    x = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]], np.float32)
    t = tg.tensor(x)
    for dim in (None, 0, 1, (0, 1)):
        for keepdim in (False, True):
            np.testing.assert_array_equal(t.all(dim, keepdim).numpy(), np.all(x, axis=dim, keepdims=keepdim))
            np.testing.assert_array_equal(
                tg.any(t, dim, keepdim).numpy(), np.any(x, axis=dim, keepdims=keepdim)
            )
        np.testing.assert_array_equal(t.count_nonzero(dim).numpy(), np.count_nonzero(x, axis=dim))
    assert t.all().dtype == tg.bool and t.count_nonzero().dtype == tg.int64
    assert t.count_nonzero().item() == 3 and tg.tensor([]).all().item() is True


def test_floor_ceil_round_and_nan_to_num():
    v = np.array([-1.5, -0.5, 0.5, 1.5, 2.5, 2.675, NAN], np.float64)
    t = tg.tensor(v)
    np.testing.assert_array_equal(t.floor().numpy(), np.floor(v))
    np.testing.assert_array_equal(tg.ceil(t).numpy(), np.ceil(v))
    np.testing.assert_array_equal(t.round().numpy(), np.round(v))  # half to even: 2.5 -> 2
    np.testing.assert_array_equal(tg.round(t, decimals=2).numpy(), np.round(v, 2))
    assert not t.requires_grad_().floor().requires_grad  # a zero derivative: outside the graph
    w = tg.tensor([NAN, math.inf, -math.inf, 1.0])
    np.testing.assert_array_equal(
        w.nan_to_num().numpy(), [0.0, np.finfo(np.float32).max, np.finfo(np.float32).min, 1.0]
    )
    np.testing.assert_array_equal(tg.nan_to_num(w, nan=-1.0, posinf=9.0, neginf=-9.0).numpy(), [-1, 9, -9, 1])
    x = tg.tensor([NAN, 2.0], requires_grad=True)
    x.nan_to_num().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])  # no gradient where it replaced


def test_log1p_expm1_are_accurate_near_zero_and_quiet_at_the_poles():
    tiny = tg.tensor([1e-10], dtype=tg.float64)
    assert tg.log1p(tiny).item() == pytest.approx(1e-10, rel=1e-12)
    assert tg.expm1(tiny).item() == pytest.approx(1e-10, rel=1e-12)
    with np.errstate(all="raise"):  # no numpy warning escapes, as PyTorch prints none
        assert tg.log1p(tg.tensor([-1.0])).item() == -math.inf
        assert tg.expm1(tg.tensor([1000.0])).item() == math.inf


def test_sort_and_argsort_put_nan_where_pytorch_does_and_are_stable():
    v = np.array([2.0, NAN, -1.0, 2.0, 5.0])
    t = tg.tensor(v)
    assert t.argsort().tolist() == [2, 0, 3, 4, 1]  # NaN last ascending; the two 2.0 keep order
    values, indices = t.sort(descending=True)
    assert indices.tolist() == [1, 4, 0, 3, 2]  # NaN first descending
    assert np.isnan(values.numpy()[0]) and values.numpy()[1:].tolist() == [5.0, 2.0, 2.0, -1.0]
    ints = tg.tensor([3, -(2**63), 7])
    assert ints.sort(descending=True).values.tolist() == [7, 3, -(2**63)]
    assert tg.tensor([True, False, True]).argsort(descending=True).tolist() == [0, 2, 1]
    m = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(
        tg.argsort(tg.tensor(m), dim=0).numpy(), np.argsort(m, axis=0, kind="stable")
    )


def test_topk_values_indices_and_errors():
    t = tg.tensor([[1.0, 5.0, 3.0], [4.0, 0.0, 6.0]])
    values, indices = t.topk(2)
    assert values.tolist() == [[5.0, 3.0], [6.0, 4.0]] and indices.tolist() == [[1, 2], [2, 0]]
    assert tg.topk(t, 1, dim=0, largest=False).indices.tolist() == [[0, 1, 0]]
    with pytest.raises(RuntimeError, match="topk: selected index k=4 out of range"):
        t.topk(4)
    with pytest.raises(RuntimeError, match="topk"):
        t.topk(-1)


def test_comparison_and_logic_methods_match_the_operators():
    a = tg.tensor([1.0, 2.0, 3.0])
    b = tg.tensor([3.0, 2.0, 1.0])
    for method, op in (
        ("eq", "__eq__"),
        ("ne", "__ne__"),
        ("lt", "__lt__"),
        ("le", "__le__"),
        ("gt", "__gt__"),
        ("ge", "__ge__"),
    ):
        assert getattr(a, method)(b).tolist() == getattr(a, op)(b).tolist()
    assert a.eq(2.0).tolist() == [False, True, False]
    p, q = tg.tensor([True, False, True]), tg.tensor([True, True, False])
    assert p.logical_not().tolist() == [False, True, False]
    assert p.logical_and(q).tolist() == [True, False, False] and p.logical_or(q).tolist() == [
        True,
        True,
        True,
    ]


def test_new_constructors_type_as_and_cpu_only():
    x = tg.ones(2, dtype=tg.float64)
    for made in (x.new_zeros(2, 3), x.new_ones((2, 3)), x.new_empty(2, 3), x.new_full((2, 3), 7)):
        assert made.shape == (2, 3) and made.dtype == tg.float64 and not made.requires_grad
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_tensor([1, 2]).dtype == tg.float64 and x.new_zeros(2, dtype=tg.int64).dtype == tg.int64
    assert x.new_ones(1, requires_grad=True).requires_grad
    assert tg.ones(2).type_as(x).dtype == tg.float64
    with pytest.raises(RuntimeError, match="cuda: tensorgrad runs on the CPU only"):
        x.cuda()


def test_small_helpers():
    x = tg.ones(2, 3)
    assert tg.is_tensor(x) and not tg.is_tensor(np.ones(2)) and tg.numel(x) == 6
    assert tg.t(x).shape == (3, 2) and tg.t(tg.ones(4)).shape == (4,) and x.t().shape == (3, 2)
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions"):
        tg.t(tg.ones(1, 2, 3))
    assert tg.cumsum(tg.tensor([1, 2, 3]), 0).tolist() == [1, 3, 6]  # ints sum as int64
    assert tg.cumsum(tg.tensor([True, True]), 0).dtype == tg.int64
    assert tg.cumsum(tg.tensor([1, 2]), 0, dtype=tg.float32).dtype == tg.float32
    assert x.unflatten(1, (3, 1)).shape == (2, 3, 1)
    assert tg.ones(2, 3, 4).bmm(tg.full((2, 4, 5), 2.0)).tolist() == np.full((2, 3, 5), 8.0).tolist()
    with pytest.raises(RuntimeError, match="outer: expected 1-D tensors"):
        tg.outer(x, tg.ones(2))


def test_masked_fill_in_place_keeps_gradients_right():
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * 2
    h.masked_fill_(tg.tensor([False, True, False]), 0.0)
    assert h.tolist() == [2.0, 0.0, 6.0] and h._vc[0] == 1
    h.sum().backward()
    assert w.grad.tolist() == [2.0, 0.0, 2.0]


def test_norm_gradient_is_zero_where_the_norm_is():
    z = tg.zeros(3, dtype=tg.float64, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]  # PyTorch's subgradient, not 0/0
    x = tg.tensor([[3.0, 4.0], [0.0, 0.0]], dtype=tg.float64, requires_grad=True)
    tg.norm(x, dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.6, 0.8], [0.0, 0.0]])
    assert tg.norm(tg.tensor([3.0, -4.0]), p=0).item() == 2.0
    with pytest.raises(RuntimeError, match="norm: p must be 'fro' or a number"):
        tg.norm(x, p="nuc")
    with pytest.raises(RuntimeError, match="norm: expected a floating point tensor"):
        tg.tensor([1, 2]).norm()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: tg.ones(2, 3).index_select(1, tg.tensor([3])),
            RuntimeError,
            r"index_select: index \[3\] out of range",
        ),
        (
            lambda: tg.ones(2, 3).index_select(1, tg.tensor([-1])),
            RuntimeError,
            "index_select: index .* out of range",
        ),
        (
            lambda: tg.ones(2, 3).index_select(1, tg.tensor([[0]])),
            RuntimeError,
            "index_select: index must be a 1-D",
        ),
        (
            lambda: tg.ones(2, 3).index_select(1, tg.tensor([0.0])),
            RuntimeError,
            "index_select: index must be a 1-D",
        ),
        (lambda: tg.ones(2, 3).flip((0, -2)), RuntimeError, "flip: dims .* appears more than once"),
        (lambda: tg.ones(2, 3).repeat(2), RuntimeError, "repeat: number of repeat dims"),
        (lambda: tg.ones(2, 3).repeat(2, -1), RuntimeError, "repeat: repeats must be non-negative"),
        (lambda: tg.ones(2, 3).sort(dim=2), IndexError, "sort"),
        (lambda: tg.ones(2, 3).cumsum(dim=2), IndexError, "cumsum"),
        (lambda: tg.ones(2, 3).all(dim=2), IndexError, "all"),
    ],
)
def test_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_nonzero_argwhere_and_unique_match_numpy():
    x = np.array([[0, 3, 0], [5, 0, 5]])
    t = tg.tensor(x)
    np.testing.assert_array_equal(t.nonzero().numpy(), np.argwhere(x))
    assert t.nonzero().dtype == tg.int64 and tg.argwhere(t).shape == (3, 2)
    rows, cols = tg.nonzero(t, as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 2]
    values, inverse, counts = t.unique(return_inverse=True, return_counts=True)
    assert values.tolist() == [0, 3, 5] and counts.tolist() == [3, 1, 2]
    np.testing.assert_array_equal(values.numpy()[inverse.numpy()], x)  # inverse rebuilds the input
    assert tg.unique(tg.tensor([[1, 2], [1, 2], [0, 1]]), dim=0).tolist() == [[0, 1], [1, 2]]


def test_prod_gradient_at_zeros_and_integer_products():
    x = tg.tensor([[2.0, 0.0, 3.0], [2.0, 4.0, 0.5], [0.0, 0.0, 1.0]], dtype=tg.float64, requires_grad=True)
    x.prod(1).sum().backward()
    # one zero: only it gets the product of the others; none: prod / x; two: all zero
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 6.0, 0.0], [2.0, 1.0, 8.0], [0.0, 0.0, 0.0]])
    assert tg.tensor([2, 3, 4]).prod().item() == 24 and tg.tensor([True, True]).prod().dtype == tg.int64


def test_random_sampling_is_seeded_and_valid():
    tg.manual_seed(3)
    probs = tg.tensor([[0.0, 1.0, 3.0], [1.0, 1.0, 0.0]])
    a = tg.multinomial(probs, 2)
    tg.manual_seed(3)
    assert probs.multinomial(2).tolist() == a.tolist()
    assert a.dtype == tg.int64 and a.shape == (2, 2)
    assert set(a[0].tolist()) == {1, 2} and set(a[1].tolist()) == {0, 1}  # zero weight never drawn
    draws = tg.multinomial(tg.tensor([1.0, 3.0]), 4000, replacement=True)
    assert 0.7 < draws.float().mean().item() < 0.8  # class 1 with probability 3/4
    coins = tg.bernoulli(tg.full((4000,), 0.25))
    assert coins.dtype == tg.float32 and 0.2 < coins.mean().item() < 0.3
    assert set(np.unique(coins.numpy())) <= {0.0, 1.0}
    with pytest.raises(RuntimeError, match="multinomial: cannot sample"):
        tg.multinomial(probs, 3)
    with pytest.raises(RuntimeError, match="multinomial: probability tensor contains"):
        tg.multinomial(tg.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match=r"bernoulli: expected all probabilities in \[0, 1\]"):
        tg.bernoulli(tg.tensor([1.5]))


def test_dtype_and_size_queries():
    x = tg.ones(2, 3, dtype=tg.float64)
    assert x.is_floating_point() and tg.is_floating_point(x) and not tg.tensor([1]).is_floating_point()
    assert x.element_size() == 8 and x.nbytes == 48 and tg.ones(2).element_size() == 4


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: tg.dot(tg.ones(2), tg.ones(3)), RuntimeError, "dot: expected 1-D tensors of the same size"),
        (lambda: tg.dot(tg.ones(2, 2), tg.ones(2)), RuntimeError, "dot: input must be a 1-D tensor"),
        (lambda: tg.mv(tg.ones(2), tg.ones(2)), RuntimeError, "mv: input must be a 2-D tensor"),
        (lambda: tg.roll(tg.ones(2, 3), (1, 2), 0), RuntimeError, "roll: shifts and dimensions must align"),
        (
            lambda: tg.roll(tg.ones(2, 3), (1, 2)),
            RuntimeError,
            "roll: with dims=None, shifts must be one int",
        ),
        (
            lambda: tg.repeat_interleave(tg.ones(3), [1, 2]),
            RuntimeError,
            "repeat_interleave: repeats must be",
        ),
        (
            lambda: tg.repeat_interleave(tg.ones(2), -1),
            RuntimeError,
            "repeat_interleave: repeats can not be negative",
        ),
        (lambda: tg.diag(tg.ones(2, 2, 2)), RuntimeError, "diag: expected a 1-D or 2-D tensor"),
        (lambda: tg.ones(2, 3).select(1, 3), IndexError, "select: index 3 out of range"),
        (lambda: tg.meshgrid(tg.ones(2, 2)), RuntimeError, "meshgrid: expected 0-D or 1-D tensors"),
        (lambda: tg.ones(2).prod(dim=1), IndexError, "prod"),
    ],
)
def test_more_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_einsum_forms_and_errors():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 3))
    ta, tb = tg.tensor(a), tg.tensor(b)
    np.testing.assert_allclose(tg.einsum("ii", tb).item(), np.trace(b))  # a diagonal, forward only
    np.testing.assert_allclose(tg.einsum("ij,jk", [ta, tb]).numpy(), a @ b)  # operands as a list
    np.testing.assert_allclose(tg.einsum("i j , j k -> i k", ta, tb).numpy(), a @ b)  # spaces
    d = tg.tensor(b, requires_grad=True)
    with pytest.raises(RuntimeError, match="einsum.*repeated subscript"):
        tg.einsum("ii->", d).backward()
    with pytest.raises(RuntimeError, match=r"einsum\(\): operands of shapes \[\[2, 3\], \[2, 3\]\]"):
        tg.einsum("ij,jk->ik", ta, ta)
    with pytest.raises(RuntimeError, match="einsum.*does not match the operand's 2 dims"):
        tg.einsum("ijk->i", ta)
    with pytest.raises(RuntimeError, match="einsum.*output subscript 'z'"):
        tg.einsum("ij->z", ta)
    with pytest.raises(RuntimeError, match="einsum.*2 subscripts in the equation for 1 operands"):
        tg.einsum("ij,jk->ik", ta)


def test_scatter_in_place_value_form_and_errors():
    idx = tg.tensor([[0, 2], [1, 0]])
    t = tg.zeros(2, 3)
    t.scatter_(1, idx, tg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert t.tolist() == [[1.0, 0.0, 2.0], [4.0, 3.0, 0.0]] and t._vc[0] == 1
    assert tg.zeros(2, 3).scatter(1, idx, value=7.0).tolist() == [[7, 0, 7], [7, 7, 0]]
    w = tg.ones(2, 3, requires_grad=True)
    acc = w * 1
    acc.scatter_add_(1, tg.tensor([[0, 0]]), tg.tensor([[5.0, 6.0]]))
    assert acc.tolist() == [[12.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    acc.sum().backward()
    assert w.grad.tolist() == [[1.0] * 3] * 2
    with pytest.raises(RuntimeError, match="scatter: index writes some position more than once"):
        tg.zeros(2, 3).scatter(1, tg.tensor([[0, 0]]), tg.ones(1, 2))
    with pytest.raises(RuntimeError, match="scatter_add: index must be an int64 tensor"):
        tg.zeros(2, 3).scatter_add(1, tg.tensor([[0.0]]), tg.ones(1, 1))
    with pytest.raises(RuntimeError, match="scatter_add: index 0..3 out of range for dim 1 of size 3"):
        tg.zeros(2, 3).scatter_add(1, tg.tensor([[0, 3]]), tg.ones(1, 2))
    with pytest.raises(RuntimeError, match="scatter_add: index of shape \\[1, 3\\] does not fit src"):
        tg.zeros(2, 3).scatter_add(1, tg.tensor([[0, 1, 2]]), tg.ones(1, 2))
    with pytest.raises(TypeError, match="scatter: give exactly one of src and value"):
        tg.zeros(2, 3).scatter(1, idx)


def test_more_nn_modules_match_their_functional_forms():
    nn, F = tg.nn, tg.nn.functional
    x = tg.tensor(np.random.default_rng(8).standard_normal((2, 4)))
    cases = [
        (nn.ELU(0.5), F.elu(x, 0.5)),
        (nn.SELU(), F.selu(x)),
        (nn.ReLU6(), F.relu6(x)),
        (nn.Hardtanh(-0.5, 0.5), F.hardtanh(x, -0.5, 0.5)),
        (nn.Hardsigmoid(), F.hardsigmoid(x)),
        (nn.Hardswish(), F.hardswish(x)),
        (nn.Mish(), F.mish(x)),
        (nn.LogSigmoid(), F.logsigmoid(x)),
        (nn.Softsign(), F.softsign(x)),
        (nn.Tanhshrink(), F.tanhshrink(x)),
        (nn.Threshold(0.1, -1.0), F.threshold(x, 0.1, -1.0)),
        (nn.GLU(), F.glu(x)),
    ]
    for module, want in cases:
        np.testing.assert_array_equal(module(x).numpy(), want.numpy(), err_msg=repr(module))
    assert repr(nn.Hardtanh(-0.5, 0.5)) == "Hardtanh(min_val=-0.5, max_val=0.5)"
    p = nn.PReLU(4)
    assert list(p.state_dict()) == ["weight"] and p.weight.tolist() == [0.25] * 4
    np.testing.assert_allclose(p(x).detach().numpy(), np.where(x.numpy() > 0, x.numpy(), 0.25 * x.numpy()))
    y = tg.tensor(np.abs(np.random.default_rng(9).standard_normal((2, 4))))
    assert nn.SmoothL1Loss(beta=0.5)(x, y).item() == F.smooth_l1_loss(x, y, beta=0.5).item()
    assert nn.HuberLoss(delta=2.0)(x, y).item() == F.huber_loss(x, y, delta=2.0).item()
    assert nn.CosineSimilarity(dim=0)(x, y).shape == (4,) and nn.PairwiseDistance(keepdim=True)(
        x, y
    ).shape == (2, 1)
    assert nn.Unflatten(1, (2, 2))(x).shape == (2, 2, 2)


def test_elu_gradient_is_finite_for_large_inputs():
    x = tg.tensor([1000.0, -1000.0, 0.5], requires_grad=True)
    tg.nn.functional.elu(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all() and x.grad.tolist()[0] == 1.0


def test_kl_div_bce_and_one_hot_edge_cases():
    F = tg.nn.functional
    log_q = tg.log(tg.tensor([[0.5, 0.25, 0.25]]))
    p = tg.tensor([[1.0, 0.0, 0.0]])  # zeros of the target add nothing
    assert F.kl_div(log_q, p, reduction="sum").item() == pytest.approx(np.log(2.0))
    p2 = tg.tensor([[0.5, 0.3, 0.2]])
    with_logs = F.kl_div(log_q, tg.log(p2), reduction="batchmean", log_target=True)
    assert with_logs.item() == pytest.approx(F.kl_div(log_q, p2, reduction="batchmean").item())
    assert F.kl_div(log_q, p, reduction="none").shape == (1, 3)
    probs = tg.tensor([0.0, 1.0, 0.5])
    loss = F.binary_cross_entropy(probs, tg.tensor([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [100.0, 100.0, np.log(2.0)], rtol=1e-6)  # logs clamped at -100
    with pytest.raises(
        RuntimeError, match="binary_cross_entropy: all elements of input should be between 0 and 1"
    ):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))
    assert F.one_hot(tg.tensor([2, 0])).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert F.one_hot(tg.tensor([[1]]), 4).shape == (1, 1, 4)
    with pytest.raises(RuntimeError, match="one_hot: class values must be smaller than num_classes"):
        F.one_hot(tg.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="glu: halving dimension must be even"):
        F.glu(tg.ones(3))
    with pytest.raises(RuntimeError, match="prelu: weight of shape"):
        F.prelu(tg.ones(2, 3), tg.ones(2))
    with pytest.raises(ValueError, match="kl_div: 'bad' is not a valid value for reduction"):
        F.kl_div(log_q, p, reduction="bad")


def test_group_norm_and_adaptive_avg_pool_modules():
    nn = tg.nn
    gn = nn.GroupNorm(2, 4)
    assert (
        list(gn.state_dict()) == ["weight", "bias"] and repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True)"
    )
    x = tg.tensor(np.random.default_rng(10).standard_normal((3, 4, 5)))
    groups = x.numpy().reshape(3, 2, -1)
    want = (
        (groups - groups.mean(-1, keepdims=True)) / np.sqrt(groups.var(-1, keepdims=True) + 1e-5)
    ).reshape(3, 4, 5)
    np.testing.assert_allclose(gn.double()(x).detach().numpy(), want, rtol=1e-10, atol=1e-12)
    assert nn.GroupNorm(2, 4, affine=False).weight is None
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="group_norm: expected input with at least 2 dims"):
        tg.nn.functional.group_norm(tg.ones(2, 3), 2)
    pool = nn.AdaptiveAvgPool2d((1, None))
    y = tg.ones(2, 3, 4, 5)
    assert pool(y).shape == (2, 3, 1, 5) and nn.AdaptiveAvgPool2d(1)(y).shape == (2, 3, 1, 1)
    with pytest.raises(RuntimeError, match="adaptive_avg_pool2d: expected a 3-D or 4-D input"):
        pool(tg.ones(3, 4))


def test_conv1d_and_1d_pooling_modules():
    nn, F = tg.nn, tg.nn.functional
    tg.manual_seed(0)
    conv = nn.Conv1d(3, 4, 3, padding=1, bias=True)
    assert {k: v.shape for k, v in conv.state_dict().items()} == {"weight": (4, 3, 3), "bias": (4,)}
    assert repr(conv) == "Conv1d(3, 4, kernel_size=(3,), stride=(1,), padding=(1,))"
    x = tg.randn(2, 3, 10)
    assert conv(x).shape == (2, 4, 10) and nn.Conv1d(3, 4, 3, padding="same")(x).shape == (2, 4, 10)
    assert conv(x[0]).shape == (4, 10)  # unbatched
    bound = 1 / np.sqrt(3 * 3)  # PyTorch's default init range
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    values, indices = nn.MaxPool1d(2, return_indices=True)(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]]))
    assert values.tolist() == [[[3.0, 2.0]]] and indices.tolist() == [[[1, 2]]]
    assert nn.AvgPool1d(2)(tg.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist() == [[[2.0, 1.0]]]
    with pytest.raises(RuntimeError, match="conv1d: expected a 3-D weight"):
        F.conv1d(x, tg.ones(4, 3))
    with pytest.raises(RuntimeError, match="max_pool1d: expected a 2-D .* or 3-D"):
        F.max_pool1d(tg.ones(1, 1, 2, 2), 2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv1d(3, 4, 3, stride=2, padding="same")


def test_median_kthvalue_and_inverse_trig_edge_cases():
    nan = float("nan")
    x = tg.tensor([1.0, nan, 3.0, 2.0])
    assert math.isnan(x.median().item())  # NaN propagates through median, as PyTorch
    values, indices = tg.tensor([[1.0, nan, 0.0], [3.0, 1.0, 2.0]]).median(1)
    assert math.isnan(values.tolist()[0]) and values.tolist()[1] == 2.0 and indices.tolist() == [1, 2]
    assert x.kthvalue(2).values.item() == 2.0 and x.kthvalue(2).indices.item() == 3  # NaN sorts last
    assert tg.tensor([4, 1, 3, 2]).median().item() == 2  # the lower of the two middle values
    assert math.isnan(tg.tensor([]).median().item())
    assert tg.ones(2, 3).median(1, keepdim=True).values.shape == (2, 1)
    with pytest.raises(RuntimeError, match="kthvalue: k=5 is out of range"):
        x.kthvalue(5)
    with pytest.raises(RuntimeError, match="median\\(\\): expected reduction dim 1 to have non-zero size"):
        tg.ones(2, 0).median(1)
    with np.errstate(all="raise"):
        assert math.isnan(tg.asin(tg.tensor([2.0])).item())  # outside [-1, 1]: nan, no warning
    w = tg.tensor([0.5], requires_grad=True)
    (tg.asin(w) + tg.acos(w)).backward()  # asin + acos = pi/2: the gradients cancel
    assert abs(w.grad.item()) < 1e-6
    with pytest.raises(RuntimeError, match="atan: expected a floating point tensor"):
        tg.atan(tg.tensor([1]))


def test_atan2_quadrants_dtypes_and_errors():
    y = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 0.0], np.float64)
    x = np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0], np.float64)
    np.testing.assert_allclose(tg.atan2(tg.tensor(y), tg.tensor(x)).numpy(), np.arctan2(y, x))
    assert tg.atan2(tg.tensor([1, 2]), tg.tensor([3, 4])).dtype == tg.float32
    assert tg.atan2(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64)).dtype == tg.float64
    with pytest.raises(RuntimeError, match=r"atan2.*\[3\].*\[4\]"):
        tg.atan2(tg.ones(3), tg.ones(4))
    with pytest.raises(TypeError, match="atan2: expected a Tensor"):
        tg.atan2(tg.ones(3), 1.0)


def test_cdist_zero_distance_gradient_and_errors():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    d = tg.cdist(x, x.detach())
    np.testing.assert_allclose(d.detach().numpy(), [[0.0, math.sqrt(8)], [math.sqrt(8), 0.0]], rtol=1e-6)
    d.sum().backward()  # the diagonal's zero distances contribute 0, not nan
    s = 1 / math.sqrt(2)
    np.testing.assert_allclose(x.grad.numpy(), [[-s, -s], [s, s]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="cdist only supports at least 2D tensors, X1 got: 1D"):
        tg.cdist(tg.ones(3), tg.ones(2, 3))
    with pytest.raises(RuntimeError, match="same number of columns. X1: 3 X2: 4"):
        tg.cdist(tg.ones(2, 3), tg.ones(2, 4))
    with pytest.raises(RuntimeError, match="non-negative p"):
        tg.cdist(tg.ones(2, 3), tg.ones(2, 3), p=-1)


def _np_mode(row: np.ndarray) -> tuple:
    """The most frequent value (the smallest of a tie) and its last position, by counting."""
    counts = {v: int(np.sum(row == v)) for v in row}
    value = min(v for v, c in counts.items() if c == max(counts.values()))
    return value, int(np.flatnonzero(row == value)[-1])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_mode_matches_counting_and_routes_the_gradient(dim):
    x = np.random.default_rng(3).integers(0, 4, (5, 7)).astype(np.float64)
    t = tg.tensor(x, requires_grad=True)
    values, indices = tg.mode(t, dim)
    moved = np.moveaxis(x, dim, -1)
    expected = [_np_mode(row) for row in moved]
    np.testing.assert_array_equal(values.detach().numpy(), [v for v, _ in expected])
    np.testing.assert_array_equal(indices.numpy(), [i for _, i in expected])
    values.sum().backward()
    grad = np.zeros_like(moved)
    grad[np.arange(len(expected)), [i for _, i in expected]] = 1
    np.testing.assert_array_equal(t.grad.numpy(), np.moveaxis(grad, -1, dim))
    kept = tg.mode(t, dim, keepdim=True)
    assert kept.values.shape == kept.indices.shape == tuple(np.expand_dims(moved[:, 0], dim).shape)
    with pytest.raises(RuntimeError, match="mode\\(\\): Expected reduction dim 0 to have non-zero size"):
        tg.mode(tg.ones(0, 3), 0)


def test_floor_ceil_round_keep_integer_tensors_as_they_are():
    a = tg.tensor([3, -2, 0])
    for fn in (tg.floor, tg.ceil, tg.round):
        out = fn(a)
        assert out.dtype == tg.int64 and out.tolist() == [3, -2, 0]
    assert tg.floor(tg.tensor([True])).dtype == tg.bool
