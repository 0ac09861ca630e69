"""gen-avatar's bad outputs and inputs: a file or stdout as the folder, deep identity JSON, a two-face photo."""

from __future__ import annotations

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = PORTRAITS / "interfaces-001.jpg"


def test_output_that_is_a_file_is_a_usage_error(tmp_path):
    existing = tmp_path / "face.jpg"
    existing.write_bytes(PHOTO.read_bytes())
    r = run_fxe("gen-avatar", "-n", "1", "-e", "happy", "-o", str(existing))
    assert_one_error_line(r, 2, "not a folder")
    assert existing.read_bytes() == PHOTO.read_bytes() and sorted(p.name for p in tmp_path.iterdir()) == ["face.jpg"]


def test_output_dev_null_is_a_usage_error():
    assert_one_error_line(run_fxe("gen-avatar", "-n", "1", "-e", "happy", "-o", "/dev/null"), 2, "not a folder")


def test_output_stdout_is_a_usage_error(tmp_path):
    r = run_fxe("gen-avatar", "-n", "1", "-e", "happy", "-o", "-", cwd=tmp_path)
    assert_one_error_line(r, 2, "-o -", "FOLDER/")
    assert list(tmp_path.iterdir()) == [] and r.out == ""


def test_output_folder_that_cannot_be_made_is_one_line():
    r = run_fxe("gen-avatar", "-n", "1", "-e", "happy", "-o", "/proc/fxe-gen-avatar/")
    assert_one_error_line(r, 1, "cannot create folder")


def test_deeply_nested_identity_json_is_invalid_input(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000)
    out = tmp_path / "out"
    r = run_fxe("gen-avatar", "--identity", str(deep), "-e", "happy", "-o", f"{out}/")
    assert_one_error_line(r, 3, "nested more than 1024 levels")
    assert not out.exists()


def test_identity_from_a_photo_with_two_faces_is_ambiguous(two_faces, tmp_path):
    out = tmp_path / "out"
    r = run_fxe("gen-avatar", "--identity-from", str(two_faces), "-e", "happy", "-o", f"{out}/")
    assert_one_error_line(r, 5, "2 faces", "ambiguous", "fxe faces")
    assert not out.exists() and r.out == ""
