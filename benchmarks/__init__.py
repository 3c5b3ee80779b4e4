"""tensorgrad's benchmarks.

`python -m benchmarks.compare` runs the workloads W1-W9 of PERFORMANCE.md side by side for
tensorgrad, numpy written by hand and PyTorch (when installed); `pytest benchmarks/` runs the
pytest-benchmark micro-benchmarks kept for regressions.
"""
