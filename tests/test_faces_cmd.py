"""`fxe faces`: every face listed with index, box and score; strays do not make a single face ambiguous."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe


def test_faces_lists_both_faces_largest_first_with_a_sheet(two_faces, tmp_path):
    sheet = tmp_path / "sheet.png"
    r = run_fxe("faces", str(two_faces), "--json", "-o", str(sheet))
    assert r.code == 0, r.stderr
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert [row["index"] for row in rows] == [0, 1]
    (ax0, _, ax1, _), (bx0, _, bx1, _) = rows[0]["box"], rows[1]["box"]
    assert ax0 > 400 and bx1 < 400  # face 0 is the larger one, on the right
    assert (ax1 - ax0) > (bx1 - bx0)
    assert all(row["score"] > 0.5 and not row["stray"] for row in rows)
    from PIL import Image

    with Image.open(sheet) as im:
        assert im.width > 500 and im.height > 200
    table = run_fxe("faces", str(two_faces))
    assert table.code == 0 and table.out.splitlines()[0].startswith("index") and len(table.out.splitlines()) == 3


def test_faces_on_a_photo_without_a_face_lists_none():
    r = run_fxe("faces", str(PORTRAITS / "interfaces-024.jpg"), "--json")
    assert r.code == 0 and r.out == ""


def test_edit_two_faces_is_ambiguous_all_faces_edits_both(two_faces, tmp_path):
    r = run_fxe("edit", str(two_faces), "-e", "happy", "-o", str(tmp_path / "x.png"))
    assert_one_error_line(r, 5, "ambiguous")
    out = tmp_path / "both.png"
    r = run_fxe("edit", str(two_faces), "-e", "surprised", "--all-faces", "-o", str(out))
    assert r.code == 0, r.stderr
    from PIL import Image

    src = np.asarray(Image.open(two_faces).convert("RGB")).astype(int)
    got = np.asarray(Image.open(out).convert("RGB")).astype(int)
    diff = np.abs(got - src).max(2)
    assert (diff[:, :400] > 30).sum() > 200 and (diff[:, 400:] > 30).sum() > 200  # both faces changed


def test_stray_detections_do_not_make_a_single_face_ambiguous():
    from fxcli.face.detect import Face, distinct_faces

    def face(score, size):
        return Face(np.array([0, 0, size, size], np.float32), score, np.zeros((6, 2)), np.zeros((468, 3)))

    clear, stray_low, stray_small = face(0.95, 200), face(0.55, 60), face(0.93, 30)
    assert distinct_faces([clear, stray_low, stray_small]) == [clear]
    two = [face(0.9, 200), face(0.85, 150)]
    assert distinct_faces(two) == two
    from fxcli.edit.run_edit import choose_face

    assert choose_face([clear, stray_low], None, "x.jpg") is clear


def test_edit_that_loses_the_face_is_an_error(tmp_path, monkeypatch):
    """An output in which no face is found any more: exit 5, nothing written."""
    from fxcli.edit import run_edit
    from fxcli.errors import NoFaceError

    class Blanking:
        name = model_id = "blank"
        model_hash = None
        last_note = None

        def edit(self, image, terms, *, seed, face):
            return np.full_like(image, 128)

        def map_point(self, shape, xy):
            return xy

    out = tmp_path / "lost.png"
    with pytest.raises(NoFaceError, match="no longer shows a face"):
        run_edit.run_edit(Blanking(), source=str(PORTRAITS / "interfaces-001.jpg"), expression="happy", alpha="1",
                          output=str(out))
    assert not out.exists()
