"""Reading and writing the `.keras` zip archive, defensively.

Members are read into memory, never extracted to disk, and only the names the
format defines are accepted. A member whose name could point outside the
archive (`../x`, `/etc/x`, `C:\\x`) is refused outright. Each member's size is
capped and counted as it is decompressed, so a zip bomb stops at the cap.
"""

from __future__ import annotations

import os
import stat
import zipfile

from lamina.saving.serialization import DeserializationError

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
KNOWN_MEMBERS = (CONFIG, METADATA, WEIGHTS)
# Files a layer keeps beside its weights (a lookup layer's vocabulary), under
# `assets/<the layer's weights path>/`.
ASSETS = "assets/"
# JSON members are small; weights are as large as the model (allow up to 64 GiB).
MAX_JSON_BYTES = 64 << 20
MAX_WEIGHTS_BYTES = 64 << 30
# A compression ratio above this is not weights or JSON: it is a bomb.
MAX_RATIO = 1000
_CHUNK = 1 << 20


def _check_name(name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if (
        name.startswith(("/", "\\"))
        or ".." in parts
        or (len(name) > 1 and name[1] == ":")
        or "\x00" in name
    ):
        raise DeserializationError(
            f"The archive holds a member named {name!r}, a path that leaves the archive's "
            "folder. lamina refuses such files (they are a known attack); the file was not "
            "read further and nothing was written."
        )


def read_members(path) -> dict[str, bytes]:
    """The `.keras` members lamina uses, as bytes, after every safety check."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No file at {path!r}.")
    try:
        archive = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile as error:
        raise DeserializationError(
            f"{path!r} is not a valid .keras file: it is not a zip archive ({error}). The "
            "file may be truncated or not a Keras model."
        ) from error
    with archive:
        infos = archive.infolist()
        for info in infos:
            _check_name(info.filename)
        members = {}
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue
            if name not in KNOWN_MEMBERS and not name.startswith(ASSETS):
                if name == "model.weights.npz":
                    raise DeserializationError(
                        f"{path!r} stores its weights as model.weights.npz; lamina reads the "
                        "model.weights.h5 layout only. Re-save the model with Keras 3's default."
                    )
                continue
            if name in members:
                raise DeserializationError(f"{path!r} holds {name!r} twice.")
            mode = info.external_attr >> 16
            if mode and (stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
                raise DeserializationError(f"{name!r} in {path!r} is not a plain file.")
            members[name] = _read_member(archive, info, path)
    for required in (CONFIG, WEIGHTS):
        if required not in members:
            raise DeserializationError(
                f"{path!r} has no {required!r}: it is not a complete .keras file "
                f"(members: {sorted(m.filename for m in infos)[:20]})."
            )
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> bytes:
    large = info.filename == WEIGHTS or info.filename.startswith(ASSETS)
    cap = MAX_WEIGHTS_BYTES if large else MAX_JSON_BYTES
    if info.file_size > cap:
        raise DeserializationError(
            f"{info.filename!r} in {path!r} declares {info.file_size} bytes, over the "
            f"{cap}-byte limit for this member."
        )
    if (
        info.compress_size
        and info.file_size / info.compress_size > MAX_RATIO
        and (info.file_size > _CHUNK)
    ):
        raise DeserializationError(
            f"{info.filename!r} in {path!r} expands {info.file_size // info.compress_size}-fold "
            "when decompressed: refused as a decompression bomb."
        )
    chunks, total = [], 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > min(cap, info.file_size):
                    raise DeserializationError(
                        f"{info.filename!r} in {path!r} decompresses to more than it declares: "
                        "refused as a decompression bomb or a corrupt archive."
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as error:
        raise DeserializationError(
            f"Could not read {info.filename!r} from {path!r}: {error}. The file is damaged or "
            "truncated."
        ) from error
    except RuntimeError as error:  # encrypted members
        raise DeserializationError(f"Could not read {info.filename!r}: {error}.") from error
    return b"".join(chunks)


def write_archive(fileobj, members: dict[str, bytes]) -> None:
    """Write `members` (in the given order) as an uncompressed zip, as Keras 3 does."""
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
