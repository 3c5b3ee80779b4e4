"""Optimizers against hand-written numpy formulas, param groups, state_dict resume, LR schedules."""

import itertools
import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.optim.lr_scheduler
from tensorgrad.nn import optim as nn_optim
from tensorgrad.optim import SGD, Adam, AdamW, RMSprop
from tensorgrad.optim.lr_scheduler import CosineAnnealingLR, StepLR

STEPS = 5


# ---- numpy references: PyTorch's documented update rules, written out plainly ---------------


def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    p = p.copy()
    buf = None
    for g in grads:
        d = -g if maximize else g
        if weight_decay:
            d = d + weight_decay * p
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * buf if nesterov else buf
        p = p - lr * d
    return p


def ref_adam(p, grads, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled):
    p = p.copy()
    b1, b2 = betas
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    vmax = np.zeros_like(p)
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        if decoupled:
            p = p * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        v_hat = vmax if amsgrad else v
        p = p - lr / (1 - b1**t) * m / (np.sqrt(v_hat) / math.sqrt(1 - b2**t) + eps)
    return p


def ref_rmsprop(p, grads, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    p = p.copy()
    s = np.zeros_like(p)
    a = np.zeros_like(p)
    b = np.zeros_like(p)
    for g in grads:
        g = -g if maximize else g
        if weight_decay:
            g = g + weight_decay * p
        s = alpha * s + (1 - alpha) * g * g
        if centered:
            a = alpha * a + (1 - alpha) * g
            avg = np.sqrt(s - a * a) + eps
        else:
            avg = np.sqrt(s) + eps
        if momentum > 0:
            b = momentum * b + g / avg
            p = p - lr * b
        else:
            p = p - lr * g / avg
    return p


def run_optimizer(make, p0, grads):
    """Apply `grads` one per step through the optimizer built by `make([param])`."""
    p = tg.tensor(p0, requires_grad=True)
    opt = make([p])
    for g in grads:
        p.grad = tg.tensor(g)
        opt.step()
    return p.detach().numpy()


def sample(shape=(4, 3), dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(STEPS)]
    return p0, grads


def tolerances(dtype):
    return {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-6}


SGD_CASES = [
    dict(momentum=m, dampening=d, weight_decay=wd, nesterov=n, maximize=mx)
    for m, d, wd, n, mx in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.1], [False, True], [False, True])
    if not (n and (m == 0 or d != 0))
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", SGD_CASES, ids=str)
def test_sgd_matches_formula(opts, dtype):
    p0, grads = sample(dtype=dtype)
    got = run_optimizer(lambda ps: SGD(ps, lr=0.1, **opts), p0, grads)
    np.testing.assert_allclose(got, ref_sgd(p0, grads, 0.1, **opts), **tolerances(dtype))


