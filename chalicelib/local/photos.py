"""Generated registry photos for demo officers: a plain head-and-shoulders silhouette as PNG.

Pure Python (zlib + struct), so the local stack needs no imaging library.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib

WIDTH, HEIGHT = 120, 150


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=64)
def silhouette_png(seed: str) -> bytes:
    """A distinct background colour per officer, with a neutral silhouette."""
    digest = hashlib.sha256(seed.encode()).digest()
    background = (90 + digest[0] % 120, 90 + digest[1] % 120, 90 + digest[2] % 120)
    figure = (40, 44, 52)
    rows = []
    for y in range(HEIGHT):
        row = bytearray([0])
        for x in range(WIDTH):
            in_head = (x - WIDTH / 2) ** 2 + (y - 55) ** 2 <= 28**2
            in_body = y >= 92 and abs(x - WIDTH / 2) <= 20 + (y - 92) * 0.9
            row.extend(figure if in_head or in_body else background)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )
