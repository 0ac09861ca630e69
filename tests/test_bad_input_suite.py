"""The bad-input suite: every subcommand given broken, hostile or endless input fails the documented way.

Each case asserts the exit code, exactly one stderr line, no traceback, no Python warning and no file
left in the output folder (nor in the inputs' folder). Cases run `fxe` in a forked child of this test
process (real file descriptors, real exit status, a crash shows as a signal), which costs milliseconds
instead of a fresh interpreter; the few cases that need torch import it in their child only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests import bad_inputs as B
from tests.conftest import Result, assert_one_error_line, run_fxe

BAD_UTF8 = os.fsdecode(b"caf\xe9 au lait")  # what Python makes of non-UTF-8 argument bytes
CASE_TIMEOUT_S = 120


# ---------------------------------------------------------------------------------------- the runner
def run_forked(args: list[str], *, stdin: str | bytes | None = None, env: dict | None = None,
               cwd: Path) -> Result:
    """Run `fxe ARGS` in a forked child: stdin from bytes or a path (e.g. /dev/zero), cwd, extra env."""
    import tempfile

    out_fd, out_path = tempfile.mkstemp(prefix="fxe-out-")
    err_fd, err_path = tempfile.mkstemp(prefix="fxe-err-")
    if isinstance(stdin, str):
        in_fd = os.open(stdin, os.O_RDONLY)
    else:
        r, w = os.pipe()
        data = stdin or b""
        if len(data) > 60000:
            raise ValueError("stdin too large for the pipe; use a file")
        os.write(w, data)
        os.close(w)
        in_fd = r
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 70
        try:
            signal.alarm(CASE_TIMEOUT_S)
            os.dup2(in_fd, 0)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            os.chdir(cwd)
            for key in [k for k in os.environ if k.startswith("FXE_")]:
                del os.environ[key]
            os.environ.update({"NO_COLOR": "1", "PYTHONHASHSEED": "0", **(env or {})})
            sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
            sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin
            warnings.resetwarnings()  # Python's defaults, as a user's interpreter has them
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.simplefilter("ignore", category)
            from fxcli.cli.console import console
            from fxcli.cli.main import main

            console.verbosity = 0
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - report anything to the parent as a traceback
            import traceback

            traceback.print_exc()
            code = 71
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(in_fd)
    os.close(out_fd)
    os.close(err_fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)  # negative: killed by that signal (a crash)
    stdout = Path(out_path).read_bytes()
    stderr = Path(err_path).read_text("utf-8", "replace")
    os.unlink(out_path)
    os.unlink(err_path)
    return Result(code, stdout, stderr)


# ------------------------------------------------------------------------------------- the fixtures
@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> Path:
    """Every bad input file, built once."""
    d = tmp_path_factory.mktemp("bad-inputs")
    w = lambda name, data: (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())  # noqa: E731
    good = B.good_track()
    w("good.json", json.dumps(good))
    flame = B.good_track("flame", 3)
    w("flame.json", json.dumps(flame))
    w("empty.json", b"")
    w("blank.json", b"  \n\n ")
    w("garbage.bin", bytes(range(256)) * 4)
    w("latin1.json", b'{"format": "caf\xe9"}')
    w("deep.json", "[" * 100_000 + "]" * 100_000)
    w("deep_obj.json", '{"a":' * 100_000 + "1" + "}" * 100_000)
    w("bigint.json", B.track_with(fps=123457).replace("123457", "9" * 5000))
    w("bigint_frame.json", json.dumps(good).replace('"frames": [[0.0', '"frames": [[' + "7" * 5000, 1))
    w("nan.json", B.track_with(frames=[[float("nan")] * 52]))
    w("inf.json", B.track_with(fps=123457).replace("123457", "Infinity"))
    w("huge_float.json", json.dumps(good).replace('"frames": [[0.0', '"frames": [[1e300', 1))
    w("e999.json", json.dumps(good).replace('"frames": [[0.0', '"frames": [[1e999', 1))
    w("fps0.json", B.track_with(fps=0))
    w("fps_str.json", B.track_with(fps="25"))
    w("fps_bigint.json", B.track_with(fps=10**40))
    w("ragged.json", B.track_with(frames=[[0.0] * 52, [0.0] * 51]))
    w("strings.json", B.track_with(frames=[["a"] * 52]))
    w("noframes.json", B.track_with(frames=[]))
    w("width.json", B.track_with(frames=[[0.0] * 40]))
    w("unknown_key.json", B.track_with(colour="red"))
    w("format.json", B.track_with(format="fxe.track/v9"))
    w("list.json", "[1, 2, 3]")
    w("space.json", B.track_with(space="mocap"))
    w("bad_line2.jsonl", json.dumps(good) + "\n{oops\n")
    w("bomb.npz", B.zip_bomb_npz(4))  # 4 MiB inflated: over a 1 MiB cap (FXE_MAX_INPUT_MB=1)
    w("lying.npz", B.lying_npz())
    w("complex.npz", B.track_npz(frames=np.zeros((3, 52), np.complex64)))
    w("object.npz", B.npz_bytes({"frames": np.array([{"a": 1}], dtype=object)}))
    w("many.npz", B.npz_bytes({f"k{i}": np.zeros(1) for i in range(40)}))
    w("truncated.npz", B.track_npz()[:200])
    w("fps_vec.npz", B.track_npz(fps=np.zeros(1000)))
    # identities
    w("id_obj.json", '{"a": 1}')
    w("id_strings.json", '["a", "b"]')
    w("id_nested.json", "[[1, 2], [3]]")
    w("id_lying.npy", B.lying_npy())
    w("id_object.npy", B.object_npy())
    # pickles
    w("segv.pkl", B.forged_object_array_pickle())
    w("cycle.pkl", B.self_referencing_chumpy_pickle())
    w("sparse.pkl", B.huge_sparse_pickle())
    w("system.pkl", B.system_pickle())
    w("ndarray_call.pkl", B.huge_ndarray_call_pickle())
    w("truncated.pkl", B.system_pickle()[:30])
    # images
    shutil.copy(B.PORTRAIT, d / "face.jpg")
    shutil.copy(B.NO_FACE, d / "noface.jpg")
    w("bomb.png", B.png(100_000, 100_000))
    w("tiny.png", B.png(8, 8))
    w("notjson.png", B.png(40, 40, {"fxe": "this is not {json"}))
    w("jsonlist.png", B.png(40, 40, {"fxe": "[1, 2]"}))
    w("plain.png", B.png(40, 40))
    w("fake.png", b"PNG? no. " * 20)
    w("truncated.jpg", B.PORTRAIT.read_bytes()[:2000])
    w("fake.mp4", b"\x00" * 100)
    # recipes
    for name, text in {"r_fps_list": "fps: [1, 2]\n", "r_seed": "seed: -1\n", "r_unknown": "colour: red\n",
                       "r_list": "- 1\n- 2\n", "r_yaml": "fps: [1, 2\n", "r_dup": "fps: 1\nfps: 2\n",
                       "r_command": "command: render\n", "r_alpha": "alpha: ''\n", "r_fps_nan": "fps: .nan\n",
                       "r_obj": "fps: {a: 1}\n", "r_tag": "fps: !!python/object:os.system x\n",
                       "r_edit_alpha": "alpha: ''\n", "r_train": "d_model: 0\n"}.items():
        w(name + ".yaml", text)
    # safetensors model folders
    for kind, data in B.safetensors_variants().items():
        folder = d / f"st_{kind}"
        folder.mkdir()
        (folder / "config.json").write_text("{}")
        (folder / "tokenizer.json").write_text("{}")
        (folder / "model.safetensors").write_bytes(data)
    # CTEG checkpoints
    B.cteg_folder(d / "ck_heads0", {"n_heads": 0})
    B.cteg_folder(d / "ck_dmodel_float", {"d_model": 1e7})
    B.cteg_folder(d / "ck_dmodel_big", {"d_model": 10_000_000})
    B.cteg_folder(d / "ck_maxlen", {"max_len": 2_000_000_000})
    B.cteg_folder(d / "ck_divisible", {"d_model": 10, "n_heads": 3})
    B.cteg_folder(d / "ck_dropout", {"dropout": "x"})
    B.cteg_folder(d / "ck_jaw", {"jaw_channels": [999]})
    B.cteg_folder(d / "ck_notjson", raw_config="{nope")
    B.cteg_folder(d / "ck_deep", raw_config="[" * 100_000 + "]" * 100_000)
    B.cteg_folder(d / "ck_bigint", raw_config='{"format": "fxe.cteg/v1", "config": {"d_model": ' + "9" * 5000 + "}}")
    B.cteg_folder(d / "ck_format", raw_config='{"format": "other"}')
    B.cteg_folder(d / "ck_truncated", weights=B.safetensors_variants()["truncated"])
    (d / "ck_noconfig").mkdir()
    # EmoAva training folders
    for name, texts, exps in [
        ("emo_segv", ["a"], B.forged_object_array_pickle()),
        ("emo_system", ["a"], B.system_pickle()),
        ("emo_truncated", ["a"], B.system_pickle()[:25]),
        ("emo_ndarray", ["a"], B.huge_ndarray_call_pickle()),
        ("emo_width", ["a"], __import__("pickle").dumps([np.zeros((5, 52), np.float32)], protocol=2)),
        ("emo_count", ["a", "b"], __import__("pickle").dumps([np.zeros((5, 53), np.float32)], protocol=2)),
        ("emo_notlist", ["a"], __import__("pickle").dumps({"x": 1}, protocol=2)),
    ]:
        folder = d / name
        folder.mkdir()
        (folder / "train_stage1_text.pkl").write_bytes(__import__("pickle").dumps(texts, protocol=2))
        (folder / "train_stage1_exps.pkl").write_bytes(exps)
    (d / "emptydir").mkdir()
    # jobs and pairs
    w("jobs_deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    w("pairs_bad.jsonl", '{"source": 1}\n')
    w("pairs_deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    os.mkfifo(d / "fifo_in")
    return d


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    fragment: str = ""
    stdin: str | bytes | None = None  # bytes, or a path such as /dev/zero
    env: tuple[tuple[str, str], ...] = ()


def C(id: str, args: str | list[str], code: int, fragment: str = "", stdin=None, **env: str) -> Case:  # noqa: N802
    import shlex

    parts = shlex.split(args) if isinstance(args, str) else list(args)
    return Case(id, tuple(parts), code, fragment, stdin, tuple(env.items()))


LONG_TEXT = "word " * 2001
T = ("text2flame", "hello there")
CTEG = "{in}/ck_%s"

CASES: list[Case] = [
    # ---- root and first contact
    C("root-unknown-option", "--frobnicate", 2, "No such option"),
    C("root-unknown-command", "frobnicate", 2, "No such command"),
    C("root-seed-negative", "--seed -1 env", 2, "--seed"),
    C("root-seed-env", "env", 2, "FXE_SEED", FXE_SEED="-1"),
    C("root-dtype", "--dtype float8 env", 2, "--dtype"),
    C("root-device", "--device tpu env", 2, "device"),
    # ---- text2flame: text
    C("t2f-empty-text", ["text2flame", ""], 3, "text is empty"),
    C("t2f-blank-text", ["text2flame", "   "], 3, "text is empty"),
    C("t2f-invalid-utf8-arg", ["text2flame", BAD_UTF8], 3, "not valid UTF-8"),
    C("t2f-invalid-utf8-stdin", "text2flame -", 3, "not valid UTF-8", stdin=b"caf\xe9\n"),
    C("t2f-too-long", ["text2flame", LONG_TEXT], 3, "too long"),
    C("t2f-endless-stdin", "text2flame -", 3, "input limit", stdin="/dev/zero"),
    C("t2f-empty-stdin", "text2flame -", 3, "stdin is empty", stdin=b""),
    C("t2f-nul-stdin-cap", "text2flame -", 3, "input limit", stdin="/dev/zero", FXE_MAX_INPUT_MB="1"),
    # ---- text2flame: option ranges (one rule for every backend)
    *[C(f"t2f-fps-{v}", [*T, "--fps", v], 2, "--fps") for v in ("0", "-1", "500", "nan", "inf", "abc", "")],
    *[C(f"t2f-cteg-fps-{v}", [*T, "--fps", v, "--model", "cteg:{in}/ck_heads0"], 2, "--fps") for v in ("0", "500")],
    *[C(f"t2f-alpha-{v or 'empty'}", [*T, "--alpha", v], 2, "--alpha") for v in ("-1", "4", "nan", "")],
    *[C(f"t2f-max-frames-{v}", [*T, "--max-frames", v], 2, "--max-frames") for v in ("0", "-5", "1.5")],
    *[C(f"t2f-seed-{v[:6]}", [*T, "--seed", v], 2, "--seed") for v in ("-1", str(2**70), "1.5", "abc", "9" * 5000)],
    C("t2f-expression-empty", [*T, "--expression", ""], 2, "empty expression"),
    C("t2f-expression-utf8", [*T, "--expression", BAD_UTF8], 3, "not valid UTF-8"),
    C("t2f-expression-long", [*T, "--expression", "x" * 300], 2, "too long"),
    C("t2f-model-unknown", [*T, "--model", "nope"], 2, "nope"),
    C("t2f-model-cteg-no-arg", [*T, "--model", "cteg"], 2, "checkpoint folder"),
    C("t2f-jobs-missing", "text2flame --jobs {in}/nope.jsonl", 3, "no such file"),
    C("t2f-jobs-stdin-twice", "text2flame - --jobs -", 2, "--jobs"),
    C("t2f-jobs-endless", "text2flame --jobs -", 3, "input limit", stdin="/dev/zero"),
    # ---- text2flame: CTEG checkpoint configs (validated before anything is allocated)
    C("cteg-n-heads-0", [*T, "--model", "cteg:" + CTEG % "heads0"], 3, "config.n_heads"),
    C("cteg-d-model-float", [*T, "--model", "cteg:" + CTEG % "dmodel_float"], 3, "config.d_model"),
    C("cteg-d-model-1e7", [*T, "--model", "cteg:" + CTEG % "dmodel_big"], 3, "config.d_model"),
    C("cteg-max-len-2e9", [*T, "--model", "cteg:" + CTEG % "maxlen"], 3, "config.max_len"),
    C("cteg-divisible", [*T, "--model", "cteg:" + CTEG % "divisible"], 3, "divisible by n_heads"),
    C("cteg-dropout-str", [*T, "--model", "cteg:" + CTEG % "dropout"], 3, "config.dropout"),
    C("cteg-jaw-channel", [*T, "--model", "cteg:" + CTEG % "jaw"], 3, "config.jaw_channels"),
    C("cteg-config-deep", [*T, "--model", "cteg:" + CTEG % "deep"], 3, "nested"),
    C("cteg-config-bigint", [*T, "--model", "cteg:" + CTEG % "bigint"], 3, "digits"),
    C("cteg-config-not-json", [*T, "--model", "cteg:" + CTEG % "notjson"], 4, "config.json unreadable"),
    C("cteg-config-format", [*T, "--model", "cteg:" + CTEG % "format"], 4, "not fxe.cteg/v1"),
    C("cteg-no-config", [*T, "--model", "cteg:" + CTEG % "noconfig"], 4, "no config.json"),
    C("cteg-missing-folder", [*T, "--model", "cteg:{in}/nothing"], 4, "not found"),
    C("cteg-weights-truncated", [*T, "--model", "cteg:" + CTEG % "truncated"], 4, "corrupt"),
    # ---- text2flame: recipes, through the same types as the flags
    C("recipe-fps-list", [*T, "--recipe", "{in}/r_fps_list.yaml"], 2, "fps"),
    C("recipe-fps-object", [*T, "--recipe", "{in}/r_obj.yaml"], 2, "fps"),
    C("recipe-fps-nan", [*T, "--recipe", "{in}/r_fps_nan.yaml"], 2, "fps"),
    C("recipe-seed-negative", [*T, "--recipe", "{in}/r_seed.yaml"], 2, "seed"),
    C("recipe-unknown-key", [*T, "--recipe", "{in}/r_unknown.yaml"], 2, "unknown key"),
    C("recipe-not-mapping", [*T, "--recipe", "{in}/r_list.yaml"], 2, "mapping"),
    C("recipe-bad-yaml", [*T, "--recipe", "{in}/r_yaml.yaml"], 2, "invalid YAML"),
    C("recipe-duplicate", [*T, "--recipe", "{in}/r_dup.yaml"], 2, "duplicate"),
    C("recipe-other-command", [*T, "--recipe", "{in}/r_command.yaml"], 2, "for command"),
    C("recipe-python-tag", [*T, "--recipe", "{in}/r_tag.yaml"], 2, "invalid YAML"),
    C("recipe-missing", [*T, "--recipe", "{in}/nope.yaml"], 2, "cannot read"),
    C("recipe-env-missing", list(T), 2, "cannot read", FXE_RECIPE="/nonexistent/r.yaml"),
    # ---- track validate / convert / info
    *[C(f"track-{name}", f"track validate {{in}}/{name}.json", 3, frag) for name, frag in [
        ("empty", "is empty"), ("blank", "is empty"), ("latin1", "not UTF-8"), ("deep", "nested"),
        ("deep_obj", "nested"), ("bigint", "digits"), ("bigint_frame", "digits"), ("nan", "non-finite"),
        ("inf", "fps"), ("huge_float", "out of range"), ("e999", "non-finite"), ("fps0", "fps"),
        ("fps_str", "fps must be a number"), ("fps_bigint", "fps"), ("ragged", "frame 0 has 52"),
        ("strings", "expected a number"), ("noframes", "zero frames"), ("width", "40 values per frame"),
        ("unknown_key", "unknown key"), ("format", "fxe.track/v9"), ("list", "expected a JSON object"),
        ("space", "mocap")]],
    C("track-garbage", "track validate {in}/garbage.bin", 3, "not UTF-8 JSON"),
    C("track-jsonl-line2", "track validate {in}/bad_line2.jsonl", 3, "line 2"),
    C("track-npz-bomb", "track validate {in}/bomb.npz", 3, "input limit", FXE_MAX_INPUT_MB="1"),
    C("track-npz-lying-header", "track validate {in}/lying.npz", 3, "declares shape"),
    C("track-npz-complex", "track validate {in}/complex.npz", 3, "complex"),
    C("track-npz-object", "track validate {in}/object.npz", 3, "object"),
    C("track-npz-many-members", "track validate {in}/many.npz", 3, "members"),
    C("track-npz-truncated", "track validate {in}/truncated.npz", 3, "NPZ"),
    C("track-npz-fps-vector", "track validate {in}/fps_vec.npz", 3, "fps"),
    C("track-dev-zero", "track validate /dev/zero", 3, "input limit"),
    C("track-stdin-endless", "track validate -", 3, "input limit", stdin="/dev/zero"),
    C("track-stdin-deep", "track validate -", 3, "nested", stdin=b"[" * 50_000 + b"]" * 0),
    C("track-folder", "track validate {in}", 3, "is a folder"),
    C("track-missing", "track validate {in}/nope.json", 3, "no such file"),
    C("track-convert-deep", "track convert {in}/deep.json -o {out}/t.npz", 3, "nested"),
    C("track-convert-bomb", "track convert {in}/bomb.npz -o {out}/t.json", 3, "input limit", FXE_MAX_INPUT_MB="1"),
    C("track-convert-nan", "track convert {in}/nan.json -o {out}/t.jsonl", 3, "non-finite"),
    C("track-convert-bigint", "track convert {in}/bigint.json -o {out}/t.npz", 3, "digits"),
    C("track-unknown-sub", "track frobnicate", 2, "No such command"),
    # ---- render
    C("render-deep-stdin", "render -o {out}/x.mp4", 3, "nested", stdin=b"[" * 50_000),
    C("render-nan", "render {in}/nan.json -o {out}/x.mp4", 3, "non-finite"),
    C("render-endless", "render - -o {out}/x.mp4", 3, "input limit", stdin="/dev/zero"),
    *[C(f"render-identity-seed-{v[:6]}", f"render {{in}}/good.json -o {{out}}/x.png --identity-seed {v}", 2,
        "--identity-seed") for v in ("-1", str(2**70), "x")],
    C("render-identity-object", "render {in}/good.json -o {out}/x.png --identity {in}/id_obj.json", 3, "id_obj"),
    C("render-identity-strings", "render {in}/good.json -o {out}/x.png --identity {in}/id_strings.json", 3,
      "id_strings"),
    C("render-identity-nested", "render {in}/good.json -o {out}/x.png --identity {in}/id_nested.json", 3,
      "id_nested"),
    C("render-identity-deep", "render {in}/good.json -o {out}/x.png --identity {in}/deep.json", 3, "nested"),
    C("render-identity-bigint", "render {in}/good.json -o {out}/x.png --identity {in}/bigint.json", 3, "digits"),
    C("render-identity-npy-lying", "render {in}/good.json -o {out}/x.png --identity {in}/id_lying.npy", 3,
      "more than the file holds"),
    C("render-identity-npy-object", "render {in}/good.json -o {out}/x.png --identity {in}/id_object.npy", 3,
      "object"),
    C("render-frame-negative", "render {in}/good.json -o {out}/x.png --frame -1", 2, "--frame"),
    C("render-crf", "render {in}/good.json -o {out}/x.mp4 --crf 99", 2, "--crf"),
    C("render-style", "render {in}/good.json -o {out}/x.mp4 --style cubist", 2, "--style"),
    C("render-frame-past-end", "render {in}/good.json -o {out}/x.png --frame 99", 2, "frame"),
    *[C(f"render-flame-{name}", f"render {{in}}/flame.json --rig flame --flame-model {{in}}/{name}.pkl "
        f"-o {{out}}/x.png --frame 0", 3, frag) for name, frag in [
        ("segv", "dtype"), ("cycle", "cycle"), ("sparse", "sparse matrix has shape"),
        ("system", "refusing to unpickle"), ("ndarray_call", "refusing to allocate"), ("truncated", "pickle"),
        ]],
    # ---- edit and blend
    C("edit-missing", "edit {in}/nope.jpg -e joy -o {out}/x.png", 3, "no such file"),
    C("edit-garbage", "edit {in}/garbage.bin -e joy -o {out}/x.png", 3, "not an image"),
    C("edit-empty", "edit {in}/empty.json -e joy -o {out}/x.png", 3, "is empty"),
    C("edit-fake-png", "edit {in}/fake.png -e joy -o {out}/x.png", 3, "not an image"),
    C("edit-bomb", "edit {in}/bomb.png -e joy -o {out}/x.png", 3, "too large"),
    C("edit-tiny", "edit {in}/tiny.png -e joy -o {out}/x.png", 3, "too small"),
    C("edit-truncated-jpeg", "edit {in}/truncated.jpg -e joy -o {out}/x.png", 3, "truncated"),
    C("edit-endless-stdin", "edit - -e joy -o {out}/x.png", 3, "input limit", stdin="/dev/zero"),
    C("edit-no-face", "edit {in}/noface.jpg -e joy -o {out}/x.png", 5, "face"),
    *[C(f"edit-alpha-{v or 'empty'}", ["edit", "{in}/face.jpg", "-e", "joy", "-o", "{out}/x.png", "--alpha", v], 2,
        "alpha") for v in ("", "-1", "9", "nan", "1:0:1", "0:1:0", "a,b", "0:1000:0.001")],
    C("edit-recipe-alpha-empty", "edit {in}/face.jpg -e joy -o {out}/x.png --recipe {in}/r_edit_alpha.yaml", 2, "alpha"),
    *[C(f"edit-min-id-sim-{v}", f"edit {{in}}/face.jpg -e joy -o {{out}}/x.png --min-id-sim {v}", 2, "--min-id-sim")
      for v in ("nan", "2", "-inf")],
    C("edit-face-index", "edit {in}/face.jpg -e joy -o {out}/x.png --face-index -1", 2, "--face-index"),
    C("edit-expression-empty", ["edit", "{in}/face.jpg", "-e", "", "-o", "{out}/x.png"], 2, "expression"),
    C("edit-expression-utf8", ["edit", "{in}/face.jpg", "-e", BAD_UTF8, "-o", "{out}/x.png"], 3, "UTF-8"),
    C("edit-model-unknown", "edit {in}/face.jpg -e joy -o {out}/x.png --model nope", 2, "nope"),
    C("edit-offload", "edit {in}/face.jpg -e joy -o {out}/x.png --offload gpu", 2, "--offload"),
    C("blend-missing", "blend {in}/nope.jpg joy:0.5 -o {out}/x.png", 3, "no such file"),
    C("blend-bomb", "blend {in}/bomb.png joy:0.5 -o {out}/x.png", 3, "too large"),
    C("blend-weight-nan", "blend {in}/face.jpg joy:nan -o {out}/x.png", 2, "weight"),
    C("blend-weight-big", "blend {in}/face.jpg joy:9 -o {out}/x.png", 2, "weight"),
    C("blend-min-id-sim-nan", "blend {in}/face.jpg joy:0.5 -o {out}/x.png --min-id-sim nan", 2, "--min-id-sim"),
    C("blend-garbage", "blend {in}/garbage.bin joy:0.5 -o {out}/x.png", 3, "not an image"),
    # ---- score
    C("score-nothing", "score", 2, ""),
    C("score-images-missing", "score --images {in}/nope.jpg", 3, "no such file"),
    C("score-images-garbage", "score --images {in}/garbage.bin", 3, "not an image"),
    C("score-images-bomb", "score --images {in}/bomb.png", 3, "too large"),
    C("score-tracks-deep", "score --tracks {in}/deep.json", 3, "nested"),
    C("score-tracks-nan", "score --tracks {in}/nan.json", 3, "non-finite"),
    C("score-tracks-endless", "score --tracks -", 3, "input limit", stdin="/dev/zero"),
    C("score-pairs-missing", "score --pairs {in}/nope.jsonl", 3, "no such file"),
    C("score-pairs-endless", "score --pairs -", 3, "input limit", stdin="/dev/zero"),
    C("score-pairs-deep", "score --pairs {in}/pairs_deep.jsonl", 3, "nested"),
    C("score-judge", "score --images {in}/face.jpg --judge nope", 2, "nope"),
    C("score-face-index", "score --images {in}/face.jpg --face-index -1", 2, "--face-index"),
    C("score-cppl-definition", "score --tracks {in}/good.json --cppl-definition odd", 2, "--cppl-definition"),
    C("score-cteg-config", "score --tracks {in}/good.json --cteg-model " + CTEG % "heads0", 3, "config.n_heads"),
    # ---- train
    C("train-data-missing", "train cteg --data {in}/nope -o {out}/ck --text-encoder minilm", 3, "not a folder"),
    C("train-data-empty", "train cteg --data {in}/emptydir -o {out}/ck --text-encoder minilm", 3, "no training"),
    *[C(f"train-{name}", f"train cteg --data {{in}}/{name} -o {{out}}/ck --text-encoder minilm", 3, frag)
      for name, frag in [("emo_segv", "dtype"), ("emo_system", "refusing to unpickle"),
                         ("emo_truncated", "pickle"), ("emo_ndarray", "refusing to allocate"),
                         ("emo_width", "T x 53"), ("emo_count", "1 expression arrays"),
                         ("emo_notlist", "expected a pickled list")]],
    *[C(f"train-{opt[2:]}-{v}", f"train cteg --data {{in}}/emo_width -o {{out}}/ck {opt} {v}", 2, opt)
      for opt, v in [("--d-model", "0"), ("--d-model", "-16"), ("--d-model", "10000000"), ("--ffn", "-5"),
                     ("--heads", "0"), ("--layers", "0"), ("--epochs", "0"), ("--batch-size", "0"),
                     ("--dev-fraction", "1"), ("--dropout", "nan"), ("--max-len", "0"), ("--lr-mul", "-1"),
                     ("--warmup", "0")]],
    C("train-seed-negative", "train cteg --data {in}/emo_width -o {out}/ck --seed -1", 2, "--seed"),
    C("train-recipe-d-model", "train cteg --data {in}/emo_width -o {out}/ck --recipe {in}/r_train.yaml", 2,
      "d-model"),
    C("train-unknown", "train frobnicate", 2, "No such command"),
    # ---- expressions
    C("expr-show-unknown", "expressions show zzqqxx", 2, "unknown expression"),
    C("expr-show-empty", ["expressions", "show", ""], 2, "empty expression"),
    C("expr-resolve-utf8", ["expressions", "resolve", BAD_UTF8], 3, "UTF-8"),
    C("expr-resolve-long", ["expressions", "resolve", "x" * 300], 2, "too long"),
    C("expr-top-0", "expressions resolve joy --top 0", 2, "--top"),
    C("expr-top-99", "expressions resolve joy --top 99", 2, "--top"),
    # ---- models (safetensors headers checked)
    *[C(f"models-verify-st-{kind}", f"models verify dinov2-base --path {{in}}/st_{kind}", 4, "corrupt")
      for kind in ("truncated", "header_length", "header_not_json", "offsets", "dtype", "shape", "tiny")],
    *[C(f"models-where-st-{kind}", f"models where dinov2-base --path {{in}}/st_{kind}", 4, "corrupt")
      for kind in ("truncated", "offsets")],
    C("models-verify-minilm-size", "models verify minilm --path {in}/st_dtype", 4, "corrupt or partial"),
    C("models-text-encoder-corrupt", [*T, "--expression", "a wry grin of mild regret"], 4, "corrupt",
      FXE_MODEL_MINILM="{in}/st_truncated"),
    C("models-where-unknown", "models where nope", 2, "unknown model"),
    C("models-verify-unknown", "models verify minlm", 2, "did you mean"),
    C("models-verify-missing-path", "models verify minilm --path {in}/nothing", 4, "does not exist"),
    C("models-pull-manual", "models pull flame-2020", 4, "licence"),
    C("models-list-bogus", "models list --bogus", 2, "No such option"),
    # ---- env
    C("env-bogus", "env --bogus", 2, "No such option"),
    C("env-extra", "env extra", 2, "unexpected extra argument"),
    # ---- inspect
    C("inspect-missing", "inspect {in}/nope.png", 3, "no such file"),
    C("inspect-plain-png", "inspect {in}/plain.png", 3, "no fxe provenance"),
    C("inspect-not-json", "inspect {in}/notjson.png", 3, "not JSON"),
    C("inspect-json-list", "inspect {in}/jsonlist.png", 3, "not a JSON object"),
    C("inspect-bomb", "inspect {in}/bomb.png", 3, "too large"),
    C("inspect-fake-png", "inspect {in}/fake.png", 3, "not a readable image"),
    C("inspect-deep-track", "inspect {in}/deep.json", 3, "nested"),
    C("inspect-fake-mp4", "inspect {in}/fake.mp4", 3, "no fxe provenance"),
    C("inspect-nothing", "inspect", 2, "Missing argument"),
    # ---- outputs that cannot be written (the write path's rules; device nodes are written in place)
    C("write-dev-full-track", "track convert {in}/good.json -o /dev/full", 1, "No space left on device"),
    C("write-dev-full-text2flame", [*T, "-o", "/dev/full"], 1, "No space left on device"),
    C("write-output-is-input", "track convert {in}/good.json -o {in}/good.json", 2, "is the input"),
    C("write-output-is-folder", "track convert {in}/good.json -o {out}", 2, "is a folder"),
    # ---- completion
    C("completion-tcsh", "completion tcsh", 2, "tcsh"),
    C("completion-missing", "completion", 2, "Missing argument"),
    C("completion-extra", "completion bash zsh", 2, "unexpected extra argument"),
]


def _subst(text: str, inputs: Path, out: Path) -> str:
    return text.replace("{in}", str(inputs)).replace("{out}", str(out))


SUBCOMMANDS = ("text2flame", "render", "edit", "blend", "score", "train", "expressions", "track", "models", "env",
               "inspect", "completion")


def test_the_suite_is_big_and_covers_every_subcommand():
    assert len(CASES) >= 150, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "duplicate case ids"
    covered = {next((a for a in c.args if not a.startswith("-")), "") for c in CASES}
    assert set(SUBCOMMANDS) <= covered, set(SUBCOMMANDS) - covered


def _all_commands() -> list[str]:
    from fxcli.cli.main import COMMANDS

    return list(COMMANDS)


@pytest.mark.parametrize("command", _all_commands())
def test_every_command_refuses_an_unknown_option_in_one_line(command: str, tmp_path: Path):
    """Every command in the table, also ones added later: a usage error is one line, exit 2."""
    result = run_forked([command, "--frobnicate"], cwd=tmp_path)
    assert_one_error_line(result, 2, "No such option", "--help")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, inputs: Path, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    before = sorted(os.listdir(inputs))
    args = [_subst(a, inputs, out) for a in case.args]
    env = {k: _subst(v, inputs, out) for k, v in case.env}
    if case.args[0] == "train" or "--cteg-model" in case.args:
        import torch  # noqa: F401 - imported once here, not in every forked child (they fail before any torch op)
    result = run_forked(args, stdin=case.stdin, env=env, cwd=out)
    assert result.code >= 0, f"crashed with signal {-result.code}: {result.stderr}"
    assert_one_error_line(result, case.code, case.fragment)
    assert "Warning" not in result.stderr, result.stderr
    assert os.listdir(out) == [], os.listdir(out)
    assert sorted(os.listdir(inputs)) == before


def test_the_forged_pickle_really_crashes_an_unrestricted_loader(tmp_path):
    """Proof that the suite's segfault pickle is the dangerous one: plain pickle + numpy dies on it."""
    import subprocess

    (tmp_path / "segv.pkl").write_bytes(B.forged_object_array_pickle())
    code = "import pickle, sys; o = pickle.loads(open(sys.argv[1], 'rb').read()); print(repr(o['v_template']))"
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "segv.pkl")], capture_output=True, timeout=60)
    assert proc.returncode < 0, (proc.returncode, proc.stderr)  # killed by a signal (SIGSEGV)


