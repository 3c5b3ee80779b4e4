"""tensorgrad.viz: DOT source of the backward graph (structure checked by a small parser) and
rendering through the `dot` executable, or a clear error without it."""

import os
import re
import shutil
import stat

import numpy as np
import pytest

import tensorgrad as tg
from tensorgrad import viz

QUOTED = r'"((?:[^"\\]|\\.)*)"'
NODE = re.compile(r"^  (n\d+) \[label=" + QUOTED + r"(, [^\]]*)?\];$")
EDGE = re.compile(r'^  (n\d+) -> (n\d+)( \[label="\d+"\])?;$')


def unescape(label):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), label)


def parse(source):
    """(labels by node id, edges as (source label, target label)); fails on any unexpected line."""
    assert source.startswith("digraph tensorgrad {\n") and source.endswith("}\n")
    assert source.count("{") == source.count("}") == 1
    labels, edges = {}, []
    for line in source.splitlines()[1:-1]:
        if line.startswith("  node ["):
            continue
        node, edge = NODE.match(line), EDGE.match(line)
        if node:
            assert node.group(1) not in labels, f"node declared twice: {line}"
            labels[node.group(1)] = unescape(node.group(2))
        elif edge:
            edges.append((edge.group(1), edge.group(2)))
        else:
            raise AssertionError(f"unexpected DOT line: {line!r}")
    for a, b in edges:
        assert a in labels and b in labels, f"edge {a} -> {b} uses an undeclared node"
    return labels, [(labels[a], labels[b]) for a, b in edges]


def tiny_model(dtype=np.float32):
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((4, 3)).astype(dtype))
    w = tg.tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True)
    b = tg.tensor(np.zeros(2, dtype), requires_grad=True)
    return (x @ w + b).relu().sum(), {"weight": w, "bias": b}


def test_dot_names_every_op_and_parameter_with_data_flow_edges():
    loss, params = tiny_model()
    labels, edges = parse(viz.to_dot(loss, params=params))
    assert sorted(labels.values()) == sorted(
        [
            "weight\n[3, 2] float32",
            "bias\n[2] float32",
            "MatMulBackward\n[4, 2] float32",
            "AddBackward\n[4, 2] float32",
            "ReluBackward\n[4, 2] float32",
            "SumBackward\n[] float32",
        ]
    )
    assert sorted(edges) == sorted(
        [
            ("weight\n[3, 2] float32", "MatMulBackward\n[4, 2] float32"),
            ("MatMulBackward\n[4, 2] float32", "AddBackward\n[4, 2] float32"),
            ("bias\n[2] float32", "AddBackward\n[4, 2] float32"),
            ("AddBackward\n[4, 2] float32", "ReluBackward\n[4, 2] float32"),
            ("ReluBackward\n[4, 2] float32", "SumBackward\n[] float32"),
        ]
    )


def test_leaves_without_params_are_marked_as_leaves_and_dtypes_follow_the_data():
    loss, _ = tiny_model(np.float64)
    labels, _ = parse(viz.to_dot(loss))
    assert sorted(label for label in labels.values() if label.startswith("leaf")) == [
        "leaf\n[2] float64",
        "leaf\n[3, 2] float64",
    ]
    assert "SumBackward\n[] float64" in labels.values()


def test_a_shared_node_and_leaf_are_declared_once():
    w = tg.tensor(np.ones((2, 2)), requires_grad=True)
    h = w @ w
    labels, edges = parse(viz.to_dot((h * h).sum(), params={"w": w}))
    assert list(labels.values()).count("w\n[2, 2] float64") == 1
    assert edges.count(("w\n[2, 2] float64", "MatMulBackward\n[2, 2] float64")) == 2
    assert edges.count(("MatMulBackward\n[2, 2] float64", "MulBackward\n[2, 2] float64")) == 2


def test_a_leaf_alone_and_odd_names_still_give_valid_dot():
    w = tg.ones(3, requires_grad=True)
    labels, edges = parse(viz.to_dot(w, params={'we"ird\\name': w}))
    assert list(labels.values()) == ['we"ird\\name\n[3] float32'] and edges == []
    with pytest.raises(TypeError, match="expects a Tensor"):
        viz.to_dot(np.ones(3))


def test_render_without_dot_names_what_to_install(monkeypatch, tmp_path):
    loss, _ = tiny_model()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="install Graphviz|Install Graphviz"):
        viz.render(loss, tmp_path / "g.png")
    with pytest.raises(ValueError, match="format must be one of"):
        viz.render(loss, tmp_path / "g.pdf", format="pdf")


def fake_dot(folder, script):
    path = folder / "dot"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_render_passes_the_dot_source_and_format_to_dot(monkeypatch, tmp_path):
    # A stand-in `dot` that records its arguments and copies its input to the -o file.
    fake_dot(tmp_path, 'echo "$1 $2" > "$3.args"\ncat > "$3"\n')
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    loss, params = tiny_model()
    out = tmp_path / "graph.svg"
    assert viz.render(loss, out, format="svg", params=params) == str(out)
    assert out.read_text() == viz.to_dot(loss, params=params)
    assert (tmp_path / "graph.svg.args").read_text().strip() == "-Tsvg -o"


def test_render_reports_dot_failures(monkeypatch, tmp_path):
    fake_dot(tmp_path, 'echo "syntax error in line 1" >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    loss, _ = tiny_model()
    with pytest.raises(RuntimeError, match="syntax error in line 1"):
        viz.render(loss, tmp_path / "g.png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_render_with_graphviz(tmp_path, fmt, magic):
    loss, params = tiny_model()
    out = tmp_path / f"graph.{fmt}"
    viz.render(loss, out, format=fmt, params=params)
    assert out.read_bytes().startswith(magic)
