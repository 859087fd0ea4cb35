"""Callbacks: hook order (Keras parity), History, EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback, and
the progress output of verbose=1/2 (Keras parity)."""

import csv
import re

import numpy as np
import pytest

import lamina
from lamina import callbacks


def _mlp(lib):
    return lib.Sequential(
        [
            lib.Input(shape=(4,)),
            lib.layers.Dense(8, activation="relu"),
            lib.layers.Dense(3, activation="softmax"),
        ]
    )


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 4)).astype("float32"), rng.integers(0, 3, size=(16,))


def _compiled(lib=lamina):
    model = _mlp(lib)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _recorder(base):
    names = [n for n in dir(base) if n.startswith("on_")]

    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.calls = []

    def make(name):
        def hook(self, *args, **kwargs):
            self.calls.append((name, *(a for a in args if isinstance(a, int))))

        return hook

    for name in names:
        setattr(Recorder, name, make(name))
    return Recorder()


def test_every_hook_is_called_in_keras_order(keras_training_ref):
    x, y = _data()
    ours, theirs = _recorder(callbacks.Callback), _recorder(keras_training_ref.callbacks.Callback)
    assert {n for n in dir(callbacks.Callback) if n.startswith("on_")} == {
        n for n in dir(keras_training_ref.callbacks.Callback) if n.startswith("on_")
    }
    for lib, recorder in ((lamina, ours), (keras_training_ref, theirs)):
        model = _compiled(lib)
        kwargs = {"batch_size": 8, "verbose": 0, "callbacks": [recorder]}
        model.fit(x, y, epochs=2, validation_split=0.5, shuffle=False, **kwargs)
        model.evaluate(x, y, **kwargs)
        model.predict(x, **kwargs)
    assert ours.calls == theirs.calls


def test_lambda_callback_and_history():
    x, y = _data()
    ends = []
    model = _compiled()
    history = model.fit(
        x,
        y,
        batch_size=8,
        epochs=2,
        verbose=0,
        callbacks=[callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(epoch))],
    )
    assert ends == [0, 1]
    assert isinstance(history, callbacks.History)
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="not a callback hook"):
        callbacks.LambdaCallback(on_epoch_finish=print)


class _FakeMonitor(callbacks.Callback):
    """Writes a scripted value into the logs and records the weights after each epoch."""

    def __init__(self, values):
        super().__init__()
        self.values = values
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _compiled()
    fake = _FakeMonitor([3.0, 2.0, 2.5, 2.6, 2.7, 2.8])
    stop = callbacks.EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    history = model.fit(x, y, batch_size=8, epochs=6, verbose=0, callbacks=[fake, stop])
    assert history.epoch == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for got, best in zip(model.get_weights(), fake.weights[1]):
        np.testing.assert_array_equal(got, best)


def test_reduce_lr_on_plateau_and_scheduler():
    x, y = _data()
    model = _compiled()
    fake = _FakeMonitor([1.0, 1.0, 1.0, 1.0])
    reduce = callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, min_lr=0.003)
    history = model.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[fake, reduce])
    np.testing.assert_allclose(
        history.history["learning_rate"], [0.01, 0.01, 0.005, 0.003], rtol=1e-6
    )
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.003, rtol=1e-6)

    model = _compiled()
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[schedule])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_csv_logger(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    _compiled().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    assert all(np.isfinite(float(v)) for r in rows[1:] for v in r)


def test_terminate_on_nan_stops_at_the_batch(capsys):
    x, y = _data()
    x[9, 0] = np.inf  # second batch of 8
    model = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    stopper = callbacks.TerminateOnNaN()
    history = model.fit(
        x,
        y.astype("float32"),
        batch_size=8,
        epochs=3,
        verbose=0,
        callbacks=[stopper],
        shuffle=False,
    )
    assert stopper.bad_batch == 1
    assert "Batch 1: invalid loss" in capsys.readouterr().out
    assert len(history.epoch) == 1


@pytest.mark.parametrize("weights_only", [True, False])
def test_model_checkpoint_save_best_only(tmp_path, weights_only):
    x, y = _data()
    model = _compiled()
    suffix = ".weights.h5" if weights_only else ".keras"
    pattern = str(tmp_path / ("ckpt-{epoch:02d}" + suffix))
    fake = _FakeMonitor([2.0, 3.0, 1.0])
    checkpoint = callbacks.ModelCheckpoint(
        pattern, monitor="score", save_best_only=True, save_weights_only=weights_only
    )
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[fake, checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"ckpt-01{suffix}", f"ckpt-03{suffix}"]
    with pytest.raises(ValueError, match="must end in"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.h5"), save_weights_only=True)


# ---------------------------------------------------------------- progress output

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _lines(text):
    """The final state of each printed line, without colors, with timings masked."""
    out = []
    for line in _ANSI.sub("", text).split("\n"):
        line = line.split("\r")[-1].replace("\x08", "").rstrip()
        line = re.sub(r"\b\d+s\b", "<t>", line)
        line = re.sub(r"\b\d+(us|ms|s)/step", "<t>/step", line)
        if line:
            out.append(line)
    return out


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_output_matches_keras(keras_training_ref, capsys, verbose):
    x, y = _data()
    printed = []
    reference = _compiled(keras_training_ref)
    weights = [np.asarray(lamina.ops.convert_to_numpy(v.value)) for v in reference.weights]
    for lib in (lamina, keras_training_ref):
        model = _compiled(lib)
        model.set_weights(weights)
        model.fit(
            x, y, batch_size=8, epochs=2, verbose=verbose, validation_split=0.5, shuffle=False
        )
        model.evaluate(x, y, batch_size=8, verbose=verbose)
        printed.append(_lines(capsys.readouterr().out))
    ours, theirs = printed
    assert len(ours) == len(theirs)
    assert ours == theirs
    if verbose == 1:
        assert ours[0] == "Epoch 1/2"
        assert re.fullmatch(
            r"1/1 ━{20} <t> <t>/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} - "
            r"val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}",
            ours[1],
        ), ours[1]
    else:
        assert re.fullmatch(r"1/1 - <t> - <t>/step - accuracy: \d\.\d{4} - loss: .*", ours[1])


def test_verbose_zero_is_quiet(capsys):
    x, y = _data()
    model = _compiled()
    model.fit(x, y, batch_size=8, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_progbar_shows_eta_while_running():
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = lamina.utils.Progbar(4, verbose=1, interval=0.0, stream=stream)
    bar.update(1, {"loss": 0.5})
    bar.update(4, {"loss": 0.25})
    frames = [_ANSI.sub("", f) for f in stream.getvalue().split("\r") if f]
    assert re.fullmatch(r"1/4 ━{5}━{15} \d+s \d+(us|ms|s)/step - loss: 0\.5000", frames[0].strip())
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(us|ms|s)/step - loss: 0\.2500", frames[1].strip())
