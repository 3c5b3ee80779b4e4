"""nn.EmbeddingBag / F.embedding_bag: every mode against a plain-numpy loop over the bags (offsets,
include_last_offset, 2-D input, padding_idx, per_sample_weights, empty bags), gradients of weight
and per_sample_weights by gradcheck in float64, max's gradient to the first maximal entry,
scale_grad_by_freq, max_norm, the module (init, padding row, from_pretrained, state_dict) and the
errors."""

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck

W = np.random.default_rng(0).standard_normal((7, 3))
IDX = np.array([1, 2, 4, 4, 3, 0, 6, 2])
OFFSETS = np.array([0, 3, 3, 5])  # bags [1 2 4], [], [4 3], [0 6 2]
PSW = np.random.default_rng(1).uniform(0.5, 2.0, IDX.size)


def t(a, grad=False):
    return tg.tensor(np.asarray(a), requires_grad=grad)


def reference(w, idx, offsets, mode, psw=None, padding_idx=None, include_last_offset=False):
    """One bag at a time, as PyTorch documents it."""
    ends = list(offsets[1:]) + ([] if include_last_offset else [len(idx)])
    out = np.zeros((len(ends), w.shape[1]))
    for b, (start, end) in enumerate(zip(offsets, ends)):
        keep = [k for k in range(start, end) if idx[k] != padding_idx]
        rows = [w[idx[k]] * (1.0 if psw is None else psw[k]) for k in keep]
        if rows:
            out[b] = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode](rows, axis=0)
    return out


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 4, -3])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_modes_against_numpy(mode, padding_idx, include_last_offset):
    offsets = np.append(OFFSETS, IDX.size) if include_last_offset else OFFSETS
    out = F.embedding_bag(
        t(IDX), t(W), t(offsets), mode=mode, padding_idx=padding_idx, include_last_offset=include_last_offset
    )
    pad = None if padding_idx is None else padding_idx % W.shape[0]
    np.testing.assert_allclose(out.numpy(), reference(W, IDX, OFFSETS, mode, None, pad), rtol=1e-12)
    fn = lambda w: F.embedding_bag(  # noqa: E731
        t(IDX), w, t(offsets), mode=mode, padding_idx=padding_idx, include_last_offset=include_last_offset
    )
    assert gradcheck(fn, (t(W, True),))


def test_include_last_offset_ignores_entries_after_the_last_offset():
    out = F.embedding_bag(t(IDX), t(W), t([0, 2, 5]), mode="sum", include_last_offset=True)
    np.testing.assert_allclose(out.numpy(), [W[1] + W[2], W[4] + W[4] + W[3]], rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_2d_input_is_fixed_length_bags(mode):
    idx = IDX.reshape(2, 4)
    out = F.embedding_bag(t(idx), t(W), mode=mode, padding_idx=2)
    np.testing.assert_allclose(out.numpy(), reference(W, IDX, np.array([0, 4]), mode, None, 2), rtol=1e-12)


def test_per_sample_weights_sum_and_gradients():
    out = F.embedding_bag(t(IDX), t(W), t(OFFSETS), mode="sum", per_sample_weights=t(PSW), padding_idx=3)
    np.testing.assert_allclose(out.numpy(), reference(W, IDX, OFFSETS, "sum", PSW, 3), rtol=1e-12)
    fn = lambda w, p: F.embedding_bag(  # noqa: E731
        t(IDX), w, t(OFFSETS), mode="sum", per_sample_weights=p, padding_idx=3
    )
    assert gradcheck(fn, (t(W, True), t(PSW, True)))
    fn2 = lambda w, p: F.embedding_bag(t(IDX.reshape(2, 4)), w, mode="sum", per_sample_weights=p)  # noqa: E731
    assert gradcheck(fn2, (t(W, True), t(PSW.reshape(2, 4), True)))


def test_max_gradient_goes_to_the_first_maximal_entry():
    w = t(np.array([[0.0], [5.0], [5.0], [1.0]]), grad=True)
    F.embedding_bag(t([3, 2, 1]), w, t([0]), mode="max").sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0.0], [0.0], [1.0], [0.0]])


def test_empty_bags_and_all_padding_give_zeros():
    out = F.embedding_bag(t([2, 2]), t(W), t([0, 0, 2]), mode="max", padding_idx=2)
    np.testing.assert_array_equal(out.numpy(), np.zeros((3, 3)))
    out = F.embedding_bag(t(np.zeros(0, np.int64)), t(W), t([0, 0]), mode="mean")
    np.testing.assert_array_equal(out.numpy(), np.zeros((2, 3)))


