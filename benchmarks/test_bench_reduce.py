"""Reductions forward + backward: full and per-row sums, softmax and log_softmax over rows."""

from __future__ import annotations

import pytest

from benchmarks import specs
from benchmarks.micro import fwd_bwd

CASES = {  # name: (input, reduction)
    "sum all 4M": (lambda: specs.elementwise_data()["x"], lambda x: x.sum()),
    "sum dim=1 4096x1000": (lambda: specs.cross_entropy_data()["logits"], lambda x: x.sum(dim=1)),
    "softmax dim=1 4096x1000": (lambda: specs.cross_entropy_data()["logits"], lambda x: x.softmax(dim=1)),
    "log_softmax dim=1 4096x1000": (
        lambda: specs.cross_entropy_data()["logits"],
        lambda x: x.log_softmax(dim=1),
    ),
}


@pytest.mark.benchmark(group="reductions fwd+bwd")
@pytest.mark.parametrize("name", CASES)
def test_reduction_fwd_bwd(benchmark, tg, name):
    make_input, reduce = CASES[name]
    x = tg.torch.from_numpy(make_input()).requires_grad_()
    benchmark(fwd_bwd(tg.torch, lambda: reduce(x), [x]))
    assert x.grad.shape == x.shape
