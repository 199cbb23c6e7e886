"""The wire format between the grader and the worker: length-prefixed frames, no pickle.

A message is one JSON frame (a dict) followed by one npy frame per name listed in
its ``"arrays"`` key. A frame is a kind byte (``J`` or ``A``), a 4-byte big-endian
length and the payload. Arrays are written with ``np.save`` and read with
``np.lib.format.read_array(..., allow_pickle=False)``, and only numeric or bool
arrays of sane shapes are accepted. The grader reads with ``Decoder``, which checks
every size before buffering and raises ``ProtocolError`` on anything malformed.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np

_HEAD = struct.Struct(">cI")
JSON_KIND, ARRAY_KIND = b"J", b"A"
MAX_JSON_BYTES = 4 * 1024**2
MAX_ARRAY_BYTES = 256 * 1024**2
MAX_ARRAYS_PER_MESSAGE = 4096
MAX_STREAM_BYTES = 1024**3  # everything one worker may send
MAX_NDIM = 8
NUMERIC_KINDS = frozenset("biufc")  # bool, int, uint, float, complex

Message = tuple[dict[str, Any], dict[str, np.ndarray]]


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message."""


def encode(header: dict[str, Any], arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """One message as bytes: the JSON header (listing the array names), then the arrays."""
    arrays = arrays or {}
    body = json.dumps({**header, "arrays": list(arrays)}).encode()
    parts = [_HEAD.pack(JSON_KIND, len(body)), body]
    for value in arrays.values():
        buffer = io.BytesIO()
        np.save(buffer, check_array(np.asarray(value)), allow_pickle=False)
        data = buffer.getvalue()
        parts += [_HEAD.pack(ARRAY_KIND, len(data)), data]
    return b"".join(parts)


def write_message(fd: int, header: dict[str, Any], arrays: dict[str, np.ndarray] | None = None) -> None:
    """Write one message to a file descriptor, completely."""
    view = memoryview(encode(header, arrays))
    while view:
        view = view[os.write(fd, view) :]


def check_array(array: np.ndarray) -> np.ndarray:
    """``array`` if it is a numeric or bool array of a sane shape, else ProtocolError."""
    if not isinstance(array, np.ndarray) or array.dtype.kind not in NUMERIC_KINDS or array.dtype.hasobject:
        raise ProtocolError(f"only numeric or bool arrays may be sent, got {getattr(array, 'dtype', type(array))}")
    if array.ndim > MAX_NDIM or array.nbytes > MAX_ARRAY_BYTES:
        raise ProtocolError(f"array of shape {array.shape} is too large")
    return array


_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _decode_array(payload: bytes) -> np.ndarray:
    """The array in one npy payload, after checking its header against the payload's size."""
    stream = io.BytesIO(payload)
    try:
        reader = _HEADER_READERS.get(np.lib.format.read_magic(stream))
        if reader is None:
            raise ProtocolError("unsupported npy version")
        shape, fortran_order, dtype = reader(stream)
        if len(shape) > MAX_NDIM or dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
            raise ProtocolError(f"refused array of dtype {dtype} and shape {shape}")
        if math.prod(shape) * dtype.itemsize != len(payload) - stream.tell():
            raise ProtocolError(f"array of shape {shape} does not match its {len(payload)} bytes")
        data = np.frombuffer(payload, dtype=dtype, offset=stream.tell())
        array = data.reshape(shape, order="F" if fortran_order else "C").copy()
    except ProtocolError:
        raise
    except Exception as error:  # any malformed npy payload
        raise ProtocolError(f"malformed array: {error}") from None
    return check_array(array)


class Decoder:
    """Incremental reader of messages from untrusted bytes (the worker's result pipe)."""

    def __init__(self, max_bytes: int = MAX_STREAM_BYTES) -> None:
        self._left = max_bytes
        self._buffer = bytearray()
        self._header: dict[str, Any] | None = None
        self._names: list[str] = []
        self._arrays: dict[str, np.ndarray] = {}

    def feed(self, data: bytes) -> Iterator[Message]:
        """Add bytes; yield every message they complete. Raises ProtocolError on garbage."""
        self._left -= len(data)
        if self._left < 0:
            raise ProtocolError(f"more than {MAX_STREAM_BYTES >> 20} MiB of results")
        self._buffer += data
        while (frame := self._next_frame()) is not None:
            kind, payload = frame
            if self._header is None:
                self._start(kind, payload)
            elif kind != ARRAY_KIND:
                raise ProtocolError("expected an array frame")
            else:
                self._arrays[self._names[len(self._arrays)]] = _decode_array(payload)
            if self._header is not None and len(self._arrays) == len(self._names):
                message = (self._header, self._arrays)
                self._header, self._names, self._arrays = None, [], {}
                yield message

    @property
    def pending(self) -> bool:
        """True when a message has started but not finished (the stream was cut)."""
        return bool(self._buffer) or self._header is not None

    def _next_frame(self) -> tuple[bytes, bytes] | None:
        if len(self._buffer) < _HEAD.size:
            return None
        kind, length = _HEAD.unpack_from(self._buffer)
        limit = {JSON_KIND: MAX_JSON_BYTES, ARRAY_KIND: MAX_ARRAY_BYTES + 4096}.get(kind)
        if limit is None or length > limit:
            raise ProtocolError(f"bad frame (kind {kind!r}, {length} bytes)")
        if len(self._buffer) < _HEAD.size + length:
            return None
        payload = bytes(self._buffer[_HEAD.size : _HEAD.size + length])
        del self._buffer[: _HEAD.size + length]
        return kind, payload

    def _start(self, kind: bytes, payload: bytes) -> None:
        if kind != JSON_KIND:
            raise ProtocolError("expected a JSON frame")
        try:
            header = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ProtocolError(f"malformed JSON: {error}") from None
        names = header.get("arrays") if isinstance(header, dict) else None
        if (
            not isinstance(names, list)
            or len(names) > MAX_ARRAYS_PER_MESSAGE
            or not all(isinstance(n, str) for n in names)
            or len(set(names)) != len(names)
        ):
            raise ProtocolError("a message header must be a dict with a list of distinct array names")
        self._header, self._names = header, names


def read_messages(stream: BinaryIO) -> Iterator[Message]:
    """Every message of a whole stream (the worker reading its request file)."""
    decoder = Decoder()
    while chunk := stream.read(1 << 20):
        yield from decoder.feed(chunk)
    if decoder.pending:
        raise ProtocolError("the stream ended in the middle of a message")
