"""Masks end to end: Embedding(mask_zero)/Masking -> recurrent, merging, pooling, losses, fit.

Parity tests build the same model in lamina and in real Keras 3 on the same
engine, copy lamina's weights into Keras, and compare outputs (atol 1e-5) and
a one-epoch SGD fit (loss within 1e-4 relative).
"""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.layers._masking import get_mask
from lamina.testing.layer_test import keras_module

STEPS, VOCAB, DIM, UNITS = 6, 7, 3, 4
# Right-padded ids (0 = padding) plus one row with padding in the middle.
IDS = np.array(
    [[3, 1, 2, 0, 0, 0], [1, 4, 5, 6, 2, 0], [2, 0, 0, 0, 0, 0], [5, 0, 3, 1, 0, 0]],
    dtype="int32",
)
MASK = IDS != 0


@pytest.fixture(scope="module")
def keras():
    module = keras_module()
    if module is None:
        pytest.skip("Keras 3 cannot run on this engine here")
    return module


def _np(x):
    return ops.convert_to_numpy(x)


def _knp(keras, x):
    return keras.ops.convert_to_numpy(x)


def _copy_weights(ours, theirs):
    own, other = ours.weights, theirs.weights
    assert [tuple(w.shape) for w in own] == [tuple(w.shape) for w in other]
    for a, b in zip(own, other):
        b.assign(a.numpy())


def _sequence_model(lib, body, steps=STEPS, dtype="int32", features=None):
    """`Input -> body...` as a functional model of library `lib` (lamina or keras)."""
    shape = (steps,) if features is None else (steps, features)
    inputs = lib.Input(shape=shape, dtype=dtype)
    x = inputs
    for layer in body(lib):
        x = layer(x)
    return lib.Model(inputs, x)


def _assert_parity(keras, body, inputs, dtype="int32", features=None, atol=1e-5):
    ours = _sequence_model(lamina, body, dtype=dtype, features=features)
    theirs = _sequence_model(keras, body, dtype=dtype, features=features)
    _copy_weights(ours, theirs)
    expected = theirs(inputs)
    got = ours(inputs)
    for a, b in zip(lamina.utils._tree.flatten(got), keras.tree.flatten(expected)):
        np.testing.assert_allclose(_np(a), _knp(keras, b), atol=atol, rtol=atol)
    return ours


RNN_CASES = [
    (name, return_sequences, go_backwards)
    for name in ("LSTM", "GRU", "SimpleRNN")
    for return_sequences in (False, True)
    for go_backwards in (False, True)
    if name == "LSTM" or not go_backwards
]


@pytest.mark.parametrize("name, return_sequences, go_backwards", RNN_CASES)
def test_embedding_mask_zero_rnn_parity(keras, name, return_sequences, go_backwards):
    def body(lib):
        return [
            lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
            getattr(lib.layers, name)(
                UNITS, return_sequences=return_sequences, go_backwards=go_backwards
            ),
        ]

    model = _assert_parity(keras, body, IDS)
    # The same layers called eagerly, one by one, carry the mask too.
    embedding, rnn = model.layers[1], model.layers[2]
    np.testing.assert_allclose(_np(rnn(embedding(IDS))), _np(model(IDS)), atol=1e-6)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_mask_parity(keras, return_sequences, merge_mode):
    def body(lib):
        return [
            lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
            lib.layers.Bidirectional(
                lib.layers.LSTM(UNITS, return_sequences=return_sequences), merge_mode=merge_mode
            ),
        ]

    _assert_parity(keras, body, IDS)


def test_masking_layer_then_lstm_parity(keras):
    x = np.random.default_rng(0).standard_normal((4, STEPS, DIM)).astype("float32")
    x[MASK == 0] = 0.0

    def body(lib):
        return [lib.layers.Masking(mask_value=0.0), lib.layers.LSTM(UNITS)]

    _assert_parity(keras, body, x, dtype="float32", features=DIM)
    masked = layers.Masking(mask_value=0.0)(x)
    np.testing.assert_array_equal(_np(get_mask(masked)), MASK)
    np.testing.assert_array_equal(
        _np(layers.Masking(mask_value=0.0).compute_mask(ops.convert_to_tensor(x))), MASK
    )


