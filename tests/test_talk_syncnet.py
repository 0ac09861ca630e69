"""SyncNet v2 for Sync-D: MFCCs, the network's geometry and key names, offsets, distances and confidence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe
from tests.talk_audio_data import ffmpeg

torch = pytest.importorskip("torch")

# the published state dict's layers: (name, index, weight shape); a batch norm follows each conv (index + 1)
# and the first linear of each head (index 1)
_CONV = {"netcnnaud": [(0, (64, 1, 3, 3)), (4, (192, 64, 3, 3)), (8, (384, 192, 3, 3)), (11, (256, 384, 3, 3)),
                       (14, (256, 256, 3, 3)), (18, (512, 256, 5, 4))],
         "netcnnlip": [(0, (96, 3, 5, 7, 7)), (4, (256, 96, 1, 5, 5)), (8, (256, 256, 1, 3, 3)),
                       (11, (256, 256, 1, 3, 3)), (14, (256, 256, 1, 3, 3)), (18, (512, 256, 1, 6, 6))]}
_HEAD = [(0, (512, 512)), (3, (1024, 512))]


def published_state(prefix: str = "") -> dict:
    g = torch.Generator().manual_seed(3)
    state = {}
    for branch, convs in _CONV.items():
        for i, shape in convs:
            state[f"{prefix}{branch}.{i}.weight"] = torch.randn(shape, generator=g)
            state[f"{prefix}{branch}.{i}.bias"] = torch.randn(shape[0], generator=g)
            for stat in ("weight", "bias", "running_mean"):
                state[f"{prefix}{branch}.{i + 1}.{stat}"] = torch.randn(shape[0], generator=g)
            state[f"{prefix}{branch}.{i + 1}.running_var"] = torch.rand(shape[0], generator=g) + 0.5
    for branch in ("netfcaud", "netfclip"):
        for i, shape in _HEAD:
            state[f"{prefix}{branch}.{i}.weight"] = torch.randn(shape, generator=g)
            state[f"{prefix}{branch}.{i}.bias"] = torch.randn(shape[0], generator=g)
        for stat in ("weight", "bias", "running_mean"):
            state[f"{prefix}{branch}.1.{stat}"] = torch.randn(512, generator=g)
        state[f"{prefix}{branch}.1.running_var"] = torch.rand(512, generator=g) + 0.5
    return state


# ------------------------------------------------------------------ MFCC

def slow_mfcc(x: np.ndarray, rate: int = 16000) -> np.ndarray:
    """The MFCC recipe written out with loops: frames, DFT, triangles, DCT-II (orthonormal), lifter."""
    x = np.asarray(x, np.float64)
    y = [x[0]] + [x[i] - 0.97 * x[i - 1] for i in range(1, len(x))]
    win, step, nfft, nfilt = 400, 160, 512, 26
    n = 1 if len(y) <= win else 1 + math.ceil((len(y) - win) / step)
    y = y + [0.0] * ((n - 1) * step + win - len(y))
    mel = lambda f: 2595 * math.log10(1 + f / 700)  # noqa: E731
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    edges = [math.floor((nfft + 1) * hz(mel(0) + (mel(rate / 2) - mel(0)) * k / (nfilt + 1)) / rate)
             for k in range(nfilt + 2)]
    out = np.zeros((n, 13))
    for f in range(n):
        frame = np.array(y[f * step: f * step + win] + [0.0] * (nfft - win))
        spec = [abs(sum(frame * np.exp(-2j * np.pi * k * np.arange(nfft) / nfft))) ** 2 / nfft
                for k in range(nfft // 2 + 1)]
        logs = []
        for j in range(nfilt):
            lo, mid, hi = edges[j], edges[j + 1], edges[j + 2]
            e = sum(spec[b] * (b - lo) / (mid - lo) for b in range(lo, mid))
            e += sum(spec[b] * (hi - b) / (hi - mid) for b in range(mid, hi))
            logs.append(math.log(e if e else np.finfo(float).eps))
        for c in range(13):
            scale = math.sqrt((1 if c == 0 else 2) / nfilt)
            value = scale * sum(logs[j] * math.cos(math.pi * c * (2 * j + 1) / (2 * nfilt)) for j in range(nfilt))
            out[f, c] = value * (1 + 11 * math.sin(math.pi * c / 22))
        out[f, 0] = math.log(sum(spec))
    return out


def test_mfcc_matches_the_recipe_written_out_and_counts_frames():
    from fxcli.metrics.syncnet import mfcc, pcm16

    rng = np.random.default_rng(1)
    x = pcm16(rng.normal(0, 0.2, 1000))  # 1000 samples: 1 + ceil(600 / 160) = 5 frames, the last zero-padded
    ours = mfcc(x)
    assert ours.shape == (5, 13)
    np.testing.assert_allclose(ours, slow_mfcc(x), rtol=1e-9, atol=1e-7)
    assert [len(mfcc(np.ones(n))) for n in (1, 400, 401, 560, 561, 16000)] == [1, 1, 2, 2, 3, 99]


def test_mfcc_of_silence_is_the_log_floor_in_c0_and_zero_elsewhere():
    from fxcli.metrics.syncnet import mfcc

    c = mfcc(np.zeros(800))
    # every band is at the floor eps: the DCT of a constant vector is zero past c0; c0 is log(eps) energy
    np.testing.assert_allclose(c[:, 1:], 0.0, atol=1e-9)
    np.testing.assert_allclose(c[:, 0], math.log(np.finfo(float).eps))


# ------------------------------------------------------------------ distances, offset, confidence

def test_offsets_hand_worked():
    from fxcli.metrics.syncnet import offset_distances, sync_scores

    # video frame i shows what audio frame i - 1 says (mouth one frame after the sound); vshift 1:
    # padded audio 0 2 3 4 5 0; rows |v_i - a_{i+d}| for d = -1, 0, 1:
    # v=1: 1 1 2 / v=2: 0 1 2 / v=3: 0 1 2 / v=4: 0 1 4 -> means 0.25 1 2.5
    d = offset_distances(np.array([[1.0], [2], [3], [4]]), np.array([[2.0], [3], [4], [5]]), vshift=1)
    np.testing.assert_allclose(d, [[1, 1, 2], [0, 1, 2], [0, 1, 2], [0, 1, 4]], atol=1e-5)
    assert sync_scores(d, vshift=1) == {"sync_d": 0.25, "syncnet_offset": 1, "syncnet_conf": 0.75}
    # in sync: means 1, 0, 5/3 -> offset 0, Sync-D 0, confidence median 1 - 0
    d = offset_distances(np.array([[1.0], [2], [3]]), np.array([[1.0], [2], [3]]), vshift=1)
    assert sync_scores(d, vshift=1) == {"sync_d": 0.0, "syncnet_offset": 0, "syncnet_conf": 1.0}


def test_offset_distances_match_a_loop_and_find_a_known_delay():
    from fxcli.metrics.syncnet import offset_distances, sync_scores

    rng = np.random.default_rng(2)
    audio = rng.normal(size=(40, 6))
    video = rng.normal(size=(40, 6))
    d = offset_distances(video, audio, vshift=5)
    for i in range(40):
        for j in range(11):
            k = i + j - 5
            other = audio[k] if 0 <= k < 40 else np.zeros(6)
            assert d[i, j] == pytest.approx(np.sqrt(np.sum((video[i] - other + 1e-6) ** 2)), rel=1e-12)
    delayed = np.concatenate([rng.normal(size=(3, 6)), audio[:-3]]) + rng.normal(0, 0.05, (40, 6))
    s = sync_scores(offset_distances(delayed, audio, vshift=5), vshift=5)
    assert s["syncnet_offset"] == 3 and s["syncnet_conf"] > 1.0
    early = np.concatenate([audio[2:], rng.normal(size=(2, 6))])
    assert sync_scores(offset_distances(early, audio, vshift=5), vshift=5)["syncnet_offset"] == -2


# ------------------------------------------------------------------ network

def test_tiny_syncnet_geometry_and_batch_independence():
    from fxcli.metrics.syncnet import build_syncnet

    torch.manual_seed(0)
    net = build_syncnet(embed=8, audio_widths=(4, 4, 8, 8, 8, 16), lip_widths=(4, 4, 8, 8, 8, 16)).eval()
    with torch.no_grad():
        a = torch.randn(3, 1, 13, 20)
        v = torch.rand(2, 3, 5, 224, 224) * 255
        ea, ev = net.embed_audio(a), net.embed_video(v)
        assert ea.shape == (3, 8) and ev.shape == (2, 8)
        torch.testing.assert_close(net.embed_audio(a[1:2]), ea[1:2], rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(net.embed_video(v[1:2]), ev[1:2], rtol=1e-4, atol=1e-4)
        assert net.audio_conv(a).shape[-2:] == (1, 1) and net.lip_conv(v).shape[-3:] == (1, 1, 1)
        with pytest.raises(RuntimeError):
            net.embed_audio(torch.randn(1, 1, 13, 24))  # a 0.24 s window does not reduce to 1x1


def test_published_key_names_load_into_the_network(tmp_path):
    from fxcli.metrics.syncnet import build_syncnet, load_syncnet, map_state_dict

    state = published_state()
    assert sum(v.numel() for k, v in state.items() if "running" not in k) == \
        sum(p.numel() for p in build_syncnet().parameters())
    for prefix in ("", "__S__."):
        path = tmp_path / f"w{prefix}.model"
        torch.save(published_state(prefix), path)
        net = load_syncnet(str(path))
        own = net.state_dict()
        for key, value in state.items():
            ours = key.replace("netcnnaud", "audio_conv").replace("netfcaud", "audio_fc") \
                .replace("netcnnlip", "lip_conv").replace("netfclip", "lip_fc")
            assert torch.equal(own[ours], value), key
        assert not net.training
    with pytest.raises(KeyError, match="netcnnvideo.0.weight"):
        map_state_dict({"netcnnvideo.0.weight": torch.zeros(1)})
    broken = dict(state)
    del broken["netfclip.3.bias"]
    torch.save(broken, tmp_path / "missing.model")
    with pytest.raises(ValueError, match="1 tensors missing, e.g. lip_fc.3.bias"):
        load_syncnet(str(tmp_path / "missing.model"))
    broken = dict(state)
    broken["netcnnaud.18.weight"] = torch.zeros(512, 256, 4, 4)
    torch.save(broken, tmp_path / "shape.model")
    with pytest.raises(ValueError, match="audio_conv.18.weight: shape"):
        load_syncnet(str(tmp_path / "shape.model"))


class _EnergyNet:
    """Hand-checkable stand-in: a video window embeds as its 5 frames' mean brightness (scaled to [0, 1]),
    an audio window as its 5 groups of 4 MFCC frames' mean c0 (scaled with the same bounds)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def embed_video(self, x):
        return (x.mean(dim=(1, 3, 4)) - 40.0) / 170.0

    def embed_audio(self, x):
        c0 = x[:, 0, 0, :].reshape(len(x), 5, 4).mean(-1)
        return (c0 - self.lo) / (self.hi - self.lo)


