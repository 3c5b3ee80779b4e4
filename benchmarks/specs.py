"""The inputs of every workload, generated once in numpy with fixed seeds.

Every column (tensorgrad, numpy by hand, PyTorch) copies these same arrays, so all columns
start from the same weights and data and must compute the same numbers.
"""

from __future__ import annotations

import numpy as np

MLP_SIZES = (784, 512, 256, 10)
MLP_BATCH = 128
MLP_LR = 0.01
MLP_MOMENTUM = 0.9

CNN_BATCH = 64
CNN_LR = 0.01

CHAIN_OPS = 100  # W3: ops in the chain, cycling add, mul, tanh
CHAIN_SIZE = 16

MATMUL_N = 1024
ELEMENTWISE_N = 4_000_000
CE_SHAPE = (4096, 1000)


def _uniform_init(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    """PyTorch's default init for Linear and Conv2d weights and biases: U(-1/sqrt(fan_in), +)."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


def mlp_data(seed: int = 1) -> dict:
    """W1: params [w1, b1, w2, b2, w3, b3] (PyTorch's (out, in) layout), batch x, labels y."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        params.append(_uniform_init(rng, (fan_out, fan_in), fan_in))
        params.append(_uniform_init(rng, (fan_out,), fan_in))
    x = rng.standard_normal((MLP_BATCH, MLP_SIZES[0]), dtype=np.float32)
    y = rng.integers(0, MLP_SIZES[-1], size=MLP_BATCH, dtype=np.int64)
    return {"params": params, "x": x, "y": y}


def cnn_data(seed: int = 2) -> dict:
    """W2: params [conv1.w, conv1.b, conv2.w, conv2.b, fc.w, fc.b], images x (N,1,28,28), labels y."""
    rng = np.random.default_rng(seed)
    params = [
        _uniform_init(rng, (8, 1, 3, 3), 1 * 9),
        _uniform_init(rng, (8,), 1 * 9),
        _uniform_init(rng, (16, 8, 3, 3), 8 * 9),
        _uniform_init(rng, (16,), 8 * 9),
        _uniform_init(rng, (10, 16 * 7 * 7), 16 * 7 * 7),
        _uniform_init(rng, (10,), 16 * 7 * 7),
    ]
    x = rng.standard_normal((CNN_BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, size=CNN_BATCH, dtype=np.int64)
    return {"params": params, "x": x, "y": y}


def chain_data(seed: int = 3) -> dict:
    """W3: the chain's input x and the constant c (near 1, so the chain stays well scaled)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(CHAIN_SIZE, dtype=np.float32)
    c = rng.uniform(0.5, 1.5, size=CHAIN_SIZE).astype(np.float32)
    return {"x": x, "c": c}


def matmul_data(m: int = MATMUL_N, k: int = MATMUL_N, n: int = MATMUL_N, seed: int = 4) -> dict:
    """W4 (and the matmul micro-benchmarks): a (m,k) @ b (k,n), upstream gradient g (m,n)."""
    rng = np.random.default_rng(seed)
    return {
        "a": rng.standard_normal((m, k), dtype=np.float32),
        "b": rng.standard_normal((k, n), dtype=np.float32),
        "g": rng.standard_normal((m, n), dtype=np.float32),
    }


def elementwise_data(n: int = ELEMENTWISE_N, seed: int = 5) -> dict:
    """W5: x of n elements."""
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal(n, dtype=np.float32)}


def cross_entropy_data(shape: tuple[int, int] = CE_SHAPE, seed: int = 6) -> dict:
    """W6: logits (N, C) and int64 labels (N,)."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(shape, dtype=np.float32)
    labels = rng.integers(0, shape[1], size=shape[0], dtype=np.int64)
    return {"logits": logits, "labels": labels}
