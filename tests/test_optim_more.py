"""Adagrad, Adadelta, Adamax, NAdam, RAdam, Rprop, ASGD, LBFGS and the rest of the LR schedulers,
against plain numpy versions of PyTorch's documented algorithms."""

import itertools
import math

import numpy as np
import pytest

import tensorgrad as tg
import tensorgrad.optim.lr_scheduler as lrs
from tensorgrad._kernels import optim_more as K
from tensorgrad.optim import ASGD, LBFGS, SGD, Adadelta, Adagrad, Adam, Adamax, NAdam, RAdam, Rprop

STEPS = 8
f32 = np.float32


# ---- numpy references: PyTorch's documented update rules, one step at a time --------------------
# Each takes (p, g, state, t, **hyperparameters), updates `state` (a dict of arrays) and returns
# the new p; t counts steps from 1.


def ref_adagrad(
    p,
    g,
    st,
    t,
    lr=1e-2,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    maximize=False,
):
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    st["sum"] = st.get("sum", np.full_like(p, initial_accumulator_value)) + g * g
    return p - clr * g / (np.sqrt(st["sum"]) + eps)


def ref_adadelta(p, g, st, t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    sq = rho * st.get("square_avg", 0 * p) + (1 - rho) * g * g
    delta = np.sqrt(st.get("acc_delta", 0 * p) + eps) / np.sqrt(sq + eps) * g
    st["square_avg"] = sq
    st["acc_delta"] = rho * st.get("acc_delta", 0 * p) + (1 - rho) * delta * delta
    return p - lr * delta


def ref_adamax(p, g, st, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    b1, b2 = betas
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    st["exp_avg"] = b1 * st.get("exp_avg", 0 * p) + (1 - b1) * g
    st["exp_inf"] = np.maximum(b2 * st.get("exp_inf", 0 * p), np.abs(g) + eps)
    return p - lr / (1 - b1**t) * st["exp_avg"] / st["exp_inf"]


def ref_nadam(p, g, st, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
              decoupled_weight_decay=False, maximize=False):  # fmt: skip
    b1, b2 = betas
    g = -g if maximize else g
    if weight_decay and decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    elif weight_decay:
        g = g + weight_decay * p
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    # PyTorch keeps the product of the mu's in a float32 scalar tensor
    st["mu_product"] = f32(st.get("mu_product", f32(1.0))) * f32(mu)
    prod = float(st["mu_product"])
    st["exp_avg"] = b1 * st.get("exp_avg", 0 * p) + (1 - b1) * g
    st["exp_avg_sq"] = b2 * st.get("exp_avg_sq", 0 * p) + (1 - b2) * g * g
    denom = np.sqrt(st["exp_avg_sq"] / (1 - b2**t)) + eps
    p = p - lr * (1 - mu) / (1 - prod) * g / denom
    return p - lr * mu_next / (1 - prod * mu_next) * st["exp_avg"] / denom


def ref_radam(
    p,
    g,
    st,
    t,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    decoupled_weight_decay=False,
    maximize=False,
):
    b1, b2 = betas
    g = -g if maximize else g
    if weight_decay and decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    elif weight_decay:
        g = g + weight_decay * p
    st["exp_avg"] = b1 * st.get("exp_avg", 0 * p) + (1 - b1) * g
    st["exp_avg_sq"] = b2 * st.get("exp_avg_sq", 0 * p) + (1 - b2) * g * g
    m_hat = st["exp_avg"] / (1 - b1**t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
    st.setdefault("rho", []).append(rho_t)
    if rho_t > 5:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive = math.sqrt(1 - b2**t) / (np.sqrt(st["exp_avg_sq"]) + eps)
        return p - lr * m_hat * adaptive * r
    return p - lr * m_hat


def ref_rprop(p, g, st, t, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    g = -g if maximize else g
    prev = st.get("prev", 0 * p)
    sign = np.sign(g * prev)
    factor = np.where(sign > 0, etas[1], np.where(sign < 0, etas[0], 1.0))
    st["step_size"] = np.clip(st.get("step_size", np.full_like(p, lr)) * factor, *step_sizes)
    g = np.where(sign < 0, 0.0, g)
    st["prev"] = g
    return p - np.sign(g) * st["step_size"]


def ref_asgd(p, g, st, t, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False):
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    eta = float(st.get("eta", f32(lr)))  # eta and mu are float32 scalar tensors in PyTorch
    mu = float(st.get("mu", f32(1.0)))
    p = p * (1 - lambd * eta) - eta * g
    st["ax"] = st.get("ax", 0 * p) + (p - st.get("ax", 0 * p)) * mu if mu != 1 else p.copy()
    st["eta"] = f32(lr / (1 + lambd * lr * t) ** alpha)
    st["mu"] = f32(1 / max(1, t - t0))
    return p


def reference_trajectory(ref, p0, grads, **hp):
    p = p0.astype(np.float64)
    st = {}
    for t, g in enumerate(grads, 1):
        p = ref(p, g.astype(np.float64), st, t, **hp)
    return p, st


def run_optimizer(cls, p0, grads, **hp):
    p = tg.tensor(p0, requires_grad=True)
    opt = cls([p], **hp)
    for g in grads:
        p.grad = tg.tensor(g)
        opt.step()
    return p.detach().numpy(), opt.state[p]


def sample(shape=(4, 3), dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(STEPS)]
    return p0, grads


def tolerances(dtype):
    return {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 3e-5, "atol": 3e-6}


def grid(**options):
    return [dict(zip(options, values)) for values in itertools.product(*options.values())]


CASES = [
    (
        Adagrad,
        ref_adagrad,
        grid(
            weight_decay=[0.0, 0.1],
            maximize=[False, True],
            lr_decay=[0.0, 0.5],
            initial_accumulator_value=[0.0, 0.3],
        ),
        {"lr": 0.1},
    ),  # fmt: skip
    (
        Adadelta,
        ref_adadelta,
        grid(weight_decay=[0.0, 0.1], maximize=[False, True], rho=[0.9, 0.5]),
        {"lr": 0.5},
    ),
    (
        Adamax,
        ref_adamax,
        grid(weight_decay=[0.0, 0.1], maximize=[False, True], betas=[(0.9, 0.999), (0.5, 0.8)]),
        {"lr": 0.05},
    ),  # fmt: skip
    (
        NAdam,
        ref_nadam,
        grid(
            weight_decay=[0.0, 0.1],
            maximize=[False, True],
            decoupled_weight_decay=[False, True],
            momentum_decay=[4e-3, 0.5],
        ),
        {"lr": 0.05},
    ),  # fmt: skip
    # beta2 = 0.9 switches the rectification on at step 6: both branches are covered
    (
        RAdam,
        ref_radam,
        grid(
            weight_decay=[0.0, 0.1],
            maximize=[False, True],
            decoupled_weight_decay=[False, True],
            betas=[(0.9, 0.9), (0.8, 0.999)],
        ),
        {"lr": 0.05},
    ),  # fmt: skip
    (
        Rprop,
        ref_rprop,
        grid(maximize=[False, True], etas=[(0.5, 1.2), (0.3, 2.0)], step_sizes=[(1e-6, 50), (0.02, 0.2)]),
        {"lr": 0.05},
    ),  # fmt: skip
    (
        ASGD,
        ref_asgd,
        grid(weight_decay=[0.0, 0.1], maximize=[False, True], t0=[1e6, 3.0]),
        {"lr": 0.1, "lambd": 0.2, "alpha": 0.6},
    ),  # fmt: skip
]
OPTIMIZER_CASES = [
    pytest.param(cls, ref, {**fixed, **opts}, id=f"{cls.__name__}-{opts}")
    for cls, ref, option_grid, fixed in CASES
    for opts in option_grid
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cls, ref, hp", OPTIMIZER_CASES)
def test_optimizer_matches_pytorchs_algorithm(cls, ref, hp, dtype):
    p0, grads = sample(dtype=dtype)
    got, state = run_optimizer(cls, p0, grads, **hp)
    want, ref_state = reference_trajectory(ref, p0, grads, **hp)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, **tolerances(dtype))
    for name, value in ref_state.items():
        if name in state:
            np.testing.assert_allclose(state[name].numpy(), value, **tolerances(dtype), err_msg=name)
    assert state["step"].item() == STEPS


def test_radam_cases_cover_both_branches_and_the_flags_matter():
    p0, grads = sample()
    rho = reference_trajectory(ref_radam, p0, grads, lr=0.05, betas=(0.9, 0.9))[1]["rho"]
    assert min(rho) < 5 < max(rho)
    plain = reference_trajectory(ref_nadam, p0, grads, lr=0.05, weight_decay=0.1)[0]
    decoupled = reference_trajectory(
        ref_nadam, p0, grads, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True
    )[0]
    assert not np.allclose(plain, decoupled)


# ---- each kernel against one reference step, small and above the threading threshold -----------


def kernel_step(name, p, g, st, t):
    """One step through the bare kernel, its scalar arguments computed as the optimizer does."""
    if name == "adagrad":
        K.adagrad_step(p, g, st["sum"], -1.0, 0.1, 0.2 / (1 + (t - 1) * 0.5), 1e-10)
    elif name == "adadelta":
        K.adadelta_step(p, g, st["square_avg"], st["acc_delta"], -1.0, 0.1, 0.5, 0.9, 1e-6)
    elif name == "adamax":
        K.adamax_step(p, g, st["exp_avg"], st["exp_inf"], -1.0, 0.1, 0.9, 0.999, 1e-8, 0.2 / (1 - 0.9**t))
    elif name == "nadam":
        mu = 0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3))
        mu_next = 0.9 * (1 - 0.5 * 0.96 ** ((t + 1) * 4e-3))
        prod = float(f32(st["mu_product"]) * f32(mu))
        c_grad, c_avg = -0.2 * (1 - mu) / (1 - prod), -0.2 * mu_next / (1 - prod * mu_next)
        K.nadam_step(
            p,
            g,
            st["exp_avg"],
            st["exp_avg_sq"],
            -1.0,
            0.1,
            1.0,
            0.9,
            0.999,
            1 - 0.999**t,
            1e-8,
            c_grad,
            c_avg,
        )
    elif name == "radam":
        rho_inf = 2 / (1 - 0.9) - 1
        rho_t = rho_inf - 2 * t * 0.9**t / (1 - 0.9**t)
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        bc1, bc2 = 1 - 0.9**t, 1 - 0.9**t
        K.radam_step(
            p,
            g,
            st["exp_avg"],
            st["exp_avg_sq"],
            -1.0,
            0.1,
            1.0,
            0.9,
            0.9,
            bc1,
            0.2,
            math.sqrt(bc2),
            1e-8,
            r,
            True,
        )
    elif name == "rprop":
        K.rprop_step(p, g, st["prev"], st["step_size"], -1.0, 0.5, 1.2, 1e-6, 50.0)
    elif name == "asgd":
        K.asgd_step(p, g, st["ax"], -1.0, 0.1, float(st["eta"]), 0.2, float(st["mu"]))


KERNEL_REFS = {
    "adagrad": lambda p, g, st, t: ref_adagrad(
        p, g, st, t, lr=0.2, lr_decay=0.5, weight_decay=0.1, maximize=True
    ),
    "adadelta": lambda p, g, st, t: ref_adadelta(p, g, st, t, lr=0.5, weight_decay=0.1, maximize=True),
    "adamax": lambda p, g, st, t: ref_adamax(p, g, st, t, lr=0.2, weight_decay=0.1, maximize=True),
    "nadam": lambda p, g, st, t: ref_nadam(p, g, st, t, lr=0.2, weight_decay=0.1, maximize=True),
    "radam": lambda p, g, st, t: ref_radam(
        p, g, st, t, lr=0.2, betas=(0.9, 0.9), weight_decay=0.1, maximize=True
    ),
    "rprop": lambda p, g, st, t: ref_rprop(p, g, st, t, lr=0.05, maximize=True),
    "asgd": lambda p, g, st, t: ref_asgd(
        p, g, st, t, lr=0.1, lambd=0.2, weight_decay=0.1, t0=2, maximize=True
    ),
}


# 1.1M elements is above PARALLEL_MIN_CHEAP: the threaded path (the same fused body for both dtypes)
@pytest.mark.parametrize("dtype, size", [(np.float64, 7), (np.float32, 7), (np.float64, 1_100_000)])
@pytest.mark.parametrize("name", sorted(KERNEL_REFS))
def test_kernel_matches_one_reference_step(name, dtype, size):
    rng = np.random.default_rng(3)
    p = rng.standard_normal(size)
    grads = [rng.standard_normal(size) for _ in range(2)]
    # the state after a few reference steps (t = 6 puts RAdam in its rectified branch)
    st = {}
    for t in range(1, 6):
        p = KERNEL_REFS[name](p, grads[t % 2], st, t)
    arrays = [k for k, v in st.items() if isinstance(v, np.ndarray) and v.ndim]
    kst = {k: np.array(v, dtype=dtype) if k in arrays else v for k, v in st.items()}
    kp, kg = p.astype(dtype), grads[0].astype(dtype)
    kernel_step(name, kp, kg, kst, 6)
    want = KERNEL_REFS[name](p, kg.astype(np.float64), st, 6)
    np.testing.assert_allclose(kp, want, **tolerances(dtype))
    for k in arrays:
        np.testing.assert_allclose(kst[k], st[k], **tolerances(dtype), err_msg=k)


# ---- state_dict: PyTorch's keys, and an exact resume ----------------------------------------------

STATE_KEYS = {
    Adagrad: {"step", "sum"},
    Adadelta: {"step", "square_avg", "acc_delta"},
    Adamax: {"step", "exp_avg", "exp_inf"},
    NAdam: {"step", "mu_product", "exp_avg", "exp_avg_sq"},
    RAdam: {"step", "exp_avg", "exp_avg_sq"},
    Rprop: {"step", "prev", "step_size"},
    ASGD: {"step", "eta", "mu", "ax"},
}
GROUP_KEYS = {
    Adagrad: "lr lr_decay eps weight_decay initial_accumulator_value foreach maximize differentiable fused",
    Adadelta: "lr rho eps weight_decay maximize capturable foreach differentiable",
    Adamax: "lr betas eps weight_decay foreach maximize differentiable capturable",
    NAdam: "lr betas eps weight_decay momentum_decay decoupled_weight_decay maximize foreach capturable "
    "differentiable",
    RAdam: "lr betas eps weight_decay maximize foreach capturable decoupled_weight_decay differentiable",
    Rprop: "lr etas step_sizes foreach maximize differentiable capturable",
    ASGD: "lr lambd alpha t0 weight_decay foreach maximize differentiable capturable",
}
RESUME_HP = {
    Adagrad: {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.01},
    Adadelta: {"weight_decay": 0.01},
    Adamax: {"lr": 0.01},
    NAdam: {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    RAdam: {"lr": 0.01, "betas": (0.9, 0.9)},
    Rprop: {"lr": 0.01},
    ASGD: {"lr": 0.05, "t0": 2},
}


def regression_problem(dtype=np.float32):
    rng = np.random.default_rng(1)
    x = tg.tensor(rng.standard_normal((16, 5)).astype(dtype))
    y = tg.tensor(rng.standard_normal((16, 2)).astype(dtype))
    w = tg.tensor(rng.standard_normal((5, 2)).astype(dtype), requires_grad=True)
    b = tg.tensor(np.zeros(2, dtype), requires_grad=True)
    return x, y, [w, b]


def loss_of(params, x, y):
    w, b = params
    return ((x @ w + b - y) ** 2).mean()


def train(opt, params, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params, x, y).backward()
        opt.step()


@pytest.mark.parametrize("cls", list(STATE_KEYS), ids=lambda c: c.__name__)
def test_state_dict_keys_and_exact_resume(cls, tmp_path):
    x, y, params = regression_problem()
    opt = cls(params, **RESUME_HP[cls])
    train(opt, params, x, y, 4)
    sd = opt.state_dict()
    assert set(sd["param_groups"][0]) == set(GROUP_KEYS[cls].split()) | {"params"}
    assert set(sd["state"]) == {0, 1} and set(sd["state"][0]) == STATE_KEYS[cls]
    assert sd["state"][0]["step"].dtype == np.float32 and sd["state"][0]["step"].item() == 4
    tg.save({"params": [p.detach() for p in params], "optim": sd}, tmp_path / "ckpt.tg")

    _, _, fresh = regression_problem()
    ckpt = tg.load(tmp_path / "ckpt.tg")
    for p, saved in zip(fresh, ckpt["params"]):
        p.detach().numpy()[...] = saved.numpy()
    resumed = cls(fresh, **RESUME_HP[cls])
    resumed.load_state_dict(ckpt["optim"])
    train(opt, params, x, y, 5)
    train(resumed, fresh, x, y, 5)
    for a, b in zip(params, fresh):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("cls, scalars", [(NAdam, ("mu_product",)), (ASGD, ("eta", "mu"))])
def test_scalar_state_is_checked_on_load(cls, scalars):
    x, y, params = regression_problem()
    opt = cls(params)
    train(opt, params, x, y, 1)
    sd = opt.state_dict()
    before = opt.state[params[0]]
    missing = {
        "state": {0: {k: v for k, v in sd["state"][0].items() if k != scalars[0]}},
        "param_groups": sd["param_groups"],
    }
    with pytest.raises(ValueError, match=f"{cls.__name__}.load_state_dict: state for parameter 0 lacks"):
        opt.load_state_dict(missing)
    bad = {"state": {0: {**sd["state"][0], scalars[0]: tg.zeros(3)}}, "param_groups": sd["param_groups"]}
    with pytest.raises(ValueError, match=f"state '{scalars[0]}' must be one number"):
        opt.load_state_dict(bad)
    assert opt.state[params[0]] is before
    opt.load_state_dict(sd)
    assert opt.state[params[0]][scalars[0]]._data is not sd["state"][0][scalars[0]]._data


def test_adagrad_creates_its_state_in_the_constructor():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = Adagrad([p], initial_accumulator_value=0.5)
    np.testing.assert_array_equal(opt.state_dict()["state"][0]["sum"].numpy(), [0.5, 0.5])


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda p: Adagrad(p, lr=-1), "Adagrad: Invalid learning rate: -1"),
        (lambda p: Adagrad(p, lr_decay=-0.1), "Adagrad: Invalid lr_decay value: -0.1"),
        (lambda p: Adagrad(p, initial_accumulator_value=-1.0), "Adagrad: Invalid initial_accumulator_value"),
        (lambda p: Adagrad(p, eps=-1.0), "Adagrad: Invalid epsilon value"),
        (lambda p: Adadelta(p, rho=1.5), "Adadelta: Invalid rho value: 1.5"),
        (lambda p: Adadelta(p, weight_decay=-1), "Adadelta: Invalid weight_decay value: -1"),
        (lambda p: Adamax(p, betas=(1.0, 0.9)), "Adamax: Invalid beta parameter at index 0: 1.0"),
        (lambda p: Adamax(p, lr=float("nan")), "Adamax: Invalid learning rate: nan"),
        (lambda p: NAdam(p, momentum_decay=-1.0), "NAdam: Invalid momentum_decay value"),
        (lambda p: NAdam(p, betas=(0.9, -0.1)), "NAdam: Invalid beta parameter at index 1"),
        (lambda p: RAdam(p, eps=-1e-8), "RAdam: Invalid epsilon value"),
        (lambda p: RAdam([{"params": p, "lr": -0.5}]), "RAdam: Invalid learning rate: -0.5"),
        (lambda p: Rprop(p, etas=(1.5, 1.2)), r"Rprop: Invalid eta values: 1.5, 1.2"),
        (lambda p: Rprop(p, etas=(0.5, 0.9)), r"Rprop: Invalid eta values: 0.5, 0.9"),
        (lambda p: Rprop(p, step_sizes=1.0), "Rprop: Invalid step_sizes"),
        (lambda p: ASGD(p, lr=-1), "ASGD: Invalid learning rate: -1"),
        (lambda p: ASGD(p, weight_decay=-1), "ASGD: Invalid weight_decay value"),
        (lambda p: LBFGS(p, lr=-1), "LBFGS: Invalid learning rate: -1"),
        (
            lambda p: LBFGS([{"params": p[:1]}, {"params": p[1:]}]),
            "LBFGS doesn't support per-parameter options",
        ),
    ],
)
def test_invalid_hyperparameters(build, match):
    params = [tg.tensor([1.0], requires_grad=True), tg.tensor([2.0], requires_grad=True)]
    with pytest.raises(ValueError, match=match):
        build(params)


