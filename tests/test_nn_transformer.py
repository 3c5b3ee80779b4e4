"""nn.Transformer and its layers: forward against a plain-numpy reference fed with the modules' own
parameters (post-norm and pre-norm, relu and gelu, float and bool masks, every input layout),
gradcheck in float64, state_dict keys as PyTorch names them, deep-copied layers, PyTorch's
initialisation, the causal mask, dropout in train mode only, and errors."""

import copy
import inspect
import math

import numpy as np
import pytest
from scipy.special import erf, logsumexp

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck

# ---- a numpy reference, batch first: x (N, L, E) ---------------------------------------------------

NP_ACT = {"relu": lambda x: np.maximum(x, 0.0), "gelu": lambda x: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))}


def params(module, prefix=""):
    """The module's state_dict as float64 numpy arrays, keys without `prefix`."""
    sd = module.state_dict()
    return {
        k[len(prefix) :]: v.detach().numpy().astype(np.float64) for k, v in sd.items() if k.startswith(prefix)
    }


def np_layer_norm(x, p, name, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * p[name + ".weight"] + p[name + ".bias"]


def np_attention(p, name, q, kv, nhead, bias):
    """Multi-head attention with an additive bias broadcastable to (N, heads, Lq, Lk)."""
    e = q.shape[-1]
    w, b = p[name + ".in_proj_weight"], p[name + ".in_proj_bias"]
    qp, kp, vp = (x @ w[i * e : (i + 1) * e].T + b[i * e : (i + 1) * e] for i, x in enumerate((q, kv, kv)))
    n, d = q.shape[0], e // nhead
    qh, kh, vh = (a.reshape(n, -1, nhead, d).transpose(0, 2, 1, 3) for a in (qp, kp, vp))
    s = qh @ kh.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
    out = (np.exp(s - logsumexp(s, -1, keepdims=True)) @ vh).transpose(0, 2, 1, 3).reshape(n, -1, e)
    return out @ p[name + ".out_proj.weight"].T + p[name + ".out_proj.bias"]


def np_ff(p, x, act):
    """act: a name in NP_ACT or a numpy function."""
    h = x @ p["linear1.weight"].T + p["linear1.bias"]
    return NP_ACT.get(act, act)(h) @ p["linear2.weight"].T + p["linear2.bias"]


def np_encoder_layer(p, x, nhead, norm_first, act, bias):
    def sa(y):
        return np_attention(p, "self_attn", y, y, nhead, bias)

    if norm_first:
        x = x + sa(np_layer_norm(x, p, "norm1"))
        return x + np_ff(p, np_layer_norm(x, p, "norm2"), act)
    x = np_layer_norm(x + sa(x), p, "norm1")
    return np_layer_norm(x + np_ff(p, x, act), p, "norm2")


def np_decoder_layer(p, x, mem, nhead, norm_first, act, self_bias, cross_bias):
    def sa(y):
        return np_attention(p, "self_attn", y, y, nhead, self_bias)

    def ca(y):
        return np_attention(p, "multihead_attn", y, mem, nhead, cross_bias)

    if norm_first:
        x = x + sa(np_layer_norm(x, p, "norm1"))
        x = x + ca(np_layer_norm(x, p, "norm2"))
        return x + np_ff(p, np_layer_norm(x, p, "norm3"), act)
    x = np_layer_norm(x + sa(x), p, "norm1")
    x = np_layer_norm(x + ca(x), p, "norm2")
    return np_layer_norm(x + np_ff(p, x, act), p, "norm3")


def np_bias(attn, padding):
    """(N, 1, L, S) additive bias from a (L, S) mask and an (N, S) key padding mask, bool (True =
    masked out) or float (added)."""

    def additive(m):
        return np.where(m, -np.inf, 0.0) if m.dtype == bool else m.astype(np.float64)

    return additive(attn)[None, None] + additive(padding)[:, None, None, :]


def masks(kind, length, keys, n, dtype, seed):
    """An attention mask (length, keys) and a key padding mask (n, keys), bool or float."""
    rng = np.random.default_rng(seed)
    attn = rng.random((length, keys)) < 0.3
    attn[:, 0] = False  # every query keeps a key
    padding = np.zeros((n, keys), bool)
    padding[0, -1] = padding[-1, 1] = True
    if kind == "float":
        attn = np.where(attn, -np.inf, rng.standard_normal((length, keys))).astype(dtype)
        padding = np.where(padding, -np.inf, 0.5 * rng.standard_normal((n, keys))).astype(dtype)
    return attn, padding


def perturb(module, seed):
    """Give biases and LayerNorm weights non-default values, so the reference sees all of them."""
    rng = np.random.default_rng(seed)
    with tg.no_grad():
        for p in module.parameters():
            p.add_(tg.tensor(0.2 * rng.standard_normal(p.shape), dtype=p.dtype))
    return module


def tol(dtype):
    return {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


# ---- forward against numpy -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_encoder_layer_matches_numpy(norm_first, activation, dtype):
    tg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 12, activation=activation, norm_first=norm_first, dtype=dtype)
    perturb(layer, 1).eval()
    p = params(layer)
    x = np.random.default_rng(2).standard_normal((3, 5, 8)).astype(dtype)  # (N, S, E)
    src = tg.tensor(x.transpose(1, 0, 2))  # (S, N, E)
    for kind in ("bool", "float"):
        attn, padding = masks(kind, 5, 5, 3, dtype, 3)
        want = np_encoder_layer(p, x.astype(np.float64), 2, norm_first, activation, np_bias(attn, padding))
        got = layer(src, src_mask=tg.tensor(attn), src_key_padding_mask=tg.tensor(padding))
        assert got.dtype == dtype and got.shape == (5, 3, 8)
        np.testing.assert_allclose(got.detach().numpy().transpose(1, 0, 2), want, **tol(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_decoder_layer_matches_numpy(norm_first, activation, dtype):
    tg.manual_seed(0)
    layer = nn.TransformerDecoderLayer(8, 2, 12, activation=activation, norm_first=norm_first, dtype=dtype)
    perturb(layer, 1).eval()
    p = params(layer)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 8)).astype(dtype)  # (N, T, E)
    mem = rng.standard_normal((3, 6, 8)).astype(dtype)  # (N, S, E)
    tgt, memory = tg.tensor(x.transpose(1, 0, 2)), tg.tensor(mem.transpose(1, 0, 2))
    for kind in ("bool", "float"):
        tgt_mask, tgt_padding = masks(kind, 4, 4, 3, dtype, 3)
        mem_mask, mem_padding = masks(kind, 4, 6, 3, dtype, 4)
        want = np_decoder_layer(
            p,
            x.astype(np.float64),
            mem.astype(np.float64),
            2,
            norm_first,
            activation,
            np_bias(tgt_mask, tgt_padding),
            np_bias(mem_mask, mem_padding),
        )
        got = layer(
            tgt,
            memory,
            tgt_mask=tg.tensor(tgt_mask),
            memory_mask=tg.tensor(mem_mask),
            tgt_key_padding_mask=tg.tensor(tgt_padding),
            memory_key_padding_mask=tg.tensor(mem_padding),
        )
        assert got.dtype == dtype and got.shape == (4, 3, 8)
        np.testing.assert_allclose(got.detach().numpy().transpose(1, 0, 2), want, **tol(dtype))


def test_layers_accept_batch_first_and_unbatched_inputs():
    tg.manual_seed(0)
    enc = perturb(nn.TransformerEncoderLayer(8, 2, 12, batch_first=True, dtype=tg.float64), 1).eval()
    dec = perturb(nn.TransformerDecoderLayer(8, 2, 12, batch_first=True, dtype=tg.float64), 2).eval()
    rng = np.random.default_rng(3)
    x, mem = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 5, 8))
    padding = np.array([[False, False, True, False], [False, False, False, False]])
    bias = np_bias(np.zeros((4, 4), bool), padding)
    want_enc = np_encoder_layer(params(enc), x, 2, False, "relu", bias)
    got = enc(tg.tensor(x), src_key_padding_mask=tg.tensor(padding))
    np.testing.assert_allclose(got.detach().numpy(), want_enc, rtol=1e-10, atol=1e-12)
    # unbatched (S, E), with an (S,) key padding mask
    got = enc(tg.tensor(x[0]), src_key_padding_mask=tg.tensor(padding[0]))
    np.testing.assert_allclose(got.detach().numpy(), want_enc[0], rtol=1e-10, atol=1e-12)
    no_bias = np.zeros((1, 1, 1, 1))
    want_dec = np_decoder_layer(params(dec), x, mem, 2, False, "relu", no_bias, no_bias)
    np.testing.assert_allclose(
        dec(tg.tensor(x), tg.tensor(mem)).detach().numpy(), want_dec, rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        dec(tg.tensor(x[1]), tg.tensor(mem[1])).detach().numpy(), want_dec[1], rtol=1e-10, atol=1e-12
    )


