"""Margin, embedding and likelihood losses (MarginRankingLoss ... GaussianNLLLoss): each against a
numpy reference of PyTorch's documented formula for every reduction and flag, gradcheck in float64
(inputs kept away from the kinks of max(0, .)), module == functional, the legacy size_average /
reduce arguments, and the error messages."""

import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck, gradgradcheck

REDUCTIONS = ("none", "mean", "sum")


def t(a, grad=False):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def reduced(losses, reduction):
    return {"none": losses, "mean": np.mean(losses), "sum": np.sum(losses)}[reduction]


def check(out, expected):
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


def assert_away_from_kink(z):
    assert np.min(np.abs(z)) > 0.05, "test inputs too close to the hinge"


# ---- margin_ranking_loss, hinge_embedding_loss, soft_margin_loss ---------------------------------

X1 = np.array([0.5, -1.2, 2.0, 0.1, -0.4])
X2 = np.array([1.0, 0.3, -0.5, 0.9, -1.5])
Y_RANK = np.array([1.0, -1.0, 1.0, -1.0, -1.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_margin_ranking_loss(reduction, margin):
    z = -Y_RANK * (X1 - X2) + margin
    assert_away_from_kink(z)
    out = F.margin_ranking_loss(t(X1), t(X2), t(Y_RANK), margin=margin, reduction=reduction)
    check(out, reduced(np.maximum(0.0, z), reduction))
    module = nn.MarginRankingLoss(margin=margin, reduction=reduction)
    check(module(t(X1), t(X2), t(Y_RANK)), out.numpy())
    fn = lambda a, b: F.margin_ranking_loss(a, b, t(Y_RANK), margin, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(X1, True), t(X2, True)))


X_HINGE = np.array([0.3, 1.7, -0.5, 2.4, 0.6, -1.1])
Y_HINGE = np.array([1.0, -1.0, -1.0, -1.0, 1.0, -1.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 2.0])
def test_hinge_embedding_loss(reduction, margin):
    assert_away_from_kink(margin - X_HINGE[Y_HINGE == -1])
    expected = np.where(Y_HINGE == 1, X_HINGE, np.maximum(0.0, margin - X_HINGE))
    out = F.hinge_embedding_loss(t(X_HINGE), t(Y_HINGE), margin=margin, reduction=reduction)
    check(out, reduced(expected, reduction))
    check(nn.HingeEmbeddingLoss(margin, reduction=reduction)(t(X_HINGE), t(Y_HINGE)), out.numpy())
    fn = lambda x: F.hinge_embedding_loss(x, t(Y_HINGE), margin, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(X_HINGE, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    x, y = randn(2, 3), np.sign(randn(2, 3, seed=1))
    out = F.soft_margin_loss(t(x), t(y), reduction=reduction)
    check(out, reduced(np.log1p(np.exp(-y * x)), reduction))
    check(nn.SoftMarginLoss(reduction=reduction)(t(x), t(y)), out.numpy())
    fn = lambda a, b: F.soft_margin_loss(a, b, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(x, True), t(y, True)))


def test_soft_margin_loss_does_not_overflow():
    out = F.soft_margin_loss(t([-800.0, 800.0]), t([1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(out.numpy(), [800.0, 0.0])


# ---- cosine_embedding_loss, triplet_margin_loss --------------------------------------------------


def cosine_np(a, b):
    return np.sum(a * b, -1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


A_COS, B_COS = randn(4, 3, seed=2), randn(4, 3, seed=3)
Y_COS = np.array([1.0, -1.0, -1.0, 1.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.2])
def test_cosine_embedding_loss(reduction, margin):
    cos = cosine_np(A_COS, B_COS)
    assert_away_from_kink((cos - margin)[Y_COS == -1])
    expected = np.where(Y_COS == 1, 1.0 - cos, np.maximum(0.0, cos - margin))
    out = F.cosine_embedding_loss(t(A_COS), t(B_COS), t(Y_COS), margin=margin, reduction=reduction)
    check(out, reduced(expected, reduction))
    check(nn.CosineEmbeddingLoss(margin, reduction=reduction)(t(A_COS), t(B_COS), t(Y_COS)), out.numpy())
    fn = lambda a, b: F.cosine_embedding_loss(a, b, t(Y_COS), margin, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(A_COS, True), t(B_COS, True)))


def test_cosine_embedding_loss_unbatched_and_int_target():
    out = F.cosine_embedding_loss(t(A_COS[0]), t(B_COS[0]), tg.tensor(-1), reduction="none")
    check(out, np.maximum(0.0, cosine_np(A_COS[0], B_COS[0])))
    out = F.cosine_embedding_loss(t(A_COS), t(B_COS), tg.tensor([1, -1, -1, 1]), reduction="none")
    check(out, np.where(Y_COS == 1, 1.0 - cosine_np(A_COS, B_COS), np.maximum(0.0, cosine_np(A_COS, B_COS))))


ANCHOR, POS, NEG = randn(3, 4, seed=4), randn(3, 4, seed=5), randn(3, 4, seed=6)


def distance_np(a, b, p, eps):
    return np.sum(np.abs(a - b + eps) ** p, -1) ** (1.0 / p)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("margin", "p", "eps", "swap"), [(1.0, 2, 1e-6, False), (0.5, 1, 0.1, True), (2.0, 3, 1e-6, True)]
)
def test_triplet_margin_loss(reduction, margin, p, eps, swap):
    d_neg = distance_np(ANCHOR, NEG, p, eps)
    if swap:
        d_neg = np.minimum(d_neg, distance_np(POS, NEG, p, eps))
    z = distance_np(ANCHOR, POS, p, eps) - d_neg + margin
    assert_away_from_kink(z)
    kwargs = dict(margin=margin, p=p, eps=eps, swap=swap, reduction=reduction)
    out = F.triplet_margin_loss(t(ANCHOR), t(POS), t(NEG), **kwargs)
    check(out, reduced(np.maximum(0.0, z), reduction))
    check(nn.TripletMarginLoss(**kwargs)(t(ANCHOR), t(POS), t(NEG)), out.numpy())
    fn = lambda a, b, c: F.triplet_margin_loss(a, b, c, **kwargs)  # noqa: E731
    assert gradcheck(fn, (t(ANCHOR, True), t(POS, True), t(NEG, True)))


def test_triplet_margin_loss_unbatched_and_swap_picks_the_closer_negative():
    out = F.triplet_margin_loss(t(ANCHOR[0]), t(POS[0]), t(NEG[0]), margin=5.0, reduction="none")
    check(out, 5.0 + distance_np(ANCHOR[0], POS[0], 2, 1e-6) - distance_np(ANCHOR[0], NEG[0], 2, 1e-6))
    neg_near_positive = POS + 0.01
    plain = F.triplet_margin_loss(t(ANCHOR), t(POS), t(neg_near_positive), reduction="none")
    swapped = F.triplet_margin_loss(t(ANCHOR), t(POS), t(neg_near_positive), swap=True, reduction="none")
    assert (swapped.numpy() >= plain.numpy()).all() and (swapped.numpy() > plain.numpy()).any()


# ---- multi_margin_loss, multilabel_soft_margin_loss ---------------------------------------------

X_MM = randn(3, 4, seed=11)  # hinge arguments of both signs, none near 0
Y_MM = np.array([2, 0, 3])
W_MM = np.array([0.5, 2.0, 1.0, 1.5])


def multi_margin_np(x, y, p, margin, w):
    losses = np.zeros(len(y))
    for n, target in enumerate(y):
        for i in range(x.shape[1]):
            if i != target:
                term = max(0.0, margin - x[n, target] + x[n, i]) ** p
                losses[n] += (1.0 if w is None else w[target]) * term
    return losses / x.shape[1]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("p", "margin", "weighted"), [(1, 1.0, False), (2, 0.5, True), (1, 0.7, True)])
def test_multi_margin_loss(reduction, p, margin, weighted):
    z = margin - X_MM[np.arange(3), Y_MM][:, None] + X_MM
    assert_away_from_kink(z[np.arange(4) != Y_MM[:, None]])
    w = W_MM if weighted else None
    weight = t(W_MM) if weighted else None
    target = tg.tensor(Y_MM)
    out = F.multi_margin_loss(t(X_MM), target, p=p, margin=margin, weight=weight, reduction=reduction)
    check(out, reduced(multi_margin_np(X_MM, Y_MM, p, margin, w), reduction))
    module = nn.MultiMarginLoss(p=p, margin=margin, weight=weight, reduction=reduction)
    check(module(t(X_MM), target), out.numpy())
    if weighted:
        assert "weight" in dict(module.named_buffers())
    fn = lambda x: F.multi_margin_loss(x, target, p, margin, weight, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(X_MM, True),))


def test_multi_margin_loss_unbatched_shapes():
    x = t(X_MM[0])
    expected = multi_margin_np(X_MM[:1], Y_MM[:1], 1, 1.0, None)
    check(F.multi_margin_loss(x, tg.tensor(2), reduction="none"), expected[0])
    check(F.multi_margin_loss(x, tg.tensor([2]), reduction="none"), expected)
    check(F.multi_margin_loss(t(1.5), tg.tensor(0), reduction="none"), 0.0)


X_ML, Y_ML = randn(3, 4, seed=8), (randn(3, 4, seed=9) > 0).astype(np.float64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (4,), (3, 4)])
def test_multilabel_soft_margin_loss(reduction, weight_shape):
    w = None if weight_shape is None else np.abs(randn(*weight_shape, seed=10)) + 0.5
    sig = 1.0 / (1.0 + np.exp(-X_ML))
    terms = -(Y_ML * np.log(sig) + (1.0 - Y_ML) * np.log(1.0 - sig)) * (1.0 if w is None else w)
    weight = None if w is None else t(w)
    out = F.multilabel_soft_margin_loss(t(X_ML), t(Y_ML), weight=weight, reduction=reduction)
    check(out, reduced(terms.mean(-1), reduction))
    check(nn.MultiLabelSoftMarginLoss(weight, reduction=reduction)(t(X_ML), t(Y_ML)), out.numpy())
    fn = lambda x, y: F.multilabel_soft_margin_loss(x, y, weight, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(X_ML, True), t(Y_ML, True)))


