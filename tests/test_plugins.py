"""A tiny plugin package, installed for a subprocess through PYTHONPATH + dist-info, exercising every hook."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PLUGIN = '''
import click
import numpy as np

import fxcli.plugins


@fxcli.plugins.hookimpl
def fxe_register_backends(register):
    register("edit", "invert", "fxe_tinyplug.parts:Inverter")
    register("text2flame", "flat", "fxe_tinyplug.parts:FlatText2Flame")


@fxcli.plugins.hookimpl
def fxe_register_rigs(register):
    register("tinyrig", "fxe_tinyplug.parts:TinyRig")


@fxcli.plugins.hookimpl
def fxe_register_judges(register):
    register("meancolour", "fxe_tinyplug.parts:MeanColour")


@fxcli.plugins.hookimpl
def fxe_register_trainers(register):
    register("tiny", "fxe_tinyplug.parts:train_tiny", "A tiny plugin trainer.")


@fxcli.plugins.hookimpl
def fxe_register_models(register):
    from fxcli.registry import ModelFile, ModelSpec

    register(ModelSpec(name="tinyplug-weights", description="Weights of the tiny plugin", license="CC0",
                       source="manual", files=(ModelFile("tiny.bin"),), used_by=("edit --model invert",),
                       size="1 KB", instructions="copy tiny.bin into the folder `fxe models where` prints"))
'''

PARTS = '''
import json

import click
import numpy as np


class Inverter:
    name = "invert"
    model_id = "tinyplug-invert"

    def __init__(self, arg=None, *, device="cpu", dtype="auto", offload="none"):
        self.arg = arg

    def map_point(self, shape, xy):
        return np.asarray(xy, np.float64)

    def edit(self, image, terms, *, seed, face):
        return np.clip(image.astype(int) + 20, 0, 255).astype(np.uint8)  # a little brighter


class FlatText2Flame:
    name = "flat"

    def __init__(self, arg=None, *, device="cpu", dtype="auto"):
        pass

    def generate(self, texts, *, seed, fps=25.0, max_frames=None, **options):
        from fxcli.tracks import Track
        from fxcli.tracks.channels import ARKIT52

        frames = np.zeros((3, 52), np.float32)
        frames[:, list(ARKIT52).index("jawOpen")] = 0.5
        return [Track(space="arkit52", channels=list(ARKIT52), fps=fps, frames=frames, text=t) for t in texts]


class TinyRig:
    """The ICT head under another name (a plugin may wrap any rig)."""

    @classmethod
    def load(cls, path=None):
        from fxcli.rigs.ict_rig import IctRig

        rig = IctRig.load()
        rig.name, rig.space = "tinyrig", "arkit52"
        return rig


class MeanColour:
    name = "meancolour"

    def __init__(self, arg=None, *, device="cpu"):
        pass

    def image_embed(self, image):
        return image.reshape(-1, 3).mean(0).astype(np.float64) + 1.0


@click.command()
@click.option("--data", required=True)
@click.option("-o", "--output", required=True)
def train_tiny(data, output):
    """Train nothing (a plugin trainer)."""
    click.echo(json.dumps({"trainer": "tiny", "data": data}))
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    pkg = root / "fxe_tinyplug"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    (pkg / "parts.py").write_text(textwrap.dedent(PARTS))
    info = root / "fxe_tinyplug-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fxe-tinyplug\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[fxe]\ntinyplug = fxe_tinyplug\n\n[fxe.backends]\n"
                                           "blend.legacyinvert = fxe_tinyplug.parts:Inverter\n")
    return root


def fxe(site, *args, **kwargs):
    env = {"PYTHONPATH": str(site), **kwargs.pop("env", {})}
    return run_fxe(*args, env=env, **kwargs)


def test_fxe_plugins_lists_the_plugin_and_what_it_registers(site):
    result = fxe(site, "plugins", "--json")
    assert result.code == 0, result.stderr
    info = json.loads(result.out)
    by_name = {p["name"]: p for p in info["plugins"]}
    assert info["errors"] == []
    plug = by_name["tinyplug"]
    assert plug["distribution"] == "fxe-tinyplug" and plug["version"] == "0.1" and plug["group"] == "fxe"
    assert plug["registers"] == {"backends": ["edit.invert", "text2flame.flat"], "rigs": ["tinyrig"],
                                 "judges": ["meancolour"], "trainers": ["tiny"], "models": ["tinyplug-weights"]}
    assert set(plug["hooks"]) == {"fxe_register_backends", "fxe_register_rigs", "fxe_register_judges",
                                  "fxe_register_trainers", "fxe_register_models"}
    legacy = by_name["fxe-tinyplug (fxe.backends)"]
    assert legacy["group"] == "fxe.backends" and legacy["registers"] == {"backends": ["blend.legacyinvert"]}
    text = fxe(site, "plugins").out
    assert "tinyplug  fxe-tinyplug 0.1" in text and "trainers: tiny" in text


def test_without_plugins_fxe_plugins_says_so():
    result = run_fxe("plugins")
    assert result.code == 0 and "no plugins installed" in result.out


def test_plugin_edit_backend_runs_and_shows_in_help(site, tmp_path):
    out = tmp_path / "inv.png"
    result = fxe(site, "edit", str(PORTRAITS / "interfaces-001.jpg"), "-e", "happy", "--model", "invert", "-o", str(out))
    assert result.code == 0, result.stderr
    from PIL import Image

    src = np.asarray(Image.open(PORTRAITS / "interfaces-001.jpg").convert("RGB")).astype(int)
    got = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert got.shape == src.shape and np.abs(got - np.clip(src + 20, 0, 255)).max() <= 1  # the plugin's edit
    assert "Plugins: invert" in " ".join(fxe(site, "edit", "--help").out.split())
    # the legacy fxe.backends entry point still works (blend)
    legacy = fxe(site, "blend", str(PORTRAITS / "interfaces-001.jpg"), "happy:0.5", "--model", "legacyinvert",
                 "-o", str(tmp_path / "b.png"))
    assert legacy.code == 0, legacy.stderr


def test_plugin_text2flame_backend_and_rig_render(site, tmp_path):
    track = tmp_path / "t.json"
    result = fxe(site, "text2flame", "hello there", "--model", "flat", "-o", str(track))
    assert result.code == 0, result.stderr
    data = json.loads(track.read_text())
    assert data["space"] == "arkit52" and len(data["frames"]) == 3
    assert "tinyrig" in fxe(site, "render", "--help").out
    png = tmp_path / "f.png"
    result = fxe(site, "render", str(track), "--rig", "tinyrig", "--frame", "0", "--size", "64x64", "-o", str(png))
    assert result.code == 0, result.stderr
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("RGB"))
    assert pixels.shape == (64, 64, 3) and pixels.std() > 5  # a head was drawn, not an empty background


def test_plugin_judge_scores_pairs(site, tmp_path):
    from PIL import Image

    a = PORTRAITS / "interfaces-001.jpg"
    img = np.asarray(Image.open(a).convert("RGB"))
    Image.fromarray((img // 2).astype(np.uint8)).save(tmp_path / "dark.png")
    result = fxe(site, "score", "--images", str(tmp_path / "dark.png"), "--source", str(a), "--judge", "meancolour")
    assert result.code == 0, result.stderr
    rec = json.loads(result.out.splitlines()[0])
    ea = img.reshape(-1, 3).mean(0) + 1.0
    eb = (img // 2).reshape(-1, 3).mean(0) + 1.0
    expected = float(ea @ eb / (np.linalg.norm(ea) * np.linalg.norm(eb)))
    assert rec["meancolour"] == pytest.approx(expected, abs=1e-4)


def test_plugin_trainer_and_models(site, tmp_path):
    result = fxe(site, "train", "tiny", "--data", "d", "-o", "o")
    assert result.code == 0, result.stderr
    assert json.loads(result.out) == {"trainer": "tiny", "data": "d"}
    assert "A tiny plugin trainer." in fxe(site, "train", "--help").out
    listed = fxe(site, "models", "list", "--json")
    names = [json.loads(line)["name"] for line in listed.out.splitlines() if line.strip()]
    assert "tinyplug-weights" in names and "qwen-image-edit-2511" in names
    home = {"FXE_HOME": str(tmp_path / "home")}
    assert_one_error_line(fxe(site, "models", "where", "tinyplug-weights", env=home), 4, "copy tiny.bin into")
    folder = tmp_path / "home" / "models" / "tinyplug-weights"
    folder.mkdir(parents=True)
    (folder / "tiny.bin").write_bytes(b"0" * 16)
    where = fxe(site, "models", "where", "tinyplug-weights", env=home)
    assert where.code == 0 and str(folder) in where.out, where.stderr


def test_unknown_plugin_names_still_fail_cleanly(site):
    assert_one_error_line(fxe(site, "edit", str(PORTRAITS / "interfaces-001.jpg"), "-e", "happy", "--model", "nope",
                              "-o", "x.png"), 2, "invert")


def test_a_broken_plugin_is_reported_not_fatal(tmp_path):
    pkg = tmp_path / "broken_plug"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('boom')\n")
    info = tmp_path / "broken_plug-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plug\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[fxe]\nbroken = broken_plug\n")
    result = run_fxe("plugins", "--json", env={"PYTHONPATH": str(tmp_path)})
    assert result.code == 0
    errors = json.loads(result.out)["errors"]
    assert len(errors) == 1 and "broken" in errors[0] and "boom" in errors[0]
    assert run_fxe("expressions", "list", env={"PYTHONPATH": str(tmp_path)}).code == 0


def test_help_does_not_import_heavy_modules_with_the_plugin(site):
    import subprocess
    import sys

    probe = ("import sys, json\nfrom fxcli.cli.main import cli\n"
             "try:\n    cli.main(args=sys.argv[1:], prog_name='fxe', standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules)))")
    for args in (["--help"], ["edit", "--help"], ["train", "--help"], ["render", "--help"]):
        out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True,
                             env={**__import__("os").environ, "PYTHONPATH": str(site)}).stdout
        assert json.loads(out.strip().splitlines()[-1]) == [], args


def test_contracts_accept_the_plugin_objects_and_name_what_is_missing(site, monkeypatch):
    import importlib

    from fxcli.contracts import EditBackend, Judge, Text2FlameBackend, check
    from fxcli.errors import UsageError

    monkeypatch.syspath_prepend(str(site))
    parts = importlib.import_module("fxe_tinyplug.parts")
    assert check(parts.Inverter(), EditBackend, "x") is not None
    assert check(parts.MeanColour(), Judge, "x") is not None
    assert isinstance(parts.FlatText2Flame(), Text2FlameBackend)
    with pytest.raises(UsageError, match=r"missing: image_embed"):
        check(parts.Inverter(), Judge, "judge 'invert'")