def test_causal_flags_match_the_square_subsequent_mask():
    tg.manual_seed(0)
    model = nn.Transformer(8, 2, 1, 1, 12, dropout=0.0, dtype=tg.float64)
    x = tg.randn(4, 2, 8, dtype=tg.float64)
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=tg.float64)
    flags = ("src_is_causal", "tgt_is_causal", "memory_is_causal")
    mask_names = ("src_mask", "tgt_mask", "memory_mask")
    want = model(x, x, **dict.fromkeys(mask_names, causal)).detach().numpy()
    got = model(x, x, **dict.fromkeys(flags, True)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    for flag in flags:  # each flag reaches its attention
        others = {f: True for f in flags if f != flag}
        assert not np.allclose(model(x, x, **others).detach().numpy(), want), flag
    layer = model.encoder.layers[0]
    np.testing.assert_allclose(
        layer(x, is_causal=True).detach().numpy(), layer(x, src_mask=causal).detach().numpy(), rtol=1e-12
    )


def test_activation_callables_and_modules():
    tg.manual_seed(0)
    layers = [
        nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, activation=act, dtype=tg.float64)
        for act in ("gelu", F.gelu, nn.GELU(), lambda t: tg.tanh(t))
    ]
    state = layers[0].state_dict()
    x = np.random.default_rng(0).standard_normal((3, 1, 8))
    outs = []
    for layer in layers:
        layer.load_state_dict(state)
        outs.append(layer(tg.tensor(x)).detach().numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-12)
    np.testing.assert_allclose(outs[2], outs[0], rtol=1e-12)
    assert list(layers[2].state_dict()) == list(state)  # an activation Module adds no keys
    want = np_encoder_layer(params(layers[3]), x.transpose(1, 0, 2), 2, False, np.tanh, np.zeros(1))
    np.testing.assert_allclose(outs[3].transpose(1, 0, 2), want, rtol=1e-10, atol=1e-12)


