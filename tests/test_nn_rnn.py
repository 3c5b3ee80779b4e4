"""Recurrent layers (nn.RNN, nn.LSTM, nn.GRU) and cells (nn.RNNCell, nn.LSTMCell, nn.GRUCell):
forward against a plain numpy reference of PyTorch's equations, gradcheck in float64 through a
bidirectional 2-layer stack of each type, PyTorch's parameter names, shapes and initialisation,
dropout between layers, error messages, and a small LSTM that learns."""

import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.nn as nn
from tensorgrad.autograd import gradcheck, gradgradcheck

MODES = ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]


# ---- numpy reference -----------------------------------------------------------------------------


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ref_step(mode, x, state, p, sfx=""):
    """One step of PyTorch's documented equations; p maps parameter names to arrays."""
    w_ih, w_hh = p["weight_ih" + sfx], p["weight_hh" + sfx]
    b_ih = p.get("bias_ih" + sfx, 0.0)
    b_hh = p.get("bias_hh" + sfx, 0.0)
    h = state[0]
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    if mode == "RNN_TANH":
        return (np.tanh(gi + gh),)
    if mode == "RNN_RELU":
        return (np.maximum(gi + gh, 0.0),)
    if mode == "GRU":
        hs = w_hh.shape[0] // 3
        r = sigmoid(gi[:, :hs] + gh[:, :hs])
        z = sigmoid(gi[:, hs : 2 * hs] + gh[:, hs : 2 * hs])
        n = np.tanh(gi[:, 2 * hs :] + r * gh[:, 2 * hs :])
        return ((1 - z) * n + z * h,)
    hs = w_hh.shape[0] // 4
    a = gi + gh
    i, f, g, o = (
        sigmoid(a[:, :hs]),
        sigmoid(a[:, hs : 2 * hs]),
        np.tanh(a[:, 2 * hs : 3 * hs]),
        a[:, 3 * hs :],
    )
    c = f * state[1] + i * g
    h = sigmoid(o) * np.tanh(c)
    if "weight_hr" + sfx in p:
        h = h @ p["weight_hr" + sfx].T
    return h, c


def ref_rnn(mode, p, x, states, num_layers, directions):
    """x (L, N, H_in); states: one tuple (h,) or (h, c) of (N, size) arrays per layer and direction.
    Returns the output (L, N, D * H_out) and the final states stacked as h_n (and c_n)."""
    finals = []
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            state = states[layer * directions + d]
            out = [None] * len(x)
            for t in reversed(range(len(x))) if d else range(len(x)):
                state = ref_step(mode, x[t], state, p, sfx)
                out[t] = state[0]
            outs.append(np.stack(out))
            finals.append(state)
        x = np.concatenate(outs, axis=2)
    return x, [np.stack([s[k] for s in finals]) for k in range(len(finals[0]))]


def make(mode, *args, **kwargs):
    if mode.startswith("RNN"):
        return nn.RNN(*args, nonlinearity="tanh" if mode == "RNN_TANH" else "relu", **kwargs)
    return getattr(nn, mode)(*args, **kwargs)


def params_of(module):
    return {name: p.detach().numpy().astype(np.float64) for name, p in module.named_parameters()}


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == tg.float32 else dict(rtol=1e-10, atol=1e-12)


# ---- forward against the reference ---------------------------------------------------------------

