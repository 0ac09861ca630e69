"""man/ and completions/ are generated from the click tree and must match it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_generated_docs_are_current():
    result = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_bash_completion_completes_commands_and_choices():
    script = (f"source {REPO}/completions/fxe.bash; "
              "COMP_WORDS=(fxe mod); COMP_CWORD=1; _fxe; echo ${COMPREPLY[@]}; "
              "COMP_WORDS=(fxe models ve); COMP_CWORD=2; _fxe; echo ${COMPREPLY[@]}; "
              "COMP_WORDS=(fxe --dtype b); COMP_CWORD=2; _fxe; echo ${COMPREPLY[@]}")
    lines = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert lines == ["models", "verify", "bfloat16"]


def test_man_page_lists_exit_codes():
    page = (REPO / "man" / "fxe.1").read_text()
    assert ".SH EXIT STATUS" in page and ".B 130" in page and "model weights missing" in page
