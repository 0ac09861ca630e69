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


@pytest.mark.parametrize("mode", ["I;16", "I", "F"])
def test_wide_grey_images_are_scaled_not_clipped(tmp_path, mode):
    """Hand-worked: a 16-bit grey ramp 0..65535 reads as 0..255 (value / 257), a 32-bit one whose values stay
    within 0..255 as themselves, a float one in 0..1 times 255; all three channels equal (Pillow's own
    conversion clipped everything above 255 to white)."""
    ramp = np.tile(np.arange(64, dtype=np.float64), (40, 1))  # 40 x 64
    if mode == "I;16":
        values, expected = (ramp * 1040).astype(np.uint16), np.round(ramp * 1040 / 257)
        img = Image.fromarray(values)
        path = tmp_path / "g16.png"
    elif mode == "I":
        values, expected = (ramp * 4).astype(np.int32), ramp * 4
        img = Image.fromarray(values, mode="I")
        path = tmp_path / "g32.tif"
    else:
        values, expected = (ramp / 63).astype(np.float32), np.round(ramp / 63 * 255)
        img = Image.fromarray(values, mode="F")
        path = tmp_path / "f32.tif"
    img.save(path)
    assert Image.open(path).mode.startswith(mode[0])
    rgb = load_image(str(path))
    assert rgb.dtype == np.uint8 and rgb.shape == (40, 64, 3)
    np.testing.assert_array_equal(rgb[..., 0], expected)
    assert (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all()
