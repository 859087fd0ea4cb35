"""MultiHeadAttention: shapes, masks, attention axes, training, errors and Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers import _masking
from lamina.testing.layer_test import keras_module

# (constructor kwargs, query shape, value shape, key shape or None, call kwargs)
CASES = [
    ({"num_heads": 2, "key_dim": 3}, (2, 4, 8), (2, 5, 6), None, {}),
    (
        {"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": 5, "use_bias": False},
        (2, 4, 8),
        (2, 5, 6),
        (2, 5, 7),
        {},
    ),
    ({"num_heads": 2, "key_dim": 3, "output_shape": (2, 3)}, (2, 4, 8), (2, 5, 6), None, {}),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": 2}, (2, 3, 4, 8), (2, 3, 5, 8), None, {}),
    (
        {"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)},
        (2, 3, 4, 8),
        (2, 5, 2, 6),
        None,
        {},
    ),
    ({"num_heads": 2, "key_dim": 3, "attention_axes": -2}, (2, 3, 4, 8), (2, 3, 5, 8), None, {}),
    ({"num_heads": 2, "key_dim": 3}, (2, 5, 8), (2, 5, 8), None, {"use_causal_mask": True}),
    ({"num_heads": 2, "key_dim": 4, "use_gate": True}, (2, 4, 8), (2, 5, 6), None, {}),
    ({"num_heads": 2, "key_dim": 4, "sliding_window": 2}, (2, 5, 8), (2, 5, 8), None, {}),
    (
        {"num_heads": 1, "key_dim": 4},
        (2, 4, 8),
        (2, 5, 6),
        None,
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


def _call_inputs(query, value, key):
    return (_data(query), _data(value, 1), None if key is None else _data(key, 2))


def _call(layer, q, v, k, **kwargs):
    return layer(q, v, **kwargs) if k is None else layer(q, v, key=k, **kwargs)


def _expected_shapes(kwargs, query, value, call_kwargs):
    out = kwargs.get("output_shape")
    out = (out,) if isinstance(out, int) else out
    outputs = [(*query[:-1], *(out or (query[-1],)))]
    if call_kwargs.get("return_attention_scores"):
        outputs.append((query[0], kwargs["num_heads"], query[1], value[1]))
    return outputs


# ---------------------------------------------------------------------- behaviour
@pytest.mark.parametrize(("kwargs", "query", "value", "key", "call_kwargs"), CASES, ids=IDS)
def test_shapes_config_and_symbolic_call(kwargs, query, value, key, call_kwargs):
    layer = layers.MultiHeadAttention(**kwargs)
    config = layer.get_config()
    clone = layers.MultiHeadAttention.from_config(config)
    assert {**clone.get_config(), "name": None} == {**config, "name": None}
    q, v, k = _call_inputs(query, value, key)
    outputs = _call(layer, q, v, k, **call_kwargs)
    flat = list(outputs) if isinstance(outputs, tuple) else [outputs]
    expected = _expected_shapes(kwargs, query, value, call_kwargs)
    assert [tuple(ops.shape(o)) for o in flat] == expected
    count = 8 if kwargs.get("use_bias", True) else 4
    count += (2 if kwargs.get("use_bias", True) else 1) if kwargs.get("use_gate") else 0
    assert len(layer.trainable_weights) == count and not layer.non_trainable_weights
    rebuilt = layers.MultiHeadAttention.from_config(layer.get_config())
    assert {**rebuilt.get_config(), "name": None} == {**layer.get_config(), "name": None}
    # Symbolic: unknown batch, same shapes otherwise.
    sq, sv = lamina.Input(query[1:]), lamina.Input(value[1:])
    sk = None if key is None else lamina.Input(key[1:])
    symbolic = _call(layers.MultiHeadAttention(**kwargs), sq, sv, sk, **call_kwargs)
    sym = list(symbolic) if isinstance(symbolic, tuple) else [symbolic]
    assert [tuple(t.shape) for t in sym] == [(None, *e[1:]) for e in expected]


def test_fit_of_a_two_input_model():
    query, value = lamina.Input((4, 8)), lamina.Input((5, 6))
    outputs = layers.MultiHeadAttention(2, 3, dropout=0.1, seed=1)(query, value)
    model = lamina.Model([query, value], outputs)
    model.compile(optimizer="adam", loss="mse")
    x = [_data((8, 4, 8)), _data((8, 5, 6), 1)]
    y = _data((8, 4, 8), 2)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_weights_are_named_and_ordered_as_keras_builds_them():
    layer = layers.MultiHeadAttention(2, 3, name="mha")
    layer(_data((2, 4, 8)), _data((2, 5, 6)))
    assert [w.path for w in layer.weights] == [
        f"mha/{part}/{kind}"
        for part in ("query", "key", "value", "attention_output")
        for kind in ("kernel", "bias")
    ]
    assert [tuple(w.shape) for w in layer.weights] == [
        (8, 2, 3),
        (2, 3),
        (6, 2, 3),
        (2, 3),
        (6, 2, 3),
        (2, 3),
        (2, 3, 8),
        (8,),
    ]
    assert layer.query_dense.name == "query" and layer.output_dense.name == "attention_output"


def test_values_against_a_numpy_reference():
    layer = layers.MultiHeadAttention(2, 3, bias_initializer="random_normal")
    q, v = _data((2, 4, 8)), _data((2, 5, 6), 1)
    out, scores = layer(q, v, return_attention_scores=True)
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    qh = np.einsum("btf,fnh->btnh", q, wq) + bq
    kh = np.einsum("bsf,fnh->bsnh", v, wk) + bk
    vh = np.einsum("bsf,fnh->bsnh", v, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", qh, kh) / np.sqrt(3.0)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    expected = np.einsum("bnhd,hdf->bnf", np.einsum("bnts,bsnh->btnh", probs, vh), wo) + bo
    np.testing.assert_allclose(_numpy(scores), probs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(out), expected, rtol=1e-5, atol=1e-5)


def test_dropout_only_while_training():
    layer = layers.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    q = _data((2, 6, 8))
    inference = [_numpy(layer(q, q)) for _ in range(2)]
    # Equal up to float rounding (PyTensor compiles the repeated call).
    np.testing.assert_allclose(inference[0], inference[1], rtol=1e-5, atol=1e-6)
    trained = _numpy(layer(q, q, training=True))
    assert not np.allclose(trained, inference[0], rtol=1e-3, atol=1e-3)


def _masked(x, keep):
    """`x` as a tensor that carries the boolean mask `keep`, as Masking would give it."""
    tensor = ops.convert_to_tensor(x)
    _masking.set_mask(tensor, ops.convert_to_tensor(keep))
    return tensor


def test_input_masks_become_the_attention_mask():
    q, v = _data((2, 4, 8)), _data((2, 5, 6), 1)
    query_keep = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    value_keep = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], bool)
    layer = layers.MultiHeadAttention(2, 3)
    out, scores = layer(
        _masked(q, query_keep), _masked(v, value_keep), return_attention_scores=True
    )
    scores = _numpy(scores)
    assert (scores[1, :, :, 2:] == 0).all()
    np.testing.assert_allclose(scores[1].sum(-1), 1.0, rtol=1e-5)
    assert (scores[0, :, 3] == 0).all()  # a masked query step attends nowhere
    # The same masks given as an attention mask give the same result.
    explicit = query_keep[:, :, None] & value_keep[:, None, :]
    again = layer(q, v, attention_mask=explicit)
    np.testing.assert_allclose(_numpy(again), _numpy(out), rtol=1e-6)
    # The output carries the query's mask.
    assert _masking.get_mask(out) is not None
    np.testing.assert_array_equal(_numpy(_masking.get_mask(out)), query_keep)


def test_masks_flow_through_a_functional_model_without_warnings():
    tokens = lamina.Input((6,), dtype="int32")
    embedded = layers.Embedding(10, 8, mask_zero=True)(tokens)
    attended = layers.MultiHeadAttention(2, 4)(embedded, embedded, use_causal_mask=True)
    pooled = layers.GlobalAveragePooling1D()(attended)
    model = lamina.Model(tokens, pooled)
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]], "int32")
    out = _numpy(model(ids))
    # Padding must not change the result: the first row alone, without its padding.
    short = lamina.Model(tokens, pooled)
    trimmed = _numpy(short(np.array([[1, 2, 3, 0, 0, 0]], "int32")))
    np.testing.assert_allclose(out[:1], trimmed, rtol=1e-5, atol=1e-6)


def test_causal_mask_hides_the_future():
    layer = layers.MultiHeadAttention(2, 3)
    x = _data((1, 5, 8))
    _, scores = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    scores = _numpy(scores)
    assert (np.triu(np.ones((5, 5)), 1)[None, None] * scores == 0).all()
    # Changing the last step leaves every earlier output unchanged.
    y = x.copy()
    y[0, -1] += 1.0
    a, b = _numpy(layer(x, x, use_causal_mask=True)), _numpy(layer(y, y, use_causal_mask=True))
    np.testing.assert_allclose(a[:, :-1], b[:, :-1], rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- errors
def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match=r"key_dim is required"):
        layers.MultiHeadAttention(num_heads=2)
    with pytest.raises(ValueError, match=r"num_heads must be a positive int; got num_heads=0"):
        layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match=r"key_dim must be a positive int; got key_dim=2.5"):
        layers.MultiHeadAttention(2, 2.5)
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\]"):
        layers.MultiHeadAttention(2, 4, dropout=1.5)
    with pytest.raises(ValueError, match=r"attention_axes must be an int"):
        layers.MultiHeadAttention(2, 4, attention_axes="time")


def test_inputs_that_do_not_fit():
    layer = layers.MultiHeadAttention(2, 3)
    layer(_data((2, 4, 8)), _data((2, 5, 6)))
    with pytest.raises(
        ValueError, match=r"built for a query of shape \(2, 4, 8\).*shape \(2, 4, 6\)"
    ):
        layer(_data((2, 4, 6)), _data((2, 5, 6)))
    with pytest.raises(ValueError, match=r"value and key must have the same shape"):
        layers.MultiHeadAttention(2, 3)(_data((2, 4, 8)), _data((2, 5, 6)), key=_data((2, 3, 6)))
    with pytest.raises(ValueError, match=r"query and value must have the same rank"):
        layers.MultiHeadAttention(2, 3)(_data((2, 4, 8)), _data((2, 3, 5, 6)))
    with pytest.raises(ValueError, match=r"attention_axes=\(3,\) names \[3\]"):
        layers.MultiHeadAttention(2, 3, attention_axes=3)(_data((2, 3, 4, 8)), _data((2, 3, 4, 8)))
    with pytest.raises(
        ValueError,
        match=r"attention_mask has shape \(2, 5, 4\), which does not broadcast to \(batch, query length, key length\) = \(2, 4, 5\)",
    ):
        layer(_data((2, 4, 8)), _data((2, 5, 6)), attention_mask=np.ones((2, 5, 4), bool))


# ---------------------------------------------------------------------- parity
def _keras_masked(keras, x, keep):
    """A Keras tensor carrying the mask `keep` (what Keras's Masking layer gives)."""
    return keras.layers.Masking(mask_value=0.0)(
        np.where(keep[..., None], x, 0.0).astype("float32")
    )


def _copy_weights(ours, theirs):
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    # Paths name the sublayer under the layer: "<layer>/query/kernel".
    assert [w.path.split("/", 1)[1] for w in ours.weights] == [
        w.path.split("/", 1)[1] for w in theirs.weights
    ]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())


