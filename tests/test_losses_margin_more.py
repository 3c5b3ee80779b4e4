"""MultiLabelMarginLoss and TripletMarginWithDistanceLoss: numpy references of PyTorch's documented
formulas for every reduction, gradcheck in float64 (inputs away from the hinge), module ==
functional, the legacy size_average / reduce arguments, and the errors."""

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck

REDUCTIONS = ("none", "mean", "sum")
X = np.array([[0.1, 0.2, 0.4, 0.8, -0.35], [1.3, -0.6, 0.05, 0.9, 0.55], [0.3, 0.7, -1.2, 0.45, 2.1]])
Y = np.array([[3, 0, -1, 1, 2], [4, 4, 1, -1, -1], [-1, 2, 0, 1, 3]])  # row 2: no targets at all


def t(a, grad=False):
    return tg.tensor(np.asarray(a), requires_grad=grad)


def reduced(losses, reduction):
    return {"none": losses, "mean": np.mean(losses), "sum": np.sum(losses)}[reduction]


def multilabel_reference(x, y):
    losses = []
    for xs, ys in zip(np.atleast_2d(x), np.atleast_2d(y)):
        targets = []
        for v in ys:
            if v == -1:
                break
            targets.append(v)
        total = sum(
            max(0.0, 1.0 - (xs[j] - xs[i])) for j in targets for i in range(len(xs)) if i not in targets
        )
        losses.append(total / len(xs))
    return np.array(losses)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    expected = reduced(multilabel_reference(X, Y), reduction)
    out = F.multilabel_margin_loss(t(X), t(Y), reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.MultiLabelMarginLoss(reduction=reduction)(t(X), t(Y)).numpy(), expected)
    assert gradcheck(lambda x: F.multilabel_margin_loss(x, t(Y), reduction=reduction), (t(X, True),))


def test_multilabel_margin_loss_pytorch_example_and_unbatched():
    x = t([[0.1, 0.2, 0.4, 0.8]])
    y = t([[3, 0, -1, 1]])
    np.testing.assert_allclose(F.multilabel_margin_loss(x, y).numpy(), 0.85, rtol=1e-6)  # from the docs
    out = F.multilabel_margin_loss(t(X[1]), t(Y[1]), reduction="none")
    assert out.shape == ()
    np.testing.assert_allclose(out.numpy(), multilabel_reference(X[1], Y[1])[0], rtol=1e-12)


def test_multilabel_margin_loss_legacy_arguments():
    losses = multilabel_reference(X, Y)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        summed = F.multilabel_margin_loss(t(X), t(Y), size_average=False)
        unreduced = F.multilabel_margin_loss(t(X), t(Y), reduce=False)
        module = nn.MultiLabelMarginLoss(reduce=False)
    np.testing.assert_allclose(summed.numpy(), losses.sum())
    np.testing.assert_allclose(unreduced.numpy(), losses)
    np.testing.assert_allclose(module(t(X), t(Y)).numpy(), losses)


def test_multilabel_margin_loss_errors():
    with pytest.raises(RuntimeError, match=r"inconsistent target size: \[2, 5\] for input of size: \[3, 5\]"):
        F.multilabel_margin_loss(t(X), t(Y[:2]))
    with pytest.raises(RuntimeError, match=r"multilabel_margin_loss: target values must be in \[-1, 5\)"):
        F.multilabel_margin_loss(t(X), t(Y + 1))
    with pytest.raises(RuntimeError, match="expected an int64 target"):
        F.multilabel_margin_loss(t(X), t(X))
    with pytest.raises(RuntimeError, match="Expected non-empty vector or matrix"):
        F.multilabel_margin_loss(t(np.zeros((2, 0))), t(np.zeros((2, 0), np.int64)))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.multilabel_margin_loss(t(X), t(Y), reduction="avg")


# ---- triplet_margin_with_distance_loss -------------------------------------------------------------

RNG = np.random.default_rng(3)
A, P, NEG = RNG.standard_normal((3, 4, 5))


def l2(a, b):
    return np.sqrt(np.sum((a - b + 1e-6) ** 2, axis=-1))


def cosine_distance(a, b):
    return 1.0 - F.cosine_similarity(a, b, dim=-1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_default_distance(reduction, swap):
    to_negative = np.minimum(l2(A, NEG), l2(P, NEG)) if swap else l2(A, NEG)
    z = 1.5 + l2(A, P) - to_negative
    assert np.min(np.abs(z)) > 0.05
    expected = reduced(np.maximum(z, 0.0), reduction)
    out = F.triplet_margin_with_distance_loss(t(A), t(P), t(NEG), margin=1.5, swap=swap, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    module = nn.TripletMarginWithDistanceLoss(margin=1.5, swap=swap, reduction=reduction)
    np.testing.assert_allclose(module(t(A), t(P), t(NEG)).numpy(), expected, rtol=1e-12)

    def fn(a, p, n):
        return F.triplet_margin_with_distance_loss(a, p, n, margin=1.5, swap=swap, reduction=reduction)

    assert gradcheck(fn, (t(A, True), t(P, True), t(NEG, True)))


def test_triplet_custom_distance():
    def cos(a, b):
        return 1.0 - np.sum(a * b, -1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)

    z = 0.5 + cos(A, P) - cos(A, NEG)
    out = F.triplet_margin_with_distance_loss(
        t(A), t(P), t(NEG), distance_function=cosine_distance, margin=0.5
    )
    np.testing.assert_allclose(out.numpy(), np.mean(np.maximum(z, 0.0)), rtol=1e-10)
    module = nn.TripletMarginWithDistanceLoss(distance_function=cosine_distance, margin=0.5)
    np.testing.assert_allclose(module(t(A), t(P), t(NEG)).numpy(), out.numpy())
    assert list(module.state_dict()) == []
    fn = lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, distance_function=cosine_distance)  # noqa: E731
    assert gradcheck(fn, (t(A, True), t(P, True), t(NEG, True)))


def test_triplet_errors():
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0.0 instead"):
        F.triplet_margin_with_distance_loss(t(A), t(P), t(NEG), margin=0.0)
    with pytest.raises(
        ValueError, match="TripletMarginWithDistanceLoss: expected margin to be greater than 0"
    ):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 1D, and negative 2D inputs"):
        F.triplet_margin_with_distance_loss(t(A), t(P[0]), t(NEG))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.triplet_margin_with_distance_loss(t(A), t(P), t(NEG), reduction="avg")
    with pytest.raises(TypeError):
        F.triplet_margin_with_distance_loss(t(A), t(P), t(NEG), None)  # the rest is keyword-only
