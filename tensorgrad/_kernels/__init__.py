"""The compiled Cython kernels (built from kernels/*.pyx by setup.py)."""
