"""tensorgrad.distributions against scipy.stats (log_prob, entropy, moments, cdf), seeded sample
moments and shapes, gradcheck of log_prob and rsample in float64, closed-form KL divergences
against numerical integration or formulas written here, and validation errors."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

import tensorgrad as tg
import tensorgrad.distributions as D
from tensorgrad.autograd import gradcheck

R = np.random.default_rng(0)
LOC = R.standard_normal(3)
SCALE = R.uniform(0.5, 2.0, 3)
POS = R.uniform(0.6, 3.0, 3)
POS2 = R.uniform(0.6, 3.0, 3)
PROB = np.array([0.2, 0.5, 0.7])
REAL_VALUES = R.standard_normal((2, 3))
POS_VALUES = R.uniform(0.1, 3.0, (2, 3))
UNIT_VALUES = R.uniform(0.05, 0.95, (2, 3))
COUNTS = np.array([[0.0, 1.0, 5.0], [3.0, 4.0, 2.0]])

# name -> (make the distribution from parameter tensors, parameters, the scipy.stats equivalent,
#          values for log_prob/cdf, whether tensorgrad has cdf and entropy)
CASES = {
    "Normal": (D.Normal, (LOC, SCALE), stats.norm(LOC, SCALE), REAL_VALUES, True, True),
    "LogNormal": (D.LogNormal, (LOC, SCALE), stats.lognorm(SCALE, scale=np.exp(LOC)), POS_VALUES, True, True),
    "Uniform": (D.Uniform, (-POS, POS2), stats.uniform(-POS, POS + POS2), UNIT_VALUES - 0.5, True, True),
    "Exponential": (D.Exponential, (POS,), stats.expon(scale=1 / POS), POS_VALUES, True, True),
    "Laplace": (D.Laplace, (LOC, SCALE), stats.laplace(LOC, SCALE), REAL_VALUES, True, True),
    "Gamma": (D.Gamma, (POS, POS2), stats.gamma(POS, scale=1 / POS2), POS_VALUES, False, True),
    "Beta": (D.Beta, (POS, POS2), stats.beta(POS, POS2), UNIT_VALUES, False, True),
    "Poisson": (D.Poisson, (POS,), stats.poisson(POS), COUNTS, False, False),
    "Bernoulli": (D.Bernoulli, (PROB,), stats.bernoulli(PROB), COUNTS.clip(0, 1), False, True),
    "Binomial": (lambda p: D.Binomial(5, p), (PROB,), stats.binom(5, PROB), COUNTS, False, True),
    "Geometric": (D.Geometric, (PROB,), stats.geom(PROB, loc=-1), COUNTS, False, True),
}
DISCRETE = {"Poisson", "Bernoulli", "Binomial", "Geometric"}


def tensors(arrays, dtype=tg.float64, requires_grad=False):
    return [tg.tensor(a, dtype=dtype, requires_grad=requires_grad) for a in arrays]


def close(actual, expected, dtype):
    tol = 1e-10 if dtype == tg.float64 else 2e-5
    assert actual.dtype == dtype
    np.testing.assert_allclose(actual.detach().numpy(), expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [tg.float64, tg.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", CASES)
def test_log_prob_entropy_moments_and_cdf_match_scipy(name, dtype):
    make, params, ref, values, has_cdf, has_entropy = CASES[name]
    d = make(*tensors(params, dtype))
    v = tg.tensor(values, dtype=dtype)
    assert d.batch_shape == (3,) and d.event_shape == ()
    logpdf = ref.logpmf(values) if name in DISCRETE else ref.logpdf(values)
    close(d.log_prob(v), logpdf, dtype)
    close(d.mean, ref.mean(), dtype)
    close(d.variance, ref.var(), dtype)
    close(d.stddev, ref.std(), dtype)
    if has_entropy:
        close(d.entropy(), ref.entropy(), dtype)
    if has_cdf:
        close(d.cdf(v), ref.cdf(values), dtype)
        q = tg.tensor(UNIT_VALUES, dtype=dtype)
        close(d.icdf(q), ref.ppf(UNIT_VALUES), dtype)


def test_modes():
    np.testing.assert_allclose(D.Gamma(tg.tensor([3.0, 0.5]), 2.0).mode.numpy(), [1.0, 0.0])
    np.testing.assert_allclose(D.Beta(3.0, 2.0).mode.numpy(), 2 / 3, rtol=1e-6)
    np.testing.assert_allclose(D.LogNormal(0.0, 1.0).mode.numpy(), math.exp(-1), rtol=1e-6)
    np.testing.assert_array_equal(D.Bernoulli(tg.tensor([0.2, 0.5, 0.7])).mode.numpy(), [0.0, np.nan, 1.0])
    np.testing.assert_array_equal(D.Binomial(4, tg.tensor([0.3, 0.9])).mode.numpy(), [1.0, 4.0])
    np.testing.assert_array_equal(D.Categorical(tg.tensor([[0.1, 0.6, 0.3]])).mode.numpy(), [1])
    assert np.isnan(D.Uniform(0.0, 1.0).mode.item())


def test_categorical_and_one_hot_match_numpy():
    p = R.dirichlet(np.ones(4), size=3)
    for d in (D.Categorical(probs=tg.tensor(p)), D.Categorical(logits=tg.tensor(np.log(p) + 1.5))):
        assert d.batch_shape == (3,) and d.event_shape == ()
        idx = np.array([[0, 3, 1], [2, 2, 0]])
        np.testing.assert_allclose(d.log_prob(tg.tensor(idx)).numpy(), np.log(p[np.arange(3), idx]))
        np.testing.assert_allclose(d.entropy().numpy(), -(p * np.log(p)).sum(-1))
        np.testing.assert_allclose(d.probs.numpy(), p)
    oh = D.OneHotCategorical(tg.tensor(p))
    assert oh.batch_shape == (3,) and oh.event_shape == (4,)
    np.testing.assert_allclose(
        oh.log_prob(tg.tensor(np.eye(4)[[1, 0, 3]])).numpy(), np.log(p[[0, 1, 2], [1, 0, 3]])
    )
    np.testing.assert_allclose(oh.mean.numpy(), p)
    np.testing.assert_allclose(oh.variance.numpy(), p * (1 - p))


def test_dirichlet_matches_scipy():
    alpha = R.uniform(0.5, 3.0, (2, 3))
    x = R.dirichlet([1.0, 2.0, 3.0], size=2)
    d = D.Dirichlet(tg.tensor(alpha, dtype=tg.float64))
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    for i in range(2):
        ref = stats.dirichlet(alpha[i])
        assert d.log_prob(tg.tensor(x))[i].item() == pytest.approx(ref.logpdf(x[i]), rel=1e-10)
        assert d.entropy()[i].item() == pytest.approx(ref.entropy(), rel=1e-10)
        np.testing.assert_allclose(d.mean.numpy()[i], ref.mean(), rtol=1e-12)
        np.testing.assert_allclose(d.variance.numpy()[i], ref.var(), rtol=1e-12)


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_matches_scipy(form):
    loc = R.standard_normal((2, 3))
    b = R.standard_normal((2, 3, 3))
    cov = b @ b.swapaxes(-1, -2) + np.eye(3)
    given = {
        "covariance_matrix": cov,
        "precision_matrix": np.linalg.inv(cov),
        "scale_tril": np.linalg.cholesky(cov),
    }
    d = D.MultivariateNormal(tg.tensor(loc), **{form: tg.tensor(given[form])})
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    x = R.standard_normal((4, 2, 3))
    lp, ent = d.log_prob(tg.tensor(x)).numpy(), d.entropy().numpy()
    assert lp.shape == (4, 2)
    for i in range(2):
        ref = stats.multivariate_normal(loc[i], cov[i])
        np.testing.assert_allclose(lp[:, i], ref.logpdf(x[:, i]), rtol=1e-10)
        assert ent[i] == pytest.approx(ref.entropy(), rel=1e-10)
    for name, value in given.items():
        np.testing.assert_allclose(getattr(d, name).numpy(), value, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), np.diagonal(cov, axis1=-2, axis2=-1), rtol=1e-12)


def test_independent_sums_log_prob_over_reinterpreted_dims():
    base = D.Normal(tg.tensor(R.standard_normal((2, 3))), tg.tensor(R.uniform(0.5, 2, (2, 3))))
    d = D.Independent(base, 1)
    assert d.batch_shape == (2,) and d.event_shape == (3,) and d.has_rsample
    x = tg.tensor(R.standard_normal((5, 2, 3)))
    np.testing.assert_allclose(d.log_prob(x).numpy(), base.log_prob(x).numpy().sum(-1), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().numpy(), base.entropy().numpy().sum(-1), rtol=1e-12)
    assert d.sample((4,)).shape == (4, 2, 3)


# ---- sampling ------------------------------------------------------------------------------------

SAMPLERS = {
    "Normal": (D.Normal(tg.tensor(LOC), tg.tensor(SCALE)), stats.norm(LOC, SCALE)),
    "LogNormal": (
        D.LogNormal(tg.tensor(LOC) / 4, tg.tensor(SCALE) / 4),
        stats.lognorm(SCALE / 4, scale=np.exp(LOC / 4)),
    ),
    "Uniform": (D.Uniform(tg.tensor(-POS), tg.tensor(POS2)), stats.uniform(-POS, POS + POS2)),
    "Exponential": (D.Exponential(tg.tensor(POS)), stats.expon(scale=1 / POS)),
    "Laplace": (D.Laplace(tg.tensor(LOC), tg.tensor(SCALE)), stats.laplace(LOC, SCALE)),
    "Gamma": (D.Gamma(tg.tensor(POS), tg.tensor(POS2)), stats.gamma(POS, scale=1 / POS2)),
    "Beta": (D.Beta(tg.tensor(POS), tg.tensor(POS2)), stats.beta(POS, POS2)),
    "Poisson": (D.Poisson(tg.tensor(POS)), stats.poisson(POS)),
    "Bernoulli": (D.Bernoulli(logits=tg.tensor(LOC)), stats.bernoulli(1 / (1 + np.exp(-LOC)))),
    "Binomial": (D.Binomial(5, tg.tensor(PROB)), stats.binom(5, PROB)),
    "Geometric": (D.Geometric(tg.tensor(PROB)), stats.geom(PROB, loc=-1)),
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_sample_moments_shapes_and_seeding(name):
    d, ref = SAMPLERS[name]
    tg.manual_seed(1)
    s = d.sample((20000,))
    assert s.shape == (20000, 3) and s.dtype == tg.float64 and not s.requires_grad
    x = s.numpy().astype(np.float64)
    np.testing.assert_allclose(x.mean(0), ref.mean(), rtol=0.05, atol=0.03)
    np.testing.assert_allclose(x.var(0), ref.var(), rtol=0.1, atol=0.03)
    assert d.support.check(s).all()
    assert d.sample((4, 2)).shape == (4, 2, 3) and d.sample().shape == (3,)
    big = d.expand((5, 3))
    assert big.batch_shape == (5, 3) and big.sample((2,)).shape == (2, 5, 3)
    tg.manual_seed(7)
    first = d.sample((3,)).numpy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(d.sample((3,)).numpy(), first)


def test_categorical_dirichlet_and_mvn_sample_moments():
    tg.manual_seed(2)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    s = D.Categorical(tg.tensor(p)).sample((20000,))
    assert s.shape == (20000, 2) and s.dtype == tg.int64
    freq = np.stack([np.bincount(s.numpy()[:, i], minlength=3) / 20000 for i in range(2)])
    np.testing.assert_allclose(freq, p, atol=0.015)
    oh = D.OneHotCategorical(tg.tensor(p)).sample((20000, 1))
    assert oh.shape == (20000, 1, 2, 3)
    np.testing.assert_allclose(oh.numpy().mean((0, 1)), p, atol=0.015)
    alpha = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]])
    dd = D.Dirichlet(tg.tensor(alpha, dtype=tg.float64))
    x = dd.sample((20000,)).numpy()
    assert x.shape == (20000, 2, 3) and x.dtype == np.float64
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(x.mean(0), alpha / alpha.sum(-1, keepdims=True), atol=0.01)
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    mvn = D.MultivariateNormal(tg.tensor([1.0, -1.0]), tg.tensor(cov, dtype=tg.float32))
    y = mvn.rsample((30000, 2)).numpy().reshape(-1, 2)
    np.testing.assert_allclose(y.mean(0), [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(y.T), cov, atol=0.05)


# ---- gradients -----------------------------------------------------------------------------------

GRAD_CASES = {
    "Normal": (D.Normal, (LOC, SCALE), REAL_VALUES),
    "LogNormal": (D.LogNormal, (LOC, SCALE), POS_VALUES),
    "Uniform": (D.Uniform, (-POS, POS2), UNIT_VALUES - 0.5),
    "Exponential": (D.Exponential, (POS,), POS_VALUES),
    "Laplace": (D.Laplace, (LOC, SCALE), REAL_VALUES),
    "Gamma": (D.Gamma, (POS, POS2), POS_VALUES),
    "Beta": (D.Beta, (POS, POS2), UNIT_VALUES),
    "Poisson": (D.Poisson, (POS,), COUNTS),
    "Bernoulli": (D.Bernoulli, (PROB,), COUNTS.clip(0, 1)),
    "BernoulliLogits": (lambda x: D.Bernoulli(logits=x), (LOC,), COUNTS.clip(0, 1)),
    "Binomial": (lambda p: D.Binomial(5, p), (PROB,), COUNTS),
    "BinomialLogits": (lambda x: D.Binomial(5, logits=x), (LOC,), COUNTS),
    "Geometric": (D.Geometric, (PROB,), COUNTS),
    "Categorical": (D.Categorical, (R.dirichlet(np.ones(4), 3),), np.array([[0, 3, 1], [2, 2, 0]])),
    "CategoricalLogits": (
        lambda x: D.Categorical(logits=x),
        (R.standard_normal((3, 4)),),
        np.array([[0, 3, 1]]),
    ),
    "Dirichlet": (D.Dirichlet, (R.uniform(0.5, 3.0, (2, 3)),), R.dirichlet([1.0, 2.0, 3.0], 2)),
}


@pytest.mark.parametrize("name", GRAD_CASES)
def test_log_prob_and_entropy_gradcheck(name):
    make, params, values = GRAD_CASES[name]
    inputs = tensors(params, requires_grad=True)
    value = tg.tensor(values, dtype=tg.int64 if "Categorical" in name else tg.float64)
    assert gradcheck(lambda *ps: make(*ps).log_prob(value), inputs)
    if name not in ("Poisson", "Uniform", "Geometric"):
        assert gradcheck(lambda *ps: make(*ps).entropy(), inputs)


RSAMPLE_CASES = {
    "Normal": (D.Normal, (LOC, SCALE)),
    "LogNormal": (D.LogNormal, (LOC, SCALE)),
    "Uniform": (D.Uniform, (-POS, POS2)),
    "Exponential": (D.Exponential, (POS,)),
    "Laplace": (D.Laplace, (LOC, SCALE)),
}


@pytest.mark.parametrize("name", RSAMPLE_CASES)
def test_rsample_gradcheck_with_fixed_noise(name):
    make, params = RSAMPLE_CASES[name]
    assert make(*tensors(params)).has_rsample

    def draw(*ps):
        tg.manual_seed(3)
        return make(*ps).rsample((2,))

    assert gradcheck(draw, tensors(params, requires_grad=True))


def test_rsample_reaches_the_parameters():
    loc = tg.tensor([0.5, -1.0], requires_grad=True)
    scale = tg.tensor([1.0, 2.0], requires_grad=True)
    tg.manual_seed(4)
    z = D.Normal(loc, scale).rsample((3,))
    tg.manual_seed(4)
    eps = (D.Normal(0.0, 1.0).sample((3, 2))).numpy()
    z.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-6)
    for no_rsample in (D.Gamma(1.0, 1.0), D.Beta(1.0, 2.0), D.Dirichlet(tg.ones(3)), D.Bernoulli(0.3)):
        assert not no_rsample.has_rsample
        with pytest.raises(NotImplementedError, match="rsample.*use sample"):
            no_rsample.rsample()


def test_multivariate_normal_gradcheck():
    loc = tg.tensor(R.standard_normal((2, 3)), requires_grad=True)
    b = tg.tensor(R.standard_normal((2, 3, 3)), requires_grad=True)
    x = tg.tensor(R.standard_normal((4, 2, 3)))

    def covariance(b):
        return b @ b.mT + tg.eye(3, dtype=tg.float64)

    assert gradcheck(lambda m, b: D.MultivariateNormal(m, covariance(b)).log_prob(x), (loc, b))
    assert gradcheck(
        lambda m, b: D.MultivariateNormal(m, precision_matrix=covariance(b)).log_prob(x), (loc, b)
    )
    assert gradcheck(
        lambda b: D.MultivariateNormal(
            loc, scale_tril=b.tril(-1) + b.diagonal(dim1=-2, dim2=-1).exp().diag_embed()
        ).entropy(),
        (b,),
    )

    def draw(m, b):
        tg.manual_seed(5)
        return D.MultivariateNormal(m, covariance(b)).rsample((2,))

    assert gradcheck(draw, (loc, b))


# ---- KL divergence -------------------------------------------------------------------------------


def kl_by_quadrature(p, q, lo, hi):
    """KL(p || q) of two scalar scipy distributions by numerical integration."""
    finite = np.isfinite(lo) and np.isfinite(hi)
    kinks = [x for x in (p.median(), q.median()) if finite and lo < x < hi]  # Laplace's are at the medians
    return integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), lo, hi, points=kinks or None)[0]


@pytest.mark.parametrize(
    "name, p_params, q_params, lo, hi",
    [
        ("Normal", (0.3, 1.2), (-0.5, 0.7), -np.inf, np.inf),
        ("Exponential", (1.5,), (0.4,), 0, np.inf),
        ("Beta", (2.0, 3.0), (1.5, 0.8), 0, 1),
        ("Uniform", (0.2, 0.9), (-1.0, 2.0), 0.2, 0.9),
        ("Laplace", (0.3, 1.2), (-0.5, 0.7), -60, 60),
        ("Gamma", (2.0, 3.0), (1.5, 0.8), 0, np.inf),
    ],
)
def test_kl_divergence_matches_numerical_integration(name, p_params, q_params, lo, hi):
    make, _, _, _, _, _ = CASES[name]
    scipy_of = {
        "Normal": lambda m, s: stats.norm(m, s),
        "Exponential": lambda r: stats.expon(scale=1 / r),
        "Beta": lambda a, b: stats.beta(a, b),
        "Uniform": lambda a, b: stats.uniform(a, b - a),
        "Laplace": lambda m, s: stats.laplace(m, s),
        "Gamma": lambda a, r: stats.gamma(a, scale=1 / r),
    }[name]
    expected = kl_by_quadrature(scipy_of(*p_params), scipy_of(*q_params), lo, hi)
    p = make(*tensors([np.array([v]) for v in p_params]))
    q = make(*tensors([np.array([v]) for v in q_params]))
    kl = D.kl_divergence(p, q)
    assert kl.shape == (1,) and kl.item() == pytest.approx(expected, rel=1e-7)


def test_kl_divergence_discrete_and_multivariate_closed_forms():
    p, q = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]), np.array([[0.4, 0.4, 0.2], [0.3, 0.3, 0.4]])
    kl = D.kl_divergence(D.Categorical(tg.tensor(p)), D.Categorical(logits=tg.tensor(np.log(q))))
    np.testing.assert_allclose(kl.numpy(), (p * np.log(p / q)).sum(-1), rtol=1e-6)
    a, b = np.array([0.2, 0.9]), np.array([0.6, 0.5])
    kl = D.kl_divergence(D.Bernoulli(tg.tensor(a)), D.Bernoulli(logits=tg.tensor(np.log(b / (1 - b)))))
    np.testing.assert_allclose(kl.numpy(), a * np.log(a / b) + (1 - a) * np.log((1 - a) / (1 - b)), rtol=1e-5)
    # KL(p || q) is infinite where q puts no mass on p's support
    assert D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.0, 1.0)).item() == math.inf
    assert D.kl_divergence(D.Bernoulli(0.5), D.Bernoulli(0.0)).item() == math.inf
    assert D.kl_divergence(D.Bernoulli(0.0), D.Bernoulli(0.5)).item() == pytest.approx(math.log(2))

    mp, mq = R.standard_normal((2, 3)), R.standard_normal((2, 3))
    bp, bq = R.standard_normal((2, 3, 3)), R.standard_normal((2, 3, 3))
    sp, sq = bp @ bp.swapaxes(-1, -2) + np.eye(3), bq @ bq.swapaxes(-1, -2) + np.eye(3)
    sq_inv = np.linalg.inv(sq)
    diff = mq - mp
    expected = 0.5 * (
        np.trace(sq_inv @ sp, axis1=-2, axis2=-1)
        + np.einsum("bi,bij,bj->b", diff, sq_inv, diff)
        - 3
        + np.log(np.linalg.det(sq) / np.linalg.det(sp))
    )
    kl = D.kl_divergence(
        D.MultivariateNormal(tg.tensor(mp), tg.tensor(sp)), D.MultivariateNormal(tg.tensor(mq), tg.tensor(sq))
    )
    np.testing.assert_allclose(kl.numpy(), expected, rtol=1e-10)

    loc = tg.tensor(mp, requires_grad=True)
    assert gradcheck(
        lambda m: D.kl_divergence(
            D.MultivariateNormal(m, tg.tensor(sp)),
            D.MultivariateNormal(tg.tensor(mq), scale_tril=tg.tensor(np.linalg.cholesky(sq))),
        ),
        (loc,),
    )
    ps = tensors((LOC, SCALE), requires_grad=True)
    assert gradcheck(lambda m, s: D.kl_divergence(D.Normal(m, s), D.Normal(0.0, 1.0)), ps)


def test_register_kl_and_missing_pairs():
    with pytest.raises(
        NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type Normal and q type Gamma"
    ):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Gamma(1.0, 1.0))

    class Wide(D.Normal):
        pass

    # a subclass finds its parent's rule, until it registers its own
    assert D.kl_divergence(Wide(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 0.0

    @D.register_kl(Wide, D.Normal)
    def _kl_wide(p, q):
        return tg.tensor(42.0)

    assert D.kl_divergence(Wide(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    ind = D.kl_divergence(
        D.Independent(D.Normal(tg.zeros(2, 3), 1.0), 1), D.Independent(D.Normal(tg.ones(2, 3), 1.0), 1)
    )
    np.testing.assert_allclose(ind.numpy(), [1.5, 1.5])


# ---- validation ----------------------------------------------------------------------------------


def test_parameter_validation_errors():
    with pytest.raises(
        ValueError,
        match=r"Expected parameter scale \(Tensor of shape \(1,\)\) of distribution Normal"
        r".*GreaterThan\(lower_bound=0.0\)",
    ):
        D.Normal(tg.tensor([0.0]), tg.tensor([-1.0]))
    with pytest.raises(ValueError, match=r"parameter probs .*Interval\(lower_bound=0.0, upper_bound=1.0\)"):
        D.Bernoulli(tg.tensor([1.5]))
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both"):
        D.Categorical(probs=tg.ones(3), logits=tg.ones(3))
    with pytest.raises(ValueError, match=r"parameter low .*LessThan"):
        D.Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match=r"parameter covariance_matrix .*PositiveDefinite\(\)"):
        D.MultivariateNormal(tg.zeros(2), tg.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=r"parameter scale_tril .*LowerCholesky\(\)"):
        D.MultivariateNormal(tg.zeros(2), scale_tril=tg.tensor([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(
        ValueError, match="Exactly one of covariance_matrix or precision_matrix or scale_tril"
    ):
        D.MultivariateNormal(tg.zeros(2))
    with pytest.raises(ValueError, match=r"parameter concentration .*IndependentConstraint\(GreaterThan"):
        D.Dirichlet(tg.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"parameter total_count .*IntegerGreaterThan\(lower_bound=0\)"):
        D.Binomial(tg.tensor([2.5]), tg.tensor([0.5]))
    with pytest.raises(
        ValueError,
        match=r"Expected reinterpreted_batch_ndims <= len\(base_distribution.batch_shape\), actual 1 vs 0",
    ):
        D.Independent(D.Normal(0.0, 1.0), 1)
    D.Normal(tg.tensor([0.0]), tg.tensor([-1.0]), validate_args=False)  # no check when asked


def test_sample_validation_errors():
    with pytest.raises(
        ValueError,
        match=r"within the support \(GreaterThanEq\(lower_bound=0.0\)\) of the distribution Exponential",
    ):
        D.Exponential(1.0).log_prob(tg.tensor(-1.0))
    with pytest.raises(
        ValueError, match=r"Value is not broadcastable with batch_shape\+event_shape: \(2,\) vs \(3,\)"
    ):
        D.Normal(tg.zeros(3), 1.0).log_prob(tg.zeros(2))
    with pytest.raises(
        ValueError, match=r"The right-most size of value must match event_shape: \(2,\) vs \(3,\)"
    ):
        D.Dirichlet(tg.ones(3)).log_prob(tg.ones(2))
    with pytest.raises(ValueError, match=r"IntegerInterval\(lower_bound=0, upper_bound=2\)"):
        D.Categorical(tg.ones(3)).log_prob(tg.tensor(5))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(0.5)
    with pytest.raises(TypeError, match="sample_shape must be a tuple of ints"):
        D.Normal(0.0, 1.0).sample(5)
    with pytest.raises(
        ValueError, match="KL-divergence between two Multivariate Normals with different event shapes"
    ):
        D.kl_divergence(
            D.MultivariateNormal(tg.zeros(2), tg.eye(2)), D.MultivariateNormal(tg.zeros(3), tg.eye(3))
        )
    assert D.Normal(0.0, 1.0, validate_args=False).log_prob(tg.tensor([math.nan])).isnan().all()


def test_repr_constraints_and_import_paths():
    import tensorgrad.distributions as via_import

    assert tg.distributions is via_import
    assert repr(D.Normal(tg.zeros(2), 1.0)) == "Normal(loc: (2,), scale: (2,))"
    assert repr(D.Categorical(tg.ones(3)).support) == "IntegerInterval(lower_bound=0, upper_bound=2)"
    assert repr(D.MultivariateNormal.arg_constraints["loc"]) == "IndependentConstraint(Real(), 1)"
    np.testing.assert_array_equal(
        D.constraints.simplex.check(tg.tensor([[0.5, 0.5], [0.7, 0.7]])).numpy(), [True, False]
    )
    np.testing.assert_array_equal(
        D.Binomial(3, tg.tensor([0.2, 0.4])).enumerate_support().numpy(), [[0, 0], [1, 1], [2, 2], [3, 3]]
    )
