"""lamina.utils.pad_sequences against Keras's, and its errors."""

import numpy as np
import pytest

from lamina.testing.layer_test import keras_module
from lamina.utils import pad_sequences

SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 2, 4, 7])
def test_matches_keras(padding, truncating, maxlen):
    keras = keras_module()
    if keras is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    kwargs = dict(maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    ours = pad_sequences(SEQUENCES, **kwargs)
    theirs = keras.utils.pad_sequences(SEQUENCES, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_values():
    got = pad_sequences([[1, 2, 3], [4]], maxlen=2)
    np.testing.assert_array_equal(got, [[2, 3], [0, 4]])
    assert got.dtype == np.int32
    got = pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post", maxlen=2)
    np.testing.assert_array_equal(got, [[1, 2], [4, 0]])


def test_maxlen_zero_gives_empty_rows():
    # Keras 3 fails here: seq[-0:] is the whole sequence, which does not fit.
    assert pad_sequences([[1, 2, 3], []], maxlen=0).shape == (2, 0)


def test_vectors_and_text():
    steps = [np.ones((2, 3)), np.ones((1, 3)) * 2]
    got = pad_sequences(steps, dtype="float32")
    assert got.shape == (2, 2, 3) and (got[1, 0] == 0).all() and (got[1, 1] == 2).all()
    text = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert text.tolist() == [["a", "b"], ["<pad>", "c"]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"padding": "middle"}, r'padding must be "pre" or "post"; got \'middle\''),
        ({"truncating": "both"}, r'truncating must be "pre" or "post"'),
        ({"maxlen": -1}, r"maxlen must be an integer >= 0; got -1"),
        ({"value": "x"}, r"value 'x' is a string but dtype is 'int32'"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences([[1, 2]], **kwargs)


def test_not_sequences():
    with pytest.raises(ValueError, match=r"sequences\[1\] is 3, not a sequence"):
        pad_sequences([[1], 3])
    with pytest.raises(ValueError, match=r"steps of sequences\[1\] have shape \(2,\)"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 2))], dtype="float32")