CONFIGS = [
    # num_layers, bidirectional, batch_first, with_state, batched, bias
    (1, False, False, False, True, True),
    (2, True, False, True, True, True),
    (3, False, True, True, True, False),
    (2, True, True, False, True, True),
    (2, True, False, True, False, True),
    (1, False, True, False, False, True),
]


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("mode", MODES)
def test_layer_matches_reference(mode, config, dtype):
    num_layers, bidirectional, batch_first, with_state, batched, bias = config
    tg.manual_seed(1)
    m = make(
        mode, 3, 4, num_layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional, dtype=dtype
    )
    d = 2 if bidirectional else 1
    length, batch = 5, 2
    rng = np.random.default_rng(2)
    x = rng.standard_normal((length, batch, 3))
    n_states = 2 if mode == "LSTM" else 1
    init = [rng.standard_normal((d * num_layers, batch, 4)) for _ in range(n_states)]
    if not with_state:
        init = [np.zeros_like(s) for s in init]
    states = [tuple(s[k] for s in init) for k in range(d * num_layers)]
    want_out, want_final = ref_rnn(mode, params_of(m), x, states, num_layers, d)

    xin = x.transpose(1, 0, 2) if batch_first else x
    if not batched:
        xin, want_out = x[:, 0], want_out[:, 0]
        init, want_final = [s[:, 0] for s in init], [s[:, 0] for s in want_final]
    hx = None
    if with_state:
        hx = [tg.tensor(s, dtype=dtype) for s in init]
        hx = tuple(hx) if mode == "LSTM" else hx[0]
    out, final = m(tg.tensor(xin, dtype=dtype), hx)
    final = final if mode == "LSTM" else (final,)
    if batched and batch_first:
        want_out = want_out.transpose(1, 0, 2)
    assert out.dtype == dtype and out.shape == want_out.shape
    np.testing.assert_allclose(out.detach().numpy(), want_out, **tol(dtype))
    assert len(final) == n_states
    for got, want in zip(final, want_final):
        assert got.shape == want.shape
        np.testing.assert_allclose(got.detach().numpy(), want, **tol(dtype))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_proj_size_matches_reference(bidirectional):
    d = 2 if bidirectional else 1
    m = nn.LSTM(3, 5, 2, bidirectional=bidirectional, proj_size=2, dtype=tg.float64)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 2, 3))
    h0, c0 = rng.standard_normal((2 * d, 2, 2)), rng.standard_normal((2 * d, 2, 5))
    out, (h, c) = m(tg.tensor(x), (tg.tensor(h0), tg.tensor(c0)))
    states = [(h0[k], c0[k]) for k in range(2 * d)]
    want_out, (want_h, want_c) = ref_rnn("LSTM", params_of(m), x, states, 2, d)
    assert out.shape == (4, 2, 2 * d) and h.shape == (2 * d, 2, 2) and c.shape == (2 * d, 2, 5)
    for got, want in ((out, want_out), (h, want_h), (c, want_c)):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12)


# ---- cells ---------------------------------------------------------------------------------------


def make_cell(mode, *args, **kwargs):
    if mode.startswith("RNN"):
        return nn.RNNCell(*args, nonlinearity="tanh" if mode == "RNN_TANH" else "relu", **kwargs)
    return getattr(nn, mode + "Cell")(*args, **kwargs)


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
@pytest.mark.parametrize(
    "batched, with_state, bias", [(True, True, True), (True, False, False), (False, True, True)]
)
@pytest.mark.parametrize("mode", MODES)
def test_cell_matches_reference(mode, batched, with_state, bias, dtype):
    cell = make_cell(mode, 3, 4, bias=bias, dtype=dtype)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3))
    n_states = 2 if mode == "LSTM" else 1
    init = [rng.standard_normal((2, 4)) if with_state else np.zeros((2, 4)) for _ in range(n_states)]
    want = ref_step(mode, x, tuple(init), params_of(cell))
    if not batched:
        x, init, want = x[0], [s[0] for s in init], [w[0] for w in want]
    hx = None
    if with_state:
        hx = [tg.tensor(s, dtype=dtype) for s in init]
        hx = tuple(hx) if mode == "LSTM" else hx[0]
    got = cell(tg.tensor(x, dtype=dtype), hx)
    got = got if mode == "LSTM" else (got,)
    assert len(got) == n_states
    for g, w in zip(got, want):
        assert g.dtype == dtype and g.shape == w.shape
        np.testing.assert_allclose(g.detach().numpy(), w, **tol(dtype))


def test_cells_unrolled_equal_the_layer():
    """A cell stepped over a sequence with the layer's weights gives the layer's output."""
    layer, cell = nn.GRU(3, 4, dtype=tg.float64), nn.GRUCell(3, 4, dtype=tg.float64)
    cell.load_state_dict({k[: -len("_l0")]: v for k, v in layer.state_dict().items()})
    x = tg.tensor(np.random.default_rng(5).standard_normal((6, 2, 3)))
    out, h_n = layer(x)
    h = None
    for t in range(6):
        h = cell(x[t], h)
        np.testing.assert_allclose(out[t].detach().numpy(), h.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(h_n[0].detach().numpy(), h.detach().numpy(), rtol=1e-12)


# ---- gradients -----------------------------------------------------------------------------------


def f64(*shape, seed=0):
    return tg.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=tg.float64, requires_grad=True)