def test_flags_pytorch_accepts_are_accepted():
    p = [tg.tensor([1.0], requires_grad=True)]
    Adagrad(p, foreach=True, differentiable=False, fused=None)
    NAdam(p, foreach=False, capturable=False, differentiable=False)
    RAdam(p, capturable=True)
    Rprop(p, foreach=None, capturable=False)
    ASGD(p, foreach=None, differentiable=False, capturable=False)
    assert Adadelta(p, capturable=False).defaults["foreach"] is None


def test_new_optimizers_are_on_both_paths():
    for name in ["ASGD", "LBFGS", "Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam", "Rprop"]:
        assert getattr(tg.optim, name) is getattr(tg.nn.optim, name)
        assert issubclass(getattr(tg.optim, name), tg.optim.Optimizer)


# ---- LBFGS -----------------------------------------------------------------------------------------


def rosenbrock_closure(opt, xy):
    def closure():
        opt.zero_grad()
        x, y = xy[0], xy[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        return loss

    return closure


@pytest.mark.parametrize(
    "kwargs", [{"line_search_fn": "strong_wolfe"}, {"lr": 0.1, "max_iter": 200, "history_size": 10}]
)
def test_lbfgs_minimises_rosenbrock(kwargs):
    xy = tg.tensor([-1.5, 2.0], dtype=tg.float64, requires_grad=True)
    opt = LBFGS([xy], **kwargs)
    closure = rosenbrock_closure(opt, xy)
    first = opt.step(closure).item()
    for _ in range(20):
        opt.step(closure)
    assert first == pytest.approx((1 + 1.5) ** 2 + 100 * (2 - 2.25) ** 2)
    np.testing.assert_allclose(xy.detach().numpy(), [1.0, 1.0], atol=1e-4)
    assert opt.state[xy]["func_evals"] >= opt.state[xy]["n_iter"] > 0


def test_lbfgs_solves_a_quadratic_across_parameters():
    """f = 1/2 x'Ax - b'x over two tensors; the minimiser is A^-1 b (numpy's solve)."""
    rng = np.random.default_rng(0)
    m = rng.standard_normal((6, 6))
    a, b = m @ m.T + 6 * np.eye(6), rng.standard_normal(6)
    u = tg.zeros(4, dtype=tg.float64, requires_grad=True)
    v = tg.zeros((1, 2), dtype=tg.float64, requires_grad=True)
    opt = LBFGS([u, v], line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-14)
    A, B = tg.tensor(a), tg.tensor(b)

    def closure():
        opt.zero_grad()
        x = tg.cat([u, v.reshape(-1)])
        loss = 0.5 * (x @ (A @ x)) - B @ x
        loss.backward()
        return loss

    opt.step(closure)
    got = np.concatenate([u.detach().numpy(), v.detach().numpy().ravel()])
    # it stops once the loss changes by < tolerance_change: |grad| ~ 1e-7, so |x - x*| < 1e-7 (A >= 6 I)
    np.testing.assert_allclose(got, np.linalg.solve(a, b), rtol=0, atol=1e-7)
    assert opt.state[u]["n_iter"] < 20  # converged before max_iter


def test_lbfgs_state_dict_resume_and_errors():
    xy = tg.tensor([-1.5, 2.0], dtype=tg.float64, requires_grad=True)
    opt = LBFGS([xy], max_iter=3, history_size=4)
    opt.step(rosenbrock_closure(opt, xy))
    sd = opt.state_dict()
    assert {
        "func_evals",
        "n_iter",
        "d",
        "t",
        "old_dirs",
        "old_stps",
        "ro",
        "H_diag",
        "prev_flat_grad",
    } <= set(sd["state"][0])
    xy2 = tg.tensor(xy.detach().numpy(), requires_grad=True)
    opt2 = LBFGS([xy2], max_iter=3, history_size=4)
    opt2.load_state_dict(sd)
    for _ in range(3):
        opt.step(rosenbrock_closure(opt, xy))
        opt2.step(rosenbrock_closure(opt2, xy2))
    assert np.array_equal(xy.detach().numpy(), xy2.detach().numpy())
    with pytest.raises(RuntimeError, match="LBFGS.step needs a closure"):
        opt.step()
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        LBFGS([xy], line_search_fn="armijo").step(rosenbrock_closure(opt, xy))


# ---- learning-rate schedulers ------------------------------------------------------------------------


def make_opt(lr=1.0, groups=1, cls=SGD, **kw):
    return cls([{"params": [tg.tensor([1.0], requires_grad=True)]} for _ in range(groups)], lr=lr, **kw)


def lr_sequence(sched, n, group=0):
    """The lr in force during epochs 0..n-1 (stepping after each), checked against get_last_lr."""
    out = []
    for _ in range(n):
        lr = sched.optimizer.param_groups[group]["lr"]
        assert sched.get_last_lr()[group] == lr
        out.append(lr)
        sched.step()
    return out


WARM_T_CUR = [0, 1, 2, *range(6), *range(12)]  # T_0=3, T_mult=2: epochs since the last restart
WARM_T_I = [3] * 3 + [6] * 6 + [12] * 12  # and the length of the current period
CLOSED_FORMS = [
    (
        lambda o: lrs.MultiStepLR(o, milestones=[2, 5, 5, 8], gamma=0.5),
        lambda e: 0.5 ** sum(m <= e for m in [2, 5, 5, 8]),
    ),
    (lambda o: lrs.ExponentialLR(o, gamma=0.8), lambda e: 0.8**e),
    (
        lambda o: lrs.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=4),
        lambda e: 0.25 + 0.5 * min(e, 4) / 4,
    ),
    (lambda o: lrs.LinearLR(o), lambda e: 1 / 3 + (2 / 3) * min(e, 5) / 5),
    (lambda o: lrs.ConstantLR(o, factor=0.3, total_iters=3), lambda e: 0.3 if e < 3 else 1.0),
    (lambda o: lrs.PolynomialLR(o, total_iters=6, power=2.0), lambda e: (1 - min(e, 6) / 6) ** 2),
    (lambda o: lrs.LambdaLR(o, lambda e: 1 / (1 + e)), lambda e: 1 / (1 + e)),
    (
        lambda o: lrs.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.1),
        lambda e: math.prod(0.9 if k % 2 else 1.1 for k in range(1, e + 1)),
    ),
    (
        lambda o: lrs.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.04),
        # periods 3, 6, 12: restarts at epochs 3 and 9; eta_min = 0.1 * base_lr
        lambda e: 0.1 + 0.9 * (1 + math.cos(math.pi * WARM_T_CUR[e] / WARM_T_I[e])) / 2,
    ),
    (
        lambda o: lrs.CosineAnnealingWarmRestarts(o, T_0=4),
        lambda e: (1 + math.cos(math.pi * (e % 4) / 4)) / 2,
    ),
]


