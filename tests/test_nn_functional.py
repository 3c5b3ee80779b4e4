"""nn.functional through the op-table runner: gradcheck in float64, gradgradcheck for the twice
differentiable ops, forward against a numpy reference in float32 and float64; then the
semantics the table cannot express (ignore_index, weights, masks, dropout, errors)."""

import zlib

import numpy as np
import pytest
from op_table import (
    OpInfo,
    Sample,
    check_backward,
    check_forward,
    check_grad,
    check_gradgrad,
    noncontiguous,
    nonzero,
    randn,
)
from scipy.special import erf, log_softmax, logsumexp

import tensorgrad as tg
import tensorgrad.nn.functional as F
from tensorgrad.autograd import grad

F32_LOOSE = {"float32": (1e-5, 1e-5), "float64": (1e-10, 1e-12)}
F32_LOOSER = {"float32": (1e-4, 1e-5), "float64": (1e-9, 1e-11)}

# ---- numpy references ------------------------------------------------------------------------------


def np_cross_entropy(x, t, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    dtype = x.dtype
    c = x.shape[1] if x.ndim > 1 else x.shape[0]
    rows = (
        np.moveaxis(x.reshape((1,) + x.shape) if x.ndim == 1 else x, 1, -1).reshape(-1, c).astype(np.float64)
    )
    labels = t.reshape(-1)
    logp = log_softmax(rows, axis=1)
    w = np.ones(c) if weight is None else weight.astype(np.float64)
    keep = labels != ignore_index
    safe = np.where(keep, labels, 0)
    nll = -w[safe] * logp[np.arange(len(safe)), safe] * keep
    smooth = -(logp * w).sum(1) * keep
    loss = (1 - label_smoothing) * nll + label_smoothing / c * smooth
    if reduction == "none":
        return loss.reshape(t.shape).astype(dtype)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype)
    return np.asarray(loss.sum() / (w[safe] * keep).sum(), dtype)


def np_cross_entropy_probs(x, p, reduction="mean", label_smoothing=0.0):
    c = x.shape[1]
    p = p * (1 - label_smoothing) + label_smoothing / c
    loss = -(log_softmax(x.astype(np.float64), axis=1) * p).sum(1)
    out = {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]
    return np.asarray(out, x.dtype)


def np_nll(x, t, weight=None, ignore_index=-100, reduction="mean"):
    w = np.ones(x.shape[1]) if weight is None else weight
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    picked = -np.take_along_axis(x, safe[:, None], 1)[:, 0] * w[safe] * keep
    out = {"none": picked, "sum": picked.sum(), "mean": picked.sum() / (w[safe] * keep).sum()}[reduction]
    return np.asarray(out, x.dtype)


def np_reduce(v, reduction):
    return np.asarray({"none": v, "sum": v.sum(), "mean": v.mean()}[reduction], v.dtype)


def np_bce(x, t, weight=None, pos_weight=None, reduction="mean"):
    pw = 1.0 if pos_weight is None else pos_weight
    loss = pw * t * np.logaddexp(0, -x) + (1 - t) * np.logaddexp(0, x)
    if weight is not None:
        loss = loss * weight
    return np_reduce(loss.astype(x.dtype), reduction)


def np_gelu(x, approximate="none"):
    if approximate == "tanh":
        return (0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))).astype(x.dtype)
    return (0.5 * x * (1 + erf(x / np.sqrt(2)))).astype(x.dtype)


def np_layer_norm(x, shape, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    y = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)
    y = y if w is None else y * w
    return y if b is None else y + b


def np_batch_norm(x, w, b, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)
    return y * w.reshape(shape) + b.reshape(shape)


NUMPY_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def np_pad(x, pad, mode="constant", value=0.0):
    widths = [(0, 0)] * x.ndim
    index = [slice(None)] * x.ndim
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        widths[d] = (max(lo, 0), max(hi, 0))
        index[d] = slice(max(-lo, 0), x.shape[d] - max(-hi, 0))
    if mode != "constant":
        return np.pad(x, widths, mode=NUMPY_PAD_MODES[mode])
    return np.pad(x[tuple(index)], widths, constant_values=value)


