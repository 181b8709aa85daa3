"""core.child_pipes: frames between a parent and its child."""

from __future__ import annotations

import io

import pytest

from core.child_pipes import HEADER, read_frame, send_frame


def test_frames_come_back_as_sent_and_the_end_between_frames_is_none():
    stream = io.BytesIO()
    for data in (b"one", b"", b"three" * 1000):
        send_frame(stream, data)
    stream.seek(0)
    assert [read_frame(stream) for _ in range(4)] == [b"one", b"", b"three" * 1000, None]


@pytest.mark.parametrize("cut", [3, HEADER.size + 2])  # inside the header, inside the frame
def test_a_stream_that_ends_inside_a_frame_is_an_eof_error(cut):
    sent = io.BytesIO()
    send_frame(sent, b"hello world")
    with pytest.raises(EOFError):
        read_frame(io.BytesIO(sent.getvalue()[:cut]))
