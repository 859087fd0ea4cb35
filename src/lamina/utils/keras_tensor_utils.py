"""Questions about symbolic tensors: `is_keras_tensor`, `get_source_inputs`."""

from __future__ import annotations

from lamina.backend._keras_tensor import KerasTensor


def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic tensor (what `Input` and layers on it return).

    Args:
        x: any value.

    Example:
        >>> lamina.utils.is_keras_tensor(lamina.Input((3,)))
        True
    """
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor) -> list:
    """The `Input` tensors that a symbolic tensor is computed from.

    Args:
        tensor: a symbolic tensor; anything else is returned unchanged.

    Returns:
        The source inputs, each once, in the order they are first reached.

    Example:
        >>> a, b = lamina.Input((2,)), lamina.Input((2,))
        >>> out = lamina.layers.Dense(1)(lamina.layers.Add()([a, b]))
        >>> lamina.utils.get_source_inputs(out) == [a, b]
        True
    """
    if not isinstance(tensor, KerasTensor):
        return tensor
    node = tensor._node
    if node is None or not node.input_tensors:
        return [tensor]
    sources: list = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not known for known in sources):
                sources.append(source)
    return sources