def test_segfault_pickle_through_the_real_cli(inputs, tmp_path):
    """The same FLAME pickle, as a user runs it (a fresh interpreter): exit 3, one line, no crash."""
    result = run_fxe("render", str(inputs / "flame.json"), "--rig", "flame", "--flame-model",
                     str(inputs / "segv.pkl"), "-o", str(tmp_path / "x.png"), "--frame", "0")
    assert_one_error_line(result, 3, "dtype")
    assert os.listdir(tmp_path) == []


def test_invalid_utf8_argument_through_the_real_cli(tmp_path):
    result = run_fxe("text2flame", BAD_UTF8, "-o", str(tmp_path / "t.json"))
    assert_one_error_line(result, 3, "not valid UTF-8")
    assert os.listdir(tmp_path) == []


def test_job_lines_use_the_same_option_types(tmp_path):
    """--jobs lines go through the flags' types: a bad value fails that job with the same rule, exit 1."""
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("\n".join([
        json.dumps({"text": "one", "fps": 500, "output": str(tmp_path / "a.json")}),
        json.dumps({"text": "two", "fps": [1, 2], "output": str(tmp_path / "b.json")}),
        json.dumps({"text": "three", "seed": -1, "output": str(tmp_path / "c.json")}),
        "[" * 50_000,
        json.dumps({"text": "four", "alpha": float("nan"), "output": str(tmp_path / "d.json")}),
    ]) + "\n")
    result = run_forked(["text2flame", "--jobs", str(jobs)], cwd=tmp_path)
    assert result.code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert "0.001<=x<=240.0" in lines[0] and "is not a number" in lines[1], lines
    assert "0..4294967295" in lines[2] and "nested" in lines[3] and "not a finite number" in lines[4], lines
    assert "0 ok, 0 skipped, 5 failed" in lines[5] and len(lines) == 6, lines
    assert "Traceback" not in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["jobs.jsonl"]


