"""MobileNetV2: inverted residual blocks (a 1x1 expansion, a 3x3 depthwise
convolution and a linear 1x1 projection, with a shortcut where the shapes
allow one), thinned or widened by `alpha`.

Reference: Sandler et al., "MobileNetV2: Inverted Residuals and Linear
Bottlenecks" (CVPR 2018).
"""

from __future__ import annotations

import warnings

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

# Output filters, stride and expansion factor of the blocks 0 to 16.
_BLOCKS = (
    (16, 1, 1),
    (24, 2, 6),
    (24, 1, 6),
    (32, 2, 6),
    (32, 1, 6),
    (32, 1, 6),
    (64, 2, 6),
    (64, 1, 6),
    (64, 1, 6),
    (64, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (160, 2, 6),
    (160, 1, 6),
    (160, 1, 6),
    (320, 1, 6),
)
_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
_SIZES = (96, 128, 160, 192, 224)
# The published weights were trained with these batch normalization settings.
_BN = dict(epsilon=1e-3, momentum=0.999)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"


def _weight_file(alpha: float, rows: int, include_top: bool) -> tuple:
    name = (
        f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
        f"{'' if include_top else '_no_top'}.h5"
    )
    # Keras publishes no hashes for these files.
    return (name, _BASE + name, None)


# (alpha, image size, include_top) -> (file name, URL, md5 or None).
WEIGHTS = {
    (alpha, rows, top): _weight_file(alpha, rows, top)
    for alpha in _ALPHAS
    for rows in _SIZES
    for top in (True, False)
}


def MobileNetV2(
    input_shape=None,
    alpha=1.0,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name=None,
):
    """The MobileNetV2 model, optionally with ImageNet weights.

    Expects images scaled to [-1, 1]: apply
    `lamina.applications.mobilenet_v2.preprocess_input` first.

    Args:
        input_shape: the image shape, (224, 224, 3) by default (or the size
            of `input_tensor`); at least 32x32. With ImageNet weights and the
            top, one of 96, 128, 160, 192 or 224 square. Channels first when
            `image_data_format` says so.
        alpha: width multiplier: the blocks get `alpha` times their filters
            (rounded to a multiple of 8), and the last convolution too when
            `alpha > 1`; 0.35, 0.5, 0.75, 1.0, 1.3 or 1.4 with ImageNet
            weights.
        include_top: whether to end with the classifier (global average
            pooling and a dense layer); without it the model ends at the last
            convolution.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name; by default `mobilenetv2_<alpha>_<size>`, as
            "mobilenetv2_1.00_224".

    Returns:
        A functional `Model`.

    Example:
        >>> model = lamina.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35, include_top=False)
        >>> model.output.shape
        (None, 1, 1, 1280)
    """
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    data_format = config.image_data_format()
    spatial = slice(0, 2) if data_format == "channels_last" else slice(1, 3)
    size = _given_size(input_shape, input_tensor, spatial)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=size if size in _SIZES else 224,
        min_size=32,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    rows, cols = input_shape[spatial]
    if weights == "imagenet":
        rows = _imagenet_size(alpha, rows, cols)

    channel_axis = -1 if data_format == "channels_last" else 1
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = layers.Conv2D(
        _make_divisible(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="Conv1"
    )(img_input)
    x = layers.BatchNormalization(axis=channel_axis, name="bn_Conv1", **_BN)(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_residual(
            x, _make_divisible(int(filters * alpha)), stride, expansion, block, channel_axis
        )
    # The last convolution only grows with alpha, never shrinks.
    last_filters = _make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, name="Conv_1_bn", **_BN)(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    from lamina.models import Model

    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        imagenet_utils.load_weights(model, weights, *WEIGHTS[(alpha, rows, bool(include_top))])
    else:
        imagenet_utils.load_weights(model, weights)
    return model


def _given_size(input_shape, input_tensor, spatial):
    """The square image size the caller asked for, from `input_shape` or else
    from a symbolic `input_tensor`; None when there is none."""
    from lamina.utils.keras_tensor_utils import is_keras_tensor

    symbolic = input_tensor is not None and is_keras_tensor(input_tensor)
    if input_shape is not None:
        if symbolic and _incompatible(tuple(input_tensor.shape[1:]), tuple(input_shape)):
            raise ValueError(
                f"input_shape={tuple(input_shape)} does not match the shape of input_tensor, "
                f"{tuple(input_tensor.shape)}. Leave input_shape out to use the tensor's."
            )
        rows, cols = tuple(input_shape)[spatial]
    elif symbolic:
        rows, cols = tuple(input_tensor.shape[1:])[spatial]
    else:
        return None
    return rows if rows == cols else None


def _incompatible(shape, expected) -> bool:
    return len(shape) != len(expected) or any(
        a is not None and b is not None and a != b for a, b in zip(shape, expected)
    )


def _imagenet_size(alpha, rows, cols) -> int:
    """The image size of the ImageNet weights to load, after checking that
    such weights exist for this width."""
    if alpha not in _ALPHAS:
        raise ValueError(
            f"alpha={alpha} has no ImageNet weights: they exist for alpha "
            f"{', '.join(map(str, _ALPHAS))}. Use one of those, or weights=None."
        )
    if rows == cols and rows in _SIZES:
        return rows
    warnings.warn(
        f"The input size {rows}x{cols} has no ImageNet weights of its own (they exist "
        "for 96, 128, 160, 192 and 224 square images): loading those for 224x224.",
        stacklevel=3,
    )
    return 224


def _inverted_residual(inputs, filters, stride, expansion, block, channel_axis):
    """Expand (except block 0), filter depthwise, project linearly; add the
    input back when the shapes match."""
    in_channels = inputs.shape[channel_axis]
    prefix = f"block_{block}_" if block else "expanded_conv_"
    x = inputs
    if block:
        x = layers.Conv2D(
            expansion * in_channels, 1, padding="same", use_bias=False, name=prefix + "expand"
        )(x)
        x = layers.BatchNormalization(axis=channel_axis, name=prefix + "expand_BN", **_BN)(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(
        3,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=prefix + "depthwise",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=prefix + "depthwise_BN", **_BN)(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=prefix + "project")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=prefix + "project_BN", **_BN)(x)
    if stride == 1 and in_channels == filters:
        x = layers.Add(name=prefix + "add")([inputs, x])
    return x


def _make_divisible(value, divisor=8):
    """`value` rounded to the nearest multiple of `divisor` (at least
    `divisor`), never more than 10% below it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def preprocess_input(x, data_format=None):
    """ImageNet "tf" preprocessing: pixels from [0, 255] to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
