"""`fxe report`: a self-contained HTML page, checked in real headless Chromium by a screenshot."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    """A sweep folder as `fxe edit --alpha ... -o DIR/` and `fxe score --index` leave it (portraits stand in
    for the edits)."""
    d = tmp_path_factory.mktemp("sweep")
    items, rows = [], []
    for k, alpha in enumerate((0.0, 0.5, 1.0)):
        name = f"face_happy_{alpha:.2f}.png"
        with Image.open(PORTRAITS / f"interfaces-00{2 * k + 1}.jpg") as im:  # photos with no white backdrop
            im.convert("RGB").resize((256, 256)).save(d / name)
        items.append({"path": name, "alpha": alpha, "expression": "happy"})
        rows.append({"input": str(d / name), "status": "ok", "alpha": alpha, "target": "happy", "id_sim": 1 - alpha / 10,
                     "expression": {"label": "happy", "probs": {"happy": alpha / 1.2, "neutral": 1 - alpha / 1.2}}})
    (d / "face_happy_sweep.json").write_text(json.dumps({"format": "fxe.score-index/v1", "source": "face.jpg",
                                                         "items": items, "meta": {"generator": "fxe edit"}}))
    (d / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return d


def test_page_is_self_contained_with_the_grid_and_the_plot(sweep_folder, tmp_path):
    out = tmp_path / "report.html"
    r = run_fxe("report", str(sweep_folder), "-o", str(out))
    assert r.code == 0, r.stderr
    page = out.read_text()
    srcs = re.findall(r'src="([^"]+)"', page)
    assert len(srcs) == 4 and all(s.startswith("data:image/") for s in srcs)  # 3 thumbnails + the score plot
    assert "href=" not in page and "<script" not in page
    assert page.count("&alpha;") == 3 and "judged happy 0.83" in page
    again = tmp_path / "again.html"
    assert run_fxe("report", str(sweep_folder), "-o", str(again)).code == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_headless_chromium_shows_the_thumbnails_in_one_row(sweep_folder, tmp_path):
    out = tmp_path / "report.html"
    assert run_fxe("report", str(sweep_folder), "-o", str(out)).code == 0
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,900", f"--screenshot={shot}", out.as_uri()],
                   capture_output=True, timeout=120, check=True)
    a = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert a.shape[:2] == (900, 1000)
    assert a.std() > 20  # not blank
    # the photos are where the page is not its background: three blocks side by side in one band, each
    # ~160 px square (text lines cover far less of a row)
    ink = np.abs(a - 250).max(2) > 30
    rows = np.flatnonzero(ink.mean(1) > 0.3)
    rows = rows[: np.argmax(np.diff(np.r_[rows, 10**6]) > 1) + 1]  # the first band (heading rules, plot below)
    assert len(rows) > 120 and rows.max() - rows.min() < 200  # one band of thumbnails
    band = ink[rows.min():rows.max() + 1].mean(0) > 0.5
    edges = np.diff(np.r_[0, band.astype(int), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    assert len(starts) == 3  # three thumbnails in a row, each ~160 px wide
    assert all(150 <= e - s <= 170 for s, e in zip(starts, ends, strict=True))
    for s in starts:  # each block is a photo, not a flat fill
        block = a[rows.min():rows.max(), s + 5:s + 150]
        assert block.std() > 25


def test_missing_or_empty_folder_is_invalid_input(tmp_path):
    assert_one_error_line(run_fxe("report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html")), 3, "not a folder")
    (tmp_path / "empty").mkdir()
    assert_one_error_line(run_fxe("report", str(tmp_path / "empty"), "-o", str(tmp_path / "r.html")), 3, "empty")
