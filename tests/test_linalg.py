"""tensorgrad.linalg (torch.linalg): forward against numpy.linalg / scipy.linalg (and identities
such as A inv(A) = I) in float32 and float64 with batches, gradcheck in float64 (gauge-invariant
outputs for eigh and svd), gradgradcheck for inv, det, solve and cholesky, PyTorch's errors."""

import math

import numpy as np
import pytest
import scipy.linalg

import tensorgrad as tg
import tensorgrad.linalg as LA
from tensorgrad.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
DTYPES = [np.float32, np.float64]


def tol(dtype):
    return {"rtol": 2e-4, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


def well_conditioned(*shape):
    n = shape[-1]
    return RNG.standard_normal(shape) + n * np.eye(n)


def spd(*shape):
    a = RNG.standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def leaf(x):
    return tg.tensor(np.array(x, np.float64), requires_grad=True)


def sym(a):
    return (a + a.mT) * 0.5


# ---- forward against numpy / scipy ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_inverse_determinants_and_solves_match_numpy(dtype):
    a = well_conditioned(2, 3, 4, 4).astype(dtype)
    b = RNG.standard_normal((3, 4, 2)).astype(dtype)  # broadcast against a's batch (2, 3)
    t, tb = tg.tensor(a), tg.tensor(b)
    k = tol(dtype)
    np.testing.assert_allclose(LA.inv(t).numpy(), np.linalg.inv(a), **k)
    np.testing.assert_allclose((t @ tg.inverse(t)).numpy(), np.broadcast_to(np.eye(4), a.shape), **k)
    np.testing.assert_allclose(LA.det(t).numpy(), np.linalg.det(a), **k)
    assert LA.det(t).dtype == t.dtype and tg.det(t).shape == (2, 3)
    sign, logabsdet = LA.slogdet(t)
    ref_sign, ref_log = np.linalg.slogdet(a)
    np.testing.assert_array_equal(sign.numpy(), ref_sign)
    np.testing.assert_allclose(logabsdet.numpy(), ref_log, **k)
    assert tg.slogdet(t).logabsdet.shape == (2, 3)
    x = LA.solve(t, tb)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, np.broadcast_to(b, (2, 3, 4, 2))), **k)
    v = RNG.standard_normal((2, 3, 4)).astype(dtype)  # a batch of vectors: shape A.shape[:-1]
    np.testing.assert_allclose(
        LA.solve(t, tg.tensor(v)).numpy(), np.linalg.solve(a, v[..., None])[..., 0], **k
    )
    right = LA.solve(t, tg.tensor(np.swapaxes(b, -1, -2)), left=False)  # X A = B
    np.testing.assert_allclose(
        (right @ t).numpy(), np.broadcast_to(np.swapaxes(b, -1, -2), (2, 3, 2, 4)), **k
    )


def test_logdet_is_nan_for_a_negative_determinant_and_minus_inf_for_zero():
    mats = np.array([[[2.0, 0.0], [0.0, 3.0]], [[0.0, 1.0], [1.0, 0.0]], [[1.0, 2.0], [2.0, 4.0]]])
    out = tg.logdet(tg.tensor(mats)).numpy()
    assert out[0] == pytest.approx(math.log(6.0)) and math.isnan(out[1]) and out[2] == -math.inf


@pytest.mark.parametrize("dtype", DTYPES)
def test_solve_triangular_and_cholesky_match_scipy(dtype):
    a = well_conditioned(2, 4, 4).astype(dtype)
    b = RNG.standard_normal((2, 4, 3)).astype(dtype)
    t, tb = tg.tensor(a), tg.tensor(b)
    k = tol(dtype)
    for upper in (True, False):
        for unit in (True, False):
            x = LA.solve_triangular(t, tb, upper=upper, unitriangular=unit)
            for i in range(2):
                ref = scipy.linalg.solve_triangular(a[i], b[i], lower=not upper, unit_diagonal=unit)
                np.testing.assert_allclose(x.numpy()[i], ref, **k)
        bt = np.swapaxes(b, -1, -2)
        x = LA.solve_triangular(t, tg.tensor(bt), upper=upper, left=False)
        tri = np.triu(a) if upper else np.tril(a)
        np.testing.assert_allclose(x.numpy() @ tri, bt, **k)
    s = spd(3, 4, 4).astype(dtype)
    low = LA.cholesky(tg.tensor(s))
    np.testing.assert_allclose(low.numpy(), np.linalg.cholesky(s), **k)
    np.testing.assert_allclose(
        LA.cholesky(tg.tensor(s), upper=True).numpy(), np.swapaxes(low.numpy(), -1, -2)
    )
    rhs = RNG.standard_normal((3, 4, 2)).astype(dtype)
    np.testing.assert_allclose(tg.cholesky_solve(tg.tensor(rhs), low).numpy(), np.linalg.solve(s, rhs), **k)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 3, 5), (4, 4)])
