"""Every command's --help has an Examples section, and the examples of the core commands run as written.

Marker: an example line that ends with `# needs: NAME[, NAME...]` (or `...; needs: NAME` inside a comment)
runs only when each NAME is available, and is otherwise reported as skipped (never silently dropped). NAME is a model of the registry
(`fxe models list`, e.g. `bert-base-cased`, `pixelsmile`), an executable on PATH (`ffplay`, `zsh`), an
importable Python module (`onnxruntime`), or `network` (never available to tests). Examples run in bash (`set -o pipefail`), in a temp folder holding
the files they name (face.jpg, story.json, sentences.jsonl ...), which this test builds first.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PORTRAITS, REPO

sys.path.insert(0, str(REPO / "scripts"))
from gen_docs import split_sections  # noqa: E402

NEEDS = re.compile(r"[#;]\s*needs:\s*([\w.,\- ]+)\s*$")
CORE = ("text2flame", "render", "edit", "blend", "score", "expressions", "track", "models", "env", "inspect",
        "completion")
# subcommands of the core groups that belong to other areas (their own tests run their examples)
NOT_CORE = ("fxe track capture",)


def _commands():
    from fxcli.cli.completion_cmd import _walk
    from fxcli.cli.main import EPILOG, cli

    out = []
    for path, command in _walk(cli, ["fxe"]):
        text = (command.help or "") + ("\n\n" + inspect.cleandoc(EPILOG) if len(path) == 1 else "")
        examples = split_sections(text)[1].get("EXAMPLES", "")
        out.append((" ".join(path), [ln.strip() for ln in examples.splitlines() if ln.strip()]))
    return out


COMMANDS = _commands()


@pytest.mark.parametrize(("name", "examples"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_examples(name, examples):
    assert examples, f"`{name} --help` has no Examples section"
    assert all(ex.startswith(("fxe ", "echo ", "accelerate ", "mkdir ", "source ")) for ex in examples), examples


def _core_examples():
    seen, out = set(), []
    for name, examples in COMMANDS:
        parts = name.split()
        if len(parts) > 1 and parts[1] not in CORE or name in NOT_CORE:
            continue
        for ex in examples:
            if ex not in seen:
                seen.add(ex)
                out.append((name, ex))
    return out


CORE_EXAMPLES = _core_examples()


def _missing(example: str) -> list[str]:
    m = NEEDS.search(example)
    if not m:
        return []
    from fxcli import registry
    from fxcli.errors import FxeError

    missing = []
    for need in (n.strip() for n in m.group(1).split(",") if n.strip()):
        if need == "network":
            missing.append("network")
        elif need in {s.name for s in registry.MODELS}:
            try:
                registry.resolve(need)
            except FxeError:
                missing.append(need)
        elif shutil.which(need) is None and importlib.util.find_spec(need) is None:
            missing.append(need)
    return missing


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """The files the examples name, made the way a user would make them."""
    from PIL import Image

    from fxcli.tracks import Track, dumps_track

    d = tmp_path_factory.mktemp("examples")
    (d / "home").mkdir()
    for name in ("face.jpg", "portrait.jpg"):
        shutil.copy(PORTRAITS / "interfaces-001.jpg", d / name)
    a, b = Image.open(PORTRAITS / "interfaces-001.jpg"), Image.open(PORTRAITS / "interfaces-002.jpg")
    group = Image.new("RGB", (a.width + b.width, max(a.height, b.height)), "white")
    group.paste(a, (0, 0))
    group.paste(b, (a.width, 0))
    group.save(d / "group.jpg", quality=92)
    env = _env(d)
    run = lambda cmd: subprocess.run(cmd, shell=True, cwd=d, env=env, check=True, capture_output=True)  # noqa: E731
    run('fxe text2flame "What a beautiful story." -o story.json')
    run('fxe text2flame "One." -o one.json && fxe text2flame "Two." -o two.json && cat one.json two.json > many.jsonl')
    cteg = Track.zeros("flame", 10, 25)
    cteg.text = "A flame track."
    (d / "cteg.json").write_text(dumps_track(cteg) + "\n")
    (d / "sentences.jsonl").write_text('{"text": "Hello there."}\n{"text": "I am so tired.", "output": "tired.json"}\n')
    (d / "renders.jsonl").write_text(json.dumps({"track": "story.json", "output": "a.mp4", "view": "left"}) + "\n")
    (d / "edits.jsonl").write_text(json.dumps({"source": "face.jpg", "expression": "sad", "output": "a_sad.png"})
                                   + "\n")
    (d / "blends.jsonl").write_text(json.dumps({"source": "face.jpg", "terms": ["happy:0.6", "sad:0.2"],
                                                "output": "a_blend.png"}) + "\n")
    (d / "conversions.jsonl").write_text(json.dumps({"source": "story.json", "output": "story_c.npz"}) + "\n")
    (d / "edits").mkdir()
    shutil.copy(PORTRAITS / "interfaces-001.jpg", d / "edits" / "a.jpg")
    run("fxe track convert story.json -o take.csv")
    run("fxe edit face.jpg -e happy -a 0:1:0.5 -o sweep/")
    subprocess.run('fxe talk portrait.jpg --text "Hello there." -o talk.mp4', shell=True, cwd=d, env=env,
                   capture_output=True)  # for `fxe score --talk`; that example fails visibly if this did not work
    return d


def _env(d: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    env.update({"HOME": str(d / "home"), "NO_COLOR": "1", "PYTHONHASHSEED": "0",
                "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}"})
    return env


@pytest.mark.slow
@pytest.mark.parametrize(("name", "example"), CORE_EXAMPLES, ids=[f"{n}: {e[:60]}" for n, e in CORE_EXAMPLES])
def test_core_example_runs_as_written(name, example, workspace):
    missing = _missing(example)
    if missing:
        pytest.skip(f"marked `# needs: {', '.join(missing)}` and not available here")
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", example], cwd=workspace, env=_env(workspace),
                          capture_output=True, timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, (example, proc.returncode, proc.stderr.decode("utf-8", "replace")[-2000:])
    assert b"Traceback" not in proc.stderr


def test_marker_parsing():
    assert _missing("fxe models pull dinov2-base   # needs: network") == ["network"]
    assert _missing("fxe models where minilm") == []
    assert _missing("fxe x  # needs: no-such-tool-xyz") == ["no-such-tool-xyz"]
    assert _missing("fxe x  # needs: minilm, bash") == []


def _fxe_invocations(example: str) -> list[list[str]]:
    """The argument lists of the `fxe` commands in one example line (pipes, && and ; split it)."""
    import shlex

    lexer = shlex.shlex(example.split("  #")[0], posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    out, current, redirect = [], [], False
    for token in list(lexer) + [";"]:
        if redirect:  # the file of a redirection
            redirect = False
        elif token and set(token) <= set("<>"):
            redirect = True
        elif token and set(token) <= set("|&;"):
            if current[:1] == ["fxe"]:
                out.append(current[1:])
            elif current[:3] == ["accelerate", "launch"] and "fxcli" in current:
                out.append(current[current.index("fxcli") + 1:])
            current = []
        else:
            current.append(token)
    return out


def _parse_error(args: list[str]) -> str | None:
    """Click's complaint about `fxe ARGS` when it names an unknown option, subcommand or extra argument."""
    import click

    from fxcli.cli.main import cli

    command, name, parent = cli, "fxe", None
    try:
        while True:
            ctx = command.make_context(name, list(args), parent=parent, resilient_parsing=False)
            if not isinstance(command, click.Group):
                return None
            rest = ctx._protected_args + ctx.args if hasattr(ctx, "_protected_args") else ctx.protected_args + ctx.args
            if not rest:
                return None
            name, command, args = command.resolve_command(ctx, rest)
            parent = ctx
    except click.exceptions.Exit:
        return None
    except click.UsageError as exc:
        message = exc.format_message()
        known_wrong = ("No such option", "unexpected extra argument", "No such command", "Missing argument")
        return message if any(w in message for w in known_wrong) else None


