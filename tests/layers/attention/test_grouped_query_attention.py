"""GroupQueryAttention: shapes, head sharing, masks, training, errors and Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.testing.layer_test import keras_module

# (constructor kwargs, query shape, value shape, call kwargs)
CASES = [
    ({"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2}, (2, 4, 8), (2, 5, 8), {}),
    (
        {"head_dim": 2, "num_query_heads": 3, "num_key_value_heads": 1, "use_bias": False},
        (2, 4, 6),
        (2, 5, 6),
        {},
    ),
    (
        {"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 2},
        (2, 5, 8),
        (2, 5, 8),
        {"use_causal_mask": True},
    ),
    (
        {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2, "use_gate": True},
        (2, 4, 8),
        (2, 5, 8),
        {},
    ),
    (
        {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2, "sliding_window": 2},
        (2, 5, 8),
        (2, 5, 8),
        {"return_attention_scores": True},
    ),
]
IDS = [f"case{i}" for i in range(len(CASES))]


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _numpy(x):
    return ops.convert_to_numpy(x)


def _flat(outputs):
    return list(outputs) if isinstance(outputs, tuple) else [outputs]


@pytest.mark.parametrize(("kwargs", "query", "value", "call_kwargs"), CASES, ids=IDS)
def test_shapes_config_and_symbolic_call(kwargs, query, value, call_kwargs):
    layer = layers.GroupQueryAttention(**kwargs)
    config = layer.get_config()
    assert {**layers.GroupQueryAttention.from_config(config).get_config(), "name": None} == {
        **config,
        "name": None,
    }
    outputs = _flat(layer(_data(query), _data(value, 1), **call_kwargs))
    expected = [query]
    if call_kwargs.get("return_attention_scores"):
        expected.append((query[0], kwargs["num_query_heads"], query[1], value[1]))
    assert [tuple(ops.shape(o)) for o in outputs] == expected
    symbolic = _flat(
        layers.GroupQueryAttention(**kwargs)(
            lamina.Input(query[1:]), lamina.Input(value[1:]), **call_kwargs
        )
    )
    assert [tuple(t.shape) for t in symbolic] == [(None, *e[1:]) for e in expected]


def test_weights_and_sharing_of_key_value_heads():
    layer = layers.GroupedQueryAttention(3, 4, 2, name="gqa")
    assert layers.GroupQueryAttention is layers.GroupedQueryAttention
    x = _data((2, 4, 8))
    _, scores = layer(x, x, return_attention_scores=True)
    assert [w.path for w in layer.weights] == [
        f"gqa/{part}/{kind}"
        for part in ("query", "key", "value", "attention_output")
        for kind in ("kernel", "bias")
    ]
    assert [tuple(w.shape) for w in layer.weights] == [
        (8, 4, 3),
        (4, 3),
        (8, 2, 3),
        (2, 3),
        (8, 2, 3),
        (2, 3),
        (4, 3, 8),
        (8,),
    ]
    # Query heads 0 and 1 share key head 0: equal query kernels give equal scores.
    weights = layer.get_weights()
    weights[0][:, 1] = weights[0][:, 0]
    weights[1][1] = weights[1][0]
    layer.set_weights(weights)
    _, scores = layer(x, x, return_attention_scores=True)
    scores = _numpy(scores)
    np.testing.assert_allclose(scores[:, 0], scores[:, 1], rtol=1e-6)
    assert not np.allclose(scores[:, 1], scores[:, 2])


def test_fit_with_masked_inputs():
    tokens = lamina.Input((6,), dtype="int32")
    x = layers.Embedding(10, 8, mask_zero=True)(tokens)
    x = layers.GroupQueryAttention(4, 4, 2, dropout=0.1)(x, x, use_causal_mask=True)
    model = lamina.Model(tokens, layers.GlobalAveragePooling1D()(x))
    model.compile(optimizer="adam", loss="mse")
    ids = np.random.default_rng(0).integers(0, 10, (8, 6)).astype("int32")
    history = model.fit(ids, np.zeros((8, 8), "float32"), batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_bad_arguments_and_inputs():
    with pytest.raises(
        ValueError, match=r"num_query_heads must be a multiple of num_key_value_heads"
    ):
        layers.GroupQueryAttention(4, 4, 3)
    with pytest.raises(ValueError, match=r"head_dim must be a positive int; got head_dim=0"):
        layers.GroupQueryAttention(0, 4, 2)
    layer = layers.GroupQueryAttention(3, 4, 2)
    x = _data((2, 4, 8))
    layer(x, x)
    with pytest.raises(ValueError, match=r"built for a query of shape \(2, 4, 8\).*\(2, 4, 6\)"):
        layer(_data((2, 4, 6)), x)
    with pytest.raises(ValueError, match=r"query must have shape \(batch, steps, dim\)"):
        layers.GroupQueryAttention(3, 4, 2)(_data((2, 3, 4, 8)), _data((2, 3, 4, 8)))


@pytest.mark.parametrize(("kwargs", "query", "value", "call_kwargs"), CASES, ids=IDS)
def test_keras_parity(keras, kwargs, query, value, call_kwargs):
    ours = layers.GroupQueryAttention(**kwargs)
    theirs = keras.layers.GroupQueryAttention(**kwargs)
    q, v = _data(query), _data(value, 1)
    ours(q, v, **call_kwargs)
    theirs(q, v, **call_kwargs)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    for a, b in zip(_flat(ours(q, v, **call_kwargs)), _flat(theirs(q, v, **call_kwargs))):
        np.testing.assert_allclose(_numpy(a), keras.ops.convert_to_numpy(b), rtol=1e-5, atol=1e-5)
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored


def test_keras_parity_with_padding_masks(keras):
    q = _data((2, 5, 8))
    keep = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    ours, theirs = layers.GroupQueryAttention(3, 4, 2), keras.layers.GroupQueryAttention(3, 4, 2)
    ours(q, q)
    theirs(q, q)
    theirs.set_weights(ours.get_weights())
    got = ours(q, q, query_mask=keep, value_mask=keep, return_attention_scores=True)
    expected = theirs(q, q, query_mask=keep, value_mask=keep, return_attention_scores=True)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(_numpy(a), keras.ops.convert_to_numpy(b), rtol=1e-5, atol=1e-5)