def test_windows_pair_video_frames_with_their_audio_and_the_offset_sign():
    from fxcli.metrics.syncnet import mfcc, pcm16, syncnet_evaluate

    rng = np.random.default_rng(4)
    frames_n, delay = 60, 2
    samples = np.concatenate([rng.normal(0, a, 640) for a in rng.uniform(0.01, 0.5, frames_n)])
    c0 = mfcc(pcm16(samples))[:, 0]
    level = np.array([c0[4 * t:4 * t + 4].mean() for t in range(frames_n)])
    lo, hi = level.min(), level.max()
    shown = np.concatenate([np.full(delay, level[0]), level[:-delay]])  # the mouth shows frame t - 2's sound
    frames = np.repeat(np.round(40 + 170 * (shown - lo) / (hi - lo)).astype(np.uint8), 300 * 300 * 3)
    frames = frames.reshape(frames_n, 300, 300, 3)
    boxes = np.tile([100.0, 80.0, 200.0, 180.0], (frames_n, 1))  # crop 140 x 140 from (80, 80): inside the frame
    s = syncnet_evaluate(_EnergyNet(lo, hi), frames, 25.0, boxes, samples, vshift=5)
    assert s["syncnet_offset"] == delay and s["syncnet_windows"] == frames_n - 5
    # at the best offset windows 2.. match (up to 8-bit brightness); windows 0 and 1 meet zero audio features
    bright = (frames[:, 0, 0, 0].astype(float) - 40) / 170
    edge = sum(np.linalg.norm(bright[i:i + 5]) for i in range(delay)) / (frames_n - 5)
    assert s["sync_d"] == pytest.approx(edge, abs=0.005)
    # the same clip stored at 50 frames/s (each frame twice) is read back at 25 frames/s
    s50 = syncnet_evaluate(_EnergyNet(lo, hi), np.repeat(frames, 2, axis=0), 50.0, np.repeat(boxes, 2, axis=0),
                           samples, vshift=5)
    assert s50 == s


