"""BackupAndRestore: an interrupted fit, started again, ends with the weights of a run
that was never interrupted (same seed, same engine), with shuffling and dropout."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import lamina
from lamina import callbacks

EPOCHS = 6


def _model():
    lamina.utils.set_random_seed(1234)
    model = lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            lamina.layers.Dense(8, activation="relu"),
            lamina.layers.Dropout(0.3),
            lamina.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 4)).astype("float32"), rng.normal(size=(40, 1)).astype("float32")


def _fit(model, callbacks_=(), epochs=EPOCHS):
    x, y = _data()
    return model.fit(
        x, y, epochs=epochs, batch_size=8, shuffle=True, verbose=0, callbacks=list(callbacks_)
    )


class _Crash(callbacks.Callback):
    """Stands for a crash: raises at the start of an epoch or of a batch."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch = epoch, batch
        self._current = None

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch
        if self.batch is None and epoch == self.epoch:
            raise RuntimeError("simulated crash")

    def on_train_batch_begin(self, batch, logs=None):
        if self._current == self.epoch and batch == self.batch:
            raise RuntimeError("simulated crash")


class _EpochsSeen(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)


@pytest.fixture(scope="module")
def uninterrupted():
    model = _model()
    _fit(model)
    return model.get_weights()


def _assert_same_weights(expected, model):
    got = model.get_weights()
    assert len(got) == len(expected)
    for a, b in zip(expected, got):
        np.testing.assert_array_equal(a, b)


def test_resumes_after_the_last_finished_epoch_with_identical_weights(tmp_path, uninterrupted):
    backup_dir = str(tmp_path / "backup")
    model = _model()
    with pytest.raises(RuntimeError, match="simulated crash"):
        _fit(model, [callbacks.BackupAndRestore(backup_dir), _Crash(epoch=3)])
    assert os.listdir(backup_dir) == ["latest.weights.h5"]
    # Anything the process did since (here: more random draws) must not matter.
    lamina.utils.set_random_seed(99)
    seen = _EpochsSeen()
    history = _fit(model, [callbacks.BackupAndRestore(backup_dir), seen])
    assert seen.epochs == [3, 4, 5]
    assert len(history.history["loss"]) == 3
    _assert_same_weights(uninterrupted, model)
    assert not os.path.exists(backup_dir)


def test_a_fresh_model_resumes_too(tmp_path, uninterrupted):
    backup_dir = str(tmp_path / "backup")
    with pytest.raises(RuntimeError):
        _fit(_model(), [callbacks.BackupAndRestore(backup_dir), _Crash(epoch=2)])
    model = _model()
    _fit(model, [callbacks.BackupAndRestore(backup_dir)])
    _assert_same_weights(uninterrupted, model)


def test_backups_every_n_batches_resume_mid_epoch(tmp_path, uninterrupted):
    # 5 batches an epoch, a backup every 3 batches: the crash before batch 4 of epoch 2
    # finds the backup taken after the 12th batch (batch 1 of epoch 2), so the restarted
    # fit trains batches 2 to 4 of epoch 2, then epochs 3 to 5.
    backup_dir = str(tmp_path / "backup")
    model = _model()
    with pytest.raises(RuntimeError):
        _fit(model, [callbacks.BackupAndRestore(backup_dir, save_freq=3), _Crash(2, batch=4)])
    batches = []
    recorder = callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: batches.append(batch)
    )
    _fit(model, [callbacks.BackupAndRestore(backup_dir, save_freq=3), recorder])
    assert batches[:3] == [2, 3, 4] and len(batches) == 3 + 5 * 3
    _assert_same_weights(uninterrupted, model)


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path, uninterrupted):
    backup_dir = str(tmp_path / "backup")
    with pytest.raises(RuntimeError):
        _fit(
            _model(),
            [callbacks.BackupAndRestore(backup_dir, double_checkpoint=True), _Crash(epoch=4)],
        )
    assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "previous.weights.h5"]
    with open(os.path.join(backup_dir, "latest.weights.h5"), "r+b") as f:
        f.write(b"\0" * 64)  # a damaged latest backup
    model = _model()
    seen = _EpochsSeen()
    _fit(model, [callbacks.BackupAndRestore(backup_dir, double_checkpoint=True), seen])
    assert seen.epochs == [3, 4, 5]
    _assert_same_weights(uninterrupted, model)


