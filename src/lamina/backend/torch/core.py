"""core functions of the backend contract on torch.

New tensors go to one device, chosen at import: CUDA when torch sees a GPU,
else the CPU. Tensors already made are used where they are.

Dtypes follow the contract. NumPy int64 data stays int64 (torch has it);
Python ints and lists of them become int32, as on the other engines. torch's
uint32 has few kernels: it converts and casts, but arithmetic on it may not
exist; random seeds never need it (they are read as Python ints).

Control flow (`cond`, `scan`, `fori_loop`) runs as Python loops: torch
executes eagerly, and `torch.compile` traces or unrolls them.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np
import torch
from torch.utils import _pytree

from lamina import config
from lamina.backend._variable import Variable

DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")

_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
_NAMES = {v: k for k, v in _DTYPES.items()}
# NumPy dtypes torch.from_numpy reads, and those that dtype=None keeps (float64
# becomes floatx instead).
_FROM_NUMPY = {
    np.dtype(name): _DTYPES[name]
    for name in (
        "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
        "complex64", "complex128",
    )
}  # fmt: skip
_KEPT = frozenset(_FROM_NUMPY.values()) - {torch.float64}

# True while eval_shape runs a function on fake tensors, which hold no values.
_SHAPES_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lamina_torch_shapes_only", default=False
)


def _torch_dtype(dtype) -> torch.dtype | None:
    """A torch dtype from a dtype name, a NumPy dtype or a torch dtype."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = dtype if isinstance(dtype, str) else np.dtype(getattr(dtype, "name", dtype)).name
    try:
        return _DTYPES[name]
    except KeyError:
        raise ValueError(
            f"torch backend: unknown dtype {dtype!r}; expected one of {sorted(_DTYPES)}."
        ) from None


def _dtype_name(torch_dtype: torch.dtype) -> str:
    return _NAMES[torch_dtype]


def _floatx() -> torch.dtype:
    return _DTYPES[config.floatx()]


def _infer_dtype(x) -> torch.dtype | None:
    # NumPy would make Python floats float64 and Python ints int64; lamina
    # follows Keras: floats become floatx, Python ints int32, NumPy ints keep theirs.
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int32
    if isinstance(x, float):
        return _floatx()
    if isinstance(x, (np.ndarray, np.generic)):
        return _floatx() if x.dtype == np.float64 else None
    if isinstance(x, (list, tuple)):
        kind = np.asarray(x).dtype
        if kind == np.float64:
            return _floatx()
        if kind == np.int64:
            return torch.int32
    return None


def _has_tensor(x) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_tensor(item) for item in x)
    return isinstance(x, (torch.Tensor, Variable))


def _stack_nested(x):
    if isinstance(x, (list, tuple)):
        return torch.stack([_stack_nested(item) for item in x])
    return convert_to_tensor(x)


def convert_to_tensor(x, dtype=None):
    if isinstance(x, Variable):
        x = x.value
    dtype = _torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        return x if dtype is None or x.dtype == dtype else x.to(dtype)
    if type(x) is np.ndarray:
        # The common case (a batch of data) without the general rules below.
        source = _FROM_NUMPY.get(x.dtype)
        if source is not None and (dtype is source or (dtype is None and source in _KEPT)):
            return _copy_of_array(x)
    if isinstance(x, (list, tuple)) and _has_tensor(x):
        tensor = _stack_nested(x)
        return tensor if dtype is None or tensor.dtype == dtype else tensor.to(dtype)
    if hasattr(x, "__dlpack__") and not isinstance(x, (np.ndarray, np.generic)):
        # Foreign tensors (DLPack) convert without a copy and without NumPy.
        tensor = torch.from_dlpack(x)
        return tensor if dtype is None or tensor.dtype == dtype else tensor.to(dtype)
    if dtype is None:
        dtype = _infer_dtype(x)
    if isinstance(x, (bool, int, float)):
        return torch.tensor(x, dtype=dtype, device=DEVICE)
    array = np.asarray(x)
    if array.dtype == object:
        raise TypeError(f"torch backend: cannot convert {type(x).__name__} {x!r} to a tensor.")
    if dtype is torch.bfloat16 or array.dtype.name not in _DTYPES:
        # NumPy has no bfloat16: pass through float32.
        array = array.astype("float32" if dtype is torch.bfloat16 else array.dtype.name)
    elif dtype is not None and dtype in _NAMES and array.dtype.name != _NAMES[dtype]:
        # Through NumPy, a Python float becomes an int as NumPy casts it.
        array = array.astype(_NAMES[dtype])
    tensor = _copy_of_array(array)
    return tensor if dtype is None or tensor.dtype == dtype else tensor.to(dtype)


