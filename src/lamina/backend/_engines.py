"""What lamina knows about each engine; defined in `lamina._engines`.

The definitions live outside this package so that the command line tool can
list the engines without importing `lamina.backend`, which selects one.
"""

from lamina._engines import CONTRACT_MODULES as CONTRACT_MODULES
from lamina._engines import ENGINES as ENGINES
from lamina._engines import IMPLEMENTED as IMPLEMENTED
from lamina._engines import OPTIONAL_MODULES as OPTIONAL_MODULES
from lamina._engines import Engine as Engine
from lamina._engines import EngineNotAvailableError as EngineNotAvailableError
from lamina._engines import EngineNotInstalledError as EngineNotInstalledError
