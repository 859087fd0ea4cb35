"""Nested structures (Keras 3's `keras.tree`): lists, tuples, namedtuples, dicts and deques.

A *node* is a list, a tuple (named or not), a dict (`OrderedDict` and
`defaultdict` included) or a `collections.deque`; anything else, None
included, is a *leaf*. Dict values are visited in sorted key order, except an
`OrderedDict`'s, which keep their insertion order; rebuilt dicts keep the key
order of the dict they were built from.
"""

from __future__ import annotations

import collections
from collections.abc import Callable


class MAP_TO_NONE:
    """What a `traverse` function returns to replace a sub-structure by None."""


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(structure) -> bool:
    """Whether `structure` is a list, a tuple or a dict (a node, not a leaf).

    Args:
        structure: any value.

    Example:
        >>> lamina.tree.is_nested([1, 2]), lamina.tree.is_nested(np.zeros(2))
        (True, False)
    """
    return isinstance(structure, (list, tuple, dict, collections.deque))


def _keys(node) -> list:
    """The keys of a node's children, in visiting order."""
    if isinstance(node, dict):
        if isinstance(node, collections.OrderedDict):
            return list(node)
        try:
            return sorted(node)
        except TypeError:
            raise TypeError(
                f"A dict in a nested structure must have sortable keys; got {list(node)!r}. "
                "Use keys of one type (e.g. all strings) or an OrderedDict."
            ) from None
    return list(range(len(node)))


def _children(node) -> list:
    if isinstance(node, dict):
        return [node[key] for key in _keys(node)]
    return list(node)


def _rebuild(node, children: list):
    """A node like `node` holding `children` (given in visiting order)."""
    if isinstance(node, dict):
        by_key = dict(zip(_keys(node), children, strict=True))
        items = [(key, by_key[key]) for key in node]
        if isinstance(node, collections.defaultdict):
            return type(node)(node.default_factory, items)
        return type(node)(items)
    if _is_namedtuple(node):
        return type(node)(*children)
    if isinstance(node, collections.deque):
        return collections.deque(children, maxlen=node.maxlen)
    return type(node)(children)


def _is_leaf(x, none_is_leaf: bool = True) -> bool:
    if x is None:
        return none_is_leaf
    return not is_nested(x)