# ---- poisson_nll_loss, gaussian_nll_loss ------------------------------------------------------

Y_POIS = np.array([[0.0, 0.5, 1.0], [3.0, 7.0, 2.0]])


def stirling_np(y):
    safe = np.where(y > 1, y, 2.0)
    return np.where(y > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * math.pi * safe), 0.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("log_input", "full", "eps"), [(True, False, 1e-8), (True, True, 1e-8), (False, True, 0.1)]
)
def test_poisson_nll_loss(reduction, log_input, full, eps):
    x = randn(2, 3, seed=11) if log_input else np.abs(randn(2, 3, seed=11)) + 0.2
    expected = np.exp(x) - Y_POIS * x if log_input else x - Y_POIS * np.log(x + eps)
    if full:
        expected = expected + stirling_np(Y_POIS)
    kwargs = dict(log_input=log_input, full=full, eps=eps, reduction=reduction)
    out = F.poisson_nll_loss(t(x), t(Y_POIS), **kwargs)
    check(out, reduced(expected, reduction))
    check(nn.PoissonNLLLoss(**kwargs)(t(x), t(Y_POIS)), out.numpy())
    fn = lambda a, b: F.poisson_nll_loss(a, b, **kwargs)  # noqa: E731
    assert gradcheck(fn, (t(x, True), t(Y_POIS + 0.25, True)))


