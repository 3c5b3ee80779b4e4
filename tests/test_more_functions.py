"""Edge cases of the more torch functions (special and pointwise maths, nan-reductions, scans,
matrix/shape functions, indexing, counting and searching): NaN and inf, empty and 0-d tensors,
integer inputs and PyTorch's type promotion, return types, and errors that name the op. Values
are checked against plain numpy; the gradients of the differentiable ones are gradchecked by the
op table (tests/op_table.py)."""

import math

import numpy as np
import pytest

import tensorgrad as tg

NAN, INF = math.nan, math.inf


def assert_tensor(t, expected, dtype=None):
    """t is a Tensor equal to `expected` (NaNs equal), of `dtype` when given."""
    assert isinstance(t, tg.Tensor)
    expected = np.asarray(expected)
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6, atol=1e-12, equal_nan=True)
    assert t.shape == expected.shape
    if dtype is not None:
        assert t.dtype == dtype


def grad_of(fn, *values):
    """Gradients of fn(*tensors).sum() for float64 tensors made from `values`."""
    inputs = [tg.tensor(v, dtype=tg.float64, requires_grad=True) for v in values]
    grads = tg.autograd.grad(fn(*inputs).sum(), inputs)
    return [g.numpy() for g in grads]


# ---- elementwise -------------------------------------------------------------------------------


def test_trunc_frac_sgn_signbit_on_specials_and_integers():
    v = np.array([-2.5, -0.5, -0.0, 0.0, 0.5, 2.5, INF, -INF, NAN])
    t = tg.tensor(v, dtype=tg.float64)
    assert_tensor(tg.trunc(t), np.trunc(v), tg.float64)
    assert tg.fix is tg.trunc
    with np.errstate(invalid="ignore"):
        assert_tensor(tg.frac(t), v - np.trunc(v))  # the input's sign; inf - inf: nan
    assert_tensor(tg.sgn(t), np.sign(v))
    assert_tensor(tg.signbit(t), np.signbit(v), tg.bool)  # -0.0 and -inf have the sign bit
    ints = tg.tensor([-3, 0, 4])
    assert_tensor(tg.trunc(ints), [-3, 0, 4], tg.int64)
    assert_tensor(tg.signbit(ints), [True, False, False], tg.bool)
    assert_tensor(tg.signbit(tg.tensor([True, False])), [False, False], tg.bool)
    x = tg.tensor([1.5, -2.5], requires_grad=True)
    assert not tg.trunc(x).requires_grad and not tg.signbit(x).requires_grad  # zero derivative
    tg.frac(x).sum().backward()
    assert_tensor(x.grad, [1.0, 1.0])  # frac's gradient is the identity
    with pytest.raises(RuntimeError, match="frac: expected a floating point tensor, got dtype int64"):
        tg.frac(ints)


def test_reciprocal_deg2rad_rad2deg_promote_integers_to_float32():
    assert_tensor(tg.reciprocal(tg.tensor([0, 2, -4])), [INF, 0.5, -0.25], tg.float32)
    assert_tensor(tg.reciprocal(tg.tensor([0.0, -0.0])), [INF, -INF], tg.float32)
    assert_tensor(tg.deg2rad(tg.tensor([180, -90])), [np.pi, -np.pi / 2], tg.float32)
    assert_tensor(tg.rad2deg(tg.tensor([np.pi], dtype=tg.float64)), [180.0], tg.float64)
    assert tg.reciprocal(tg.tensor([True])).dtype == tg.float32
    assert grad_of(tg.reciprocal, [2.0, -0.5])[0].tolist() == [-0.25, -4.0]  # -1 / x**2


def test_logical_xor_is_truthiness_with_broadcasting():
    a = np.array([[0.0, 1.0, NAN], [2.0, 0.0, -0.0]])
    b = np.array([1, 0, 0])
    assert_tensor(tg.logical_xor(tg.tensor(a), tg.tensor(b)), np.logical_xor(a, b), tg.bool)  # NaN is true
    assert_tensor(tg.logical_xor(tg.tensor([True, False]), True), [False, True], tg.bool)
    with pytest.raises(RuntimeError, match=r"logical_xor: the size of tensor a \[2\] must match .* \[3\]"):
        tg.logical_xor(tg.tensor([1, 2]), tg.tensor([1, 2, 3]))


