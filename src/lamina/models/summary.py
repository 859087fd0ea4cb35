"""`model.summary()`: the Keras table of layers, output shapes and parameter counts."""

from __future__ import annotations

from lamina.utils import _tree
from lamina.utils.progbar import _print_line


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


def _sequential_like(model) -> bool:
    """Whether the graph is a plain chain: then Keras leaves out the "Connected to" column."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None or len(model.inputs) > 1 or len(model.outputs) > 1:
        return nodes is None
    consumers: dict = {}
    for node in nodes:
        if len(node.input_tensors) > 1 or len(node.layer._inbound_nodes) > 1:
            return False
        for tensor in node.input_tensors:
            consumers[id(tensor)] = consumers.get(id(tensor), 0) + 1
    return all(count == 1 for count in consumers.values())


def _connections(model, layer) -> str:
    """ "name[node][tensor], ..." for the inputs of the layer's calls in this model."""
    nodes = [n for n in getattr(model, "_nodes", []) if n.layer is layer]
    parts = []
    for node in nodes:
        for tensor in node.input_tensors:
            source = tensor._node.layer
            index = source._inbound_nodes.index(tensor._node)
            parts.append(f"{source.name}[{index}][{tensor._index}]")
    return ", ".join(parts) or "-"


def print_summary(model, line_length=None, print_fn=None, show_trainable=False) -> None:
    # Without print_fn, the lines go to stdout, or to `logging` after
    # lamina.config.disable_interactive_logging(), as in Keras.
    print_fn = print_fn or _print_line
    from lamina.layers.input_layer import InputLayer

    connected = not _sequential_like(model)
    rows = []
    for layer in getattr(model, "_layers", model.layers):  # with the op nodes, as Keras
        if isinstance(layer, InputLayer) and type(model).__name__ == "Sequential":
            continue
        params = _size(layer.weights) if layer.built else 0
        identity = getattr(layer, "_serialized_identity", None)
        kind = identity()[1] if identity is not None else type(layer).__name__
        row = [f"{layer.name} ({kind})", _output_shape(layer), f"{params:,}"]
        if connected:
            row.append(_connections(model, layer))
        rows.append(row)
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    minimums = [19, 17, 10, 17] if connected else [31, 22, 13]
    widths = [
        max(minimums[i], len(headers[i]), *(len(r[i]) for r in rows)) for i in range(len(headers))
    ]
    aligns = ["<", "<", ">", "<"]

    def line(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(cells, sep="│"):
        text = [f" {cell:{aligns[i]}{widths[i]}} " for i, cell in enumerate(cells)]
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
