"""Convolution and max pooling forward + backward at W2's shapes (batch 64, 28x28 images)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import specs
from benchmarks.micro import fwd_bwd

N = specs.CNN_BATCH
CONVS = {  # name: (in_channels, out_channels, size, input needs a gradient)
    "conv1 1->8 28x28": (1, 8, 28, False),
    "conv2 8->16 14x14": (8, 16, 14, True),
}
POOLS = {"pool1 8x28x28": (8, 28), "pool2 16x14x14": (16, 14)}


def _images(channels: int, size: int) -> np.ndarray:
    return np.random.default_rng(7).standard_normal((N, channels, size, size), dtype=np.float32)


@pytest.mark.benchmark(group="conv2d 3x3 pad 1 fwd+bwd")
@pytest.mark.parametrize("name", CONVS)
def test_conv2d_fwd_bwd(benchmark, tg, name):
    cin, cout, size, input_grad = CONVS[name]
    conv = tg.nn.Conv2d(cin, cout, 3, padding=1)
    x = tg.torch.from_numpy(_images(cin, size)).requires_grad_(input_grad)
    leaves = [conv.weight, conv.bias, *([x] if input_grad else [])]
    benchmark(fwd_bwd(tg.torch, lambda: conv(x), leaves))
    assert conv.weight.grad.shape == (cout, cin, 3, 3)


@pytest.mark.benchmark(group="max_pool2d 2 fwd+bwd")
@pytest.mark.parametrize("name", POOLS)
def test_max_pool2d_fwd_bwd(benchmark, tg, name):
    channels, size = POOLS[name]
    x = tg.torch.from_numpy(_images(channels, size)).requires_grad_()
    benchmark(fwd_bwd(tg.torch, lambda: tg.F.max_pool2d(x, 2), [x]))
    assert x.grad.shape == x.shape
