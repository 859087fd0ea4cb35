"""Attention and AdditiveAttention: shapes, masks, causal masks, training, errors, Keras parity."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.testing.layer_test import keras_module, run_layer_test

# (class name, constructor kwargs, [query, value(, key)] shapes, trainable weights)
CASES = [
    ("Attention", {}, [(2, 3, 4), (2, 5, 4)], 0),
    ("Attention", {"use_scale": True}, [(2, 3, 4), (2, 5, 6), (2, 5, 4)], 1),
    ("Attention", {"score_mode": "concat"}, [(2, 3, 4), (2, 5, 4)], 1),
    ("Attention", {"use_scale": True, "score_mode": "concat"}, [(2, 3, 4), (2, 5, 4)], 2),
    ("AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4)], 1),
    ("AdditiveAttention", {"use_scale": False}, [(2, 3, 4), (2, 5, 6), (2, 5, 4)], 0),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def _data(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype("float32") for s in shapes]


def _numpy(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize(("name", "kwargs", "shapes", "trainable"), CASES, ids=IDS)
def test_behaviour(name, kwargs, shapes, trainable):
    query, value = shapes[0], shapes[1]
    run_layer_test(
        getattr(layers, name),
        kwargs,
        shapes,
        expected_output_shape=(*query[:-1], value[-1]),
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=0,
        run_training=trainable > 0,
    )


def test_scores_output_and_its_symbolic_shape():
    q, v = _data([(2, 3, 4), (2, 5, 4)])
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert tuple(ops.shape(scores)) == (2, 3, 5)
    logits = q @ v.transpose(0, 2, 1)
    expected = np.exp(logits - logits.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(_numpy(scores), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(out), expected @ v, rtol=1e-5, atol=1e-5)
    symbolic = layers.Attention()(
        [lamina.Input((3, 4)), lamina.Input((5, 4))], return_attention_scores=True
    )
    assert [tuple(t.shape) for t in symbolic] == [(None, 3, 4), (None, 3, 5)]


def test_masks_and_causal_mask():
    q, v = _data([(2, 4, 3), (2, 4, 3)])
    query_keep = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    value_keep = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    layer = layers.Attention()
    out, scores = layer(
        [q, v], mask=[query_keep, value_keep], return_attention_scores=True, use_causal_mask=True
    )
    out, scores = _numpy(out), _numpy(scores)
    assert (scores[1, :, 2:] < 1e-6).all()
    assert (np.triu(np.ones((4, 4)), 1)[None] * scores < 1e-6).all()
    assert (out[0, 3] == 0).all()
    assert layer.compute_mask([q, v], [query_keep, value_keep]) is not None


def test_masks_flow_through_a_model():
    tokens = lamina.Input((5,), dtype="int32")
    embedded = layers.Embedding(10, 4, mask_zero=True)(tokens)
    attended = layers.Attention()([embedded, embedded])
    model = lamina.Model(tokens, layers.GlobalAveragePooling1D()(attended))
    out = _numpy(model(np.array([[1, 2, 0, 0, 0], [1, 2, 3, 4, 5]], "int32")))
    alone = _numpy(model(np.array([[1, 2, 0, 0, 0]], "int32")))
    np.testing.assert_allclose(out[:1], alone, rtol=1e-5, atol=1e-6)


def test_dropout_applies_only_while_training():
    q, v = _data([(2, 6, 4), (2, 6, 4)])
    layer = layers.Attention(dropout=0.5, seed=1)
    a = _numpy(layer([q, v]))
    np.testing.assert_allclose(a, _numpy(layer([q, v])), rtol=1e-5, atol=1e-6)
    assert not np.allclose(_numpy(layer([q, v], training=True)), a, rtol=1e-3, atol=1e-3)


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match=r"score_mode must be one of \('dot', 'concat'\)"):
        layers.Attention(score_mode="add")
    q, v = _data([(2, 3, 4), (2, 5, 4)])
    with pytest.raises(ValueError, match=r"must be called on a list \[query, value\]"):
        layers.Attention()(q)
    with pytest.raises(ValueError, match=r"got a list of 4"):
        layers.Attention()([q, v, v, v])
    with pytest.raises(
        ValueError, match=r"query's last dimension \(4, shape \(2, 3, 4\)\) must equal"
    ):
        layers.Attention()([q, _data([(2, 5, 6)])[0]])
    with pytest.raises(ValueError, match=r"mask must be a list \[query_mask, value_mask\]"):
        layers.Attention()([q, v], mask=np.ones((2, 5), bool))


@pytest.mark.parametrize(("name", "kwargs", "shapes", "trainable"), CASES, ids=IDS)
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_keras_parity(keras, name, kwargs, shapes, trainable, causal):
    inputs = _data(shapes)
    keep = [
        np.array([[1, 1, 0], [1, 1, 1]], bool),
        np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool),
    ]
    ours, theirs = getattr(layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
    call_kwargs = {"return_attention_scores": True, "use_causal_mask": causal}
    ours([*inputs])
    theirs([*inputs])
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    theirs.set_weights([np.asarray(w) + 0.3 for w in ours.get_weights()])
    ours.set_weights([np.asarray(w) + 0.3 for w in ours.get_weights()])
    for mask in (None, keep):
        got = ours([*inputs], mask=mask, **call_kwargs)
        expected = theirs([*inputs], mask=mask, **call_kwargs)
        for a, b in zip(got, expected):
            np.testing.assert_allclose(
                _numpy(a), keras.ops.convert_to_numpy(b), rtol=1e-5, atol=1e-5
            )
    ignored = {"name", "dtype"}
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert ours_config.keys() - ignored == theirs_config.keys() - ignored
    for key in theirs_config.keys() - ignored:
        assert ours_config[key] == theirs_config[key], key


def test_save_and_load(tmp_path):
    query, value = lamina.Input((3, 4)), lamina.Input((5, 4))
    a = layers.Attention(use_scale=True, score_mode="concat")([query, value])
    b = layers.AdditiveAttention()([query, value])
    model = lamina.Model([query, value], layers.Concatenate()([a, b]))
    model.compile(optimizer="adam", loss="mse")
    x = _data([(8, 3, 4), (8, 5, 4)])
    model.fit(x, np.zeros((8, 3, 8), "float32"), batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "attention.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
    )