def test_poisson_nll_loss_integer_counts_and_finite_target_gradient_at_zero():
    x = t(randn(2, 3, seed=12))
    counts = np.array([[0, 1, 1], [3, 7, 2]])
    as_floats = F.poisson_nll_loss(x, t(counts), full=True).numpy()
    check(F.poisson_nll_loss(x, tg.tensor(counts), full=True), as_floats)
    y = t(Y_POIS, True)
    F.poisson_nll_loss(x, y, full=True).backward()
    assert np.isfinite(y.grad.numpy()).all()


X_G, Y_G = randn(3, 2, seed=13), randn(3, 2, seed=14)
VAR_G = np.abs(randn(3, 2, seed=15)) + 0.3


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(3, 2), (3,), (3, 1)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss(reduction, var_shape, full):
    var = VAR_G[:, 0].reshape(var_shape) if var_shape != (3, 2) else VAR_G
    v = var.reshape(3, -1)
    expected = 0.5 * (np.log(v) + (X_G - Y_G) ** 2 / v) + (0.5 * math.log(2 * math.pi) if full else 0.0)
    out = F.gaussian_nll_loss(t(X_G), t(Y_G), t(var), full=full, reduction=reduction)
    check(out, reduced(expected, reduction))
    check(nn.GaussianNLLLoss(full=full, reduction=reduction)(t(X_G), t(Y_G), t(var)), out.numpy())
    fn = lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=full, reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(X_G, True), t(Y_G, True), t(var, True)))


