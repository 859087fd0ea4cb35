"""BackupAndRestore: resume an interrupted fit where it stopped, with the same result."""

from __future__ import annotations

import io
import json
import os

import numpy as np

from lamina._atomic import atomic_write
from lamina.callbacks.callback import Callback
from lamina.saving.serialization import DeserializationError

_LATEST = "latest.weights.h5"
_PREVIOUS = "previous.weights.h5"
# The HDF5 group, beside the weights in Keras 3's layout, that holds the rest of the state.
_STATE_GROUP = "lamina_training_state"
_FORMAT = 1


class BackupAndRestore(Callback):
    """Back up the training state during `fit` and restore it when `fit` starts again.

    A backup holds the model's weights and the optimizer's state (in Keras 3's
    `.weights.h5` layout, so `model.load_weights` reads it too), the position in
    training (epoch and batch), the states of the random-seed generators
    (dropout and other noise layers), the generator that shuffles the data and
    lamina's global seed generator. A fit that is interrupted (an exception, a
    killed process, a lost machine) and then started again with the same model,
    data and arguments goes on from the last backup, and with the same seed on
    the same engine ends with the same weights as a run that was never
    interrupted. Each backup is written atomically, so a process killed mid-write
    leaves the previous backup intact.

    When `fit` ends normally (including an early stop) the backup is deleted,
    unless `delete_checkpoint=False`.

    Args:
        backup_dir: a folder for this run's backup alone; no other callback or
            run may write there.
        save_freq: "epoch" to back up at the end of every epoch, an int to back
            up every `save_freq` batches, or False to never back up (only restore).
        double_checkpoint: keep the backup before the latest too, and restore it
            when the latest cannot be read.
        delete_checkpoint: delete the backup when `fit` ends normally.

    Example:
        >>> backup = lamina.callbacks.BackupAndRestore("/tmp/run-1/backup")
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # interrupted at epoch 4
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # trains epochs 5 to 10

    With an int `save_freq`, a fit restored from a backup taken mid-epoch skips
    the batches of that epoch that were already trained; the epoch's logged
    metrics then cover only the batches trained after the restart.
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ):
        super().__init__()
        if not backup_dir:
            raise ValueError(f"BackupAndRestore needs a backup_dir; got {backup_dir!r}.")
        if (
            save_freq != "epoch"
            and save_freq is not False
            and not (
                isinstance(save_freq, int) and not isinstance(save_freq, bool) and save_freq > 0
            )
        ):
            raise ValueError(
                f"BackupAndRestore save_freq must be 'epoch', a positive int (a number of "
                f"batches) or False; got {save_freq!r}."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._latest = os.path.join(self.backup_dir, _LATEST)
        self._previous = os.path.join(self.backup_dir, _PREVIOUS)
        self._batches_seen = 0
        self._epoch = 0
        self._epoch_start_rng = None

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._batches_seen = 0
        backups = [path for path in self._candidates() if os.path.exists(path)]
        for i, path in enumerate(backups):
            try:
                self._restore(path)
                return
            except (OSError, _ReadError):
                if i == len(backups) - 1:
                    raise

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start_rng = _rng_state(self.model._fit_shuffle_rng)

    def on_train_batch_end(self, batch, logs=None):
        if not isinstance(self.save_freq, int) or isinstance(self.save_freq, bool):
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq:
            return
        steps = self.params.get("steps")
        if steps is not None and batch + 1 >= steps:
            # The epoch's last batch: resume at the next epoch, not with nothing to do.
            self._save(self._epoch + 1, 0, _rng_state(self.model._fit_shuffle_rng))
        else:
            self._save(self._epoch, batch + 1, self._epoch_start_rng)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch + 1, 0, _rng_state(self.model._fit_shuffle_rng))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            self._delete()

    # ------------------------------------------------------------------ files
    def _candidates(self) -> list[str]:
        return [self._latest, self._previous] if self.double_checkpoint else [self._latest]

    def _save(self, epoch: int, step: int, shuffle_rng: dict | None) -> None:
        import h5py

        from lamina.random import _global
        from lamina.saving import _h5_weights

        buffer = io.BytesIO()
        with h5py.File(buffer, "w") as h5file:
            _h5_weights.write(h5file, self.model)
            group = h5file.create_group(_STATE_GROUP)
            group.attrs["format"] = _FORMAT
            group.attrs["epoch"] = epoch
            group.attrs["step"] = step
            group.attrs["batches_seen"] = self._batches_seen
            group.attrs["shuffle_rng"] = json.dumps(shuffle_rng)
            group.attrs["global_rng"] = json.dumps(_rng_state(_global._rng))
            extra = group.create_group("variables")
            for i, variable in enumerate(_variables_outside_weights(self.model)):
                extra.create_dataset(str(i), data=np.asarray(variable.numpy()))
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._latest):
            os.replace(self._latest, self._previous)
        atomic_write(self._latest, buffer.getvalue())

    def _restore(self, path: str) -> None:
        import h5py

        from lamina.random import _global
        from lamina.saving import _h5_weights

        with open(path, "rb") as f:
            data = f.read()
        try:
            h5file = h5py.File(io.BytesIO(data), "r")
        except OSError as error:
            raise _ReadError(
                f"The backup {path!r} is not a readable HDF5 file: {error}."
            ) from None
        with h5file:
            group = h5file.get(_STATE_GROUP)
            if not isinstance(group, h5py.Group) or group.attrs.get("format") != _FORMAT:
                raise _ReadError(
                    f"{path!r} is not a backup written by BackupAndRestore (no "
                    f"{_STATE_GROUP!r} group of format {_FORMAT}). Point backup_dir at a "
                    "folder of its own, or delete the file to start afresh."
                )
            variables = _variables_outside_weights(self.model)
            stored = group.get("variables")
            if not isinstance(stored, h5py.Group):
                raise _ReadError(
                    f"The backup {path!r} is damaged: it has no seed-generator states."
                )
            values = [np.asarray(stored[str(i)][()]) for i in range(len(stored))]
            if len(values) != len(variables) or any(
                v.shape != tuple(var.shape) for v, var in zip(values, variables)
            ):
                raise ValueError(
                    f"The backup {path!r} holds {len(values)} seed-generator states of shapes "
                    f"{[v.shape for v in values]}, but the model has {len(variables)} of shapes "
                    f"{[tuple(var.shape) for var in variables]}: it was written for another "
                    "model. Delete the backup folder to start afresh."
                )
            try:
                _h5_weights.read(h5file, self.model)
            except DeserializationError as error:
                raise _ReadError(f"The backup {path!r} is damaged: {error}") from None
            except ValueError as error:
                raise ValueError(
                    f"The backup {path!r} does not fit the model being trained: {error} "
                    "Delete the backup folder to start afresh."
                ) from None
            for variable, value in zip(variables, values):
                variable.assign(value.astype(np.dtype(str(variable.dtype)), copy=False))
            _set_rng_state(self.model._fit_shuffle_rng, json.loads(group.attrs["shuffle_rng"]))
            _set_rng_state(_global._rng, json.loads(group.attrs["global_rng"]))
            self._batches_seen = int(group.attrs["batches_seen"])
            self.model._resume_at = (int(group.attrs["epoch"]), int(group.attrs["step"]))

    def _delete(self) -> None:
        for path in (self._latest, self._previous):
            if os.path.exists(path):
                os.remove(path)
        if not os.path.isdir(self.backup_dir):
            return
        # Temporary files of writes that a killed process left unfinished.
        for name in os.listdir(self.backup_dir):
            if name.startswith((f".{_LATEST}.", f".{_PREVIOUS}.")) and name.endswith(".tmp"):
                os.remove(os.path.join(self.backup_dir, name))
        if not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)


class _ReadError(DeserializationError):
    """A backup file that cannot be read (the older one is tried with double_checkpoint)."""


def _variables_outside_weights(model) -> list:
    """The state `fit` carries that the weights layout leaves out: seed-generator states."""
    from lamina.saving import _h5_weights

    saved = {id(v) for _, _, variables in _h5_weights.walk(model) for v in variables}
    state = list(model.trainable_variables) + list(model.non_trainable_variables)
    return [v for v in state if id(v) not in saved]


def _rng_state(rng) -> dict | None:
    return None if rng is None else rng.bit_generator.state


def _set_rng_state(rng, state: dict | None) -> None:
    if rng is None or state is None:
        return
    if state.get("bit_generator") != type(rng.bit_generator).__name__:
        raise ValueError(
            f"The backup's random generator is {state.get('bit_generator')!r}, but this run "
            f"uses {type(rng.bit_generator).__name__!r}. Delete the backup folder to start afresh."
        )
    rng.bit_generator.state = state