def _copy_of_array(array: np.ndarray) -> torch.Tensor:
    """A tensor on DEVICE with a copy of `array`'s data: later changes to the array do not leak in."""
    if array.flags.writeable and array.dtype.isnative and min(array.strides, default=0) >= 0:
        # A view, then one copy: torch.tensor(array) takes a generic, slower path.
        return torch.from_numpy(array).to(
            device=DEVICE, memory_format=torch.contiguous_format, copy=True
        )
    # Read-only, byte-swapped or reversed (negative strides) data.
    return torch.tensor(np.ascontiguousarray(array), device=DEVICE)


def convert_to_numpy(x):
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, torch.Tensor):
        x = x.detach()
        on_cpu = x.device.type == "cpu"
        x = x.cpu()
        array = _bfloat16_to_numpy(x) if x.dtype == torch.bfloat16 else x.numpy()
        # A NumPy view of a CPU tensor would show later in-place changes to the
        # tensor (training state is updated in place): a copy, as Keras hands out.
        return array.copy() if on_cpu else array
    return np.asarray(x)


def _bfloat16_to_numpy(x):
    # NumPy has no bfloat16; ml_dtypes (which JAX and TensorFlow use) adds one.
    try:
        import ml_dtypes
    except ImportError:
        return x.float().numpy()
    return x.view(torch.int16).numpy().view(ml_dtypes.bfloat16)


def is_tensor(x) -> bool:
    return isinstance(x, torch.Tensor)


def shape(x) -> tuple:
    if isinstance(x, torch.Tensor):
        return tuple(x.shape)
    return tuple(convert_to_tensor(x).shape)


def dtype(x) -> str:
    return _NAMES[convert_to_tensor(x).dtype]


def cast(x, dtype):
    return convert_to_tensor(x, dtype)


def stop_gradient(x):
    return convert_to_tensor(x).detach()


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, f, *args):
        out, grad_fn = f(*args)
        ctx.grad_fn = grad_fn
        return out

    @staticmethod
    def backward(ctx, upstream):
        grads = ctx.grad_fn(upstream)
        grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
        return (None, *grads)


def custom_gradient(f):
    def call(*args):
        return _CustomGradient.apply(f, *[convert_to_tensor(a) for a in args])

    return call


def device_names() -> list[str]:
    names = ["cpu:0"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return names


def default_device() -> str:
    return f"cuda:{torch.cuda.current_device()}" if DEVICE.type == "cuda" else "cpu:0"


def engine_version() -> str:
    return torch.__version__


def _is_symbolic(x) -> bool:
    # Inside eval_shape, and on meta tensors, there are no values to read.
    if _SHAPES_ONLY.get():
        return True
    return isinstance(x, torch.Tensor) and x.device.type == "meta"


def cond(pred, true_fn, false_fn):
    if _is_symbolic(pred):
        # No value to branch on: both branches must give the same structure anyway.
        return true_fn()
    return true_fn() if bool(convert_to_tensor(pred)) else false_fn()


def _leaf_tensor(x):
    return convert_to_tensor(x) if x is not None else None


def scan(fn, init, xs, reverse=False):
    carry = _pytree.tree_map(_leaf_tensor, init)
    xs = _pytree.tree_map(_leaf_tensor, xs)
    leaves, spec = _pytree.tree_flatten(xs)
    length = leaves[0].shape[0]
    steps = range(length - 1, -1, -1) if reverse else range(length)
    ys = []
    for i in steps:
        carry, y = fn(carry, _pytree.tree_unflatten([leaf[i] for leaf in leaves], spec))
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    flat = [_pytree.tree_flatten(y)[0] for y in ys]
    y_spec = _pytree.tree_flatten(ys[0])[1]
    stacked = [torch.stack([convert_to_tensor(y[j]) for y in flat]) for j in range(len(flat[0]))]
    return carry, _pytree.tree_unflatten(stacked, y_spec)


def fori_loop(lower, upper, body_fn, init_val):
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fn(i, value)
    return value


@contextlib.contextmanager
def _eager_scope():
    """Ops run on real tensors here even while `eval_shape` runs a function on
    fake ones: a variable created then gets a value, not a fake tensor."""
    from torch._subclasses.fake_tensor import unset_fake_temporarily

    token = _SHAPES_ONLY.set(False)
    try:
        with unset_fake_temporarily():
            yield
    finally:
        _SHAPES_ONLY.reset(token)