def test_a_damaged_single_backup_is_an_error(tmp_path):
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    (backup_dir / "latest.weights.h5").write_bytes(b"not hdf5")
    with pytest.raises(lamina.saving.DeserializationError, match="not a readable HDF5"):
        _fit(_model(), [callbacks.BackupAndRestore(str(backup_dir))])


def test_kept_backup_loads_as_weights(tmp_path):
    backup_dir = str(tmp_path / "backup")
    model = _model()
    _fit(model, [callbacks.BackupAndRestore(backup_dir, delete_checkpoint=False)], epochs=2)
    other = _model()
    other.load_weights(os.path.join(backup_dir, "latest.weights.h5"))
    for a, b in zip(model.weights, other.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # A later fit with the same backup finds training finished and trains nothing more.
    seen = _EpochsSeen()
    _fit(model, [callbacks.BackupAndRestore(backup_dir), seen], epochs=2)
    assert seen.epochs == []
    assert not os.path.exists(backup_dir)


@pytest.mark.parametrize("save_freq", ["batch", 0, -2, 1.5, True])
def test_bad_save_freq_is_refused(tmp_path, save_freq):
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.BackupAndRestore(str(tmp_path), save_freq=save_freq)


# ---------------------------------------------------------------------- SIGKILL

_TRAINER = textwrap.dedent(
    """
    import sys
    import time

    import numpy as np
    import lamina

    folder, epochs = sys.argv[1], int(sys.argv[2])
    lamina.utils.set_random_seed(7)
    model = lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            lamina.layers.Dense(16, activation="relu"),
            lamina.layers.Dropout(0.25),
            lamina.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")


    class Report(lamina.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            print("epoch", epoch, flush=True)

        def on_train_batch_end(self, batch, logs=None):
            time.sleep(0.02)  # gives the parent time to kill the run mid-training


    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=16,
        shuffle=True,
        verbose=0,
        callbacks=[
            lamina.callbacks.BackupAndRestore(folder + "/backup"),
            lamina.callbacks.ModelCheckpoint(folder + "/checkpoint.keras", monitor="loss"),
            Report(),
        ],
    )
    np.savez(folder + "/final.npz", *model.get_weights())
    print("done", flush=True)
    """
)
_KILL_EPOCHS = 16


def _start(folder):
    return subprocess.Popen(
        [sys.executable, "-c", _TRAINER, str(folder), str(_KILL_EPOCHS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )


def _finish(process):
    out, err = process.communicate(timeout=120)
    err = err.decode(errors="replace")
    assert process.returncode == 0, err[err.find("Traceback") :][-3000:]
    return [line.split()[1] for line in out.decode().splitlines() if line.startswith("epoch")]


def _final_weights(folder):
    with np.load(os.path.join(folder, "final.npz")) as data:
        return [data[f"arr_{i}"] for i in range(len(data.files))]


@pytest.mark.timeout(180)
def test_sigkilled_fit_resumes_and_ends_like_an_uninterrupted_run(tmp_path):
    # The uninterrupted run, beside the interrupted one.
    reference = tmp_path / "reference"
    reference.mkdir()
    reference_run = _start(reference)

    folder = tmp_path / "run"
    folder.mkdir()
    backup = folder / "backup" / "latest.weights.h5"
    process = _start(folder)
    try:
        deadline = time.monotonic() + 60
        while not backup.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        # After at least one finished epoch, at a random moment (possibly mid-save).
        time.sleep(random.Random().uniform(0.0, 0.5))
        assert process.poll() is None, "the run finished before it could be killed"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    epochs = _finish(_start(folder))
    _finish(reference_run)

    assert 0 < int(epochs[0]) and epochs[-1] == str(_KILL_EPOCHS - 1)
    expected = _final_weights(reference)
    got = _final_weights(folder)
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a, b)
    saved = lamina.models.load_model(str(folder / "checkpoint.keras"))
    for a, b in zip(expected, saved.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not (folder / "backup").exists()