@pytest.mark.parametrize("make, closed_form", CLOSED_FORMS)
def test_scheduler_matches_its_closed_form(make, closed_form):
    base = 0.4
    sched = make(make_opt(base))
    want = [base * closed_form(e) for e in range(15)]
    np.testing.assert_allclose(lr_sequence(sched, 15), want, rtol=1e-12, atol=1e-15)
    assert sched.last_epoch == 15


@pytest.mark.parametrize("make, closed_form", CLOSED_FORMS[:6])
def test_step_with_an_epoch_jumps_to_the_closed_form(make, closed_form):
    sched = make(make_opt(0.4))
    for epoch in [7, 2, 4]:
        sched.step(epoch)
        assert sched.get_last_lr()[0] == pytest.approx(0.4 * closed_form(epoch), rel=1e-12)


def test_warm_restarts_fractional_epoch():
    sched = lrs.CosineAnnealingWarmRestarts(make_opt(1.0), T_0=3, T_mult=2)
    sched.step(4.5)  # in the second period (epochs 3..9, length 6), 1.5 into it
    assert sched.T_i == 6 and sched.T_cur == 1.5 and sched.last_epoch == 4
    assert sched.get_last_lr()[0] == pytest.approx((1 + math.cos(math.pi * 1.5 / 6)) / 2)
    with pytest.raises(ValueError, match="non-negative epoch"):
        sched.step(-1)


