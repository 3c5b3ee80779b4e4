"""nn layers: gradcheck in float64 through each layer (inputs and parameters), forward against numpy
references, PyTorch's default initialisation, train/eval behaviour (dropout, batch norm), attention
semantics, nn.init, clip_grad_norm_, and a tiny transformer block that learns."""

import math

import numpy as np
import pytest
from scipy.special import logsumexp

import tensorgrad as tg
import tensorgrad.nn as nn
import tensorgrad.nn.functional as F
from tensorgrad.autograd import gradcheck


def f64(*shape, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return tg.tensor(rng.standard_normal(shape) * scale, dtype=tg.float64, requires_grad=True)


def check_layer(module, *inputs):
    """gradcheck of module(*inputs) with respect to the inputs and every parameter."""
    module.double()
    params = tuple(module.parameters())
    n = len(inputs)
    assert gradcheck(lambda *args: module(*args[:n]), inputs + params)


# ---- gradcheck through every layer ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: nn.Linear(4, 3), (2, 4)),
        (lambda: nn.Linear(4, 3, bias=False), (2, 5, 4)),
        (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 5, 5)),
        (lambda: nn.Conv2d(2, 2, (2, 3), dilation=(2, 1), bias=False), (1, 2, 5, 4)),
        (lambda: nn.Conv2d(4, 2, 3, padding="same", groups=2), (1, 4, 4, 4)),
        (lambda: nn.AvgPool2d(2), (2, 2, 4, 4)),
        (lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (1, 2, 5, 5)),
        (lambda: nn.BatchNorm1d(3), (4, 3)),
        (lambda: nn.BatchNorm1d(2, affine=False), (3, 2, 4)),
        (lambda: nn.BatchNorm2d(3), (2, 3, 2, 2)),
        (lambda: nn.BatchNorm2d(2).eval(), (2, 2, 3, 3)),
        (lambda: nn.LayerNorm(4), (3, 4)),
        (lambda: nn.LayerNorm((2, 3), bias=False), (2, 2, 3)),
        (lambda: nn.ReLU(), (3, 4)),
        (lambda: nn.LeakyReLU(0.1), (3, 4)),
        (lambda: nn.GELU(), (3, 4)),
        (lambda: nn.GELU("tanh"), (3, 4)),
        (lambda: nn.SiLU(), (3, 4)),
        (lambda: nn.Tanh(), (3, 4)),
        (lambda: nn.Sigmoid(), (3, 4)),
        (lambda: nn.Softmax(dim=1), (3, 4)),
        (lambda: nn.LogSoftmax(dim=-1), (3, 4)),
        (lambda: nn.Flatten(), (2, 3, 2)),
        (lambda: nn.Identity(), (2, 3)),
        (lambda: nn.Dropout(0.5).eval(), (2, 3)),
        (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), (2, 3)),
    ],
)
def test_layer_gradcheck(make, shape):
    x = f64(*shape, seed=len(shape))
    if shape == (3, 4):  # keep activations away from their kinks
        x.detach().numpy()[np.abs(x.detach().numpy()) < 0.1] += 0.3
    check_layer(make(), x)


def test_max_pool_gradcheck_without_ties():
    rng = np.random.default_rng(0)
    x = tg.tensor(
        rng.permutation(2 * 2 * 5 * 5).reshape(2, 2, 5, 5) * 0.1, dtype=tg.float64, requires_grad=True
    )
    check_layer(nn.MaxPool2d(2), x)
    check_layer(nn.MaxPool2d(3, stride=2, padding=1), x)


def test_embedding_gradcheck():
    emb = nn.Embedding(6, 3, padding_idx=5)
    emb.double()
    idx = tg.tensor([[0, 2, 2], [4, 0, 1]])
    assert gradcheck(lambda w: emb(idx), (emb.weight,))


def test_multihead_attention_gradcheck():
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    q = f64(2, 3, 4, seed=1)
    kv = f64(2, 2, 4, seed=2)
    mha.double()
    params = tuple(mha.parameters())
    assert gradcheck(lambda q, kv, *p: mha(q, kv, kv)[0], (q, kv) + params)


