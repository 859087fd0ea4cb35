"""Whether this process is the `lamina` command line tool.

The CLI must work when the configuration is broken or the engine is missing
(`lamina config validate`, `lamina doctor` report those problems), so in that
case `import lamina` loads neither the engine nor the API; each command loads
what it needs and reports failures itself.
"""

from __future__ import annotations

import os
import sys

_api_requested = False


def active() -> bool:
    """True in the `lamina` command line tool, until a command calls `load_api()`."""
    if _api_requested:
        return False
    argv = list(getattr(sys, "orig_argv", []))
    for i, arg in enumerate(argv[:-1]):
        if arg == "-m":
            return argv[i + 1] in ("lamina", "lamina.cli")
    main = sys.modules.get("__main__")
    script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return script in ("lamina", "lamina.exe") and getattr(main, "__spec__", None) is None


def load_api():
    """Load the engine and the public API into `lamina`, for a command that needs them.

    Returns the `lamina` module, as `import lamina` gives it outside the CLI.
    """
    global _api_requested
    import importlib

    import lamina

    reload = active()
    _api_requested = True
    if reload:
        lamina = importlib.reload(lamina)
    return lamina