def test_qr_svd_match_numpy_and_reconstruct(dtype, shape):
    a = RNG.standard_normal(shape).astype(dtype)
    t = tg.tensor(a)
    k = tol(dtype)
    q, r = LA.qr(t)
    ref_q, ref_r = np.linalg.qr(a)
    np.testing.assert_allclose(q.numpy(), ref_q, **k)
    np.testing.assert_allclose(r.numpy(), ref_r, **k)
    qc, rc = LA.qr(t, mode="complete")
    m = shape[-2]
    assert qc.shape[-2:] == (m, m) and rc.shape[-2:] == (m, shape[-1])
    np.testing.assert_allclose((qc @ rc).numpy(), a, **k)
    only_r = LA.qr(t, mode="r")
    assert only_r.Q.shape == (0,)
    np.testing.assert_allclose(np.abs(only_r.R.numpy()), np.abs(ref_r), **k)
    u, s, vh = LA.svd(t)
    assert u.shape[-2:] == (m, m) and vh.shape[-2:] == (shape[-1], shape[-1])
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(a, compute_uv=False), **k)
    u, s, vh = LA.svd(t, full_matrices=False)
    np.testing.assert_allclose((u * s.unsqueeze(-2) @ vh).numpy(), a, **k)
    np.testing.assert_allclose(LA.svdvals(t).numpy(), np.linalg.svd(a, compute_uv=False), **k)
    assert s.dtype == t.dtype and LA.svd(t).S.dtype == t.dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh_matches_numpy_and_reads_one_triangle(dtype):
    a = RNG.standard_normal((3, 4, 4)).astype(dtype)
    k = tol(dtype)
    for uplo in ("L", "U"):
        values, vectors = LA.eigh(tg.tensor(a), UPLO=uplo)
        full = (
            np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
            if uplo == "L"
            else np.triu(a) + np.swapaxes(np.triu(a, 1), -1, -2)
        )
        np.testing.assert_allclose(values.numpy(), np.linalg.eigvalsh(full), **k)
        np.testing.assert_allclose(
            full @ vectors.numpy(), vectors.numpy() * values.numpy()[..., None, :], **k
        )
        np.testing.assert_allclose(LA.eigvalsh(tg.tensor(a), uplo).numpy(), values.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_norms_match_numpy(dtype):
    a = RNG.standard_normal((2, 3, 4)).astype(dtype)
    t = tg.tensor(a)
    k = tol(dtype)
    for ord in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        ref = np.linalg.norm(a, ord=ord, axis=(-2, -1))
        np.testing.assert_allclose(LA.matrix_norm(t, ord).numpy(), ref, **k)
        np.testing.assert_allclose(LA.norm(t, ord, dim=(-2, -1)).numpy(), ref, **k)
        ref_kept = np.linalg.norm(a, ord=ord, axis=(2, 0), keepdims=True)
        np.testing.assert_allclose(LA.matrix_norm(t, ord, dim=(2, 0), keepdim=True).numpy(), ref_kept, **k)
    for ord in (2, 1, 0, 3.5, math.inf, -math.inf):
        ref = np.linalg.norm(a, ord=ord, axis=1, keepdims=True)
        np.testing.assert_allclose(LA.vector_norm(t, ord, dim=1, keepdim=True).numpy(), ref, **k)
    np.testing.assert_allclose(LA.vector_norm(t).numpy(), np.linalg.norm(a.ravel()), **k)
    np.testing.assert_allclose(LA.norm(t).numpy(), np.linalg.norm(a.ravel()), **k)
    np.testing.assert_allclose(LA.norm(t[0], 1).numpy(), np.linalg.norm(a[0], 1), **k)  # 2-D: a matrix norm
    np.testing.assert_allclose(LA.norm(t[0, 0], 1).numpy(), np.linalg.norm(a[0, 0], 1), **k)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pinv_matrix_rank_lstsq_match_numpy(dtype):
    k = tol(dtype)
    a = RNG.standard_normal((2, 5, 3)).astype(dtype)
    t = tg.tensor(a)
    np.testing.assert_allclose(LA.pinv(t).numpy(), np.linalg.pinv(a), **k)
    np.testing.assert_allclose(tg.pinverse(t.mT).numpy(), np.linalg.pinv(np.swapaxes(a, -1, -2)), **k)
    s = spd(4, 4).astype(dtype)
    np.testing.assert_allclose(LA.pinv(tg.tensor(s), hermitian=True).numpy(), np.linalg.inv(s), **k)
    deficient = (RNG.standard_normal((3, 5, 2)) @ RNG.standard_normal((3, 2, 4))).astype(dtype)
    d = tg.tensor(deficient)
    assert LA.matrix_rank(d).tolist() == [2, 2, 2] and LA.matrix_rank(d).dtype == tg.int64
    assert LA.matrix_rank(d, atol=1e6).tolist() == [0, 0, 0]
    np.testing.assert_allclose(
        LA.pinv(d).numpy(), np.linalg.pinv(deficient, rcond=1e-4), rtol=1e-3, atol=1e-4
    )
    b = RNG.standard_normal((2, 5, 2)).astype(dtype)
    sol, residuals, rank, svals = LA.lstsq(t, tg.tensor(b))  # gelsy: no residuals, no singular values
    refs = [np.linalg.lstsq(a[i], b[i], rcond=None) for i in range(2)]
    np.testing.assert_allclose(sol.numpy(), np.stack([r[0] for r in refs]), **k)
    assert rank.tolist() == [3, 3] and residuals.shape == (0,) and svals.shape == (0,)
    sol, residuals, rank, svals = LA.lstsq(t, tg.tensor(b), driver="gelsd")
    np.testing.assert_allclose(
        residuals.numpy(), np.stack([r[1] for r in refs]), rtol=1e-3 if dtype == np.float32 else 1e-9
    )
    np.testing.assert_allclose(svals.numpy(), np.stack([r[3] for r in refs]), **k)
    vec = LA.lstsq(t, tg.tensor(b[..., 0])).solution
    np.testing.assert_allclose(vec.numpy(), np.stack([r[0][:, 0] for r in refs]), **k)
    minimum_norm = LA.lstsq(d, tg.tensor(np.ones((3, 5, 1), dtype)), driver="gelss").solution
    np.testing.assert_allclose(
        minimum_norm.numpy(), np.linalg.pinv(deficient, rcond=1e-4) @ np.ones((5, 1)), rtol=1e-3, atol=1e-4
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_exp_power_multi_dot_cross_match_numpy(dtype):
    k = tol(dtype)
    a = (0.3 * RNG.standard_normal((2, 3, 3))).astype(dtype)
    taylor, term = np.broadcast_to(np.eye(3), a.shape).copy(), np.broadcast_to(np.eye(3), a.shape).copy()
    for i in range(1, 25):
        term = term @ a / i
        taylor += term
    np.testing.assert_allclose(LA.matrix_exp(tg.tensor(a)).numpy(), taylor, **k)
    assert tg.matrix_exp(tg.tensor(a)).dtype == tg.tensor(a).dtype
    w = well_conditioned(2, 3, 3).astype(dtype)
    for n in (0, 1, 2, 5, -1, -3):
        ref = np.stack([np.linalg.matrix_power(m, n) for m in w])
        np.testing.assert_allclose(
            LA.matrix_power(tg.tensor(w), n).numpy(), ref, rtol=1e-4 if dtype == np.float32 else 1e-10
        )
    chain = [RNG.standard_normal(s).astype(dtype) for s in [(4,), (4, 6), (6, 2), (2, 5), (5,)]]
    np.testing.assert_allclose(
        LA.multi_dot([tg.tensor(c) for c in chain]).numpy(), np.linalg.multi_dot(chain), rtol=1e-4
    )
    x, y = RNG.standard_normal((2, 1, 3)).astype(dtype), RNG.standard_normal((4, 3)).astype(dtype)
    np.testing.assert_allclose(LA.cross(tg.tensor(x), tg.tensor(y)).numpy(), np.cross(x, y), **k)


# ---- gradients --------------------------------------------------------------------------------------


def test_gradients_of_inverse_determinants_and_solves():
    a, b = leaf(well_conditioned(2, 3, 3)), leaf(RNG.standard_normal((3, 2)))
    assert gradcheck(LA.inv, (a,))
    assert gradcheck(LA.det, (a,))
    assert gradcheck(lambda x: LA.slogdet(x).logabsdet, (a,))
    assert gradcheck(tg.logdet, (leaf(spd(3, 3)),))
    assert gradcheck(LA.solve, (a, b))  # b broadcast over a's batch
    assert gradcheck(lambda x, y: LA.solve(x, y[:, 0]), (a, b))
    assert gradcheck(lambda x, y: LA.solve(x, y.mT, left=False), (a, b))
    assert gradgradcheck(LA.inv, (a,))
    assert gradgradcheck(LA.det, (a,))
    assert gradgradcheck(LA.solve, (a, b))


def test_gradients_of_triangular_solves_cholesky_and_cholesky_solve():
    a, b = leaf(well_conditioned(2, 3, 3)), leaf(RNG.standard_normal((2, 3, 2)))
    for upper in (True, False):
        for left in (True, False):
            for unit in (True, False):
                rhs = b if left else b.mT
                assert gradcheck(
                    lambda x, y, u=upper, l=left, t=unit: LA.solve_triangular(
                        x, y, upper=u, left=l, unitriangular=t
                    ),
                    (a, rhs),
                )
    s = leaf(spd(2, 3, 3))
    assert gradcheck(lambda x: LA.cholesky(sym(x)), (s,))
    assert gradcheck(lambda x: LA.cholesky(sym(x), upper=True), (s,))
    assert gradgradcheck(lambda x: LA.cholesky(sym(x)), (s,))
    LA.cholesky(s).sum().backward()  # on A itself, as PyTorch, a symmetric gradient
    np.testing.assert_allclose(s.grad.numpy(), s.grad.numpy().swapaxes(-1, -2))
    low = leaf(np.linalg.cholesky(spd(3, 3)))
    assert gradcheck(lambda l, y: tg.cholesky_solve(y, l.tril()), (low, leaf(RNG.standard_normal((3, 2)))))


def test_gradients_of_qr():
    for shape in [(5, 3), (3, 5), (2, 4, 4)]:
        a = leaf(RNG.standard_normal(shape))
        assert gradcheck(lambda x: tuple(LA.qr(x)), (a,))
        assert gradcheck(lambda x: LA.qr(x).R, (a,))
    assert gradcheck(lambda x: tuple(LA.qr(x, mode="complete")), (leaf(RNG.standard_normal((3, 5))),))


def test_gradients_of_eigh_and_svd_through_gauge_invariant_outputs():
    a = leaf(RNG.standard_normal((2, 4, 4)))

    def eigen_projectors(x):
        values, vectors = LA.eigh(sym(x))
        return values, vectors.unsqueeze(-1) * vectors.unsqueeze(-2)  # v_i v_i^T, sign-free

    assert gradcheck(eigen_projectors, (a,))
    assert gradcheck(lambda x: LA.eigvalsh(sym(x), UPLO="U"), (a,))
    for shape in [(2, 5, 3), (3, 5), (4, 4)]:
        m = leaf(RNG.standard_normal(shape))

        def svd_invariants(x):
            u, s, vh = LA.svd(x, full_matrices=False)
            return s, u @ vh, (u * s.unsqueeze(-2)) @ vh, u @ u.mT, vh.mT @ vh

        assert gradcheck(svd_invariants, (m,))
        assert gradcheck(lambda x: LA.svd(x).S, (m,))  # full_matrices=True
        assert gradcheck(LA.svdvals, (m,))


def test_gradients_of_norms_pinv_lstsq():
    a = leaf(RNG.standard_normal((2, 4, 3)))
    for ord in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        assert gradcheck(lambda x, o=ord: LA.matrix_norm(x, o, dim=(0, 2)), (a,))
    for ord in (2, 1, 3.0, math.inf):
        assert gradcheck(lambda x, o=ord: LA.vector_norm(x, o, dim=(1, 2)), (a,))
    assert gradcheck(LA.norm, (a,))
    assert gradcheck(LA.pinv, (a,))
    assert gradcheck(LA.pinv, (leaf(RNG.standard_normal((3, 5))),))
    b = leaf(RNG.standard_normal((4, 2)))
    assert gradcheck(lambda x, y: LA.lstsq(x, y).solution, (a, b))
    assert gradcheck(lambda x, y: LA.lstsq(x[0].mT, y[:3, 0], driver="gelsd").solution, (a, b))


def test_gradients_of_matrix_exp_power_multi_dot_cross():
    a = leaf(0.5 * RNG.standard_normal((2, 3, 3)))
    assert gradcheck(LA.matrix_exp, (a,))
    assert gradgradcheck(LA.matrix_exp, (leaf(0.5 * RNG.standard_normal((2, 2))),))
    w = leaf(well_conditioned(3, 3))
    for n in (0, 3, -2):
        assert gradcheck(lambda x, k=n: LA.matrix_power(x, k), (w,))
    vs = (leaf(RNG.standard_normal(3)), leaf(RNG.standard_normal((3, 4))), leaf(RNG.standard_normal((4, 2))))
    assert gradcheck(lambda *m: LA.multi_dot(m), vs)
    assert gradcheck(LA.cross, (leaf(RNG.standard_normal((2, 3))), leaf(RNG.standard_normal(3))))


# ---- errors -----------------------------------------------------------------------------------------


def test_errors_name_the_op_and_say_what_was_expected():
    with pytest.raises(
        RuntimeError, match=r"linalg.inv: A must be batches of square matrices, but they are 3 by 4"
    ):
        LA.inv(tg.zeros(3, 4))
    with pytest.raises(RuntimeError, match=r"linalg.det: The input tensor A must have at least 2 dimensions"):
        LA.det(tg.zeros(3))
    with pytest.raises(
        RuntimeError, match="linalg.inv: Expected a floating point or complex tensor as input. Got Long"
    ):
        LA.inv(tg.tensor([[1, 2], [3, 4]]))
    singular = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    singular[2] = singular[0] + singular[1]
    exact = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(
        LA.LinAlgError, match=r"^linalg.inv: The diagonal element 2 is zero, the inversion could"
    ):
        LA.inv(tg.tensor(exact))
    batch = tg.tensor(np.stack([np.eye(3), exact]))
    with pytest.raises(
        RuntimeError, match=r"linalg.inv: \(Batch element 1\): The diagonal element 2 is zero"
    ):
        LA.inv(batch)
    with pytest.raises(
        LA.LinAlgError, match="torch.linalg.solve: The solver failed because the input matrix is singular"
    ):
        LA.solve(tg.tensor(exact), tg.ones(3, dtype=tg.float64))
    with pytest.raises(
        RuntimeError, match=r"Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x2\)"
    ):
        LA.solve(tg.eye(3), tg.ones(4, 2))
    with pytest.raises(
        RuntimeError,
        match="Expected A and B to have the same dtype, but found A of type Float and B of type Double",
    ):
        LA.solve(tg.eye(3), tg.ones(3, dtype=tg.float64))
    with pytest.raises(
        LA.LinAlgError, match=r"linalg.cholesky: .*the leading minor of order 2 is not positive-definite"
    ):
        LA.cholesky(tg.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(RuntimeError, match="qr received unrecognized mode 'full'"):
        LA.qr(tg.eye(3), mode="full")
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U', but got X"):
        LA.eigh(tg.eye(3), UPLO="X")
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order 3 not supported"):
        LA.matrix_norm(tg.eye(3), 3)
    with pytest.raises(
        RuntimeError,
        match=r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[4, 5\] cannot be multiplied",
    ):
        LA.multi_dot([tg.zeros(2, 3), tg.zeros(4, 5)])
    with pytest.raises(RuntimeError, match=r"multi_dot\(\): expected at least 2 tensors but got 1"):
        LA.multi_dot([tg.zeros(2, 3)])
    with pytest.raises(RuntimeError, match="parameter `driver` should be one of"):
        LA.lstsq(tg.eye(3), tg.eye(3), driver="gesv")
    with pytest.raises(
        RuntimeError, match="linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3"
    ):
        LA.matrix_power(tg.zeros(2, 3), 2)
    with pytest.raises(
        RuntimeError, match="linalg.cross: inputs dimension -1 must have length 3. Got 2 and 3"
    ):
        LA.cross(tg.zeros(2), tg.zeros(3))


def test_non_differentiable_modes_raise_at_backward():
    a = leaf(RNG.standard_normal((4, 3)))
    with pytest.raises(RuntimeError, match="not computed when mode='r'"):
        LA.qr(a, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
        LA.qr(a, mode="complete").Q.sum().backward()
    sign, logabsdet = LA.slogdet(leaf(np.eye(2)))
    assert not sign.requires_grad and logabsdet.requires_grad