def np_attention(q, k, v, bias=None):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if bias is not None:
        s = s + bias
    return np.exp(s - logsumexp(s, -1, keepdims=True)) @ v


def causal(n, m):
    return np.triu(np.full((n, m), -np.inf), 1)


# ---- samples ---------------------------------------------------------------------------------------


def class_samples(rng):
    def labels(n, c, *more):
        return rng.integers(0, c, (n,) + more)

    return [
        Sample((randn(rng, 5, 4), labels(5, 4)), {}, "mean"),
        Sample((randn(rng, 5, 4), labels(5, 4)), {"reduction": "sum"}, "sum"),
        Sample((randn(rng, 5, 4), labels(5, 4)), {"reduction": "none"}, "none"),
        Sample((randn(rng, 4), np.asarray(2)), {}, "unbatched"),
        Sample((randn(rng, 3, 4, 2, 2), labels(3, 4, 2, 2)), {"reduction": "none"}, "spatial-none"),
        Sample((randn(rng, 3, 4, 2), labels(3, 4, 2)), {}, "spatial-mean"),
        Sample((noncontiguous(randn(rng, 3, 4)), labels(3, 4)), {}, "noncontig"),
        Sample((randn(rng, 6, 3), np.array([0, -100, 2, 1, -100, 2])), {}, "ignore_index"),
        Sample(
            (randn(rng, 6, 3), np.array([0, 1, 2, 1, 1, 2])),
            {"ignore_index": 1, "reduction": "sum"},
            "ignore=1",
        ),
        Sample((randn(rng, 5, 4), labels(5, 4)), {"label_smoothing": 0.2}, "smoothing"),
        Sample(
            (randn(rng, 5, 4), labels(5, 4)), {"label_smoothing": 0.1, "reduction": "none"}, "smoothing-none"
        ),
        Sample((randn(rng, 1, 1), np.array([0])), {}, "one-class"),
    ]


def weighted_class_samples(rng):
    w = rng.uniform(0.5, 2.0, 4)
    t = np.array([0, 3, -100, 1, 3])
    return [
        Sample((randn(rng, 5, 4), t), {"weight": w}, "weight-mean"),
        Sample((randn(rng, 5, 4), t), {"weight": w, "reduction": "sum"}, "weight-sum"),
        Sample((randn(rng, 5, 4), t), {"weight": w, "label_smoothing": 0.3}, "weight-smoothing"),
        Sample(
            (randn(rng, 5, 4), t),
            {"weight": w, "label_smoothing": 0.3, "reduction": "none"},
            "weight-smooth-none",
        ),
    ]


def prob_samples(rng):
    def probs(*shape):
        p = rng.random(shape)
        return p / p.sum(1, keepdims=True)

    return [
        Sample((randn(rng, 4, 3), probs(4, 3)), {}, "mean"),
        Sample((randn(rng, 4, 3), probs(4, 3)), {"reduction": "none", "label_smoothing": 0.2}, "none-smooth"),
        Sample((randn(rng, 2, 3, 2), probs(2, 3, 2)), {"reduction": "sum"}, "spatial"),
    ]


def nll_samples(rng):
    w = rng.uniform(0.5, 2.0, 4)
    return [
        Sample((randn(rng, 5, 4), rng.integers(0, 4, 5)), {}, "mean"),
        Sample((randn(rng, 5, 4), np.array([1, -100, 3, 0, 2])), {"reduction": "sum"}, "ignore-sum"),
        Sample((randn(rng, 5, 4), np.array([1, -100, 3, 0, 2])), {"weight": w}, "weight-mean"),
        Sample((randn(rng, 5, 4), rng.integers(0, 4, 5)), {"weight": w, "reduction": "none"}, "weight-none"),
    ]


def regression_samples(rng):
    return [
        Sample((randn(rng, 3, 4), randn(rng, 3, 4)), {"reduction": r}, r) for r in ("mean", "sum", "none")
    ] + [Sample((noncontiguous(randn(rng, 2, 3)), randn(rng, 2, 3)), {}, "noncontig")]


