"""stylize's outputs follow edit's rules (file, folder/, pattern); a photo with two faces is ambiguous for avatars."""

from __future__ import annotations

import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = PORTRAITS / "interfaces-001.jpg"


@pytest.mark.parametrize(("styles", "output", "code", "fragment"), [
    ("cartoon,comic", "out/st2.png", 2, "is one file but --style gives 2 styles"),
    ("cartoon", "-", 2, "not stdout"),
    ("cartoon", "out/st.txt", 2, "unknown image type"),
    ("cartoon,comic", "out/{name}.png", 2, "names every style the same file"),
    ("cartoon", "out/{name.__class__}.png", 2, "bad pattern"),
    ("cartoon", "out/{style:>9999999}.png", 2, "bad pattern"),
    ("cartoon", "/proc/fxe-stylize/", 1, "cannot create folder"),
])
def test_bad_outputs_are_one_line_and_write_nothing(tmp_path, styles, output, code, fragment):
    r = run_fxe("stylize", str(PHOTO), "-s", styles, "-o", output, cwd=tmp_path)
    assert_one_error_line(r, code, fragment)
    assert list(tmp_path.iterdir()) == [] and r.out == ""


def test_pattern_with_style_names_each_style(tmp_path):
    r = run_fxe("stylize", str(PHOTO), "-s", "cartoon,sketch", "-o", "out/{name}_{style}.png", cwd=tmp_path)
    assert r.code == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["interfaces-001_cartoon.png",
                                                                     "interfaces-001_sketch.png"]


def test_avatar_on_two_faces_is_ambiguous_unless_face_index(two_faces, tmp_path):
    out = tmp_path / "out" / "av.png"
    r = run_fxe("stylize", str(two_faces), "-s", "avatar", "--size", "64", "-o", str(out))
    assert_one_error_line(r, 5, "2 faces", "ambiguous", "--face-index")
    assert not (tmp_path / "out").exists()
    r = run_fxe("stylize", str(two_faces), "-s", "avatar", "--size", "64", "--face-index", "1", "-o", str(out))
    assert r.code == 0, r.stderr
    assert out.is_file()


def test_2d_styles_on_two_faces_need_no_face(two_faces, tmp_path):
    out = tmp_path / "c.png"
    assert run_fxe("stylize", str(two_faces), "-s", "sketch", "-o", str(out)).code == 0 and out.is_file()
