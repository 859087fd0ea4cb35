"""`model.summary()`: the Keras table of layers, output shapes and parameter counts."""

from __future__ import annotations

from lamina.utils import _tree


def _format_shape(shape) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in shape)
        + (",)" if len(shape) == 1 else ")")
    )


def _output_shape(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return "?"
    tensors = _tree.flatten(nodes[-1].outputs)
    shapes = [t.shape for t in tensors]
    return _format_shape(shapes[0] if len(shapes) == 1 else shapes)


def _size(variables) -> int:
    total = 0
    for v in variables:
        n = 1
        for d in v.shape:
            n *= d
        total += n
    return total


def _bytes(variables) -> str:
    from numpy import dtype as np_dtype

    size = 0
    for v in variables:
        n = 1
        for d in v.shape:
            n *= d
        itemsize = 2 if v.dtype == "bfloat16" else np_dtype(v.dtype).itemsize
        size += n * itemsize
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def print_summary(model, line_length=None, print_fn=None, show_trainable=False) -> None:
    print_fn = print_fn or print
    from lamina.layers.input_layer import InputLayer

    rows = []
    for layer in model.layers:
        if isinstance(layer, InputLayer) and type(model).__name__ == "Sequential":
            continue
        params = _size(layer.weights) if layer.built else 0
        rows.append(
            (f"{layer.name} ({type(layer).__name__})", _output_shape(layer), f"{params:,}")
        )
    headers = ("Layer (type)", "Output Shape", "Param #")
    widths = [
        max(len(headers[i]), *(len(r[i]) for r in rows)) if rows else len(headers[i])
        for i in range(3)
    ]
    widths = [max(widths[0], 31), max(widths[1], 22), max(widths[2], 13)]

    def line(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(cells, sep="│"):
        text = [
            f" {cells[0]:<{widths[0]}} ",
            f" {cells[1]:<{widths[1]}} ",
            f" {cells[2]:>{widths[2]}} ",
        ]
        return sep + sep.join(text) + sep

    out = [
        f'Model: "{model.name}"',
        line("┏", "┳", "┓", "━"),
        row(headers, "┃"),
        line("┡", "╇", "┩", "━"),
    ]
    for i, r in enumerate(rows):
        out.append(row(r))
        if i < len(rows) - 1:
            out.append(line("├", "┼", "┤", "─"))
    out.append(line("└", "┴", "┘", "─"))
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    out.append(
        f" Total params: {_size(trainable) + _size(non_trainable):,} ({_bytes(trainable + non_trainable)})"
    )
    out.append(f" Trainable params: {_size(trainable):,} ({_bytes(trainable)})")
    out.append(f" Non-trainable params: {_size(non_trainable):,} ({_bytes(non_trainable)})")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        out.append(
            f" Optimizer params: {_size(optimizer.variables):,} ({_bytes(optimizer.variables)})"
        )
    for text in out:
        print_fn(text)
