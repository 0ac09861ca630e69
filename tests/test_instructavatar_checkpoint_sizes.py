"""An InstructAvatar checkpoint whose config.json asks for an impossible or enormous model is refused (exit 4)
before anything is allocated: a config of d_model 12288, 64 layers and d_ffn 32768 tried to allocate hundreds of
GB, n_heads 0 divided by zero and a config that is a list raised AttributeError."""

from __future__ import annotations

import json

import pytest

from fxcli.errors import ModelMissingError
from fxcli.models.instructavatar import InstructAvatarConfig
from fxcli.train.instructavatar_checkpoint import FORMAT, SIZE_FIELDS, check_sizes, load_checkpoint


def _folder(tmp_path, config):
    (tmp_path / "config.json").write_text(json.dumps({"format": FORMAT, "config": config, "mean": [0.0],
                                                      "std": [1.0]}))
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    return tmp_path


@pytest.mark.parametrize("change, fragment", [
    ({"n_heads": 0}, "n_heads must be a whole number in 1..256"),
    ({"d_model": 12288, "n_layers": 64, "d_ffn": 32768}, "d_model must be a whole number in 8..8192"),
    ({"d_model": 8192, "n_heads": 16, "n_layers": 64, "d_ffn": 32768}, "parameters"),
    ({"d_model": 100, "n_heads": 12}, "not a multiple of n_heads"),
    ({"kernel": True}, "kernel must be a whole number"),
    ({"max_len": 2.5}, "max_len must be a whole number"),
])
def test_impossible_sizes_are_refused(tmp_path, change, fragment):
    config = {**InstructAvatarConfig().to_dict(), **change}
    with pytest.raises(ModelMissingError, match=fragment):
        load_checkpoint(_folder(tmp_path, config))


def test_a_config_that_is_not_an_object_is_corrupt(tmp_path):
    (tmp_path / "config.json").write_text("[1]")
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(ModelMissingError, match="corrupt"):
        load_checkpoint(tmp_path)


def test_default_and_tiny_configs_pass():
    """The paper's size (12 x 768, ~12 x (7 * 768^2 + 4 * 768 * 2048) = 125 M by the estimate) and a test-sized one."""
    check_sizes(InstructAvatarConfig().to_dict())
    check_sizes(InstructAvatarConfig(d_model=16, n_layers=1, n_heads=2, d_ffn=32, kernel=3, sample_steps=4).to_dict())
    assert set(SIZE_FIELDS) <= set(InstructAvatarConfig.__dataclass_fields__)
