"""The workloads written once against PyTorch's API, run with `torch` and with `tensorgrad`.

Each function takes a `TorchLike` (`fw.torch`, `fw.nn`, `fw.F`, `fw.optim`) and the numpy
inputs from `specs`, and is exactly the code a PyTorch user would write; the tensorgrad
column is this same code after `import tensorgrad as torch`.
"""

from __future__ import annotations

from typing import Any

from . import specs
from .case import Case
from .frameworks import TorchLike


def _copy_params(torch: Any, params: list, arrays: list) -> None:
    with torch.no_grad():
        for p, a in zip(params, arrays):
            p.copy_(torch.from_numpy(a))


def _grads(params: list) -> Any:
    return lambda: [p.grad for p in params]


def mlp_train_step(fw: TorchLike, d: dict) -> Case:
    """W1: 784-512-256-10 MLP with ReLU, cross-entropy, SGD with momentum."""
    torch, nn, F, optim = fw.torch, fw.nn, fw.F, fw.optim
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    params = list(model.parameters())
    _copy_params(torch, params, d["params"])
    opt = optim.SGD(params, lr=specs.MLP_LR, momentum=specs.MLP_MOMENTUM)
    x, y = torch.from_numpy(d["x"]), torch.from_numpy(d["y"])

    def step() -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return Case(step, _grads(params))


def cnn_train_step(fw: TorchLike, d: dict) -> Case:
    """W2: conv-relu-maxpool twice, flatten, linear, cross-entropy, plain SGD."""
    torch, nn, F, optim = fw.torch, fw.nn, fw.F, fw.optim
    conv1 = nn.Conv2d(1, 8, 3, padding=1)
    conv2 = nn.Conv2d(8, 16, 3, padding=1)
    fc = nn.Linear(16 * 7 * 7, 10)
    params = [*conv1.parameters(), *conv2.parameters(), *fc.parameters()]
    _copy_params(torch, params, d["params"])
    opt = optim.SGD(params, lr=specs.CNN_LR)
    x, y = torch.from_numpy(d["x"]), torch.from_numpy(d["y"])

    def step() -> Any:
        opt.zero_grad()
        h = F.max_pool2d(F.relu(conv1(x)), 2)
        h = F.max_pool2d(F.relu(conv2(h)), 2)
        loss = F.cross_entropy(fc(h.flatten(1)), y)
        loss.backward()
        opt.step()
        return loss

    return Case(step, _grads(params))


def op_chain(fw: TorchLike, d: dict) -> Case:
    """W3: 100 ops on a (16,) tensor cycling add, mul, tanh; then sum and backward."""
    torch = fw.torch
    x = torch.from_numpy(d["x"]).requires_grad_()
    c = torch.from_numpy(d["c"])
    cycles, rest = divmod(specs.CHAIN_OPS, 3)
    assert rest == 1, "the chain is unrolled as (add, mul, tanh) cycles plus one add"

    def step() -> Any:
        x.grad = None
        y = x
        for _ in range(cycles):
            y = torch.tanh((y + c) * c)
        s = (y + c).sum()
        s.backward()
        return s

    return Case(step, _grads([x]))


def matmul_fwd_bwd(fw: TorchLike, d: dict) -> Case:
    """W4 (any shape): c = a @ b, then backward to both inputs with upstream gradient g."""
    torch = fw.torch
    a = torch.from_numpy(d["a"]).requires_grad_()
    b = torch.from_numpy(d["b"]).requires_grad_()
    g = torch.from_numpy(d["g"])

    def step() -> Any:
        a.grad = None
        b.grad = None
        c = a @ b
        c.backward(g)
        return c

    return Case(step, _grads([a, b]))


def elementwise_chain(fw: TorchLike, d: dict) -> Case:
    """W5: (tanh(x) * x + 1).sum(), forward and backward."""
    torch = fw.torch
    x = torch.from_numpy(d["x"]).requires_grad_()

    def step() -> Any:
        x.grad = None
        s = (torch.tanh(x) * x + 1).sum()
        s.backward()
        return s

    return Case(step, _grads([x]))


def cross_entropy(fw: TorchLike, d: dict) -> Case:
    """W6: mean cross-entropy of logits against int64 labels, forward and backward."""
    torch, F = fw.torch, fw.F
    logits = torch.from_numpy(d["logits"]).requires_grad_()
    labels = torch.from_numpy(d["labels"])

    def step() -> Any:
        logits.grad = None
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        return loss

    return Case(step, _grads([logits]))
