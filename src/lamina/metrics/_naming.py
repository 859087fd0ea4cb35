"""Default names for optimizers and metrics: "adam", "adam_1", ... as Keras makes them."""

from __future__ import annotations

import collections
import re

_counts: collections.Counter = collections.Counter()


def to_snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(class_name: str) -> str:
    prefix = to_snake_case(class_name)
    count = _counts[prefix]
    _counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"