def l1_samples(rng):
    return [
        Sample((nonzero(rng, 3, 4), np.zeros((3, 4))), {"reduction": r}, r) for r in ("mean", "sum", "none")
    ]


def bce_samples(rng):
    def t(*s):
        return rng.random(s)

    return [
        Sample((randn(rng, 3, 4), t(3, 4)), {}, "plain"),
        Sample((randn(rng, 3, 4), t(3, 4), rng.uniform(0.5, 2, 4)), {"reduction": "sum"}, "weight"),
        Sample(
            (randn(rng, 3, 4), t(3, 4), None, rng.uniform(0.5, 3, 4)), {"reduction": "none"}, "pos_weight"
        ),
        Sample((randn(rng, 2, 3) * 30, t(2, 3)), {}, "large-logits"),
    ]


def activation_samples(**kwargs):
    def make(rng):
        return [Sample((nonzero(rng, *s),), dict(kwargs), f"{s}") for s in [(), (5,), (2, 3), (2, 0, 3)]] + [
            Sample((noncontiguous(nonzero(rng, 3, 4)),), dict(kwargs), "noncontig")
        ]

    return make


def layer_norm_samples(rng):
    return [
        Sample((randn(rng, 3, 5), (5,), randn(rng, 5), randn(rng, 5)), {}, "affine"),
        Sample((randn(rng, 2, 2, 3), (2, 3), randn(rng, 2, 3), randn(rng, 2, 3)), {}, "2d-shape"),
        Sample((randn(rng, 4, 3), (3,)), {}, "no-affine"),
        Sample((randn(rng, 4, 3), (3,), randn(rng, 3)), {}, "weight-only"),
        Sample(
            (noncontiguous(randn(rng, 3, 4)), (4,), randn(rng, 4), randn(rng, 4)), {"eps": 1e-3}, "noncontig"
        ),
    ]


def batch_norm_samples(rng):
    return [
        Sample((randn(rng, 4, 3), randn(rng, 3), randn(rng, 3)), {}, "2d"),
        Sample((randn(rng, 3, 2, 4), randn(rng, 2), randn(rng, 2)), {}, "3d"),
        Sample((randn(rng, 2, 3, 2, 2), randn(rng, 3), randn(rng, 3)), {"eps": 1e-3}, "4d"),
        Sample((noncontiguous(randn(rng, 4, 3)), randn(rng, 3), randn(rng, 3)), {}, "noncontig"),
    ]


def embedding_samples(rng):
    return [
        Sample((np.array([[0, 2, 2], [4, 0, 1]]), randn(rng, 5, 3)), {}, "repeats"),
        Sample((np.array(3), randn(rng, 5, 2)), {}, "scalar-index"),
        Sample((np.array([1, 1, 1, 1]), randn(rng, 3, 2)), {}, "all-same"),
        Sample((np.zeros((0,), np.int64), randn(rng, 3, 2)), {}, "empty"),
    ]


def pad_samples(rng):
    return [
        Sample((randn(rng, 2, 3),), {"pad": (1, 2)}, "last"),
        Sample((randn(rng, 2, 3, 2),), {"pad": (1, 0, 0, 2), "value": 1.5}, "two-dims"),
        Sample((randn(rng, 2, 4),), {"pad": (-1, 1, 1, -1)}, "crop"),
        Sample((noncontiguous(randn(rng, 2, 3)),), {"pad": (0, 1, 1, 1)}, "noncontig"),
        Sample((randn(rng, 2, 4),), {"pad": (3, 2), "mode": "reflect"}, "reflect"),
        Sample((randn(rng, 2, 3, 3),), {"pad": (1, 2, 2, 0), "mode": "reflect"}, "reflect-two-dims"),
        Sample((randn(rng, 3, 2),), {"pad": (4, 1), "mode": "replicate"}, "replicate"),
        Sample((noncontiguous(randn(rng, 2, 3)),), {"pad": (1, 1, 2, 1), "mode": "replicate"}, "edge-nc"),
        Sample((randn(rng, 2, 3),), {"pad": (3, 2), "mode": "circular"}, "circular"),
        Sample((randn(rng, 1, 2, 3),), {"pad": (1, 0, 2, 2), "mode": "circular"}, "circular-two-dims"),
    ]