@pytest.mark.parametrize("mode", ["RNN_TANH", "LSTM", "GRU"])
def test_gradcheck_bidirectional_two_layers(mode):
    m = make(mode, 2, 2, 2, bidirectional=True, dtype=tg.float64)
    params = tuple(m.parameters())
    x = f64(3, 2, 2, seed=1)
    if mode == "LSTM":
        state = (f64(4, 2, 2, seed=2), f64(4, 2, 2, seed=3))
        assert gradcheck(lambda x, h, c, *p: (lambda o, s: (o,) + s)(*m(x, (h, c))), (x,) + state + params)
    else:
        assert gradcheck(lambda x, h, *p: m(x, h), (x, f64(4, 2, 2, seed=2)) + params)


def test_gradcheck_lstm_proj_size_and_batch_first():
    m = nn.LSTM(2, 3, bidirectional=True, batch_first=True, proj_size=2, dtype=tg.float64)
    params = tuple(m.parameters())
    assert gradcheck(lambda x, *p: m(x)[0], (f64(2, 3, 2, seed=4),) + params)


@pytest.mark.parametrize("mode", MODES)
def test_cell_gradcheck(mode):
    cell = make_cell(mode, 2, 3, dtype=tg.float64)
    states = (f64(2, 3, seed=6), f64(2, 3, seed=7)) if mode == "LSTM" else (f64(2, 3, seed=6),)
    inputs = (f64(2, 2, seed=5),) + states + tuple(cell.parameters())
    if mode == "LSTM":
        assert gradcheck(lambda x, h, c, *p: cell(x, (h, c)), inputs)
    else:
        assert gradcheck(lambda x, h, *p: cell(x, h), inputs)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_double_backward(mode):
    m = make(mode, 2, 2, dtype=tg.float64)
    assert gradgradcheck(
        lambda x, h: m(x, (h, h) if mode == "LSTM" else h)[0], (f64(2, 1, 2), f64(1, 1, 2, seed=1))
    )


# ---- parameters: names, shapes, init -------------------------------------------------------------


def test_state_dict_keys_and_shapes_are_pytorchs():
    # As PyTorch names them: per layer, then per direction, weight_ih, weight_hh, bias_ih, bias_hh.
    lstm = nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    expected = [
        ("weight_ih_l0", (80, 10)),
        ("weight_hh_l0", (80, 20)),
        ("bias_ih_l0", (80,)),
        ("bias_hh_l0", (80,)),
        ("weight_ih_l0_reverse", (80, 10)),
        ("weight_hh_l0_reverse", (80, 20)),
        ("bias_ih_l0_reverse", (80,)),
        ("bias_hh_l0_reverse", (80,)),
        ("weight_ih_l1", (80, 40)),
        ("weight_hh_l1", (80, 20)),
        ("bias_ih_l1", (80,)),
        ("bias_hh_l1", (80,)),
        ("weight_ih_l1_reverse", (80, 40)),
        ("weight_hh_l1_reverse", (80, 20)),
        ("bias_ih_l1_reverse", (80,)),
        ("bias_hh_l1_reverse", (80,)),
    ]
    assert [(k, tuple(v.shape)) for k, v in lstm.state_dict().items()] == expected
    gru = nn.GRU(3, 4, num_layers=2, bias=False)
    assert [(k, tuple(v.shape)) for k, v in gru.state_dict().items()] == [
        ("weight_ih_l0", (12, 3)),
        ("weight_hh_l0", (12, 4)),
        ("weight_ih_l1", (12, 4)),
        ("weight_hh_l1", (12, 4)),
    ]
    rnn = nn.RNN(3, 4, bidirectional=True)
    assert [(k, tuple(v.shape)) for k, v in rnn.state_dict().items()] == [
        ("weight_ih_l0", (4, 3)),
        ("weight_hh_l0", (4, 4)),
        ("bias_ih_l0", (4,)),
        ("bias_hh_l0", (4,)),
        ("weight_ih_l0_reverse", (4, 3)),
        ("weight_hh_l0_reverse", (4, 4)),
        ("bias_ih_l0_reverse", (4,)),
        ("bias_hh_l0_reverse", (4,)),
    ]
    proj = nn.LSTM(5, 6, num_layers=2, proj_size=3)
    assert [(k, tuple(v.shape)) for k, v in proj.state_dict().items()] == [
        ("weight_ih_l0", (24, 5)),
        ("weight_hh_l0", (24, 3)),
        ("bias_ih_l0", (24,)),
        ("bias_hh_l0", (24,)),
        ("weight_hr_l0", (3, 6)),
        ("weight_ih_l1", (24, 3)),
        ("weight_hh_l1", (24, 3)),
        ("bias_ih_l1", (24,)),
        ("bias_hh_l1", (24,)),
        ("weight_hr_l1", (3, 6)),
    ]
    for cell, gates in ((nn.RNNCell(3, 4), 1), (nn.LSTMCell(3, 4), 4), (nn.GRUCell(3, 4), 3)):
        assert [(k, tuple(v.shape)) for k, v in cell.state_dict().items()] == [
            ("weight_ih", (4 * gates, 3)),
            ("weight_hh", (4 * gates, 4)),
            ("bias_ih", (4 * gates,)),
            ("bias_hh", (4 * gates,)),
        ]
    assert [k for k, _ in nn.GRUCell(3, 4, bias=False).named_parameters()] == ["weight_ih", "weight_hh"]
    assert [[p.shape for p in w] for w in rnn.all_weights] == [[(4, 3), (4, 4), (4,), (4,)]] * 2