def test_fmod_signs_promotion_specials_and_integer_division_by_zero():
    a = np.array([-7.5, 7.5, -7.5, 7.5, 3.0, INF, 2.0])
    b = np.array([2.0, -2.0, -2.0, 2.0, 0.0, 1.0, INF])
    with np.errstate(invalid="ignore"):
        want = np.fmod(a, b)  # the dividend's sign; x % 0 and inf % y: nan
    assert_tensor(tg.fmod(tg.tensor(a.tolist()), tg.tensor(b.tolist())), want, tg.float32)
    assert_tensor(tg.fmod(tg.tensor([-7, 7]), 3), [-1, 1], tg.int64)
    assert_tensor(tg.fmod(tg.tensor([-7, 7]), 2.5), [-2.0, 2.0], tg.float32)  # int with float: float32
    assert tg.fmod(tg.tensor([1.0], dtype=tg.float64), tg.tensor([3.0])).dtype == tg.float64
    with pytest.raises(RuntimeError, match="fmod: ZeroDivisionError"):
        tg.fmod(tg.tensor([1, 2]), tg.tensor([1, 0]))
    ga, gb = grad_of(tg.fmod, [7.5, -7.5], [2.0, 2.0])
    assert ga.tolist() == [1.0, 1.0] and gb.tolist() == [-3.0, 3.0]  # -trunc(a / b)


def test_xlogy_zero_nan_and_negative_cases_and_gradients():
    x = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 1.0])
    y = np.array([0.0, NAN, -1.0, 3.0, NAN, 0.0])
    assert_tensor(tg.xlogy(tg.tensor(x), tg.tensor(y)), [0.0, NAN, 0.0, 0.0, NAN, -INF], tg.float64)
    assert_tensor(tg.xlogy(tg.tensor([1, 2]), 3), [math.log(3), 2 * math.log(3)], tg.float32)
    assert_tensor(tg.xlogy(2, tg.tensor([1.0, math.e], dtype=tg.float64)), [0.0, 2.0], tg.float64)
    gx, gy = grad_of(tg.xlogy, [0.0, 0.0, 2.0], [-1.0, 2.0, 4.0])
    # d/dx: 0 where x == 0 and y <= 0 (PyTorch's choice), else log(y); d/dy: x / y
    np.testing.assert_allclose(gx, [0.0, math.log(2), math.log(4)])
    np.testing.assert_allclose(gy, [0.0, 0.0, 0.5])
    with pytest.raises(TypeError, match="xlogy: expected at least one Tensor"):
        tg.xlogy(1.0, 2.0)


def test_logit_with_and_without_eps():
    v = np.array([0.0, 0.25, 1.0, 1.5, -0.5, NAN])
    with np.errstate(divide="ignore", invalid="ignore"):
        assert_tensor(tg.logit(tg.tensor(v)), np.log(v / (1 - v)), tg.float64)
    z = np.clip(v, 0.1, 0.9)
    assert_tensor(tg.logit(tg.tensor(v.tolist()), eps=0.1), np.log(z / (1 - z)), tg.float32)
    assert tg.logit(tg.tensor([0, 1])).dtype == tg.float32
    (g,) = grad_of(tg.logit, [0.5, 1.5])
    assert g[0] == 4.0 and np.isnan(g[1])  # outside [0, 1]: nan
    (g,) = grad_of(lambda x: tg.logit(x, 0.2), [0.5, 0.1, 0.95])
    assert g.tolist() == [4.0, 0.0, 0.0]  # clamped by eps: 0


def test_erf_erfc_erfinv_specials_and_dtypes():
    v = np.array([-INF, -1.0, 0.0, 0.5, INF, NAN])
    erf = np.vectorize(math.erf)(v)
    assert_tensor(tg.erf(tg.tensor(v, dtype=tg.float64)), erf, tg.float64)
    assert_tensor(tg.erfc(tg.tensor(v, dtype=tg.float64)), np.vectorize(math.erfc)(v), tg.float64)
    assert tg.erfc(tg.tensor([10.0], dtype=tg.float64)).item() == pytest.approx(2.088487583762545e-45)
    assert_tensor(tg.erfinv(tg.tensor([-1.0, 0.0, 1.0, 1.5, NAN])), [-INF, 0.0, INF, NAN, NAN], tg.float32)
    p = np.array([-0.9, 0.3, 0.75])
    assert_tensor(tg.erf(tg.erfinv(tg.tensor(p, dtype=tg.float64))), p)
    assert tg.erf(tg.tensor([1, 2])).dtype == tg.float32
    (g,) = grad_of(tg.erfinv, [0.0])
    assert g[0] == pytest.approx(math.sqrt(math.pi) / 2)


