"""Probability distributions with PyTorch's API (torch.distributions): parameters, sampling
(reparameterized where `has_rsample`), log_prob, entropy, moments, cdf/icdf, argument validation
and closed-form KL divergences. Samples come from the generator that tensorgrad.manual_seed seeds.

    import tensorgrad.distributions as D
    dist = D.Normal(mu, sigma)
    z = dist.rsample()                       # gradients reach mu and sigma
    loss = D.kl_divergence(dist, D.Normal(0.0, 1.0)).sum()
"""

from . import constraints
from .bernoulli import Bernoulli, Binomial, Geometric
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .exponential import Exponential, Laplace
from .gamma import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import LogNormal, Normal
from .poisson import Poisson
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "Gamma",
    "Geometric",
    "Independent",
    "Laplace",
    "LogNormal",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Poisson",
    "Uniform",
    "constraints",
    "kl",
    "kl_divergence",
    "register_kl",
]
