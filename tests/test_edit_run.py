"""`fxe edit` / `fxe blend` machinery as a user runs it: outputs, sweeps, resume, identity guard, bad input.

The editor here is a small real image operation (a blur whose radius grows with alpha) registered as a
backend for the test, so these tests exercise the commands independently of any one editor.
"""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest

from fxcli.errors import EXIT_FAILURE, EXIT_INVALID_INPUT, EXIT_NO_FACE, EXIT_USAGE
from tests.conftest import PORTRAITS

PORTRAIT = PORTRAITS / "interfaces-001.jpg"


class BlurEditor:
    """Gaussian blur of radius 4 * total weight: identity similarity falls as alpha grows."""

    name = "blur"
    model_id = "test-blur"
    model_hash = None

    def __init__(self, arg=None, *, device="auto", dtype="auto", offload="none"):
        self.calls = 0

    def map_point(self, shape, xy):
        return np.asarray(xy, np.float64)

    def edit(self, image, terms, *, seed, face):
        from PIL import Image, ImageFilter

        BlurEditor.total_calls = getattr(BlurEditor, "total_calls", 0) + 1
        radius = 4.0 * sum(w for _, w in terms)
        return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(radius)))


@pytest.fixture
def fxe_inproc(monkeypatch, capsysbinary):
    """Run `fxe ARGS` in this process through the real entry point; (exit code, stdout bytes, stderr text)."""
    from fxcli.cli import edit_cmd
    from fxcli.cli.main import COMMANDS, main

    monkeypatch.setitem(COMMANDS, "edit", ("fxcli.cli.edit_cmd:edit", "Edit a portrait's expression."))
    monkeypatch.setitem(COMMANDS, "blend", ("fxcli.cli.blend_cmd:blend", "Blend expressions."))
    monkeypatch.setitem(edit_cmd.EDIT_BACKENDS, "blur", "tests.test_edit_run:BlurEditor")
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str):
        with pytest.raises(SystemExit) as done:
            main(list(args))
        out, err = capsysbinary.readouterr()
        return done.value.code, out, err.decode()

    return run


def one_error(code_err, code):
    c, out, err = code_err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert c == code, err
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def test_single_edit_writes_png_with_provenance(fxe_inproc, tmp_path):
    from fxcli.provenance import read_provenance

    out = tmp_path / "out.png"
    code, stdout, err = fxe_inproc("edit", str(PORTRAIT), "-e", "happy", "-a", "0.5", "-o", str(out),
                                   "--model", "blur", "--seed", "3", "--identity")
    assert code == 0, err
    assert stdout == b""
    assert "alpha 0.50" in err and "identity" in err
    meta = read_provenance(str(out))[0]
    assert meta["generator"] == "fxe edit" and meta["seed"] == 3 and meta["model"] == "test-blur"
    assert meta["params"]["alpha"] == 0.5 and meta["params"]["expression"] == "happy"
    assert 0.8 < meta["identity_similarity"] <= 1.0


def test_sweep_writes_images_sheet_and_index_and_resumes(fxe_inproc, tmp_path):
    folder = tmp_path / "sweep"
    args = ("edit", str(PORTRAIT), "-e", "happy", "-a", "0:1.5:0.5", "-o", str(folder) + "/", "--model", "blur",
            "--identity")
    code, _, err = fxe_inproc(*args)
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["interfaces-001_happy_0.00.png", "interfaces-001_happy_0.50.png", "interfaces-001_happy_1.00.png",
                     "interfaces-001_happy_1.50.png", "interfaces-001_happy_sheet.png", "interfaces-001_happy_sweep.json"]
    index = json.loads((folder / "interfaces-001_happy_sweep.json").read_text())
    assert (folder / index["source"]).resolve() == PORTRAIT.resolve()
    assert index["meta"]["expression"] == "happy" and index["meta"]["model"] == "test-blur"
    assert [i["alpha"] for i in index["items"]] == [0.0, 0.5, 1.0, 1.5]
    sims = index["meta"]["identity_similarity"]
    assert sims[0] > 0.99  # alpha 0 leaves the image as it is
    assert sims[0] >= sims[1] >= sims[2]  # more blur, less like the source
    first = (folder / "interfaces-001_happy_1.00.png").read_bytes()
    # an interrupted sweep: one image missing; the rerun keeps the others and makes it again, identically
    (folder / "interfaces-001_happy_1.00.png").unlink()
    BlurEditor.total_calls = 0
    code, _, err = fxe_inproc(*args)
    assert code == 0, err
    assert BlurEditor.total_calls == 1
    assert err.count("kept") == 3
    assert (folder / "interfaces-001_happy_1.00.png").read_bytes() == first
    # a different seed is a different sweep: nothing is kept
    BlurEditor.total_calls = 0
    code, _, err = fxe_inproc(*args, "--seed", "5")
    assert code == 0 and BlurEditor.total_calls == 4