def test_gaussian_nll_loss_clamps_var_without_blocking_its_gradient():
    d = X_G[0, 0] - Y_G[0, 0]
    var = t([[0.1, 0.6]], True)  # 0.1 is clamped to eps = 0.5, 0.6 is not
    loss = F.gaussian_nll_loss(t(X_G[:1]), t(Y_G[:1]), var, eps=0.5, reduction="sum")
    kept = 0.5 * (np.log(0.6) + (X_G[0, 1] - Y_G[0, 1]) ** 2 / 0.6)
    np.testing.assert_allclose(loss.item(), 0.5 * (np.log(0.5) + d**2 / 0.5) + kept)
    loss.backward()
    # d/dv of 0.5 (log v + d^2 / v) at the clamped value, passed straight through the clamp
    np.testing.assert_allclose(var.grad.numpy()[0, 0], 0.5 * (1 / 0.5 - d**2 / 0.25))


def test_gaussian_nll_loss_scalar_var_and_keyword_only_module():
    out = F.gaussian_nll_loss(t(X_G), t(Y_G), 0.7, reduction="none")
    check(out, 0.5 * (np.log(0.7) + (X_G - Y_G) ** 2 / 0.7))
    with pytest.raises(TypeError):
        nn.GaussianNLLLoss(True)


# ---- shared behaviour: double backward, dtype, legacy reduction arguments -------------------------


def test_double_backward_through_composed_losses():
    fns = [
        (lambda a, b: F.soft_margin_loss(a, b), (t(randn(3), True), t(np.sign(randn(3, seed=1)), True))),
        (lambda a: F.multi_margin_loss(a, tg.tensor(Y_MM), p=2), (t(X_MM, True),)),
        (
            lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=2.0),
            (t(ANCHOR[:2], True), t(POS[:2]), t(NEG[:2])),
        ),
        (lambda a, v: F.gaussian_nll_loss(a, t(Y_G), v), (t(X_G, True), t(VAR_G, True))),
        (lambda a: F.poisson_nll_loss(a, t(Y_POIS), full=True), (t(randn(2, 3), True),)),
    ]
    for fn, inputs in fns:
        assert gradgradcheck(fn, inputs)


def test_float32_stays_float32():
    x = tg.tensor(X_MM, dtype=tg.float32)
    assert F.multi_margin_loss(x, tg.tensor(Y_MM)).dtype == tg.float32
    assert F.multilabel_soft_margin_loss(x, tg.tensor(Y_ML, dtype=tg.float32)).dtype == tg.float32
    assert F.gaussian_nll_loss(x, x, 1.0).dtype == tg.float32
    assert F.cosine_embedding_loss(x, x, tg.ones(3)).dtype == tg.float32


LEGACY_MODULES = [
    (nn.MarginRankingLoss, lambda m: m(t(X1), t(X2), t(Y_RANK))),
    (nn.HingeEmbeddingLoss, lambda m: m(t(X_HINGE), t(Y_HINGE))),
    (nn.SoftMarginLoss, lambda m: m(t(X1), t(Y_RANK))),
    (nn.CosineEmbeddingLoss, lambda m: m(t(A_COS), t(B_COS), t(Y_COS))),
    (nn.TripletMarginLoss, lambda m: m(t(ANCHOR), t(POS), t(NEG))),
    (nn.MultiMarginLoss, lambda m: m(t(X_MM), tg.tensor(Y_MM))),
    (nn.MultiLabelSoftMarginLoss, lambda m: m(t(X_ML), t(Y_ML))),
    (nn.PoissonNLLLoss, lambda m: m(t(X_ML), t(Y_ML))),
]


