"""MobileNetV3 Small and Large: inverted residual blocks with 3x3 or 5x5
depthwise convolutions, squeeze-and-excite gates and hard-swish activations,
as found by architecture search; "minimalistic" variants keep 3x3 kernels and
ReLU and drop the gates.

The models rescale their input themselves (`include_preprocessing`), so this
module's `preprocess_input` returns its input unchanged.

Reference: Howard et al., "Searching for MobileNetV3" (ICCV 2019).
"""

from __future__ import annotations

import warnings

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

# Each block: expansion factor, output filters (before alpha), kernel size, stride,
# whether it has a squeeze-and-excite gate, and its activation. "k" is the
# model's kernel (5, or 3 when minimalistic), "hswish" its activation (ReLU when
# minimalistic); "se" blocks lose their gate when minimalistic.
_SMALL = (
    (1, 16, 3, 2, True, "relu"),
    (72 / 16, 24, 3, 2, False, "relu"),
    (88 / 24, 24, 3, 1, False, "relu"),
    (4, 40, "k", 2, True, "hswish"),
    (6, 40, "k", 1, True, "hswish"),
    (6, 40, "k", 1, True, "hswish"),
    (3, 48, "k", 1, True, "hswish"),
    (3, 48, "k", 1, True, "hswish"),
    (6, 96, "k", 2, True, "hswish"),
    (6, 96, "k", 1, True, "hswish"),
    (6, 96, "k", 1, True, "hswish"),
)
_LARGE = (
    (1, 16, 3, 1, False, "relu"),
    (4, 24, 3, 2, False, "relu"),
    (3, 24, 3, 1, False, "relu"),
    (3, 40, "k", 2, True, "relu"),
    (3, 40, "k", 1, True, "relu"),
    (3, 40, "k", 1, True, "relu"),
    (6, 80, 3, 2, False, "hswish"),
    (2.5, 80, 3, 1, False, "hswish"),
    (2.3, 80, 3, 1, False, "hswish"),
    (2.3, 80, 3, 1, False, "hswish"),
    (6, 112, 3, 1, True, "hswish"),
    (6, 112, 3, 1, True, "hswish"),
    (6, 160, "k", 2, True, "hswish"),
    (6, 160, "k", 1, True, "hswish"),
    (6, 160, "k", 1, True, "hswish"),
)
_SE_RATIO = 0.25
# The published weights were trained with these batch normalization settings.
_BN = dict(epsilon=1e-3, momentum=0.999)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# Model variant -> md5 of the weight files with and without the top.
_HASHES = {
    "large_224_0.75_float": (
        "765b44a33ad4005b3ac83185abf1d0eb",
        "40af19a13ebea4e2ee0c676887f69a2e",
    ),
    "large_224_1.0_float": (
        "59e551e166be033d707958cf9e29a6a7",
        "07fb09a5933dd0c8eaafa16978110389",
    ),
    "large_minimalistic_224_1.0_float": (
        "675e7b876c45c57e9e63e6d90a36599c",
        "ec5221f64a2f6d1ef965a614bdae7973",
    ),
    "small_224_0.75_float": (
        "cb65d4e5be93758266aa0a7f2c6708b7",
        "ebdb5cc8e0b497cd13a7c275d475c819",
    ),
    "small_224_1.0_float": (
        "8768d4c2e7dee89b9d02b2d03d65d862",
        "d3e8ec802a04aa4fc771ee12a9a9b836",
    ),
    "small_minimalistic_224_1.0_float": (
        "99cd97fb2fcdad2bf028eb838de69e37",
        "cde8136e733e811080d9fcd8a252f7e4",
    ),
}


def _weight_file(variant: str, include_top: bool, md5: str) -> tuple:
    name = f"weights_mobilenet_v3_{variant}{'' if include_top else '_no_top_v2'}.h5"
    return (name, _BASE + name, md5)


# (variant, include_top) -> (file name, URL, md5); a variant is named as
# "small_224_1.0_float" or "large_minimalistic_224_1.0_float".
WEIGHTS = {
    (variant, top): _weight_file(variant, top, hashes[0 if top else 1])
    for variant, hashes in _HASHES.items()
    for top in (True, False)
}

