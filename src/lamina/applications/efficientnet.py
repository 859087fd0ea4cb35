"""EfficientNet B0 to B7: one baseline network of mobile inverted bottlenecks
(MBConv with squeeze-and-excitation and swish), scaled in width, depth and
input resolution together.

Reference: Tan and Le, "EfficientNet: Rethinking Model Scaling for
Convolutional Neural Networks" (ICML 2019).

The models take pixels in [0, 255]: they rescale and normalize inside, so
`preprocess_input` returns its input unchanged.
"""

from __future__ import annotations

import math

from lamina import config, initializers, layers
from lamina.applications import imagenet_utils

__all__ = [
    "EfficientNetB0",
    "EfficientNetB1",
    "EfficientNetB2",
    "EfficientNetB3",
    "EfficientNetB4",
    "EfficientNetB5",
    "EfficientNetB6",
    "EfficientNetB7",
    "decode_predictions",
    "preprocess_input",
]

_BASE = "https://storage.googleapis.com/keras-applications/"
_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# (variant, include_top) -> (file name, URL, md5).
WEIGHTS = {
    (variant, top): (
        f"efficientnet{variant}{suffix}",
        f"{_BASE}efficientnet{variant}{suffix}",
        hashes[0 if top else 1],
    )
    for variant, hashes in _HASHES.items()
    for top, suffix in ((True, ".h5"), (False, "_notop.h5"))
}

# variant -> (width coefficient, depth coefficient, default image size, top dropout)
_SCALING = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}

# The B0 stages: (kernel size, repeats, input filters, output filters, expansion,
# stride). Every block squeezes to a quarter of its input filters.
_STAGES = (
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
)
_SE_RATIO = 0.25
_DROP_CONNECT_RATE = 0.2
_DEPTH_DIVISOR = 8
_ACTIVATION = "swish"

# The published weights' Normalization layer holds ImageNet's per-channel
# deviation where a variance belongs; dividing once more by its square root
# gives the intended (x - mean) / deviation.
_IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)


def _conv_initializer():
    return initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="truncated_normal")


def _dense_initializer():
    return initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_out", distribution="uniform")


def _round_filters(filters, width_coefficient, divisor=_DEPTH_DIVISOR):
    """`filters` scaled by the width coefficient, to a multiple of `divisor`,
    never more than 10% below the exact product."""
    scaled = filters * width_coefficient
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:
        rounded += divisor
    return int(rounded)


def _round_repeats(repeats, depth_coefficient):
    """How many times a stage repeats its block at this depth coefficient."""
    return int(math.ceil(depth_coefficient * repeats))