def attention_samples(rng):
    return [
        Sample((randn(rng, 2, 3, 4), randn(rng, 2, 5, 4), randn(rng, 2, 5, 2)), {}, "plain"),
        Sample(
            (randn(rng, 1, 2, 3, 4), randn(rng, 1, 2, 3, 4), randn(rng, 1, 2, 3, 4)),
            {"is_causal": True},
            "causal",
        ),
        Sample(
            (randn(rng, 3, 2), randn(rng, 4, 2), randn(rng, 4, 2)), {"bias": randn(rng, 3, 4)}, "float-mask"
        ),
        Sample(
            (randn(rng, 2, 3, 2), randn(rng, 2, 4, 2), randn(rng, 2, 4, 3)),
            {"keep": rng.random((3, 4)) < 0.7},
            "bool",
        ),
    ]


def tg_attention(q, k, v, is_causal=False, bias=None, keep=None):
    if keep is not None:
        keep = keep.copy()
        keep[:, 0] = True  # every query attends to something
        mask = tg.tensor(keep)
    else:
        mask = None if bias is None else tg.tensor(bias, dtype=q.dtype)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)


def ref_attention(q, k, v, is_causal=False, bias=None, keep=None):
    if keep is not None:
        keep = keep.copy()
        keep[:, 0] = True
        bias = np.where(keep, 0.0, -np.inf)
    if is_causal:
        bias = causal(q.shape[-2], k.shape[-2])
    return np_attention(q, k, v, bias).astype(q.dtype)


def _tg_weight(kwargs, x):
    w = kwargs.get("weight")
    return dict(kwargs, weight=None if w is None else tg.tensor(w, dtype=x.dtype))


NN_OPS = [
    OpInfo(
        "cross_entropy",
        F.cross_entropy,
        np_cross_entropy,
        class_samples,
        twice_differentiable=False,
        tols=F32_LOOSE,
    ),
    OpInfo(
        "cross_entropy_weighted",
        lambda x, t, **kw: F.cross_entropy(x, t, **_tg_weight(kw, x)),
        np_cross_entropy,
        weighted_class_samples,
        twice_differentiable=False,
        tols=F32_LOOSE,
    ),
    OpInfo("cross_entropy_probs", F.cross_entropy, np_cross_entropy_probs, prob_samples, tols=F32_LOOSE),
    OpInfo(
        "nll_loss",
        lambda x, t, **kw: F.nll_loss(x, t, **_tg_weight(kw, x)),
        np_nll,
        nll_samples,
        tols=F32_LOOSE,
    ),
    OpInfo(
        "mse_loss",
        F.mse_loss,
        lambda x, y, reduction="mean": np_reduce((x - y) ** 2, reduction),
        regression_samples,
    ),
    OpInfo(
        "l1_loss", F.l1_loss, lambda x, y, reduction="mean": np_reduce(np.abs(x - y), reduction), l1_samples
    ),
    OpInfo(
        "bce_with_logits",
        lambda x, t, w=None, pw=None, **kw: F.binary_cross_entropy_with_logits(x, t, w, pos_weight=pw, **kw),
        np_bce,
        bce_samples,
        tols=F32_LOOSE,
    ),
    OpInfo("gelu", F.gelu, np_gelu, activation_samples(), tols=F32_LOOSE),
    OpInfo("gelu_tanh", F.gelu, np_gelu, activation_samples(approximate="tanh"), tols=F32_LOOSE),
    OpInfo(
        "leaky_relu",
        F.leaky_relu,
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        activation_samples(negative_slope=0.2),
    ),
    OpInfo(
        "softplus",
        F.softplus,
        lambda x: np.logaddexp(0, x).astype(x.dtype),
        activation_samples(),
        tols=F32_LOOSE,
    ),
    OpInfo("silu", F.silu, lambda x: x / (1 + np.exp(-x)), activation_samples(), tols=F32_LOOSE),
    OpInfo(
        "layer_norm",
        F.layer_norm,
        np_layer_norm,
        layer_norm_samples,
        twice_differentiable=False,
        tols=F32_LOOSER,
    ),
    OpInfo(
        "batch_norm_training",
        lambda x, w, b, eps=1e-5: F.batch_norm(x, None, None, w, b, training=True, eps=eps),
        np_batch_norm,
        batch_norm_samples,
        twice_differentiable=False,
        tols=F32_LOOSER,
    ),
    OpInfo("embedding", F.embedding, lambda idx, w: w[idx], embedding_samples),
    OpInfo("pad", F.pad, np_pad, pad_samples),
    OpInfo("scaled_dot_product_attention", tg_attention, ref_attention, attention_samples, tols=F32_LOOSER),
    OpInfo(
        "linear",
        F.linear,
        lambda x, w, b=None: x @ w.T + (0 if b is None else b),
        lambda rng: [
            Sample((randn(rng, 3, 4), randn(rng, 2, 4), randn(rng, 2)), {}, "bias"),
            Sample((randn(rng, 2, 3, 4), randn(rng, 2, 4)), {}, "batched-no-bias"),
        ],
        tols=F32_LOOSE,
    ),
]