def test_state_dict_round_trip():
    a, b = nn.LSTM(3, 4, 2, bidirectional=True), nn.LSTM(3, 4, 2, bidirectional=True)
    b.load_state_dict(a.state_dict())
    x = tg.randn(5, 2, 3)
    np.testing.assert_array_equal(a(x)[0].detach().numpy(), b(x)[0].detach().numpy())


@pytest.mark.parametrize(
    "module",
    [nn.RNN(8, 16, 2), nn.LSTM(8, 16, bidirectional=True, proj_size=4), nn.GRU(8, 16), nn.GRUCell(8, 16)],
    ids=["RNN", "LSTM", "GRU", "GRUCell"],
)
def test_init_is_uniform_within_one_over_sqrt_hidden(module):
    bound = 1 / math.sqrt(16)
    values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
    assert np.abs(values).max() <= bound
    assert values.min() < -0.95 * bound and values.max() > 0.95 * bound  # the whole range, not narrower
    assert all(p.dtype == tg.float32 for p in module.parameters())


def test_repr_matches_pytorch():
    assert repr(nn.LSTM(10, 20, 2, batch_first=True)) == "LSTM(10, 20, num_layers=2, batch_first=True)"
    assert repr(nn.GRU(3, 4, bias=False, dropout=0.5, num_layers=2, bidirectional=True)) == (
        "GRU(3, 4, num_layers=2, bias=False, dropout=0.5, bidirectional=True)"
    )
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4, bias=False)) == "LSTMCell(3, 4, bias=False)"


# ---- dropout between layers ----------------------------------------------------------------------


def test_dropout_only_between_layers_in_training():
    m = nn.RNN(3, 4, 2, dropout=1.0, dtype=tg.float64)
    x = np.random.default_rng(8).standard_normal((5, 2, 3))
    p = params_of(m)
    zeros = [(np.zeros((2, 4)),)] * 2
    want_out, (want_h,) = ref_rnn("RNN_TANH", p, x, zeros, 2, 1)
    m.eval()
    out, h = m(tg.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), want_out, rtol=1e-12)
    m.train()
    out, h = m(tg.tensor(x))
    # p = 1 zeroes the whole input of layer 1: layer 0 is untouched, layer 1 sees only zeros.
    np.testing.assert_allclose(h[0].detach().numpy(), want_h[0], rtol=1e-12)
    layer1 = {k.replace("_l1", "_l0"): v for k, v in p.items() if k.endswith("_l1")}
    want_out, (want_h1,) = ref_rnn("RNN_TANH", layer1, np.zeros((5, 2, 4)), zeros[1:], 1, 1)
    np.testing.assert_allclose(out.detach().numpy(), want_out, rtol=1e-12)
    np.testing.assert_allclose(h[1].detach().numpy(), want_h1[0], rtol=1e-12)


def test_dropout_half_changes_only_training_output():
    tg.manual_seed(0)
    m = nn.LSTM(3, 8, 2, dropout=0.5)
    x = tg.randn(4, 2, 3)
    out_train, (h_train, _) = m(x)
    m.eval()
    out_eval, (h_eval, _) = m(x)
    np.testing.assert_allclose(h_train[0].detach().numpy(), h_eval[0].detach().numpy(), rtol=1e-6)
    assert not np.allclose(out_train.detach().numpy(), out_eval.detach().numpy())


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


# ---- errors --------------------------------------------------------------------------------------


