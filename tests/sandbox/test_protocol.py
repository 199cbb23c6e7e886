"""The wire format: round trips, and refusing whatever a hostile worker could send."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

from autograder.sandbox.outcomes import case, exercise
from autograder.sandbox.protocol import Decoder, ProtocolError, encode, read_messages


def frame(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">cI", kind, len(payload)) + payload


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def header(**fields: object) -> bytes:
    return frame(b"J", json.dumps(fields).encode())


def decode(data: bytes) -> list:
    return list(Decoder().feed(data))


def test_round_trip_byte_by_byte():
    arrays = {
        "y": np.arange(6, dtype=np.float64).reshape(2, 3),
        "ok": np.array(True),
        "f": np.asfortranarray(np.ones((2, 3), np.int16)),
    }
    data = encode({"t": "case", "i": 0}, arrays) + encode({"t": "done"})
    decoder, messages = Decoder(), []
    for index in range(len(data)):
        messages += decoder.feed(data[index : index + 1])
    assert [m[0]["t"] for m in messages] == ["case", "done"] and not decoder.pending
    for name, array in arrays.items():
        np.testing.assert_array_equal(messages[0][1][name], array)
        assert messages[0][1][name].dtype == array.dtype


@pytest.mark.parametrize(
    "data",
    [
        frame(b"X", b"{}"),  # unknown frame kind
        frame(b"J", b"\xff\xfe"),  # not JSON
        frame(b"J", b"[1, 2]"),  # not a dict
        header(arrays="y"),  # names not a list
        header(arrays=["y"]) + frame(b"A", npy(np.array([object()], dtype=object))),  # pickled objects
        header(arrays=["y"]) + frame(b"A", npy(np.array(["text"]))),  # strings
        header(arrays=["y"]) + frame(b"A", npy(np.zeros(3))[:-8]),  # short data
        header(arrays=["y"]) + frame(b"A", npy(np.zeros(3)) + b"extra"),  # trailing bytes
        header(arrays=["y"]) + frame(b"A", b"PK\x03\x04 not an npy file"),  # an npz (zip)
        header(arrays=["y"]) + header(),  # JSON where an array belongs
        struct.pack(">cI", b"A", 2**31),  # a frame far over the cap, refused before it arrives
    ],
)
def test_garbage_is_a_protocol_error(data):
    with pytest.raises(ProtocolError):
        decode(data)


def test_a_huge_declared_shape_is_refused_without_allocating():
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    with pytest.raises(ProtocolError, match="does not match"):
        decode(header(arrays=["y"]) + frame(b"A", buffer.getvalue() + bytes(8)))


def test_a_truncated_stream_is_noticed():
    data = encode({"t": "case"}, {"y": np.zeros(4)})
    with pytest.raises(ProtocolError, match="ended in the middle"):
        list(read_messages(io.BytesIO(data[:-3])))


def test_outcome_fields_are_checked_and_capped():
    outcome = case(
        {"outputs": True, "misconceptions": ["missing-eps", "made-up", 3], "error": "x" * 10**6}, {"y": np.zeros(2)}
    )
    assert outcome.misconceptions == ("missing-eps",) and len(outcome.error) <= 8000
    with pytest.raises(ProtocolError):
        case({"error": 3}, {})
    with pytest.raises(ProtocolError):
        case({}, {"y": np.zeros(2)})  # arrays without outputs
    with pytest.raises(ProtocolError):
        exercise({"status": "passed"}, [], 0, 100)  # the worker never decides a verdict
    with pytest.raises(ProtocolError):
        exercise({"status": "ran"}, [], 2, 100)  # cases missing
    forbidden = exercise({"status": "ran", "routes": ["aten::native_batch_norm (from cell 2, line 3)"]}, [], 0, 100)
    assert forbidden.status == "forbidden"


def test_a_worker_cannot_send_without_end():
    decoder = Decoder(max_bytes=1024)
    with pytest.raises(ProtocolError, match="MiB of results"):
        for _ in range(100):
            list(decoder.feed(encode({"t": "cell", "i": 0})))
