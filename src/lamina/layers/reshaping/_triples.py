"""Argument normalization of the 3-D padding and cropping layers."""

from __future__ import annotations

from lamina.layers.reshaping._utils import int_pair

Triple = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def pairs_3d(value, layer: str, arg: str) -> Triple:
    """An int, three ints or three pairs as `((d1_start, d1_end), (d2_...), (d3_...))`."""
    if isinstance(value, int) and not isinstance(value, bool):
        pair = int_pair(value, layer, arg)
        return (pair, pair, pair)
    if not hasattr(value, "__len__") or len(value) != 3:
        raise ValueError(
            f"{layer}: {arg} must be an int, three ints (symmetric, one per spatial dim) or "
            f"three pairs ((start, end) per spatial dim); got {value!r}."
        )
    return tuple(int_pair(v, layer, f"{arg}[{i}]") for i, v in enumerate(value))