def test_mask_passes_through_dense_dropout_and_time_distributed(keras):
    def body(lib):
        return [
            lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
            lib.layers.Dense(5, activation="tanh"),
            lib.layers.Dropout(0.5),
            lib.layers.Activation("relu"),
            lib.layers.TimeDistributed(lib.layers.Dense(3)),
            lib.layers.GRU(UNITS, return_sequences=True),
        ]

    _assert_parity(keras, body, IDS)
    embedding = layers.Embedding(VOCAB, DIM, mask_zero=True)
    x = layers.Dropout(0.5)(layers.Dense(5)(embedding(IDS)))
    np.testing.assert_array_equal(_np(get_mask(x)), MASK)


def test_global_average_pooling1d_with_mask_parity(keras):
    def body(lib):
        return [
            lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
            lib.layers.GlobalAveragePooling1D(),
        ]

    model = _assert_parity(keras, body, IDS)
    assert get_mask(model(IDS)) is None


def test_global_max_pooling1d_leaves_out_masked_steps():
    x = -np.abs(np.random.default_rng(1).standard_normal((4, STEPS, DIM))).astype("float32")
    x[MASK == 0] = 5.0  # padding that would win an unmasked maximum
    got = layers.GlobalMaxPooling1D()(x, mask=MASK)
    expected = np.where(MASK[..., None], x, -np.inf).max(axis=1)
    np.testing.assert_allclose(_np(got), expected)


def _two_masked_inputs(lib):
    a = lib.Input(shape=(STEPS,), dtype="int32")
    b = lib.Input(shape=(STEPS,), dtype="int32")
    return (
        a,
        b,
        lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
        lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
    )


@pytest.mark.parametrize("merge", ["add", "concat_features", "concat_time"])
def test_merging_combines_masks_parity(keras, merge):
    other = np.where(np.arange(STEPS) < 2, 1, IDS[::-1]).astype("int32")

    def build(lib):
        a, b, ea, eb = _two_masked_inputs(lib)
        xa, xb = ea(a), eb(b)
        if merge == "add":
            x = lib.layers.Add()([xa, xb])
        elif merge == "concat_features":
            x = lib.layers.Concatenate(axis=-1)([xa, xb])
        else:
            x = lib.layers.Concatenate(axis=1)([xa, xb])
        return lib.Model([a, b], lib.layers.LSTM(UNITS, return_sequences=True)(x))

    ours, theirs = build(lamina), build(keras)
    _copy_weights(ours, theirs)
    np.testing.assert_allclose(
        _np(ours([IDS, other])), _knp(keras, theirs([IDS, other])), atol=1e-5
    )
    # The combined mask, against NumPy.
    ma, mb = IDS != 0, other != 0
    expected = {
        "add": ma | mb,
        "concat_features": ma | mb,
        "concat_time": np.concatenate([ma, mb], axis=1),
    }[merge]
    emb_a, emb_b = (
        layers.Embedding(VOCAB, DIM, mask_zero=True),
        layers.Embedding(VOCAB, DIM, mask_zero=True),
    )
    merged = {
        "add": layers.Add(),
        "concat_features": layers.Concatenate(axis=-1),
        "concat_time": layers.Concatenate(axis=1),
    }[merge]([emb_a(IDS), emb_b(other)])
    np.testing.assert_array_equal(_np(get_mask(merged)), expected)


def test_compute_mask_api():
    embedding = layers.Embedding(VOCAB, DIM, mask_zero=True)
    ids = ops.convert_to_tensor(IDS)
    mask = embedding.compute_mask(ids)
    np.testing.assert_array_equal(_np(mask), MASK)
    lstm = layers.LSTM(UNITS, return_sequences=True, return_state=True)
    out_mask, h_mask, c_mask = lstm.compute_mask(None, mask)
    np.testing.assert_array_equal(_np(out_mask), MASK)
    assert h_mask is None and c_mask is None
    assert layers.LSTM(UNITS).compute_mask(None, mask) is None
    assert layers.Dense(2).compute_mask(None, mask) is mask
    assert layers.Embedding(VOCAB, DIM).compute_mask(ids) is None


def test_explicit_mask_argument_matches_attached_mask():
    x = np.random.default_rng(2).standard_normal((4, STEPS, DIM)).astype("float32")
    lstm = layers.LSTM(UNITS, return_sequences=True)
    explicit = lstm(x, mask=MASK)
    np.testing.assert_array_equal(_np(get_mask(explicit)), MASK)
    model = lamina.Sequential([lamina.Input(shape=(STEPS, DIM)), lstm])
    np.testing.assert_allclose(_np(model(x, mask=MASK)), _np(explicit), atol=1e-6)
    # Masked steps repeat the previous output.
    out = _np(explicit)
    np.testing.assert_allclose(out[0, 3:], np.broadcast_to(out[0, 2], (3, UNITS)))


