"""What every ImageNet application shares: input preprocessing, decoding of
predictions into class names, the input-shape rules, and the pretrained
weights, fetched once into `$LAMINA_HOME/models` and checked by hash.

Keras 3 publishes the same functions as `keras.applications.imagenet_utils`;
the weight files are Keras's own (HDF5, one group per layer), so a lamina
application names its layers exactly as Keras's does.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from lamina import activations, config, ops
from lamina.utils import file_utils

__all__ = ["decode_predictions", "preprocess_input"]

CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
_CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_class_index: dict | None = None

_MODES = ("caffe", "tf", "torch")
# ImageNet's mean pixel in BGR order (caffe), and its RGB mean and deviation
# for images scaled to [0, 1] (torch).
_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def _data_format(data_format):
    if data_format is None:
        return config.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            f"data_format={data_format!r} is not a data format: expected 'channels_first', "
            "'channels_last' or None (the configured image_data_format)."
        )
    return data_format


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale a batch of RGB images in [0, 255] the way a pretrained model expects.

    Args:
        x: a float NumPy array (changed in place when its dtype allows it) or a
            tensor, 3-D or 4-D, with 3 color channels.
        data_format: where the channels are; None means the configured
            `image_data_format`.
        mode: "caffe" (RGB to BGR, then minus ImageNet's mean pixel),
            "tf" (scaled to [-1, 1]) or "torch" (scaled to [0, 1], then
            normalized by ImageNet's per-channel mean and deviation).

    Returns:
        The preprocessed images, float.

    Example:
        >>> x = np.full((1, 224, 224, 3), 255.0, "float32")
        >>> lamina.applications.imagenet_utils.preprocess_input(x, mode="tf")[0, 0, 0]
        array([1., 1., 1.], dtype=float32)
    """
    if mode not in _MODES:
        raise ValueError(
            f"mode={mode!r} is not a preprocessing mode: expected one of {', '.join(_MODES)}."
        )
    data_format = _data_format(data_format)
    if isinstance(x, np.ndarray):
        return _preprocess_array(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_axis(ndim: int, data_format: str) -> int:
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def _preprocess_array(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(config.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = _channel_axis(x.ndim, data_format)
    shape = [1] * x.ndim
    shape[axis] = 3
    if mode == "torch":
        x /= 255.0
        x -= np.reshape(np.asarray(_TORCH_MEAN, x.dtype), shape)
        x /= np.reshape(np.asarray(_TORCH_STD, x.dtype), shape)
        return x
    x = np.flip(x, axis=axis)  # RGB -> BGR, a view
    x -= np.reshape(np.asarray(_CAFFE_MEAN, x.dtype), shape)
    return x


def _preprocess_tensor(x, data_format: str, mode: str):
    ndim = len(x.shape)
    if mode == "tf":
        return x / 127.5 - 1.0
    axis = _channel_axis(ndim, data_format)
    shape = [1] * ndim
    shape[axis] = 3
    if mode == "torch":
        mean = ops.reshape(ops.convert_to_tensor(np.asarray(_TORCH_MEAN), x.dtype), shape)
        std = ops.reshape(ops.convert_to_tensor(np.asarray(_TORCH_STD), x.dtype), shape)
        return (x / 255.0 - mean) / std
    x = ops.flip(x, axis=axis)
    mean = ops.reshape(ops.convert_to_tensor(np.asarray(_CAFFE_MEAN), x.dtype), shape)
    return x - mean


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes of each prediction, best first.

    The class index (`imagenet_class_index.json`) is fetched once into
    `$LAMINA_HOME/models` and checked against its published hash.

    Args:
        preds: predictions of shape (samples, 1000), an array or a tensor.
        top: how many classes to return per sample.

    Returns:
        One list per sample of `(class_id, class_name, score)` tuples, for
        example `("n02504458", "African_elephant", 0.82)`.
    """
    global _class_index
    preds = ops.convert_to_numpy(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "decode_predictions expects ImageNet predictions of shape (samples, 1000); "
            f"got shape {preds.shape}. Pass the output of a model with include_top=True "
            "and classes=1000."
        )
    if _class_index is None:
        path = file_utils.get_file(
            "imagenet_class_index.json",
            CLASS_INDEX_PATH,
            cache_subdir="models",
            file_hash=_CLASS_INDEX_HASH,
        )
        with open(path, encoding="utf-8") as f:
            _class_index = json.load(f)
    results = []
    for pred in preds:
        best = np.argsort(pred, kind="stable")[-top:][::-1]
        row = [(*_class_index[str(i)], pred[i]) for i in best]
        row.sort(key=lambda item: item[2], reverse=True)
        results.append(row)
    return results


def obtain_input_shape(
    input_shape, default_size, min_size, data_format, require_flatten, weights=None
):
    """The model's input shape: the user's, checked, or the default.

    With `weights="imagenet"` the images need 3 channels, and with a
    classifier on top (`require_flatten`) exactly the size the weights were
    trained at. Without a top, height and width may be None.
    """
    channels_last = data_format != "channels_first"

    def shape_of(size, channels):
        return (size, size, channels) if channels_last else (channels, size, size)

    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[-1] if channels_last else input_shape[0]
        if channels not in (1, 3):
            warnings.warn(
                f"input_shape={tuple(input_shape)} has {channels} channels; these models "
                "usually take 1 or 3.",
                stacklevel=3,
            )
        default_shape = shape_of(default_size, channels)
    else:
        default_shape = shape_of(default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(
                f"input_shape={tuple(input_shape)} does not fit the ImageNet weights with "
                f"include_top=True: they need input_shape={default_shape}. Pass that shape, "
                "or include_top=False to use another size."
            )
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(
                f"input_shape={input_shape} must be 3 integers: "
                + ("(height, width, channels)." if channels_last else "(channels, height, width).")
            )
        channels = input_shape[-1] if channels_last else input_shape[0]
        if weights == "imagenet" and channels != 3:
            raise ValueError(
                f"input_shape={input_shape} has {channels} channels; the ImageNet weights "
                "need 3 (RGB images)."
            )
        spatial = input_shape[:2] if channels_last else input_shape[1:]
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(
                f"input_shape={input_shape} is too small: this model needs height and width "
                f"of at least {min_size}."
            )
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (None, None, 3) if channels_last else (3, None, None)
    if require_flatten and None in input_shape:
        raise ValueError(
            f"input_shape={input_shape} has an unknown size, which include_top=True cannot "
            "take: give a full input_shape, or use include_top=False."
        )
    return input_shape


def correct_pad(inputs, kernel_size):
    """The zero padding that makes a strided 'valid' convolution centre as
    'same' does: ((top, bottom), (left, right))."""
    first = 2 if config.image_data_format() == "channels_first" else 1
    size = inputs.shape[first : first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def validate_activation(classifier_activation, weights):
    """Pretrained weights were trained with a softmax top: only softmax or
    None (logits) may replace it."""
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in (activations.get("softmax"), activations.get(None)):
        raise ValueError(
            f"classifier_activation={classifier_activation!r} does not fit pretrained "
            "weights: use 'softmax' or None (logits), or weights=None to train from scratch."
        )


# --------------------------------------------------------------------------- shared by the models


def check_weights_argument(weights, include_top, classes, classifier_activation="softmax"):
    """The checks every application makes of its arguments before building:
    `weights`, `classes` and, with a top, `classifier_activation`."""
    if not (weights in ("imagenet", None) or _is_file(weights)):
        raise ValueError(
            f"weights={weights!r} is neither None (random initialization), 'imagenet' "
            "(pretrained weights) nor the path of an existing weights file."
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            f"classes={classes} does not fit the ImageNet weights with include_top=True, "
            "which have 1000 classes. Use classes=1000, or include_top=False and your own "
            "classifier."
        )
    if include_top:
        validate_activation(classifier_activation, weights)


def _is_file(path) -> bool:
    try:
        return os.path.isfile(path)
    except TypeError:
        return False


def image_input(input_tensor, input_shape):
    """The model's input: a new `Input`, or the caller's tensor (wrapped in an
    `Input` when it is not symbolic)."""
    from lamina import layers
    from lamina.utils.keras_tensor_utils import is_keras_tensor

    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if is_keras_tensor(input_tensor):
        return input_tensor
    return layers.Input(tensor=input_tensor, shape=input_shape)


def model_inputs(input_tensor, img_input):
    """The inputs the model is built from: those `input_tensor` comes from, or
    the image input."""
    if input_tensor is None:
        return img_input
    from lamina.utils.keras_tensor_utils import get_source_inputs

    return get_source_inputs(input_tensor)


def load_weights(model, weights, file_name=None, origin=None, file_hash=None):
    """Give `model` its weights: the published file for 'imagenet' (fetched
    once, checked by hash), or the user's file; None keeps the random ones."""
    if weights == "imagenet":
        path = file_utils.get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