def test_min_id_sim_fails_and_writes_nothing_below(fxe_inproc, tmp_path):
    folder = tmp_path / "s"
    c = fxe_inproc("edit", str(PORTRAIT), "-e", "sad", "-a", "0,3", "-o", str(folder) + "/", "--model", "blur",
                   "--min-id-sim", "0.999")
    code, _, err = c
    assert code == EXIT_FAILURE
    assert "below --min-id-sim 0.999: alpha 3.00" in err and "Traceback" not in err
    assert (folder / "interfaces-001_sad_0.00.png").exists()
    assert not (folder / "interfaces-001_sad_3.00.png").exists()
    assert not (folder / "interfaces-001_sad_sweep.json").exists()


def test_blend_and_stdout(fxe_inproc, tmp_path):
    from PIL import Image

    code, out, err = fxe_inproc("blend", str(PORTRAIT), "happy:0.6", "surprised:0.4", "-o", "-", "--model", "blur")
    assert code == 0, err
    img = Image.open(io.BytesIO(out))
    assert img.size == (500, 500) and "fxe" in img.text
    assert json.loads(img.text["fxe"])["params"]["terms"] == [["happy", 0.6], ["surprised", 0.4]]
    line = one_error(fxe_inproc("blend", str(PORTRAIT), "happy:much", "-o", str(tmp_path / "x.png"),
                                "--model", "blur"), EXIT_USAGE)
    assert "not a number" in line


def test_bad_inputs_have_documented_errors(fxe_inproc, tmp_path):
    from PIL import Image

    out = str(tmp_path / "o.png")
    landscape = tmp_path / "landscape.png"
    yy, xx = np.mgrid[0:200, 0:300]
    Image.fromarray(np.dstack([xx % 256, yy % 256, (xx + yy) % 256]).astype(np.uint8)).save(landscape)
    assert "no face" in one_error(fxe_inproc("edit", str(landscape), "-e", "happy", "-o", out, "--model", "blur"),
                                  EXIT_NO_FACE)
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (10, 10)).save(tiny)
    assert "too small" in one_error(fxe_inproc("edit", str(tiny), "-e", "happy", "-o", out, "--model", "blur"),
                                    EXIT_INVALID_INPUT)
    text = tmp_path / "notes.jpg"
    text.write_text("hello")
    assert "not an image" in one_error(fxe_inproc("edit", str(text), "-e", "happy", "-o", out, "--model", "blur"),
                                       EXIT_INVALID_INPUT)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(PORTRAIT.read_bytes()[:4000])
    assert "truncated" in one_error(fxe_inproc("edit", str(cut), "-e", "happy", "-o", out, "--model", "blur"),
                                    EXIT_INVALID_INPUT)
    two = tmp_path / "two.png"
    a, b = np.asarray(Image.open(PORTRAIT)), np.asarray(Image.open(PORTRAITS / "interfaces-002.jpg"))
    Image.fromarray(np.concatenate([a, b], axis=1)).save(two)
    line = one_error(fxe_inproc("edit", str(two), "-e", "happy", "-o", out, "--model", "blur"), EXIT_NO_FACE)
    assert "--face-index" in line
    code, _, err = fxe_inproc("edit", str(two), "-e", "happy", "-o", out, "--model", "blur", "--face-index", "1")
    assert code == 0, err
    assert "face index 5" in one_error(fxe_inproc("edit", str(two), "-e", "happy", "-o", out, "--model", "blur",
                                                  "--face-index", "5"), EXIT_NO_FACE)
    assert not (tmp_path / "o.png").exists() or code == 0
    assert "unknown model" in one_error(fxe_inproc("edit", str(PORTRAIT), "-e", "happy", "-o", out, "--model", "nope"),
                                        EXIT_USAGE)
    assert "extrapolation limit" in one_error(
        fxe_inproc("edit", str(PORTRAIT), "-e", "happy", "-a", "5", "-o", out, "--model", "blur"), EXIT_USAGE)


def test_jobs_run_and_skip(fxe_inproc, tmp_path):
    shutil.copy(PORTRAIT, tmp_path / "a.jpg")
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"source": str(tmp_path / "a.jpg"), "expression": "sad", "alpha": "0.5",
                                "output": str(tmp_path / "a_sad.png")}) + "\n"
                    + json.dumps({"source": str(tmp_path / "missing.jpg"), "expression": "sad",
                                  "output": str(tmp_path / "m.png")}) + "\n")
    code, _, err = fxe_inproc("edit", "--jobs", str(jobs), "--model", "blur")
    assert code == EXIT_FAILURE and "1 ok, 0 skipped, 1 failed" in err
    code, _, err = fxe_inproc("edit", "--jobs", str(jobs), "--model", "blur")
    assert "0 ok, 1 skipped, 1 failed" in err
