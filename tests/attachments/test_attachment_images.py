"""Image sizes measured on upload (``image_width``, ``image_height``) from the file's header."""

import struct
import zlib

import pytest

from contacts.models import Account
from csm_project.attachments.images import image_size
from csm_project.attachments.models import Attachment


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg(width: int, height: int, *, padding: int = 0) -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif = b"Exif\x00\x00" + b"\x00" * padding
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    segments = [(0xE0, app0), (0xE1, exif), (0xC0, sof)]
    body = b"".join(b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data for marker, data in segments)
    return b"\xff\xd8" + body + b"\xff\xd9"


@pytest.mark.parametrize(
    ("content", "size"),
    [
        (png(3, 2), (3, 2)),
        (b"GIF89a" + struct.pack("<HH", 640, 480) + b"\x00" * 10, (640, 480)),
        (b"GIF87a" + struct.pack("<HH", 1, 1), (1, 1)),
        (jpeg(800, 600), (800, 600)),
        (jpeg(1920, 1080, padding=60_000), (1920, 1080)),  # a frame header after a large EXIF block
        (b"%PDF-1.4 not an image", None),
        (b"\x89PNG\r\n\x1a\n", None),  # cut short
        (b"\xff\xd8\xff\xe0\x00", None),
        (png(0, 5), None),
        (b"", None),
    ],
)
def test_image_size_from_the_header(content, size):
    assert image_size(content) == size


@pytest.fixture
def account(db):
    return Account.objects.create(name="Acme")


def test_an_uploaded_image_answers_its_size_and_other_files_none(client_for, account):
    writer = client_for("csm_ws_integration")
    base = f"/api/now/attachment/file?table_name=customer_account&table_sys_id={account.sys_id}"

    image = writer.generic("POST", f"{base}&file_name=logo.png", png(12, 7), content_type="image/png")
    text = writer.generic("POST", f"{base}&file_name=notes.txt", b"hello", content_type="text/plain")

    assert image.status_code == text.status_code == 201
    result = image.json()["result"]
    assert (result["image_width"], result["image_height"]) == ("12", "7")
    assert (text.json()["result"]["image_width"], text.json()["result"]["image_height"]) == ("", "")
    stored = Attachment.objects.get(pk=result["sys_id"])
    assert (stored.image_width, stored.image_height) == (12, 7)
    downloaded = writer.get(f"/api/now/attachment/{result['sys_id']}/file")
    assert b"".join(downloaded.streaming_content) == png(12, 7)  # the content is untouched by the reading


def test_a_multipart_image_is_measured_too(client_for, account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    writer = client_for("csm_ws_integration")
    response = writer.post(
        "/api/now/attachment/upload",
        {"table_name": "customer_account", "table_sys_id": account.sys_id,
         "uploadFile": SimpleUploadedFile("photo.jpg", jpeg(320, 240), "image/jpeg")},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    assert (response.json()["result"]["image_width"], response.json()["result"]["image_height"]) == ("320", "240")
