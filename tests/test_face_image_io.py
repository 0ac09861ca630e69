"""load_image: RGB arrays out, precise errors (exit 3) for files that are not usable photos."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fxcli.errors import InvalidInputError
from fxcli.face import load_image
from tests.conftest import PORTRAITS


def test_reads_rgb_and_honours_exif_orientation(tmp_path):
    arr = np.zeros((40, 60, 3), np.uint8)
    arr[:, :30] = 255  # left half white
    img = Image.fromarray(arr)
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    img.save(tmp_path / "o.jpg", exif=exif, quality=95)
    out = load_image(str(tmp_path / "o.jpg"))
    assert out.shape == (60, 40, 3) and out.dtype == np.uint8
    assert out[:20].mean() > 200 and out[-20:].mean() < 50  # the white half is now on top
    Image.fromarray(arr[:, :, 0]).save(tmp_path / "grey.png")
    assert load_image(str(tmp_path / "grey.png")).shape == (40, 60, 3)


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda p: p.write_bytes((PORTRAITS / "interfaces-001.jpg").read_bytes()[:20000]), "corrupt or truncated"),
    (lambda p: p.write_text("not a picture\n"), "not an image file"),
    (lambda p: Image.new("RGB", (10, 10)).save(p, format="PNG"), "10x10 px, too small"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: None, "no such file"),
])
def test_bad_files(tmp_path, make, fragment):
    path = tmp_path / "x.png"
    make(path)
    with pytest.raises(InvalidInputError, match=fragment) as info:
        load_image(str(path))
    assert info.value.exit_code == 3
