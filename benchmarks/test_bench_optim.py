"""Optimizer updates over W1's parameters (535k floats in six tensors), gradients fixed."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import specs

OPTIMIZERS = {  # name: (class name in optim, keyword arguments)
    "SGD momentum": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "Adam": ("Adam", {"lr": 1e-3}),
    "AdamW": ("AdamW", {"lr": 1e-3}),
    "RMSprop": ("RMSprop", {"lr": 1e-3}),
}


@pytest.mark.benchmark(group="optimizer step, W1 parameters")
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_step(benchmark, tg, name):
    torch = tg.torch
    rng = np.random.default_rng(8)
    params = []
    for array in specs.mlp_data()["params"]:
        p = tg.nn.Parameter(torch.from_numpy(array.copy()))
        p.grad = torch.from_numpy(rng.standard_normal(array.shape, dtype=np.float32) * 1e-3)
        params.append(p)
    cls, kwargs = OPTIMIZERS[name]
    opt = getattr(tg.optim, cls)(params, **kwargs)
    benchmark(opt.step)
    assert len(opt.state) == len(params)
