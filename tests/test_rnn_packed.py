"""nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence,
PackedSequence) and RNN/LSTM/GRU on packed input; nn.utils clip_grad_value_ and the
parameter/vector conversions."""

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn
from tensorgrad.autograd import gradcheck
from tensorgrad.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

RNG = np.random.default_rng(0)


def seqs(lengths, features=2, dtype=np.float64):
    return [tg.tensor(RNG.standard_normal((n, features)).astype(dtype)) for n in lengths]


def np_padded(arrays, total, value=0.0, left=False):
    """(B, total, *) numpy padding written out element by element."""
    out = np.full((len(arrays), total) + arrays[0].shape[1:], value)
    for b, a in enumerate(arrays):
        if left:
            out[b, total - len(a) :] = a
        else:
            out[b, : len(a)] = a
    return out


# ---- pad / pack / unpack --------------------------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    s = seqs([2, 4, 1])
    out = pad_sequence(s, batch_first=batch_first, padding_value=-1.0, padding_side=side)
    expected = np_padded([t.numpy() for t in s], 4, -1.0, left=side == "left")
    if not batch_first:
        expected = expected.transpose(1, 0, 2)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_pack_sequence_layout_by_hand():
    a, b, c = tg.tensor([1.0, 2.0, 3.0]), tg.tensor([4.0, 5.0]), tg.tensor([6.0])
    p = pack_sequence([a, b, c])
    assert isinstance(p, PackedSequence) and p.sorted_indices is None and p.unsorted_indices is None
    assert p.data.tolist() == [1.0, 4.0, 6.0, 2.0, 5.0, 3.0] and p.batch_sizes.tolist() == [3, 2, 1]
    q = pack_sequence([b, a, c], enforce_sorted=False)
    assert q.data.tolist() == [1.0, 4.0, 6.0, 2.0, 5.0, 3.0]
    assert q.sorted_indices.tolist() == [1, 0, 2] and q.unsorted_indices.tolist() == [1, 0, 2]
    padded, lengths = pad_packed_sequence(q, batch_first=True, padding_value=9.0)
    assert padded.tolist() == [[4.0, 5.0, 9.0], [1.0, 2.0, 3.0], [6.0, 9.0, 9.0]]
    assert lengths.dtype == np.int64 and lengths.tolist() == [2, 3, 1]
    assert [t.tolist() for t in unpack_sequence(q)] == [[4.0, 5.0], [1.0, 2.0, 3.0], [6.0]]


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_pad_round_trip_unsorted(batch_first):
    lengths = [3, 5, 1, 5, 2]
    s = seqs(lengths, features=3)
    arrays = [t.numpy() for t in s]
    padded = pad_sequence(s, batch_first=batch_first)
    packed = pack_padded_sequence(padded, tg.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
    order = sorted(range(5), key=lambda b: -lengths[b])  # stable: ties keep batch order
    expected_data = [arrays[b][t] for t in range(5) for b in order if lengths[b] > t]
    np.testing.assert_array_equal(packed.data.numpy(), np.array(expected_data))
    assert packed.batch_sizes.tolist() == [5, 4, 3, 2, 2]
    assert packed.sorted_indices.tolist() == order
    out, out_lengths = pad_packed_sequence(packed, batch_first=batch_first, total_length=7)
    expected = np_padded(arrays, 7)
    np.testing.assert_array_equal(out.numpy(), expected if batch_first else expected.transpose(1, 0, 2))
    assert out_lengths.tolist() == lengths
    cut = unpad_sequence(out, out_lengths, batch_first=batch_first)
    for got, want in zip(cut, arrays):
        np.testing.assert_array_equal(got.numpy(), want)


def test_pack_and_pad_pass_gradients():
    x = tg.tensor(RNG.standard_normal((4, 3, 2)), requires_grad=True)  # (T, B, H)
    gradcheck(lambda x: pack_padded_sequence(x, [2, 4, 3], enforce_sorted=False).data, (x,))
    packed = pack_sequence(seqs([3, 2]))
    data = packed.data.detach().requires_grad_()
    gradcheck(
        lambda d: pad_packed_sequence(PackedSequence(d, packed.batch_sizes), total_length=4)[0], (data,)
    )


def test_packing_errors():
    x = tg.zeros(4, 3, 2)
    with pytest.raises(
        RuntimeError, match="must be sorted in decreasing order when `enforce_sorted` is True"
    ):
        pack_padded_sequence(x, [2, 4, 3])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 2"):
        pack_padded_sequence(x, [4, 3])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [4, 3, 0])
    with pytest.raises(RuntimeError, match=r"lengths \[5, 3, 1\] exceed the padded length 4"):
        pack_padded_sequence(x, [5, 3, 1])
    packed = pack_padded_sequence(x, [4, 3, 1])
    with pytest.raises(ValueError, match="total_length=3 and max sequence length being 4"):
        pad_packed_sequence(packed, total_length=3)
    with pytest.raises(ValueError, match="padding_side to be one of left or right, but got middle"):
        pad_sequence([tg.zeros(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match=r"same trailing dims, got shapes \[\[2, 3\], \[2, 4\]\]"):
        pad_sequence([tg.zeros(2, 3), tg.zeros(2, 4)])


# ---- packed recurrent layers ------------------------------------------------------------------------


def separate(module, sequences, h0=None):
    """Each sequence run alone (batch of one, no padding): outputs and final states."""
    outs, finals = [], []
    for b, s in enumerate(sequences):
        hx = None
        if h0 is not None:
            hx = tuple(h[:, b : b + 1] for h in h0) if isinstance(h0, tuple) else h0[:, b : b + 1]
        out, state = module(s.unsqueeze(1), hx)
        outs.append(out[:, 0].numpy())
        finals.append(state)
    return outs, finals


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
@pytest.mark.parametrize("with_h0", [False, True])
def test_packed_layer_equals_each_sequence_alone(cls, with_h0):
    tg.manual_seed(1)
    module = cls(3, 4, num_layers=2, bidirectional=True, dtype=tg.float64)
    lengths = [2, 5, 3, 5, 1]
    s = seqs(lengths, features=3)
    h0 = None
    if with_h0:
        h = tg.tensor(RNG.standard_normal((4, 5, 4)))
        h0 = (h, tg.tensor(RNG.standard_normal((4, 5, 4)))) if cls is nn.LSTM else h
    packed = pack_sequence(s, enforce_sorted=False)
    with tg.no_grad():
        out, state = module(packed, h0)
        want_outs, want_finals = separate(module, s, h0)
    assert isinstance(out, PackedSequence) and out.batch_sizes.tolist() == packed.batch_sizes.tolist()
    assert out.data.shape == (sum(lengths), 8)
    for got, want in zip(unpack_sequence(out), want_outs):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
    states = state if cls is nn.LSTM else (state,)
    for k, got in enumerate(states):
        assert got.shape == (4, 5, 4)
        for b, final in enumerate(want_finals):
            want = final[k] if cls is nn.LSTM else final
            np.testing.assert_allclose(got.numpy()[:, b], want.numpy()[:, 0], rtol=1e-10, atol=1e-12)


def test_packed_lstm_gradients_equal_separate_runs():
    tg.manual_seed(2)
    lstm = nn.LSTM(2, 3, num_layers=2, bidirectional=True, dtype=tg.float64)
    s = seqs([3, 1, 4])
    out, (h, c) = lstm(pack_sequence(s, enforce_sorted=False))
    (out.data.sum() + h.sum() * 2 + c.sum()).backward()
    packed_grads = [p.grad.numpy().copy() for p in lstm.parameters()]
    lstm.zero_grad()
    for x in s:
        o, (h1, c1) = lstm(x.unsqueeze(1))
        (o.sum() + h1.sum() * 2 + c1.sum()).backward()
    for got, p in zip(packed_grads, lstm.parameters()):
        np.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_packed_gru_gradcheck():
    tg.manual_seed(3)
    gru = nn.GRU(2, 2, bidirectional=True, dtype=tg.float64)
    packed = pack_sequence(seqs([3, 1, 2]), enforce_sorted=False)
    data = packed.data.detach().requires_grad_()
    h0 = tg.tensor(RNG.standard_normal((2, 3, 2)), requires_grad=True)
    sorting = (packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)

    def fn(d, h, w_hh):  # w_hh is the module's own parameter: gradcheck perturbs it in place
        out, h_n = gru(PackedSequence(d, *sorting), h)
        return out.data, h_n

    gradcheck(fn, (data, h0, gru.weight_hh_l0))


def test_packed_input_errors():
    lstm = nn.LSTM(3, 4)
    packed = pack_sequence([tg.zeros(2, 5), tg.zeros(1, 5)])
    with pytest.raises(
        RuntimeError, match="LSTM: input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"
    ):
        lstm(packed)
    packed = pack_sequence([tg.zeros(2, 3), tg.zeros(1, 3)])
    with pytest.raises(RuntimeError, match=r"LSTM: Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]"):
        lstm(packed, (tg.zeros(1, 3, 4), tg.zeros(1, 3, 4)))


# ---- nn.utils: clip_grad_value_, parameters <-> vector ------------------------------------------


def test_clip_grad_value():
    a, b = nn.Parameter(tg.zeros(3)), nn.Parameter(tg.zeros(2, 2))
    a.grad = tg.tensor([-3.0, 0.5, 2.0])
    b.grad = tg.tensor([[0.1, -0.2], [5.0, -0.9]])
    assert nn.utils.clip_grad_value_([a, b], clip_value=1.0) is None
    np.testing.assert_array_equal(a.grad.numpy(), np.clip([-3.0, 0.5, 2.0], -1, 1).astype(np.float32))
    np.testing.assert_array_equal(b.grad.numpy(), np.float32([[0.1, -0.2], [1.0, -0.9]]))
    nn.utils.clip_grad_value_(a, 0.25)
    assert a.grad.tolist() == [-0.25, 0.25, 0.25]


def test_parameters_vector_round_trip():
    lin = nn.Linear(3, 2)
    vec = nn.utils.parameters_to_vector(lin.parameters())
    expected = np.concatenate([lin.weight.detach().numpy().ravel(), lin.bias.detach().numpy()])
    np.testing.assert_array_equal(vec.detach().numpy(), expected)
    new = tg.arange(8, dtype=tg.float32)
    nn.utils.vector_to_parameters(new, lin.parameters())
    assert lin.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and lin.bias.tolist() == [6.0, 7.0]
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    np.testing.assert_array_equal(
        nn.utils.parameters_to_vector(lin.parameters()).detach().numpy(), np.arange(8)
    )
    x = tg.tensor(RNG.standard_normal(3), requires_grad=True)
    y = tg.tensor(RNG.standard_normal((2, 2)), requires_grad=True)
    gradcheck(lambda x, y: nn.utils.parameters_to_vector([x, y]), (x, y))
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0], lin.parameters())
    with pytest.raises(
        RuntimeError, match=r"vec has 7 elements but the parameters \[\[2, 3\], \[2\]\] hold 8"
    ):
        nn.utils.vector_to_parameters(tg.zeros(7), lin.parameters())
