"""Thread counts under contention: the policy, the /proc reading, and the adaptation end to end."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import _threading
from tensorgrad._threading import BUSY_SAMPLES, threads_for_load


def test_policy_keeps_the_configured_count_on_free_cores():
    assert threads_for_load(2, 2, [0] * BUSY_SAMPLES) == 2
    assert threads_for_load(4, 8, [3] * BUSY_SAMPLES) == 4


def test_policy_leaves_the_taken_cores_and_keeps_at_least_one_thread():
    assert threads_for_load(2, 2, [1] * BUSY_SAMPLES) == 1
    assert threads_for_load(2, 2, [5] * BUSY_SAMPLES) == 1
    assert threads_for_load(8, 8, [3] * BUSY_SAMPLES) == 5


def test_policy_ignores_blips():
    assert threads_for_load(2, 2, [1, 0, 1]) == 2  # one quiet check: the cores were free
    assert threads_for_load(2, 2, [0, 1, 1]) == 2


def test_policy_trusts_the_first_checks_of_a_process():
    assert threads_for_load(2, 2, [1]) == 1  # started next to a busy core: no 2-thread steps first
    assert threads_for_load(2, 2, [1, 0]) == 2  # and back as soon as a check sees the core free
    assert threads_for_load(2, 2, []) == 2


def _spinners(n):
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="reads Linux's /proc")
def test_other_processes_spinning_are_counted():
    cores = len(os.sched_getaffinity(0))
    helpers = _spinners(cores)
    try:
        time.sleep(0.2)
        counts = [_threading._other_runnable_threads() for _ in range(5)]
    finally:
        for h in helpers:
            h.kill()
            h.wait()
    assert min(counts) >= cores, counts  # each spinner is runnable all the time


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="reads Linux's /proc")
def test_products_drop_to_one_thread_while_every_core_is_taken(monkeypatch):
    monkeypatch.setattr(_threading, "_enabled", True)
    monkeypatch.setattr(_threading, "_recent", [])
    before = tg.get_num_threads()
    tg.set_num_threads(2)
    a = tg.randn(64, 64)
    helpers = _spinners(len(os.sched_getaffinity(0)))
    try:
        time.sleep(0.2)
        for _ in range(BUSY_SAMPLES + 1):
            time.sleep(_threading.CHECK_INTERVAL_S * 1.2)
            product = a @ a
        in_use = _threading.threads_in_use()
    finally:
        for h in helpers:
            h.kill()
            h.wait()
        tg.set_num_threads(before)
    assert in_use == 1
    assert tg.get_num_threads() == before  # the configured count is what set_num_threads set
    np.testing.assert_allclose(product.numpy(), a.numpy() @ a.numpy(), rtol=1e-5, atol=1e-5)


def test_turned_off_it_never_changes_the_count(monkeypatch):
    monkeypatch.setattr(_threading, "_enabled", False)
    monkeypatch.setattr(_threading, "_other_runnable_threads", lambda: pytest.fail("load was read"))
    before = tg.get_num_threads()
    tg.set_num_threads(2)
    try:
        for _ in range(3):
            _threading.adapt_to_load()
        assert _threading.threads_in_use() == 2
    finally:
        tg.set_num_threads(before)


def test_first_check_of_a_process_looks_twice_at_other_threads(monkeypatch):
    def counts(*values):
        seen = iter(values)
        monkeypatch.setattr(_threading, "_other_runnable_threads", lambda: next(seen))

    counts(1, 0)  # a blip at start (threads starting, a process exiting): gone 2 ms later
    assert _threading._first_check() == 0
    counts(1, 1)  # a busy core stays busy
    assert _threading._first_check() == 1
    counts(0)  # free at the first look: no second one (the iterator would raise)
    assert _threading._first_check() == 0