# ---- stacks and the full model ---------------------------------------------------------------------


def test_encoder_and_decoder_stacks_match_numpy():
    tg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 12, dtype=tg.float64)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8, dtype=tg.float64))
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 12, dtype=tg.float64), 2)
    perturb(encoder, 1).eval()
    perturb(decoder, 2).eval()
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 3, 8))
    src_mask, padding = masks("bool", 5, 5, 2, np.float64, 4)
    tgt_mask = np.triu(np.ones((3, 3), bool), 1)
    enc_bias, dec_bias = np_bias(src_mask, padding), np_bias(tgt_mask, padding[:, :3])
    mem_mask = masks("float", 3, 5, 2, np.float64, 5)[0]
    mem_bias = np_bias(mem_mask, padding)
    want = x
    for i in range(2):
        want = np_encoder_layer(params(encoder, f"layers.{i}."), want, 2, False, "relu", enc_bias)
    memory = np_layer_norm(want, params(encoder), "norm")
    want = y
    for i in range(2):
        p = params(decoder, f"layers.{i}.")
        want = np_decoder_layer(p, want, memory, 2, False, "relu", dec_bias, mem_bias)
    got_memory = encoder(
        tg.tensor(x.transpose(1, 0, 2)), mask=tg.tensor(src_mask), src_key_padding_mask=tg.tensor(padding)
    )
    np.testing.assert_allclose(got_memory.detach().numpy().transpose(1, 0, 2), memory, rtol=1e-10, atol=1e-12)
    got = decoder(
        tg.tensor(y.transpose(1, 0, 2)),
        got_memory,
        tgt_mask=tg.tensor(tgt_mask),
        memory_mask=tg.tensor(mem_mask),
        tgt_key_padding_mask=tg.tensor(padding[:, :3]),
        memory_key_padding_mask=tg.tensor(padding),
    )
    np.testing.assert_allclose(got.detach().numpy().transpose(1, 0, 2), want, rtol=1e-10, atol=1e-12)