def test_logaddexp_logaddexp2_hypot_do_not_overflow_and_need_floats():
    a = tg.tensor([-INF, INF, 1000.0, -1000.0], dtype=tg.float64)
    b = tg.tensor([-INF, INF, 1000.0, -1000.0], dtype=tg.float64)
    assert_tensor(tg.logaddexp(a, b), [-INF, INF, 1000 + math.log(2), -1000 + math.log(2)])
    assert_tensor(tg.logaddexp2(a, b), [-INF, INF, 1001.0, -999.0])
    assert_tensor(
        tg.hypot(tg.tensor([3e200], dtype=tg.float64), tg.tensor([4e200], dtype=tg.float64)), [5e200]
    )
    assert tg.logaddexp(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64)).dtype == tg.float64
    ga, gb = grad_of(tg.logaddexp, [0.0, 1.0], [0.0, 1.0])
    assert ga.tolist() == [0.5, 0.5] and gb.tolist() == [0.5, 0.5]  # sigmoid(a - b)
    ga, _ = grad_of(tg.hypot, [0.0], [0.0])
    assert np.isnan(ga[0])  # g * a / hypot: 0 / 0, as in PyTorch
    for op in (tg.logaddexp, tg.logaddexp2, tg.hypot):
        with pytest.raises(
            RuntimeError, match=f"{op.__name__}: expected floating point tensors, got dtypes int64"
        ):
            op(tg.tensor([1]), tg.tensor([2]))
    with pytest.raises(RuntimeError, match=r"hypot: the size of tensor a \[2\] must match"):
        tg.hypot(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 2.0, 3.0]))


# ---- nan-reductions and scans --------------------------------------------------------------------


def test_nansum_nanmean_skip_nans():
    x = np.array([[NAN, NAN, NAN], [1.0, NAN, 2.0]])
    t = tg.tensor(x.tolist())
    assert_tensor(tg.nansum(t, 1), [0.0, 3.0], tg.float32)  # an all-NaN row sums to 0
    with np.errstate(invalid="ignore"):
        assert_tensor(tg.nanmean(t, 1, keepdim=True), [[NAN], [1.5]], tg.float32)
    assert_tensor(tg.nanmean(t), 1.5)
    assert_tensor(tg.nansum(t, dtype=tg.float64), 3.0, tg.float64)
    assert_tensor(tg.nansum(tg.tensor([[1, 2], [3, 4]]), 0), [4, 6], tg.int64)
    assert_tensor(tg.nansum(tg.zeros(0)), 0.0)
    assert np.isnan(tg.nanmean(tg.zeros(0, 2), 0).numpy()).all()
    (g,) = grad_of(lambda a: tg.nanmean(a, 1), x)
    assert_tensor(tg.tensor(g), [[0, 0, 0], [0.5, 0, 0.5]])  # nothing flows to the NaNs
    with pytest.raises(RuntimeError, match="nanmean.*floating point dtype but got int64"):
        tg.nanmean(tg.tensor([1, 2]))


def test_cumprod_dtypes_zero_d_and_second_derivative_at_zeros():
    assert_tensor(tg.cumprod(tg.tensor([True, True, False]), 0), [1, 1, 0], tg.int64)
    assert_tensor(tg.cumprod(tg.tensor([1, 2, 3]), 0, dtype=tg.float64), [1.0, 2.0, 6.0], tg.float64)
    assert_tensor(tg.cumprod(tg.tensor(3.0), 0), 3.0)
    assert tg.cumprod(tg.zeros(2, 0), 1).shape == (2, 0)
    # The gradient with zeros, and its gradient (from the O(n^2) form), by hand:
    # out = [a, ab, abc], d(sum)/da = 1 + b + bc, d/db = a + ac, d/dc = ab
    a = tg.tensor([0.0, 2.0, 0.0], dtype=tg.float64, requires_grad=True)
    (g,) = tg.autograd.grad(tg.cumprod(a, 0).sum(), a, create_graph=True)
    assert g.tolist() == [3.0, 0.0, 0.0]
    (gg,) = tg.autograd.grad(g[1], a)  # d/d(a, b, c) of a + ac
    assert gg.tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(IndexError, match="cumprod: Dimension out of range"):
        tg.cumprod(tg.zeros(2), 1)


def test_cummax_cummin_ties_nans_integers_and_return_type():
    t = tg.tensor([1.0, 3.0, 3.0, 2.0, 3.0])
    values, indices = tg.cummax(t, 0)
    assert values.tolist() == [1, 3, 3, 3, 3] and indices.tolist() == [0, 1, 2, 2, 4]  # last of ties
    out = tg.cummin(tg.tensor([2, 1, 1, 5]), 0)
    assert out.values.dtype == tg.int64 and out.indices.tolist() == [0, 1, 2, 2]
    v, i = tg.cummax(tg.tensor([2.0, NAN, 5.0, NAN, 1.0]), 0)  # NaN wins from where it appears
    assert np.isnan(v.numpy()[1:]).all() and i.tolist() == [0, 1, 1, 3, 3]
    v, i = tg.cummin(tg.tensor([[3.0, 1.0], [2.0, 4.0]]), 0)
    assert v.tolist() == [[3, 1], [2, 1]] and i.tolist() == [[0, 0], [1, 0]]
    assert tg.cummax(tg.tensor(2.5), 0).indices.item() == 0
    assert tg.cummax(tg.zeros(0, 3), 0).values.shape == (0, 3)
    x = tg.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    tg.cummax(x, 0).values.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 0.0]  # to the entry each value came from


