"""Elementwise: W5's chain `(tanh(x) * x + 1).sum()` forward + backward on 4M elements."""

from __future__ import annotations

import pytest

from benchmarks import specs, torchlike


@pytest.mark.benchmark(group="elementwise")
def test_w5_tanh_mul_add_sum(benchmark, tg):
    case = torchlike.elementwise_chain(tg, specs.elementwise_data())
    benchmark(case.step)
    assert case.grads()[0].shape == (specs.ELEMENTWISE_N,)