ADAM_CASES = [
    dict(weight_decay=wd, amsgrad=a, maximize=mx, decoupled=dc, betas=b)
    for wd, a, mx, dc, b in itertools.product(
        [0.0, 0.1], [False, True], [False, True], [False, True], [(0.9, 0.999), (0.3, 0.6)]
    )
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", ADAM_CASES, ids=str)
def test_adam_and_adamw_match_formula(opts, dtype):
    p0, grads = sample(dtype=dtype)
    o = dict(opts)
    decoupled = o.pop("decoupled")
    cls = AdamW if decoupled else Adam
    got = run_optimizer(lambda ps: cls(ps, lr=0.05, eps=1e-6, **o), p0, grads)
    want = ref_adam(
        p0,
        grads,
        0.05,
        opts["betas"],
        1e-6,
        opts["weight_decay"],
        opts["amsgrad"],
        opts["maximize"],
        decoupled,
    )
    np.testing.assert_allclose(got, want, **tolerances(dtype))


def test_amsgrad_differs_from_adam_so_the_test_can_fail():
    p0, grads = sample()
    grads = [g * s for g, s in zip(grads, [3.0, 0.1, 0.1, 0.1, 0.1])]  # a shrinking second moment
    a = ref_adam(p0, grads, 0.05, (0.9, 0.999), 1e-6, 0.0, False, False, False)
    b = ref_adam(p0, grads, 0.05, (0.9, 0.999), 1e-6, 0.0, True, False, False)
    assert not np.allclose(a, b)


RMSPROP_CASES = [
    dict(weight_decay=wd, momentum=m, centered=c, maximize=mx)
    for wd, m, c, mx in itertools.product([0.0, 0.1], [0.0, 0.8], [False, True], [False, True])
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", RMSPROP_CASES, ids=str)
def test_rmsprop_matches_formula(opts, dtype):
    p0, grads = sample(dtype=dtype)
    got = run_optimizer(lambda ps: RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6, **opts), p0, grads)
    want = ref_rmsprop(p0, grads, 0.01, 0.9, 1e-6, **opts)
    np.testing.assert_allclose(got, want, **tolerances(dtype))


@pytest.mark.parametrize(
    "make, ref",
    [
        (
            lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
            lambda p, g: ref_sgd(p, g, 0.1, 0.9, nesterov=True),
        ),
        (
            lambda ps: AdamW(ps, lr=0.01, amsgrad=True),
            lambda p, g: ref_adam(p, g, 0.01, (0.9, 0.999), 1e-8, 1e-2, True, False, True),
        ),
        (
            lambda ps: RMSprop(ps, momentum=0.5, centered=True),
            lambda p, g: ref_rmsprop(p, g, 1e-2, 0.99, 1e-8, 0.0, 0.5, True, False),
        ),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_parameters_use_the_threaded_path(make, ref, dtype):
    # 1.1M elements: above the kernels' OpenMP threshold (PARALLEL_MIN_CHEAP, 1,048,576)
    p0, grads = sample(shape=(1100, 1000), dtype=dtype)
    np.testing.assert_allclose(run_optimizer(make, p0, grads), ref(p0, grads), **tolerances(dtype))


def test_non_contiguous_parameter_and_gradient():
    p0, grads = sample(shape=(5, 4))
    p = tg.tensor(p0.T.copy()).t().detach().requires_grad_()  # a transposed (F-ordered) leaf
    assert not p.is_contiguous()
    opt = Adam([p], lr=0.1)
    version = p._version
    for g in grads:
        p.grad = tg.tensor(np.asfortranarray(g))
        opt.step()
    assert p._version == version + STEPS
    want = ref_adam(p0, grads, 0.1, (0.9, 0.999), 1e-8, 0.0, False, False, False)
    np.testing.assert_allclose(p.detach().numpy(), want, rtol=1e-10)


def test_broadcast_gradient_from_backward():
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * 2.0).sum().backward()  # the gradient of a sum is a broadcast of ones
    SGD([w], lr=0.5, momentum=0.9).step()
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 1.0, 2.0])


def test_parameters_without_grad_are_skipped_and_get_no_state():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.grad = tg.tensor([1.0, 1.0])
    version = b._version
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), [3.0, 4.0])
    assert b._version == version
    assert b not in opt.state and a in opt.state
    assert list(opt.state_dict()["state"]) == [0]


def test_step_records_no_graph_and_bumps_version():
    w = tg.tensor([1.0, -2.0], requires_grad=True)
    (w * w).sum().backward()
    v = w._version
    SGD([w], lr=0.1).step()
    assert w.grad_fn is None and w.is_leaf and w.requires_grad
    assert w._version == v + 1


def test_step_with_closure_returns_the_loss():
    w = tg.tensor([3.0], requires_grad=True)
    opt = SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(w.detach().numpy(), [1.5])


def test_zero_grad():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    w.grad = tg.tensor([5.0, 6.0])
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None
    (w * 3.0).sum().backward()  # a read-only broadcast gradient is replaced, not written
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])


