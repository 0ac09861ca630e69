"""`fxe stylize`: 2D styles keep the photo's geometry, the avatar style fits the face; outputs and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = PORTRAITS / "interfaces-001.jpg"


def _rgb(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(np.float32)


def _edges(img: np.ndarray) -> np.ndarray:
    g = img @ np.array([0.299, 0.587, 0.114], np.float32)
    gx, gy = np.zeros_like(g), np.zeros_like(g)
    gx[:, 1:-1] = g[:, 2:] - g[:, :-2]
    gy[1:-1] = g[2:] - g[:-2]
    return np.hypot(gx, gy)


def test_xdog_marks_a_step_edge_and_leaves_flat_paper():
    from fxcli.stylize.cartoon2d import xdog

    flat = np.full((40, 40, 3), 128, np.uint8)
    assert np.all(xdog(flat, 1.0) == 1.0)  # no gradient: paper everywhere
    step = flat.copy()
    step[:, 20:] = 230
    response = xdog(step, 1.0)[20]
    assert response.argmin() in (18, 19)  # the line lies on the dark side of the edge
    assert response.min() < 0.5 and response[:10].min() == 1.0 and response[30:].min() == 1.0


@pytest.fixture(scope="module")
def styled(tmp_path_factory):
    out = tmp_path_factory.mktemp("st") / "s"
    r = run_fxe("stylize", str(PHOTO), "--style", "cartoon,comic,sketch,avatar", "--size", "256", "-o", f"{out}/")
    assert r.code == 0, r.stderr
    return out, r


def test_2d_styles_keep_the_photos_geometry(styled):
    out, _ = styled
    src = _rgb(PHOTO)
    e_src = _edges(src)
    for style in ("cartoon", "comic", "sketch"):
        img = _rgb(out / f"interfaces-001_{style}.png")
        assert img.shape == src.shape
        e = _edges(img)
        corr = np.corrcoef(e_src.ravel(), e.ravel())[0, 1]
        assert corr > 0.3, (style, corr)  # lines where the photo has edges
    cartoon = _rgb(out / "interfaces-001_cartoon.png").reshape(-1, 3)
    assert len(np.unique(cartoon, axis=0)) <= 2 * 9  # 9 k-means colours and their inked copies
    comic = _rgb(out / "interfaces-001_comic.png").reshape(-1, 3)
    assert len(np.unique(comic, axis=0)) <= 8 + 1  # the median-cut palette and the ink


def test_avatar_style_fits_the_face(styled):
    out, r = styled
    img = Image.open(out / "interfaces-001_avatar.png")
    assert img.size == (256, 256)
    meta = json.loads(img.text["fxe"])
    assert meta["fit_residual_iod"] < 0.05 and len(meta["head_pose"]) == 3
    assert set(meta["colors"]) >= {"skin", "lip", "iris", "brow", "hair"}
    skin = np.array([int(meta["colors"]["skin"][i:i + 2], 16) for i in (1, 3, 5)])
    cheek = _rgb(PHOTO)[230:250, 200:215].reshape(-1, 3).mean(0)  # her left cheek region in the photo
    assert np.abs(skin - cheek).max() < 60
    # FaceMesh finds the avatar's face where the avatar was drawn
    from fxcli.face import detect_faces, load_image

    assert detect_faces(load_image(str(out / "interfaces-001_avatar.png")))
    assert "fit residual" in r.stderr


def test_folder_output_sheet_and_index(styled):
    out, _ = styled
    from fxcli.metrics.score_inputs import read_index

    items = read_index(str(out / "index.json"))
    assert [i.image.rsplit("_", 1)[1] for i in items] == ["cartoon.png", "comic.png", "sketch.png", "avatar.png"]
    assert all(i.source == str(PHOTO.resolve()) for i in items)
    assert Image.open(out / "sheet.png").width > 4 * 256


def test_same_seed_same_bytes(tmp_path):
    for name in ("a.png", "b.png"):
        r = run_fxe("stylize", str(PHOTO), "--style", "cartoon", "--colors", "6", "-o", str(tmp_path / name))
        assert r.code == 0, r.stderr
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert len(np.unique(_rgb(tmp_path / "a.png").reshape(-1, 3), axis=0)) <= 12


def test_errors(tmp_path):
    r = run_fxe("stylize", str(PHOTO), "--style", "cartooon", "-o", str(tmp_path / "x.png"))
    assert_one_error_line(r, 2, "unknown style", "cartoon")
    no_face = PORTRAITS / "interfaces-024.jpg"
    assert_one_error_line(run_fxe("stylize", str(no_face), "--style", "avatar", "-o", str(tmp_path / "y.png")), 5,
                          "no face")
    assert not (tmp_path / "y.png").exists()
    # the 2D styles need no face
    assert run_fxe("stylize", str(no_face), "--style", "sketch", "-o", str(tmp_path / "z.png")).code == 0
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    assert_one_error_line(run_fxe("stylize", str(bad), "-o", str(tmp_path / "w.png")), 3)
