"""Training data for CTEG: EmoAva-format pickles or fxe tracks with texts, split into train and dev.

A data folder holds either
- EmoAva pickles `{split}_stage1_text.pkl` (a list of strings) and `{split}_stage1_exps.pkl` (a list
  of float arrays T_i x 53, FLAME: exp00..exp49, jaw0..jaw2). They are read with a restricted
  unpickler that resolves only numpy's array globals, then checked to be exactly those types. The
  `train` split is used; a `val` split, when present, is the dev set; otherwise `dev_fraction` of
  `train` is held out; or
- fxe tracks (`*.jsonl`, `*.json`, `*.npz`), each with its `text`, all in one space (`flame` or
  `arkit52`); `dev_fraction` of them is held out.

Sequences longer than the model's MSL are cut to it, as in the paper's training.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.tracks.channels import DEFAULT_CHANNELS

TRACK_SUFFIXES = (".jsonl", ".json", ".npz")


@dataclass
class CtegData:
    space: str  # "flame" or "arkit52"
    train: list[tuple[str, np.ndarray]]  # (text, frames T x C float32)
    dev: list[tuple[str, np.ndarray]]


def _read_pickle_list(path: Path, what: str) -> list:
    from fxcli.io.inputs import read_bytes
    from fxcli.io.safe_pickle import MAX_PICKLE_BYTES, numpy_globals, restricted_loads

    data = read_bytes(str(path), limit=MAX_PICKLE_BYTES)
    obj = restricted_loads(data, numpy_globals(), name=str(path))
    if not isinstance(obj, list):
        raise InvalidInputError(f"{path}: expected a pickled list of {what}, got {type(obj).__name__}")
    return obj


def read_emoava_split(folder: Path, split: str) -> list[tuple[str, np.ndarray]]:
    """The (text, frames) pairs of one EmoAva split; InvalidInputError names the bad file and item."""
    text_path, exps_path = folder / f"{split}_stage1_text.pkl", folder / f"{split}_stage1_exps.pkl"
    texts = _read_pickle_list(text_path, "strings")
    exps = _read_pickle_list(exps_path, "float arrays")
    if len(texts) != len(exps):
        raise InvalidInputError(f"{folder}: {split} has {len(texts)} texts but {len(exps)} expression arrays")
    pairs = []
    for i, (text, arr) in enumerate(zip(texts, exps, strict=True)):
        if not isinstance(text, str):
            raise InvalidInputError(f"{text_path}: item {i} is {type(text).__name__}, expected a string")
        if not isinstance(arr, np.ndarray) or arr.dtype.kind != "f":
            raise InvalidInputError(f"{exps_path}: item {i} is not a float array")
        pairs.append((text, _checked_frames(arr, 53, f"{exps_path}: item {i}")))
    return pairs


def _checked_frames(arr: np.ndarray, width: int, where: str) -> np.ndarray:
    if arr.ndim != 2 or arr.shape[1] != width:
        raise InvalidInputError(f"{where}: frames must be T x {width}, got shape {tuple(arr.shape)}")
    if arr.shape[0] == 0:
        raise InvalidInputError(f"{where}: zero frames")
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{where}: non-finite values")
    return np.ascontiguousarray(arr, dtype=np.float32)


def read_track_folder(folder: Path) -> tuple[str, list[tuple[str, np.ndarray]]]:
    """(space, pairs) from the track files of a folder; every track needs a text and one common space."""
    from fxcli.tracks.track_io import read_tracks

    files = sorted(p for p in folder.iterdir() if p.suffix in TRACK_SUFFIXES and p.is_file())
    space, pairs = None, []
    for path in files:
        for j, track in enumerate(read_tracks(str(path))):
            where = f"{path}: track {j + 1}"
            if track.space not in DEFAULT_CHANNELS:
                raise InvalidInputError(f"{where}: space {track.space!r} cannot be trained (flame or arkit52)")
            if space is not None and track.space != space:
                raise InvalidInputError(f"{where}: space {track.space!r} differs from earlier tracks ({space!r})")
            if not track.text:
                raise InvalidInputError(f"{where}: no text (CTEG learns text -> expression pairs)")
            space = track.space
            names = DEFAULT_CHANNELS[space]
            missing = [c for c in names if c not in track.channels]
            if len(missing) == len(names):
                raise InvalidInputError(f"{where}: none of the {space} channels CTEG models")
            pairs.append((track.text, track.as_channels(names).astype(np.float32)))
    return space or "flame", pairs


def split_dev(pairs: list, dev_fraction: float, seed: int) -> tuple[list, list]:
    """Hold out round(dev_fraction * n) items (at least one when the fraction is > 0 and n > 1)."""
    n = len(pairs)
    n_dev = int(round(dev_fraction * n))
    if dev_fraction > 0 and n > 1:
        n_dev = min(max(n_dev, 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    dev = [pairs[i] for i in sorted(order[:n_dev])]
    train = [pairs[i] for i in sorted(order[n_dev:])]
    return train, dev


def load_cteg_data(data: str, *, dev_fraction: float = 0.05, seed: int = 0, max_len: int = 256) -> CtegData:
    """Read a data folder (see the module docstring) into train and dev lists."""
    folder = Path(data)
    if not folder.is_dir():
        raise InvalidInputError(f"{data}: not a folder (expected EmoAva pickles or track files)")
    if not 0.0 <= dev_fraction < 1.0:
        raise InvalidInputError(f"dev fraction must be in [0, 1), got {dev_fraction}")
    if (folder / "train_stage1_text.pkl").exists() or (folder / "train_stage1_exps.pkl").exists():
        space, pairs = "flame", read_emoava_split(folder, "train")
        if (folder / "val_stage1_text.pkl").exists():
            train, dev = pairs, read_emoava_split(folder, "val")
        else:
            train, dev = split_dev(pairs, dev_fraction, seed)
    else:
        space, pairs = read_track_folder(folder)
        train, dev = split_dev(pairs, dev_fraction, seed)
    if not train:
        raise InvalidInputError(f"{data}: no training sequences (EmoAva train_stage1_*.pkl or tracks with text)")
    cut = lambda items: [(t, f[:max_len]) for t, f in items]  # noqa: E731 - MSL as in the paper
    return CtegData(space=space, train=cut(train), dev=cut(dev))


def collate(batch: list[tuple[str, np.ndarray]], start_frame: np.ndarray):
    """Texts, frames (B, T+2, C) = [BOS, psi_1..psi_T, EOS = zeros, padding zeros], lengths (B,)."""
    import torch

    texts = [t for t, _ in batch]
    lengths = torch.tensor([len(f) for _, f in batch])
    width = start_frame.shape[0]
    frames = torch.zeros(len(batch), int(lengths.max()) + 2, width)  # (B, T+2, C)
    frames[:, 0] = torch.from_numpy(start_frame)
    for i, (_, f) in enumerate(batch):
        frames[i, 1 : 1 + len(f)] = torch.from_numpy(f)
    return texts, frames, lengths
