"""InceptionV3: a convolutional stem, then eleven Inception modules (mixed0 to
mixed10), each running parallel branches of factorized convolutions and a
pooling and joining them along the channels.

Reference: Szegedy, Vanhoucke, Ioffe, Shlens and Wojna, "Rethinking the
Inception Architecture for Computer Vision" (CVPR 2016).

Apart from the modules' outputs (`mixed0`...), Keras leaves the layers
unnamed: they take the automatic names (`conv2d_3`, `batch_normalization_3`,
`activation_3`...) in the order Keras creates them, which this module keeps.
"""

from __future__ import annotations

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS = {
    True: (
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        _BASE + "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        "9a0d58056eeedaa3f26cb7ebd46da564",
    ),
    False: (
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _BASE + "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "bcbd6486424b2319ff4ef7d526e38f63",
    ),
}

# A branch is a chain of convolutions (filters, rows, cols), optionally
# "reduce" (stride 2, no padding) for the last one.
_REDUCE = "reduce"


def InceptionV3(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="inception_v3",
):
    """The InceptionV3 model, optionally with ImageNet weights.

    Args:
        include_top: whether to end with global average pooling and the
            classifier.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        input_shape: the image shape, (299, 299, 3) by default; at least
            75x75 without the top. Channels first when `image_data_format`
            says so.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name.

    Returns:
        A functional `Model`, for images preprocessed by
        `lamina.applications.inception_v3.preprocess_input` (scaled to
        [-1, 1]).

    Example:
        >>> model = lamina.applications.InceptionV3(
        ...     weights=None, include_top=False, input_shape=(75, 75, 3), pooling="avg")
        >>> model.output.shape
        (None, 2048)
    """
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    data_format = config.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=299,
        min_size=75,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    axis = 3 if data_format == "channels_last" else 1
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = _conv_bn(img_input, 32, 3, 3, strides=2, padding="valid")
    x = _conv_bn(x, 32, 3, 3, padding="valid")
    x = _conv_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _conv_bn(x, 80, 1, 1, padding="valid")
    x = _conv_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    # 35x35 (at 299x299): a 5x5 and a double 3x3 branch.
    for i, pool_filters in enumerate((32, 64, 64)):
        branches = [[(64, 1, 1)], [(48, 1, 1), (64, 5, 5)], [(64, 1, 1), (96, 3, 3), (96, 3, 3)]]
        x = _module(x, axis, branches, pool_filters, f"mixed{i}")
    x = _reduction(
        x, axis, [[(384, 3, 3, _REDUCE)], [(64, 1, 1), (96, 3, 3), (96, 3, 3, _REDUCE)]], "mixed3"
    )
    # 17x17: 7x7 convolutions factorized into 1x7 and 7x1.
    for i, width in enumerate((128, 160, 160, 192), 4):
        branches = [
            [(192, 1, 1)],
            [(width, 1, 1), (width, 1, 7), (192, 7, 1)],
            [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1), (192, 1, 7)],
        ]
        x = _module(x, axis, branches, 192, f"mixed{i}")
    x = _reduction(
        x,
        axis,
        [
            [(192, 1, 1), (320, 3, 3, _REDUCE)],
            [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, _REDUCE)],
        ],
        "mixed8",
    )
    # 8x8: the last convolution of two branches splits into 1x3 and 3x1.
    for i in range(2):
        x = _expanded_module(x, axis, i)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    imagenet_utils.load_weights(model, weights, *WEIGHTS[bool(include_top)])
    return model


def _conv_bn(x, filters, rows, cols, strides=1, padding="same"):
    """Convolution without bias, batch normalization without scale, ReLU."""
    axis = 3 if config.image_data_format() == "channels_last" else 1
    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization(axis=axis, scale=False)(x)
    return layers.Activation("relu")(x)


def _chain(x, convs):
    for filters, rows, cols, *reduce in convs:
        if reduce:
            x = _conv_bn(x, filters, rows, cols, strides=2, padding="valid")
        else:
            x = _conv_bn(x, filters, rows, cols)
    return x


def _module(x, axis, branches, pool_filters, name):
    """Convolution branches and a 3x3 average pooling branch, same size."""
    outputs = [_chain(x, convs) for convs in branches]
    pooled = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    outputs.append(_conv_bn(pooled, pool_filters, 1, 1))
    return layers.concatenate(outputs, axis=axis, name=name)


def _reduction(x, axis, branches, name):
    """Strided convolution branches and a 3x3 max pooling: half the size."""
    outputs = [_chain(x, convs) for convs in branches]
    outputs.append(layers.MaxPooling2D((3, 3), strides=(2, 2))(x))
    return layers.concatenate(outputs, axis=axis, name=name)


def _split(x, axis, filters, name=None):
    """A 1x3 and a 3x1 convolution side by side."""
    parts = [_conv_bn(x, filters, 1, 3), _conv_bn(x, filters, 3, 1)]
    return layers.concatenate(parts, axis=axis, name=name)


def _expanded_module(x, axis, i):
    outputs = [_conv_bn(x, 320, 1, 1)]
    outputs.append(_split(_conv_bn(x, 384, 1, 1), axis, 384, name=f"mixed9_{i}"))
    double = _chain(x, [(448, 1, 1), (384, 3, 3)])
    outputs.append(_split(double, axis, 384))
    pooled = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    outputs.append(_conv_bn(pooled, 192, 1, 1))
    return layers.concatenate(outputs, axis=axis, name=f"mixed{9 + i}")


def preprocess_input(x, data_format=None):
    """ImageNet "tf" preprocessing: scaled from [0, 255] to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