ALL_EXAMPLES = [(name, ex) for name, examples in COMMANDS for ex in examples]


@pytest.mark.parametrize(("name", "example"), ALL_EXAMPLES, ids=[f"{n}: {e[:60]}" for n, e in ALL_EXAMPLES])
def test_every_example_names_real_options(name, example):
    """Each example, also of the commands too heavy to run here, uses options and arguments its command has."""
    for args in _fxe_invocations(example):
        assert _parse_error(args) is None, (example, _parse_error(args))


def test_a_wrong_example_is_caught():
    assert _parse_error(["edit", "face.jpg", "happy", "-o", "x.png"]) is not None
    assert _parse_error(["render", "t.json", "--no-such-option"]) is not None
    assert _parse_error(["edit", "face.jpg", "-e", "happy", "-o", "x.png"]) is None
    assert _fxe_invocations('fxe a "b c" | fxe d -o - && echo x; fxe e > f  # note') == [["a", "b c"], ["d", "-o", "-"], ["e"]]


def _document_examples() -> list[tuple[str, str]]:
    """The `fxe ...` lines of the shell blocks in README.md, docs/*.md and recipes/*.yaml comments."""
    out = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        in_block = False
        for line in doc.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                in_block = not in_block
                continue
            text = line.strip().removeprefix("$ ")
            if in_block and text.startswith("fxe "):
                out.append((doc.name, text))
    for recipe in sorted((REPO / "recipes").glob("*.yaml")):
        for line in recipe.read_text(encoding="utf-8").splitlines():
            text = line.lstrip("# ").strip()
            if text.startswith("fxe "):
                out.append((recipe.name, text.replace("--recipe recipes/", f"--recipe {REPO}/recipes/")))
    return out


DOC_EXAMPLES = _document_examples()


@pytest.mark.parametrize(("doc", "example"), DOC_EXAMPLES, ids=[f"{d}: {e[:60]}" for d, e in DOC_EXAMPLES])
def test_documented_examples_name_real_options(doc, example):
    for args in _fxe_invocations(example):
        assert _parse_error(args) is None, (doc, example, _parse_error(args))
