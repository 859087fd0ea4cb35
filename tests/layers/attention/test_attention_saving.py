""".keras files of attention models: lamina round trips, and files moving both ways
between Keras 3 and lamina with the same predictions."""

import numpy as np
import pytest

import lamina
from lamina.testing.layer_test import keras_module

# Keras's own TensorFlow variables warn under NumPy 2 when Keras saves them; not lamina's.
pytestmark = [
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
    # Keras's own GroupQueryAttention hands the masked query to its projections
    # and warns that they drop the mask; lamina's sets the mask aside first.
    pytest.mark.filterwarnings("ignore:Layer .* was passed an input with a mask:UserWarning"),
]


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def _tokens(seed=0):
    ids = np.random.default_rng(seed).integers(1, 20, (4, 6)).astype("int32")
    ids[0, 4:] = 0  # padding, masked by the embedding
    return ids


def _self_attention(K, **mha_kwargs):
    tokens = K.Input((6,), dtype="int32")
    x = K.layers.Embedding(20, 8, mask_zero=True)(tokens)
    y = K.layers.MultiHeadAttention(2, 4, **mha_kwargs)(x, x, use_causal_mask=True)
    x = K.layers.LayerNormalization()(K.layers.Add()([x, y]))
    # Per step: a pooling layer here would take the mask as a call argument, which
    # Keras records as graph ops (NotEqual, LogicalOr) that lamina cannot load yet.
    return K.Model(tokens, K.layers.Dense(3)(x)), _tokens()


def _cross_attention(K):
    query, value = K.Input((3, 4, 8)), K.Input((3, 5, 6))
    out = K.layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=5, attention_axes=2)(
        query, value, key=value
    )
    rng = np.random.default_rng(1)
    x = [rng.standard_normal((4, 3, 4, 8)), rng.standard_normal((4, 3, 5, 6))]
    return K.Model([query, value], out), [a.astype("float32") for a in x]


def _other_layers(K):
    query, value = K.Input((3, 4)), K.Input((5, 4))
    a = K.layers.Attention(use_scale=True, score_mode="concat")([query, value])
    b = K.layers.AdditiveAttention()([query, value])
    c = K.layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de")(query)
    c = K.layers.Reshape((3, 6))(c)
    rng = np.random.default_rng(2)
    x = [rng.standard_normal((4, 3, 4)), rng.standard_normal((4, 5, 4))]
    return K.Model([query, value], K.layers.Concatenate()([a, b, c])), [
        a.astype("float32") for a in x
    ]


def _gated(K):
    return _self_attention(K, use_gate=True)


def _grouped(K):
    tokens = K.Input((6,), dtype="int32")
    x = K.layers.Embedding(20, 8, mask_zero=True)(tokens)
    x = K.layers.GroupQueryAttention(3, 4, 2)(x, x)
    return K.Model(tokens, x), _tokens()


BUILDERS = {
    "self_attention": _self_attention,
    "cross_attention": _cross_attention,
    "other_layers": _other_layers,
    "gated": _gated,
    "grouped": _grouped,
}
CROSSING = [
    "self_attention",
    "cross_attention",
    "other_layers",
    # Keras files these projections under private attributes (_gate_dense,
    # _query_dense, ...), as lamina does.
    "gated",
    "grouped",
]


def _difference(a, b, x=None) -> float:
    """The largest difference, over the steps that are not padding when `x` is token ids.

    Keras's fused attention kernel fills padded query steps differently from its own
    explicit path (and from lamina); those steps stay masked downstream either way.
    """
    a, b = np.asarray(a), np.asarray(b)
    if isinstance(x, np.ndarray) and x.dtype.kind == "i":
        a, b = a[x != 0], b[x != 0]
    return float(np.max(np.abs(a - b)))


def _perturbed(model):
    """Weights moved away from their initial values (zero biases would hide mix-ups)."""
    rng = np.random.default_rng(7)
    model.set_weights(
        [w + 0.1 * rng.standard_normal(w.shape).astype(w.dtype) for w in model.get_weights()]
    )


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_round_trip(tmp_path, name):
    model, x = BUILDERS[name](lamina)
    _perturbed(model)
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert _difference(loaded.predict(x, verbose=0), expected) < 1e-6
    again, _ = BUILDERS[name](lamina)
    weights = str(tmp_path / "model.weights.h5")
    model.save_weights(weights)
    again.load_weights(weights)
    assert _difference(again.predict(x, verbose=0), expected) < 1e-6


def test_round_trip_after_training(tmp_path):
    model, x = _self_attention(lamina)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.ones((4, 6, 3), "float32"), epochs=2, batch_size=2, verbose=0)
    path = str(tmp_path / "trained.keras")
    model.save(path)
    loaded = lamina.saving.load_model(path)
    assert _difference(loaded.predict(x, verbose=0), model.predict(x, verbose=0)) < 1e-6
    assert len(loaded.optimizer.variables) == len(model.optimizer.variables)


@pytest.mark.parametrize("name", CROSSING)
def test_keras_file_loads_in_lamina(keras, tmp_path, name):
    theirs, x = BUILDERS[name](keras)
    _perturbed(theirs)
    path = str(tmp_path / "keras_model.keras")
    theirs.save(path)
    ours = lamina.saving.load_model(path)
    assert _difference(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), x) < 1e-5


@pytest.mark.parametrize("name", CROSSING)
def test_lamina_file_loads_in_keras(keras, tmp_path, name):
    ours, x = BUILDERS[name](lamina)
    _perturbed(ours)
    path = str(tmp_path / "lamina_model.keras")
    ours.save(path)
    theirs = keras.saving.load_model(path)
    assert _difference(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), x) < 1e-5
