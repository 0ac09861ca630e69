"""Loaders that do not trust their input: pickles, NPZ/NPY, safetensors headers, CTEG configs, JSON, sizes."""

from __future__ import annotations

import io
import json
import math
import pickle
import subprocess
import sys

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.io.inputs import load_npy_bytes, loads_json, read_bytes
from fxcli.io.safe_pickle import numpy_globals, restricted_loads
from fxcli.registry import safetensors_problem
from fxcli.train.cteg_checkpoint import check_config
from tests import bad_inputs as B
from tests.conftest import REPO, run_fxe


# ---------------------------------------------------------------------------------------------- pickles
@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_emoava_pickles_of_every_protocol_are_read(tmp_path, protocol):
    from fxcli.train.cteg_data import read_emoava_split

    frames = [np.arange(5 * 53, dtype=np.float32).reshape(5, 53) / 100, np.zeros((0, 53), np.float64)[:0]]
    frames[1] = np.ones((3, 53), np.float64)
    (tmp_path / "train_stage1_text.pkl").write_bytes(pickle.dumps(["a sentence", "another one"], protocol=protocol))
    (tmp_path / "train_stage1_exps.pkl").write_bytes(pickle.dumps(frames, protocol=protocol))
    pairs = read_emoava_split(tmp_path, "train")
    assert [t for t, _ in pairs] == ["a sentence", "another one"]
    np.testing.assert_array_equal(pairs[0][1], frames[0])
    np.testing.assert_array_equal(pairs[1][1], np.ones((3, 53), np.float32))


def test_empty_arrays_of_protocol_2_are_read():
    """Python 3 writes an empty array's data as bytes() under protocol 2: allowed, but only with no argument."""
    out = restricted_loads(pickle.dumps([np.zeros(0), np.zeros((2, 0))], protocol=2), numpy_globals())
    assert [a.shape for a in out] == [(0,), (2, 0)]
    with pytest.raises(InvalidInputError, match="bytes"):
        restricted_loads(pickle.dumps([B._Raw(bytes, (10**10,))], protocol=2), {**numpy_globals()})


@pytest.mark.parametrize(("data", "message"), [
    (B.forged_object_array_pickle(), "dtype"),
    (pickle.dumps(np.array([1, "a"], dtype=object), protocol=2), "dtype object"),
    (pickle.dumps(np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]), protocol=2), "structured"),
    (B.huge_ndarray_call_pickle(), "refusing to allocate"),
    (B.system_pickle(), "refusing to unpickle posix.system"),
])
def test_restricted_unpickler_refuses(data, message):
    with pytest.raises(InvalidInputError, match=message):
        restricted_loads(data, numpy_globals(), "test.pkl")


def test_array_whose_data_does_not_match_its_shape_is_refused():
    from numpy._core.multiarray import _reconstruct

    bad = B._Raw(_reconstruct, (np.ndarray, (0,), b"b"), (1, (1000,), np.dtype("<f8"), False, b"\0" * 16))
    with pytest.raises(InvalidInputError, match="does not match its shape"):
        restricted_loads(pickle.dumps(bad, protocol=2), numpy_globals())


def test_flame_loader_caps_cycles_and_sizes():
    from fxcli.rigs.flame_model import parse_flame_pickle

    with pytest.raises(InvalidInputError, match="cycle"):
        parse_flame_pickle(B.self_referencing_chumpy_pickle(), "cycle.pkl")
    with pytest.raises(InvalidInputError, match=r"shape \(5, 2000000000\)"):
        parse_flame_pickle(B.huge_sparse_pickle(), "sparse.pkl")