def test_lambda_lr_per_group_and_state_dict():
    class Warmup:
        def __init__(self):
            self.scale = 2.0

        def __call__(self, e):
            return self.scale * (e + 1)

    opt = make_opt(1.0, groups=2)
    fn = Warmup()
    sched = lrs.LambdaLR(opt, [fn, lambda e: 0.5**e])
    sched.step()
    assert sched.get_last_lr() == [4.0, 0.5]
    fn.scale = 3.0
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"scale": 3.0}, None] and "optimizer" not in sd
    fresh = Warmup()
    other = lrs.LambdaLR(make_opt(1.0, groups=2), [fresh, lambda e: 0.5**e])
    other.load_state_dict(sd)
    assert fresh.scale == 3.0 and other.last_epoch == 1 and "lr_lambdas" in sd
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lrs.LambdaLR(opt, [fn])


def anneal_cos(start, end, pct):
    return end + (start - end) * (1 + math.cos(math.pi * pct)) / 2


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_lr_and_momentum(three_phase, strategy):
    anneal = anneal_cos if strategy == "cos" else (lambda a, b, pct: a + (b - a) * pct)
    opt = make_opt(0.123, momentum=0.5)
    sched = lrs.OneCycleLR(opt, max_lr=2.0, total_steps=10, anneal_strategy=strategy, three_phase=three_phase)
    lo, hi, floor = 2.0 / 25, 2.0, 2.0 / 25 / 1e4
    want_lr, want_m = [], []
    for k in range(10):
        if k <= 2:  # warm up over pct_start * total_steps - 1 = 2 steps
            want_lr.append(anneal(lo, hi, k / 2))
            want_m.append(anneal(0.95, 0.85, k / 2))
        elif three_phase and k <= 4:
            want_lr.append(anneal(hi, lo, (k - 2) / 2))
            want_m.append(anneal(0.85, 0.95, (k - 2) / 2))
        elif three_phase:
            want_lr.append(anneal(lo, floor, (k - 4) / 5))
            want_m.append(0.95)
        else:
            want_lr.append(anneal(hi, floor, (k - 2) / 7))
            want_m.append(anneal(0.85, 0.95, (k - 2) / 7))
    got_lr, got_m = [], []
    for _ in range(10):
        got_lr.append(opt.param_groups[0]["lr"])
        got_m.append(opt.param_groups[0]["momentum"])
        sched.step()
    np.testing.assert_allclose(got_lr, want_lr, rtol=1e-12)
    np.testing.assert_allclose(got_m, want_m, rtol=1e-12)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        sched.step()


