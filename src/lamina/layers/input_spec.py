"""InputSpec: what a layer accepts, and the errors for what it does not."""

from __future__ import annotations

from lamina.backend import engine as _engine
from lamina.utils import _tree


class InputSpec:
    """The rank, dtype and fixed axis sizes a layer expects.

    Args:
        ndim: exact rank, or None.
        min_ndim, max_ndim: rank bounds.
        axes: `{axis: size}` for axes whose size is fixed (e.g. `{-1: 64}`).
        shape: a full shape with None for free dims.
    """

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
    ):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.name = name

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in vars(self).items() if v not in (None, {})]
        return f"InputSpec({', '.join(parts)})"


class InputShapeError(ValueError):
    """An input whose shape does not fit the layer it was given to."""


def _shape(x):
    if _engine.core.is_tensor(x):
        # The engine's static shape; a dim known only while running (a traced
        # tensor's batch size) is None, as it is to the spec.
        return tuple(d if isinstance(d, int) else None for d in _engine.core.shape(x))
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except TypeError:
        return tuple(shape)


def _expected(spec: InputSpec) -> tuple | None:
    if spec.shape is not None:
        return spec.shape
    if spec.ndim is None:
        return None
    expected = [None] * spec.ndim
    for axis, size in spec.axes.items():
        expected[axis] = size
    return tuple(expected)


def channels_swap_hint(expected, received) -> str:
    """A hint when a 4-D/5-D shape mismatch looks like channels_first vs channels_last."""
    if (
        expected is None
        or received is None
        or len(expected) != len(received)
        or len(received) not in (4, 5)
    ):
        return ""
    exp, got = list(expected[1:]), list(received[1:])
    if exp[-1] is not None and got[0] == exp[-1] and got[-1] != exp[-1]:
        had, wants = "channels_first", "channels_last"
    elif exp[0] is not None and got[-1] == exp[0] and got[0] != exp[0]:
        had, wants = "channels_last", "channels_first"
    else:
        return ""
    return (
        f" The input looks like {had} data (channels on axis {1 if had == 'channels_first' else -1}), "
        f"but the model expects {wants}. Either transpose the data (e.g. "
        f"np.moveaxis(x, {1 if had == 'channels_first' else -1}, "
        f"{-1 if had == 'channels_first' else 1})) or set image_data_format to {had!r}: "
        f"LAMINA_IMAGE_DATA_FORMAT={had}, `lamina config set image_data_format {had}`, or "
        f"lamina.config.set_image_data_format({had!r}) before building the model."
    )


def check_input_spec(layer, inputs) -> None:
    """Raise InputShapeError when `inputs` does not fit `layer.input_spec`."""
    specs = layer.input_spec
    if specs is None:
        return
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    flat = _tree.flatten(inputs)
    for spec, x in zip(specs, flat):
        if spec is None:
            continue
        shape = _shape(x)
        if shape is None:
            continue
        problem = None
        if spec.ndim is not None and len(shape) != spec.ndim:
            problem = f"expected rank {spec.ndim}"
        elif spec.min_ndim is not None and len(shape) < spec.min_ndim:
            problem = f"expected rank >= {spec.min_ndim}"
        elif spec.max_ndim is not None and len(shape) > spec.max_ndim:
            problem = f"expected rank <= {spec.max_ndim}"
        else:
            for axis, size in spec.axes.items():
                if size is not None and shape[axis] is not None and shape[axis] != size:
                    problem = f"expected axis {axis} to have size {size}, got {shape[axis]}"
                    break
            if problem is None and spec.shape is not None:
                for want, got in zip(spec.shape, shape):
                    if want is not None and got is not None and want != got:
                        problem = "the sizes differ"
                        break
        if problem:
            expected = _expected(spec)
            expected_text = f" {expected}" if expected is not None else ""
            raise InputShapeError(
                f"Input to layer {layer.name!r} ({type(layer).__name__}) has shape {shape}: "
                f"{problem}. Expected shape{expected_text} (None = any size)."
                + channels_swap_hint(expected, shape)
            )
