"""Public saving functions: `save_model`, `load_model`, `save_weights`, `load_weights`."""

from __future__ import annotations

import os

from lamina._atomic import atomic_open, atomic_write
from lamina.saving import _zip_format, saving_lib
from lamina.saving.serialization import DeserializationError

_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def _magic(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except OSError:
        return b""


def _check_overwrite(path: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path!r} exists and overwrite=False; pass overwrite=True.")


def save_model(model, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
    """Save `model` to a `.keras` file: config, weights and optimizer state.

    The file is written atomically: a crash mid-save leaves the old file intact.

    Example:
        >>> model.save("model.keras")
        >>> restored = lamina.models.load_model("model.keras")
    """
    include_optimizer = kwargs.pop("include_optimizer", True)
    if kwargs:
        raise TypeError(f"save_model() got unexpected arguments {sorted(kwargs)}.")
    path = os.fspath(filepath)
    if zipped is False:
        raise ValueError("lamina writes .keras files as zip archives; got zipped=False.")
    if not path.endswith(".keras"):
        raise ValueError(
            f"lamina saves whole models in the .keras format; got {path!r}. Use a path ending "
            "in '.keras' (or model.save_weights('x.weights.h5') for the weights alone)."
        )
    _check_overwrite(path, overwrite)
    members = saving_lib.model_archive_members(model, include_optimizer=include_optimizer)
    with atomic_open(path, "wb") as f:
        _zip_format.write_archive(f, members)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode=True):
    """Load a model saved by `model.save()` in lamina or Keras 3 (`.keras`), or a
    Keras 2 full-model `.h5` file.

    Classes resolve only through lamina's registry, `custom_objects` and
    registered classes; stored code is never run, whatever `safe_mode` says
    (it is accepted so that Keras code runs unchanged).

    Args:
        filepath: the file.
        custom_objects: `{name: class_or_function}` for your own objects.
        compile: compile the model as it was saved (restoring the optimizer state).
        safe_mode: accepted for Keras compatibility; lamina is always safe.
    """
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No file at {path!r}.")
    magic = _magic(path)
    if path.endswith(".weights.h5"):
        raise ValueError(
            f"{path!r} holds weights only. Build the model in code and call "
            "model.load_weights(path)."
        )
    if magic.startswith(_ZIP_MAGIC) or path.endswith(".keras"):
        return saving_lib.load_model_from_archive(path, custom_objects, compile=compile)
    if magic.startswith(_HDF5_MAGIC):
        from lamina.saving import legacy_h5

        return legacy_h5.load_model(path, custom_objects=custom_objects, compile=compile)
    raise DeserializationError(
        f"{path!r} is neither a .keras archive nor an HDF5 file (first bytes {magic!r})."
    )


def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None) -> None:
    """Save the model's weights (and optimizer state) to a `.weights.h5` file, atomically."""
    path = os.fspath(filepath)
    if not path.endswith(".weights.h5"):
        raise ValueError(
            f"Weights files must end in '.weights.h5' (Keras 3's convention); got {path!r}."
        )
    if max_shard_size is not None:
        raise NotImplementedError("Sharded weights files are not supported yet.")
    _check_overwrite(path, overwrite)
    atomic_write(path, saving_lib.weights_to_bytes(model))


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Load weights from a `.weights.h5` or `.keras` file (lamina or Keras 3) into
    `model`, or from a Keras 2 `.h5` file: layer by layer in order, or by layer
    name with `by_name=True`."""
    path = os.fspath(filepath)
    by_name = kwargs.pop("by_name", None)
    if kwargs:
        raise TypeError(
            f"load_weights got unexpected keyword arguments {sorted(kwargs)}; it takes "
            "skip_mismatch and, for Keras 2 .h5 files, by_name."
        )
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No file at {path!r}.")
    if not model.built:
        raise ValueError(
            f"Model {model.name!r} is not built, so it has no weights to load into. Call it on "
            "data or call model.build(input_shape) first."
        )
    magic = _magic(path)
    if by_name is not None and not (
        magic.startswith(_HDF5_MAGIC) and not path.endswith(".weights.h5")
    ):
        raise ValueError(
            f"by_name={by_name!r} applies to Keras 2 .h5 files only; {path!r} is a "
            ".keras or .weights.h5 file, whose weights are always matched by their path. "
            "Leave by_name out."
        )
    if magic.startswith(_ZIP_MAGIC):
        members = _zip_format.read_members(path)
        data = members[_zip_format.WEIGHTS]
    elif magic.startswith(_HDF5_MAGIC):
        from lamina.saving import legacy_h5

        if not path.endswith(".weights.h5") and legacy_h5.is_legacy(path):
            legacy_h5.load_weights(model, path, skip_mismatch=skip_mismatch, by_name=bool(by_name))
            return
        with open(path, "rb") as f:
            data = f.read()
    else:
        raise DeserializationError(
            f"{path!r} is neither a .weights.h5 file nor a .keras archive (first bytes {magic!r})."
        )
    saving_lib.load_weights_from_bytes(model, data, skip_mismatch=skip_mismatch)