@pytest.mark.parametrize(("cls", "call"), LEGACY_MODULES)
def test_legacy_size_average_and_reduce(cls, call):
    none = call(cls(reduction="none")).numpy()
    for legacy, expected in [
        (dict(size_average=False), none.sum()),
        (dict(reduce=False), none),
        (dict(size_average=True, reduce=True), none.mean()),
    ]:
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            module = cls(**legacy)
        check(call(module), expected)


def test_functional_legacy_arguments():
    with pytest.warns(UserWarning, match="size_average"):
        out = F.soft_margin_loss(t(X1), t(Y_RANK), size_average=False)
    check(out, np.log1p(np.exp(-Y_RANK * X1)).sum())
    with pytest.warns(UserWarning, match="size_average"):
        out = F.poisson_nll_loss(t(X1), t(np.abs(X2)), reduce=False)
    check(out, np.exp(X1) - np.abs(X2) * X1)


# ---- errors -------------------------------------------------------------------------------------

V3 = t([1.0, 2.0, 3.0])
M34 = t(np.ones((3, 4)))
ERRORS = [
    (lambda: F.margin_ranking_loss(V3, V3, t([[1.0], [1.0], [1.0]])), RuntimeError,
     r"margin_ranking_loss: All input tensors should have same dimension but got sizes: "
     r"input1: \[3\], input2: \[3\], target: \[3, 1\]"),
    (lambda: F.margin_ranking_loss(V3, t([1.0, 2.0]), V3), RuntimeError,
     r"margin_ranking_loss: the shapes of input1 \[3\], input2 \[2\], target \[3\] cannot be broadcast"),
    (lambda: F.hinge_embedding_loss(V3, t([1.0, -1.0])), RuntimeError,
     r"hinge_embedding_loss: the shapes of input \[3\], target \[2\]"),
    (lambda: F.soft_margin_loss(V3, [1.0, 1.0, 1.0]), TypeError, "soft_margin_loss: target must be a Tensor"),
    (lambda: F.soft_margin_loss(tg.tensor([1, 2, 3]), V3), RuntimeError,
     "soft_margin_loss: input must be a floating point tensor, got dtype int64"),
    (lambda: F.cosine_embedding_loss(M34, M34, t(np.ones((3, 1)))), RuntimeError,
     r"cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported \(got \[3, 1\]\)"),
    (lambda: F.cosine_embedding_loss(V3, V3, V3), RuntimeError,
     r"cosine_embedding_loss: 1D target tensor expects 2D input tensors, "
     r"but found inputs with sizes \[3\] and \[3\]"),
    (lambda: F.cosine_embedding_loss(M34, M34, t([1.0, -1.0])), RuntimeError,
     r"cosine_embedding_loss: target of shape \[2\] does not match the batch of inputs of sizes \[3, 4\]"),
    (lambda: F.triplet_margin_loss(M34, V3, M34), RuntimeError,
     "triplet_margin_loss: The anchor, positive, and negative tensors are expected to have the same "
     "number of dimensions, but got: anchor 2D, positive 1D, and negative 2D inputs"),
    (lambda: F.triplet_margin_loss(M34, t(np.ones((3, 2))), M34), RuntimeError,
     r"triplet_margin_loss: the shapes of anchor \[3, 4\], positive \[3, 2\], negative \[3, 4\]"),
    (lambda: F.multi_margin_loss(M34, tg.tensor([0, 1, 2]), p=3), ValueError,
     "multi_margin_loss: only p == 1 and p == 2 supported, got p=3"),
    (lambda: nn.MultiMarginLoss(p=0), ValueError, "MultiMarginLoss: only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(M34, tg.tensor([0, 1])), RuntimeError,
     r"multi_margin_loss: inconsistent target size, expected 3 but got \[2\]"),
    (lambda: F.multi_margin_loss(M34, V3), RuntimeError,
     "multi_margin_loss: expected an int64 target of class indices, got float64"),
    (lambda: F.multi_margin_loss(M34, tg.tensor([0, 4, 1])), IndexError,
     r"multi_margin_loss: target out of range: expected class indices in \[0, 4\), got \[0, 4, 1\]"),
    (lambda: F.multi_margin_loss(M34, tg.tensor([0, 1, 2]), weight=V3), RuntimeError,
     r"multi_margin_loss: inconsistent weight size, expected 4 but got \[3\]"),
    (lambda: F.multi_margin_loss(M34, tg.tensor([0, 1, 2]), weight=M34), ValueError,
     r"multi_margin_loss: weight must be one-dimensional, got shape \[3, 4\]"),
    (lambda: F.multi_margin_loss(t(np.ones((2, 3, 4))), tg.tensor([0, 1])), RuntimeError,
     r"multi_margin_loss: Expected non-empty vector or matrix with optional 0-dim batch size, "
     r"but got: \[2, 3, 4\]"),
    (lambda: F.multilabel_soft_margin_loss(M34, t(np.ones((3, 3)))), RuntimeError,
     r"multilabel_soft_margin_loss: the shapes of input \[3, 4\], target \[3, 3\]"),
    (lambda: F.multilabel_soft_margin_loss(M34, M34, weight=V3), RuntimeError,
     r"multilabel_soft_margin_loss: the shapes of input \[3, 4\], target \[3, 4\], weight \[3\]"),
    (lambda: F.multilabel_soft_margin_loss(t(1.0), t(1.0)), RuntimeError,
     r"multilabel_soft_margin_loss: expected input of shape \(C\) or \(N, C\), got a 0-d tensor"),
    (lambda: F.poisson_nll_loss(M34, V3), RuntimeError,
     r"poisson_nll_loss: the shapes of input \[3, 4\], target \[3\]"),
    (lambda: F.gaussian_nll_loss(M34, M34, t(np.ones((3, 2)))), ValueError,
     r"gaussian_nll_loss: var is of incorrect size: expected \[3, 4\], \[3\] or \[3, 1\] for input of "
     r"shape \[3, 4\], got \[3, 2\]"),
    (lambda: F.gaussian_nll_loss(M34, M34, t(-np.ones(3))), ValueError,
     "gaussian_nll_loss: var has negative entry"),
    (lambda: F.gaussian_nll_loss(M34, M34, -1.0), ValueError, "gaussian_nll_loss: var has negative entry"),
    (lambda: F.gaussian_nll_loss(M34, t(np.ones((3, 2))), t(np.ones(3))), RuntimeError,
     r"gaussian_nll_loss: the shapes of input \[3, 4\], target \[3, 2\], var \[3, 1\]"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), ERRORS)
