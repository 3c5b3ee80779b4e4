"""Draw the backward graph of a tensor as Graphviz DOT source, or render it to PNG/SVG.

    print(tensorgrad.viz.to_dot(loss, params=dict(model.named_parameters())))
    tensorgrad.viz.render(loss, "graph.svg", format="svg")

One box per recorded operation (its backward node's name, output shape and dtype), one ellipse
per leaf tensor that requires grad (named from `params` when given), edges in the direction the
data flowed. Rendering runs Graphviz's `dot` executable; no Python package is needed.
"""

from __future__ import annotations

import os

from .autograd.function import Function
from .tensor import Tensor

FORMATS = ("png", "svg")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(shape: tuple) -> str:
    return str(list(shape))


def _node_label(node: Function) -> str:
    shapes = ", ".join(_shape(s) for s in node._out_shapes)
    dtype = "" if node._out_dtype is None else f" {node._out_dtype}"
    return f"{node.name()}\n{shapes}{dtype}"


def to_dot(tensor: Tensor, params: dict | None = None) -> str:
    """Graphviz DOT source of the backward graph that ends at `tensor`.

    params: a name -> tensor mapping (e.g. `dict(model.named_parameters())`) used to name the
    leaves; other leaves are labelled "leaf". The node of `tensor` itself is highlighted.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"viz.to_dot expects a Tensor, got {type(tensor).__name__}")
    names: dict = {}
    if params:
        for name, p in params.items():
            names[id(p)] = name
    ids: dict = {}  # id(node or leaf) -> DOT identifier
    lines = ["digraph tensorgrad {", '  node [fontname="Helvetica", fontsize=10];']
    edges = []

    def declare(obj: object, label: str, style: str) -> str:
        ident = ids.get(id(obj))
        if ident is None:
            ident = ids[id(obj)] = f"n{len(ids)}"
            lines.append(f"  {ident} [label={_quote(label)}, {style}];")
        return ident

    def declare_leaf(leaf: Tensor, style: str = "") -> str:
        name = names.get(id(leaf), "leaf")
        label = f"{name}\n{_shape(leaf._data.shape)} {leaf._data.dtype}"
        return declare(leaf, label, 'shape=ellipse, style=filled, fillcolor="lightblue"' + style)

    root = tensor.grad_fn
    if root is None:
        declare_leaf(tensor, ', color="darkgreen", penwidth=2')
    else:
        declare(root, _node_label(root), 'shape=box, style=filled, fillcolor="darkolivegreen1"')
    stack = [] if root is None else [root]
    visited = set(stack)
    while stack:
        node = stack.pop()
        target = ids[id(node)]
        for edge in node._edges:
            if edge is None:
                continue
            if edge.__class__ is tuple:
                source_node, nr = edge
                source = declare(source_node, _node_label(source_node), "shape=box")
                label = f' [label="{nr}"]' if len(source_node._out_shapes) > 1 else ""
                edges.append(f"  {source} -> {target}{label};")
                if source_node not in visited:
                    visited.add(source_node)
                    stack.append(source_node)
            else:
                edges.append(f"  {declare_leaf(edge)} -> {target};")
    lines.extend(edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(tensor: Tensor, path: str | os.PathLike, format: str = "png", params: dict | None = None) -> str:
    """Write the backward graph of `tensor` to `path` as a PNG or SVG image; returns the path.

    Needs Graphviz's `dot` executable on PATH (`apt-get install graphviz`, `brew install
    graphviz` or `conda install graphviz`).
    """
    import shutil
    import subprocess

    if format not in FORMATS:
        raise ValueError(f"viz.render: format must be one of {FORMATS}, got {format!r}")
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "viz.render needs Graphviz's `dot` executable, which is not on PATH. Install Graphviz "
            "(`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`), or "
            "use viz.to_dot(tensor) and render the DOT source elsewhere."
        )
    source = to_dot(tensor, params)
    result = subprocess.run(
        [dot, f"-T{format}", "-o", os.fspath(path)], input=source, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"viz.render: `dot -T{format}` failed: {result.stderr.strip()}")
    return os.fspath(path)