@pytest.mark.parametrize(
    "loss, make_target",
    [
        (nn.CrossEntropyLoss(label_smoothing=0.1), lambda: tg.tensor([0, 3, 1])),
        (nn.NLLLoss(), lambda: tg.tensor([0, 3, 1])),
        (nn.MSELoss(), lambda: tg.rand(3, 4, dtype=tg.float64)),
        (nn.L1Loss(reduction="sum"), lambda: tg.rand(3, 4, dtype=tg.float64) + 5.0),
        (
            nn.BCEWithLogitsLoss(pos_weight=tg.tensor([1.0, 2.0, 0.5, 1.0], dtype=tg.float64)),
            lambda: tg.rand(3, 4, dtype=tg.float64),
        ),
    ],
    ids=["cross_entropy", "nll", "mse", "l1", "bce_with_logits"],
)
def test_loss_module_gradcheck(loss, make_target):
    target = make_target()
    assert gradcheck(lambda x: loss(x, target), (f64(3, 4),))


# ---- forward against numpy references ------------------------------------------------------------


def np_conv2d(x, w, b, stride, padding, dilation):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r, s = i * stride[0], j * stride[1]
            patch = xp[
                :,
                :,
                r : r + dilation[0] * (kh - 1) + 1 : dilation[0],
                s : s + dilation[1] * (kw - 1) + 1 : dilation[1],
            ]
            out[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return out + (0 if b is None else b[None, :, None, None])


def test_conv2d_module_matches_numpy():
    tg.manual_seed(0)
    conv = nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    x = tg.randn(2, 3, 6, 5)
    want = np_conv2d(
        x.numpy(), conv.weight.detach().numpy(), conv.bias.detach().numpy(), (2, 1), (1, 2), (1, 2)
    )
    np.testing.assert_allclose(conv(x).detach().numpy(), want, rtol=1e-4, atol=1e-5)


def test_pool_modules_match_numpy():
    x = tg.randn(2, 3, 4, 6)
    windows = x.numpy().reshape(2, 3, 2, 2, 3, 2)
    np.testing.assert_allclose(nn.MaxPool2d(2)(x).numpy(), windows.max((3, 5)))
    np.testing.assert_allclose(nn.AvgPool2d(2)(x).numpy(), windows.mean((3, 5)), rtol=1e-6)
    values, indices = nn.MaxPool2d(2, return_indices=True)(x)
    assert values.shape == indices.shape == (2, 3, 2, 3) and indices.dtype == tg.int64


def test_linear_matches_numpy():
    layer = nn.Linear(5, 3)
    x = tg.randn(4, 2, 5)
    want = x.numpy() @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(x).detach().numpy(), want, rtol=1e-5, atol=1e-6)


# ---- default initialisation (PyTorch's) ----------------------------------------------------------


def test_linear_and_conv_default_init_bounds():
    tg.manual_seed(0)
    lin = nn.Linear(200, 300)
    bound = 1 / math.sqrt(200)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(lin.bias.detach().numpy()).max() <= bound
    np.testing.assert_allclose(w.std(), bound / math.sqrt(3), rtol=0.02)
    conv = nn.Conv2d(8, 16, 3, groups=2)
    cb = 1 / math.sqrt(4 * 9)
    assert (
        np.abs(conv.weight.detach().numpy()).max() <= cb
        and np.abs(conv.weight.detach().numpy()).max() > 0.9 * cb
    )
    assert np.abs(conv.bias.detach().numpy()).max() <= cb