def test_logcumsumexp_infinities_large_values_and_integers():
    t = tg.tensor([-INF, -INF, 0.0, 1000.0, 1000.0], dtype=tg.float64)
    assert_tensor(tg.logcumsumexp(t, 0), [-INF, -INF, 0.0, 1000.0, 1000 + math.log(2)])
    assert_tensor(tg.logcumsumexp(tg.tensor(2.0), 0), 2.0)
    (g,) = grad_of(lambda x: tg.logcumsumexp(x, 0), [1000.0, 1000.0])
    np.testing.assert_allclose(g, [1.5, 0.5])  # no overflow in the backward either
    with pytest.raises(RuntimeError, match="logcumsumexp: expected a floating point tensor, got dtype int64"):
        tg.logcumsumexp(tg.tensor([1, 2]), 0)


# ---- shape and matrix functions ----------------------------------------------------------------------


def test_diff_bool_n_zero_and_errors():
    assert_tensor(tg.diff(tg.tensor([True, False, False, True])), [True, False, True], tg.bool)
    assert_tensor(tg.diff(tg.tensor([1, 4, 9, 16]), n=2), [2, 2], tg.int64)
    assert_tensor(tg.diff(tg.tensor([1, 4]), n=0), [1, 4])
    assert_tensor(tg.diff(tg.tensor([1.0]), prepend=tg.tensor([0.5])), [0.5])
    with pytest.raises(RuntimeError, match="diff expects input to be at least one-dimensional"):
        tg.diff(tg.tensor(1.0))
    with pytest.raises(
        RuntimeError, match=r"diff expects prepend of shape \[3\] to match the input's shape \[2, 2\]"
    ):
        tg.diff(tg.zeros(2, 2), prepend=tg.zeros(3))


def test_diagonal_trace_diag_embed_and_diag_agree_with_numpy():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert_tensor(tg.diagonal(tg.tensor(x), -1, 1, 2), np.diagonal(x, -1, 1, 2))
    assert tg.diagonal(tg.zeros(2, 3), 4).shape == (0,)
    assert_tensor(tg.trace(tg.tensor([[1, 2], [3, 4]])), 5, tg.int64)
    assert_tensor(tg.trace(tg.zeros(0, 3)), 0.0)
    assert_tensor(tg.diag(tg.tensor([1, 2]), 1), np.diag([1, 2], 1), tg.int64)
    assert_tensor(tg.diag(tg.tensor(x[0]), -1), np.diag(x[0], -1))
    embedded = tg.diag_embed(tg.tensor([[1.0, 2.0]]), offset=1, dim1=0, dim2=2)
    expected = np.zeros((3, 1, 3))
    expected[0, 0, 1], expected[1, 0, 2] = 1.0, 2.0
    assert_tensor(embedded, expected)
    with pytest.raises(RuntimeError, match="diagonal: diagonal dimensions cannot be identical 1, -1"):
        tg.diagonal(tg.zeros(2, 3), 0, 1, -1)
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 3"):
        tg.trace(tg.zeros(2, 2, 2))
    with pytest.raises(IndexError, match="diag_embed: Dimension out of range"):
        tg.diag_embed(tg.tensor(1.0))


@pytest.mark.parametrize("row, col, offset", [(3, 3, 0), (4, 3, -1), (3, 5, 2), (0, 3, 0), (2, 2, -5)])
def test_tril_and_triu_indices_match_numpy(row, col, offset):
    lower = tg.tril_indices(row, col, offset)
    assert lower.dtype == tg.int64 and lower.shape[0] == 2
    np.testing.assert_array_equal(lower.numpy(), np.stack(np.tril_indices(row, offset, col)))
    np.testing.assert_array_equal(
        tg.triu_indices(row, col, offset).numpy(), np.stack(np.triu_indices(row, offset, col))
    )