def test_errors_name_the_loss_and_the_shapes(call, error, match):
    with pytest.raises(error, match=match):
        call()


BAD_REDUCTION = [
    ("margin_ranking_loss", lambda r: F.margin_ranking_loss(V3, V3, V3, reduction=r)),
    ("hinge_embedding_loss", lambda r: F.hinge_embedding_loss(V3, V3, reduction=r)),
    ("soft_margin_loss", lambda r: F.soft_margin_loss(V3, V3, reduction=r)),
    ("cosine_embedding_loss", lambda r: F.cosine_embedding_loss(M34, M34, V3, reduction=r)),
    ("triplet_margin_loss", lambda r: F.triplet_margin_loss(M34, M34, M34, reduction=r)),
    ("multi_margin_loss", lambda r: F.multi_margin_loss(M34, tg.tensor([0, 1, 2]), reduction=r)),
    ("multilabel_soft_margin_loss", lambda r: F.multilabel_soft_margin_loss(M34, M34, reduction=r)),
    ("poisson_nll_loss", lambda r: F.poisson_nll_loss(V3, V3, reduction=r)),
    ("gaussian_nll_loss", lambda r: F.gaussian_nll_loss(V3, V3, V3, reduction=r)),
]


@pytest.mark.parametrize(("name", "call"), BAD_REDUCTION)
def test_bad_reduction(name, call):
    with pytest.raises(ValueError, match=f"{name}: 'batchmean' is not a valid value for reduction"):
        call("batchmean")