def _mbconv_block(
    x,
    prefix,
    filters_in,
    filters_out,
    kernel_size,
    strides,
    expand_ratio,
    drop_rate,
    activation=_ACTIVATION,
    se_ratio=_SE_RATIO,
):
    """One inverted residual block: 1x1 expansion, depthwise convolution,
    squeeze-and-excitation, 1x1 projection, and a residual connection (with
    drop-connect) when the shape is kept. Layers are named `prefix + part`."""
    channel_axis = 1 if config.image_data_format() == "channels_first" else -1
    inputs = x
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = _conv_bn_act(x, filters, 1, f"{prefix}expand_", activation)
    if strides == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{prefix}dwconv_pad"
        )(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding="valid" if strides == 2 else "same",
        use_bias=False,
        depthwise_initializer=_conv_initializer(),
        name=f"{prefix}dwconv",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}bn")(x)
    x = layers.Activation(activation, name=f"{prefix}activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), prefix, activation)
    x = layers.Conv2D(
        filters_out,
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=_conv_initializer(),
        name=f"{prefix}project_conv",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Drop-connect: the whole residual branch of a sample, not single units.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{prefix}drop")(x)
        x = layers.add([x, inputs], name=f"{prefix}add")
    return x


def _squeeze_excite(x, filters, squeezed, prefix, activation=_ACTIVATION):
    """Reweights the `filters` channels of `x` by a gate computed from their
    global average, through a bottleneck of `squeezed` channels."""
    channels_first = config.image_data_format() == "channels_first"
    se = layers.GlobalAveragePooling2D(name=f"{prefix}se_squeeze")(x)
    se = layers.Reshape(
        (filters, 1, 1) if channels_first else (1, 1, filters), name=f"{prefix}se_reshape"
    )(se)
    for size, act, part in ((squeezed, activation, "reduce"), (filters, "sigmoid", "expand")):
        se = layers.Conv2D(
            size,
            1,
            padding="same",
            activation=act,
            kernel_initializer=_conv_initializer(),
            name=f"{prefix}se_{part}",
        )(se)
    return layers.multiply([x, se], name=f"{prefix}se_excite")


def _conv_bn_act(x, filters, kernel_size, prefix, activation, **conv_kwargs):
    channel_axis = 1 if config.image_data_format() == "channels_first" else -1
    x = layers.Conv2D(
        filters,
        kernel_size,
        padding=conv_kwargs.pop("padding", "same"),
        use_bias=False,
        kernel_initializer=_conv_initializer(),
        name=f"{prefix}conv",
        **conv_kwargs,
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}bn")(x)
    return layers.Activation(activation, name=f"{prefix}activation")(x)


def _efficientnet(
    variant,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    name,
):
    width, depth, default_size, dropout_rate = _SCALING[variant]
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    data_format = config.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    channel_axis = 1 if data_format == "channels_first" else 3

    # The stem: pixels to [0, 1], then normalized per channel by statistics
    # that the weights file carries (a fresh model has mean 0, variance 1).
    # Keras leaves these layers unnamed; the names fixed here are the ones a
    # fresh Keras session gives them, so the layer names do not depend on
    # what the session built before.
    x = layers.Rescaling(1.0 / 255.0, name="rescaling")(img_input)
    x = layers.Normalization(axis=channel_axis, name="normalization")(x)
    if weights == "imagenet":
        x = layers.Rescaling(
            [1.0 / math.sqrt(s) for s in _IMAGENET_STDDEV_RGB], name="rescaling_1"
        )(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = _conv_bn_act(
        x, _round_filters(32, width), 3, "stem_", _ACTIVATION, strides=2, padding="valid"
    )

    total_blocks = sum(_round_repeats(stage[1], depth) for stage in _STAGES)
    index = 0  # the drop-connect rate grows linearly with the block's index
    for stage, (kernel_size, repeats, filters_in, filters_out, expand, strides) in enumerate(
        _STAGES, 1
    ):
        filters_in, filters_out = (
            _round_filters(filters_in, width),
            _round_filters(filters_out, width),
        )
        for repeat in range(_round_repeats(repeats, depth)):
            x = _mbconv_block(
                x,
                f"block{stage}{chr(ord('a') + repeat)}_",
                filters_in if repeat == 0 else filters_out,
                filters_out,
                kernel_size,
                strides if repeat == 0 else 1,
                expand,
                _DROP_CONNECT_RATE * index / total_blocks,
            )
            index += 1

    x = _conv_bn_act(x, _round_filters(1280, width), 1, "top_", _ACTIVATION)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=_dense_initializer(),
            name="predictions",
        )(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    imagenet_utils.load_weights(model, weights, *WEIGHTS[variant, bool(include_top)])
    return model


_DOC = """The EfficientNet-{variant} model, optionally with ImageNet weights.

    Width {width}x and depth {depth}x the B0 baseline, trained at {size}x{size}.
    The model takes RGB pixels in [0, 255] and scales them itself.

    Args:
        include_top: whether to end with global pooling, dropout and the
            dense classifier; without them the model ends at `top_activation`.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        input_shape: the image shape, ({size}, {size}, 3) by default; at least
            32x32 without the top. Channels first when `image_data_format`
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
        >>> model = lamina.applications.EfficientNet{variant}(
        ...     weights=None, input_shape=(64, 64, 3), include_top=False, pooling="avg"
        ... )
        >>> model.output.shape[-1]
        {features}
    """


def _documented(variant):
    width, depth, size, _ = _SCALING[variant]

    def document(fn):
        fn.__doc__ = _DOC.format(
            variant=variant.upper(),
            width=width,
            depth=depth,
            size=size,
            features=_round_filters(1280, width),
        )
        return fn

    return document


@_documented("b0")
def EfficientNetB0(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb0",
):
    return _efficientnet(
        "b0",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b1")
def EfficientNetB1(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb1",
):
    return _efficientnet(
        "b1",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b2")
def EfficientNetB2(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb2",
):
    return _efficientnet(
        "b2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b3")
def EfficientNetB3(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb3",
):
    return _efficientnet(
        "b3",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b4")
def EfficientNetB4(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb4",
):
    return _efficientnet(
        "b4",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b5")
def EfficientNetB5(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb5",
):
    return _efficientnet(
        "b5",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b6")
def EfficientNetB6(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb6",
):
    return _efficientnet(
        "b6",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("b7")
def EfficientNetB7(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="efficientnetb7",
):
    return _efficientnet(
        "b7",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: EfficientNet models scale their [0, 255] input
    themselves. Kept so that code written for every application runs."""
    return x


decode_predictions = imagenet_utils.decode_predictions