def test_warnings_hidden_by_default_shown_with_verbose():
    """The CLI boundary's filter: a warning is dropped after quiet_warnings(), shown after -v (_show_warnings)."""
    from fxcli.cli.options import _show_warnings, quiet_warnings

    with warnings.catch_warnings():
        quiet_warnings()
        with warnings.catch_warnings(record=True) as hidden:
            warnings.warn("hidden", RuntimeWarning, stacklevel=1)
        _show_warnings()
        with warnings.catch_warnings(record=True) as shown:
            warnings.warn("shown", RuntimeWarning, stacklevel=1)
    assert [str(w.message) for w in hidden] == [] and [str(w.message) for w in shown] == ["shown"]


def test_registry_used_by_names_only_commands_that_exist():
    from fxcli.cli.main import COMMANDS
    from fxcli.cli.train_cmd import TRAINERS
    from fxcli.registry import MODELS

    for spec in MODELS:
        for use in spec.used_by:
            words = use.split()
            assert words[0] in COMMANDS, (spec.name, use)
            if words[0] == "train":
                assert words[1] in TRAINERS, (spec.name, use)


def test_default_text_encoder_is_pinned_by_sha256():
    from fxcli import registry

    spec = registry.get_spec("minilm")
    pinned = {f.path: f.sha256 for f in spec.files}
    assert pinned["model.safetensors"] == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    resolved, problems = registry.verify("minilm")
    assert problems == [], problems


def test_output_onto_a_device_node_writes_through_it_and_keeps_it(inputs, tmp_path):
    """`-o` naming a character device (a copy of /dev/full made with mknod) is written in place, never replaced."""
    import stat

    node = tmp_path / "full"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc})")
    result = run_forked(["track", "convert", str(inputs / "good.json"), "-o", str(node)], cwd=tmp_path)
    assert_one_error_line(result, 1, "No space left on device")
    assert stat.S_ISCHR(node.stat().st_mode) and sorted(os.listdir(tmp_path)) == ["full"]
