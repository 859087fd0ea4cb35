"""The trainer: compile, fit and its arguments, evaluate, predict, the on_batch methods,
with Keras 3 parity of log names, History keys and return shapes."""

import numpy as np
import pytest

import lamina
from lamina import layers

RTOL = 1e-5  # same engine, same float32 arithmetic in a different order


def _mlp(lib, name="mlp"):
    return lib.Sequential(
        [
            lib.Input(shape=(4,)),
            lib.layers.Dense(8, activation="relu", name=f"{name}_hidden"),
            lib.layers.Dense(3, activation="softmax", name=f"{name}_out"),
        ],
        name=name,
    )


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=(n,))


def _two_outputs(lib):
    a = lib.Input(shape=(4,), name="a")
    b = lib.Input(shape=(3,), name="b")
    h = lib.layers.Concatenate(name="cat")([a, b])
    h = lib.layers.Dense(5, activation="relu", name="hidden")(h)
    out1 = lib.layers.Dense(3, activation="softmax", name="out1")(h)
    out2 = lib.layers.Dense(1, name="out2")(h)
    return lib.Model([a, b], [out1, out2], name="two")


def _two_output_data():
    rng = np.random.default_rng(1)
    xa = rng.normal(size=(16, 4)).astype("float32")
    xb = rng.normal(size=(16, 3)).astype("float32")
    return [xa, xb], [rng.integers(0, 3, size=(16,)), rng.normal(size=(16, 1)).astype("float32")]


def _weights(model):
    # Read through `.value`: Keras's own get_weights() warns under NumPy 2 on JAX.
    return [np.asarray(lamina.ops.convert_to_numpy(v.value)) for v in model.weights]


def _copy_weights(source, target):
    target.set_weights(_weights(source))


# ---------------------------------------------------------------- compile