def test_one_cycle_cycles_adams_beta1_and_validates():
    opt = make_opt(0.1, cls=Adam)
    lrs.OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=5)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999) and opt.param_groups[0]["initial_lr"] == 1.0 / 25
    with pytest.raises(ValueError, match="total_steps OR"):
        lrs.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="pct_start"):
        lrs.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lrs.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="exp")
    with pytest.raises(ValueError, match="momentum or beta1"):
        lrs.OneCycleLR(make_opt(cls=Adagrad), max_lr=1.0, total_steps=10)


@pytest.mark.parametrize(
    "mode, kwargs, want",
    [
        # base 0.1, max 1.0, 2 steps up then 3 down: x in the cycle is 0, .2, .4, .6, .8
        ("triangular", {}, [0.1, 0.55, 1.0, 0.7, 0.4] * 2),
        ("triangular2", {}, [0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.325, 0.55, 0.4, 0.25]),
        (
            "exp_range",
            {"gamma": 0.9},
            [0.1 + 0.9 * h * 0.9**e for e, h in enumerate([0, 0.5, 1, 2 / 3, 1 / 3] * 2)],
        ),
        ("anything", {"scale_fn": lambda c: 1 / c}, [0.1, 0.55, 1.0, 0.7, 0.4, 0.1, 0.325, 0.55, 0.4, 0.25]),
    ],
)
def test_cyclic_lr(mode, kwargs, want):
    opt = make_opt(5.0, momentum=0.5)
    sched = lrs.CyclicLR(opt, base_lr=0.1, max_lr=1.0, step_size_up=2, step_size_down=3, mode=mode, **kwargs)
    got, momenta = [], []
    for _ in range(10):
        got.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        sched.step()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # momentum mirrors the lr between base_momentum 0.8 and max_momentum 0.9
    np.testing.assert_allclose(momenta, [0.9 - 0.1 * (lr - 0.1) / 0.9 for lr in want], rtol=1e-12)


