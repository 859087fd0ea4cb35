"""`lamina.applications.resnet50`: ResNet50 under the module name Keras
also publishes it at (`keras.applications.resnet50`); the same objects as
`lamina.applications.resnet`'s."""

from __future__ import annotations

from lamina.applications.resnet import ResNet50 as ResNet50
from lamina.applications.resnet import decode_predictions as decode_predictions
from lamina.applications.resnet import preprocess_input as preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
