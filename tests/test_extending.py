"""docs/extending.md cannot rot: every block in it is run or checked here. Then the two worked
examples of the guide, softplus and silu, against numpy: kernels, ops, gradients, modules.

The guide's blocks, in order:
- a ```python block is executed (all in one namespace, as a reader would paste them); a ```text
  block right after it is the output it must print;
- a ```python or ```cython block whose first line is `# <path>` is an excerpt: the rest of it must
  appear word for word in that file;
- a ```bash block holds commands, run one by one in a copy of the repository (so the kernel
  rebuild it shows never touches the checkout other tests import).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import nn
from tensorgrad._kernels import silu as silu_k
from tensorgrad._kernels import softplus as softplus_k
from tensorgrad.testing import assert_close, check_op, noncontiguous

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "extending.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(GUIDE.read_text())]


def _excerpt_path(code: str) -> str | None:
    first = code.split("\n", 1)[0]
    return first[2:].strip() if first.startswith("# ") and "/" in first else None


def _excerpts() -> list:
    return [
        pytest.param(_excerpt_path(code), code.split("\n", 1)[1], id=f"{k}-{_excerpt_path(code)}")
        for k, (lang, code) in enumerate(_blocks())
        if lang in ("python", "cython") and _excerpt_path(code)
    ]


def _runnable() -> list[tuple[str, str | None]]:
    """(python code, expected output or None) for every executed block, in order."""
    blocks = _blocks()
    runs = []
    for k, (lang, code) in enumerate(blocks):
        if lang == "python" and not _excerpt_path(code):
            follows = blocks[k + 1] if k + 1 < len(blocks) else ("", "")
            runs.append((code, follows[1] if follows[0] == "text" else None))
    return runs


def _commands() -> list[str]:
    return [line for lang, code in _blocks() if lang == "bash" for line in code.splitlines() if line.strip()]


def _rounded(text: str) -> str:
    """Floats to 6 significant digits: finite differences may differ in the last digits elsewhere."""
    return re.sub(r"-?\d+\.\d+(?:e[-+]?\d+)?", lambda m: format(float(m.group()), ".6g"), text)


# ---- the guide ------------------------------------------------------------------------------------


def test_every_block_of_the_guide_is_run_or_checked():
    blocks = _blocks()
    assert len(blocks) >= 15
    for k, (lang, code) in enumerate(blocks):
        if lang == "text":
            assert k > 0 and blocks[k - 1][0] == "python" and not _excerpt_path(blocks[k - 1][1]), (
                f"text block {k} does not follow an executed python block"
            )
        elif lang == "cython":
            assert _excerpt_path(code), f"cython block {k} must start with `# <path>`"
        else:
            assert lang in ("python", "bash"), f"block {k} has language {lang!r}, which no test runs"


def test_guide_is_linked_from_the_readme():
    assert "(docs/extending.md)" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("path, text", _excerpts())
def test_guide_excerpt_matches_the_file(path, text):
    assert text in (ROOT / path).read_text(), f"the guide's excerpt of {path} is not in that file any more"


def test_guide_python_blocks_run_and_print_what_the_guide_shows():
    namespace: dict = {"__name__": "extending_guide"}
    for k, (code, expected) in enumerate(_runnable()):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"docs/extending.md python block {k}", "exec"), namespace)
        if expected is not None:
            assert _rounded(out.getvalue()) == _rounded(expected), (
                f"python block {k} printed:\n{out.getvalue()}"
            )


def _copy_of_the_repository(dest: Path) -> None:
    """What the guide's commands need: sources, built kernels, tests and benchmarks."""
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    (dest / "kernels").mkdir()
    for src in (ROOT / "kernels").iterdir():
        if src.suffix in (".pyx", ".pxd"):
            shutil.copy2(src, dest / "kernels" / src.name)
    skip = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".benchmarks", "*.c", "*.html")
    for name in ("tensorgrad", "tests", "benchmarks"):
        shutil.copytree(ROOT / name, dest / name, ignore=skip)


