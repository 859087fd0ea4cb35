"""The `lamina` command line tool: `lamina config`, `lamina doctor`, `lamina demo`.

In this process `import lamina` loads neither the engine nor the API (see
`lamina._cli_mode`), so a broken configuration or a missing engine can still be
reported; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from lamina import config
from lamina._version import __version__
from lamina.cli import _config, _doctor, demo

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamina",
        description=(
            "lamina: a Keras-compatible deep-learning library over interchangeable engines. "
            "The engine and the other settings come from lamina.json and LAMINA_* variables; "
            "`lamina config show` says which."
        ),
        epilog="Run `lamina COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"lamina {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _config.add_parser(commands)
    _doctor.add_parser(commands)
    demo.add_parser(commands)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"lamina: warning: {message}", file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line tool; return its exit status (2 for usage errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error (status 2)
        return e.code if isinstance(e.code, int) else 2
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except config.ConfigError as e:
            print(f"lamina: {e}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
