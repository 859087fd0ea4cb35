"""lamina.tree: stated results, and parity with keras.tree."""

import collections

import numpy as np
import pytest

from lamina import tree

Pair = collections.namedtuple("Pair", "b a")


def _sample():
    return {
        "b": [1, (2, 3)],
        "a": Pair(4, None),
        "c": collections.OrderedDict([("z", 5), ("y", 6)]),
    }


def test_flatten_and_paths():
    assert tree.flatten(_sample()) == [4, None, 1, 2, 3, 5, 6]
    assert tree.flatten(7) == [7]
    assert tree.flatten(None) == [None]
    arr = np.zeros(2)
    assert tree.flatten(arr)[0] is arr
    paths = [path for path, _ in tree.flatten_with_path(_sample())]
    assert paths == [
        ("a", 0),
        ("a", 1),
        ("b", 0),
        ("b", 1, 0),
        ("b", 1, 1),
        ("c", "z"),
        ("c", "y"),
    ]


def test_pack_sequence_as_keeps_types_and_key_order():
    packed = tree.pack_sequence_as(_sample(), list(range(10, 17)))
    assert list(packed) == ["b", "a", "c"]
    assert packed["a"] == Pair(10, 11) and isinstance(packed["a"], Pair)
    assert packed["b"] == [12, (13, 14)]
    assert isinstance(packed["c"], collections.OrderedDict) and list(packed["c"]) == ["z", "y"]
    with pytest.raises(ValueError, match="2 leaves"):
        tree.pack_sequence_as([0, 0], [1])


def test_map_structure():
    assert tree.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert tree.map_structure(lambda x: x, [None]) == [None]
    assert tree.map_structure(lambda x: 1, [None, 2], none_is_leaf=False) == [None, 1]
    with pytest.raises(ValueError, match="do not match"):
        tree.map_structure(lambda a, b: a, [1, 2], (1, 2))
    with pytest.raises(ValueError, match="do not match"):
        tree.map_structure(lambda a, b: a, [1, 2], [1])
    with pytest.raises(ValueError, match="do not match"):
        tree.map_structure(lambda a, b: a, {"a": 1}, {"b": 1})
    with pytest.raises(TypeError, match="callable"):
        tree.map_structure(3, [1])


def test_map_structure_up_to_and_shapes():
    assert tree.map_structure_up_to([0, 0], len, [[1], [2, 3]]) == [1, 2]
    pairs = tree.map_structure_up_to([0, [0, 0]], lambda a, b: (a, b), [1, [2, 3]], [4, [5, 6]])
    assert pairs == [(1, 4), [(2, 5), (3, 6)]]
    shapes = tree.map_shape_structure(lambda s: (None,) + tuple(s), {"a": (2, 3), "b": [[4]]})
    assert shapes == {"a": (None, 2, 3), "b": [(None, 4)]}


def test_traverse_and_lists_to_tuples():
    seen = []
    tree.traverse(seen.append, [(1, 2), [3]], top_down=True)
    assert seen == [[(1, 2), [3]], (1, 2), 1, 2, [3], 3]
    seen = []
    tree.traverse(seen.append, [(1, 2), [3]], top_down=False)
    assert seen == [1, 2, (1, 2), 3, [3], [(1, 2), [3]]]
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 2 else None, [1, 2]) == [1, None]
    assert tree.traverse(lambda x: 0 if x == [2] else None, [1, [2]]) == [1, 0]
    assert tree.lists_to_tuples([1, [2, {"a": [3]}]]) == (1, (2, {"a": (3,)}))


def test_structure_assertions():
    assert tree.is_nested(()) and tree.is_nested({}) and not tree.is_nested("ab")
    assert not tree.is_nested(np.zeros(2))
    tree.assert_same_structure([1, (2, 3)], [4, (5, 6)])
    with pytest.raises(ValueError):
        tree.assert_same_structure([1, 2], [1, [2]])
    tree.assert_same_paths([1, 2], (3, 4))
    with pytest.raises(ValueError, match="same paths"):
        tree.assert_same_paths({"a": 1}, {"b": 1})


def test_import_lamina_exposes_tree():
    import lamina

    assert lamina.tree is tree


def test_matches_keras_tree(keras_ref):
    k = keras_ref.tree
    sample = _sample()
    assert tree.flatten(sample) == k.flatten(sample)
    leaves = list(range(7))
    if keras_ref.backend.backend() != "torch":
        # Keras's torch-engine tree numbers namedtuple fields backwards in paths; its
        # other engines agree with lamina.
        assert tree.flatten_with_path(sample) == k.flatten_with_path(sample)
    assert tree.pack_sequence_as(sample, leaves) == k.pack_sequence_as(sample, leaves)
    nested = [1, [2, {"a": [3], "b": (4,)}]]
    assert tree.lists_to_tuples(nested) == k.lists_to_tuples(nested)
    assert tree.map_structure(str, sample) == k.map_structure(str, sample)
    assert sorted(n for n in dir(k) if not n.startswith("_")) == sorted(
        n for n in dir(tree) if not n.startswith("_") and n != "tree_api"
    )