def test_index_factories_and_rotations_reject_bad_arguments():
    assert tg.tril_indices(2, 2, dtype=tg.float64).dtype == tg.float64
    with pytest.raises(RuntimeError, match="tril_indices: row must be non-negative, got -1"):
        tg.tril_indices(-1, 3)
    with pytest.raises(RuntimeError, match="rot90: expected total rotation dims == 2, but got dims = 3"):
        tg.rot90(tg.zeros(2, 2, 2), 1, (0, 1, 2))
    with pytest.raises(RuntimeError, match="rot90: expected total dims >= 2, but got total dims = 1"):
        tg.rot90(tg.zeros(3))
    with pytest.raises(RuntimeError, match="rot90: expected rotation dims to be different"):
        tg.rot90(tg.zeros(2, 2), 1, (1, -1))
    with pytest.raises(RuntimeError, match=r"fliplr: Input must be >= 2-d, got shape \[3\]"):
        tg.fliplr(tg.zeros(3))
    with pytest.raises(RuntimeError, match="flipud: Input must be >= 1-d"):
        tg.flipud(tg.tensor(1.0))


def test_cross_default_dim_and_errors():
    a, b = np.array([[1.0, 0, 0], [0, 1, 0]]), np.array([[0.0, 1, 0], [0, 0, 1]])
    assert_tensor(tg.cross(tg.tensor(a), tg.tensor(b), dim=1), np.cross(a, b))
    assert_tensor(tg.cross(tg.tensor(a.T), tg.tensor(b.T)), np.cross(a, b).T)  # first dim of size 3
    assert_tensor(tg.cross(tg.tensor([1, 0, 0]), tg.tensor([0, 1, 0])), [0, 0, 1], tg.int64)
    with pytest.raises(RuntimeError, match=r"cross: no dimension of size 3 in input \(shape \[2, 2\]\)"):
        tg.cross(tg.zeros(2, 2), tg.zeros(2, 2))
    with pytest.raises(RuntimeError, match="cross: inputs dimension 1 must have length 3. Got 3 and 1"):
        tg.cross(tg.zeros(2, 3), tg.zeros(2, 1), dim=1)
    with pytest.raises(
        RuntimeError,
        match=r"cross: inputs must have the same number of dimensions, got shapes \[2, 3\] and \[3\]",
    ):
        tg.cross(tg.zeros(2, 3), tg.zeros(3))


def test_tensor_split_forms_and_errors():
    t = tg.arange(7)
    parts = tg.tensor_split(t, tg.tensor([2, 5]))
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3, 4], [5, 6]]
    assert [p.tolist() for p in tg.tensor_split(t, tg.tensor(3))] == [[0, 1, 2], [3, 4], [5, 6]]
    assert [p.shape for p in tg.tensor_split(tg.zeros(2, 0), 3, dim=1)] == [(2, 0)] * 3
    assert [p.tolist() for p in tg.tensor_split(t, (-2,))] == [[0, 1, 2, 3, 4], [5, 6]]  # slicing rules
    with pytest.raises(RuntimeError, match="tensor_split: number of sections must be larger than 0, got 0"):
        tg.tensor_split(t, 0)
    with pytest.raises(RuntimeError, match="tensor_split expected at least a 1-dimensional tensor"):
        tg.tensor_split(tg.tensor(1.0), 2)
    with pytest.raises(RuntimeError, match="int64 tensor, but got dtype float32 with 1 dims"):
        tg.tensor_split(t, tg.tensor([1.0]))


def test_block_diag_cartesian_prod_movedim_edge_cases():
    empty = tg.block_diag()
    assert empty.shape == (1, 0) and empty.dtype == tg.float32
    out = tg.block_diag(tg.tensor(2), tg.tensor([1.5, 2.5]), tg.zeros(0, 1, dtype=tg.float64))
    assert out.dtype == tg.float64  # promoted
    assert_tensor(out, [[2, 0, 0, 0], [0, 1.5, 2.5, 0]])
    assert tg.block_diag(tg.tensor([[1, 2]])).dtype == tg.int64
    with pytest.raises(
        RuntimeError, match="block_diag: Input tensors must have 2 or fewer dimensions. Input 1 has 3"
    ):
        tg.block_diag(tg.zeros(1), tg.zeros(1, 1, 1))
    single = tg.tensor([1, 2])
    assert tg.cartesian_prod(single) is single
    assert tg.cartesian_prod(tg.tensor([1, 2]), tg.zeros(0, dtype=tg.int64)).shape == (0, 2)
    with pytest.raises(RuntimeError, match=r"cartesian_prod: Expect a 1D vector, but got shape \[2, 2\]"):
        tg.cartesian_prod(tg.zeros(2, 2), tg.zeros(2))
    x = np.zeros((2, 3, 4, 5))
    assert tg.movedim(tg.tensor(x), (3, 0), (0, 2)).shape == np.moveaxis(x, (3, 0), (0, 2)).shape
    assert tg.moveaxis is tg.movedim
    with pytest.raises(RuntimeError, match="movedim: Invalid source or destination dims"):
        tg.movedim(tg.zeros(2, 3), (0, 1), 0)
    with pytest.raises(RuntimeError, match=r"movedim: repeated dim in `source` \(\[0, -2\]\)"):
        tg.movedim(tg.zeros(2, 3), (0, -2), (0, 1))


