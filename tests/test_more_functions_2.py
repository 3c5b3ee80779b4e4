"""The non-differentiable and edge-case behaviour of ops/stacking.py, statistics.py and
more_math.py against numpy references (the differentiable ones are in the op table)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad.autograd import gradcheck


def test_atleast_and_stacks_shapes_and_return_types() -> None:
    assert tg.atleast_1d(tg.tensor(1.0)).shape == (1,)
    assert tg.atleast_2d(tg.tensor([1.0, 2.0])).shape == (1, 2)
    assert tg.atleast_3d(tg.tensor([1.0, 2.0])).shape == (1, 2, 1)
    out = tg.atleast_2d(tg.tensor(1.0), tg.ones(3))
    assert isinstance(out, tuple) and [t.shape for t in out] == [(1, 1), (1, 3)]
    x = np.arange(6).reshape(2, 3)
    assert np.array_equal(tg.row_stack([tg.tensor(x), tg.tensor(x[0])]).numpy(), np.vstack([x, x[0]]))
    assert tg.swapdims(tg.ones(2, 3, 4), 0, 2).shape == (4, 3, 2)
    with pytest.raises(RuntimeError, match=r"hstack: expects a non-empty"):
        tg.hstack([])
    with pytest.raises(RuntimeError, match=r"adjoint.*Got 1-D"):
        tg.adjoint(tg.ones(3))


def test_products_errors_and_chain_matmul() -> None:
    rng = np.random.default_rng(0)
    mats = [rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 2))]
    assert np.allclose(tg.chain_matmul(*map(tg.tensor, mats)).numpy(), mats[0] @ mats[1] @ mats[2])
    with pytest.raises(RuntimeError, match=r"chain_matmul\(\): Tensor 1 must be 2-D, got shape \[3\]"):
        tg.chain_matmul(tg.ones(2, 3), tg.ones(3))
    with pytest.raises(
        RuntimeError, match=r"tensordot: contracted dimensions need to match.*\[2, 3\] and \[4\]"
    ):
        tg.tensordot(tg.ones(2, 3), tg.ones(4), 1)
    with pytest.raises(RuntimeError, match=r"inner\(\) the last dimension must match.*\[2\] and \[3\]"):
        tg.inner(tg.ones(2), tg.ones(3))
    assert np.array_equal(
        tg.kron(tg.tensor([[1, 2]]), tg.tensor([[3], [4]])).numpy(), np.kron([[1, 2]], [[3], [4]])
    )


def test_combinations_against_itertools() -> None:
    values = [1.5, -2.0, 3.0, 0.5]
    for r, repl in ((2, False), (3, True), (5, False)):
        choose = itertools.combinations_with_replacement if repl else itertools.combinations
        expected = np.array(list(choose(values, r))).reshape(-1, r)
        got = tg.combinations(tg.tensor(values, dtype=tg.float64), r, with_replacement=repl)
        assert got.shape == expected.shape and np.array_equal(got.numpy(), expected)
    x = tg.tensor(values, dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda t: tg.combinations(t, 2), (x,))


def test_narrow_copy_is_a_copy() -> None:
    x = tg.arange(12).reshape(3, 4)
    y = tg.narrow_copy(x, 1, 1, 2)
    assert np.array_equal(y.numpy(), np.arange(12).reshape(3, 4)[:, 1:3])
    assert not np.shares_memory(y.numpy(), x.numpy())


def test_quantile_interpolations_nan_and_vector_q() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 6))
    q = np.array([0.0, 0.2, 0.5, 1.0])
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        got = tg.quantile(tg.tensor(x), tg.tensor(q), dim=1, keepdim=True, interpolation=method)
        assert np.allclose(got.numpy(), np.quantile(x, q, axis=1, keepdims=True, method=method))
    x[0, 2] = np.nan
    x[2, :] = np.nan
    assert np.allclose(
        tg.quantile(tg.tensor(x), 0.4, dim=1).numpy(), np.quantile(x, 0.4, axis=1), equal_nan=True
    )
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanquantile(x, q, axis=1)
    assert np.allclose(tg.nanquantile(tg.tensor(x), tg.tensor(q), dim=1).numpy(), expected, equal_nan=True)
    with pytest.raises(RuntimeError, match=r"quantile\(\) q values must be in the range \[0, 1\]"):
        tg.quantile(tg.tensor(x), 1.5)
    with pytest.raises(RuntimeError, match=r"quantile\(\) input tensor must be either float or double"):
        tg.quantile(tg.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match=r"interpolation must be one of"):
        tg.quantile(tg.tensor(x), 0.5, interpolation="cubic")


def test_nanmedian_values_and_indices() -> None:
    x = np.array([[3.0, np.nan, 1.0, 2.0, 5.0], [np.nan] * 5])
    values, indices = tg.nanmedian(tg.tensor(x), 1)
    assert values.numpy()[0] == 2.0 and indices.numpy()[0] == 3  # lower median of 1, 2, 3, 5
    assert np.isnan(values.numpy()[1])
    assert tg.nanmedian(tg.tensor(x)).item() == 2.0


def test_aminmax_named_and_empty_error() -> None:
    out = tg.aminmax(tg.tensor([[3, 1], [2, 7]]), dim=0, keepdim=True)
    assert np.array_equal(out.min.numpy(), [[2, 1]]) and np.array_equal(out.max.numpy(), [[3, 7]])
    with pytest.raises(RuntimeError, match=r"aminmax\(\).*empty.*\[0, 2\]"):
        tg.aminmax(tg.ones(0, 2))


def test_cov_weights_and_errors() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5))
    fw, aw = np.array([1, 2, 1, 3, 1]), rng.uniform(0.5, 2.0, 5)
    got = tg.cov(tg.tensor(x), fweights=tg.tensor(fw), aweights=tg.tensor(aw))
    assert np.allclose(got.numpy(), np.cov(x, fweights=fw, aweights=aw))
    assert gradcheck(
        lambda a, w: tg.cov(a, aweights=w),
        (tg.tensor(x, requires_grad=True), tg.tensor(aw, requires_grad=True)),
    )
    with pytest.raises(RuntimeError, match=r"cov\(\): expected fweights to have integral dtype"):
        tg.cov(tg.tensor(x), fweights=tg.tensor(aw))
    with pytest.raises(
        RuntimeError, match=r"cov\(\): expected aweights to have one dimension of size 5.*\[4\]"
    ):
        tg.cov(tg.tensor(x), aweights=tg.ones(4))


def test_histogram_against_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(50)
    w = rng.uniform(0, 1, 50)
    hist, edges = tg.histogram(tg.tensor(x), 5, weight=tg.tensor(w), density=True)
    ref_hist, ref_edges = np.histogram(x, 5, weights=w, density=True)
    assert np.allclose(hist.numpy(), ref_hist) and np.allclose(edges.numpy(), ref_edges)
    bins = np.array([-1.0, 0.0, 0.5, 2.0])
    out = tg.histogram(tg.tensor(x), tg.tensor(bins), range=None)
    assert np.array_equal(out.hist.numpy(), np.histogram(x, bins)[0]) and out.hist.dtype == tg.float64
    with pytest.raises(
        RuntimeError, match=r"histogram: input tensor must be float or double, got dtype int64"
    ):
        tg.histogram(tg.tensor([1, 2]), 2)


def test_trapezoid_with_x_and_cumulative() -> None:
    rng = np.random.default_rng(4)
    y, x = rng.standard_normal((2, 5)), np.sort(rng.standard_normal(5))
    assert np.allclose(tg.trapezoid(tg.tensor(y), tg.tensor(x)).numpy(), np.trapezoid(y, x))
    running = tg.cumulative_trapezoid(tg.tensor(y), dx=0.5, dim=1).numpy()
    widths = 0.5 * (y[:, 1:] + y[:, :-1]) / 2
    assert np.allclose(running, np.cumsum(widths, axis=1))
    assert tg.trapezoid(tg.tensor([1, 2, 3])).dtype == tg.float32


def test_integer_ops_gcd_lcm_shifts() -> None:
    a, b = np.array([12, -18, 0, 7]), np.array([8, 12, 0, -3])
    assert np.array_equal(tg.gcd(tg.tensor(a), tg.tensor(b)).numpy(), np.gcd(a, b))
    assert np.array_equal(tg.lcm(tg.tensor(a), tg.tensor(b)).numpy(), np.lcm(a, b))
    with pytest.raises(RuntimeError, match=r"gcd: expected integer tensors, got dtypes float32"):
        tg.gcd(tg.ones(2), tg.tensor([1, 2]))
    x = np.array([1, -8, 5])
    assert np.array_equal(tg.bitwise_left_shift(tg.tensor(x), 2).numpy(), x << 2)
    assert np.array_equal(tg.bitwise_right_shift(tg.tensor(x), tg.tensor([0, 1, 2])).numpy(), x >> [0, 1, 2])
    assert np.array_equal(tg.bitwise_right_shift(tg.tensor(x), 64).numpy(), [0, -1, 0])


def test_heaviside_frexp_nextafter_float_power() -> None:
    x = np.array([-1.5, 0.0, 2.0, np.nan], np.float32)
    got = tg.heaviside(tg.tensor(x), tg.tensor(np.float32(0.25)))
    assert np.array_equal(got.numpy(), [0.0, 0.25, 1.0, 0.0])  # PyTorch's kernel: NaN -> 0
    with pytest.raises(
        RuntimeError, match=r"heaviside is not yet implemented for tensors with different dtypes"
    ):
        tg.heaviside(tg.ones(2), tg.tensor([1, 1]))
    v = np.array([8.0, -3.0, 0.0, 1e-3])
    mantissa, exponent = tg.frexp(tg.tensor(v))
    ref_m, ref_e = np.frexp(v)
    assert np.array_equal(mantissa.numpy(), ref_m) and np.array_equal(exponent.numpy(), ref_e)
    assert gradcheck(lambda t: tg.frexp(t).mantissa, (tg.tensor(v[:2] + 0.1, requires_grad=True),))
    assert np.array_equal(
        tg.nextafter(tg.tensor([1.0]), tg.tensor([0.0])).numpy(),
        np.nextafter(np.float32([1.0]), np.float32(0.0)),
    )
    assert tg.float_power(tg.tensor([2, 3]), 2).dtype == tg.float64
    with pytest.raises(RuntimeError, match=r"renorm: input needs at least 2 dimensions, got 1"):
        tg.renorm(tg.ones(3), 2, 0, 1.0)


def test_creation_logspace_empty_strided() -> None:
    assert np.allclose(tg.logspace(0, 2, 5).numpy(), np.logspace(0, 2, 5, dtype=np.float32))
    assert np.allclose(tg.logspace(1, 3, 3, base=2.0, dtype=tg.float64).numpy(), [2.0, 4.0, 8.0])
    e = tg.empty_strided((2, 3), (1, 2))
    assert e.shape == (2, 3) and e.stride() == (1, 2) and e.dtype == tg.float32
    with pytest.raises(RuntimeError, match=r"empty_strided: mismatch in length"):
        tg.empty_strided((2, 3), (1,))
