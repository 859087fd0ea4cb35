"""The base of the categorical and text preprocessing layers: work on the host.

Strings have no tensor type on most engines, and lookups and hashes are table
and byte work, so these layers compute with NumPy and Python on the host and
hand back the engine's tensors. A call on concrete values (lists, NumPy
arrays, eager engine tensors) runs `_host_call`; a call on symbolic `Input`s
builds a node of a functional model; a call on values an engine is tracing
(a compiled training step) runs `call`, which the numeric layers implement
with `lamina.ops` and the others refuse with a message saying what to do.
"""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend import engine as _engine
from lamina.backend._keras_tensor import KerasTensor
from lamina.backend._spec import TensorSpec
from lamina.layers.layer import Layer
from lamina.utils import _tree

_NOT_CONCRETE = object()


def to_host(x):
    """`x` as a NumPy array (strings as an object array of `str`), or `_NOT_CONCRETE`
    when it is a value an engine is tracing."""
    if isinstance(x, np.ndarray):
        array = x
    elif isinstance(x, (list, tuple, str, bytes, int, float, np.generic)):
        array = np.asarray(x)
    else:
        try:
            array = np.asarray(_engine.core.convert_to_numpy(x))
        except Exception:  # noqa: BLE001 - traced and symbolic values of any engine
            return _NOT_CONCRETE
    if array.dtype.kind in "SUO":
        array = _as_text(array)
    return array


def _as_text(array: np.ndarray) -> np.ndarray:
    flat = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.reshape(-1).tolist()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(array.shape)


def is_text(array: np.ndarray) -> bool:
    return array.dtype == object


def to_tensor(array: np.ndarray, dtype: str):
    return ops.convert_to_tensor(np.asarray(array).astype(dtype), dtype=dtype)


def encode_numpy(indices: np.ndarray, output_mode: str, depth: int, dtype: str, weights=None):
    """Keras's categorical encoding of integer `indices`, in NumPy.

    one_hot: a trailing axis of size 1 is replaced, any other gets a new one.
    multi_hot / count: axis 1 (axis 0 of a vector) is summarized into `depth` bins.
    """
    indices = np.asarray(indices)
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot" and indices.ndim > 1 and indices.shape[-1] == 1:
        indices = indices[..., 0]
    hot = (indices[..., None] == np.arange(depth)).astype("float64")
    if output_mode == "one_hot":
        return hot.astype(dtype)
    axis = 1 if indices.ndim > 1 else 0
    if output_mode == "multi_hot":
        return hot.max(axis=axis).astype(dtype)
    if weights is not None:
        hot = hot * np.asarray(weights, dtype="float64")[..., None]
    return hot.sum(axis=axis).astype(dtype)


def encode_ops(indices, output_mode: str, depth: int, dtype: str, weights=None):
    """`encode_numpy` with `lamina.ops`, for values an engine is tracing."""
    if output_mode == "int":
        return ops.cast(indices, dtype)
    shape = tuple(ops.shape(indices))
    if len(shape) == 0:
        indices = ops.expand_dims(indices, 0)
        shape = (1,)
    if output_mode == "one_hot" and len(shape) > 1 and shape[-1] == 1:
        indices = ops.squeeze(indices, -1)
    hot = ops.cast(
        ops.equal(
            ops.expand_dims(ops.cast(indices, "int32"), -1), ops.arange(depth, dtype="int32")
        ),
        dtype,
    )
    if output_mode == "one_hot":
        return hot
    axis = 1 if len(shape) > 1 else 0
    if output_mode == "multi_hot":
        return ops.max(hot, axis=axis)
    if weights is not None:
        hot = ops.multiply(hot, ops.expand_dims(ops.cast(weights, dtype), -1))
    return ops.sum(hot, axis=axis)


def encoded_shape(input_shape: tuple, output_mode: str, depth) -> tuple:
    """The output shape of `encode_numpy` for inputs of `input_shape`."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if len(input_shape) == 0:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    return (input_shape[0], *input_shape[2:], depth)


def collect_batches(data, what: str) -> list:
    """The batches of adapt data: one array or list, or an iterable of batches
    (of arrays, or of `(x, ...)` tuples, as a PyDataset gives)."""
    if isinstance(data, (np.ndarray, list, tuple, str)) or _engine.core.is_tensor(data):
        return [data]
    if hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        items = [data[i] for i in range(len(data))]
    elif hasattr(data, "__iter__"):
        items = list(data)
    else:
        raise TypeError(
            f"{what}.adapt takes an array, a list, a PyDataset or an iterable of batches; "
            f"got {type(data).__name__}."
        )
    return [item[0] if isinstance(item, tuple) else item for item in items]


class HostLayer(Layer):
    """A layer computed with NumPy on the host when its inputs are concrete."""

    # Whether the first argument is a list of inputs rather than one (nested) input.
    _takes_input_list = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def __call__(self, *args, **kwargs):
        if not args or _has_keras_tensor(args, kwargs):
            return super().__call__(*args, **kwargs)
        if self._takes_input_list and isinstance(args[0], (list, tuple)):
            host = [to_host(x) for x in args[0]]
        else:
            host = [to_host(args[0])]
        if any(h is _NOT_CONCRETE for h in host):
            return super().__call__(*args, **kwargs)
        if not self._takes_input_list:
            host = host[0]
        # Models pass these to every layer; host computations use neither.
        kwargs.pop("training", None)
        kwargs.pop("mask", None)
        return self._host_call(host, *args[1:], **kwargs)

    def _host_call(self, inputs, *args, **kwargs):
        raise NotImplementedError

    def call(self, inputs, *args, **kwargs):
        raise ValueError(
            f"{type(self).__name__} computes on the host, with NumPy, and cannot run inside a "
            "compiled function (it got a traced value). Apply it to the data before the "
            "model (for example `x = layer(x)` before `model.fit(x, y)`), or compile the "
            "model with `run_eagerly=True`."
        )

    def _output_dtype(self) -> str:
        return self.compute_dtype

    def compute_output_spec(self, *args, **kwargs):
        first = args[0]
        shapes = _tree.map_structure(lambda t: tuple(t.shape), first)
        return TensorSpec(tuple(self.compute_output_shape(shapes)), self._output_dtype())


def _has_keras_tensor(args, kwargs) -> bool:
    return any(isinstance(t, KerasTensor) for t in _tree.flatten((list(args), kwargs)))