# ---- indexing, counting and searching ----------------------------------------------------------------


def test_masked_select_and_take_shapes_and_errors():
    x = np.arange(6.0).reshape(2, 3)
    m = np.array([True, False, True])
    assert_tensor(tg.masked_select(tg.tensor(x), tg.tensor(m)), x[np.broadcast_to(m, x.shape)])
    assert_tensor(tg.masked_select(tg.tensor(5.0), tg.tensor([True, True])), [5.0, 5.0])
    assert tg.masked_select(tg.tensor(5.0), tg.tensor(False)).shape == (0,)
    with pytest.raises(RuntimeError, match="masked_select: expected a bool tensor for mask, got dtype int64"):
        tg.masked_select(tg.tensor(x), tg.tensor([1, 0, 1]))
    assert_tensor(tg.take(tg.tensor(x), tg.tensor([[-1, 0]])), [[5.0, 0.0]])
    assert tg.take(tg.tensor(x), tg.tensor(4)).shape == ()
    with pytest.raises(
        IndexError, match=r"take\(\): out of range: tried to access index 6 on a tensor of 6 elements"
    ):
        tg.take(tg.tensor(x), tg.tensor([6]))
    with pytest.raises(IndexError, match="tried to access index 0 on a tensor of 0 elements"):
        tg.take(tg.zeros(0), tg.tensor([0]))
    with pytest.raises(RuntimeError, match=r"take\(\): Expected a long tensor for index, but got float32"):
        tg.take(tg.tensor(x), tg.tensor([0.0]))


def test_isin_matches_numpy_with_numbers_and_nan():
    e = np.array([[1, 2], [3, 4]])
    assert_tensor(tg.isin(tg.tensor(e), tg.tensor([2, 4, 9])), np.isin(e, [2, 4, 9]), tg.bool)
    assert_tensor(tg.isin(tg.tensor(e), tg.tensor([2.0, 3.5]), invert=True), ~np.isin(e, [2.0]))
    assert_tensor(tg.isin(tg.tensor(e), 3), e == 3)
    assert_tensor(tg.isin(3, tg.tensor(e)), True)
    assert_tensor(tg.isin(tg.tensor([NAN, 1.0]), tg.tensor([NAN, 1.0])), [False, True])  # NaN != NaN


