""".npy inputs hold numbers only; FXE_MAX_INPUT_MB must be a positive number."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import assert_one_error_line, run_fxe


@pytest.fixture(scope="module")
def track(tmp_path_factory):
    path = tmp_path_factory.mktemp("track") / "t.json"
    r = run_fxe("text2flame", "hello there", "-o", str(path))
    assert r.code == 0, r.stderr
    return path


@pytest.mark.parametrize("array", [np.array(["a", "b"]), np.array([b"a", b"b"]), np.zeros(100, complex)],
                         ids=["unicode", "bytes", "complex"])
def test_non_numeric_npy_identity_is_invalid_input(tmp_path, track, array):
    npy = tmp_path / "id.npy"
    np.save(npy, array)
    out = tmp_path / "r.mp4"
    r = run_fxe("render", str(track), "--identity", str(npy), "-o", str(out))
    assert_one_error_line(r, 3, "expected numbers")
    assert not out.exists()
    r = run_fxe("talk", str(npy), "--text", "hello", "-o", str(out))
    assert_one_error_line(r, 3, "expected numbers")
    assert not out.exists()


def test_load_npy_bytes_keeps_numbers():
    import io

    from fxcli.errors import InvalidInputError
    from fxcli.io.inputs import load_npy_bytes

    for array in (np.arange(4, dtype=np.int16), np.ones(3, np.float32), np.array([True, False])):
        buf = io.BytesIO()
        np.save(buf, array)
        assert np.array_equal(load_npy_bytes(buf.getvalue(), "x.npy"), array)
    buf = io.BytesIO()
    np.save(buf, np.array(["a"]))
    with pytest.raises(InvalidInputError, match="expected numbers"):
        load_npy_bytes(buf.getvalue(), "x.npy")


@pytest.mark.parametrize("value", ["-1", "0", "abc", "nan", "inf"])
def test_bad_max_input_mb_is_a_usage_error(tmp_path, track, value):
    out = tmp_path / "r.mp4"
    r = run_fxe("render", str(track), "-o", str(out), env={"FXE_MAX_INPUT_MB": value})
    assert_one_error_line(r, 2, "FXE_MAX_INPUT_MB")
    assert not out.exists()


def test_input_limit_reads_a_positive_value(monkeypatch):
    from fxcli.io.inputs import input_limit

    monkeypatch.setenv("FXE_MAX_INPUT_MB", "2")
    assert input_limit() == 2 * 2**20
    monkeypatch.delenv("FXE_MAX_INPUT_MB")
    assert input_limit(123) == 123


def test_bad_max_input_mb_fails_score_once_not_per_item():
    from tests.conftest import PORTRAITS

    r = run_fxe("score", "--images", str(PORTRAITS / "interfaces-001.jpg"), "--images",
                str(PORTRAITS / "interfaces-002.jpg"), env={"FXE_MAX_INPUT_MB": "abc"})
    assert_one_error_line(r, 2, "FXE_MAX_INPUT_MB")
    assert r.out == ""
