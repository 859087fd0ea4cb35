"""TensorBoard: logs for TensorBoard's dashboards, written on every engine without TensorFlow."""

from __future__ import annotations

import numbers
import os
import time
import warnings

import numpy as np

from lamina.callbacks import _event_file
from lamina.callbacks.callback import Callback

_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end")


class TensorBoard(Callback):
    """Write training logs that TensorBoard shows: `tensorboard --logdir logs`.

    lamina writes the event files itself, in TensorBoard's format, so this
    works on every engine and TensorFlow need not be installed (TensorBoard
    itself is needed to view them). The layout and the names are Keras's:

    - `log_dir/train` and `log_dir/validation` hold one event file per `fit`;
    - at each epoch end, every training log as `epoch_<name>` (`epoch_loss`,
      `epoch_accuracy`, ...) in `train`, the optimizer's learning rate as
      `epoch_learning_rate`, and each `val_<name>` log as `epoch_<name>` in
      `validation`, all at step = the epoch index (from 0);
    - after each validation pass, `evaluation_<name>_vs_iterations` in
      `validation`, at step = the optimizer's iteration count;
    - with `update_freq` "batch" or N, the batch logs as `batch_<name>` at
      step = the number of batches trained in this `fit` (from 1), every Nth
      batch.

    Files are flushed at each epoch end and closed when training ends, so
    TensorBoard can read them while training runs and they are complete after.

    Args:
        log_dir: the folder of the logs (created when missing).
        histogram_freq: every this many epochs, a histogram of each weight
            (tag `<weight path>/histogram`, 30 buckets of equal width); 0 for
            none.
        write_graph: write the model's configuration (Sequential and functional
            models) for the conceptual graph of TensorBoard's Graphs dashboard,
            tag `keras`. The graph of the engine's compiled operations is a
            TensorFlow feature and is not written.
        write_images: with `histogram_freq`, also each weight as grayscale
            images (tag `<weight path>/image`; at most 3 images per weight,
            `<weight path>/image/<i>`, when it makes several): biases as a row,
            kernels with the longer side across, conv kernels one image per
            input channel. Values are read as intensities in [0, 1] and clipped,
            as Keras does.
        write_steps_per_second: log the training speed: `epoch_steps_per_second`
            each epoch and, with `update_freq`, `batch_steps_per_second`.
        update_freq: "epoch" (the default) writes the epoch logs only;
            "batch" also the logs of every batch; an integer N those of every
            Nth batch. Batch logs make each step wait for its results, so
            training runs slower.
        profile_batch: accepted and checked as Keras does (a non-negative
            integer, or a pair `(start, stop)`), but lamina does not profile:
            a nonzero value warns. Run the engine's own profiler around `fit`.
        embeddings_freq: every this many epochs, save the model's weights to
            `log_dir/train/keras_embedding.ckpt-<epoch>.weights.h5`; with
            Embedding layers, `log_dir/projector_config.pbtxt` lists them for
            the Projector as Keras does. (TensorBoard's Projector reads
            TensorFlow checkpoints, not these weight files.) 0 for none.
        embeddings_metadata: the metadata file of the Embedding layers: one
            file name for all, or a dict `{layer name: file name}`.

    Example:
        >>> tensorboard = lamina.callbacks.TensorBoard(log_dir="./logs", histogram_freq=1)
        >>> model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[tensorboard])
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq: int = 0,
        embeddings_metadata=None,
    ):
        super().__init__()
        self.log_dir = os.fspath(log_dir) if isinstance(log_dir, os.PathLike) else str(log_dir)
        self.histogram_freq = _check_count("histogram_freq", histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _check_update_freq(update_freq)
        self.profile_batch = profile_batch
        _, stop = _check_profile_batch(profile_batch)
        if stop:
            warnings.warn(
                f"TensorBoard(profile_batch={profile_batch!r}): lamina does not profile, so no "
                "profile is written. Pass profile_batch=0, and run your engine's profiler "
                "around fit instead.",
                UserWarning,
                stacklevel=2,
            )
        self.embeddings_freq = _check_count("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict = {}
        self._training = False
        self._global_train_batch = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = None
        self._install_batch_hooks()

    def _install_batch_hooks(self) -> None:
        # The batch hooks exist only while batch logs are written: a callback
        # with batch hooks makes `fit` wait for every step's logs.
        self.update_freq = _check_update_freq(self.update_freq)  # also when set after __init__
        for hook in _BATCH_HOOKS:
            if self.update_freq == "epoch":
                vars(self).pop(hook, None)
            else:
                setattr(self, hook, getattr(self, "_" + hook))

    # ------------------------------------------------------------------ writers
    def set_model(self, model) -> None:
        self._close_writers()  # each fit writes new files
        super().set_model(model)

    @property
    def _train_dir(self) -> str:
        return os.path.join(self.log_dir, "train")

    @property
    def _val_dir(self) -> str:
        return os.path.join(self.log_dir, "validation")

    def _writer(self, kind: str) -> _event_file.EventFileWriter:
        writer = self._writers.get(kind)
        if writer is None:
            folder = self._train_dir if kind == "train" else self._val_dir
            writer = self._writers[kind] = _event_file.EventFileWriter(folder)
        return writer

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _write_scalars(self, kind: str, step: int, logs: dict, prefix: str) -> None:
        values = []
        for name, value in logs.items():
            number = _scalar(value)
            if number is not None:
                values.append(_event_file.scalar_value(f"{prefix}{name}", number))
        if values:
            self._writer(kind).write(step, values)

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._training = True
        self._global_train_batch = 0
        self._install_batch_hooks()
        if self.embeddings_freq:  # first: it checks embeddings_metadata
            self._write_projector_config()
        if self.write_graph:
            self._write_model_config()

    def on_train_end(self, logs=None):
        self._training = False
        self._close_writers()

    def _on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def _on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if step % self.update_freq:
            return
        logs = dict(logs) if isinstance(logs, dict) else {}
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            logs = {"steps_per_second": 1.0 / elapsed if elapsed > 0 else float("inf"), **logs}
        self._write_scalars("train", step, logs, "batch_")

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_time = time.time()
            self._epoch_start_iterations = self._iterations()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        iterations = self._iterations()
        if logs and iterations is not None:
            self._write_scalars(
                "validation",
                iterations,
                {f"evaluation_{name}_vs_iterations": value for name, value in logs.items()},
                "",
            )
        writer = self._writers.get("validation")
        if writer is not None and not self._training:
            # An `evaluate` outside `fit`: nothing else comes to close the file.
            writer.close()
            del self._writers["validation"]
        elif writer is not None:
            writer.flush()

    # ------------------------------------------------------------------ what is logged
    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        return getattr(optimizer, "inner_optimizer", optimizer)

    def _iterations(self):
        optimizer = self._optimizer()
        if optimizer is None or not hasattr(optimizer, "iterations"):
            return None
        number = _scalar(optimizer.iterations)
        return None if number is None else int(number)

    def _log_epoch_metrics(self, epoch: int, logs) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_") :]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = self._optimizer()
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train_logs["learning_rate"] = optimizer.learning_rate
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            steps = (self._iterations() or 0) - (self._epoch_start_iterations or 0)
            train_logs["steps_per_second"] = steps / elapsed if elapsed > 0 else 0.0
        self._write_scalars("train", epoch, train_logs, "epoch_")
        self._write_scalars("validation", epoch, val_logs, "epoch_")

    def _log_weights(self, epoch: int) -> None:
        values = []
        for layer in self.model.layers:
            for weight in layer.weights:
                array = _to_numpy(weight)
                if array is None or not np.isfinite(array).any():
                    continue
                name = weight.path.replace(":", "_")
                values.append(_event_file.histogram_value(f"{name}/histogram", array))
                if self.write_images:
                    values.extend(_weight_images(f"{name}/image", array))
        if values:
            self._writer("train").write(epoch, values)

    def _write_model_config(self) -> None:
        # TensorBoard draws this configuration as the model's conceptual graph.
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            config = self.model.to_json()
        except Exception as error:  # a model that cannot be serialized still trains
            warnings.warn(
                f"TensorBoard(write_graph=True): the model's configuration cannot be written "
                f"({type(error).__name__}: {error}); TensorBoard will show no graph for it.",
                UserWarning,
                stacklevel=2,
            )
            return
        value = _event_file.text_tensor_value("keras", config, "graph_keras_model", b"1")
        writer = self._writer("train")
        writer.write(0, [value])
        writer.flush()

    def _write_projector_config(self) -> None:
        from lamina.layers.core.embedding import Embedding

        metadata = self.embeddings_metadata
        unclaimed = dict(metadata) if isinstance(metadata, dict) else {}
        entries = []
        for layer in self.model.layers:
            if not isinstance(layer, Embedding):
                continue
            # Keras names the first weighted layer's table so, whatever the layer.
            entry = '  tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"\n'
            path = metadata if isinstance(metadata, str) else unclaimed.pop(layer.name, None)
            if path is not None:
                entry += f"  metadata_path: {_text_format_string(os.fspath(path))}\n"
            entries.append("embeddings {\n" + entry + "}\n")
        if unclaimed:
            names = [layer.name for layer in self.model.layers if isinstance(layer, Embedding)]
            raise ValueError(
                f"TensorBoard(embeddings_metadata=...) names {sorted(unclaimed)}, which are not "
                f"Embedding layers of the model (its Embedding layers: {names}). Use those "
                "layer names as keys, or pass one file name for all of them."
            )
        os.makedirs(self.log_dir, exist_ok=True)
        with open(
            os.path.join(self.log_dir, "projector_config.pbtxt"), "w", encoding="utf-8"
        ) as f:
            f.write("".join(entries))

    def _log_embeddings(self, epoch: int) -> None:
        os.makedirs(self._train_dir, exist_ok=True)
        path = os.path.join(self._train_dir, f"keras_embedding.ckpt-{epoch}.weights.h5")
        self.model.save_weights(path)


def _to_numpy(value):
    try:
        array = value.numpy() if hasattr(value, "numpy") else value
        if not isinstance(array, np.ndarray):
            from lamina import ops

            array = ops.convert_to_numpy(array)
        array = np.asarray(array)
    except (TypeError, ValueError):
        return None
    if array.size == 0 or not np.issubdtype(array.dtype, np.number):
        return None
    return array


def _scalar(value):
    """`value` as a float when it is a single number, else None."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    array = _to_numpy(value)
    if array is None or array.size != 1:
        return None
    return float(array.reshape(()))