def _compare(keras, ours, theirs, rows=None):
    ours = list(ours) if isinstance(ours, tuple) else [ours]
    theirs = list(theirs) if isinstance(theirs, tuple) else [theirs]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        a, b = _numpy(a), keras.ops.convert_to_numpy(b)
        if rows is not None:
            a, b = a[rows], b[rows]
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("kwargs", "query", "value", "key", "call_kwargs"), CASES, ids=IDS)
def test_keras_parity(keras, kwargs, query, value, key, call_kwargs):
    ours, theirs = layers.MultiHeadAttention(**kwargs), keras.layers.MultiHeadAttention(**kwargs)
    q, v, k = _call_inputs(query, value, key)
    if (
        keras.backend.backend() == "jax"
        and kwargs.get("value_dim", kwargs["key_dim"]) != kwargs["key_dim"]
    ):
        # Keras 3's fused JAX attention refuses value heads of another size than the
        # key heads; asking for the scores takes its explicit path instead.
        call_kwargs = {**call_kwargs, "return_attention_scores": True}
    _call(ours, q, v, k, **call_kwargs)
    _call(theirs, q, v, k, **call_kwargs)
    _copy_weights(ours, theirs)
    _compare(keras, _call(ours, q, v, k, **call_kwargs), _call(theirs, q, v, k, **call_kwargs))
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for name in (
        "num_heads",
        "key_dim",
        "value_dim",
        "output_shape",
        "attention_axes",
        "use_gate",
    ):
        expected = theirs_config[name]
        assert ours_config[name] == (tuple(expected) if isinstance(expected, list) else expected)