def test_scale_grad_by_freq_divides_by_the_count_in_the_batch():
    w = t(W, grad=True)
    F.embedding_bag(t([1, 1, 3]), w, t([0, 2]), mode="sum", scale_grad_by_freq=True).sum().backward()
    expected = np.zeros_like(W)
    expected[1] = 1.0  # two lookups, each scaled by 1/2
    expected[3] = 1.0
    np.testing.assert_allclose(w.grad.numpy(), expected)


def test_max_norm_renormalises_the_looked_up_rows():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    weight = t(w.copy())
    out = F.embedding_bag(t([0, 1]), weight, t([0]), max_norm=1.0, mode="sum")
    np.testing.assert_allclose(weight.numpy()[0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(weight.numpy()[2], w[2])  # not looked up: untouched
    np.testing.assert_allclose(out.numpy(), [[0.9, 1.2]], rtol=1e-6)


def test_module_init_forward_and_state_dict():
    tg.manual_seed(0)
    bag = nn.EmbeddingBag(1000, 20, mode="sum", padding_idx=1)
    assert bag.weight.shape == (1000, 20) and bag.weight.dtype == tg.float32
    w = bag.weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02  # N(0, 1)
    np.testing.assert_array_equal(w[1], 0.0)
    assert list(bag.state_dict()) == ["weight"]
    out = bag(t([5, 1, 7]), t([0, 1]))
    np.testing.assert_allclose(out.detach().numpy(), [w[5], w[7]], rtol=1e-6)
    assert nn.EmbeddingBag(10, 3).mode == "mean"


def test_from_pretrained():
    bag = nn.EmbeddingBag.from_pretrained(t(W), mode="max")
    assert not bag.weight.requires_grad and bag.mode == "max"
    np.testing.assert_allclose(bag(t(IDX), t(OFFSETS)).numpy(), reference(W, IDX, OFFSETS, "max"))
    assert nn.EmbeddingBag.from_pretrained(t(W), freeze=False).weight.requires_grad
    emb = nn.Embedding.from_pretrained(t(W))
    np.testing.assert_allclose(emb(t([2])).numpy(), W[[2]])


def test_errors():
    with pytest.raises(ValueError, match="embedding_bag: if input is 2D, then offsets has to be None"):
        F.embedding_bag(t(IDX.reshape(2, 4)), t(W), t([0, 1]))
    with pytest.raises(ValueError, match="embedding_bag: offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(t(IDX), t(W))
    with pytest.raises(ValueError, match="input has to be 1D or 2D Tensor, but got Tensor of dimension 3"):
        F.embedding_bag(t(IDX.reshape(2, 2, 2)), t(W))
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(t(IDX), t(W), t(OFFSETS), mode="mean", per_sample_weights=t(PSW))
    with pytest.raises(
        ValueError, match=r"per_sample_weights \(\[3\]\) .* same shape as the input \(\[8\]\)"
    ):
        F.embedding_bag(t(IDX), t(W), t(OFFSETS), mode="sum", per_sample_weights=t(PSW[:3]))
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(t(IDX), t(W), t(OFFSETS), mode="min")
    with pytest.raises(ValueError, match="max mode does not support scaling the gradient"):
        F.embedding_bag(t(IDX), t(W), t(OFFSETS), mode="max", scale_grad_by_freq=True)
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0.*got 1"):
        F.embedding_bag(t(IDX), t(W), t([1, 3]))
    with pytest.raises(RuntimeError, match="offsets\\[-1\\] can not be greater than input's length 8"):
        F.embedding_bag(t(IDX), t(W), t([0, 9]))
    with pytest.raises(IndexError, match="embedding_bag: index 7 is out of range for a weight with 7 rows"):
        F.embedding_bag(t([7]), t(W), t([0]))
    with pytest.raises(
        RuntimeError, match="padding_idx must be within the number of embeddings, -7 through 6"
    ):
        F.embedding_bag(t(IDX), t(W), t(OFFSETS), padding_idx=7)
    with pytest.raises(TypeError, match="embedding_bag: expected an integer Tensor of indices"):
        F.embedding_bag(t(W), t(W), t(OFFSETS))
    with pytest.raises(NotImplementedError, match="sparse"):
        F.embedding_bag(t(IDX), t(W), t(OFFSETS), sparse=True)
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(5, 2, padding_idx=5)
