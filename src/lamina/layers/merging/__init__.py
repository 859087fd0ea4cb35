"""Merging layers: combine a list of tensors into one."""

from lamina.layers.merging.add import Add as Add
from lamina.layers.merging.add import add as add
from lamina.layers.merging.average import Average as Average
from lamina.layers.merging.average import average as average
from lamina.layers.merging.concatenate import Concatenate as Concatenate
from lamina.layers.merging.concatenate import concatenate as concatenate
from lamina.layers.merging.dot import Dot as Dot
from lamina.layers.merging.dot import dot as dot
from lamina.layers.merging.maximum import Maximum as Maximum
from lamina.layers.merging.maximum import maximum as maximum
from lamina.layers.merging.minimum import Minimum as Minimum
from lamina.layers.merging.minimum import minimum as minimum
from lamina.layers.merging.multiply import Multiply as Multiply
from lamina.layers.merging.multiply import multiply as multiply
from lamina.layers.merging.subtract import Subtract as Subtract
from lamina.layers.merging.subtract import subtract as subtract

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
