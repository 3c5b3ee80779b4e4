"""The compiled Cython kernels (built from kernels/*.pyx by setup.py).

Importing this package loads libgomp, which reads OMP_WAIT_POLICY once, at load time. Idle
OpenMP threads that spin steal the core that BLAS or the other thread needs (on 2 cores a
1 ms training step became 16 ms), so unless the user chose a policy, the kernels' OpenMP runtime
starts with "passive" threads; the variable is removed again right after, leaving the process
environment as it was.
"""

import os

_POLICY = "OMP_WAIT_POLICY"
_user_policy = os.environ.get(_POLICY)
if _user_policy is None:
    os.environ[_POLICY] = "passive"
try:
    from . import threads
except ImportError as error:
    raise ImportError(
        "tensorgrad's compiled kernels are missing or out of date. Install the package with "
        "`pip install .` (or `pip install -e .`), or build them in place with "
        "`python setup.py build_ext --inplace`."
    ) from error
finally:
    if _user_policy is None:
        del os.environ[_POLICY]
