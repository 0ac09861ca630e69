"""Float options refuse NaN and infinities (click's FloatRange lets NaN through): exit 2, nothing written."""

from __future__ import annotations

import json

import click
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = PORTRAITS / "interfaces-001.jpg"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf"])
def test_gen_avatar_sigma_must_be_finite(tmp_path, value):
    out = tmp_path / "out"
    r = run_fxe("gen-avatar", "-n", "1", "--sigma", value, "-e", "happy", "-o", f"{out}/")
    assert_one_error_line(r, 2, "--sigma", "finite")
    assert not out.exists() and r.out == ""


def test_gen_avatar_job_line_sigma_must_be_finite(tmp_path):
    out = tmp_path / "out"
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"identities": 1, "sigma": "nan", "expressions": "happy", "output": f"{out}/"}) + "\n")
    r = run_fxe("gen-avatar", "--jobs", str(jobs))
    assert r.code == 1 and "finite" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_stylize_strength_must_be_finite(tmp_path):
    out = tmp_path / "s.png"
    r = run_fxe("stylize", str(PHOTO), "--strength", "nan", "-o", str(out))
    assert_one_error_line(r, 2, "--strength", "finite")
    assert not out.exists()


def test_owned_commands_use_no_plain_float_range():
    """gen-avatar and stylize declare their float ranges through option_types (NaN-proof)."""
    from fxcli.cli.gen_avatar_cmd import gen_avatar
    from fxcli.cli.option_types import FiniteFloatRange
    from fxcli.cli.stylize_cmd import stylize

    for command in (gen_avatar, stylize):
        for param in command.params:
            if isinstance(param.type, click.FloatRange):
                assert isinstance(param.type, FiniteFloatRange), (command.name, param.name)