def test_init_repeats_after_manual_seed():
    tg.manual_seed(5)
    a = nn.Linear(3, 3).weight.detach().numpy().copy()
    tg.manual_seed(5)
    b = nn.Linear(3, 3).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_norm_embedding_attention_default_init():
    bn = nn.BatchNorm2d(3)
    for name, value in [
        ("weight", 1),
        ("bias", 0),
        ("running_mean", 0),
        ("running_var", 1),
        ("num_batches_tracked", 0),
    ]:
        assert np.all(getattr(bn, name).detach().numpy() == value), name
    ln = nn.LayerNorm(4)
    assert np.all(ln.weight.detach().numpy() == 1) and np.all(ln.bias.detach().numpy() == 0)
    tg.manual_seed(0)
    emb = nn.Embedding(1000, 50, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert np.all(w[3] == 0)
    np.testing.assert_allclose(w.std(), 1.0, rtol=0.02)
    mha = nn.MultiheadAttention(8, 2)
    assert np.all(mha.in_proj_bias.detach().numpy() == 0) and np.all(mha.out_proj.bias.detach().numpy() == 0)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= math.sqrt(6 / (8 + 24))


# ---- nn.init -------------------------------------------------------------------------------------


def test_init_functions():
    tg.manual_seed(0)
    t = tg.empty(400, 300)
    nn.init.xavier_uniform_(t, gain=2.0)
    bound = 2.0 * math.sqrt(6 / 700)
    assert np.abs(t.numpy()).max() <= bound
    nn.init.xavier_normal_(t)
    np.testing.assert_allclose(t.numpy().std(), math.sqrt(2 / 700), rtol=0.02)
    nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    np.testing.assert_allclose(t.numpy().std(), math.sqrt(2 / 400), rtol=0.02)
    nn.init.kaiming_uniform_(t, nonlinearity="relu")
    assert np.abs(t.numpy()).max() <= math.sqrt(2) * math.sqrt(3 / 300)
    nn.init.trunc_normal_(t, mean=1.0, std=2.0, a=0.0, b=1.5)
    assert t.numpy().min() >= 0.0 and t.numpy().max() <= 1.5
    nn.init.uniform_(t, -0.5, 0.25)
    assert -0.5 <= t.numpy().min() and t.numpy().max() < 0.25
    nn.init.normal_(t, 3.0, 0.1)
    np.testing.assert_allclose(t.numpy().mean(), 3.0, rtol=1e-2)
    nn.init.constant_(t, 0.5)
    assert np.all(t.numpy() == 0.5)
    assert nn.init.zeros_(t) is t and np.all(t.numpy() == 0)
    assert np.all(nn.init.ones_(t).numpy() == 1)


def test_init_works_on_parameters_and_bumps_version():
    p = nn.Parameter(tg.zeros(3, 3))
    version = p._version
    nn.init.ones_(p)
    assert p.requires_grad and p._version > version and np.all(p.detach().numpy() == 1)


def test_calculate_gain_and_fan_errors():
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(tg.empty(3))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        nn.init.kaiming_uniform_(tg.empty(3, 3), mode="fan")


# ---- train / eval behaviour ----------------------------------------------------------------------


def test_dropout_module_train_and_eval():
    drop = nn.Dropout(0.5)
    x = tg.ones(1000)
    tg.manual_seed(0)
    y = drop(x).numpy()
    assert 0.4 < (y == 0).mean() < 0.6 and set(np.unique(y)) <= {0.0, 2.0}
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(-0.1)


def test_batch_norm_module_running_stats_and_eval():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3, momentum=0.5)
    batches = [rng.standard_normal((8, 3)).astype(np.float32) * (i + 1) + i for i in range(2)]
    for b in batches:
        y = bn(tg.tensor(b))
        np.testing.assert_allclose(y.detach().numpy().mean(0), 0, atol=1e-5)
    assert bn.num_batches_tracked.item() == 2
    want_mean = 0.5 * (0.5 * batches[0].mean(0)) + 0.5 * batches[1].mean(0)
    np.testing.assert_allclose(bn.running_mean.numpy(), want_mean, rtol=1e-5)
    bn.eval()
    frozen = bn.running_mean.numpy().copy()
    x = rng.standard_normal((4, 3)).astype(np.float32)
    want = (x - frozen) / np.sqrt(bn.running_var.numpy() + bn.eps)
    np.testing.assert_allclose(bn(tg.tensor(x)).detach().numpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(bn.running_mean.numpy(), frozen)
    assert bn.num_batches_tracked.item() == 2


def test_batch_norm_cumulative_average_when_momentum_is_none():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm2d(2, momentum=None)
    batches = [rng.standard_normal((3, 2, 2, 2)).astype(np.float32) + i for i in range(3)]
    for b in batches:
        bn(tg.tensor(b))
    want = np.mean([b.mean((0, 2, 3)) for b in batches], axis=0)
    np.testing.assert_allclose(bn.running_mean.numpy(), want, rtol=1e-5)


def test_batch_norm_without_running_stats_uses_batch_stats_in_eval():
    bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False).eval()
    assert bn.running_mean is None and list(bn.state_dict()) == []
    y = bn(tg.tensor([[1.0, 2.0], [3.0, 6.0]])).numpy()
    np.testing.assert_allclose(y, [[-1, -1], [1, 1]], rtol=1e-4)


