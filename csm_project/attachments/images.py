"""The width and height of an image from its first bytes (PNG, GIF, JPEG), without decoding
it: what the attachment metadata answers as ``image_width`` and ``image_height``."""

import struct

HEAD_BYTES = 256 * 1024  # a JPEG's frame header may follow large EXIF or ICC blocks
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start-of-frame markers


def image_size(head: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of the image whose file starts with ``head``, else None."""
    size = None
    if head.startswith(_PNG) and head[12:16] == b"IHDR" and len(head) >= 24:
        size = struct.unpack(">II", head[16:24])
    elif head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        size = struct.unpack("<HH", head[6:10])
    elif head.startswith(b"\xff\xd8"):
        size = _jpeg_size(head)
    if size is None or not all(size):
        return None
    return int(size[0]), int(size[1])


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", head[at + 2 : at + 4])
        if marker in _JPEG_FRAMES:
            if at + 9 > len(head):
                return None
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None