def test_compile_accepts_names_and_objects_alike():
    x, y = _data()
    by_name = _mlp(lamina, "by_name")
    by_object = _mlp(lamina, "by_object")
    _copy_weights(by_name, by_object)
    by_name.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    by_object.compile(
        lamina.optimizers.SGD(),
        lamina.losses.SparseCategoricalCrossentropy(),
        metrics=[lamina.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    h1 = by_name.fit(x, y, batch_size=8, verbose=0, shuffle=False).history
    h2 = by_object.fit(x, y, batch_size=8, verbose=0, shuffle=False).history
    assert h1.keys() == h2.keys() == {"accuracy", "loss"}
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=RTOL)


@pytest.mark.parametrize(
    "kwargs, known",
    [
        ({"optimizer": "adamm", "loss": "mse"}, "adam"),
        ({"optimizer": "sgd", "loss": "mean_squared_eror"}, "mean_squared_error"),
        ({"optimizer": "sgd", "loss": "mse", "metrics": ["acuracy"]}, "accuracy"),
    ],
)
def test_unknown_names_list_the_known_ones(kwargs, known):
    model = _mlp(lamina, "unknown")
    x, y = _data()
    with pytest.raises(ValueError) as info:
        model.compile(**kwargs)
        model.fit(x, lamina.utils.to_categorical(y, 3), verbose=0)
    message = str(info.value)
    bad = [v for v in kwargs.values() if isinstance(v, str) and v not in ("sgd", "mse")]
    bad = bad or kwargs["metrics"]
    assert repr(bad[0]) in message or bad[0] in message
    assert known in message


# ---------------------------------------------------------------- multi-output, Keras parity


@pytest.mark.parametrize("as_dict", [False, True])
def test_multi_output_logs_match_keras(keras_training_ref, as_dict):
    x, y = _two_output_data()
    ours, theirs = _two_outputs(lamina), _two_outputs(keras_training_ref)
    _copy_weights(theirs, ours)
    if as_dict:
        kwargs = {
            "loss": {"out1": "sparse_categorical_crossentropy", "out2": "mse"},
            "metrics": {"out1": ["accuracy"], "out2": ["mae"]},
            "loss_weights": {"out1": 1.0, "out2": 0.5},
        }
    else:
        kwargs = {
            "loss": ["sparse_categorical_crossentropy", "mse"],
            "metrics": [["accuracy"], ["mae"]],
            "loss_weights": [1.0, 0.5],
        }
    results = []
    for model in (ours, theirs):
        model.compile(optimizer="sgd", **kwargs)
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        evaluated = model.evaluate(x, y, verbose=0)
        as_dict_logs = model.evaluate(x, y, verbose=0, return_dict=True)
        results.append((history.history, evaluated, as_dict_logs))
    (h1, e1, d1), (h2, e2, d2) = results
    assert list(h1) == list(h2)
    assert list(d1) == list(d2)
    for key in h2:
        np.testing.assert_allclose(h1[key], h2[key], rtol=1e-4, err_msg=key)
    assert len(e1) == len(e2)
    np.testing.assert_allclose(e1[0], e2[0], rtol=1e-4)


def test_single_output_logs_and_evaluate_match_keras(keras_training_ref):
    x, y = _data()
    ours, theirs = _mlp(lamina, "single"), _mlp(keras_training_ref, "single")
    _copy_weights(theirs, ours)
    out = []
    for model in (ours, theirs):
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(
            x, y, batch_size=8, epochs=2, verbose=0, shuffle=False, validation_split=0.5
        )
        scalar_model_eval = model.evaluate(x, y, verbose=0)
        out.append((history.history, scalar_model_eval, history.epoch))
    (h1, e1, ep1), (h2, e2, ep2) = out
    assert list(h1) == list(h2) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert ep1 == ep2 == [0, 1]
    for key in h2:
        np.testing.assert_allclose(h1[key], h2[key], rtol=1e-4, err_msg=key)
    assert isinstance(e1, list) and len(e1) == len(e2) == 2
    np.testing.assert_allclose(e1, e2, rtol=1e-4)
    # Without metrics, evaluate returns a bare float, as Keras does.
    ours.compile("adam", "sparse_categorical_crossentropy")
    assert isinstance(ours.evaluate(x, y, verbose=0), float)


# ---------------------------------------------------------------- fit arguments


def test_fit_arguments_validation_weights_epochs_and_steps():
    x, y = _data()
    model = _mlp(lamina, "args")
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x,
        y,
        batch_size=4,
        epochs=3,
        initial_epoch=1,
        steps_per_epoch=2,
        validation_data=(x[:4], y[:4]),
        verbose=0,
    )
    assert history.epoch == [1, 2]
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert all(len(v) == 2 for v in history.history.values())
    assert model.history is history

    # class_weight equal to a matching sample_weight gives identical training.
    c, d = _mlp(lamina, "cw_c"), _mlp(lamina, "cw_d")
    _copy_weights(c, d)
    for m in (c, d):
        m.compile("sgd", "sparse_categorical_crossentropy")
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5}
    hc = c.fit(x, y, class_weight=class_weight, batch_size=8, verbose=0, shuffle=False)
    sw = np.array([class_weight[int(k)] for k in y], "float32")
    hd = d.fit(x, y, sample_weight=sw, batch_size=8, verbose=0, shuffle=False)
    np.testing.assert_allclose(hc.history["loss"], hd.history["loss"], rtol=RTOL)
    for wc, wd in zip(c.get_weights(), d.get_weights()):
        np.testing.assert_allclose(wc, wd, rtol=RTOL, atol=1e-7)


def test_sample_weight_matches_keras(keras_training_ref):
    x, y = _data()
    ours, theirs = _mlp(lamina, "cwk"), _mlp(keras_training_ref, "cwk")
    _copy_weights(theirs, ours)
    sw = np.linspace(0.0, 2.0, 16).astype("float32")
    losses = []
    for model in (ours, theirs):
        model.compile("sgd", "sparse_categorical_crossentropy")
        h = model.fit(x, y, sample_weight=sw, batch_size=8, epochs=2, verbose=0, shuffle=False)
        losses.append(h.history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
    for a, b in zip(_weights(ours), _weights(theirs)):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-6)


