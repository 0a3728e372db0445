"""Hand-built Standard MIDI Files for the limit, probe and fuzz tests (bytes, not mido, so anything can be written)."""
from __future__ import annotations


def vlq(n: int) -> bytes:
    """A MIDI variable-length quantity (up to 0x0FFFFFFF)."""
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def track(events: bytes) -> bytes:
    return b"MTrk" + len(events).to_bytes(4, "big") + events


def smf(*tracks: bytes, fmt: int = 1, division: int = 480, ntracks: int | None = None) -> bytes:
    header = b"MThd" + (6).to_bytes(4, "big") + fmt.to_bytes(2, "big") + \
        (len(tracks) if ntracks is None else ntracks).to_bytes(2, "big") + division.to_bytes(2, "big")
    return header + b"".join(tracks)


END = b"\x00\xff\x2f\x00"


def note(pitch: int = 60, delta: int = 0, length: int = 480, channel: int = 0) -> bytes:
    return vlq(delta) + bytes([0x90 | channel, pitch, 90]) + vlq(length) + bytes([0x80 | channel, pitch, 0])


def tempo(microseconds: int) -> bytes:
    return b"\x00\xff\x51\x03" + microseconds.to_bytes(3, "big")


def meter(numerator: int, denominator_power: int) -> bytes:
    return b"\x00\xff\x58\x04" + bytes([numerator, denominator_power, 24, 8])


def text(kind: int, value: bytes, delta: int = 0) -> bytes:
    return vlq(delta) + bytes([0xFF, kind]) + vlq(len(value)) + value


def simple(*events: bytes) -> bytes:
    """A one-track file: ``events`` then one note and the end of track."""
    return smf(track(b"".join(events) + note() + END))