def test_transformer_matches_its_encoder_and_decoder_and_trains():
    tg.manual_seed(0)
    model = nn.Transformer(8, 2, 1, 2, 12, dropout=0.0, batch_first=True, norm_first=True).double()
    rng = np.random.default_rng(0)
    src = tg.tensor(rng.standard_normal((2, 5, 8)))
    tgt = tg.tensor(rng.standard_normal((2, 3, 8)))
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=tg.float64)
    out = model(src, tgt, tgt_mask=tgt_mask)
    assert out.shape == (2, 3, 8)
    # numpy reference built layer by layer from the model's parameters
    p = params(model)
    memory = np_encoder_layer(
        params(model, "encoder.layers.0."), src.detach().numpy(), 2, True, "relu", np.zeros(1)
    )
    memory = np_layer_norm(memory, p, "encoder.norm")
    want = tgt.detach().numpy()
    for i in range(2):
        pi = params(model, f"decoder.layers.{i}.")
        want = np_decoder_layer(pi, want, memory, 2, True, "relu", tgt_mask.detach().numpy(), np.zeros(1))
    want = np_layer_norm(want, p, "decoder.norm")
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    out.sum().backward()
    assert all(q.grad is not None for q in model.parameters())


def test_transformer_unbatched_input():
    tg.manual_seed(0)
    model = nn.Transformer(8, 2, 1, 1, 12, dropout=0.0)
    src, tgt = tg.randn(5, 8), tg.randn(3, 8)
    out = model(src, tgt)
    assert out.shape == (3, 8)
    batched = model(src.unsqueeze(1), tgt.unsqueeze(1))
    np.testing.assert_allclose(out.detach().numpy(), batched.detach().numpy()[:, 0], rtol=1e-5, atol=1e-6)


# ---- gradients ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_encoder_layer_gradcheck(norm_first):
    tg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu", norm_first=norm_first)
    layer.double()
    x = tg.randn(3, 2, 4, dtype=tg.float64, requires_grad=True)
    padding = tg.tensor([[False, False, True], [False, False, False]])
    ps = tuple(layer.parameters())
    assert gradcheck(lambda x, *_: layer(x, src_key_padding_mask=padding), (x,) + ps)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_decoder_layer_gradcheck(norm_first):
    tg.manual_seed(0)
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first, batch_first=True)
    layer.double()
    x = tg.randn(2, 3, 4, dtype=tg.float64, requires_grad=True)
    mem = tg.randn(2, 2, 4, dtype=tg.float64, requires_grad=True)
    ps = tuple(layer.parameters())
    assert gradcheck(lambda x, mem, *_: layer(x, mem, tgt_is_causal=True), (x, mem) + ps)


# ---- names, copies, initialisation, masks, dropout -------------------------------------------------

LAYER_KEYS = [
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "linear2.bias",
    "norm1.weight",
    "norm1.bias",
    "norm2.weight",
    "norm2.bias",
]
DECODER_LAYER_KEYS = LAYER_KEYS[:4] + [k.replace("self_attn", "multihead_attn") for k in LAYER_KEYS[:4]]
DECODER_LAYER_KEYS += LAYER_KEYS[4:] + ["norm3.weight", "norm3.bias"]


def test_state_dict_keys_are_pytorchs():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 12), 2, norm=nn.LayerNorm(8))
    assert list(encoder.state_dict()) == [f"layers.{i}.{k}" for i in range(2) for k in LAYER_KEYS] + [
        "norm.weight",
        "norm.bias",
    ]
    assert list(nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 12), 1).state_dict()) == [
        "layers.0." + k for k in LAYER_KEYS
    ]
    model = nn.Transformer(8, 2, 1, 2, 12)
    want = ["encoder.layers.0." + k for k in LAYER_KEYS] + ["encoder.norm.weight", "encoder.norm.bias"]
    want += [f"decoder.layers.{i}.{k}" for i in range(2) for k in DECODER_LAYER_KEYS]
    want += ["decoder.norm.weight", "decoder.norm.bias"]
    assert list(model.state_dict()) == want
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    assert shapes["decoder.layers.1.multihead_attn.in_proj_weight"] == (24, 8)
    assert shapes["encoder.layers.0.linear1.weight"] == (12, 8)
    assert shapes["encoder.layers.0.linear2.weight"] == (8, 12)
    no_bias = nn.TransformerDecoderLayer(8, 2, 12, bias=False)
    assert list(no_bias.state_dict()) == [k for k in DECODER_LAYER_KEYS if not k.endswith("bias")]