def test_searchsorted_and_bucketize_against_counting():
    seq = np.array([1.0, 3.0, 3.0, 5.0])
    v = np.array([[0.0, 3.0], [4.0, 9.0]])
    left, right = (seq[None, None, :] < v[..., None]).sum(-1), (seq[None, None, :] <= v[..., None]).sum(-1)
    assert_tensor(tg.searchsorted(tg.tensor(seq), tg.tensor(v)), left, tg.int64)
    assert_tensor(tg.searchsorted(tg.tensor(seq), tg.tensor(v), right=True), right)
    assert_tensor(tg.searchsorted(tg.tensor(seq), tg.tensor(v), side="right"), right)
    assert_tensor(tg.searchsorted(tg.tensor(seq), 3), 1)  # a number: a 0-d result
    rows = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    values = np.array([[2.5], [5.0]])
    assert_tensor(tg.searchsorted(tg.tensor(rows), tg.tensor(values)), [[2], [0]])
    unsorted = tg.tensor([5.0, 1.0, 3.0])
    assert_tensor(tg.searchsorted(unsorted, tg.tensor([2.0, 6.0]), sorter=tg.tensor([1, 2, 0])), [1, 3])
    assert tg.searchsorted(tg.tensor(seq), tg.zeros(0)).shape == (0,)
    assert_tensor(tg.bucketize(tg.tensor(v), tg.tensor(seq)), left)  # boundaries[i-1] < x <= boundaries[i]
    assert_tensor(tg.bucketize(tg.tensor(v), tg.tensor(seq), right=True), right)
    assert_tensor(tg.bucketize(3, tg.tensor(seq)), 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: tg.searchsorted(tg.tensor([1.0]), tg.tensor([1.0]), side="left", right=True),
            "side and right can't be set to opposites",
        ),
        (
            lambda: tg.searchsorted(tg.tensor([1.0]), tg.tensor([1.0]), side="middle"),
            "side can only be 'left' or 'right' but got 'middle'",
        ),
        (
            lambda: tg.searchsorted(tg.zeros(2, 3), tg.zeros(3, 1)),
            r"boundaries tensor \[2, 3\] and input value tensor \[3, 1\]",
        ),
        (
            lambda: tg.searchsorted(tg.tensor(1.0), tg.zeros(1)),
            "boundaries tensor should have positive dimension",
        ),
        (
            lambda: tg.searchsorted(tg.zeros(3), tg.zeros(1), out_int32=True),
            "out_int32=True needs an int32 dtype",
        ),
        (
            lambda: tg.searchsorted(tg.zeros(3), tg.zeros(1), sorter=tg.tensor([0, 1, 3])),
            "sorter index out of range",
        ),
        (
            lambda: tg.bucketize(tg.zeros(2), tg.zeros(2, 2)),
            r"bucketize: boundaries tensor must be 1 dimension, but got dim\(2\)",
        ),
    ],
)
def test_searchsorted_errors(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_bincount_counts_weights_dtypes_and_errors():
    x = np.array([0, 1, 1, 4, 1])
    assert_tensor(tg.bincount(tg.tensor(x)), [1, 3, 0, 0, 1], tg.int64)
    assert_tensor(tg.bincount(tg.tensor(x), minlength=7), [1, 3, 0, 0, 1, 0, 0])
    assert_tensor(tg.bincount(tg.zeros(0, dtype=tg.int64)), np.zeros(0), tg.int64)
    w = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    assert_tensor(tg.bincount(tg.tensor(x), tg.tensor(w.tolist())), [0.5, 11.0, 0, 0, 4.0], tg.float32)
    assert tg.bincount(tg.tensor(x), tg.tensor(w, dtype=tg.float64)).dtype == tg.float64
    assert tg.bincount(tg.tensor(x), tg.tensor([1, 1, 1, 1, 1])).dtype == tg.float64
    assert not tg.bincount(tg.tensor(x), tg.tensor(w, requires_grad=True)).requires_grad
    with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral inputs"):
        tg.bincount(tg.tensor([1, -1]))
    with pytest.raises(RuntimeError, match=r"bincount only supports .*\(got dtype float32, shape \[2\]\)"):
        tg.bincount(tg.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="bincount: minlength should be >= 0, got -1"):
        tg.bincount(tg.tensor([1]), minlength=-1)
    with pytest.raises(
        RuntimeError, match=r"weights should be 1-d and have the same length as input \(weights \[1\]"
    ):
        tg.bincount(tg.tensor([1, 2]), tg.tensor([1.0]))


def np_histc(x, bins, lo, hi):
    """Count by PyTorch's rule: bin floor((x - lo) * bins / (hi - lo)), max in the last bin."""
    counts = np.zeros(bins)
    for v in x.reshape(-1):
        if lo <= v <= hi:
            counts[min(int((v - lo) * bins / (hi - lo)), bins - 1)] += 1
    return counts


def test_histc_ranges_edges_and_errors():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.5, 3.0, 3.5, NAN])
    assert_tensor(tg.histc(tg.tensor(x, dtype=tg.float64), 3, 0, 3), np_histc(x, 3, 0, 3), tg.float64)
    data = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert_tensor(
        tg.histc(tg.tensor(data.tolist()), bins=4), np_histc(data, 4, 1.0, 4.0), tg.float32
    )  # data range
    assert_tensor(tg.histc(tg.tensor([2.0, 2.0]), bins=2), [0.0, 2.0])  # one value: [1, 3]
    assert_tensor(tg.histc(tg.zeros(0), bins=3), [0.0, 0.0, 0.0])
    assert not tg.histc(tg.tensor([1.0], requires_grad=True), 2).requires_grad
    with pytest.raises(RuntimeError, match=r"torch.histc\(\): bins must be > 0, but got 0"):
        tg.histc(tg.tensor([1.0]), 0)
    with pytest.raises(RuntimeError, match="torch.histc: max must be larger than min"):
        tg.histc(tg.tensor([1.0]), 2, min=3, max=1)
    with pytest.raises(RuntimeError, match=r"torch.histc: range of \[nan, nan\] is not finite"):
        tg.histc(tg.tensor([NAN, 1.0]), 2)
    with pytest.raises(RuntimeError, match="histc: expected a floating point tensor, got dtype int64"):
        tg.histc(tg.tensor([1, 2]))