_ARGS_DOC = """
    Args:
        input_shape: the image shape; by default that of `input_tensor`, or
            any size (None, None, 3), even with the top. At least 32x32; the
            ImageNet weights were trained at 224x224. Channels first when
            `image_data_format` says so.
        alpha: width multiplier: the blocks get `alpha` times their filters
            (rounded to a multiple of 8), the last convolution too when
            `alpha > 1`; 0.75 or 1.0 with ImageNet weights (1.0 when
            minimalistic).
        minimalistic: the variant without squeeze-and-excite gates,
            hard-swish or 5x5 kernels.
        include_top: whether to end with the classifier (global pooling, two
            1x1 convolutions and dropout); without it the model ends at the
            last convolution.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models` and checked by hash) or the path of a
            weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        classes: number of classes of the top; 1000 with ImageNet weights.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        dropout_rate: dropout rate before the last convolution of the top;
            0 leaves the dropout layer out.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        include_preprocessing: whether the model starts with a `Rescaling`
            layer that maps pixels in [0, 255] to [-1, 1]. Without it, scale
            the images yourself.
        name: the model's name.

    Returns:
        A functional `Model`.
"""


def MobileNetV3Small(
    input_shape=None,
    alpha=1.0,
    minimalistic=False,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    classes=1000,
    pooling=None,
    dropout_rate=0.2,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="MobileNetV3Small",
):
    return _mobilenet_v3("small", _SMALL, 1024, **locals())


def MobileNetV3Large(
    input_shape=None,
    alpha=1.0,
    minimalistic=False,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    classes=1000,
    pooling=None,
    dropout_rate=0.2,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="MobileNetV3Large",
):
    return _mobilenet_v3("large", _LARGE, 1280, **locals())


MobileNetV3Small.__doc__ = f"""The small MobileNetV3 model (11 blocks), optionally with ImageNet weights.

    Takes images with pixels in [0, 255]: by default the model rescales them
    itself.
{_ARGS_DOC}
    Example:
        >>> model = lamina.applications.MobileNetV3Small(weights=None, input_shape=(32, 32, 3), include_top=False)
        >>> model.output.shape
        (None, 1, 1, 576)
"""
MobileNetV3Large.__doc__ = f"""The large MobileNetV3 model (15 blocks), optionally with ImageNet weights.

    Takes images with pixels in [0, 255]: by default the model rescales them
    itself.
{_ARGS_DOC}
    Example:
        >>> model = lamina.applications.MobileNetV3Large(weights=None, input_shape=(32, 32, 3), include_top=False)
        >>> model.output.shape
        (None, 1, 1, 960)
"""


def _mobilenet_v3(
    model_type,
    blocks,
    last_point_filters,
    input_shape,
    alpha,
    minimalistic,
    include_top,
    weights,
    input_tensor,
    classes,
    pooling,
    dropout_rate,
    classifier_activation,
    include_preprocessing,
    name,
):
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    data_format = config.image_data_format()
    input_shape = _input_shape(input_shape, input_tensor, data_format)
    if weights == "imagenet":
        _check_imagenet(alpha, minimalistic, input_shape, data_format)
    channel_axis = -1 if data_format == "channels_last" else 1
    kernel, model_activation = (3, _relu) if minimalistic else (5, _hard_swish)
    activations = {"relu": _relu, "hswish": model_activation}

    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="conv")(x)
    x = layers.BatchNormalization(axis=channel_axis, name="conv_bn", **_BN)(x)
    x = model_activation(x)
    for block, (expansion, filters, size, stride, se, activation) in enumerate(blocks):
        x = _inverted_residual(
            x,
            expansion,
            _depth(filters * alpha),
            kernel if size == "k" else size,
            stride,
            se and not minimalistic,
            activations[activation],
            block,
            channel_axis,
        )
    x = layers.Conv2D(
        _depth(x.shape[channel_axis] * 6), 1, padding="same", use_bias=False, name="conv_1"
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name="conv_1_bn", **_BN)(x)
    x = model_activation(x)

    if include_top:
        if alpha > 1.0:
            last_point_filters = _depth(last_point_filters * alpha)
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_filters, 1, padding="same", name="conv_2")(x)
        x = model_activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, 1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        variant = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{float(alpha)}_float"
        imagenet_utils.load_weights(model, weights, *WEIGHTS[(variant, bool(include_top))])
    else:
        imagenet_utils.load_weights(model, weights)
    return model


