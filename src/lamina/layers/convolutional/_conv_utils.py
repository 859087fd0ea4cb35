"""Argument checks and shape arithmetic shared by convolution and pooling layers."""

from __future__ import annotations

from lamina import config
from lamina.layers.input_spec import InputSpec, check_input_spec


def standardize_tuple(value, n: int, name: str, layer: str) -> tuple:
    """An int or a sequence of `n` positive ints, as a tuple of `n` ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        result = (value,) * n
    else:
        try:
            result = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(
                f"{layer}: `{name}` must be an int or a tuple of {n} ints; got {name}={value!r}."
            ) from None
        if len(result) != n:
            raise ValueError(
                f"{layer}: `{name}` needs {n} values, one per spatial dimension; "
                f"got {name}={value!r}."
            )
    if any(v <= 0 for v in result):
        raise ValueError(f"{layer}: `{name}` values must be positive; got {name}={value!r}.")
    return result


def standardize_padding(padding, layer: str, allow_causal: bool = False) -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        raise ValueError(
            f"{layer}: `padding` must be one of {', '.join(repr(a) for a in allowed)}; "
            f"got padding={padding!r}."
        )
    return value


def standardize_data_format(data_format) -> str:
    return config.standardize_data_format(data_format)


def channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else 1


def spatial_dims(shape: tuple, data_format: str) -> tuple:
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def with_spatial(shape: tuple, spatial: tuple, channels, data_format: str) -> tuple:
    """The shape `(batch, *spatial, channels)` in `data_format`'s order."""
    if data_format == "channels_last":
        return (shape[0], *spatial, channels)
    return (shape[0], channels, *spatial)


def output_length(size, window: int, stride: int, padding: str, dilation: int = 1):
    """The output size of a sliding window along one dimension (None when unknown)."""
    if size is None:
        return None
    if padding == "valid":
        extent = (window - 1) * dilation + 1
        return (size - extent) // stride + 1
    # "same" and "causal" pad so that every stride-th input position has an output.
    return (size + stride - 1) // stride


def window_output_shape(
    layer,
    input_shape,
    rank: int,
    channels_out,
    window: tuple,
    strides: tuple,
    padding: str,
    data_format: str,
    dilation: tuple | None = None,
) -> tuple:
    """The output shape of a convolution or pooling window over `input_shape`."""
    input_shape = tuple(input_shape)
    if len(input_shape) != rank + 2:
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) expects inputs of rank {rank + 2} "
            f"(batch, {rank} spatial dims, channels); got input shape {input_shape}."
        )
    dilation = dilation or (1,) * rank
    sizes = spatial_dims(input_shape, data_format)
    out = tuple(
        output_length(n, w, s, padding, d)
        for n, w, s, d in zip(sizes, window, strides, dilation, strict=True)
    )
    if any(o is not None and o <= 0 for o in out):
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}): input shape {input_shape} is too "
            f"small for a window of {window} with strides {strides}, dilation {dilation} and "
            f"padding {padding!r} ({data_format}): the output would have spatial shape {out}. "
            "Use larger inputs, a smaller window, or padding='same'."
        )
    return with_spatial(input_shape, out, channels_out, data_format)


class _ShapeOnly:
    """Stands in for an input of `shape` so build() can reuse the input-spec check."""

    def __init__(self, shape):
        self.shape = tuple(shape)


def check_spec(layer, input_shape) -> None:
    """Check `input_shape` against the layer's input spec, as a call would.

    Layers build before the input spec is checked on eager calls, so build()
    runs the check itself, to fail with the layer's own message rather than an op's.
    """
    check_input_spec(layer, _ShapeOnly(input_shape))


def check_build_shape(layer, input_shape, rank: int, data_format: str) -> int:
    """Check `input_shape` against the layer's (rank-only) spec; return its channel count."""
    check_spec(layer, input_shape)
    channels = input_shape[channel_axis(data_format)]
    if channels is None:
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) needs a known channel dimension "
            f"(axis {channel_axis(data_format)} for {data_format}); got input shape "
            f"{tuple(input_shape)}."
        )
    return int(channels)


def channel_spec(rank: int, data_format: str, channels: int) -> InputSpec:
    """An input spec fixing the channel axis, so mismatches name a channels swap."""
    return InputSpec(ndim=rank + 2, axes={channel_axis(data_format): channels})
