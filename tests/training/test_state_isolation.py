"""What user code reads from a model is its own: training never changes it afterwards.

Engines may update the training state in place (torch's fused optimizer
updates do); weights read before or during `fit` must keep their numbers.
"""

import numpy as np
import pytest

import lamina
from lamina import ops


def _model(optimizer="adam"):
    model = lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            lamina.layers.Dense(8, activation="relu"),
            lamina.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


def _data(n=64):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=(n,))


def test_weights_fetched_before_fit_do_not_change_during_fit():
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # optimizer state exists
    fetched = model.get_weights()
    as_numpy = [ops.convert_to_numpy(v.value) for v in model.weights]
    optimizer_state = model.optimizer.get_weights()
    expected = [np.array(w, copy=True) for w in fetched]
    expected_numpy = [np.array(w, copy=True) for w in as_numpy]
    expected_optimizer = [np.array(w, copy=True) for w in optimizer_state]
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    for got, want in zip(
        fetched + as_numpy + optimizer_state, expected + expected_numpy + expected_optimizer
    ):
        np.testing.assert_array_equal(got, want)
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), expected))


def test_weights_fetched_during_fit_are_snapshots():
    x, y = _data()
    model = _model(lamina.optimizers.SGD(learning_rate=0.1, momentum=0.9))
    snapshots = []

    class Snapshot(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            snapshots.append((self.model.get_weights(), [v.numpy() for v in self.model.weights]))

    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[Snapshot()])
    copies = [([w.copy() for w in a], [w.copy() for w in b]) for a, b in snapshots]
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    for (fetched, numpy_values), (fetched_copy, numpy_copy) in zip(snapshots, copies):
        for got, want in zip(fetched + numpy_values, fetched_copy + numpy_copy):
            np.testing.assert_array_equal(got, want)
    # The snapshots differ from step to step: none of them follows the live weights.
    assert not np.array_equal(snapshots[0][0][0], snapshots[-1][0][0])


def test_changing_fetched_weights_leaves_the_model_alone():
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    for array in model.get_weights() + [v.numpy() for v in model.weights]:
        array[...] = 7.0
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_a_model_set_from_another_models_tensors_trains_alone():
    # set_weights with engine tensors (not NumPy) shares them at first; training
    # one model must not move the other.
    x, y = _data()
    source, copy = _model(), _model()
    copy.set_weights([v.value for v in source.weights])
    expected = source.get_weights()
    copy.fit(x, y, batch_size=16, epochs=2, verbose=0)
    for got, want in zip(source.get_weights(), expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("callbacks", [[], ["batch"]], ids=["no-callbacks", "batch-callback"])
def test_tensors_held_across_fit_keep_their_values(callbacks):
    # The training step consumes its state (JAX donates it, torch's fused
    # updates overwrite it): tensors user code holds must survive that.
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    held = [v.value for v in model.weights] + [v.value for v in model.optimizer.variables]
    expected = [np.array(ops.convert_to_numpy(t), copy=True) for t in held]
    during = []

    class Hold(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            during.append([v.value for v in self.model.weights])

    hooks = [Hold()] if callbacks else []
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=hooks)
    model.train_on_batch(x[:16], y[:16])
    for tensor, want in zip(held, expected):
        np.testing.assert_array_equal(ops.convert_to_numpy(tensor), want)
    if during:
        first = [ops.convert_to_numpy(t) for t in during[0]]
        assert not np.array_equal(first[0], model.get_weights()[0])


def test_early_stopping_restores_the_best_epoch_exactly():
    x, y = _data()
    model = _model(lamina.optimizers.Adam(learning_rate=0.05))
    per_epoch = []

    class Record(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            per_epoch.append((logs["loss"], self.model.get_weights()))

    stop = lamina.callbacks.EarlyStopping(
        monitor="loss", patience=2, restore_best_weights=True, min_delta=10.0
    )
    model.fit(x, y, batch_size=16, epochs=6, verbose=0, callbacks=[Record(), stop])
    # With min_delta this large no epoch improves on the first: it is the best.
    for got, want in zip(model.get_weights(), per_epoch[0][1]):
        np.testing.assert_array_equal(got, want)
    assert len(per_epoch) == 3


class _CallCounter(lamina.layers.Layer):
    """Counts its calls in a non-trainable weight, in inference as in training."""

    def build(self, input_shape):
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

    def call(self, x):
        self.count.assign(self.count + 1.0)
        return x


def test_evaluation_and_prediction_keep_what_their_steps_assign():
    counter = _CallCounter()
    model = lamina.Sequential([lamina.Input((3,)), counter, lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    model.predict(x, batch_size=2, verbose=0)  # 4 batches
    assert float(counter.count.numpy()) == 4.0
    model.predict(x[:2], verbose=0)  # one small batch: the serving path
    model.evaluate(x, y, batch_size=4, verbose=0)  # 2 batches
    model.test_on_batch(x, y)
    model.predict_on_batch(x)
    assert float(counter.count.numpy()) == 9.0
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert float(counter.count.numpy()) == 11.0
