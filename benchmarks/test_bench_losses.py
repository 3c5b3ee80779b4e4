"""Softmax cross-entropy (mean, int64 labels) forward + backward: W6's shape and W1's."""

from __future__ import annotations

import pytest

from benchmarks import specs, torchlike

SHAPES = {"W6 4096x1000": specs.CE_SHAPE, "W1 128x10": (specs.MLP_BATCH, specs.MLP_SIZES[-1])}


@pytest.mark.benchmark(group="cross-entropy fwd+bwd")
@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_fwd_bwd(benchmark, tg, shape):
    case = torchlike.cross_entropy(tg, specs.cross_entropy_data(SHAPES[shape]))
    benchmark(case.step)
    assert case.grads()[0].shape == SHAPES[shape]
