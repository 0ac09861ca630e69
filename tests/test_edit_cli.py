"""`fxe edit` and `fxe blend` with the default embedded editor, as a user runs them (also Ctrl-C mid-sweep)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.conftest import PORTRAITS, REPO

PORTRAIT = str(PORTRAITS / "interfaces-001.jpg")

# Runs the real entry point; registers the two commands in case the command table does not list them yet.
ENTRY = ("import sys\n"
         "from fxcli.cli.main import COMMANDS, main\n"
         "COMMANDS.setdefault('edit', ('fxcli.cli.edit_cmd:edit', 'Edit a portrait expression.'))\n"
         "COMMANDS.setdefault('blend', ('fxcli.cli.blend_cmd:blend', 'Blend expressions.'))\n"
         "sys.argv[0] = 'fxe'\n"
         "main()\n")


def fxe(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-c", ENTRY, *args], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300, **kw)


def test_edit_one_image_default_embedded(tmp_path):
    from fxcli.provenance import read_provenance

    out = tmp_path / "out.png"
    r = fxe("edit", PORTRAIT, "--expression", "surprised", "--alpha", "0.7", "-o", str(out), "--identity")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "alpha 0.70" in r.stderr and "identity 0.9" in r.stderr
    meta = read_provenance(str(out))[0]
    assert meta["model"] == "embedded" and meta["params"]["expression"] == "surprised"



def test_edit_without_identity_says_nothing_about_identity(tmp_path):
    r = fxe("edit", PORTRAIT, "--expression", "happy", "--alpha", "0.5", "-o", str(tmp_path / "h.png"))
    assert r.returncode == 0, r.stderr
    said = r.stderr.replace(str(tmp_path), "TMP")
    assert "alpha 0.50: TMP/h.png" in said and "identity" not in said  # no "identity not checked" noise

def test_blend_default_embedded(tmp_path):
    out = tmp_path / "b.png"
    r = fxe("blend", PORTRAIT, "happy:0.6", "surprised:0.4", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.is_file() and "blend happy:0.60 + surprised:0.40" in r.stderr


def test_help_has_examples():
    r = fxe("edit", "--help")
    assert r.returncode == 0 and "fxe edit face.jpg --expression happy --alpha 0:1.5:0.25 -o sweep/" in r.stdout
    r = fxe("blend", "--help")
    assert r.returncode == 0 and "happy:0.6 surprised:0.4" in r.stdout


def test_sweep_interrupted_by_ctrl_c_resumes(tmp_path):
    folder = tmp_path / "sweep"
    args = ["edit", PORTRAIT, "-e", "happy", "-a", "0:3:0.25", "-o", str(folder) + "/", "--identity"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=REPO)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(folder.glob("interfaces-001_happy_*.png"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    done = sorted(p.name for p in folder.iterdir())
    assert not [n for n in done if ".part" in n]  # no half-written file
    assert 1 <= len(done) < 13 and "interfaces-001_happy_sweep.json" not in done
    r = fxe(*args)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("kept") == len(done)
    index = json.loads((folder / "interfaces-001_happy_sweep.json").read_text())
    assert [i["alpha"] for i in index["items"]] == [k * 0.25 for k in range(13)]
    assert all(s > 0.8 for s in index["meta"]["identity_similarity"])