def test_cyclic_lr_state_dict_and_errors():
    opt = make_opt(cls=Adam)
    sched = lrs.CyclicLR(opt, base_lr=0.1, max_lr=1.0, step_size_up=4, mode="triangular2")
    assert opt.param_groups[0]["betas"][0] == 0.9
    for _ in range(6):
        sched.step()
    sd = sched.state_dict()
    assert sd["_scale_fn_custom"] is None and "optimizer" not in sd
    other = lrs.CyclicLR(make_opt(cls=Adam), base_lr=0.1, max_lr=1.0, step_size_up=4)
    other.load_state_dict(sd)
    for _ in range(5):
        sched.step()
        other.step()
        assert other.get_last_lr() == sched.get_last_lr()
    with pytest.raises(ValueError, match="mode 'bogus' is invalid"):
        lrs.CyclicLR(opt, 0.1, 1.0, mode="bogus")


def test_reduce_lr_on_plateau_min_rel_with_cooldown_and_min_lr():
    opt = make_opt(1.0)
    sched = lrs.ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=0.1, cooldown=1, min_lr=0.2)
    metrics = [10, 9.5, 9.2, 9.1, 8.0] + [8.0] * 12
    # worked by hand: improving means < 0.9 * best; a reduction after 3 bad epochs, then one
    # cooldown epoch in which bad epochs are not counted; 0.25 * 0.5 is clipped to min_lr 0.2
    want = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
    got = []
    for m in metrics:
        sched.step(tg.tensor(m))
        got.append(opt.param_groups[0]["lr"])
    assert got == want and sched.get_last_lr() == [0.2] and sched.last_epoch == len(metrics)


