"""EfficientNetV2 B0 to B3, S, M and L: EfficientNet with fused MBConv blocks
(one full convolution in place of expansion and depthwise convolution) in
the early stages, found by training-aware architecture search.

Reference: Tan and Le, "EfficientNetV2: Smaller Models and Faster Training"
(ICML 2021).

With `include_preprocessing=True` (the default) the models take pixels in
[0, 255] and scale them inside, so `preprocess_input` returns its input
unchanged.
"""

from __future__ import annotations

import math

from lamina import config, initializers, layers
from lamina.applications import imagenet_utils
from lamina.applications.efficientnet import (
    _conv_initializer,
    _dense_initializer,
    _squeeze_excite,
)

__all__ = [
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2L",
    "EfficientNetV2M",
    "EfficientNetV2S",
    "decode_predictions",
    "preprocess_input",
]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
# (variant, include_top) -> (file name, URL, md5).
WEIGHTS = {
    (variant, top): (
        f"efficientnetv2-{variant}{suffix}",
        f"{_BASE}efficientnetv2-{variant}{suffix}",
        hashes[0 if top else 1],
    )
    for variant, hashes in _HASHES.items()
    for top, suffix in ((True, ".h5"), (False, "_notop.h5"))
}

# The stages, all with 3x3 kernels: (fused, repeats, input filters, output
# filters, expansion, stride, squeeze-excite ratio). Fused stages replace the
# expansion and the depthwise convolution by one full convolution.
_B_STAGES = (
    (True, 1, 32, 16, 1, 1, 0.0),
    (True, 2, 16, 32, 4, 2, 0.0),
    (True, 2, 32, 48, 4, 2, 0.0),
    (False, 3, 48, 96, 4, 2, 0.25),
    (False, 5, 96, 112, 6, 1, 0.25),
    (False, 8, 112, 192, 6, 2, 0.25),
)
_S_STAGES = (
    (True, 2, 24, 24, 1, 1, 0.0),
    (True, 4, 24, 48, 4, 2, 0.0),
    (True, 4, 48, 64, 4, 2, 0.0),
    (False, 6, 64, 128, 4, 2, 0.25),
    (False, 9, 128, 160, 6, 1, 0.25),
    (False, 15, 160, 256, 6, 2, 0.25),
)
_M_STAGES = (
    (True, 3, 24, 24, 1, 1, 0.0),
    (True, 5, 24, 48, 4, 2, 0.0),
    (True, 5, 48, 80, 4, 2, 0.0),
    (False, 7, 80, 160, 4, 2, 0.25),
    (False, 14, 160, 176, 6, 1, 0.25),
    (False, 18, 176, 304, 6, 2, 0.25),
    (False, 5, 304, 512, 6, 1, 0.25),
)
_L_STAGES = (
    (True, 4, 32, 32, 1, 1, 0.0),
    (True, 7, 32, 64, 4, 2, 0.0),
    (True, 7, 64, 96, 4, 2, 0.0),
    (False, 10, 96, 192, 4, 2, 0.25),
    (False, 19, 192, 224, 6, 1, 0.25),
    (False, 25, 224, 384, 6, 2, 0.25),
    (False, 7, 384, 640, 6, 1, 0.25),
)
# variant -> (stages, width coefficient, depth coefficient, default image size)
_VARIANTS = {
    "b0": (_B_STAGES, 1.0, 1.0, 224),
    "b1": (_B_STAGES, 1.0, 1.1, 240),
    "b2": (_B_STAGES, 1.1, 1.2, 260),
    "b3": (_B_STAGES, 1.2, 1.4, 300),
    "s": (_S_STAGES, 1.0, 1.0, 384),
    "m": (_M_STAGES, 1.0, 1.0, 480),
    "l": (_L_STAGES, 1.0, 1.0, 480),
}
_KERNEL_SIZE = 3
_DROPOUT_RATE = 0.2
_DROP_CONNECT_RATE = 0.2
_DEPTH_DIVISOR = 8
_MIN_DEPTH = 8
_BN_MOMENTUM = 0.9
_ACTIVATION = "swish"
# The B variants were trained on images normalized by ImageNet's statistics,
# the others on pixels scaled to [-1, 1].
_IMAGENET_MEAN_RGB = (0.485, 0.456, 0.406)
_IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)


def _round_filters(filters, width_coefficient):
    """`filters` scaled by the width coefficient, to the nearest multiple of
    the depth divisor (and at least the minimum depth)."""
    scaled = filters * width_coefficient
    rounded = int(scaled + _DEPTH_DIVISOR / 2) // _DEPTH_DIVISOR * _DEPTH_DIVISOR
    return int(max(_MIN_DEPTH or _DEPTH_DIVISOR, rounded))


def _round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _batch_norm(x, name):
    channel_axis = 1 if config.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=channel_axis, momentum=_BN_MOMENTUM, name=name)(x)


def _conv(x, filters, kernel_size, name, strides=1):
    return layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=False,
        kernel_initializer=_conv_initializer(),
        name=name,
    )(x)