def test_the_forged_pickle_is_refused_in_a_fresh_interpreter(tmp_path):
    """No crash: the restricted loader stops the forged dtype before numpy reads the bytes as a pointer."""
    (tmp_path / "segv.pkl").write_bytes(B.forged_object_array_pickle())
    code = ("import sys; from fxcli.rigs.flame_model import parse_flame_pickle\n"
            "from fxcli.errors import InvalidInputError\n"
            "try:\n    parse_flame_pickle(open(sys.argv[1], 'rb').read())\n"
            "except InvalidInputError as e:\n    print('refused', e); sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "segv.pkl")], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 3 and "refused" in proc.stdout, (proc.returncode, proc.stderr)


# ----------------------------------------------------------------------------------- NPY, JSON, sizes
def test_npy_with_a_lying_header_or_objects_is_refused_before_allocation():
    with pytest.raises(InvalidInputError, match="more than the file holds"):
        load_npy_bytes(B.lying_npy(), "x.npy")
    with pytest.raises(InvalidInputError, match="object"):
        load_npy_bytes(B.object_npy(), "x.npy")
    buf = io.BytesIO()
    np.save(buf, np.arange(4.0))
    np.testing.assert_array_equal(load_npy_bytes(buf.getvalue(), "ok.npy"), np.arange(4.0))


def test_json_depth_and_digits_are_input_errors():
    value, depth = loads_json("[" * 1000 + "]" * 1000, "ok"), 1
    while value:
        value, depth = value[0], depth + 1
    assert depth == 1000
    with pytest.raises(InvalidInputError, match="nested more than 1024"):
        loads_json("[" * 100_000 + "]" * 100_000, "deep")
    with pytest.raises(InvalidInputError, match="too many digits"):
        loads_json("9" * 5000, "big")
    with pytest.raises(json.JSONDecodeError):
        loads_json("{nope", "bad")


def test_reads_are_capped(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 3000 + b"1")
    assert read_bytes(str(big), limit=3001).endswith(b"1")
    with pytest.raises(InvalidInputError, match="larger than the 3,000 bytes input limit"):
        read_bytes(str(big), limit=3000)
    monkeypatch.setenv("FXE_MAX_INPUT_MB", "0.001")
    with pytest.raises(InvalidInputError, match="input limit"):
        read_bytes("/dev/zero")


def test_npz_member_sizes_are_checked_before_inflating():
    from fxcli.tracks.track_io import check_npz_sizes

    check_npz_sizes(B.track_npz(), "ok.npz")
    with pytest.raises(InvalidInputError, match="input limit"):
        check_npz_sizes(B.zip_bomb_npz(3), "bomb.npz", limit=2 * 2**20)
    with pytest.raises(InvalidInputError, match="declares shape"):
        check_npz_sizes(B.lying_npz(), "lying.npz")


# ------------------------------------------------------------------------------------------ safetensors
def test_safetensors_header_checks(tmp_path):
    from safetensors.numpy import save_file

    good = tmp_path / "good.safetensors"
    save_file({"w": np.ones((3, 4), np.float32), "b": np.zeros(2, np.int64)}, str(good))
    assert safetensors_problem(good) is None
    expected = {"truncated": "truncated", "header_length": "header length", "header_not_json": "not JSON",
                "offsets": "outside the file", "dtype": "bytes for shape", "shape": "bytes for shape",
                "tiny": "shorter than"}
    for kind, data in B.safetensors_variants().items():
        path = tmp_path / f"{kind}.safetensors"
        path.write_bytes(data)
        assert expected[kind] in (safetensors_problem(path) or ""), (kind, safetensors_problem(path))


# ---------------------------------------------------------------------------------------------- CTEG config
def test_cteg_configs_are_checked_field_by_field(tmp_path):
    from fxcli.models.cteg import CtegConfig

    check_config(dict(B.TINY_CTEG), tmp_path / "config.json")
    check_config(CtegConfig().to_dict(), tmp_path / "config.json")  # the paper's size
    for patch, field in [({"n_heads": 0}, "n_heads"), ({"d_model": 1e7}, "d_model"), ({"d_model": 10**7}, "d_model"),
                         ({"max_len": 2 * 10**9}, "max_len"), ({"d_model": 10, "n_heads": 3}, "d_model"),
                         ({"dropout": math.nan}, "dropout"), ({"n_layers": True}, "n_layers"),
                         ({"jaw_channels": [52]}, "jaw_channels"), ({"noise_scale": [-1.0]}, "noise_scale"),
                         ({"space": "mocap"}, "space"), ({"d_model": 4096, "d_ffn": 32768, "n_layers": 64}, "d_model")]:
        with pytest.raises(InvalidInputError, match=f"config.{field}"):
            check_config({**B.TINY_CTEG, **patch}, tmp_path / "config.json")


# ------------------------------------------------------------------------------------- first contact
@pytest.mark.parametrize("group", [[], ["models"], ["train"], ["track"]])
def test_bare_groups_print_their_help(group):
    result = run_fxe(*group)
    assert result.code == 0 and result.stderr == "", result.stderr
    assert result.out.startswith("Usage: fxe") and "Commands:" in result.out


def test_completion_scripts_are_the_generated_files_and_complete():
    for shell, name in (("bash", "fxe.bash"), ("zsh", "_fxe"), ("fish", "fxe.fish")):
        result = run_fxe("completion", shell)
        assert result.code == 0 and result.out == (REPO / "completions" / name).read_text(), shell
    script = ('source <(python3 -m fxcli completion bash); COMP_WORDS=(fxe mod); COMP_CWORD=1; _fxe; '
              'echo ${COMPREPLY[@]}; COMP_WORDS=(fxe completion ""); COMP_CWORD=2; _fxe; echo ${COMPREPLY[@]}')
    lines = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert lines.splitlines()[0] == "models"


def test_score_prints_strict_json():
    from fxcli.cli.score_cmd import strict_json

    line = strict_json({"a": float("nan"), "b": {"c": float("inf"), "d": 1.5}, "e": [1.0, float("-inf")]})
    text = json.dumps(line, allow_nan=False)
    assert json.loads(text) == {"a": None, "b": {"c": None, "d": 1.5}, "e": [1.0, None],
                                "undefined": {"fields": ["a", "b.c", "e[1]"],
                                              "reason": "not a finite number (e.g. too few or degenerate samples)"}}
