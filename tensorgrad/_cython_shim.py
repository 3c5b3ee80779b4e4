"""Stand-in for the `cython` module where Cython is not installed (it is a build dependency only).

The modules that setup.py compiles (PYTHON_MODULES) `import cython` for `cython.compiled` and
for `@cython.locals` type declarations; uncompiled, both must mean nothing:

    try:
        import cython
    except ImportError:
        from .. import _cython_shim as cython
"""

from collections.abc import Callable
from typing import Any

compiled = False


def locals(**types: Any) -> Callable[[Any], Any]:  # noqa: A001 (Cython's name)
    """`@cython.locals(x=T)`: declares C types when compiled, leaves the function as it is here."""
    return lambda function: function