def test_layer_without_masking_support_warns():
    x = layers.Embedding(VOCAB, DIM, mask_zero=True)(IDS)
    with pytest.warns(UserWarning, match="does not support masking"):
        y = layers.Flatten()(x)
    assert get_mask(y) is None


def _fit_body(lib):
    return [
        lib.layers.Embedding(VOCAB, DIM, mask_zero=True),
        lib.layers.LSTM(UNITS, return_sequences=True),
        lib.layers.Dense(3, activation="softmax"),
    ]


def test_masked_sequence_fit_matches_keras(keras):
    if keras.backend.backend() == "numpy":
        pytest.skip(
            "Keras 3's numpy backend is inference-only: its fit and train_on_batch raise "
            "NotImplementedError"
        )
    rng = np.random.default_rng(3)
    ids = rng.integers(1, VOCAB, size=(8, STEPS)).astype("int32")
    lengths = np.array([6, 3, 1, 4, 5, 2, 6, 3])
    ids[np.arange(STEPS)[None, :] >= lengths[:, None]] = 0
    y = rng.integers(0, 3, size=(8, STEPS)).astype("int32")

    def build(lib):
        model = lib.Sequential([lib.Input(shape=(STEPS,), dtype="int32"), *_fit_body(lib)])
        model.compile(
            optimizer=lib.optimizers.SGD(0.5),
            loss="sparse_categorical_crossentropy",
            metrics=["sparse_categorical_accuracy"],
        )
        return model

    ours, theirs = build(lamina), build(keras)
    _copy_weights(ours, theirs)
    # Before training: the masked loss and metric of evaluate agree.
    got = ours.evaluate(ids, y, batch_size=4, verbose=0, return_dict=True)
    expected = theirs.evaluate(ids, y, batch_size=4, verbose=0, return_dict=True)
    for key in ("loss", "sparse_categorical_accuracy"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4)
    if keras.backend.backend() == "numpy":
        pytest.skip(
            "Keras 3's numpy backend is inference-only: its fit raises NotImplementedError"
        )
    ours_hist = ours.fit(ids, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    theirs_hist = theirs.fit(ids, y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(ours_hist["loss"], theirs_hist["loss"], rtol=1e-4)
    # Keras 3 on JAX loses the mask of y_pred between its gradient and its metrics
    # (its train-step metrics count padded steps; its evaluate does not), so the
    # training metric is compared where Keras masks it.
    if lamina.backend.backend() == "tensorflow":
        key = "sparse_categorical_accuracy"
        np.testing.assert_allclose(ours_hist[key], theirs_hist[key], rtol=1e-4)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(a.numpy(), _knp(keras, b.value), atol=1e-5)


def test_masked_fit_step_on_this_engine():
    """The compiled train step masks loss and metrics (no Keras needed: every engine)."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, size=IDS.shape).astype("int32")
    model = lamina.Sequential([lamina.Input(shape=(STEPS,), dtype="int32"), *_fit_body(lamina)])
    model.compile(
        optimizer=lamina.optimizers.SGD(0.1),
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    probs = ops.convert_to_numpy(_np(model(IDS)))
    per_step = -np.log(np.take_along_axis(probs, y[..., None], axis=-1)[..., 0])
    loss = (per_step * MASK).sum() / MASK.sum()
    accuracy = ((probs.argmax(-1) == y) * MASK).sum() / MASK.sum()
    # One batch: the step's logs come from the weights before the update.
    history = model.fit(IDS, y, batch_size=len(IDS), epochs=1, verbose=0).history
    np.testing.assert_allclose(history["loss"], [loss], rtol=1e-4)
    np.testing.assert_allclose(history["sparse_categorical_accuracy"], [accuracy], rtol=1e-6)


def test_loss_weights_by_output_mask():
    embedding = layers.Embedding(VOCAB, 3, mask_zero=True)
    y_pred = layers.Activation("softmax")(embedding(IDS))
    y_true = np.zeros(IDS.shape, "int32")
    loss = lamina.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
    per_step = -np.log(_np(y_pred)[..., 0])
    expected = (per_step * MASK).sum() / MASK.sum()
    np.testing.assert_allclose(_np(loss), expected, rtol=1e-5)
