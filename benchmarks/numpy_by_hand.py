"""The workloads written by hand in numpy: forward, the chain rule worked out, the update.

This is the baseline a user gets without any framework: vectorised numpy, BLAS through `@`,
in-place updates where they come naturally, no graph and no per-op bookkeeping.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import specs
from .case import Case


def _softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[np.float32, np.ndarray]:
    """Mean cross-entropy of logits z (N, C) against labels y, and its gradient wrt z."""
    n = z.shape[0]
    rows = np.arange(n)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - shifted[rows, y])
    e /= s
    e[rows, y] -= 1
    e /= n
    return loss, e


class _SGD:
    """PyTorch's SGD update: buf = momentum * buf + g (buf = g at the first step); p -= lr * buf."""

    def __init__(self, params: list[np.ndarray], lr: float, momentum: float = 0.0) -> None:
        self.params, self.lr, self.momentum = params, lr, momentum
        self.bufs: list[np.ndarray] | None = None

    def step(self, grads: list[np.ndarray]) -> None:
        if self.momentum == 0.0:
            for p, g in zip(self.params, grads):
                p -= self.lr * g
            return
        if self.bufs is None:
            self.bufs = [g.copy() for g in grads]
        else:
            for buf, g in zip(self.bufs, grads):
                buf *= self.momentum
                buf += g
        for p, buf in zip(self.params, self.bufs):
            p -= self.lr * buf


def mlp_train_step(d: dict) -> Case:
    """W1 by hand."""
    params = [p.copy() for p in d["params"]]
    w1, b1, w2, b2, w3, b3 = params
    x, y = d["x"], d["y"]
    opt = _SGD(params, specs.MLP_LR, specs.MLP_MOMENTUM)
    last: list = []

    def step() -> Any:
        h1 = x @ w1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ w3.T
        z += b3
        loss, dz = _softmax_cross_entropy(z, y)
        dh2 = dz @ w3
        dh2 *= h2 > 0
        dh1 = dh2 @ w2
        dh1 *= h1 > 0
        grads = [dh1.T @ x, dh1.sum(0), dh2.T @ h1, dh2.sum(0), dz.T @ h2, dz.sum(0)]
        opt.step(grads)
        last[:] = grads
        return loss

    return Case(step, lambda: last)


def _conv3x3_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """3x3 convolution, padding 1, on NHWC input via im2col; returns (out NHWC, columns)."""
    n, h, wd, c = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = sliding_window_view(padded, (3, 3), axis=(1, 2)).reshape(n * h * wd, c * 9)
    out = cols @ w.reshape(w.shape[0], -1).T
    out += b
    return out.reshape(n, h, wd, w.shape[0]), cols


