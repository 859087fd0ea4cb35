"""Xception: Inception's modules replaced by depthwise separable convolutions,
in an entry flow that downsamples four times, eight identical middle blocks
and an exit flow, all with residual connections.

Reference: Chollet, "Xception: Deep Learning with Depthwise Separable
Convolutions" (CVPR 2017).
"""

from __future__ import annotations

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS = {
    True: (
        "xception_weights_tf_dim_ordering_tf_kernels.h5",
        _BASE + "xception_weights_tf_dim_ordering_tf_kernels.h5",
        "0a58e3b7378bc2990ea3b43d5981f1f6",
    ),
    False: (
        "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _BASE + "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "b0042744bf5b25fce3cb969f33bebb97",
    ),
}

# (block, output width of each separable convolution) of the flows. The
# entry and exit blocks end with a strided max pooling, and their shortcut is
# a strided 1x1 convolution to the block's width; the middle blocks keep
# their shape and add their input back as it is.
_ENTRY = ((2, (128, 128)), (3, (256, 256)), (4, (728, 728)))
_MIDDLE = tuple((block, (728, 728, 728)) for block in range(5, 13))
_EXIT = ((13, (728, 1024)),)


def Xception(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="xception",
):
    """The Xception model, optionally with ImageNet weights. Its images go
    through `xception.preprocess_input` first.

    Args:
        include_top: whether to end with global average pooling and the
            dense classifier.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        input_shape: the image shape, (299, 299, 3) by default; at least
            71x71 without the top. Channels first when `image_data_format`
            says so.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name.

    Returns:
        A functional `Model`.

    Example:
        >>> model = lamina.applications.Xception(weights=None, input_shape=(71, 71, 3), include_top=False)
        >>> model.output.shape
        (None, 3, 3, 2048)
    """
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=299,
        min_size=71,
        data_format=config.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = img_input
    for index, (filters, strides) in enumerate(((32, 2), (64, 1)), 1):
        x = layers.Conv2D(filters, 3, strides=strides, use_bias=False, name=f"block1_conv{index}")(
            x
        )
        x = _batch_norm(f"block1_conv{index}_bn")(x)
        x = layers.Activation("relu", name=f"block1_conv{index}_act")(x)
    for flow, downsample in ((_ENTRY, True), (_MIDDLE, False), (_EXIT, True)):
        for block, widths in flow:
            x = _residual_block(x, block, widths, downsample)
    for index, filters in enumerate((1536, 2048), 1):
        x = _separable_conv(filters, f"block14_sepconv{index}")(x)
        x = _batch_norm(f"block14_sepconv{index}_bn")(x)
        x = layers.Activation("relu", name=f"block14_sepconv{index}_act")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    # The published files come from Keras 1, whose layers had its automatic
    # names ("convolution2d_1", ...): they load layer by layer in order.
    imagenet_utils.load_weights(model, weights, *WEIGHTS[bool(include_top)])
    return model


def _batch_norm(name=None):
    axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, name=name)


def _separable_conv(filters, name):
    return layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)


def _residual_block(x, block, widths, downsample):
    """ReLU, separable convolution and batch normalization for each width,
    then the shortcut added back. Keras leaves the shortcut's layers and the
    addition unnamed."""
    shortcut = x
    if downsample:
        shortcut = layers.Conv2D(widths[-1], 1, strides=2, padding="same", use_bias=False)(x)
        shortcut = _batch_norm()(shortcut)
    for index, filters in enumerate(widths, 1):
        # Block 2 follows block 1's ReLU directly.
        if block > 2 or index > 1:
            x = layers.Activation("relu", name=f"block{block}_sepconv{index}_act")(x)
        x = _separable_conv(filters, f"block{block}_sepconv{index}")(x)
        x = _batch_norm(f"block{block}_sepconv{index}_bn")(x)
    if downsample:
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, shortcut])


def preprocess_input(x, data_format=None):
    """ImageNet "tf" preprocessing: pixels scaled to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
