"""Regularization layers: random noise and dropout, active only while training."""

from lamina.layers.regularization.dropout import Dropout as Dropout
from lamina.layers.regularization.gaussian_dropout import GaussianDropout as GaussianDropout
from lamina.layers.regularization.gaussian_noise import GaussianNoise as GaussianNoise
from lamina.layers.regularization.spatial_dropout import SpatialDropout1D as SpatialDropout1D
from lamina.layers.regularization.spatial_dropout import SpatialDropout2D as SpatialDropout2D

__all__ = ["Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D"]