def test_guide_commands_run_in_a_copy_of_the_repository(tmp_path):
    commands = _commands()
    assert any(c.startswith("TENSORGRAD_KERNELS=silu python setup.py build_ext") for c in commands)
    _copy_of_the_repository(tmp_path)
    kernel = next((tmp_path / "tensorgrad" / "_kernels").glob("silu.*"))
    os.utime(kernel, (0, 0))  # the rebuild must replace it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    for command in commands:
        start = time.perf_counter()
        result = subprocess.run(
            command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        seconds = time.perf_counter() - start
        assert result.returncode == 0, (
            f"`{command}` failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        print(f"{seconds:6.1f} s  {command}")
    assert kernel.stat().st_mtime > 0, "the guide's build command did not rebuild the silu kernel"


# ---- the worked examples: kernels against numpy --------------------------------------------------


def np_softplus(x, beta=1.0, threshold=20.0):
    bx = x * beta
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype)


def np_softplus_grad(g, x, beta=1.0, threshold=20.0):
    bx = (x * beta).astype(np.float64)
    return np.where(bx > threshold, g, g / (1 + np.exp(-bx))).astype(x.dtype)


def np_silu(x):
    return (x / (1 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


def np_silu_grad(g, x):
    x64 = x.astype(np.float64)
    s = 1 / (1 + np.exp(-x64))
    return (g * s * (1 + x64 * (1 - s))).astype(x.dtype)


# sizes below and above the threading thresholds of kernels/parallel.pxd, none a multiple of 64
SIZES = [0, 1, 7, 100, 8191, 50_003, 300_007]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: (2e-6, 1e-6), np.float64: (1e-13, 1e-15)}


def _values(n, dtype, scale=6.0):
    return (np.random.default_rng(n).standard_normal(n) * scale).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_silu_kernels_match_numpy(n, dtype):
    x, g = _values(n, dtype), _values(n + 1, dtype)[:n].copy()
    rtol, atol = TOL[dtype]
    assert_close(silu_k.silu_forward(x, np.empty_like(x)), np_silu(x), rtol=rtol, atol=atol)
    assert_close(silu_k.silu_backward(g, x, np.empty_like(x)), np_silu_grad(g, x), rtol=rtol, atol=atol)


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 1.0), (0.5, 3.0)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_softplus_kernels_match_numpy(n, dtype, beta, threshold):
    x, g = _values(n, dtype), _values(n + 1, dtype)[:n].copy()
    rtol, atol = TOL[dtype]
    got = softplus_k.softplus_forward(x, np.empty_like(x), beta, threshold)
    assert_close(got, np_softplus(x, beta, threshold), rtol=rtol, atol=atol)
    got = softplus_k.softplus_backward(g, x, np.empty_like(x), beta, threshold)
    assert_close(got, np_softplus_grad(g, x, beta, threshold), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kernels_at_extreme_values_match_the_float64_formulas(dtype):
    # as in PyTorch: silu(-inf) and silu'(+-inf) are NaN (inf / inf, inf * 0); nothing else is
    x = np.array([-1e4, -200.0, -80.0, -30.0, 0.0, 30.0, 80.0, 200.0, 1e4, np.inf, -np.inf], dtype=dtype)
    g = np.ones_like(x)
    never = 1e30  # a softplus threshold never reached: the smooth formula everywhere
    with np.errstate(over="ignore", invalid="ignore"):
        silu, silu_grad = np_silu(x), np_silu_grad(g, x)
        softplus = np.logaddexp(0, x.astype(np.float64)).astype(dtype)
        softplus_grad = np_softplus_grad(g, x, 1.0, never)
    assert_close(silu_k.silu_forward(x, np.empty_like(x)), silu, equal_nan=True)
    assert_close(silu_k.silu_backward(g, x, np.empty_like(x)), silu_grad, equal_nan=True)
    assert_close(softplus_k.softplus_forward(x, np.empty_like(x), 1.0, never), softplus)
    assert_close(softplus_k.softplus_backward(g, x, np.empty_like(x), 1.0, never), softplus_grad)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kernel_results_do_not_depend_on_the_thread_count(dtype):
    x = _values(300_007, dtype)  # above the threading threshold
    before = tg.get_num_threads()
    results = []
    try:
        for threads in (1, 2, 3):
            tg.set_num_threads(threads)
            results.append(
                (
                    silu_k.silu_forward(x, np.empty_like(x)),
                    softplus_k.softplus_backward(x, x, np.empty_like(x), 1.0, 20.0),
                )
            )
    finally:
        tg.set_num_threads(before)
    for other in results[1:]:
        np.testing.assert_array_equal(other[0], results[0][0])
        np.testing.assert_array_equal(other[1], results[0][1])


def test_kernels_release_the_gil():
    """Another Python thread keeps running while the kernels run (summed over 20 calls of each,
    on one OpenMP thread so that a core is left for it even on a busy 2-core machine)."""
    import threading

    x = _values(2_000_000, np.float32)
    out = np.empty_like(x)
    ticks = []
    done = threading.Event()
    during = {"silu": 0, "softplus": 0}

    def count():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0)

    before_threads = tg.get_num_threads()
    tg.set_num_threads(1)
    counter = threading.Thread(target=count)
    counter.start()
    try:
        for _ in range(20):
            before = len(ticks)
            silu_k.silu_forward(x, out)
            during["silu"] += len(ticks) - before
            before = len(ticks)
            softplus_k.softplus_forward(x, out, 1.0, 20.0)
            during["softplus"] += len(ticks) - before
    finally:
        done.set()
        counter.join()
        tg.set_num_threads(before_threads)
    assert during["silu"] > 0 and during["softplus"] > 0, f"other thread's ticks during the calls: {during}"


# ---- the worked examples: ops, gradients, modules --------------------------------------------------


def _samples():
    rng = np.random.default_rng(3)
    return [
        rng.standard_normal((3, 4)) * 3,
        np.array(0.7),
        np.zeros((2, 0)),
        noncontiguous(rng.standard_normal((3, 4))),
        rng.standard_normal((2, 1, 3)),
    ]


def test_silu_op_checks():
    check_op(tg.nn.functional.silu, _samples(), np_silu, twice_differentiable=True)


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 0.75), (0.5, 1.0)])
def test_softplus_op_checks(beta, threshold):
    samples = [tg.testing.Sample((x,), {"beta": beta, "threshold": threshold}) for x in _samples()]
    # the samples keep |beta x - threshold| away from 0 where the formula switches
    for s in samples:
        x = s.args[0]
        assert np.all(np.abs(x * beta - threshold) > 1e-3) or x.size == 0
    check_op(tg.nn.functional.softplus, samples, np_softplus, twice_differentiable=True)