def test_shuffle_changes_order_but_seed_makes_it_repeatable():
    x, y = _data()
    results = []
    for shuffle in (True, True, False):
        lamina.utils.set_random_seed(3)
        model = _mlp(lamina, "shuf")
        model.compile("sgd", "sparse_categorical_crossentropy")
        results.append(model.fit(x, y, batch_size=4, shuffle=shuffle, verbose=0).history["loss"])
    assert results[0] == results[1]
    assert results[0] != results[2]


# ---------------------------------------------------------------- predict / on_batch


def test_predict_and_on_batch_methods_match_keras(keras_training_ref):
    x, y = _data()
    ours, theirs = _mlp(lamina, "batch"), _mlp(keras_training_ref, "batch")
    _copy_weights(theirs, ours)
    np.testing.assert_allclose(
        ours.predict(x, batch_size=5, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5
    )
    np.testing.assert_allclose(ours.predict_on_batch(x), theirs.predict_on_batch(x), rtol=1e-5)
    for model in (ours, theirs):
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    r1 = ours.train_on_batch(x, y)
    r2 = theirs.train_on_batch(x, y)
    assert isinstance(r1, list) and len(r1) == len(r2) == 2
    np.testing.assert_allclose(r1, r2, rtol=1e-5)
    t1 = ours.test_on_batch(x, y, return_dict=True)
    t2 = theirs.test_on_batch(x, y, return_dict=True)
    assert list(t1) == list(t2)
    np.testing.assert_allclose(list(t1.values()), list(t2.values()), rtol=1e-5)


# ---------------------------------------------------------------- bad data before training


def _compiled(loss="sparse_categorical_crossentropy"):
    model = _mlp(lamina, "bad")
    model.compile("sgd", loss)
    return model


def test_x_and_y_of_different_lengths():
    x, y = _data()
    with pytest.raises(ValueError, match=r"same number of samples.*x: \[16\].*y: \[15\]"):
        _compiled().fit(x, y[:15], verbose=0)


def test_non_numeric_and_ragged_data():
    with pytest.raises(ValueError, match="strings"):
        _compiled().fit(np.array([["a"] * 4] * 2), np.zeros(2), verbose=0)
    with pytest.raises(ValueError, match="ragged"):
        _compiled().fit([[1.0, 2.0, 3.0, 4.0], [1.0]], [0, 1], verbose=0)


def test_integer_labels_with_categorical_crossentropy_suggest_sparse():
    x, y = _data()
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy") as info:
        _compiled("categorical_crossentropy").fit(x, y, verbose=0)
    assert "to_categorical" in str(info.value)


def test_loss_and_output_shape_mismatch():
    x, _ = _data()
    with pytest.raises(ValueError, match=r"\(None, 3\).*\(16, 5\)"):
        _compiled("mse").fit(x, np.zeros((16, 5), "float32"), verbose=0)


def test_nan_loss_warns_once_without_terminate_on_nan():
    x, y = _data()
    y = lamina.utils.to_categorical(y, 3)
    y[3, 0] = np.nan
    model = _compiled("mse")
    with pytest.warns(RuntimeWarning, match="batch 0 of epoch 1") as record:
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    assert len(record) == 1
    assert len(history.history["loss"]) == 2


def test_fit_before_compile_says_how():
    x, y = _data()
    with pytest.raises(RuntimeError, match=r"compile\(optimizer, loss\)"):
        _mlp(lamina, "raw").fit(x, y, verbose=0)


def test_models_fit_on_the_same_layers():
    model = lamina.Sequential([lamina.Input(shape=(4,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    x, _ = _data()
    loss = model.evaluate(x, np.zeros((16, 1), "float32"), verbose=0)
    assert isinstance(loss, float) and loss >= 0
