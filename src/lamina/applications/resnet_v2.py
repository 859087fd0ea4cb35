"""ResNet50V2, ResNet101V2 and ResNet152V2: ResNet with pre-activation
blocks, where batch normalization and ReLU come before each convolution and
the shortcut is a clean identity path.

Reference: He, Zhang, Ren and Sun, "Identity Mappings in Deep Residual
Networks" (ECCV 2016).
"""

from __future__ import annotations

from lamina.applications import imagenet_utils
from lamina.applications.resnet import _build_resnet, _weight_files

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "decode_predictions", "preprocess_input"]

WEIGHTS = {
    "resnet50v2": _weight_files(
        "resnet50v2", "3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"
    ),
    "resnet101v2": _weight_files(
        "resnet101v2", "6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"
    ),
    "resnet152v2": _weight_files(
        "resnet152v2", "a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"
    ),
}


def ResNet50V2(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet50v2",
):
    """The ResNet50V2 model (3, 4, 6 and 3 pre-activation blocks), optionally
    with ImageNet weights. Its images go through `resnet_v2.preprocess_input`
    first.

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
        >>> model = lamina.applications.ResNet50V2(weights=None, input_shape=(32, 32, 3), include_top=False)
        >>> model.output.shape
        (None, 1, 1, 2048)
    """
    return _build_resnet(
        (3, 4, 6, 3),
        True,
        WEIGHTS["resnet50v2"],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet101V2(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet101v2",
):
    """The ResNet101V2 model (3, 4, 23 and 3 pre-activation blocks),
    optionally with ImageNet weights; the arguments are those of
    `ResNet50V2`."""
    return _build_resnet(
        (3, 4, 23, 3),
        True,
        WEIGHTS["resnet101v2"],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet152V2(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet152v2",
):
    """The ResNet152V2 model (3, 8, 36 and 3 pre-activation blocks),
    optionally with ImageNet weights; the arguments are those of
    `ResNet50V2`."""
    return _build_resnet(
        (3, 8, 36, 3),
        True,
        WEIGHTS["resnet152v2"],
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
    """ImageNet "tf" preprocessing: pixels scaled to [-1, 1].
    See `lamina.applications.imagenet_utils.preprocess_input`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
