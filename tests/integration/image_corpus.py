"""Test images, made at test time: good ones (PNG written here, the other
formats converted by the vips command) and a corpus of broken and hostile
files, each with the reply the upload route documents for it."""

import os
import struct
import subprocess
import tempfile
import zlib

SECRET = b"GPS-31.2304N-121.4737E-SECRET"


def _chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width, height, seed=0, gray=False):
    """An 8-bit RGB (or gray) PNG with a pattern that depends on seed."""
    bpp = 1 if gray else 3
    z = zlib.compressobj(6)
    out = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            v = (x * 7 + y * 13 + seed * 31) & 0xFF
            row += bytes([v]) if gray else bytes([v, (v * 3 + seed) & 0xFF, (255 - v)])
        out.append(z.compress(bytes(row)))
    out.append(z.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0 if gray else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(out))
            + _chunk(b"IEND", b""))


def convert(data, suffix, options=""):
    """data (any format vips reads) converted by the vips command."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.png"), os.path.join(d, "out" + suffix)
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["vips", "copy", src, dst + options], check=True, capture_output=True)
        with open(dst, "rb") as f:
            return f.read()


def jpeg(width, height, seed=0):
    return convert(png(width, height, seed), ".jpg", "[Q=90]")


def jpeg_with_metadata(width, height, seed=0):
    """A JPEG carrying an EXIF segment and a comment that both hold SECRET."""
    j = jpeg(width, height, seed)
    tiff = b"MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00" + SECRET
    app1 = b"Exif\x00\x00" + tiff
    com = SECRET
    return (j[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
            + b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com + j[2:])


def gif_frames(frames):
    """A 1x1 GIF with the given number of frames."""
    out = bytearray(b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00"
                    + b"\x00\x00\x00\xff\xff\xff")
    for _ in range(frames):
        out += b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1) + b"\x00" + b"\x02\x02\x44\x01\x00"
    out += b";"
    return bytes(out)


def png_bomb(side=20000):
    """A side x side gray PNG of zeros: a few hundred KB that would decode
    to side^2 bytes."""
    z = zlib.compressobj(9)
    row = bytes(side + 1)
    parts = [z.compress(row) for _ in range(side)]
    parts.append(z.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


def png_bad_crc():
    p = bytearray(png(64, 64, 3))
    idat = p.index(b"IDAT")
    length = struct.unpack(">I", p[idat - 4:idat])[0]
    p[idat + 4 + length] ^= 0xFF  # the first byte of IDAT's CRC
    return bytes(p)


def broken_corpus():
    """(name, bytes, content type, expected status, expected code)."""
    good = jpeg(320, 240, 5)
    svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
           b'height="10"><script>alert(1)</script></svg>')
    html_first = b"<html><script>alert(1)</script></html>" + good
    return [
        ("truncated_jpeg", good[:len(good) // 2], "image/jpeg", 422, "invalid_image"),
        ("png_bad_crc", png_bad_crc(), "image/png", 422, "invalid_image"),
        ("png_1x100000", png(1, 100000, gray=True), "image/png", 422, "invalid_image"),
        ("png_bomb_20000", png_bomb(), "image/png", 422, "invalid_image"),
        ("gif_5000_frames", gif_frames(5000), "image/gif", 422, "invalid_image"),
        ("svg", svg, "image/svg+xml", 415, "unsupported_media"),
        ("html_then_jpeg", html_first, "image/jpeg", 415, "unsupported_media"),
        ("empty_gif_header", b"GIF89a", "image/gif", 422, "invalid_image"),
        ("text", b"hello", "image/png", 415, "unsupported_media"),
        ("polyglot_jpeg_html", good + b"<html><body><script>alert(document.cookie)</script>",
         "image/jpeg", 422, "invalid_image"),
        ("jpeg_comment_svg", jpeg_comment(good, b'<svg onload="alert(1)"/>'),
         "image/jpeg", 422, "invalid_image"),
    ]


def jpeg_comment(j, text):
    """JPEG j with a comment segment (COM) holding text."""
    return j[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + j[2:]


def motion_photo():
    """A valid JPEG with a video after its end, as phones write motion
    photos: accepted, and re-encoded without the trailer."""
    return jpeg(320, 240, 6) + b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