def test_stacks_deep_copy_the_layer():
    layer = nn.TransformerEncoderLayer(8, 2, 12, batch_first=True)
    encoder = nn.TransformerEncoder(layer, 3)
    assert isinstance(encoder.layers, nn.ModuleList) and len(encoder.layers) == 3
    first, second = encoder.layers[0], encoder.layers[1]
    assert first is not layer and first is not second and first.self_attn.batch_first
    want = layer.state_dict()
    for copy_ in encoder.layers:  # equal values, their own storage
        for k, v in copy_.state_dict().items():
            np.testing.assert_array_equal(v.detach().numpy(), want[k].detach().numpy())
    with tg.no_grad():
        first.linear1.weight.add_(1.0)
    np.testing.assert_array_equal(
        second.linear1.weight.detach().numpy(), layer.linear1.weight.detach().numpy()
    )
    assert not np.array_equal(first.linear1.weight.detach().numpy(), layer.linear1.weight.detach().numpy())
    ids = {id(p) for p in encoder.parameters()}
    assert len(ids) == 3 * len(LAYER_KEYS) and not ids & {id(p) for p in layer.parameters()}
    # copy.deepcopy of any tensorgrad module gives leaves that learn on their own
    clone = copy.deepcopy(layer)
    clone(tg.randn(2, 3, 8)).sum().backward()
    assert clone.linear1.weight.grad is not None and layer.linear1.weight.grad is None


def test_transformer_defaults_and_xavier_init():
    sig = inspect.signature(nn.Transformer)
    defaults = {k: v.default for k, v in sig.parameters.items()}
    assert defaults["activation"] is F.relu
    assert {k: defaults[k] for k in list(defaults)[:6]} == {
        "d_model": 512,
        "nhead": 8,
        "num_encoder_layers": 6,
        "num_decoder_layers": 6,
        "dim_feedforward": 2048,
        "dropout": 0.1,
    }
    assert [defaults[k] for k in ("layer_norm_eps", "batch_first", "norm_first", "bias")] == [
        1e-5,
        False,
        False,
        True,
    ]
    tg.manual_seed(0)
    model = nn.Transformer()
    assert len(model.encoder.layers) == 6 and len(model.decoder.layers) == 6
    assert model.encoder.layers[0].linear1.weight.shape == (2048, 512)
    assert model.encoder.norm.eps == 1e-5 and model.decoder.layers[5].dropout3.p == 0.1
    small = nn.Transformer(8, 2, 2, 1, 16)
    for name, p in small.named_parameters():
        w = p.detach().numpy()
        if p.dim() > 1:  # xavier_uniform_: U(-a, a), a = sqrt(6 / (fan_in + fan_out))
            bound = math.sqrt(6.0 / sum(w.shape))
            assert np.abs(w).max() <= bound, name
            if name.endswith("linear1.weight"):  # above Linear's own bound 1 / sqrt(fan_in)
                assert np.abs(w).max() > 1 / math.sqrt(8), name
        elif "norm" in name:
            np.testing.assert_array_equal(w, 1.0 if name.endswith("weight") else 0.0)
        elif "attn" in name:  # in_proj_bias and out_proj.bias stay 0
            np.testing.assert_array_equal(w, 0.0)
    # each layer re-initialised on its own, unlike the deep copies before _reset_parameters
    a, b = small.encoder.layers
    assert not np.array_equal(
        a.self_attn.in_proj_weight.detach().numpy(), b.self_attn.in_proj_weight.detach().numpy()
    )


def test_generate_square_subsequent_mask():
    for sz in (1, 4):
        mask = nn.Transformer.generate_square_subsequent_mask(sz)
        want = np.where(np.arange(sz)[None, :] > np.arange(sz)[:, None], -np.inf, 0.0)
        assert mask.dtype == tg.float32 and mask.shape == (sz, sz) and not mask.requires_grad
        np.testing.assert_array_equal(mask.detach().numpy(), want)
    assert (
        nn.Transformer(8, 2, 1, 1, 8).generate_square_subsequent_mask(3, dtype=tg.float64).dtype == tg.float64
    )


