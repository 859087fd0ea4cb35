"""get_file: download a file once into lamina's cache, check its hash, extract it."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile

from lamina._atomic import atomic_replace_from

# urllib, tarfile and zipfile are imported when used: `import lamina` stays fast.

_CHUNK = 1 << 16


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
) -> str:
    """The local path of the file at `origin`, downloaded once and cached.

    The file goes to `cache_dir/cache_subdir/fname` (by default
    `$LAMINA_HOME/datasets`, i.e. `~/.lamina/datasets`). A cached file is
    used as it is, unless its hash differs from `file_hash` or
    `force_download` is set. A download is written to a temporary file and
    renamed into place only once complete and checked, so an interrupted or
    corrupt download never leaves a file that looks valid.

    Args:
        fname: the file's name in the cache (default: the last part of
            `origin`'s path).
        origin: the URL to download from (`https://`, `http://`, `file://`).
        untar: deprecated; the same as `extract=True`.
        md5_hash: deprecated; the same as `file_hash` with an MD5 hash.
        file_hash: the expected SHA-256 or MD5 hex digest.
        cache_subdir: the folder under `cache_dir` (an absolute path is used
            as it is).
        hash_algorithm: "sha256", "md5" or "auto" (by the hash's length).
        extract: extract a tar or zip archive into `<fname>_extracted`
            next to it and return that folder.
        archive_format: "auto", "tar", "zip", or a list of them.
        cache_dir: the cache's root (default: lamina's home folder).
        force_download: download even when a cached file exists.

    Returns:
        The path of the file, or of the extracted folder with `extract=True`.
    """
    import urllib.parse

    from lamina import config

    if origin is None:
        raise ValueError(
            'get_file needs origin=, the URL to download, e.g. "https://.../data.npz".'
        )
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    extract = extract or untar
    if fname is None:
        fname = os.path.basename(urllib.parse.urlparse(origin).path)
        if not fname:
            raise ValueError(f"get_file cannot name the file from origin={origin!r}; pass fname=.")
    cache_dir = os.path.expanduser(cache_dir or config._home_in_use())
    folder = cache_subdir if os.path.isabs(cache_subdir) else os.path.join(cache_dir, cache_subdir)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, fname)

    fresh = force_download or not os.path.exists(path)
    if not fresh and file_hash is not None and not validate_file(path, file_hash, hash_algorithm):
        fresh = True  # a cached file that is not the expected one is fetched again
    if fresh:
        _download(origin, path, file_hash, hash_algorithm)
    if not extract:
        return path
    target = path + "_extracted"
    if fresh or not os.path.isdir(target):
        _extract(path, target, archive_format)
    return target


def _download(origin: str, path: str, file_hash, algorithm: str) -> None:
    import urllib.error
    import urllib.request

    fd, tmp = tempfile.mkstemp(
        prefix="." + os.path.basename(path) + ".", suffix=".part", dir=os.path.dirname(path)
    )
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(origin) as response:  # noqa: S310 - the user's URL
                    shutil.copyfileobj(response, out, _CHUNK)
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", None) or e
                raise OSError(
                    f"get_file could not download {origin}: {reason}. Check the URL and the "
                    f"network, or put the file at {path} yourself"
                    + (" (its hash is checked)." if file_hash else ".")
                ) from e
        if file_hash is not None:
            actual = _hash(tmp, resolve_algorithm(algorithm, file_hash))
            if actual != file_hash.lower():
                raise ValueError(
                    f"The file downloaded from {origin} has {resolve_algorithm(algorithm, file_hash)} "
                    f"hash {actual}, not the expected {file_hash}: it is corrupt or a different "
                    "file. Nothing was saved; try again, or check file_hash."
                )
        atomic_replace_from(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def resolve_algorithm(algorithm: str, file_hash) -> str:
    if algorithm in ("sha256", "md5"):
        return algorithm
    if algorithm != "auto":
        raise ValueError(f'hash_algorithm must be "sha256", "md5" or "auto"; got {algorithm!r}.')
    return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"


def _hash(path: str, algorithm: str) -> str:
    hasher = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()  # noqa: S324
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto") -> bool:
    """Whether the file at `fpath` has the SHA-256 or MD5 hex digest `file_hash`."""
    return _hash(fpath, resolve_algorithm(algorithm, file_hash)) == str(file_hash).lower()


def _extract(path: str, target: str, archive_format) -> None:
    import tarfile
    import zipfile

    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    formats = [formats] if isinstance(formats, str) else list(formats)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(target) + ".", dir=os.path.dirname(path))
    try:
        if "tar" in formats and tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                _check_members(path, [m.name for m in archive.getmembers()])
                if hasattr(tarfile, "data_filter"):
                    archive.extractall(tmp, filter="data")
                else:  # an older Python: the member check above is the guard
                    archive.extractall(tmp)
        elif "zip" in formats and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                _check_members(path, archive.namelist())
                archive.extractall(tmp)
        else:
            raise ValueError(
                f"get_file cannot extract {path}: it is not a {' or '.join(formats)} archive. "
                "Pass extract=False to keep the file as it is."
            )
        if os.path.isdir(target):
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _check_members(path: str, names) -> None:
    for name in names:
        parts = os.path.normpath(name).split(os.sep)
        if os.path.isabs(name) or ".." in parts:
            raise ValueError(
                f"The archive {path} holds {name!r}, a path outside its own folder; "
                "lamina does not extract it."
            )
