"""Build the Cython kernels: every kernels/<name>.pyx becomes tensorgrad._kernels.<name>.

Environment variables:
  TENSORGRAD_MARCH          target ISA passed as -march (default: x86-64-v3 on x86-64, i.e.
                            AVX2+FMA; "native" for this machine only; "x86-64" for any x86-64 CPU).
  TENSORGRAD_DEBUG_KERNELS  "1" compiles with Cython bounds and wraparound checks, -O0 and no
                            fast-math, so an out-of-bounds access raises instead of corrupting memory.
  TENSORGRAD_KERNELS        comma-separated kernel names to build (default: all), to rebuild one fast.
  TENSORGRAD_PURE_PYTHON    "1" leaves the Python layer uncompiled (see PYTHON_MODULES).

The modules in PYTHON_MODULES, the per-op path of every operation (Tensor, Function.apply, the
engine, the op classes), are plain Python compiled by Cython as they are: the .py file stays the
source and runs unchanged where it is not compiled, and the compiled module (which Python imports
in preference to the .py beside it) costs less per op. A .pxd beside a .py (tensor.pxd,
autograd/function.pxd, autograd/engine.pxd, autograd/grad_mode.pxd, ops/elementwise.pxd) gives it
C types when compiled: Tensor and Function become extension types with C fields, and
`@cython.locals` in the .py types a function's variables (tensorgrad/_cython_shim.py stands in
for Cython where it is not installed). After editing one of them, rebuild
(`python setup.py build_ext --inplace`); a test fails while a compiled module is older than its
sources.
"""

import os
import platform
import sys
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("TENSORGRAD_DEBUG_KERNELS") == "1"
ONLY = [n for n in os.environ.get("TENSORGRAD_KERNELS", "").split(",") if n]
PURE_PYTHON = os.environ.get("TENSORGRAD_PURE_PYTHON") == "1"

PYTHON_MODULES = [
    "tensorgrad/tensor.py",
    "tensorgrad/autograd/function.py",
    "tensorgrad/autograd/engine.py",
    "tensorgrad/autograd/grad_mode.py",
    "tensorgrad/ops/_util.py",
    "tensorgrad/ops/elementwise.py",
    "tensorgrad/ops/reduce.py",
    "tensorgrad/ops/shape.py",
    "tensorgrad/ops/matmul.py",
    "tensorgrad/ops/activation.py",
    "tensorgrad/nn/modules/module.py",
    "tensorgrad/nn/optim/optimizer.py",
    "tensorgrad/nn/optim/adam.py",
    "tensorgrad/nn/optim/sgd.py",
]


def target_flags() -> list[str]:
    march = os.environ.get("TENSORGRAD_MARCH")
    if march is None:
        march = "x86-64-v3" if platform.machine() in ("x86_64", "AMD64") else ""
    return [f"-march={march}"] if march else []


def compile_flags() -> list[str]:
    if DEBUG:
        return ["-O0", "-g", "-fopenmp"]
    # -ffast-math lets GCC vectorise exp/tanh/log through glibc's libmvec; -fno-finite-math-only
    # keeps inf/nan semantics. Fast-math stays at compile time: linking with it would pull in
    # crtfastmath.o and switch the whole process to flush-to-zero on import.
    # glibc only declares its SIMD maths variants when __FAST_MATH__ is defined, and
    # -fno-finite-math-only undefines it; define it back so exp/tanh/log vectorise.
    return [
        "-O3",
        "-ffast-math",
        "-fno-finite-math-only",
        "-D__FAST_MATH__",
        "-fopenmp",
        *target_flags(),
    ]


def kernel_extensions() -> list[Extension]:
    libraries = ["mvec", "m"] if sys.platform.startswith("linux") else []
    sources = sorted(Path("kernels").glob("*.pyx"))
    if ONLY:
        sources = [s for s in sources if s.stem in ONLY]
    return [
        Extension(
            f"tensorgrad._kernels.{src.stem}",
            [str(src)],
            include_dirs=[np.get_include(), "kernels"],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
            extra_compile_args=compile_flags(),
            extra_link_args=["-fopenmp"],
            libraries=libraries,
        )
        for src in sources
    ]


def python_extensions() -> list[Extension]:
    """The Python layer's hot modules, compiled with Python's semantics kept (no C division,
    annotations not read as C types)."""
    if PURE_PYTHON or ONLY:
        return []
    modules = [
        Extension(path[:-3].replace("/", "."), [path], extra_compile_args=["-O2"]) for path in PYTHON_MODULES
    ]
    # nonecheck: a variable typed as Tensor or Function (function.pxd, @cython.locals) that holds
    # None raises AttributeError instead of reading a struct that is not there
    directives = {"language_level": 3, "annotation_typing": False, "binding": True, "nonecheck": True}
    return cythonize(modules, compiler_directives=directives)


setup(
    ext_modules=python_extensions()
    + cythonize(
        kernel_extensions(),
        include_path=["kernels"],
        # the debug build's C sources go elsewhere, so switching modes never reuses stale C
        build_dir="build/cython-debug" if DEBUG else None,
        compiler_directives={
            "language_level": 3,
            "boundscheck": DEBUG,
            "wraparound": DEBUG,
            "initializedcheck": DEBUG,
            # C division in both modes: Python's would raise ZeroDivisionError inside nogil kernels
            # for a float x / 0, where IEEE (and every test) expects inf or nan
            "cdivision": True,
            "embedsignature": True,
        },
    ),
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
