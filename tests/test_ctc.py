"""nn.CTCLoss / F.ctc_loss: the alpha recursion against a brute-force sum over every alignment
(tiny T and C), padded and concatenated targets, shorter inputs and targets, empty targets,
reductions, unbatched input, impossible targets and zero_infinity, the gradient by gradcheck in
float64 (raw log_probs and log_softmax outputs) and the errors."""

import itertools

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck

T, N, C = 5, 3, 4
LOGITS = np.random.default_rng(0).standard_normal((T, N, C))
TARGETS = np.array([[1, 2, 2], [3, 1, 0], [2, 0, 0]])  # padded; lengths below
TARGET_LENGTHS = np.array([3, 2, 0])
INPUT_LENGTHS = np.array([5, 4, 3])


def t(a, grad=False):
    return tg.tensor(np.asarray(a), requires_grad=grad)


def log_softmax(x):
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def brute_force_nll(lp, target, blank):
    """-log of the summed probability of every path of len(lp) frames that collapses to target."""
    total = 0.0
    for path in itertools.product(range(lp.shape[1]), repeat=lp.shape[0]):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != blank] == list(target):
            total += np.exp(sum(lp[i, c] for i, c in enumerate(path)))
    return -np.log(total) if total > 0 else np.inf


def reference(lp, targets, input_lengths, target_lengths, blank=0):
    return np.array(
        [
            brute_force_nll(lp[: input_lengths[n], n], targets[n, : target_lengths[n]], blank)
            for n in range(lp.shape[1])
        ]
    )


@pytest.mark.parametrize("normalised", [True, False])
def test_losses_match_the_sum_over_all_alignments(normalised):
    lp = log_softmax(LOGITS) if normalised else LOGITS
    out = F.ctc_loss(t(lp), t(TARGETS), t(INPUT_LENGTHS), t(TARGET_LENGTHS), reduction="none")
    np.testing.assert_allclose(out.numpy(), reference(lp, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS), rtol=1e-10)


def test_other_blank_and_concatenated_targets():
    lp = log_softmax(LOGITS)
    targets = np.array([[0, 1, 0], [0, 2, 3], [1, 1, 1]])
    lengths = np.array([3, 1, 2])
    expected = reference(lp, targets, INPUT_LENGTHS, lengths, blank=3)
    padded = F.ctc_loss(t(lp), t(targets), tuple(INPUT_LENGTHS), tuple(lengths), blank=3, reduction="none")
    np.testing.assert_allclose(padded.numpy(), expected, rtol=1e-10)
    concatenated = t(np.array([0, 1, 0, 0, 1, 1]))
    out = F.ctc_loss(t(lp), concatenated, list(INPUT_LENGTHS), list(lengths), blank=3, reduction="none")
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)


def test_reductions_and_module():
    lp = log_softmax(LOGITS)
    losses = reference(lp, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    args = (t(lp), t(TARGETS), t(INPUT_LENGTHS), t(TARGET_LENGTHS))
    mean = np.mean(losses / np.maximum(TARGET_LENGTHS, 1))
    np.testing.assert_allclose(F.ctc_loss(*args).numpy(), mean, rtol=1e-10)
    np.testing.assert_allclose(F.ctc_loss(*args, reduction="sum").numpy(), losses.sum(), rtol=1e-10)
    np.testing.assert_allclose(nn.CTCLoss()(*args).numpy(), mean, rtol=1e-10)
    assert nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True).blank == 2


def test_unbatched_and_float32():
    lp = log_softmax(LOGITS[:, 0])
    out = F.ctc_loss(t(lp), t([1, 2]), 4, 2, reduction="none")
    assert out.shape == ()
    np.testing.assert_allclose(out.numpy(), brute_force_nll(lp[:4], [1, 2], 0), rtol=1e-10)
    out32 = F.ctc_loss(t(lp.astype(np.float32)), t([1, 2]), t(4), t(2), reduction="sum")
    assert out32.dtype == tg.float32
    np.testing.assert_allclose(out32.numpy(), brute_force_nll(lp[:4], [1, 2], 0), rtol=1e-5)


def test_impossible_target_is_infinite_or_zero():
    lp = t(log_softmax(LOGITS[:3, :1]), grad=True)
    args = (t([[1, 1, 2]]), t([3]), t([3]))  # 1 1 2 needs 4 frames
    assert np.isinf(F.ctc_loss(lp, *args, reduction="none").detach().numpy()).all()
    loss = F.ctc_loss(lp, *args, reduction="sum", zero_infinity=True)
    assert loss.item() == 0.0
    loss.backward()
    np.testing.assert_array_equal(lp.grad.numpy(), 0.0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_raw_log_probs(reduction):
    fn = lambda x: F.ctc_loss(x, t(TARGETS), t(INPUT_LENGTHS), t(TARGET_LENGTHS), reduction=reduction)  # noqa: E731
    assert gradcheck(fn, (t(LOGITS, True),))


def test_gradcheck_through_log_softmax_and_frames_past_the_input_length_get_none():
    fn = lambda x: F.ctc_loss(F.log_softmax(x, 2), t(TARGETS), t(INPUT_LENGTHS), t(TARGET_LENGTHS))  # noqa: E731
    assert gradcheck(fn, (t(LOGITS, True),))
    x = t(LOGITS, grad=True)
    F.ctc_loss(x, t(TARGETS), t(INPUT_LENGTHS), t(TARGET_LENGTHS), reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.numpy()[4, 1], 0.0)
    np.testing.assert_array_equal(x.grad.numpy()[3:, 2], 0.0)


def test_errors():
    lp = t(log_softmax(LOGITS))
    args = (t(TARGETS), t(INPUT_LENGTHS), t(TARGET_LENGTHS))
    with pytest.raises(RuntimeError, match=r"ctc_loss: blank must be in label range \[0, 4\), got 4"):
        F.ctc_loss(lp, *args, blank=4)
    with pytest.raises(RuntimeError, match="input_lengths to have value at most 5 \\(T\\), but got value 6"):
        F.ctc_loss(lp, t(TARGETS), t([6, 1, 1]), t(TARGET_LENGTHS))
    with pytest.raises(RuntimeError, match="targets to have size at least 4 at dimension 1"):
        F.ctc_loss(lp, t(TARGETS), t(INPUT_LENGTHS), t([4, 1, 1]))
    with pytest.raises(
        RuntimeError, match=r"input_lengths must have one entry per batch element \(3\), got 2"
    ):
        F.ctc_loss(lp, t(TARGETS), t([5, 5]), t(TARGET_LENGTHS))
    with pytest.raises(RuntimeError, match=r"target values must be class indices in \[0, 4\)"):
        F.ctc_loss(lp, t([[1, 9, 0], [1, 1, 1], [1, 1, 1]]), t(INPUT_LENGTHS), t(TARGET_LENGTHS))
    with pytest.raises(RuntimeError, match="shorter than the sum of target_lengths \\(5\\)"):
        F.ctc_loss(lp, t([1, 2, 3]), t(INPUT_LENGTHS), t(TARGET_LENGTHS))
    with pytest.raises(
        RuntimeError, match=r"expected log_probs of shape \(T, N, C\) or \(T, C\), got shape \[5\]"
    ):
        F.ctc_loss(t(LOGITS[:, 0, 0]), *args)
    with pytest.raises(RuntimeError, match="log_probs must be a floating point tensor"):
        F.ctc_loss(t(TARGETS), *args)
    with pytest.raises(ValueError, match="ctc_loss: 'avg' is not a valid value for reduction"):
        F.ctc_loss(lp, *args, reduction="avg")