def _conv3x3_backward(
    dout: np.ndarray, cols: np.ndarray, w: np.ndarray, need_dx: bool
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients (dx NHWC or None, dw, db) of `_conv3x3_forward` given dout (NHWC)."""
    n, h, wd, o = dout.shape
    dmat = dout.reshape(-1, o)
    dw = (dmat.T @ cols).reshape(w.shape)
    db = dmat.sum(0)
    if not need_dx:
        return None, dw, db
    c = w.shape[1]
    dcols = (dmat @ w.reshape(o, -1)).reshape(n, h, wd, c, 3, 3)
    dpadded = np.zeros((n, h + 2, wd + 2, c), dtype=dout.dtype)
    for i in range(3):
        for j in range(3):
            dpadded[:, i : i + h, j : j + wd, :] += dcols[..., i, j]
    return dpadded[:, 1:-1, 1:-1, :], dw, db


_QUADRANTS = ((0, 0), (0, 1), (1, 0), (1, 1))  # offsets of the four elements of a 2x2 window


def _maxpool2_forward(x: np.ndarray) -> np.ndarray:
    """2x2 max pooling, stride 2, NHWC (maximum of the four strided quadrants: faster in numpy
    than a reduction over reshaped window axes)."""
    return np.maximum(
        np.maximum(x[:, 0::2, 0::2], x[:, 0::2, 1::2]), np.maximum(x[:, 1::2, 0::2], x[:, 1::2, 1::2])
    )


def _maxpool2_backward(dout: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    # Ties share the gradient; here they only occur among ReLU zeros, whose gradient the
    # ReLU backward then drops, so the result equals PyTorch's first-maximum rule.
    dx = np.empty_like(x)
    for i, j in _QUADRANTS:
        np.multiply(x[:, i::2, j::2] == out, dout, out=dx[:, i::2, j::2])
    return dx


def cnn_train_step(d: dict) -> Case:
    """W2 by hand: im2col convolutions in NHWC, flattened in PyTorch's (C, H, W) order."""
    params = [p.copy() for p in d["params"]]
    cw1, cb1, cw2, cb2, fw, fb = params
    x = np.ascontiguousarray(d["x"].transpose(0, 2, 3, 1))
    y = d["y"]
    n = x.shape[0]
    opt = _SGD(params, specs.CNN_LR)
    last: list = []

    def step() -> Any:
        a1, cols1 = _conv3x3_forward(x, cw1, cb1)
        np.maximum(a1, 0, out=a1)
        p1 = _maxpool2_forward(a1)
        a2, cols2 = _conv3x3_forward(p1, cw2, cb2)
        np.maximum(a2, 0, out=a2)
        p2 = _maxpool2_forward(a2)
        flat = p2.transpose(0, 3, 1, 2).reshape(n, -1)
        z = flat @ fw.T
        z += fb
        loss, dz = _softmax_cross_entropy(z, y)
        dflat = dz @ fw
        dp2 = dflat.reshape(p2.shape[0], p2.shape[3], p2.shape[1], p2.shape[2]).transpose(0, 2, 3, 1)
        da2 = _maxpool2_backward(dp2, a2, p2)
        da2 *= a2 > 0
        dp1, dcw2, dcb2 = _conv3x3_backward(da2, cols2, cw2, need_dx=True)
        da1 = _maxpool2_backward(dp1, a1, p1)
        da1 *= a1 > 0
        _, dcw1, dcb1 = _conv3x3_backward(da1, cols1, cw1, need_dx=False)
        grads = [dcw1, dcb1, dcw2, dcb2, dz.T @ flat, dz.sum(0)]
        opt.step(grads)
        last[:] = grads
        return loss

    return Case(step, lambda: last)


def op_chain(d: dict) -> Case:
    """W3 by hand: the chain forward keeping tanh outputs, then the chain rule backwards."""
    x, c = d["x"], d["c"]
    cycles = specs.CHAIN_OPS // 3
    last: list = []

    def step() -> Any:
        y = x
        outs = []
        for _ in range(cycles):
            y = np.tanh((y + c) * c)
            outs.append(y)
        s = (y + c).sum()
        g = np.ones_like(x)
        for t in reversed(outs):
            g = g * (1 - t * t) * c
        last[:] = [g]
        return s

    return Case(step, lambda: last)


def matmul_fwd_bwd(d: dict) -> Case:
    """W4 by hand: c = a @ b; da = g @ b.T; db = a.T @ g."""
    a, b, g = d["a"], d["b"], d["g"]
    last: list = []

    def step() -> Any:
        c = a @ b
        last[:] = [g @ b.T, a.T @ g]
        return c

    return Case(step, lambda: last)


def elementwise_chain(d: dict) -> Case:
    """W5 by hand: s = sum(tanh(x) * x + 1); ds/dx = (1 - tanh(x)^2) * x + tanh(x)."""
    x = d["x"]
    last: list = []

    def step() -> Any:
        t = np.tanh(x)
        s = (t * x + 1).sum()
        g = t * t
        np.subtract(1, g, out=g)
        g *= x
        g += t
        last[:] = [g]
        return s

    return Case(step, lambda: last)


def cross_entropy(d: dict) -> Case:
    """W6 by hand."""
    logits, labels = d["logits"], d["labels"]
    last: list = []

    def step() -> Any:
        loss, g = _softmax_cross_entropy(logits, labels)
        last[:] = [g]
        return loss

    return Case(step, lambda: last)
