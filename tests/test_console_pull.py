"""Plain progress lines off a terminal; `models pull` checks what it downloaded."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli import registry
from fxcli.cli.console import Console
from fxcli.errors import ModelMissingError


def test_progress_off_terminal_prints_plain_lines(capsys):
    console = Console()
    with console.progress("frames", 20) as update:
        for i in range(1, 21):
            update(i)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "frames: 2/20 (10%)" and lines[-1] == "frames: 20/20 (100%)"
    assert len(lines) == 10 and "\x1b[" not in "".join(lines)


def test_progress_learns_its_total_when_the_work_starts(capsys):
    console = Console()
    with console.progress("talk", None) as update:
        for i in range(1, 11):
            update(i, 10)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "talk: 1/10 (10%)" and lines[-1] == "talk: 10/10 (100%)" and len(lines) == 10


def test_quiet_console_prints_only_errors(capsys):
    console = Console()
    console.verbosity = -1
    console.info("hello")
    with console.progress("x", 2) as update:
        update(2)
    console.error("fxe: error: boom")
    assert capsys.readouterr().err == "fxe: error: boom\n"


def test_pull_downloads_only_the_allowed_files_and_checks_them(tmp_path, monkeypatch):
    import huggingface_hub

    calls = {}

    def fake_snapshot_download(repo_id, allow_patterns=None):
        calls["repo"], calls["patterns"] = repo_id, allow_patterns
        folder = tmp_path / "snap"
        folder.mkdir()
        (folder / "config.json").write_text("{}")
        from safetensors.numpy import save_file

        save_file({"w": np.zeros((4, 4), np.float32)}, str(folder / "model.safetensors"))  # a well-formed file
        return str(folder)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    folder = registry.pull("dinov2-base")
    assert calls == {"repo": "facebook/dinov2-base", "patterns": ["*.json", "model.safetensors"]}
    assert registry.check_folder(registry.get_spec("dinov2-base"), folder) == []


def test_pull_of_licence_gated_model_says_where_to_put_it():
    with pytest.raises(ModelMissingError, match="insightface"):
        registry.pull("insightface-buffalo_l")
