"""ResNet50, ResNet101 and ResNet152: a 7x7 stem, then four stages of
bottleneck blocks (1x1, 3x3, 1x1 convolutions, each batch-normalized) whose
input is added back to their output.

ResNetV2 (`lamina.applications.resnet_v2`) builds on the same stages with the
normalization moved before each convolution.

Reference: He, Zhang, Ren and Sun, "Deep Residual Learning for Image
Recognition" (CVPR 2016).
"""

from __future__ import annotations

from lamina import config, layers
from lamina.applications import imagenet_utils

__all__ = ["ResNet50", "ResNet101", "ResNet152", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"


def _weight_files(weights_name, top_hash, notop_hash):
    """{include_top: (file name, URL, md5)} of a published ResNet."""
    files = {}
    for include_top, suffix, file_hash in ((True, "", top_hash), (False, "_notop", notop_hash)):
        file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        files[include_top] = (file_name, BASE_WEIGHTS_PATH + file_name, file_hash)
    return files


WEIGHTS = {
    "resnet50": _weight_files(
        "resnet50", "2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"
    ),
    "resnet101": _weight_files(
        "resnet101", "f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"
    ),
    "resnet152": _weight_files(
        "resnet152", "100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"
    ),
}

# Bottleneck width of the four stages (the blocks output four times as many
# channels), and the stages' names, as the weight files have them.
_STAGE_FILTERS = (64, 128, 256, 512)
_STAGE_NAMES = ("conv2", "conv3", "conv4", "conv5")
_BN_EPSILON = 1.001e-5


def ResNet50(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet50",
):
    """The ResNet50 model (3, 4, 6 and 3 bottleneck blocks), optionally with
    ImageNet weights. Its images go through `resnet.preprocess_input` first.

    Args:
        include_top: whether to end with global average pooling and the
            dense classifier.
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
        A functional `Model`.

    Example:
        >>> model = lamina.applications.ResNet50(weights=None, input_shape=(32, 32, 3), include_top=False)
        >>> model.output.shape
        (None, 1, 1, 2048)
    """
    return _build_resnet(
        (3, 4, 6, 3),
        False,
        WEIGHTS["resnet50"],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet101(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet101",
):
    """The ResNet101 model (3, 4, 23 and 3 bottleneck blocks), optionally with
    ImageNet weights; the arguments are those of `ResNet50`."""
    return _build_resnet(
        (3, 4, 23, 3),
        False,
        WEIGHTS["resnet101"],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet152(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet152",
):
    """The ResNet152 model (3, 8, 36 and 3 bottleneck blocks), optionally with
    ImageNet weights; the arguments are those of `ResNet50`."""
    return _build_resnet(
        (3, 8, 36, 3),
        False,
        WEIGHTS["resnet152"],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def _build_resnet(
    blocks_per_stage,
    preact,
    weight_files,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    name,
):
    """A ResNet (v1 blocks) or, with `preact`, a ResNetV2 (pre-activation
    blocks), with `blocks_per_stage` blocks in each of the four stages."""
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=224,
        min_size=32,
        data_format=config.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    if not preact:
        x = _batch_norm("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    stage = _stage_v2 if preact else _stage_v1
    for index, blocks in enumerate(blocks_per_stage):
        x = stage(x, _STAGE_FILTERS[index], blocks, index, _STAGE_NAMES[index])
    if preact:
        x = _batch_norm("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    imagenet_utils.load_weights(model, weights, *weight_files[bool(include_top)])
    return model


def _batch_norm(name):
    axis = 1 if config.image_data_format() == "channels_first" else 3
    return layers.BatchNormalization(axis=axis, epsilon=_BN_EPSILON, name=name)


def _stage_v1(x, filters, blocks, index, name):
    # The first stage follows a max pooling and keeps its resolution; the
    # others halve it in their first block.
    stride = 1 if index == 0 else 2
    x = _block_v1(x, filters, stride, True, f"{name}_block1")
    for block in range(2, blocks + 1):
        x = _block_v1(x, filters, 1, False, f"{name}_block{block}")
    return x


def _block_v1(x, filters, stride, project, name):
    """Bottleneck block; `project` gives the shortcut a 1x1 convolution (for
    a new width or stride) instead of the identity."""
    shortcut = x
    if project:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = _batch_norm(f"{name}_0_bn")(shortcut)
    convs = ((filters, 1, stride, "valid"), (filters, 3, 1, "same"), (4 * filters, 1, 1, "valid"))
    for part, (width, kernel, strides, padding) in enumerate(convs, 1):
        x = layers.Conv2D(
            width, kernel, strides=strides, padding=padding, name=f"{name}_{part}_conv"
        )(x)
        x = _batch_norm(f"{name}_{part}_bn")(x)
        if part < 3:
            x = layers.Activation("relu", name=f"{name}_{part}_relu")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _stage_v2(x, filters, blocks, index, name):
    # ResNetV2 halves the resolution in the last block of each stage but the last.
    stride = 2 if index < len(_STAGE_FILTERS) - 1 else 1
    x = _block_v2(x, filters, 1, True, f"{name}_block1")
    for block in range(2, blocks):
        x = _block_v2(x, filters, 1, False, f"{name}_block{block}")
    return _block_v2(x, filters, stride, False, f"{name}_block{blocks}")


def _block_v2(x, filters, stride, project, name):
    """Pre-activation bottleneck block: normalization and ReLU come before
    each convolution, and nothing follows the addition."""
    preact = _batch_norm(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if project:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    elif stride > 1:
        # Subsampling only; Keras leaves this layer unnamed.
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = _batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = _batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def preprocess_input(x, data_format=None):
    """ImageNet "caffe" preprocessing: RGB to BGR, minus the mean pixel.
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