def _block(x, prefix, fused, filters_in, filters_out, expand_ratio, strides, se_ratio, drop_rate):
    """An MBConv block, or its fused form; the residual connection (with
    drop-connect) when the block keeps the shape. Layers are named
    `prefix + part`, as Keras names them."""
    inputs = x
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        # Fused: the expansion is a full convolution that also strides.
        kernel, stride = (_KERNEL_SIZE, strides) if fused else (1, 1)
        x = _conv(x, filters, kernel, f"{prefix}expand_conv", strides=stride)
        x = _batch_norm(x, f"{prefix}expand_bn")
        x = layers.Activation(_ACTIVATION, name=f"{prefix}expand_activation")(x)
    if not fused:
        x = layers.DepthwiseConv2D(
            _KERNEL_SIZE,
            strides=strides,
            padding="same",
            use_bias=False,
            depthwise_initializer=_conv_initializer(),
            name=f"{prefix}dwconv2",
        )(x)
        x = _batch_norm(x, f"{prefix}bn")
        x = layers.Activation(_ACTIVATION, name=f"{prefix}activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), prefix, _ACTIVATION)
    # A fused block without expansion has no convolution yet: the projection
    # takes the kernel and the stride, and an activation.
    alone = fused and expand_ratio == 1
    x = _conv(
        x,
        filters_out,
        _KERNEL_SIZE if alone else 1,
        f"{prefix}project_conv",
        strides=strides if alone else 1,
    )
    x = _batch_norm(x, f"{prefix}project_bn")
    if alone:
        x = layers.Activation(_ACTIVATION, name=f"{prefix}project_activation")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{prefix}drop")(x)
        x = layers.add([x, inputs], name=f"{prefix}add")
    return x


def _preprocessing(x, variant, channels, channel_axis):
    if variant.startswith("b") and channels == 3:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        return layers.Normalization(
            mean=list(_IMAGENET_MEAN_RGB),
            variance=[s**2 for s in _IMAGENET_STDDEV_RGB],
            axis=channel_axis,
        )(x)
    return layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)


def _efficientnet_v2(
    variant,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    include_preprocessing,
    name,
):
    stages, width, depth, default_size = _VARIANTS[variant]
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

    x = img_input
    if include_preprocessing:
        x = _preprocessing(x, variant, input_shape[channel_axis - 1], channel_axis)
    x = _conv(x, _round_filters(stages[0][2], width), _KERNEL_SIZE, "stem_conv", strides=2)
    x = _batch_norm(x, "stem_bn")
    x = layers.Activation(_ACTIVATION, name="stem_activation")(x)

    # The drop-connect rate grows with the block's index, over the unscaled count.
    total_blocks = float(sum(stage[1] for stage in stages))
    index = 0
    for stage, (fused, repeats, filters_in, filters_out, expand, strides, se_ratio) in enumerate(
        stages, 1
    ):
        filters_in, filters_out = (
            _round_filters(filters_in, width),
            _round_filters(filters_out, width),
        )
        for repeat in range(_round_repeats(repeats, depth)):
            x = _block(
                x,
                f"block{stage}{chr(ord('a') + repeat)}_",
                fused,
                filters_in if repeat == 0 else filters_out,
                filters_out,
                expand,
                strides if repeat == 0 else 1,
                se_ratio,
                _DROP_CONNECT_RATE * index / total_blocks,
            )
            index += 1

    x = _conv(x, _round_filters(1280, width), 1, "top_conv")
    x = _batch_norm(x, "top_bn")
    x = layers.Activation(_ACTIVATION, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(_DROPOUT_RATE, name="top_dropout")(x)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=_dense_initializer(),
            bias_initializer=initializers.Constant(0.0),
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


_DOC = """The EfficientNetV2-{title} model, optionally with ImageNet weights.

    Trained at {size}x{size}. With `include_preprocessing` the model takes RGB
    pixels in [0, 255] and {scaling} itself.

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
        include_preprocessing: whether the model scales its input first; the
            ImageNet weights expect it.
        name: the model's name.

    Returns:
        A functional `Model`.

    Example:
        >>> model = lamina.applications.EfficientNetV2{title}(
        ...     weights=None, input_shape=(64, 64, 3), include_top=False, pooling="avg"
        ... )
        >>> model.output.shape[-1]
        {features}
    """


def _documented(variant):
    _, width, _, size = _VARIANTS[variant]

    def document(fn):
        fn.__doc__ = _DOC.format(
            title=variant.upper(),
            size=size,
            scaling=(
                "normalizes them by ImageNet's mean and deviation"
                if variant.startswith("b")
                else "scales them to [-1, 1]"
            ),
            features=_round_filters(1280, width),
        )
        return fn

    return document


@_documented("b0")
def EfficientNetV2B0(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-b0",
):
    return _efficientnet_v2(
        "b0",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


@_documented("b1")
def EfficientNetV2B1(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-b1",
):
    return _efficientnet_v2(
        "b1",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


@_documented("b2")
def EfficientNetV2B2(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-b2",
):
    return _efficientnet_v2(
        "b2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


@_documented("b3")
def EfficientNetV2B3(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-b3",
):
    return _efficientnet_v2(
        "b3",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


@_documented("s")
def EfficientNetV2S(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-s",
):
    return _efficientnet_v2(
        "s",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


@_documented("m")
def EfficientNetV2M(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-m",
):
    return _efficientnet_v2(
        "m",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


@_documented("l")
def EfficientNetV2L(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="efficientnetv2-l",
):
    return _efficientnet_v2(
        "l",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: EfficientNetV2 models scale their [0, 255] input
    themselves (`include_preprocessing=True`). Kept so that code written for
    every application runs."""
    return x


decode_predictions = imagenet_utils.decode_predictions