def test_third_derivatives_through_the_fused_backward():
    x = tg.tensor([-1.5, 0.3, 2.0], dtype=tg.float64, requires_grad=True)
    for op, third in (
        (tg.nn.functional.silu, lambda s, v: s * (1 - s) * (3 * (1 - 2 * s) + v * (1 - 6 * s * (1 - s)))),
        (tg.nn.functional.softplus, lambda s, v: s * (1 - s) * (1 - 2 * s)),
    ):
        (g1,) = tg.autograd.grad(op(x).sum(), x, create_graph=True)
        (g2,) = tg.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = tg.autograd.grad(g2.sum(), x)
        v = x.detach().numpy()
        s = 1 / (1 + np.exp(-v))
        assert_close(g3, third(s, v))


def test_ops_reject_integer_input_and_keep_float_dtypes():
    for op in (tg.nn.functional.silu, tg.nn.functional.softplus):
        with pytest.raises(RuntimeError, match="expected a floating point tensor"):
            op(tg.tensor([1, 2]))
        for dtype in (tg.float32, tg.float64):
            assert op(tg.ones(3, dtype=dtype)).dtype == dtype


def test_broadcast_and_strided_gradients_reach_the_fused_backward():
    # sum's backward hands an expanded (stride-0) gradient; a transposed input is not contiguous
    x = tg.from_numpy(np.random.default_rng(4).standard_normal((3, 4))).requires_grad_()
    for op, grad in ((tg.nn.functional.silu, np_silu_grad), (tg.nn.functional.softplus, np_softplus_grad)):
        (got,) = tg.autograd.grad(op(x.T).sum(), x)
        v = x.detach().numpy()
        assert_close(got, grad(np.ones_like(v), v))


def test_modules():
    x = tg.tensor([-2.0, 0.5, 30.0])
    assert_close(nn.SiLU()(x), np_silu(x.numpy()))
    assert_close(nn.Softplus()(x), np_softplus(x.numpy()))
    m = nn.Softplus(beta=2.0, threshold=1.0)
    assert_close(m(x), np_softplus(x.numpy(), 2.0, 1.0))
    assert repr(m) == "Softplus(beta=2.0, threshold=1.0)"
    assert repr(nn.SiLU()) == "SiLU()"
    assert list(m.state_dict()) == []


def test_inplace_silu_still_works():
    x = tg.tensor([-1.0, 0.0, 2.0])
    y = x.clone()
    out = tg.nn.functional.silu(y, inplace=True)
    assert out is y
    assert_close(y, np_silu(x.numpy()))


def test_the_profiler_sees_the_new_ops_and_their_kernels():
    x = tg.randn(1000, requires_grad=True)
    with tg.profiler.profile() as prof:
        tg.nn.functional.silu(x).sum().backward()
        tg.nn.functional.softplus(x).sum().backward()
    stats = {s.name: s for s in prof.key_averages()}
    for name in ("Silu", "Softplus"):
        assert stats[name].calls == 1 and stats[name].backward_calls == 1
        assert stats[name].kernel_time_us > 0  # its kernels are called through the module attribute
