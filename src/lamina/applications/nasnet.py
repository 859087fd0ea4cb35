"""NASNet-A, Mobile and Large: cells found by neural architecture search.
After a strided stem, two reduction cells, then three stacks of `num_blocks`
normal cells separated by reduction cells, each cell combining its input with
the previous cell's output through pairs of separable convolutions and
poolings.

Reference: Zoph, Vasudevan, Shlens and Le, "Learning Transferable
Architectures for Scalable Image Recognition" (CVPR 2018).

The ReLUs, additions and concatenations that Keras leaves unnamed take the
automatic names in the order Keras creates them, which this module keeps; the
layers with weights all have names of their own.
"""

from __future__ import annotations

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# Keyed by the default image size (224: Mobile, 331: Large), then include_top.
WEIGHTS = {
    224: {
        True: ("nasnet_mobile.h5", _BASE + "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
        False: (
            "nasnet_mobile_no_top.h5",
            _BASE + "NASNet-mobile-no-top.h5",
            "1ed92395b5b598bdda52abe5c0dbfd63",
        ),
    },
    331: {
        True: ("nasnet_large.h5", _BASE + "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
        False: (
            "nasnet_large_no_top.h5",
            _BASE + "NASNet-large-no-top.h5",
            "d81d89dc07e6e56530c4e77faddd61b5",
        ),
    },
}

_BN = dict(momentum=0.9997, epsilon=1e-3)


def NASNetMobile(
    input_shape=None,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="nasnet_mobile",
):
    """NASNet-A Mobile (4 @ 1056: 4 normal cells per stack, 1056 channels at
    the end), optionally with ImageNet weights.

    Args:
        input_shape: the image shape, (224, 224, 3) by default, also without
            the top; at least 32x32 without the top. Channels first when
            `image_data_format` says so. With ImageNet weights it must be
            fully known (no None).
        include_top: whether to end with global average pooling and the
            classifier.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name.

    Returns:
        A functional `Model`, for images preprocessed by
        `lamina.applications.nasnet.preprocess_input` (scaled to [-1, 1]).

    Example:
        >>> model = lamina.applications.NASNetMobile(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
        >>> model.output.shape
        (None, 1056)
    """
    if not include_top and input_shape is None:
        channels_last = config.image_data_format() == "channels_last"
        input_shape = (224, 224, 3) if channels_last else (3, 224, 224)
    return NASNet(
        input_shape,
        penultimate_filters=1056,
        num_blocks=4,
        stem_block_filters=32,
        skip_reduction=False,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=224,
        classifier_activation=classifier_activation,
        name=name,
    )


def NASNetLarge(
    input_shape=None,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="nasnet_large",
):
    """NASNet-A Large (6 @ 4032: 6 normal cells per stack, 4032 channels at
    the end), optionally with ImageNet weights.

    The arguments are `NASNetMobile`'s, except that the default image size is
    (331, 331, 3), and without the top any size (None) by default.

    Example:
        >>> model = lamina.applications.NASNetLarge(
        ...     weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
        >>> model.output.shape
        (None, 4032)
    """
    return NASNet(
        input_shape,
        penultimate_filters=4032,
        num_blocks=6,
        stem_block_filters=96,
        skip_reduction=True,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=331,
        classifier_activation=classifier_activation,
        name=name,
    )


def NASNet(
    input_shape=None,
    penultimate_filters=4032,
    num_blocks=6,
    stem_block_filters=96,
    skip_reduction=True,
    filter_multiplier=2,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes=1000,
    default_size=None,
    classifier_activation="softmax",
    name="NASNet",
):
    """A NASNet-A model of any size, as Keras's `nasnet.NASNet` builds it.

    Args:
        input_shape, include_top, weights, input_tensor, pooling, classes,
            classifier_activation, name: as for `NASNetMobile`.
        penultimate_filters: channels of the last cells' outputs (6 groups,
            each of `penultimate_filters // 24` channels times the stack's
            multiplier); a multiple of `24 * filter_multiplier ** 2`.
        num_blocks: normal cells in each of the three stacks.
        stem_block_filters: filters of the first convolution.
        skip_reduction: whether the cell after a reduction cell takes, as its
            "previous" input, the cell before the reduction (True, Large)
            instead of the reduction cell's input (False, Mobile).
        filter_multiplier: how much the cells widen at each reduction.
        default_size: the image size without an `input_shape`, 331 when
            None. ImageNet weights exist for 224 (Mobile) and 331 (Large).

    Returns:
        A functional `Model`.
    """
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    if default_size is None:
        default_size = 331
    if weights == "imagenet":
        if default_size not in WEIGHTS:
            raise ValueError(
                f"default_size={default_size} has no ImageNet weights: they exist for "
                "NASNetMobile (224) and NASNetLarge (331). Use one of them, or weights=None."
            )
        if input_shape is not None and None in tuple(input_shape):
            raise ValueError(
                f"input_shape={tuple(input_shape)} has an unknown size, which the ImageNet "
                "weights of NASNet cannot take: give every dimension, e.g. "
                f"input_shape=({default_size}, {default_size}, 3)."
            )
    if penultimate_filters % (24 * filter_multiplier**2):
        raise ValueError(
            f"penultimate_filters={penultimate_filters} must be a multiple of "
            f"24 * filter_multiplier ** 2 = {24 * filter_multiplier**2} "
            f"(filter_multiplier={filter_multiplier})."
        )
    data_format = config.image_data_format()
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=data_format,
        require_flatten=include_top,
        weights=weights,
    )
    axis = -1 if data_format == "channels_last" else 1
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = layers.Conv2D(
        stem_block_filters,
        (3, 3),
        strides=(2, 2),
        padding="valid",
        use_bias=False,
        kernel_initializer="he_normal",
        name="stem_conv1",
    )(img_input)
    x = layers.BatchNormalization(axis=axis, **_BN, name="stem_bn1")(x)

    filters = penultimate_filters // 24
    x, p = _reduction_cell(x, None, filters // filter_multiplier**2, "stem_1")
    x, p = _reduction_cell(x, p, filters // filter_multiplier, "stem_2")
    for stack in range(3):
        if stack:
            width = filters * filter_multiplier**stack
            x, before = _reduction_cell(x, p, width, f"reduce_{stack * num_blocks}")
            if not skip_reduction:
                p = before
        for i in range(num_blocks):
            # Numbered on from the reduction cells' numbers: 0..N-1, N+1..2N, 2N+1..3N.
            block_id = f"{stack * num_blocks + i + (1 if stack else 0)}"
            x, p = _normal_cell(x, p, filters * filter_multiplier**stack, block_id)
    x = layers.Activation("relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        imagenet_utils.load_weights(model, weights, *WEIGHTS[default_size][bool(include_top)])
    else:
        imagenet_utils.load_weights(model, weights)
    return model


def _channel_axis():
    return -1 if config.image_data_format() == "channels_last" else 1


def _relu_conv_bn(x, filters, name, bn_name):
    """ReLU, 1x1 convolution, batch normalization."""
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(
        filters,
        (1, 1),
        strides=(1, 1),
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
        name=name,
    )(x)
    return layers.BatchNormalization(axis=_channel_axis(), **_BN, name=bn_name)(x)


def _separable(x, filters, kernel_size=(3, 3), strides=(1, 1), block_id=""):
    """Twice ReLU, separable convolution, batch normalization; the first
    convolution strided (its input padded as 'same' would centre it)."""
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    x = layers.Activation("relu")(x)
    padding = "same"
    if strides == (2, 2):
        pad = imagenet_utils.correct_pad(x, kernel_size)
        x = layers.ZeroPadding2D(padding=pad, name=f"separable_conv_1_pad_{block_id}")(x)
        padding = "valid"
    for i in (1, 2):
        if i == 2:
            x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(
            filters,
            kernel_size,
            strides=strides if i == 1 else (1, 1),
            padding=padding if i == 1 else "same",
            use_bias=False,
            name=f"separable_conv_{i}_{block_id}",
        )(x)
        x = layers.BatchNormalization(
            axis=_channel_axis(), **_BN, name=f"separable_conv_{i}_bn_{block_id}"
        )(x)
    return x


def _adjust(p, ip, filters, block_id):
    """The previous cell's output `p` made to fit this cell's input `ip`:
    halved in size (two offset 1x1 paths) when it is larger, projected when
    its channels differ; `ip` itself for the first cell."""
    axis = _channel_axis()
    width_axis = -2 if axis == -1 else 2
    if p is None:
        return ip
    if p.shape[width_axis] != ip.shape[width_axis]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        halves = []
        for i in (1, 2):
            half = p
            if i == 2:  # shifted by one pixel: the pixels the first path skips
                half = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(half)
                half = layers.Cropping2D(cropping=((1, 0), (1, 0)))(half)
            half = layers.AveragePooling2D(
                (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_{i}_{block_id}"
            )(half)
            half = layers.Conv2D(
                filters // 2,
                (1, 1),
                padding="same",
                use_bias=False,
                kernel_initializer="he_normal",
                name=f"adjust_conv_{i}_{block_id}",
            )(half)
            halves.append(half)
        p = layers.concatenate(halves, axis=axis)
        return layers.BatchNormalization(axis=axis, **_BN, name=f"adjust_bn_{block_id}")(p)
    if p.shape[axis] != filters:
        return _relu_conv_bn(
            p, filters, f"adjust_conv_projection_{block_id}", f"adjust_bn_{block_id}"
        )
    return p


def _avg_pool(x, strides, name):
    padding = "same" if strides == (1, 1) else "valid"
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _max_pool(x, name):
    return layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name=name)(x)


def _normal_cell(ip, p, filters, block_id):
    """Five pairs of operations on this cell's input `h` and the previous
    cell's `p`, each pair added; `p` and the five sums concatenated."""
    p = _adjust(p, ip, filters, block_id)
    h = _relu_conv_bn(ip, filters, f"normal_conv_1_{block_id}", f"normal_bn_1_{block_id}")

    def add(i, a, b):
        return layers.add([a, b], name=f"normal_add_{i}_{block_id}")

    def side(i, which):
        return f"normal_{which}{i}_{block_id}"

    x1 = add(
        1,
        _separable(h, filters, (5, 5), block_id=side(1, "left")),
        _separable(p, filters, block_id=side(1, "right")),
    )
    x2 = add(
        2,
        _separable(p, filters, (5, 5), block_id=side(2, "left")),
        _separable(p, filters, (3, 3), block_id=side(2, "right")),
    )
    x3 = add(3, _avg_pool(h, (1, 1), side(3, "left")), p)
    x4 = add(4, _avg_pool(p, (1, 1), side(4, "left")), _avg_pool(p, (1, 1), side(4, "right")))
    x5 = add(5, _separable(h, filters, block_id=side(5, "left")), h)
    x = layers.concatenate(
        [p, x1, x2, x3, x4, x5], axis=_channel_axis(), name=f"normal_concat_{block_id}"
    )
    return x, ip


def _reduction_cell(ip, p, filters, block_id):
    """Like the normal cell with strided operations: half the size, and the
    four last sums concatenated."""
    p = _adjust(p, ip, filters, block_id)
    h = _relu_conv_bn(ip, filters, f"reduction_conv_1_{block_id}", f"reduction_bn_1_{block_id}")
    h3 = layers.ZeroPadding2D(
        padding=imagenet_utils.correct_pad(h, 3), name=f"reduction_pad_1_{block_id}"
    )(h)
    half = (2, 2)

    def name(what):
        return f"reduction_{what}_{block_id}"

    x1 = layers.add(
        [
            _separable(h, filters, (5, 5), half, block_id=name("left1")),
            _separable(p, filters, (7, 7), half, block_id=name("right1")),
        ],
        name=name("add_1"),
    )
    x2 = layers.add(
        [
            _max_pool(h3, name("left2")),
            _separable(p, filters, (7, 7), half, block_id=name("right2")),
        ],
        name=name("add_2"),
    )
    x3 = layers.add(
        [
            _avg_pool(h3, half, name("left3")),
            _separable(p, filters, (5, 5), half, block_id=name("right3")),
        ],
        name=name("add3"),
    )
    x4 = layers.add([x2, _avg_pool(x1, (1, 1), name("left4"))])
    x5 = layers.add(
        [
            _separable(x1, filters, (3, 3), block_id=name("left4")),
            _max_pool(h3, name("right5")),
        ],
        name=name("add4"),
    )
    x = layers.concatenate([x2, x3, x4, x5], axis=_channel_axis(), name=name("concat"))
    return x, ip


def preprocess_input(x, data_format=None):
    """ImageNet "tf" preprocessing: scaled from [0, 255] to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