@pytest.mark.parametrize("scores", [False, True], ids=["output", "with-scores"])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_keras_parity_with_masks(keras, scores, causal):
    q, v = _data((2, 5, 8)), _data((2, 5, 8), 1)
    query_keep = np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], bool)
    value_keep = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    ours, theirs = layers.MultiHeadAttention(2, 3), keras.layers.MultiHeadAttention(2, 3)
    call_kwargs = {"use_causal_mask": causal, "return_attention_scores": scores}
    ours_q = _masked(np.where(query_keep[..., None], q, 0.0), query_keep)
    ours_v = _masked(np.where(value_keep[..., None], v, 0.0), value_keep)
    ours_out = ours(ours_q, ours_v, **call_kwargs)
    theirs_q, theirs_v = _keras_masked(keras, q, query_keep), _keras_masked(keras, v, value_keep)
    theirs(theirs_q, theirs_v, **call_kwargs)
    _copy_weights(ours, theirs)
    theirs_q, theirs_v = _keras_masked(keras, q, query_keep), _keras_masked(keras, v, value_keep)
    theirs_out = theirs(theirs_q, theirs_v, **call_kwargs)
    # Without scores Keras may take its fused attention kernel, which fills a fully
    # masked query step differently; such steps are masked downstream either way.
    _compare(keras, ours_out, theirs_out, rows=None if scores else query_keep)


