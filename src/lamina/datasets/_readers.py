"""Readers for the datasets' file formats, with NumPy and the standard library only.

Loading a file never runs code: the pickles inside some of these files
(ragged sequences in `.npz` archives, CIFAR's batches) are read by an
unpickler that can build NumPy arrays and nothing else.
"""

from __future__ import annotations

import io
import pickle

import numpy as np

# gzip and zipfile are imported when used: `import lamina` stays fast.


def corrupt_file_error(path: str, expected: str, reason) -> ValueError:
    """The error for a cached file that cannot be read as what it should be."""
    return ValueError(
        f"The dataset file {path} is not {expected}: {reason}. It is damaged or is another "
        "file. Delete it, and the next call downloads it again."
    )


def _array_globals() -> dict:
    # The only callables a pickled ndarray needs. Files written by NumPy 1 name
    # `numpy.core.multiarray`, NumPy 2 `numpy._core.multiarray`: both resolve to
    # the installed module without importing the other spelling (NumPy 2 warns
    # on `numpy.core`).
    try:
        from numpy._core import multiarray
    except ImportError:  # NumPy 1
        from numpy.core import multiarray
    found = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        found[(module, "_reconstruct")] = multiarray._reconstruct
        found[(module, "scalar")] = multiarray.scalar
    return found


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays, scalars and plain Python data only."""

    _allowed: dict | None = None

    def find_class(self, module, name):
        if ArrayUnpickler._allowed is None:
            ArrayUnpickler._allowed = _array_globals()
        found = ArrayUnpickler._allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f"the file asks to load {module}.{name}; a dataset holds arrays only, so lamina "
                "refuses it"
            )
        return found


def load_pickle(path: str, expected: str):
    """The object pickled in the file at `path`, read as Python 2 byte strings allow."""
    try:
        with open(path, "rb") as f:
            return ArrayUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise corrupt_file_error(path, expected, e) from e


def _read_npy(stream: io.BytesIO):
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        # Headers 2.0 and 3.0 share the layout (3.0 allows UTF-8 in the text).
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = ArrayUnpickler(stream).load()
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"its object array does not have the shape {shape} its header states")
    return array


def load_npz(path: str, keys) -> dict:
    """The arrays `keys` of the `.npz` archive at `path`; object arrays are allowed."""
    import zipfile

    expected = "a NumPy .npz archive"
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for key in keys:
                if key + ".npy" not in names:
                    found = sorted(n[: -len(".npy")] for n in names if n.endswith(".npy"))
                    raise ValueError(f"it has no array {key!r} (it holds {found})")
                arrays[key] = _read_npy(io.BytesIO(archive.read(key + ".npy")))
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
        raise corrupt_file_error(path, expected, e) from e
    return arrays


_IDX_MAGIC = {1: 2049, 3: 2051}  # labels, images


def read_idx_gz(path: str, ndim: int) -> np.ndarray:
    """The uint8 array of a gzipped IDX file (MNIST's format): `ndim` 1 or 3."""
    import gzip

    expected = f"a gzipped IDX file of {ndim}-D uint8 data"
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise corrupt_file_error(path, expected, e) from e
    header = 4 * (1 + ndim)
    if len(data) < header:
        raise corrupt_file_error(path, expected, f"it is {len(data)} bytes, shorter than a header")
    magic, *shape = np.frombuffer(data, ">u4", count=1 + ndim).tolist()
    if magic != _IDX_MAGIC[ndim]:
        raise corrupt_file_error(path, expected, f"its magic number is {magic}")
    size = int(np.prod(shape))
    if len(data) - header != size:
        raise corrupt_file_error(
            path,
            expected,
            f"its header states {size} values of shape {tuple(shape)}, "
            f"it holds {len(data) - header}",
        )
    # A bytearray makes the array writable, as arrays loaded from .npz files are.
    return np.frombuffer(bytearray(data), np.uint8, offset=header).reshape(shape)
