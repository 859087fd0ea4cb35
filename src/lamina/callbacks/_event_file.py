"""TensorBoard event files, written with the standard library and NumPy alone.

An event file is a sequence of TFRecords, each holding one serialized `Event`
protobuf message. A record is

    uint64 length, uint32 masked CRC32C of those 8 bytes,
    the message, uint32 masked CRC32C of the message

(little-endian). The first event of a file names its format,
`file_version: "brain.Event:2"`. The messages are encoded here by hand: only
the few fields TensorBoard reads for scalars, histograms, images and tensors.

Field numbers (from TensorFlow's event.proto and summary.proto):

    Event:          wall_time 1 (double), step 2 (int64), file_version 3 (string),
                    summary 5 (Summary)
    Summary:        value 1 (repeated Value)
    Summary.Value:  tag 1, simple_value 2 (float), image 4 (Image),
                    histo 5 (HistogramProto), tensor 8 (TensorProto),
                    metadata 9 (SummaryMetadata)
    Image:          height 1, width 2, colorspace 3, encoded_image_string 4
    HistogramProto: min 1, max 2, num 3, sum 4, sum_squares 5 (doubles),
                    bucket_limit 6, bucket 7 (packed doubles)
    SummaryMetadata: plugin_data 1 (PluginData: plugin_name 1, content 2)
    TensorProto:    dtype 1 (DT_STRING = 7), tensor_shape 2, string_val 8
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
import zlib

import numpy as np

FILE_VERSION = "brain.Event:2"

# ------------------------------------------------------------------ CRC32C


def _crc32c_table() -> tuple:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1  # Castagnoli, reflected
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) checksum of `data`."""
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The checksum as TFRecords store it: rotated right by 15 bits, plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data: bytes) -> bytes:
    """`data` framed as one TFRecord."""
    length = struct.pack("<Q", len(data))
    return (
        length
        + struct.pack("<I", masked_crc32c(length))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


# ------------------------------------------------------------------ protobuf wire format

_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 values take ten bytes, as two's complement
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _int(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + _varint(int(value))


def _double(field: int, value: float) -> bytes:
    return _key(field, _FIXED64) + struct.pack("<d", float(value))


def _float(field: int, value: float) -> bytes:
    return _key(field, _FIXED32) + struct.pack("<f", float(value))


def _bytes(field: int, value) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return _key(field, _BYTES) + _varint(len(data)) + data


def _packed_doubles(field: int, values) -> bytes:
    return _bytes(field, np.asarray(values, "<f8").tobytes())


# ------------------------------------------------------------------ messages


def event(wall_time: float, step: int = 0, file_version=None, summary_values=None) -> bytes:
    """An `Event` message: the file's version line, or a `Summary` of `summary_values`."""
    out = _double(1, wall_time)
    if step:
        out += _int(2, step)
    if file_version is not None:
        out += _bytes(3, file_version)
    if summary_values is not None:
        out += _bytes(5, b"".join(_bytes(1, value) for value in summary_values))
    return out


def scalar_value(tag: str, value: float) -> bytes:
    """A `Summary.Value` of one number (TensorBoard's scalars)."""
    return _bytes(1, tag) + _float(2, value)


def histogram_value(tag: str, values, buckets: int = 30) -> bytes:
    """A `Summary.Value` with the `HistogramProto` of `values`: `buckets` of equal width.

    Each bucket's right edge is its limit; TensorBoard takes `min` as the left
    edge of the first. NaN and infinite values are left out; `values` must
    hold some other value.
    """
    values = np.asarray(values, np.float64).ravel()
    values = values[np.isfinite(values)]
    low, high = float(values.min()), float(values.max())
    if low == high:
        limits, counts = np.array([high]), np.array([values.size], np.float64)
    else:
        counts, edges = np.histogram(values, bins=buckets, range=(low, high))
        limits = edges[1:]
    histo = (
        _double(1, low)
        + _double(2, high)
        + _double(3, values.size)
        + _double(4, values.sum())
        + _double(5, np.dot(values, values))
        + _packed_doubles(6, limits)
        + _packed_doubles(7, counts)
    )
    return _bytes(1, tag) + _bytes(5, histo)


def image_value(tag: str, image: np.ndarray) -> bytes:
    """A `Summary.Value` of one uint8 image `(height, width, channels)`, PNG-encoded."""
    height, width, channels = image.shape
    encoded = _int(1, height) + _int(2, width) + _int(3, channels) + _bytes(4, png(image))
    return _bytes(1, tag) + _bytes(4, encoded)


def text_tensor_value(tag: str, text: str, plugin_name: str, content: bytes) -> bytes:
    """A `Summary.Value` of a scalar string tensor, marked for the TensorBoard plugin named."""
    plugin_data = _bytes(1, plugin_name) + _bytes(2, content)
    metadata = _bytes(1, plugin_data)
    tensor = _int(1, 7) + _bytes(2, b"") + _bytes(8, text)  # DT_STRING, shape [] (a scalar)
    return _bytes(1, tag) + _bytes(8, tensor) + _bytes(9, metadata)


def png(image: np.ndarray) -> bytes:
    """The PNG encoding of a uint8 image `(height, width, channels)`, 1, 3 or 4 channels."""
    height, width, channels = image.shape
    color_type = {1: 0, 3: 2, 4: 6}[channels]  # gray, RGB, RGBA

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = np.ascontiguousarray(image, np.uint8).reshape(height, width * channels)
    scanlines = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1)  # filter 0
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(scanlines.tobytes()))
        + chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------ the file

_file_ids = itertools.count()


class EventFileWriter:
    """Appends events to a new event file in `folder`.

    Every record is written whole; `flush` hands what is buffered to the
    operating system, so a reader (TensorBoard while training runs) sees
    complete records only.
    """

    def __init__(self, folder: str):
        os.makedirs(folder, exist_ok=True)
        name = (
            f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
            f"{os.getpid()}.{next(_file_ids)}.v2"
        )
        self.path = os.path.join(folder, name)
        self._file = open(self.path, "wb")  # noqa: SIM115 - open until close()
        self._file.write(record(event(time.time(), file_version=FILE_VERSION)))
        self._file.flush()

    @property
    def closed(self) -> bool:
        return self._file is None

    def write(self, step: int, values: list) -> None:
        """One event at `step` holding the `Summary.Value` messages `values`."""
        if values:
            self._file.write(record(event(time.time(), step, summary_values=values)))

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