def test_batch_norm_rejects_wrong_dims():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(tg.randn(2, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(tg.randn(2, 3, 2, 2))
    with pytest.raises(RuntimeError, match="running_mean of shape"):
        nn.BatchNorm1d(3)(tg.randn(4, 5))


# ---- attention -----------------------------------------------------------------------------------


def np_mha(mha, q, k, v, attn_bias):
    """A plain numpy multi-head attention on (N, L, E) inputs with an additive bias (N, H, L, S)."""
    e, h = mha.embed_dim, mha.num_heads
    w = mha.in_proj_weight.detach().numpy().astype(np.float64)
    b = mha.in_proj_bias.detach().numpy().astype(np.float64)
    proj = [x @ w[i * e : (i + 1) * e].T + b[i * e : (i + 1) * e] for i, x in enumerate((q, k, v))]
    n, lq = q.shape[0], q.shape[1]
    added = 0
    if mha.bias_k is not None:  # one more key and value, the same for every sample
        for i, extra in ((1, mha.bias_k), (2, mha.bias_v)):
            proj[i] = np.concatenate([proj[i], np.repeat(extra.detach().numpy(), n, 0)], 1)
        added += 1
    qh, kh, vh = (p.reshape(n, -1, h, e // h).transpose(0, 2, 1, 3) for p in proj)
    if mha.add_zero_attn:  # and a key and value of zeros in every head
        kh, vh = (np.concatenate([a, np.zeros((n, h, 1, e // h))], 2) for a in (kh, vh))
        added += 1
    attn_bias = np.concatenate(
        [np.broadcast_to(attn_bias, (n, h, lq, kh.shape[2] - added)), np.zeros((n, h, lq, added))], 3
    )
    s = qh @ kh.transpose(0, 1, 3, 2) / math.sqrt(e // h) + attn_bias
    p = np.exp(s - logsumexp(s, -1, keepdims=True))
    out = (p @ vh).transpose(0, 2, 1, 3).reshape(n, lq, e)
    out = out @ mha.out_proj.weight.detach().numpy().T + mha.out_proj.bias.detach().numpy()
    return out, p.mean(1)


@pytest.mark.parametrize("batch_first", [True, False])
def test_multihead_attention_matches_numpy_with_masks(batch_first):
    tg.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    with tg.no_grad():
        mha.in_proj_bias.add_(tg.randn(24) * 0.1)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, 3, 8)).astype(np.float32)
    kv = rng.standard_normal((2, 4, 8)).astype(np.float32)
    attn_mask = np.zeros((3, 4), bool)
    attn_mask[0, 1] = True  # True = not allowed
    padding = np.array([[False, False, False, True], [False, True, False, False]])
    bias = np.where(attn_mask, -np.inf, 0.0)[None, None] + np.where(padding, -np.inf, 0.0)[:, None, None, :]
    want_out, want_w = np_mha(mha, q.astype(np.float64), kv.astype(np.float64), kv.astype(np.float64), bias)

    def layout(a):
        return tg.tensor(a if batch_first else a.transpose(1, 0, 2))

    kv_t = layout(kv)
    out, weights = mha(
        layout(q), kv_t, kv_t, key_padding_mask=tg.tensor(padding), attn_mask=tg.tensor(attn_mask)
    )
    got = out.detach().numpy() if batch_first else out.detach().numpy().transpose(1, 0, 2)
    np.testing.assert_allclose(got, want_out, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(weights.detach().numpy(), want_w, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("add_bias_kv, add_zero_attn", [(True, False), (False, True), (True, True)])
def test_multihead_attention_add_bias_kv_and_zero_attn_match_numpy(add_bias_kv, add_zero_attn):
    tg.manual_seed(1)
    mha = nn.MultiheadAttention(8, 2, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn).double()
    with tg.no_grad():
        mha.in_proj_bias.add_(tg.randn(24, dtype=tg.float64) * 0.1)
    names = [k for k in mha.state_dict()]
    assert names[:2] == ["in_proj_weight", "in_proj_bias"]
    assert ("bias_k" in names and "bias_v" in names) == add_bias_kv and mha.add_zero_attn == add_zero_attn
    rng = np.random.default_rng(2)
    q = rng.standard_normal((2, 3, 8))
    kv = rng.standard_normal((2, 4, 8))
    padding = np.array([[False, False, False, True], [False, True, False, False]])
    bias = np.where(padding, -np.inf, 0.0)[:, None, None, :]
    want_out, want_w = np_mha(mha, q, kv, kv, bias)
    kv_t = tg.tensor(kv.transpose(1, 0, 2))
    out, weights = mha(tg.tensor(q.transpose(1, 0, 2)), kv_t, kv_t, key_padding_mask=tg.tensor(padding))
    extra = int(add_bias_kv) + int(add_zero_attn)
    assert weights.shape == (2, 3, 4 + extra)
    np.testing.assert_allclose(out.detach().numpy().transpose(1, 0, 2), want_out, rtol=1e-10)
    np.testing.assert_allclose(weights.detach().numpy(), want_w, rtol=1e-10, atol=1e-12)
    if add_bias_kv:  # bias_k and bias_v learn
        out.sum().backward()
        assert mha.bias_k.grad.shape == (1, 1, 8) and np.abs(mha.bias_v.grad.numpy()).sum() > 0
        assert tg.autograd.gradcheck(
            lambda x: mha(x, x, x, need_weights=False)[0],
            (tg.randn(3, 1, 8, dtype=tg.float64, requires_grad=True),),
        )


def test_multihead_attention_self_attention_unbatched_and_causal():
    tg.manual_seed(0)
    mha = nn.MultiheadAttention(4, 1)
    x = tg.randn(5, 4)
    out, weights = mha(x, x, x, is_causal=True, need_weights=True)
    assert out.shape == (5, 4) and weights.shape == (5, 5)
    assert np.all(np.triu(weights.detach().numpy(), 1) == 0)
    out2, none = mha(
        x, x, x, need_weights=False, attn_mask=tg.tensor(np.triu(np.ones((5, 5)), 1) * -1e9, dtype=tg.float32)
    )
    assert none is None
    np.testing.assert_allclose(out2.detach().numpy(), out.detach().numpy(), rtol=1e-5, atol=1e-6)
    per_head = nn.MultiheadAttention(4, 2, batch_first=True)(
        tg.randn(2, 3, 4), tg.randn(2, 3, 4), tg.randn(2, 3, 4), average_attn_weights=False
    )[1]
    assert per_head.shape == (2, 2, 3, 3)


def test_multihead_attention_separate_kdim_vdim_and_no_bias():
    mha = nn.MultiheadAttention(4, 2, bias=False, kdim=3, vdim=5, batch_first=True)
    assert [k for k in mha.state_dict()] == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "out_proj.weight",
    ]
    out, _ = mha(tg.randn(2, 3, 4), tg.randn(2, 6, 3), tg.randn(2, 6, 5))
    assert out.shape == (2, 3, 4)


def test_multihead_attention_errors():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(5, 2)
    mha = nn.MultiheadAttention(4, 2)
    x = tg.randn(3, 2, 4)
    with pytest.raises(RuntimeError, match="key_padding_mask of shape"):
        mha(x, x, x, key_padding_mask=tg.tensor(np.zeros((3, 3), bool)))
    with pytest.raises(RuntimeError, match="attn_mask of shape"):
        mha(x, x, x, attn_mask=tg.zeros(2, 2))


# ---- losses as modules ---------------------------------------------------------------------------


def test_loss_modules_register_weights_as_buffers():
    w = tg.tensor([1.0, 2.0, 3.0])
    ce = nn.CrossEntropyLoss(weight=w, ignore_index=0)
    assert list(ce.state_dict()) == ["weight"]
    x, t = tg.randn(4, 3), tg.tensor([0, 1, 2, 1])
    np.testing.assert_allclose(ce(x, t).item(), F.cross_entropy(x, t, w, ignore_index=0).item())
    assert list(nn.BCEWithLogitsLoss(pos_weight=tg.ones(2)).state_dict()) == ["pos_weight"]
    with pytest.warns(UserWarning):
        assert nn.MSELoss(size_average=False).reduction == "sum"


# ---- clip_grad_norm_ -----------------------------------------------------------------------------


def test_clip_grad_norm_scales_to_max_norm_and_returns_total():
    a = nn.Parameter(tg.zeros(3))
    b = nn.Parameter(tg.zeros(2, 2))
    a.grad = tg.tensor([3.0, 0.0, 0.0])
    b.grad = tg.tensor([[0.0, 4.0], [0.0, 0.0]])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    np.testing.assert_allclose(total.item(), 5.0)
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0, 0], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [[0, 0.8], [0, 0]], rtol=1e-5)
    same = nn.utils.clip_grad_norm_([a, b], max_norm=10.0)
    np.testing.assert_allclose(same.item(), 1.0, rtol=1e-5)
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0, 0], rtol=1e-5)


def test_clip_grad_norm_inf_norm_and_nonfinite():
    p = nn.Parameter(tg.zeros(3))
    p.grad = tg.tensor([1.0, -4.0, 2.0])
    assert nn.utils.clip_grad_norm_(p, 2.0, norm_type="inf").item() == 4.0
    np.testing.assert_allclose(p.grad.numpy(), [0.5, -2.0, 1.0], rtol=1e-5)
    p.grad = tg.tensor([1.0, float("nan"), 2.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_scales_a_shared_gradient_once():
    # d(a + b)/da and d(a + b)/db are the same array: it must be scaled once, not twice
    a = nn.Parameter(tg.zeros(2))
    b = nn.Parameter(tg.zeros(2))
    (a * 1.0 + b * 1.0).sum().backward()
    (a + b).sum().backward()
    nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    np.testing.assert_allclose(a.grad.numpy(), [0.5, 0.5], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [0.5, 0.5], rtol=1e-5)


# ---- a tiny transformer block learns -------------------------------------------------------------


class TinyTransformer(nn.Module):
    def __init__(self, vocab, dim, heads, length):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(tg.randn(length, dim) * 0.1)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm1 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(0.0), nn.Linear(2 * dim, dim))
        self.norm2 = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pos
        a, _ = self.attn(x, x, x, need_weights=False)
        x = self.norm1(x + a)
        x = self.norm2(x + self.ff(x))
        return self.head(x)


def test_tiny_transformer_block_learns_to_reverse():
    tg.manual_seed(0)
    vocab, length = 6, 5
    model = TinyTransformer(vocab, 16, 2, length)
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, vocab, (64, length))
    x, y = tg.tensor(tokens), tg.tensor(tokens[:, ::-1].copy())
    losses = []
    for _ in range(60):
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        model.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        with tg.no_grad():
            for p in model.parameters():
                p -= 1.0 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0], losses
