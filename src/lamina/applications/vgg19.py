"""VGG19: VGG16 with four convolutions in each of its last three blocks.

Reference: Simonyan and Zisserman, "Very Deep Convolutional Networks for
Large-Scale Image Recognition" (ICLR 2015).
"""

from __future__ import annotations

from lamina.applications.vgg16 import _vgg, decode_predictions, preprocess_input

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
WEIGHTS = {
    True: (
        "vgg19_weights_tf_dim_ordering_tf_kernels.h5",
        _BASE + "vgg19_weights_tf_dim_ordering_tf_kernels.h5",
        "cbe5617147190e668d6c5d5026f83318",
    ),
    False: (
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _BASE + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "253f8cb515780f3b799900260a226db6",
    ),
}


def VGG19(
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="vgg19",
):
    """The VGG19 model, optionally with ImageNet weights; the arguments are
    those of `lamina.applications.VGG16`."""
    return _vgg(
        (2, 2, 4, 4, 4),
        WEIGHTS,
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )
