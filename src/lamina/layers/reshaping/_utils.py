"""Argument normalization shared by the padding, cropping and upsampling layers."""

from __future__ import annotations


def int_pair(value, layer: str, arg: str) -> tuple[int, int]:
    """An int `n` as `(n, n)`; a pair of non-negative ints as a tuple."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in pair
    ):
        raise ValueError(
            f"{layer}: {arg} must be an int or a pair of non-negative ints; got {value!r}."
        )
    return pair


def pairs_2d(value, layer: str, arg: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """An int, a pair `(height, width)` of ints or pairs, as `((top, bottom), (left, right))`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (int_pair(value, layer, arg), int_pair(value, layer, arg))
    if not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(
            f"{layer}: {arg} must be an int, a pair of ints (symmetric height, width) or a pair of "
            f"pairs ((top, bottom), (left, right)); got {value!r}."
        )
    return (int_pair(value[0], layer, f"{arg}[0]"), int_pair(value[1], layer, f"{arg}[1]"))


def positive_ints(value, count: int, layer: str, arg: str) -> tuple[int, ...]:
    """An int `n` as `(n,) * count`; a tuple of `count` positive ints as a tuple."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * count
    value = tuple(value)
    if len(value) != count or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise ValueError(
            f"{layer}: {arg} must be a positive int or {count} positive ints; got {value!r}."
        )
    return value


def spatial_axes(data_format: str, count: int) -> list[int]:
    """The axes of the spatial dims of a batched input in `data_format`."""
    start = 2 if data_format == "channels_first" else 1
    return list(range(start, start + count))