def _cases(twice_only=False):
    cases = []
    for info in NN_OPS:
        if twice_only and not info.twice_differentiable:
            continue
        rng = np.random.default_rng(zlib.crc32(info.name.encode()))
        for i, sample in enumerate(info.samples(rng)):
            cases.append(pytest.param(info, sample, id=f"{info.name}-{i}-{sample.desc}"))
    return cases


CASES = _cases()


@pytest.mark.parametrize("info, sample", CASES)
def test_gradcheck(info, sample):
    check_grad(info, sample)


@pytest.mark.parametrize("info, sample", _cases(twice_only=True))
def test_gradgradcheck(info, sample):
    check_gradgrad(info, sample)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("info, sample", CASES)
def test_forward_matches_numpy(info, sample, dtype):
    check_forward(info, sample, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("info, sample", CASES)
def test_backward_gives_input_shaped_gradients(info, sample, dtype):
    check_backward(info, sample, dtype)


# ---- once-differentiable ops refuse a second derivative -------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.cross_entropy(x, tg.tensor([0, 2, 1])),
        lambda x: F.layer_norm(x, (3,)),
        lambda x: F.batch_norm(x, None, None, training=True),
    ],
    ids=["cross_entropy", "layer_norm", "batch_norm"],
)
def test_second_derivative_of_once_differentiable_op_raises(fn):
    x = tg.randn(3, 3, dtype=tg.float64, requires_grad=True)
    w = tg.randn(3, 3, dtype=tg.float64, requires_grad=True)
    (g,) = grad((fn(x * w) * 1.0).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="only once differentiable"):
        g.sum().backward()


# ---- cross-entropy semantics ---------------------------------------------------------------------


def test_cross_entropy_all_ignored_mean_is_nan_and_gradient_zero():
    x = tg.randn(3, 4, requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    assert np.all(x.grad.numpy() == 0)


@pytest.mark.parametrize("bad", [4, -1, 100])
def test_cross_entropy_rejects_out_of_range_labels(bad):
    with pytest.raises(IndexError, match=f"target {bad} is out of bounds"):
        F.cross_entropy(tg.randn(2, 4), tg.tensor([0, bad]))


@pytest.mark.parametrize(
    "x, t, match",
    [
        (tg.randn(3, 4), tg.tensor([0, 1]), "expected target of shape"),
        (tg.randn(3, 4), tg.tensor([0.0, 1.0, 2.0]), "class-probability target"),
        (tg.randn(3, 4), tg.tensor([True, False, True]), "dtype int64"),
        (tg.randn(3, 0), tg.tensor([0, 0, 0]), "no classes"),
    ],
)
def test_cross_entropy_rejects_bad_shapes_and_dtypes(x, t, match):
    with pytest.raises((ValueError, RuntimeError), match=match):
        F.cross_entropy(x, t)


def test_cross_entropy_rejects_bad_arguments():
    x, t = tg.randn(2, 3), tg.tensor([0, 1])
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, t, reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, t, label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="weight tensor should be defined"):
        F.cross_entropy(x, t, weight=tg.ones(4))


