"""lamina.datasets: Keras's small datasets, downloaded once into lamina's cache."""

from lamina.datasets import mnist as mnist

__all__ = ["mnist"]
