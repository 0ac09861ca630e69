"""`fxe score --talk` with full judges: CLIP-S from local CLIP weights, SyncNet's weights for Sync-D
(the network itself: tests/test_talk_syncnet.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import assert_one_error_line, run_fxe
from tests.talk_audio_data import ffmpeg


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("talkscore") / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=25", "-t", "0.4", "-pix_fmt", "yuv420p", str(path))
    return path


def empty_home(tmp_path) -> dict[str, str]:
    return {"FXE_HOME": str(tmp_path / "home"), "HF_HUB_CACHE": str(tmp_path / "hf"), "HF_HOME": str(tmp_path / "hf")}


def test_syncnet_weights_missing_exit_4_with_how_to_get_them(tmp_path, video):
    r = run_fxe("score", "--talk", str(video), "--judge", "syncnet", env=empty_home(tmp_path))
    assert_one_error_line(r, 4, "model syncnet-v2 is not available",
                          "http://www.robots.ox.ac.uk/~vgg/software/lipsync/data/syncnet_v2.model",
                          str(tmp_path / "home" / "models" / "syncnet-v2"))
    assert r.stdout == b""
    r = run_fxe("score", "--talk", str(video), "--judge", f"syncnet:{tmp_path / 'nowhere' / 'syncnet_v2.model'}",
                env=empty_home(tmp_path))
    assert_one_error_line(r, 4, "does not exist")


def test_syncnet_weights_that_are_not_syncnet_are_exit_4_before_any_video_work(tmp_path, video):
    folder = tmp_path / "home" / "models" / "syncnet-v2"
    folder.mkdir(parents=True)
    (folder / "syncnet_v2.model").write_bytes(bytes(range(256)) * 16)
    r = run_fxe("score", "--talk", str(video), "--judge", "syncnet", env=empty_home(tmp_path))
    assert_one_error_line(r, 4, str(folder / "syncnet_v2.model"), "is not usable (not a torch state dict")
    assert r.stdout == b""


def test_clip_s_needs_the_instruction_and_local_weights(tmp_path, video):
    r = run_fxe("score", "--talk", str(video), "--judge", "clip", env=empty_home(tmp_path))
    assert_one_error_line(r, 2, "--text")
    r = run_fxe("score", "--talk", str(video), "--judge", "clip", "--text", "talk happily", env=empty_home(tmp_path))
    assert_one_error_line(r, 4, "clip-vit-large-patch14", "fxe models pull clip-vit-large-patch14")
    r = run_fxe("score", "--talk", str(video), "--judge", "dino", env=empty_home(tmp_path))
    assert_one_error_line(r, 2, "does not apply to --talk")


class _ColourJudge:
    """Embeds a frame as its unit mean colour and a text as a fixed unit vector (hand-checkable cosines)."""

    def __init__(self):
        self.seen = []

    def image_embed(self, image):
        self.seen.append(image.copy())
        v = image.reshape(-1, 3).mean(0).astype(np.float64)
        return v / np.linalg.norm(v)

    def text_embed(self, text):
        return np.array([1.0, 0.0, 0.0])


def test_clip_s_is_the_best_frame_over_evenly_spread_frames():
    from fxcli.metrics.talk_sync import clip_s_of

    frames = np.zeros((40, 8, 8, 3), np.uint8)
    frames[:] = (10, 200, 10)
    frames[12] = (200, 100, 0)  # not among the 16 evenly spread frames: 0, 2, 5, 7, 10, 13, 15, ...
    frames[26] = (120, 90, 0)  # among them: cosine 120 / sqrt(120^2 + 90^2) = 0.8
    judge = _ColourJudge()
    assert clip_s_of(frames, "talk happily", judge) == pytest.approx(0.8, abs=1e-4)
    assert len(judge.seen) == 16
    judge = _ColourJudge()
    assert clip_s_of(frames[:3], "talk happily", judge) == pytest.approx(10 / np.sqrt(200 ** 2 + 2 * 10 ** 2), abs=1e-4)
    assert len(judge.seen) == 3
