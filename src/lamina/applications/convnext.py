"""ConvNeXt Tiny, Small, Base, Large and XLarge: a ResNet modernized toward
vision transformers: patchify stem, 7x7 depthwise convolutions, inverted
bottlenecks of dense layers, LayerNorm, GELU and per-channel layer scale.

Reference: Liu et al., "A ConvNet for the 2020s" (CVPR 2022).

With `include_preprocessing=True` (the default) the models take pixels in
[0, 255] and normalize them inside, so `preprocess_input` returns its input
unchanged. ConvNeXt needs the channels_last image format.
"""

from __future__ import annotations

import numpy as np

from lamina import config, initializers, layers, ops, random, saving
from lamina.applications import imagenet_utils

__all__ = [
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtSmall",
    "ConvNeXtTiny",
    "ConvNeXtXLarge",
    "LayerScale",
    "StochasticDepth",
    "decode_predictions",
    "preprocess_input",
]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
_HASHES = {
    "tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}
# (variant, include_top) -> (file name, URL, sha256).
WEIGHTS = {
    (variant, top): (
        f"convnext_{variant}{suffix}",
        f"{_BASE}convnext_{variant}{suffix}",
        hashes[0 if top else 1],
    )
    for variant, hashes in _HASHES.items()
    for top, suffix in ((True, ".h5"), (False, "_notop.h5"))
}

# variant -> (blocks per stage, channels per stage)
_VARIANTS = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}
_DEFAULT_SIZE = 224
_EPSILON = 1e-6
# ImageNet's per-channel statistics, for pixels in [0, 255].
_MEAN_RGB = tuple(255 * m for m in (0.485, 0.456, 0.406))
_VARIANCE_RGB = tuple((255 * s) ** 2 for s in (0.229, 0.224, 0.225))


class LayerScale(layers.Layer):
    """Multiplies each channel (the last axis) by a learned factor, which
    starts small so that a residual branch starts close to silent.

    Reference: Touvron et al., "Going deeper with Image Transformers" (2021).

    Args:
        init_values: the factors' initial value, e.g. 1e-6.
        projection_dim: the number of channels.

    Example:
        >>> layer = LayerScale(0.5, 3)
        >>> layer(np.ones((1, 3)))
        array([[0.5, 0.5, 0.5]], dtype=float32)
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(
            name="gamma",
            shape=(self.projection_dim,),
            initializer=initializers.Constant(self.init_values),
            trainable=True,
        )
        self.built = True

    def call(self, inputs):
        return ops.multiply(inputs, ops.cast(self.gamma, self.compute_dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"init_values": self.init_values, "projection_dim": self.projection_dim})
        return config


class StochasticDepth(layers.Layer):
    """While training, drops a residual branch for whole samples at random
    (rate `drop_path_rate`), scaling the kept ones by `1 / (1 - rate)`; at
    inference it returns its input.

    Reference: Huang et al., "Deep Networks with Stochastic Depth" (ECCV 2016).

    Args:
        drop_path_rate: the probability of dropping a sample's branch, in [0, 1].

    Example:
        >>> layer = StochasticDepth(0.5)
        >>> layer(np.ones((4, 2)), training=True)  # each row all 0 or all 2
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= drop_path_rate <= 1:
            raise ValueError(
                f"StochasticDepth: drop_path_rate must be in [0, 1]; got {drop_path_rate!r}."
            )
        self.drop_path_rate = drop_path_rate
        self.seed_generator = random.SeedGenerator()

    def call(self, inputs, training=False):
        if not training or not self.drop_path_rate:
            return inputs
        noise_shape = (ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
        return random.dropout(
            inputs, self.drop_path_rate, noise_shape=noise_shape, seed=self.seed_generator
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"drop_path_rate": self.drop_path_rate})
        return config


# Keras writes these classes with their plain names as registered_name: file
# them under those names, so Keras's files load.
for _cls in (LayerScale, StochasticDepth):
    saving.get_custom_objects().setdefault(_cls.__name__, _cls)


def _layer_norm(name=None):
    return layers.LayerNormalization(epsilon=_EPSILON, name=name)


