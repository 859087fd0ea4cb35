"""Datasets as `x`: PyDataset (and its alias Sequence), generators and lists of batches."""

import warnings

import numpy as np
import pytest

import lamina

N_BATCHES, BATCH = 5, 8


def _arrays():
    rng = np.random.default_rng(0)
    x = rng.random((N_BATCHES * BATCH, 3), dtype=np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


class Batches(lamina.utils.PyDataset):
    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x, y
        self.events = []

    def __len__(self):
        return len(self.x) // BATCH

    def __getitem__(self, index):
        self.events.append(index)
        part = slice(index * BATCH, (index + 1) * BATCH)
        return self.x[part], self.y[part]

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def _model():
    lamina.utils.set_random_seed(1)
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(4), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


@pytest.mark.parametrize("workers", [1, 3])
def test_py_dataset_trains_as_the_same_arrays(workers):
    x, y = _arrays()
    ours, ref = _model(), _model()
    data = Batches(x, y, workers=workers, max_queue_size=2)
    history = ours.fit(data, epochs=2, verbose=0)
    expected = ref.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    epoch = ["begin", *range(N_BATCHES), "end"]
    events = data.events[1:]  # after the first batch, read once to build the model
    if workers == 1:
        assert events == epoch * 2
    else:  # threads load ahead: the loads interleave, each batch once per epoch
        assert [e for e in events if isinstance(e, str)] == ["begin", "end"] * 2
        assert sorted(e for e in events if not isinstance(e, str)) == sorted(
            list(range(N_BATCHES)) * 2
        )
    np.testing.assert_allclose(
        ours.evaluate(Batches(x, y), verbose=0),
        ours.evaluate(x, y, batch_size=BATCH, verbose=0),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        ours.predict(Batches(x, y), verbose=0), ours.predict(x, verbose=0), rtol=1e-6
    )


def test_sequence_is_py_dataset():
    assert lamina.utils.Sequence is lamina.utils.PyDataset


def test_a_generator_goes_on_across_epochs_and_loses_no_batch():
    x, y = _arrays()
    taken = []

    def batches():
        index = 0
        while True:
            taken.append(index % N_BATCHES)
            part = slice((index % N_BATCHES) * BATCH, (index % N_BATCHES + 1) * BATCH)
            yield x[part], y[part]
            index += 1

    ours, ref = _model(), _model()
    history = ours.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    # Six batches in a row, the first read once to build the model and then trained on.
    assert taken == [0, 1, 2, 3, 4, 0]
    order = np.concatenate([np.arange(i * BATCH, (i + 1) * BATCH) for i in [0, 1, 2, 3, 4, 0]])
    ref.fit(x[order], y[order], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_a_list_of_batches_starts_over_each_epoch():
    x, y = _arrays()
    data = [(x[i * BATCH : (i + 1) * BATCH], y[i * BATCH : (i + 1) * BATCH]) for i in range(5)]
    ours, ref = _model(), _model()
    ours.fit(iter(data), steps_per_epoch=5, verbose=0)
    ref.fit(x, y, batch_size=BATCH, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_targets_beside_a_dataset_are_rejected():
    x, y = _arrays()
    with pytest.raises(ValueError, match=r"x is a dataset \(Batches\).*y must not be given"):
        _model().fit(Batches(x, y), y, verbose=0)


def test_multiprocessing_warns_and_uses_threads():
    x, y = _arrays()
    data = Batches(x, y, workers=2, use_multiprocessing=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _model().fit(data, epochs=1, verbose=0)
    assert any("threads" in str(w.message) for w in caught)


@pytest.mark.parametrize("kwargs", [{"workers": 0}, {"max_queue_size": 0}, {"workers": 1.5}])
def test_bad_py_dataset_arguments(kwargs):
    x, y = _arrays()
    with pytest.raises(ValueError, match="must be an integer >= 1"):
        Batches(x, y, **kwargs)


def test_py_dataset_as_validation_data():
    x, y = _arrays()
    history = _model().fit(Batches(x, y), validation_data=Batches(x, y), epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert np.isfinite(history.history["val_mae"]).all()