def test_cross_entropy_large_logits_stay_finite():
    x = tg.tensor([[1e4, -1e4, 0.0], [-3e4, 3e4, 2e4]], requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([1, 1]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1e4, rtol=1e-6)
    assert np.isfinite(x.grad.numpy()).all()


def test_cross_entropy_legacy_reduce_arguments():
    x, t = tg.randn(4, 3), tg.tensor([0, 1, 2, 0])
    with pytest.warns(UserWarning, match="deprecated"):
        none = F.cross_entropy(x, t, reduce=False)
    assert none.shape == (4,)
    with pytest.warns(UserWarning):
        total = F.cross_entropy(x, t, size_average=False)
    np.testing.assert_allclose(total.item(), none.numpy().sum(), rtol=1e-6)


def test_cross_entropy_detects_inplace_change_of_logits():
    x = tg.randn(2, 3, requires_grad=True)
    logits = x * 1.0
    loss = F.cross_entropy(logits, tg.tensor([0, 1]))
    with tg.no_grad():
        logits.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# ---- binary cross-entropy, mse ------------------------------------------------------------------------


def test_bce_with_logits_is_exact_for_huge_logits():
    x = tg.tensor([100.0, -100.0, 50.0, -50.0], dtype=tg.float64, requires_grad=True)
    t = tg.tensor([1.0, 0.0, 0.0, 1.0], dtype=tg.float64)
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [np.exp(-100), np.exp(-100), 50.0, 50.0], rtol=1e-12)
    loss.sum().backward()
    np.testing.assert_allclose(
        x.grad.numpy(), [-np.exp(-100), np.exp(-100), 1.0, -1.0], rtol=1e-12, atol=1e-30
    )


def test_bce_with_logits_rejects_mismatched_target():
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(tg.randn(3), tg.rand(4))


def test_mse_loss_warns_on_broadcasting_target():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(tg.randn(3, 1), tg.randn(3))


# ---- activations, softmax --------------------------------------------------------------------------


def test_softmax_without_dim_warns_and_uses_pytorch_legacy_dim():
    x = tg.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmax(x)
    np.testing.assert_allclose(y.numpy().sum(1), 1.0, rtol=1e-6)


def test_inplace_relu_and_leaky_relu_write_into_input():
    x = tg.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0])
    y = tg.tensor([-1.0, 2.0])
    F.leaky_relu(y, 0.5, inplace=True)
    np.testing.assert_array_equal(y.numpy(), [-0.5, 2.0])


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(tg.randn(2), approximate="fast")


# ---- dropout ---------------------------------------------------------------------------------------


def test_dropout_zeroes_about_p_and_scales_the_rest():
    tg.manual_seed(1)
    x = tg.ones(200, 100)
    y = F.dropout(x, 0.3).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_repeats_after_manual_seed_and_is_identity_when_not_training():
    x = tg.randn(10, 10)
    tg.manual_seed(3)
    a = F.dropout(x, 0.5).numpy()
    tg.manual_seed(3)
    b = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_gradient_uses_the_same_mask():
    tg.manual_seed(0)
    x = tg.randn(50, requires_grad=True)
    y = F.dropout(x, 0.4)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (y.detach().numpy() != 0) / 0.6, rtol=1e-6)