def test_dropout_only_in_train_mode():
    tg.manual_seed(0)
    model = nn.Transformer(8, 2, 1, 1, 16, dropout=0.5)
    src, tgt = tg.randn(5, 2, 8), tg.randn(3, 2, 8)
    assert model.training
    first, second = model(src, tgt).detach().numpy(), model(src, tgt).detach().numpy()
    assert not np.allclose(first, second)
    tg.manual_seed(7)
    again = model(src, tgt).detach().numpy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(
        model(src, tgt).detach().numpy(), again
    )  # the mask comes from the seeded generator
    model.eval()
    assert not any(m.training for m in model.modules())
    np.testing.assert_array_equal(model(src, tgt).detach().numpy(), model(src, tgt).detach().numpy())
    no_dropout = nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    no_dropout.load_state_dict(model.state_dict())
    np.testing.assert_allclose(
        no_dropout(src, tgt).detach().numpy(), model(src, tgt).detach().numpy(), rtol=1e-6
    )


def test_encoder_accepts_and_ignores_nested_tensor_flags():
    layer = nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0)
    a = nn.TransformerEncoder(layer, 1, enable_nested_tensor=True, mask_check=True).eval()
    b = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False, mask_check=False).eval()
    assert a.enable_nested_tensor and not b.enable_nested_tensor and not b.mask_check
    x, padding = tg.randn(4, 2, 8), tg.tensor([[False, False, False, True], [False] * 4])
    np.testing.assert_array_equal(
        a(x, src_key_padding_mask=padding).detach().numpy(),
        b(x, src_key_padding_mask=padding).detach().numpy(),
    )


# ---- errors ------------------------------------------------------------------------------------------


def test_errors_name_the_layer_and_shapes():
    with pytest.raises(
        RuntimeError, match="TransformerEncoderLayer: activation should be relu/gelu, not tanh"
    ):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(
        RuntimeError, match="TransformerDecoderLayer: activation should be relu/gelu, not elu"
    ):
        nn.TransformerDecoderLayer(8, 2, activation="elu")
    with pytest.raises(AssertionError, match="divisible"):
        nn.TransformerEncoderLayer(6, 4)
    enc = nn.TransformerEncoderLayer(4, 2, 6)
    with pytest.raises(
        RuntimeError, match=r"TransformerEncoderLayer: expected src .*d_model = 4, got shape \[3, 2, 5\]"
    ):
        enc(tg.randn(3, 2, 5))
    with pytest.raises(RuntimeError, match=r"TransformerEncoderLayer: expected src .*got shape \[4\]"):
        enc(tg.randn(4))
    with pytest.raises(
        RuntimeError, match=r"TransformerEncoderLayer: expected src .*got shape \[1, 3, 2, 4\]"
    ):
        nn.TransformerEncoder(enc, 2)(tg.randn(1, 3, 2, 4))
    with pytest.raises(RuntimeError, match=r"key_padding_mask of shape \[3, 3\]; expected \[2, 3\]"):
        enc(tg.randn(3, 2, 4), src_key_padding_mask=tg.tensor(np.zeros((3, 3), bool)))
    dec = nn.TransformerDecoderLayer(4, 2, 6)
    with pytest.raises(
        RuntimeError, match=r"TransformerDecoderLayer: expected memory .*got shape \[5, 2, 3\]"
    ):
        dec(tg.randn(3, 2, 4), tg.randn(5, 2, 3))
    with pytest.raises(
        RuntimeError,
        match=r"TransformerDecoderLayer: tgt of shape \[3, 2, 4\] and memory of shape \[5, 3, 4\]",
    ):
        dec(tg.randn(3, 2, 4), tg.randn(5, 3, 4))
    with pytest.raises(RuntimeError, match=r"tgt of shape \[3, 4\] and memory of shape \[5, 1, 4\]"):
        dec(tg.randn(3, 4), tg.randn(5, 1, 4))
    model = nn.Transformer(4, 2, 1, 1, 6, batch_first=True)
    with pytest.raises(
        RuntimeError,
        match=r"Transformer: the batch number of src and tgt must be equal.*\[2, 5, 4\].*\[3, 5, 4\]",
    ):
        model(tg.randn(2, 5, 4), tg.randn(3, 5, 4))
    with pytest.raises(
        RuntimeError, match=r"Transformer: the feature number of src and tgt must be equal to d_model \(4\)"
    ):
        model(tg.randn(2, 5, 4), tg.randn(2, 5, 6))