def test_input_errors_name_the_layer_and_shapes():
    lstm = nn.LSTM(4, 5)
    with pytest.raises(
        RuntimeError, match=r"LSTM: input.size\(-1\) must be equal to input_size. Expected 4, got 3"
    ):
        lstm(tg.randn(2, 3, 3))
    with pytest.raises(ValueError, match="GRU: Expected input to be 2D or 3D, got 4D"):
        nn.GRU(4, 5)(tg.randn(1, 2, 3, 4))
    with pytest.raises(ValueError, match="RNN: input must have the type float32, got type float64"):
        nn.RNN(4, 5)(tg.randn(2, 3, 4, dtype=tg.float64))
    with pytest.raises(RuntimeError, match="RNN: Expected sequence length to be larger than 0"):
        nn.RNN(4, 5)(tg.zeros(0, 3, 4))
    with pytest.raises(TypeError, match="RNN: input must be a Tensor"):
        nn.RNN(4, 5)(np.zeros((2, 3, 4), np.float32))


def test_state_errors_name_the_expected_shape():
    rnn = nn.RNN(4, 5, num_layers=2)
    with pytest.raises(RuntimeError, match=r"RNN: Expected hidden size \(2, 3, 5\), got \[1, 3, 5\]"):
        rnn(tg.randn(2, 3, 4), tg.zeros(1, 3, 5))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hidden should also be 3-D but got 2-D"):
        rnn(tg.randn(2, 3, 4), tg.zeros(2, 5))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hidden should also be 2-D but got 3-D"):
        rnn(tg.randn(2, 4), tg.zeros(2, 1, 5))
    with pytest.raises(RuntimeError, match=r"GRU: Expected hidden size \(2, 5\), got \[2, 4\]"):
        nn.GRU(4, 5, bidirectional=True)(tg.randn(2, 4), tg.zeros(2, 4))
    lstm = nn.LSTM(4, 5, bidirectional=True)
    h = tg.zeros(2, 3, 5)
    with pytest.raises(RuntimeError, match=r"LSTM: Expected hidden\[1\] size \(2, 3, 5\), got \[2, 2, 5\]"):
        lstm(tg.randn(2, 3, 4), (h, tg.zeros(2, 2, 5)))
    with pytest.raises(TypeError, match=r"LSTM: hx must be a tuple \(h_0, c_0\), got Tensor"):
        lstm(tg.randn(2, 3, 4), h)
    with pytest.raises(ValueError, match="LSTM: hidden\\[0\\] must have the type float32, got type float64"):
        lstm(tg.randn(2, 3, 4), (h.double(), h))


def test_cell_errors():
    cell = nn.LSTMCell(4, 5)
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D"):
        cell(tg.randn(1, 2, 4))
    with pytest.raises(
        RuntimeError, match=r"LSTMCell: input.size\(-1\) must be equal to input_size. Expected 4, got 3"
    ):
        cell(tg.randn(2, 3))
    with pytest.raises(RuntimeError, match=r"LSTMCell: Expected hx\[1\] size \(2, 5\), got \[3, 5\]"):
        cell(tg.randn(2, 4), (tg.zeros(2, 5), tg.zeros(3, 5)))
    with pytest.raises(TypeError, match="LSTMCell: hx must be a tuple"):
        cell(tg.randn(2, 4), tg.zeros(2, 5))
    with pytest.raises(RuntimeError, match=r"GRUCell: Expected hx size \(5,\), got \[1, 5\]"):
        nn.GRUCell(4, 5)(tg.randn(4), tg.zeros(1, 5))


def test_constructor_errors():
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="Unknown nonlinearity: gelu"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, 2, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.GRU(3, 4, 0)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.RNNBase("GRU", 3, 4, proj_size=2)
    with pytest.raises(ValueError, match="Unrecognized RNN mode: SRU"):
        nn.RNNBase("SRU", 3, 4)


# ---- learning ------------------------------------------------------------------------------------


class Delay(nn.Module):
    """An LSTM and a linear read-out trained to output its input of the previous time step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.lstm(x)[0])


def test_small_lstm_learns_to_delay_a_sequence():
    tg.manual_seed(0)
    model = Delay()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 10, 1)).astype(np.float32)
    y = np.concatenate([np.zeros((16, 1, 1), np.float32), x[:, :-1]], axis=1)
    x, y = tg.tensor(x), tg.tensor(y)
    opt = tg.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(40):
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0], losses