def test_param_groups_have_their_own_options():
    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([1.0], requires_grad=True)
    c = tg.tensor([1.0], requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    opt.add_param_group({"params": [c], "lr": 1.0, "weight_decay": 1.0})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5, 1.0]
    assert opt.param_groups[1]["momentum"] == 0.0
    for p in (a, b, c):
        p.grad = tg.tensor([1.0])
    opt.step()
    np.testing.assert_allclose([a.item(), b.item(), c.item()], [0.9, 0.5, -1.0])


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda p: SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: SGD(p, lr=0.1), TypeError, "iterable of Tensors"),
        (lambda p: SGD({p}, lr=0.1), TypeError, "ordered collections"),
        (lambda p: SGD([p, p], lr=0.1), ValueError, "duplicate"),
        (
            lambda p: SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
            ValueError,
            "more than one parameter group",
        ),
        (lambda p: SGD([p * 2], lr=0.1), ValueError, "non-leaf"),
        (lambda p: SGD([1.0], lr=0.1), TypeError, "can only optimize Tensors"),
        (lambda p: SGD([tg.tensor([1, 2])], lr=0.1), TypeError, "float32 or float64"),
        (lambda p: SGD([p], lr=-0.1), ValueError, "lr"),
        (lambda p: SGD([p], lr=0.1, momentum=-0.5), ValueError, "momentum"),
        (lambda p: SGD([p], lr=0.1, weight_decay=-1), ValueError, "weight_decay"),
        (lambda p: SGD([p], lr=0.1, nesterov=True), ValueError, "Nesterov"),
        (lambda p: SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError, "Nesterov"),
        (lambda p: SGD([{"params": [p], "lr": float("nan")}]), ValueError, "lr"),
        (lambda p: Adam([p], lr=-1e-3), ValueError, "lr"),
        (lambda p: Adam([p], eps=-1.0), ValueError, "eps"),
        (lambda p: Adam([p], betas=(1.0, 0.999)), ValueError, "beta parameter at index 0"),
        (lambda p: Adam([p], betas=(0.9, -0.1)), ValueError, "beta parameter at index 1"),
        (lambda p: Adam([p], betas=0.9), ValueError, "betas"),
        (lambda p: AdamW([p], weight_decay=-0.1), ValueError, "weight_decay"),
        (lambda p: RMSprop([p], alpha=-0.9), ValueError, "alpha"),
        (lambda p: RMSprop([p], momentum=-1.0), ValueError, "momentum"),
        (lambda p: RMSprop([p], eps="x"), ValueError, "eps"),
    ],
)
def test_invalid_arguments(build, error, match):
    p = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(error, match=match):
        build(p)


def test_tensorgrad_optim_is_pytorchs_path_to_the_same_objects():
    assert tg.optim.SGD is nn_optim.SGD and tg.optim.Adam is nn_optim.Adam
    assert tg.optim.AdamW is nn_optim.AdamW and tg.optim.RMSprop is nn_optim.RMSprop
    assert tensorgrad.optim.lr_scheduler.StepLR is nn_optim.lr_scheduler.StepLR
    assert tg.optim.lr_scheduler.CosineAnnealingLR is nn_optim.lr_scheduler.CosineAnnealingLR
    assert issubclass(AdamW, tg.optim.Optimizer)


# ---- state_dict and exact resume -------------------------------------------------------------


def regression_problem(dtype=np.float32):
    rng = np.random.default_rng(1)
    x = tg.tensor(rng.standard_normal((16, 5)).astype(dtype))
    y = tg.tensor(rng.standard_normal((16, 2)).astype(dtype))
    w = tg.tensor(rng.standard_normal((5, 2)).astype(dtype), requires_grad=True)
    b = tg.tensor(np.zeros(2, dtype), requires_grad=True)
    return x, y, [w, b]


def train(opt, params, x, y, steps):
    w, b = params
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        opt.step()


OPTIMIZERS = [
    lambda ps: SGD(ps, lr=0.05),
    lambda ps: SGD(
        [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.01}], lr=0.05, momentum=0.9, nesterov=True
    ),
    lambda ps: SGD(ps, lr=0.05, momentum=0.5, dampening=0.2, weight_decay=0.01),
    lambda ps: Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.1),
    lambda ps: AdamW(ps, lr=0.01),
    lambda ps: RMSprop(ps, lr=0.01, momentum=0.9, centered=True, weight_decay=0.01),
]


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_state_dict_resume_is_bit_identical(make, tmp_path):
    x, y, params = regression_problem()
    opt = make(params)
    train(opt, params, x, y, 4)
    path = tmp_path / "ckpt.tg"
    tg.save({"params": [p.detach() for p in params], "optim": opt.state_dict()}, path)

    _, _, fresh = regression_problem()
    ckpt = tg.load(path)
    for p, saved in zip(fresh, ckpt["params"]):
        p.detach().numpy()[...] = saved.numpy()
    resumed = make(fresh)
    resumed.load_state_dict(ckpt["optim"])
    assert resumed.state_dict()["param_groups"] == opt.state_dict()["param_groups"]

    train(opt, params, x, y, 5)
    train(resumed, fresh, x, y, 5)
    for a, b in zip(params, fresh):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_state_dict_layout_is_pytorchs():
    x, y, params = regression_problem()
    opt = Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1)
    train(opt, params, x, y, 2)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(sd["state"]) == {0, 1}
    st = sd["state"][0]
    assert set(st) == {"step", "exp_avg", "exp_avg_sq"}
    assert st["step"].item() == 2.0 and st["step"].dtype == np.float32
    assert st["exp_avg"].shape == params[0].shape
    assert set(SGD(params, lr=0.1, momentum=0.9).state_dict()["state"]) == set()


