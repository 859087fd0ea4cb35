"""Activation layers: ReLU, LeakyReLU, PReLU, ELU and Softmax, as Keras 3 has them."""

from lamina.layers.activations.elu import ELU as ELU
from lamina.layers.activations.leaky_relu import LeakyReLU as LeakyReLU
from lamina.layers.activations.prelu import PReLU as PReLU
from lamina.layers.activations.relu import ReLU as ReLU
from lamina.layers.activations.softmax import Softmax as Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