def test_reduce_lr_on_plateau_max_abs_and_state_dict():
    opt = make_opt(1.0, groups=2)
    sched = lrs.ReduceLROnPlateau(
        opt, mode="max", threshold=0.5, threshold_mode="abs", patience=0, min_lr=[0.0, 0.5]
    )
    for m in [1.0, 1.4, 2.0]:  # 1.4 is not better than 1.0 + 0.5: reduce at once (patience 0)
        sched.step(m)
    assert sched.get_last_lr() == [0.1, 0.5] and sched.best == 2.0
    other = lrs.ReduceLROnPlateau(make_opt(1.0, groups=2))
    other.load_state_dict(sched.state_dict())
    assert other.mode == "max" and other.is_better(2.6, 2.0) and not other.is_better(2.4, 2.0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lrs.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        lrs.ReduceLROnPlateau(opt, mode="avg")
    with pytest.raises(ValueError, match="threshold mode x is unknown"):
        lrs.ReduceLROnPlateau(opt, threshold_mode="x")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        lrs.ReduceLROnPlateau(opt, min_lr=[0.1])


def test_sequential_lr():
    opt = make_opt(1.0)
    warm = lrs.ConstantLR(opt, factor=0.1, total_iters=2)
    decay = lrs.ExponentialLR(opt, gamma=0.9)
    sched = lrs.SequentialLR(opt, [warm, decay], milestones=[3])
    # ConstantLR for epochs 0..2, then ExponentialLR from its own epoch 0
    want = [0.1, 0.1, 1.0, 1.0, 0.9, 0.81, 0.729]
    np.testing.assert_allclose(lr_sequence(sched, 7), want, rtol=1e-12)
    sd = sched.state_dict()
    assert len(sd["_schedulers"]) == 2 and "optimizer" not in sd["_schedulers"][0]

    opt2 = make_opt(1.0)
    w2, d2 = lrs.ConstantLR(opt2, factor=0.1, total_iters=2), lrs.ExponentialLR(opt2, gamma=0.9)
    other = lrs.SequentialLR(opt2, [w2, d2], milestones=[3])
    opt2.load_state_dict(opt.state_dict())
    other.load_state_dict(sd)
    for _ in range(3):
        sched.step()
        other.step()
        assert other.get_last_lr() == sched.get_last_lr()
    with pytest.raises(ValueError, match="one more than the number of milestone points"):
        lrs.SequentialLR(opt, [warm, decay], milestones=[1, 2])
    with pytest.raises(ValueError, match="same optimizer"):
        lrs.SequentialLR(opt, [warm, lrs.ExponentialLR(make_opt(), gamma=0.9)], milestones=[1])


def test_chained_scheduler():
    opt = make_opt(1.0)
    sched = lrs.ChainedScheduler(
        [lrs.ConstantLR(opt, factor=0.1, total_iters=2), lrs.ExponentialLR(opt, gamma=0.9)]
    )
    # the two factors multiply: 0.1 for two epochs times 0.9 ** epoch
    want = [(0.1 if e < 2 else 1.0) * 0.9**e for e in range(6)]
    np.testing.assert_allclose(lr_sequence(sched, 6), want, rtol=1e-12)
    assert set(sched.state_dict()) == {"_schedulers", "_last_lr"}
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lrs.ChainedScheduler([lrs.ReduceLROnPlateau(opt)])
    with pytest.raises(ValueError, match="at least one scheduler"):
        lrs.ChainedScheduler([])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lrs.MultiStepLR(o, milestones=[2, 4], gamma=0.5),
        lambda o: lrs.LinearLR(o, total_iters=4),
        lambda o: lrs.PolynomialLR(o, total_iters=6),
        lambda o: lrs.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
        lambda o: lrs.OneCycleLR(o, max_lr=1.0, total_steps=20),
    ],
)
def test_scheduler_state_dict_resume(make):
    opt = make_opt(0.5, momentum=0.9)
    sched = make(opt)
    for _ in range(3):
        sched.step()
    opt2 = make_opt(0.5, momentum=0.9)
    other = make(opt2)  # PyTorch's order: build both, then load the optimizer, then the scheduler
    opt2.load_state_dict(opt.state_dict())
    other.load_state_dict(sched.state_dict())
    for _ in range(6):
        sched.step()
        other.step()
        assert other.get_last_lr() == sched.get_last_lr()


def test_scheduler_argument_errors():
    opt = make_opt()
    with pytest.raises(ValueError, match="Constant multiplicative factor"):
        lrs.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        lrs.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        lrs.LinearLR(opt, end_factor=2)
    with pytest.raises(ValueError, match="positive integer T_0"):
        lrs.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="T_mult >= 1"):
        lrs.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
    with pytest.raises(TypeError, match="not an Optimizer"):
        lrs.LambdaLR(object(), lambda e: 1.0)
    assert issubclass(lrs.ReduceLROnPlateau, lrs.LRScheduler) and lrs._LRScheduler is lrs.LRScheduler
