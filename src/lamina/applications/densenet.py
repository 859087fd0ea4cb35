"""DenseNet121, DenseNet169 and DenseNet201: four dense blocks, in which every
layer sees the feature maps of all the layers before it, joined by transition
layers that halve the channels and the image size.

Reference: Huang, Liu, van der Maaten and Weinberger, "Densely Connected
Convolutional Networks" (CVPR 2017).
"""

from __future__ import annotations

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"


def _files(depth: int, top_hash: str, notop_hash: str) -> dict:
    stem = f"densenet{depth}_weights_tf_dim_ordering_tf_kernels"
    return {
        True: (f"{stem}.h5", f"{_BASE}{stem}.h5", top_hash),
        False: (f"{stem}_notop.h5", f"{_BASE}{stem}_notop.h5", notop_hash),
    }


# Keyed by depth, then by include_top.
WEIGHTS = {
    121: _files(121, "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    169: _files(169, "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    201: _files(201, "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
# Layers in each of the four dense blocks.
BLOCKS = {121: (6, 12, 24, 16), 169: (6, 12, 32, 32), 201: (6, 12, 48, 32)}

_GROWTH_RATE = 32  # channels each layer of a dense block adds
_EPSILON = 1.001e-5


def DenseNet121(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet121",
):
    """The DenseNet-121 model (dense blocks of 6, 12, 24 and 16 layers),
    optionally with ImageNet weights.

    Args:
        include_top: whether to end with global average pooling and the
            classifier.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        input_shape: the image shape, (224, 224, 3) by default; at least
            32x32 without the top. Channels first when `image_data_format`
            says so.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name.

    Returns:
        A functional `Model`, for images preprocessed by
        `lamina.applications.densenet.preprocess_input`.

    Example:
        >>> model = lamina.applications.DenseNet121(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
        >>> model.output.shape
        (None, 1024)
    """
    return _densenet(
        121,
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def DenseNet169(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet169",
):
    """The DenseNet-169 model (dense blocks of 6, 12, 32 and 32 layers),
    optionally with ImageNet weights. The arguments are `DenseNet121`'s.

    Example:
        >>> model = lamina.applications.DenseNet169(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
        >>> model.output.shape
        (None, 1664)
    """
    return _densenet(
        169,
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def DenseNet201(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet201",
):
    """The DenseNet-201 model (dense blocks of 6, 12, 48 and 32 layers),
    optionally with ImageNet weights. The arguments are `DenseNet121`'s.

    Example:
        >>> model = lamina.applications.DenseNet201(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
        >>> model.output.shape
        (None, 1920)
    """
    return _densenet(
        201,
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def _batch_norm_relu(x, axis, name):
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _dense_layer(x, axis, name):
    """Bottleneck (1x1 to 4 * growth) then 3x3 to `growth` new channels,
    appended to the input's."""
    y = _batch_norm_relu(x, axis, f"{name}_0")
    y = layers.Conv2D(4 * _GROWTH_RATE, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _batch_norm_relu(y, axis, f"{name}_1")
    y = layers.Conv2D(_GROWTH_RATE, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=axis, name=f"{name}_concat")([x, y])


def _transition(x, axis, name):
    """Half the channels (1x1 convolution), half the size (2x2 average)."""
    x = _batch_norm_relu(x, axis, name)
    x = layers.Conv2D(int(x.shape[axis]) // 2, 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(
    depth,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    name,
):
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    data_format = config.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=224,
        min_size=32,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    axis = 3 if data_format == "channels_last" else 1
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _batch_norm_relu(x, axis, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    blocks = BLOCKS[depth]
    for stage, count in enumerate(blocks, 2):
        for i in range(1, count + 1):
            x = _dense_layer(x, axis, f"conv{stage}_block{i}")
        if stage < len(blocks) + 1:
            x = _transition(x, axis, f"pool{stage}")
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    imagenet_utils.load_weights(model, weights, *WEIGHTS[depth][bool(include_top)])
    return model


def preprocess_input(x, data_format=None):
    """ImageNet "torch" preprocessing: scaled to [0, 1], then normalized by
    ImageNet's per-channel mean and deviation.
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


decode_predictions = imagenet_utils.decode_predictions
