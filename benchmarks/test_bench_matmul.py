"""matmul forward + backward to both inputs: W4's 1024^3 and the three W1 (MLP) layer shapes."""

from __future__ import annotations

import pytest

from benchmarks import specs, torchlike

SHAPES = {  # (m, k, n): (m, k) @ (k, n)
    "1024x1024x1024": (1024, 1024, 1024),
    "mlp1 128x784x512": (128, 784, 512),
    "mlp2 128x512x256": (128, 512, 256),
    "mlp3 128x256x10": (128, 256, 10),
}


@pytest.mark.benchmark(group="matmul fwd+bwd")
@pytest.mark.parametrize("shape", SHAPES)
def test_matmul_fwd_bwd(benchmark, tg, shape):
    m, k, n = SHAPES[shape]
    case = torchlike.matmul_fwd_bwd(tg, specs.matmul_data(m, k, n))
    benchmark(case.step)
    assert [tuple(g.shape) for g in case.grads()] == [(m, k), (k, n)]
