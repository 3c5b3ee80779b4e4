"""Memory and lifetime: graphs and saved tensors are freed by backward and by reference counting
alone (no cycles left for the garbage collector), and 10,000 training steps do not grow memory."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn

SOAK_STEPS = 10_000
WARMUP_STEPS = 300
# A leak of one float32 scalar tensor per step (the loss: a Tensor, its ndarray and 4 bytes, about
# 250 bytes) adds 2.5 MB over the soak, and one batch-8 hidden activation about 4 MB, so 1 MB fails
# every per-step leak while leaving room for allocator noise.
GROWTH_LIMIT = 1_000_000


def tiny_mlp():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 4))


def batch(step):
    rng = np.random.default_rng(step % 50)
    x = tg.tensor(rng.standard_normal((8, 16)).astype(np.float32))
    y = tg.tensor(rng.integers(0, 4, 8))
    return x, y


def make_trainer(optimizer_cls=tg.optim.Adam, **options):
    model = tiny_mlp()
    opt = optimizer_cls(model.parameters(), lr=1e-3, **options)
    loss_fn = nn.CrossEntropyLoss()
    data = [batch(i) for i in range(50)]

    def step(i):
        x, y = data[i % 50]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return model, opt, step


def test_ten_thousand_steps_do_not_grow_memory():
    _, _, step = make_trainer()
    for i in range(WARMUP_STEPS):
        step(i)
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(WARMUP_STEPS):  # let the tracemalloc'd allocator reach its steady state
            step(i)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        first = step(0)
        for i in range(1, SOAK_STEPS):
            last = step(i)
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    growth = after - before
    print(f"soak: {SOAK_STEPS} steps, traced memory {before} -> {after} bytes (growth {growth}), peak {peak}")
    assert np.isfinite(last) and last < first  # it trained
    assert growth < GROWTH_LIMIT, f"memory grew by {growth} bytes over {SOAK_STEPS} steps"


def test_soak_limit_catches_a_leak_of_one_activation_per_step():
    """The same measurement with a deliberate leak of each step's loss tensor must fail the limit."""
    _, _, step = make_trainer()
    leak = []
    model = tiny_mlp()
    x, y = batch(0)
    for i in range(WARMUP_STEPS):
        step(i)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(SOAK_STEPS // 2):
            with tg.no_grad():
                leak.append(model[0](x)[:1, :1])  # one small activation view per step
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert (after - before) * 2 > GROWTH_LIMIT


def collect_garbage_after(fn):
    """Run fn with the collector off; return the objects that only gc.collect() could free."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        fn()
        gc.collect()
        found = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return found


@pytest.mark.parametrize("optimizer_cls", [tg.optim.SGD, tg.optim.Adam, tg.optim.AdamW, tg.optim.RMSprop])
def test_a_training_step_leaves_no_reference_cycles(optimizer_cls):
    options = {"momentum": 0.9} if optimizer_cls is tg.optim.SGD else {}
    _, _, step = make_trainer(optimizer_cls, **options)
    step(0)  # first step creates optimizer state

    def steps():
        for i in range(1, 4):
            step(i)

    garbage = collect_garbage_after(steps)
    assert garbage == [], f"{len(garbage)} objects in cycles: {sorted({type(o).__name__ for o in garbage})}"


def test_double_backward_and_layers_leave_no_reference_cycles():
    tg.manual_seed(1)
    conv = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2))
    norm = nn.LayerNorm(8)
    emb = nn.Embedding(10, 8)
    attn = nn.MultiheadAttention(8, 2, batch_first=True)

    def work():
        x = tg.randn(2, 1, 6, 6)
        conv(x).sum().backward()
        tokens = emb(tg.tensor([[1, 2, 3], [4, 5, 6]]))
        out, _ = attn(tokens, tokens, tokens)
        norm(out).pow(2).mean().backward()
        w = tg.randn(5, requires_grad=True)
        (g,) = tg.autograd.grad((w.tanh() ** 3).sum(), w, create_graph=True)
        (g * g).sum().backward()

    work()  # first calls import kernel modules lazily (the import machinery makes cycles)
    garbage = collect_garbage_after(work)
    assert garbage == [], f"{len(garbage)} objects in cycles: {sorted({type(o).__name__ for o in garbage})}"


def test_backward_frees_saved_tensors_while_the_output_lives():
    model = tiny_mlp()
    x, y = batch(0)
    hidden = model[1](model[0](x))
    alive = weakref.ref(hidden)
    loss = nn.functional.cross_entropy(model[4](model[3](model[2](hidden))), y)
    del hidden
    assert alive() is not None  # the graph holds it for backward
    loss.backward()
    assert alive() is None  # freed by backward although `loss` and its graph still exist
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_dropping_the_output_frees_the_graph_by_reference_counting():
    model = tiny_mlp()
    x, y = batch(0)
    gc.disable()
    try:
        loss = nn.functional.cross_entropy(model(x), y)
        node = weakref.ref(loss.grad_fn)
        del loss  # never ran backward
        assert node() is None
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward(retain_graph=True)
        node = weakref.ref(loss.grad_fn)
        del loss
        assert node() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("optimizer_cls", [tg.optim.SGD, tg.optim.Adam, tg.optim.RMSprop])
def test_gradients_and_optimizer_state_hold_no_graph(optimizer_cls):
    options = {"momentum": 0.9} if optimizer_cls is not tg.optim.Adam else {"amsgrad": True}
    model, opt, step = make_trainer(optimizer_cls, **options)
    for i in range(3):
        step(i)
    for p in model.parameters():
        assert p.grad is not None and p.grad.grad_fn is None and not p.grad.requires_grad
        for value in opt.state[p].values():
            if isinstance(value, tg.Tensor):
                assert value.grad_fn is None and not value.requires_grad
    opt.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in model.parameters())


def test_only_create_graph_gives_gradients_a_graph():
    w = tg.randn(4, requires_grad=True)
    (w.sin() * w).sum().backward()
    assert w.grad.grad_fn is None and not w.grad.requires_grad
    w.grad = None
    (w.sin() * w).sum().backward(create_graph=True)
    assert w.grad.grad_fn is not None
    (g,) = tg.autograd.grad((w**3).sum(), w)
    assert g.grad_fn is None and not g.requires_grad


def test_zero_grad_without_set_to_none_drops_a_graph_attached_gradient():
    w = nn.Parameter(tg.randn(3))
    opt = tg.optim.SGD([w], lr=0.1)
    (w**2).sum().backward(create_graph=True)
    assert w.grad.grad_fn is not None
    opt.zero_grad(set_to_none=False)
    assert w.grad.grad_fn is None and not w.grad.numpy().any()
