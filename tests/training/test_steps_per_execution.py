"""`compile(steps_per_execution=k)`: k batches per call of the compiled step,
with the same results as one batch per call and callbacks once per call."""

import numpy as np
import pytest

import lamina


def _model(steps_per_execution, seed=0):
    lamina.utils.set_random_seed(seed)
    model = lamina.Sequential(
        [
            lamina.Input((6,)),
            lamina.layers.Dense(8, activation="relu"),
            lamina.layers.Dropout(0.25),
            lamina.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def _data(n=44):
    rng = np.random.default_rng(0)
    return rng.random((n, 6), dtype=np.float32), rng.integers(0, 3, n)


class _Hooks(lamina.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("end", batch, sorted(logs)))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_end", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.calls.append(("predict_end", batch, len(logs["outputs"])))


@pytest.mark.parametrize("k", [3, 4])
def test_training_matches_one_batch_per_call(k):
    x, y = _data()
    one, many = _model(1), _model(k)
    many.set_weights(one.get_weights())
    h1 = one.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    hk = many.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(hk.history["loss"], h1.history["loss"], rtol=1e-5)
    for a, b in zip(one.get_weights(), many.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        many.evaluate(x, y, batch_size=4, verbose=0), one.evaluate(x, y, batch_size=4, verbose=0)
    )
    np.testing.assert_allclose(
        many.predict(x, batch_size=4, verbose=0),
        one.predict(x, batch_size=4, verbose=0),
        rtol=1e-6,
    )


def test_batch_hooks_run_once_per_call():
    x, y = _data()  # 11 batches of 4: calls of 4, 4 and 3 batches
    model, hooks = _model(4), _Hooks()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[hooks])
    logs = ["accuracy", "loss"]
    assert hooks.calls == [
        ("begin", 0),
        ("end", 3, logs),
        ("begin", 4),
        ("end", 7, logs),
        ("begin", 8),
        ("end", 10, logs),
    ]
    hooks.calls = []
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[hooks])
    model.predict(x, batch_size=4, verbose=0, callbacks=[hooks])
    assert hooks.calls == [
        ("test_end", 3),
        ("test_end", 7),
        ("test_end", 10),
        ("predict_end", 3, 16),
        ("predict_end", 7, 16),
        ("predict_end", 10, 12),
    ]


def test_stateful_layers_carry_across_the_batches_of_a_call():
    x = np.random.default_rng(1).random((8, 5, 3), dtype=np.float32)

    def model(k):
        m = lamina.Sequential(
            [lamina.Input((5, 3), batch_size=2), lamina.layers.GRU(4, stateful=True)]
        )
        m.compile(optimizer="sgd", loss="mse", steps_per_execution=k)
        return m

    one, many = model(1), model(3)
    many.set_weights(one.get_weights())
    np.testing.assert_allclose(
        many.predict(x, batch_size=2, verbose=0),
        one.predict(x, batch_size=2, verbose=0),
        atol=1e-6,
    )
    for a, b in zip(one.layers[0].states, many.layers[0].states):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_invalid_steps_per_execution(bad):
    model = lamina.Sequential([lamina.Input((6,)), lamina.layers.Dense(1)])
    with pytest.raises(ValueError, match="steps_per_execution must be a positive integer"):
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=bad)