def test_face_crop_takes_the_lower_face_and_pads_grey():
    from fxcli.metrics.syncnet import crop_boxes, face_crop

    frame = np.zeros((200, 200, 3), np.uint8)
    frame[:100] = (255, 0, 0)  # red above row 100, black below
    track = crop_boxes(np.array([[50.0, 50.0, 150.0, 150.0]]))
    np.testing.assert_allclose(track, [[100, 100, 50]])
    crop = face_crop(frame, *track[0])  # rows 50..190, columns 30..170 of the frame
    assert crop.shape == (224, 224, 3)
    # 50 of 140 rows above row 100: the top 80 of 224 rows red (BGR: channel 2), the rest black
    assert crop[:78, :, 2].min() == 255 and crop[82:, :, 2].max() == 0 and crop[:, :, :2].max() == 0
    edge = face_crop(frame, 20.0, 100.0, 50.0)  # columns -50..90: the left 50 / 140 of the crop is padding
    assert (edge[:, :76] == 110).all() and (edge[:, 84:, 0] != 110).all()


# ------------------------------------------------------------------ the command

@pytest.fixture(scope="module")
def face_clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("syncnet") / "face.mp4"
    ffmpeg("-loop", "1", "-i", str(PORTRAITS / "interfaces-001.jpg"), "-f", "lavfi", "-i", "sine=frequency=220",
           "-t", "0.48", "-r", "25", "-vf", "scale=256:256", "-pix_fmt", "yuv420p", "-shortest", str(path))
    return path


def test_score_talk_runs_syncnet_from_the_users_weights(tmp_path, face_clip):
    folder = tmp_path / "home" / "models" / "syncnet-v2"
    folder.mkdir(parents=True)
    torch.save(published_state(), folder / "syncnet_v2.model")
    env = {"FXE_HOME": str(tmp_path / "home"), "HF_HUB_CACHE": str(tmp_path / "hf"), "HF_HOME": str(tmp_path / "hf")}
    r = run_fxe("score", "--talk", str(face_clip), "--judge", "syncnet", "--json", env=env)
    assert r.code == 0, r.stderr
    import json

    line = json.loads(r.out)
    assert line["syncnet_windows"] == line["frames"] - 5 == 7
    assert -15 <= line["syncnet_offset"] <= 15 and line["sync_d"] > 0 and line["syncnet_conf"] >= 0
    (folder / "syncnet_v2.model").write_bytes(b"not a torch file")
    r = run_fxe("score", "--talk", str(face_clip), "--judge", "syncnet", env=env)
    assert_one_error_line(r, 4, "syncnet-v2", "is not usable", "syncnet_v2.model")
    assert r.stdout == b""
