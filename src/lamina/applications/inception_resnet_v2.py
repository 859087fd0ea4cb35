"""InceptionResNetV2: Inception modules whose output, scaled down, is added
back to their input (residual connections): 10 blocks at 35x35 (block35), 20
at 17x17 (block17) and 10 at 8x8 (block8), with reduction modules between.

Reference: Szegedy, Ioffe, Vanhoucke and Alemi, "Inception-v4,
Inception-ResNet and the Impact of Residual Connections on Learning"
(AAAI 2017).

The blocks' inner convolutions are unnamed in Keras: they take the automatic
names (`conv2d_3`, `batch_normalization_3`...) in the order Keras creates them,
which this module keeps.
"""

from __future__ import annotations

from lamina import config, layers, saving
from lamina.applications import imagenet_utils

__all__ = ["CustomScaleLayer", "InceptionResNetV2", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
_TOP = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5"
_NOTOP = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS = {
    True: (_TOP, _BASE + _TOP, "e693bd0210a403b3192acc6073ad2e96"),
    False: (_NOTOP, _BASE + _NOTOP, "d19885ff4a710c122648d3b5c3b684e4"),
}

# Per block type: the branches (chains of (filters, kernel size)), how many
# blocks, and the scale of their residual.
_BLOCKS = {
    "block35": (
        [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
        10,
        0.17,
    ),
    "block17": ([[(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]], 20, 0.1),
    "block8": ([[(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]], 10, 0.2),
}
_DOUBLE_3X3 = [(64, 1), (96, 3), (96, 3)]


class CustomScaleLayer(layers.Layer):
    """`inputs[0] + inputs[1] * scale`: a residual branch, scaled, added to
    its input. Keras's class of the same name, so that models saved by either
    library load in both.

    Args:
        scale: the residual's factor.

    Example:
        >>> x = np.ones((1, 2), "float32")
        >>> lamina.ops.convert_to_numpy(CustomScaleLayer(0.5)([x, x]))
        array([[1.5, 1.5]], dtype=float32)
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


# Keras writes this class as registered_name "CustomScaleLayer": file it under that name.
saving.get_custom_objects().setdefault("CustomScaleLayer", CustomScaleLayer)


def InceptionResNetV2(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="inception_resnet_v2",
):
    """The InceptionResNetV2 model, optionally with ImageNet weights.

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
        `lamina.applications.inception_resnet_v2.preprocess_input` (scaled
        to [-1, 1]).

    Example:
        >>> model = lamina.applications.InceptionResNetV2(
        ...     weights=None, include_top=False, input_shape=(75, 75, 3), pooling="avg")
        >>> model.output.shape
        (None, 1536)
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

    x = _conv_bn(img_input, 32, 3, strides=2, padding="valid")
    x = _conv_bn(x, 32, 3, padding="valid")
    x = _conv_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _conv_bn(x, 80, 1, padding="valid")
    x = _conv_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    # Inception-A (mixed_5b): 35x35 at 299x299.
    branches = [_chain(x, chain) for chain in ([(96, 1)], [(48, 1), (64, 5)], _DOUBLE_3X3)]
    pooled = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branches.append(_conv_bn(pooled, 64, 1))
    x = layers.Concatenate(axis=axis, name="mixed_5b")(branches)
    x = _residual_blocks(x, axis, "block35")

    # Reduction-A (mixed_6a): 17x17.
    branches = [_conv_bn(x, 384, 3, strides=2, padding="valid")]
    branches.append(_chain(x, [(256, 1), (256, 3), (384, 3, 2)]))
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    x = layers.Concatenate(axis=axis, name="mixed_6a")(branches)
    x = _residual_blocks(x, axis, "block17")

    # Reduction-B (mixed_7a): 8x8.
    chains = ([(256, 1), (384, 3, 2)], [(256, 1), (288, 3, 2)], [(256, 1), (288, 3), (320, 3, 2)])
    branches = [_chain(x, chain) for chain in chains]
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    x = layers.Concatenate(axis=axis, name="mixed_7a")(branches)
    x = _residual_blocks(x, axis, "block8")

    x = _conv_bn(x, 1536, 1, name="conv_7b")
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


def _conv_bn(x, filters, kernel_size, strides=1, padding="same", name=None):
    """Convolution without bias, batch normalization without scale, ReLU;
    named `name`, `name_bn`, `name_ac` when `name` is given."""
    axis = 3 if config.image_data_format() == "channels_last" else 1
    x = layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, use_bias=False, name=name
    )(x)
    x = layers.BatchNormalization(axis=axis, scale=False, name=name and f"{name}_bn")(x)
    return layers.Activation("relu", name=name and f"{name}_ac")(x)


def _chain(x, convs):
    """Convolutions (filters, kernel size[, stride]) one after the other; a
    strided one has no padding."""
    for filters, kernel_size, *stride in convs:
        if stride:
            x = _conv_bn(x, filters, kernel_size, strides=stride[0], padding="valid")
        else:
            x = _conv_bn(x, filters, kernel_size)
    return x


def _residual_blocks(x, axis, block_type):
    chains, count, scale = _BLOCKS[block_type]
    for index in range(1, count + 1):
        name = f"{block_type}_{index}"
        mixed = layers.Concatenate(axis=axis, name=f"{name}_mixed")(
            [_chain(x, chain) for chain in chains]
        )
        # Back to the input's channels, linear, with a bias.
        up = layers.Conv2D(
            int(x.shape[axis]), 1, padding="same", use_bias=True, name=f"{name}_conv"
        )(mixed)
        last = block_type == "block8" and index == count
        # The last block adds its residual unscaled, and no ReLU follows.
        x = CustomScaleLayer(1.0 if last else scale)([x, up])
        if not last:
            x = layers.Activation("relu", name=f"{name}_ac")(x)
    return x


def preprocess_input(x, data_format=None):
    """ImageNet "tf" preprocessing: scaled from [0, 255] to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
