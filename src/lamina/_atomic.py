"""Atomic file writes: a crash mid-write never leaves a half-written file.

The data goes to a temporary file in the target's own folder (so the final
rename stays on one file system), is flushed and fsynced, and then renamed over
the target. A reader sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary sibling of `path` for writing; rename it over `path` on success."""
    if mode not in ("w", "wb"):
        raise ValueError(
            f"atomic_open() writes whole files; got mode={mode!r}, expected 'w' or 'wb'."
        )
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(
        prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder
    )
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write `data` to `path` atomically."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def atomic_replace_from(tmp_path: str, path: str | os.PathLike) -> None:
    """fsync an already written temporary file and rename it over `path`."""
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp_path, os.fspath(path))
    _fsync_folder(os.path.dirname(os.path.abspath(os.fspath(path))))


def _fsync_folder(folder: str) -> None:
    # The rename itself is durable only once the folder entry is synced.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