def _input_shape(input_shape, input_tensor, data_format):
    """The caller's `input_shape`, checked; else the shape of a symbolic
    `input_tensor`; else any image size."""
    from lamina.utils.keras_tensor_utils import is_keras_tensor

    channels_last = data_format == "channels_last"
    tensor_shape = None
    if input_tensor is not None and is_keras_tensor(input_tensor):
        tensor_shape = tuple(input_tensor.shape[1:])
    if input_shape is not None:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(
                f"input_shape={input_shape} must be 3 integers: "
                + ("(height, width, channels)." if channels_last else "(channels, height, width).")
            )
        if tensor_shape is not None and _incompatible(tensor_shape, input_shape):
            raise ValueError(
                f"input_shape={input_shape} does not match the shape of input_tensor, "
                f"{tuple(input_tensor.shape)}. Leave input_shape out to use the tensor's."
            )
    elif tensor_shape is not None:
        input_shape = tensor_shape
    else:
        input_shape = (None, None, 3) if channels_last else (3, None, None)
    spatial = input_shape[:2] if channels_last else input_shape[1:]
    if any(size is not None and size < 32 for size in spatial):
        raise ValueError(
            f"input_shape={input_shape} is too small: MobileNetV3 needs height and width of "
            "at least 32."
        )
    return input_shape


def _incompatible(shape, expected) -> bool:
    return len(shape) != len(expected) or any(
        a is not None and b is not None and a != b for a, b in zip(shape, expected)
    )


def _check_imagenet(alpha, minimalistic, input_shape, data_format):
    allowed = (1.0,) if minimalistic else (0.75, 1.0)
    if alpha not in allowed:
        variant = "minimalistic models" if minimalistic else "models"
        raise ValueError(
            f"alpha={alpha} has no ImageNet weights: they exist for alpha "
            f"{' and '.join(map(str, allowed))} for the {variant}. Use one of those, or "
            "weights=None."
        )
    rows, cols = input_shape[:2] if data_format == "channels_last" else input_shape[1:]
    if rows != 224 or cols != 224:
        warnings.warn(
            f"The ImageNet weights were trained on 224x224 images; the input size is "
            f"{rows}x{cols}. They are loaded all the same.",
            stacklevel=4,
        )


def _relu(x):
    return layers.ReLU()(x)


def _hard_sigmoid(x):
    # ReLU6(x + 3) / 6 as layers and ops, the form the published models have.
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _depth(value, divisor=8):
    """`value` rounded to the nearest multiple of `divisor` (at least
    `divisor`), never more than 10% below it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _squeeze_excite(inputs, filters, prefix):
    """Scale each channel by a gate in [0, 1] computed from the pooled
    feature map."""
    x = layers.GlobalAveragePooling2D(keepdims=True, name=prefix + "squeeze_excite_avg_pool")(
        inputs
    )
    x = layers.Conv2D(
        _depth(filters * _SE_RATIO), 1, padding="same", name=prefix + "squeeze_excite_conv"
    )(x)
    x = layers.ReLU(name=prefix + "squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", name=prefix + "squeeze_excite_conv_1")(x)
    x = _hard_sigmoid(x)
    return layers.Multiply(name=prefix + "squeeze_excite_mul")([inputs, x])


def _inverted_residual(
    inputs, expansion, filters, kernel, stride, squeeze_excite, activation, block, channel_axis
):
    """Expand (except block 0), filter depthwise, gate, project linearly; add
    the input back when the shapes match."""
    in_channels = inputs.shape[channel_axis]
    expanded = _depth(in_channels * expansion)
    prefix = f"expanded_conv_{block}_" if block else "expanded_conv_"
    x = inputs
    if block:
        x = layers.Conv2D(expanded, 1, padding="same", use_bias=False, name=prefix + "expand")(x)
        x = layers.BatchNormalization(axis=channel_axis, name=prefix + "expand_bn", **_BN)(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(
            imagenet_utils.correct_pad(x, kernel), name=prefix + "depthwise_pad"
        )(x)
    x = layers.DepthwiseConv2D(
        kernel,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=prefix + "depthwise",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=prefix + "depthwise_bn", **_BN)(x)
    x = activation(x)
    if squeeze_excite:
        x = _squeeze_excite(x, expanded, prefix)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=prefix + "project")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=prefix + "project_bn", **_BN)(x)
    if stride == 1 and in_channels == filters:
        x = layers.Add(name=prefix + "add")([inputs, x])
    return x


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: MobileNetV3 models rescale their input
    themselves (`include_preprocessing=True`). Kept so that every application
    module has one."""
    return x


decode_predictions = imagenet_utils.decode_predictions