def _weight_images(tag: str, weight: np.ndarray) -> list:
    """A weight as TensorBoard images, as Keras lays them out: up to 3 grayscale images."""
    image = np.squeeze(weight)
    if image.ndim == 1:  # a bias: one row
        images = image.reshape(1, 1, -1, 1)
    elif image.ndim == 2:  # a dense kernel, the longer side across
        if image.shape[0] > image.shape[1]:
            image = image.T
        images = image.reshape(1, *image.shape, 1)
    elif image.ndim == 3:  # a conv kernel: one image per input channel
        from lamina import config

        if config.image_data_format() == "channels_last":
            image = image.transpose(2, 0, 1)
        images = image.reshape(*image.shape, 1)
    else:
        return []
    # Floats are intensities in [0, 1], as TensorFlow converts them for images.
    pixels = np.clip(np.nan_to_num(images.astype(np.float64)) * 255.5, 0, 255).astype(np.uint8)
    if len(pixels) == 1:
        return [_event_file.image_value(tag, pixels[0])]
    return [_event_file.image_value(f"{tag}/{i}", pixels[i]) for i in range(min(3, len(pixels)))]


def _text_format_string(text: str) -> str:
    """`text` quoted for protobuf's text format (non-ASCII bytes as octal escapes)."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(
            f"TensorBoard: {name} must be a non-negative integer, a number of epochs (0 for "
            f"never); got {name}={value!r}."
        )
    return int(value)


def _check_update_freq(value):
    if value == "batch":
        return 1
    if value == "epoch":
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1:
        return int(value)
    raise ValueError(
        f'TensorBoard: update_freq must be "epoch", "batch" or a positive integer N (log every '
        f"Nth batch); got update_freq={value!r}."
    )


def _check_profile_batch(value) -> tuple:
    """`(start, stop)` of a `profile_batch` as Keras takes it: N, "N", "M,N" or (M, N)."""
    parsed = value
    if isinstance(value, str):
        try:
            parsed = [int(part) for part in value.split(",")]
        except ValueError:
            parsed = None
        if parsed is not None and len(parsed) == 1:
            parsed = parsed[0]
    if isinstance(parsed, numbers.Integral) and not isinstance(parsed, bool):
        start = stop = int(parsed)
    elif (
        isinstance(parsed, (tuple, list))
        and len(parsed) == 2
        and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in parsed)
    ):
        start, stop = (int(v) for v in parsed)
    else:
        start, stop = -1, -1
    if start < 0 or stop < start:
        raise ValueError(
            "TensorBoard: profile_batch must be a non-negative integer or a pair (start, stop) "
            f"of batches with start <= stop; got profile_batch={value!r}. Pass 0 (lamina does "
            "not profile)."
        )
    return start, stop