def test_index_add_fill_copy_leave_the_input_and_handle_zero_d_and_integers():
    x = tg.tensor([[1, 2, 3], [4, 5, 6]])
    added = tg.index_add(x, 1, tg.tensor([0, 0]), tg.tensor([[10, 20], [30, 40]]), alpha=2)
    assert_tensor(added, [[61, 2, 3], [144, 5, 6]], tg.int64)  # repeats add up
    assert x.tolist() == [[1, 2, 3], [4, 5, 6]]  # out of place
    assert_tensor(tg.index_fill(x, 1, tg.tensor([-1, 0]), 2.7), [[2, 2, 2], [2, 5, 2]], tg.int64)
    assert_tensor(tg.index_copy(x, 0, tg.tensor([1]), tg.tensor([[7, 8, 9]])), [[1, 2, 3], [7, 8, 9]])
    s = tg.tensor(1.0)
    assert_tensor(tg.index_add(s, 0, tg.tensor([0]), tg.tensor([2.0])), 3.0)
    assert_tensor(tg.index_fill(s, 0, tg.tensor([0]), -1.0), -1.0)
    assert_tensor(tg.index_copy(s, 0, tg.tensor([0]), tg.tensor(5.0)), 5.0)
    v = tg.tensor(0.5, requires_grad=True)
    tg.index_fill(tg.zeros(2, 3), 1, tg.tensor([2, 0, 2]), v).sum().backward()
    assert v.grad.item() == 4.0  # each filled position once, as PyTorch (unique indices)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: tg.index_add(tg.zeros(2, 3), 1, tg.tensor([0.0]), tg.zeros(2, 1)),
            RuntimeError,
            r"index_add\(\): Expected dtype int64 for index, got float32",
        ),
        (
            lambda: tg.index_add(tg.zeros(2, 3), 1, tg.tensor([3]), tg.zeros(2, 1)),
            IndexError,
            r"index_add\(\): index \[3\] out of range for dimension 1 of size 3",
        ),
        (
            lambda: tg.index_add(tg.zeros(2, 3), 1, tg.tensor([-1]), tg.zeros(2, 1)),
            IndexError,
            "out of range",
        ),
        (
            lambda: tg.index_add(tg.zeros(2, 3), 1, tg.tensor([0, 1]), tg.zeros(2, 1)),
            RuntimeError,
            r"index_add\(\): source of shape \[2, 1\] does not fit input of shape \[2, 3\] with 2 indices "
            r"along dim 1 \(expected shape \[2, 2\]\)",
        ),
        (
            lambda: tg.index_add(tg.zeros(2, 3), 0, tg.tensor([0]), tg.zeros(1, 3, dtype=tg.float64)),
            RuntimeError,
            r"index_add\(\): self \(float32\) and source \(float64\) must have the same scalar type",
        ),
        (
            lambda: tg.index_add(tg.tensor([1, 2]), 0, tg.tensor([0]), tg.tensor([1]), alpha=0.5),
            RuntimeError,
            "alpha must not be a floating point number",
        ),
        (
            lambda: tg.index_add(tg.zeros(2), 0, tg.tensor([[0]]), tg.zeros(1)),
            IndexError,
            r"Index is supposed to be a vector, got shape \[1, 1\]",
        ),
        (
            lambda: tg.index_fill(tg.zeros(2, 3), 1, tg.tensor([0]), tg.zeros(2)),
            RuntimeError,
            "index_fill_ only supports a 0-dimensional value tensor",
        ),
        (
            lambda: tg.index_fill(tg.zeros(2, 3), 0, tg.tensor([-3]), 1.0),
            IndexError,
            r"index_fill\(\): index \[-3\] out of range for dimension 0 of size 2",
        ),
        (
            lambda: tg.index_copy(tg.zeros(3), 0, tg.tensor([1, 1]), tg.zeros(2)),
            RuntimeError,
            r"index_copy\(\): index \[1, 1\] repeats an entry",
        ),
        (
            lambda: tg.index_copy(tg.zeros(3), 2, tg.tensor([1]), tg.zeros(1)),
            IndexError,
            "index_copy: Dimension out of range",
        ),
    ],
)
def test_index_ops_errors_name_the_op_and_shapes(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_in_place_index_ops_write_the_tensor_and_keep_gradients():
    from tensorgrad.ops.more_index import index_add_, index_copy_, index_fill_

    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    s = tg.tensor([[10.0], [20.0]], requires_grad=True)
    y = x * 1.0
    version = y._version
    assert index_add_(y, 1, tg.tensor([1]), s, alpha=2) is y and y._version > version
    index_fill_(y, 0, tg.tensor([0]), 0.5)
    assert y.tolist() == [[0.5, 0.5], [3.0, 44.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]] and s.grad.tolist() == [[0.0], [2.0]]
    z = tg.zeros(3)
    index_copy_(z, 0, tg.tensor([2, 0]), tg.tensor([7.0, 8.0]))
    assert z.tolist() == [8.0, 0.0, 7.0]
    with pytest.raises(RuntimeError, match="index_fill_: a leaf Variable that requires grad"):
        index_fill_(x, 0, tg.tensor([0]), 1.0)