def test_load_state_dict_failures_leave_the_optimizer_unchanged():
    x, y, params = regression_problem()
    opt = SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, x, y, 1)
    good = opt.state_dict()
    before = opt.state[params[0]]["momentum_buffer"]

    bad_shape = {"state": {0: {"momentum_buffer": tg.zeros(3)}}, "param_groups": good["param_groups"]}
    bad_groups = {"state": {}, "param_groups": good["param_groups"] * 2}
    bad_size = {"state": {}, "param_groups": [dict(good["param_groups"][0], params=[0])]}
    bad_value = {"state": {}, "param_groups": [dict(good["param_groups"][0], lr=-1.0)]}
    bad_index = {"state": {7: {"momentum_buffer": tg.zeros(2)}}, "param_groups": good["param_groups"]}
    for bad, match in [
        (bad_shape, "shape"),
        (bad_groups, "parameter groups"),
        (bad_size, "has 1 parameters"),
        (bad_value, "lr"),
        (bad_index, "parameter 7"),
        ({"state": {}}, "param_groups"),
    ]:
        with pytest.raises(ValueError, match=match):
            opt.load_state_dict(bad)
        assert opt.state[params[0]]["momentum_buffer"] is before
        assert opt.param_groups[0]["lr"] == 0.1


def test_loaded_state_is_a_private_copy():
    x, y, params = regression_problem()
    opt = Adam(params, lr=0.1)
    train(opt, params, x, y, 1)
    sd = opt.state_dict()
    other = Adam(params, lr=0.1)
    other.load_state_dict(sd)
    assert other.state[params[0]]["exp_avg"]._data is not sd["state"][0]["exp_avg"]._data
    train(other, params, x, y, 1)
    assert sd["state"][0]["step"].item() == 1.0


# ---- learning-rate schedules ---------------------------------------------------------------


def make_opt(lr=1.0):
    return SGD([tg.tensor([1.0], requires_grad=True)], lr=lr)


def test_step_lr():
    opt = make_opt(0.5)
    sched = StepLR(opt, step_size=3, gamma=0.1)
    lrs = []
    for _ in range(10):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    want = [0.5 * 0.1 ** (e // 3) for e in range(10)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12)
    assert sched.last_epoch == 10 and opt.param_groups[0]["lr"] == sched.get_last_lr()[0]


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_annealing_matches_the_closed_form_over_two_periods(eta_min):
    opt = make_opt(0.1)
    T = 7
    sched = CosineAnnealingLR(opt, T_max=T, eta_min=eta_min)
    got = []
    for _ in range(3 * T + 2):
        got.append(opt.param_groups[0]["lr"])
        sched.step()
    want = [eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * e / T)) / 2 for e in range(3 * T + 2)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_scheduler_state_dict_and_resume():
    opt = make_opt(1.0)
    sched = CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    assert "optimizer" not in saved_sched and saved_sched["last_epoch"] == 4

    opt2 = make_opt(1.0)
    opt2.load_state_dict(saved_opt)
    sched2 = CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(saved_sched)
    for _ in range(3):
        sched.step()
        sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()

    opt3 = make_opt(1.0)
    opt3.load_state_dict(saved_opt)  # carries initial_lr, so last_epoch may be given
    sched3 = StepLR(opt3, step_size=2, gamma=0.5, last_epoch=4)
    assert sched3.base_lrs == [1.0] and sched3.last_epoch == 5


def test_scheduler_errors():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(make_opt(), step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="not an Optimizer"):
        StepLR(object(), step_size=2)
    with pytest.raises(ValueError, match="T_max"):
        CosineAnnealingLR(make_opt(), T_max=0)