def flatten(structure) -> list:
    """The leaves of `structure`, depth first (dicts by sorted key).

    Args:
        structure: a nested structure.

    Example:
        >>> lamina.tree.flatten({"b": [1, 2], "a": (3, None)})
        [3, None, 1, 2]
    """
    if not is_nested(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def flatten_with_path(structure) -> list:
    """`(path, leaf)` pairs, where a path is the tuple of keys and indices leading to the leaf.

    Args:
        structure: a nested structure.

    Example:
        >>> lamina.tree.flatten_with_path({"a": [1, 2]})
        [(('a', 0), 1), (('a', 1), 2)]
    """
    result = []

    def walk(node, path):
        if not is_nested(node):
            result.append((path, node))
            return
        for key, child in zip(_keys(node), _children(node), strict=True):
            walk(child, path + (key,))

    walk(structure, ())
    return result


def _mismatch(expected, got) -> ValueError:
    return ValueError(
        f"The nested structures do not match: expected {_describe(expected)}, got "
        f"{_describe(got)} ({got!r:.200}). Pass structures with the same nesting."
    )


def _describe(node) -> str:
    if isinstance(node, dict):
        return f"a {type(node).__name__} with keys {_keys(node)}"
    if is_nested(node):
        return f"a {type(node).__name__} of length {len(node)}"
    return "a leaf"


def _same_node(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b)
    return len(a) == len(b)


def map_structure(func: Callable, *structures, none_is_leaf: bool = True):
    """Applies `func` to the corresponding leaves of `structures`.

    All structures must have the same nesting (same node types, lengths and
    keys); the result has that nesting.

    Args:
        func: called with one leaf of each structure.
        *structures: one or more nested structures.
        none_is_leaf: whether None is a leaf passed to `func` (True) or an
            empty node that stays None (False).

    Example:
        >>> lamina.tree.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)])
        [11, (22, 33)]
    """
    if not callable(func):
        raise TypeError(f"map_structure's func must be callable; got {func!r}.")
    if not structures:
        raise ValueError("map_structure needs at least one structure; got none.")

    def walk(nodes):
        first = nodes[0]
        if first is None and not none_is_leaf:
            for other in nodes[1:]:
                if other is not None:
                    raise _mismatch(first, other)
            return None
        if _is_leaf(first, none_is_leaf):
            for other in nodes[1:]:
                if not _is_leaf(other, none_is_leaf):
                    raise _mismatch(first, other)
            return func(*nodes)
        for other in nodes[1:]:
            if not _same_node(first, other):
                raise _mismatch(first, other)
        keys = _keys(first)
        children = [walk([node[key] for node in nodes]) for key in keys]
        return _rebuild(first, children)

    return walk(list(structures))


def map_structure_up_to(shallow_structure, func: Callable, *structures):
    """Like `map_structure`, but only as deep as `shallow_structure`.

    Where `shallow_structure` has a leaf, `func` gets the whole sub-structures
    of `structures` found there.

    Args:
        shallow_structure: the nesting to follow; its leaves are not passed to `func`.
        func: called with one sub-structure of each structure.
        *structures: structures at least as deep as `shallow_structure`.

    Example:
        >>> lamina.tree.map_structure_up_to([0, 0], len, [[1], [2, 3]])
        [1, 2]
    """
    if not structures:
        raise ValueError("map_structure_up_to needs at least one structure; got none.")

    def walk(shallow, nodes):
        if _is_leaf(shallow):
            return func(*nodes)
        for node in nodes:
            if not _same_node(shallow, node):
                raise _mismatch(shallow, node)
        keys = _keys(shallow)
        children = [walk(shallow[key], [node[key] for node in nodes]) for key in keys]
        return _rebuild(shallow, children)

    return walk(shallow_structure, list(structures))


def pack_sequence_as(structure, flat_sequence, sequence_fn=None):
    """`structure`'s nesting with the items of `flat_sequence` as its leaves.

    Args:
        structure: the nesting to rebuild.
        flat_sequence: the leaves, in `flatten` order; exactly as many as
            `structure` has.
        sequence_fn: accepted for compatibility; unused.

    Example:
        >>> lamina.tree.pack_sequence_as({"b": 0, "a": (0, 0)}, [1, 2, 3])
        {'b': 3, 'a': (1, 2)}
    """
    del sequence_fn
    if not isinstance(flat_sequence, (list, tuple)):
        raise TypeError(
            "pack_sequence_as's flat_sequence must be a list or tuple of leaves; got "
            f"{type(flat_sequence).__name__}."
        )
    leaves = list(flat_sequence)
    expected = len(flatten(structure))
    if len(leaves) != expected:
        raise ValueError(
            f"pack_sequence_as got {len(leaves)} leaves for a structure with {expected} "
            f"leaves ({structure!r:.200}). Pass exactly one leaf per leaf of the structure."
        )
    position = iter(leaves)

    def walk(node):
        if not is_nested(node):
            return next(position)
        return _rebuild(node, [walk(child) for child in _children(node)])

    return walk(structure)


def assert_same_structure(a, b, check_types=None) -> None:
    """Raises ValueError unless `a` and `b` have the same nesting (node types, lengths, keys).

    Args:
        a: a nested structure.
        b: a nested structure.
        check_types: deprecated in Keras and without effect; node types are
            always compared.

    Example:
        >>> lamina.tree.assert_same_structure([1, (2, 3)], [4, (5, 6)])
    """
    del check_types
    map_structure(lambda *_: None, a, b)


def assert_same_paths(a, b) -> None:
    """Raises ValueError unless `a` and `b` have the same leaf paths.

    Looser than `assert_same_structure`: a list and a tuple of one length match.

    Args:
        a: a nested structure.
        b: a nested structure.

    Example:
        >>> lamina.tree.assert_same_paths([1, 2], (3, 4))
    """
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def traverse(func: Callable, structure, top_down: bool = True):
    """Applies `func` to every sub-structure of `structure`, depth first.

    Top down, `func` sees a node before its children: a non-None result
    replaces the node and its children are not visited. Bottom up, `func` sees
    a node after its children (already replaced): a non-None result replaces
    it. In both, returning `MAP_TO_NONE` replaces the node by None.

    Args:
        func: called with each node and leaf.
        structure: a nested structure.
        top_down: the visiting order.

    Example:
        >>> lamina.tree.traverse(lambda x: tuple(x) if isinstance(x, list) else None,
        ...                      [1, [2]], top_down=False)
        (1, (2,))
    """
    if not callable(func):
        raise TypeError(f"traverse's func must be callable; got {func!r}.")

    def result_of(value, default):
        if value is MAP_TO_NONE:
            return None
        return default if value is None else value

    def down(node):
        replaced = func(node)
        if replaced is not None:
            return result_of(replaced, None)
        if not is_nested(node):
            return node
        return _rebuild(node, [down(child) for child in _children(node)])

    def up(node):
        if is_nested(node):
            node = _rebuild(node, [up(child) for child in _children(node)])
        return result_of(func(node), node)

    return down(structure) if top_down else up(structure)


def lists_to_tuples(structure):
    """`structure` with every list, at any depth, turned into a tuple.

    Args:
        structure: a nested structure.

    Example:
        >>> lamina.tree.lists_to_tuples([1, [2, {"a": [3]}]])
        (1, (2, {'a': (3,)}))
    """
    return traverse(
        lambda node: tuple(node) if isinstance(node, list) else None, structure, top_down=False
    )


def _is_shape(x) -> bool:
    return isinstance(x, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in x)


def map_shape_structure(func: Callable, structure):
    """Like `map_structure`, with lists and tuples of ints and Nones (shapes) as leaves.

    Args:
        func: called with each shape (and each other leaf).
        structure: a nested structure of shapes.

    Example:
        >>> lamina.tree.map_shape_structure(lambda s: (None,) + tuple(s), {"a": (2, 3)})
        {'a': (None, 2, 3)}
    """

    def walk(node):
        if _is_shape(node) or not is_nested(node):
            return func(node)
        return _rebuild(node, [walk(child) for child in _children(node)])

    return walk(structure)