def test_dropout_edge_probabilities_and_shapes():
    x = tg.randn(5, requires_grad=True)
    assert np.all(F.dropout(x, 1.0).detach().numpy() == 0)
    scalar = F.dropout(tg.tensor(2.0), 0.5)
    assert isinstance(scalar.numpy(), np.ndarray) and scalar.item() in (0.0, 4.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


# ---- norms, embedding, pad: errors and running statistics ------------------------------------------


def test_batch_norm_updates_running_stats_with_unbiased_variance():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3, 2)).astype(np.float32)
    rm, rv = tg.zeros(3), tg.ones(3)
    F.batch_norm(tg.tensor(x), rm, rv, training=True, momentum=0.25)
    np.testing.assert_allclose(rm.numpy(), 0.25 * x.mean((0, 2)), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(rv.numpy(), 0.75 + 0.25 * x.var((0, 2), ddof=1), rtol=1e-5)


def test_batch_norm_eval_uses_running_stats():
    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    rm, rv = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64), tg.tensor([4.0, 1.0, 0.25], dtype=tg.float64)
    y = F.batch_norm(tg.tensor(x), rm, rv, training=False, eps=0.0)
    np.testing.assert_allclose(y.numpy(), (x - rm.numpy()) / np.sqrt(rv.numpy()))


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(tg.randn(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="expected running_mean of shape"):
        F.batch_norm(tg.randn(2, 3), tg.zeros(4), tg.ones(4))
    with pytest.raises(RuntimeError, match="dtype"):
        F.batch_norm(tg.randn(2, 3), None, None, tg.ones(3, dtype=tg.float64), training=True)


def test_layer_norm_shape_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\[2, 3\]"):
        F.layer_norm(tg.randn(2, 3), (4,))


def test_embedding_errors():
    w = tg.randn(5, 2)
    with pytest.raises(IndexError, match="index 5 is out of range"):
        F.embedding(tg.tensor([0, 5]), w)
    with pytest.raises(IndexError, match="index -1"):
        F.embedding(tg.tensor([-1]), w)
    with pytest.raises(RuntimeError, match="int64.*got dtype float32"):
        F.embedding(tg.tensor([0.0]), w)
    with pytest.raises(TypeError, match="int64 Tensor of indices, got list"):
        F.embedding([0], w)


def test_embedding_padding_idx_gets_no_gradient_and_repeats_accumulate():
    w = tg.randn(4, 3, requires_grad=True)
    F.embedding(tg.tensor([1, 1, 2, 1]), w, padding_idx=2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.array([[0, 0, 0], [3, 3, 3], [0, 0, 0], [0, 0, 0]]))


def test_embedding_max_norm_renormalises_looked_up_rows_in_place():
    w = tg.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    F.embedding(tg.tensor([0, 1]), w, max_norm=1.0)
    np.testing.assert_allclose(np.linalg.norm(w.numpy(), axis=1), [1.0, 0.5, 10.0], rtol=1e-5)


def test_pad_errors():
    with pytest.raises(ValueError, match="padding length"):
        F.pad(tg.randn(2), (1, 1, 1, 1))
    with pytest.raises(NotImplementedError, match="unrecognised padding mode 'mirror'"):
        F.pad(tg.randn(2, 2), (1, 1), mode="mirror")
    with pytest.raises(RuntimeError, match="reflect padding \\(2, 0\\) of dim 1 must be at most 1 for its"):
        F.pad(tg.randn(2, 2), (2, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="circular padding \\(0, 3\\) of dim 1 must be at most 2"):
        F.pad(tg.randn(2, 2), (0, 3), mode="circular")
    with pytest.raises(RuntimeError, match="replicate padding \\(-1, 1\\) of dim 1 must be non-negative"):
        F.pad(tg.randn(2, 2), (-1, 1), mode="replicate")
    with pytest.raises(ValueError, match="doesn't take in value"):
        F.pad(tg.randn(2, 2), (1, 1), mode="reflect", value=1.0)


def test_replicate_padding_accumulates_the_edge_gradients():
    x = tg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    F.pad(x, (2, 1), mode="replicate").sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3.0, 1.0, 2.0]])


def test_sdpa_bool_mask_true_means_attend_and_causal_conflict():
    q = tg.randn(1, 2, 4)
    keep = tg.tensor([[True, False], [True, True]])
    out = F.scaled_dot_product_attention(q, q, q, attn_mask=keep)
    np.testing.assert_allclose(out.numpy()[0, 0], q.numpy()[0, 0], rtol=1e-6)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=keep, is_causal=True)