def test_keras_parity_with_an_attention_mask(keras):
    q, v = _data((2, 4, 8)), _data((2, 5, 6), 1)
    mask = np.random.default_rng(5).random((2, 4, 5)) > 0.4
    mask[:, :, 0] = True  # every query step sees at least one key step
    ours, theirs = layers.MultiHeadAttention(2, 3), keras.layers.MultiHeadAttention(2, 3)
    ours(q, v)
    theirs(q, v)
    _copy_weights(ours, theirs)
    _compare(
        keras,
        ours(q, v, attention_mask=mask, return_attention_scores=True),
        theirs(q, v, attention_mask=mask, return_attention_scores=True),
    )
    _compare(keras, ours(q, v, attention_mask=mask), theirs(q, v, attention_mask=mask))


def test_keras_parity_of_a_masked_functional_model(keras):
    def build(K):
        tokens = K.Input((6,), dtype="int32")
        x = K.layers.Embedding(10, 8, mask_zero=True)(tokens)
        x = K.layers.MultiHeadAttention(2, 4, name="mha")(x, x, use_causal_mask=True)
        x = K.layers.GlobalAveragePooling1D()(x)
        return K.Model(tokens, K.layers.Dense(3)(x))

    ours, theirs = build(lamina), build(keras)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9]], "int32")
    _compare(keras, ours(ids), theirs(ids))


def test_keras_parity_of_the_regularization_losses(keras):
    kwargs = {
        "num_heads": 2,
        "key_dim": 3,
        "kernel_regularizer": "l2",
        "activity_regularizer": "l1",
    }
    ours, theirs = layers.MultiHeadAttention(**kwargs), keras.layers.MultiHeadAttention(**kwargs)
    q, v = _data((2, 4, 8)), _data((2, 5, 6), 1)
    ours.build(q.shape, v.shape)
    theirs.build(query_shape=q.shape, value_shape=v.shape)
    _copy_weights(ours, theirs)
    ours(q, v)
    theirs(q, v)
    assert len(ours.losses) == len(theirs.losses)
    np.testing.assert_allclose(
        sorted(float(_numpy(x)) for x in ours.losses),
        sorted(float(keras.ops.convert_to_numpy(x)) for x in theirs.losses),
        rtol=1e-5,
    )
