"""MobileNet: a 3x3 convolution, then thirteen depthwise-separable blocks
(a 3x3 depthwise convolution and a 1x1 pointwise one, each with batch
normalization and ReLU6), thinned by a width multiplier `alpha`.

Reference: Howard et al., "MobileNets: Efficient Convolutional Neural Networks
for Mobile Vision Applications" (arXiv:1704.04861, 2017).
"""

from __future__ import annotations

import warnings

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

# Pointwise filters and stride of the separable blocks 1 to 13.
_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
_ALPHAS = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}
_SIZES = (128, 160, 192, 224)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"


def _weight_file(alpha_text: str, rows: int, include_top: bool) -> tuple:
    name = f"mobilenet_{alpha_text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    # Keras publishes no hashes for these files.
    return (name, _BASE + name, None)


# (alpha, image size, include_top) -> (file name, URL, md5 or None).
WEIGHTS = {
    (alpha, rows, top): _weight_file(text, rows, top)
    for alpha, text in _ALPHAS.items()
    for rows in _SIZES
    for top in (True, False)
}


def MobileNet(
    input_shape=None,
    alpha=1.0,
    depth_multiplier=1,
    dropout=1e-3,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name=None,
):
    """The MobileNet model, optionally with ImageNet weights.

    Expects images scaled to [-1, 1]: apply
    `lamina.applications.mobilenet.preprocess_input` first.

    Args:
        input_shape: the image shape, (224, 224, 3) by default; at least
            32x32. With ImageNet weights and the top, one of 128, 160, 192
            or 224 square. Channels first when `image_data_format` says so.
        alpha: width multiplier: every layer gets `alpha` times its filters;
            0.25, 0.5, 0.75 or 1.0 with ImageNet weights.
        depth_multiplier: output channels of each depthwise convolution per
            input channel; 1 with ImageNet weights.
        dropout: dropout rate before the classifier.
        include_top: whether to end with the classifier (a 1x1 convolution
            over the pooled features); without it the model ends at the last
            block.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name; by default `mobilenet_<alpha>_<size>`, as
            "mobilenet_1.00_224".

    Returns:
        A functional `Model`.

    Example:
        >>> model = lamina.applications.MobileNet(weights=None, input_shape=(32, 32, 3), alpha=0.25, include_top=False)
        >>> model.output.shape
        (None, 1, 1, 256)
    """
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    data_format = config.image_data_format()
    spatial = slice(0, 2) if data_format == "channels_last" else slice(1, 3)
    rows, cols = tuple(input_shape[spatial]) if input_shape is not None else (None, None)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=rows if rows == cols and rows in _SIZES else 224,
        min_size=32,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    rows, cols = input_shape[spatial]
    if weights == "imagenet":
        rows = _imagenet_size(alpha, depth_multiplier, rows, cols)

    channel_axis = -1 if data_format == "channels_last" else 1
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1")(
        img_input
    )
    x = layers.BatchNormalization(axis=channel_axis, name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block, (filters, stride) in enumerate(_BLOCKS, 1):
        x = _separable_block(
            x, int(filters * alpha), depth_multiplier, stride, block, channel_axis
        )

    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    from lamina.models import Model

    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        imagenet_utils.load_weights(model, weights, *WEIGHTS[(alpha, rows, bool(include_top))])
    else:
        imagenet_utils.load_weights(model, weights)
    return model


def _imagenet_size(alpha, depth_multiplier, rows, cols) -> int:
    """The image size of the ImageNet weights to load, after checking that
    such weights exist for this width."""
    if depth_multiplier != 1:
        raise ValueError(
            f"depth_multiplier={depth_multiplier} does not fit the ImageNet weights, "
            "which have depth_multiplier=1. Use 1, or weights=None."
        )
    if alpha not in _ALPHAS:
        raise ValueError(
            f"alpha={alpha} has no ImageNet weights: they exist for alpha 0.25, 0.5, "
            "0.75 and 1.0. Use one of those, or weights=None."
        )
    if rows == cols and rows in _SIZES:
        return rows
    warnings.warn(
        f"The input size {rows}x{cols} has no ImageNet weights of its own (they exist "
        "for 128, 160, 192 and 224 square images): loading those for 224x224.",
        stacklevel=3,
    )
    return 224


def _separable_block(x, filters, depth_multiplier, stride, block, channel_axis):
    """A depthwise 3x3 and a pointwise 1x1 convolution, each followed by
    batch normalization and ReLU6. A strided block pads bottom and right only,
    as the published weights were trained."""
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block}")(x)
    x = layers.DepthwiseConv2D(
        3,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        depth_multiplier=depth_multiplier,
        use_bias=False,
        name=f"conv_dw_{block}",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_dw_{block}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block}_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=f"conv_pw_{block}")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_pw_{block}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block}_relu")(x)


def preprocess_input(x, data_format=None):
    """ImageNet "tf" preprocessing: pixels from [0, 255] to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
