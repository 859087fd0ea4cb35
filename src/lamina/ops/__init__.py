"""lamina.ops: the public operations, the same on every engine.

Each op carries its docstring and shape rule and dispatches to the selected
engine's backend function.
"""

# Random and image ops keep their namespace: lamina.ops.random.normal(...), as keras.random,
# and lamina.ops.image.resize(...), as keras.ops.image.
from lamina.ops import image as image  # noqa: E402
from lamina.ops import random as random  # noqa: E402
from lamina.ops.core import *  # noqa: F401,F403
from lamina.ops.functional import *  # noqa: F401,F403
from lamina.ops.linalg import *  # noqa: F401,F403
from lamina.ops.math import *  # noqa: F401,F403
from lamina.ops.nn import *  # noqa: F401,F403
from lamina.ops.numpy import *  # noqa: F401,F403
