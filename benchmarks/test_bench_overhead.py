"""Per-op overhead, W3: 100 chained ops on a (16,) tensor (add, mul, tanh) + sum + backward.

pytest-benchmark reports the time of the whole chain; divide by 100 for W3's figure.
"""

from __future__ import annotations

import pytest

from benchmarks import specs, torchlike


@pytest.mark.benchmark(group="overhead")
def test_w3_chain_of_100_ops(benchmark, tg):
    case = torchlike.op_chain(tg, specs.chain_data())
    benchmark(case.step)
    assert case.grads()[0].shape == (specs.CHAIN_SIZE,)