def _convnext_block(x, prefix, channels, drop_path_rate, layer_scale_init_value):
    """Depthwise 7x7 convolution, LayerNorm, an inverted bottleneck of two
    dense layers (4x wider, GELU), layer scale, and the residual connection."""
    inputs = x
    x = layers.Conv2D(
        channels, 7, padding="same", groups=channels, name=f"{prefix}_depthwise_conv"
    )(x)
    x = _layer_norm(f"{prefix}_layernorm")(x)
    x = layers.Dense(4 * channels, name=f"{prefix}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{prefix}_gelu")(x)
    x = layers.Dense(channels, name=f"{prefix}_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = LayerScale(layer_scale_init_value, channels, name=f"{prefix}_layer_scale")(x)
    if drop_path_rate:
        x = StochasticDepth(drop_path_rate, name=f"{prefix}_stochastic_depth")(x)
    else:
        x = layers.Activation("linear", name=f"{prefix}_identity")(x)
    return inputs + x


def _downsampling(stage, channels, name):
    """The stem (a 4x4 patchify convolution, then LayerNorm) before stage 0;
    LayerNorm then a 2x2 strided convolution before the others."""
    from lamina.models import Sequential

    if stage == 0:
        return Sequential(
            [
                layers.Conv2D(channels, 4, strides=4, name=f"{name}_stem_conv"),
                _layer_norm(f"{name}_stem_layernorm"),
            ],
            name=f"{name}_stem",
        )
    i = stage - 1
    return Sequential(
        [
            _layer_norm(f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(channels, 2, strides=2, name=f"{name}_downsampling_conv_{i}"),
        ],
        name=f"{name}_downsampling_block_{i}",
    )


def _convnext(
    variant,
    include_top,
    include_preprocessing,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
    name,
    drop_path_rate=0.0,
    layer_scale_init_value=1e-6,
):
    depths, channels = _VARIANTS[variant]
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "ConvNeXt needs the channels_last image data format (its pointwise layers are "
            "Dense layers over the last axis); image_data_format is 'channels_first'. Set "
            "LAMINA_IMAGE_DATA_FORMAT=channels_last, or call "
            "lamina.config.set_image_data_format('channels_last') before building it."
        )
    imagenet_utils.check_weights_argument(weights, include_top, classes, classifier_activation)
    default_name = f"convnext_{variant}"
    if weights == "imagenet" and name != default_name:
        raise ValueError(
            f"name={name!r} does not fit the ImageNet weights, whose layer names begin with "
            f"the model's name: use name={default_name!r}, or weights=None."
        )
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=_DEFAULT_SIZE,
        min_size=32,
        data_format="channels_last",
        require_flatten=include_top,
        weights=weights,
    )
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(
            mean=list(_MEAN_RGB),
            variance=list(_VARIANCE_RGB),
            name=f"{name}_prestem_normalization",
        )(x)
    # Stochastic depth grows linearly over all the blocks.
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    index = 0
    for stage, (depth, width) in enumerate(zip(depths, channels)):
        x = _downsampling(stage, width, name)(x)
        for block in range(depth):
            x = _convnext_block(
                x,
                f"{name}_stage_{stage}_block_{block}",
                width,
                rates[index],
                layer_scale_init_value,
            )
            index += 1

    if include_top:
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = _layer_norm(f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        # Unnamed in Keras: the name a fresh Keras session gives it, so the
        # layer names do not depend on what the session built before.
        x = _layer_norm("layer_normalization")(x)

    from lamina.models import Model

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    imagenet_utils.load_weights(model, weights, *WEIGHTS[variant, bool(include_top)])
    return model


_DOC = """The ConvNeXt-{title} model, optionally with ImageNet weights.

    Stages of {depths} blocks with {channels} channels, trained at 224x224.
    With `include_preprocessing` the model takes RGB pixels in [0, 255] and
    normalizes them itself. It needs the channels_last image format.

    Args:
        include_top: whether to end with global pooling, LayerNorm and the
            dense classifier; without them the model ends with a LayerNorm
            (after the pooling, if any).
        include_preprocessing: whether the model normalizes its input first;
            the ImageNet weights expect it.
        weights: None (random initialization), "imagenet" (fetched once into
            `$LAMINA_HOME/models`) or the path of a weights file.
        input_tensor: a tensor to use as the image input, instead of a new
            `Input`.
        input_shape: the image shape, (224, 224, 3) by default; at least
            32x32 without the top.
        pooling: without the top, None (4-D feature maps), "avg" or "max"
            (global pooling to one vector per image).
        classes: number of classes of the top; 1000 with ImageNet weights.
        classifier_activation: the top's activation, "softmax" or None
            (logits) with pretrained weights.
        name: the model's name, which begins every layer's name; the ImageNet
            weights need the default.

    Returns:
        A functional `Model`.

    Example:
        >>> model = lamina.applications.ConvNeXt{title}(
        ...     weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg"
        ... )
        >>> model.output.shape
        (None, {features})
    """


def _documented(variant):
    depths, channels = _VARIANTS[variant]

    def document(fn):
        fn.__doc__ = _DOC.format(
            title="XLarge" if variant == "xlarge" else variant.capitalize(),
            depths=", ".join(map(str, depths)),
            channels=", ".join(map(str, channels)),
            features=channels[-1],
        )
        return fn

    return document


@_documented("tiny")
def ConvNeXtTiny(
    include_top=True,
    include_preprocessing=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="convnext_tiny",
):
    return _convnext(
        "tiny",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("small")
def ConvNeXtSmall(
    include_top=True,
    include_preprocessing=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="convnext_small",
):
    return _convnext(
        "small",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("base")
def ConvNeXtBase(
    include_top=True,
    include_preprocessing=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="convnext_base",
):
    return _convnext(
        "base",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("large")
def ConvNeXtLarge(
    include_top=True,
    include_preprocessing=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="convnext_large",
):
    return _convnext(
        "large",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


@_documented("xlarge")
def ConvNeXtXLarge(
    include_top=True,
    include_preprocessing=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="convnext_xlarge",
):
    return _convnext(
        "xlarge",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: ConvNeXt models normalize their [0, 255] input
    themselves (`include_preprocessing=True`). Kept so that code written for
    every application runs."""
    return x


decode_predictions = imagenet_utils.decode_predictions
