"""Nested structures of lists, tuples and dicts (dicts in sorted key order)."""

from __future__ import annotations


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(structure) -> list:
    """The leaves of `structure`, depth first."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn, *structures):
    """Apply `fn` to corresponding leaves of `structures`, keeping the first one's shape."""
    first = structures[0]
    if isinstance(first, dict):
        return {key: map_structure(fn, *(s[key] for s in structures)) for key in first}
    if isinstance(first, (list, tuple)):
        items = [map_structure(fn, *parts) for parts in zip(*structures)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):
            return type(first)(*items)
        return type(first)(items)
    return fn(*structures)


def pack_as(structure, leaves):
    """Rebuild `structure` with `leaves` (as returned by `flatten`) in place of its leaves."""
    leaves = list(leaves)
    position = [0]

    def take(_):
        leaf = leaves[position[0]]
        position[0] += 1
        return leaf

    return _map_sorted(take, structure)


def _map_sorted(fn, structure):
    if isinstance(structure, dict):
        rebuilt = {key: _map_sorted(fn, structure[key]) for key in sorted(structure)}
        return {key: rebuilt[key] for key in structure}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_sorted(fn, item) for item in structure)
    return fn(structure)
