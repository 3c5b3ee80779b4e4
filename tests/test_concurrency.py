"""Threads: two models trained at once in two threads give bit for bit the results of training them
one after the other (kernels, engine and optimizers share no mutable state), and grad mode is
per thread, as in PyTorch."""

import sys
import threading

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn

STEPS = 60


def mlp(seed):
    tg.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(20, 64), nn.LayerNorm(64), nn.GELU(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 5)
    )


def cnn(seed):
    tg.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 5 * 5, 5),
    )


def batches(seed, shape):
    """Fixed data made beforehand: the shared random generator is never touched while training."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(STEPS):
        x = tg.tensor(rng.standard_normal((16, *shape)).astype(np.float32))
        out.append((x, tg.tensor(rng.integers(0, 5, 16))))
    return out


def setups():
    """Two different jobs (model, optimizer, data), built before any thread starts."""
    m1 = mlp(1)
    m2 = cnn(2)
    return [
        (m1, tg.optim.Adam(m1.parameters(), lr=1e-3), batches(10, (20,))),
        (m2, tg.optim.SGD(m2.parameters(), lr=0.05, momentum=0.9, nesterov=True), batches(11, (1, 10, 10))),
    ]


def train(model, opt, data, losses):
    loss_fn = nn.CrossEntropyLoss()
    for x, y in data:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())


def snapshot(model, opt, losses):
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    for i, s in opt.state_dict()["state"].items():
        for name, value in s.items():
            state[f"opt.{i}.{name}"] = np.array(value.numpy() if isinstance(value, tg.Tensor) else value)
    state["losses"] = np.array(losses)
    return state


def assert_bit_identical(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
        assert a[key].tobytes() == b[key].tobytes(), f"{key} differs"


@pytest.fixture
def fast_switching():
    """Switch threads every 5 us so the two trainings interleave inside single steps."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(5e-6)
    yield
    sys.setswitchinterval(old)


def test_two_models_trained_in_two_threads_match_sequential_training_bit_for_bit(fast_switching):
    sequential = []
    for model, opt, data in setups():
        losses = []
        train(model, opt, data, losses)
        sequential.append(snapshot(model, opt, losses))

    jobs = setups()
    results = [[], []]
    errors = []
    start = threading.Barrier(2)

    def run(i):
        try:
            start.wait()
            model, opt, data = jobs[i]
            train(model, opt, data, results[i])
        except BaseException as e:  # report in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for (model, opt, _), losses, expected in zip(jobs, results, sequential):
        assert_bit_identical(snapshot(model, opt, losses), expected)


def test_same_model_shape_in_threads_with_threaded_kernels(fast_switching):
    """Large tensors take the OpenMP path of the kernels in both threads at once."""
    rng = np.random.default_rng(3)
    data = [tg.tensor(rng.standard_normal((256, 512)).astype(np.float32)) for _ in range(2)]

    def work(x, out):
        w = tg.tensor(np.linspace(-1, 1, 512 * 64, dtype=np.float32).reshape(512, 64), requires_grad=True)
        for _ in range(10):
            h = (x @ w).tanh()
            loss = (tg.softmax(h, 1) * h).sum() + tg.logsumexp(h, 1).mean()
            loss.backward()
            with tg.no_grad():
                w -= 1e-3 * w.grad
            w.grad = None
        out.append(w.detach().numpy().copy())

    expected = []
    for x in data:
        work(x, expected)
    got = [[], []]
    threads = [threading.Thread(target=work, args=(data[i], got[i])) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        assert got[i][0].tobytes() == expected[i].tobytes()


def test_grad_mode_is_thread_local():
    entered = threading.Event()
    checked = threading.Event()
    seen = {}

    def no_grad_thread():
        with tg.no_grad():
            entered.set()
            checked.wait(5)
            x = tg.ones(2, requires_grad=True)
            seen["inside"] = ((x * 2).requires_grad, tg.is_grad_enabled())

    def grad_thread():
        entered.wait(5)
        x = tg.ones(2, requires_grad=True)
        seen["other"] = ((x * 2).requires_grad, tg.is_grad_enabled())
        checked.set()

    threads = [threading.Thread(target=no_grad_thread), threading.Thread(target=grad_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"inside": (False, False), "other": (True, True)}
    assert tg.is_grad_enabled()


def test_a_new_thread_starts_with_grad_enabled():
    seen = []
    with tg.no_grad():
        t = threading.Thread(target=lambda: seen.append(tg.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]
