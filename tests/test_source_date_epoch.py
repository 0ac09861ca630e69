"""SOURCE_DATE_EPOCH: a bad value is a usage error (2) before any command runs; a good one is recorded."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_one_error_line, run_fxe


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "", "-5", "1.5", "١٢"])
def test_bad_source_date_epoch(tmp_path, value):
    out = tmp_path / "t.json"
    r = run_fxe("text2flame", "hi", "-o", str(out), env={"SOURCE_DATE_EPOCH": value})
    assert_one_error_line(r, 2, "SOURCE_DATE_EPOCH")
    assert not out.exists()


def test_bad_source_date_epoch_render(tmp_path):
    from fxcli.tracks import Track, write_tracks

    track = tmp_path / "t.json"
    write_tracks([Track.zeros("arkit52", 3, 25.0)], track)
    out = tmp_path / "r.png"
    r = run_fxe("render", str(track), "--frame", "0", "-o", str(out), env={"SOURCE_DATE_EPOCH": "abc"})
    assert_one_error_line(r, 2, "SOURCE_DATE_EPOCH", "'abc'")
    assert not out.exists()


def test_good_source_date_epoch_is_recorded():
    r = run_fxe("text2flame", "hi", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert r.code == 0, r.stderr
    assert json.loads(r.out.splitlines()[0])["meta"]["time"] == "2023-11-14T22:13:20+00:00"
