"""`fxe score --talk` with full judges: CLIP-S from local CLIP weights, SyncNet's weights for Sync-D
(the network itself: tests/test_talk_syncnet.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe
from tests.talk_audio_data import ffmpeg

PORTRAIT = PORTRAITS / "interfaces-001.jpg"


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


def test_instruction_aus_name_the_motions_and_the_emotions_typical_aus():
    from fxcli.metrics.instructavatar import instruction_aus

    assert instruction_aus("raise your eyebrows") == ({"AU1", "AU2"}, None)
    assert instruction_aus("close your eyes, then open your mouth") == ({"AU43", "AU25", "AU26"}, None)
    assert instruction_aus("nod twice, then turn your head to the left") == (set(), None)
    assert instruction_aus("speak sadly, then furrow your brows") == ({"AU1", "AU4", "AU15"}, "sad")
    assert instruction_aus("talk happily while smiling") == ({"AU12", "AU25"}, "happy")


def test_au_scores_against_a_reference_or_the_instruction_hand_worked():
    from fxcli.metrics.talk_sync import au_scores

    # generated AU1 AU4 AU25; ground truth AU1 AU2 AU4: tp 2, fp 1, fn 1 -> P = R = F1 = 2/3
    out = au_scores({"AU1", "AU4", "AU25"}, reference_aus={"AU1", "AU2", "AU4"}, instruction="raise your eyebrows")
    assert out["au_reference"] == "reference video" and out["reference_aus"] == ["AU1", "AU2", "AU4"]
    assert out["au_precision"] == out["au_recall"] == out["au_f1"] == pytest.approx(0.6667)
    assert "au_emo" not in out  # the instruction names no emotion
    # no ground truth: the instruction's AUs (sad: AU1 AU4 AU15) -> tp 2 (AU1 AU4), fp 1 (AU25), fn 1 (AU15)
    out = au_scores({"AU1", "AU4", "AU25"}, instruction="speak sadly")
    assert out["au_reference"] == "instruction" and out["au_f1"] == pytest.approx(0.6667)
    assert out["au_emo"] == pytest.approx(0.6667)  # 2 of sad's 3 typical AUs
    assert au_scores({"AU12"}, emotion="surprise", instruction="speak sadly")["au_emo"] == 0.0
    # nothing shown where AUs were asked for: recall 0, precision and F1 undefined (null)
    out = au_scores(set(), instruction="raise your eyebrows")
    assert (out["au_precision"], out["au_recall"], out["au_f1"]) == (None, 0.0, None)
    assert au_scores({"AU25"}) == {"aus": ["AU25"]}


def test_clip_aus_take_the_intersection_of_three_frames(monkeypatch):
    import fxcli.judges.geometry as geometry
    from fxcli.metrics.talk_sync import clip_aus

    neutral = {name: 0.0 for name, _, _ in geometry.AU_RULES.values()}

    def proxies(points):  # frame i (its x coordinates are i): lips part on every frame, inner brows up but on 4
        i = int(points[0, 0])
        return {**neutral, "lips_part": 1.0, "inner_brow_raise": 0.0 if i == 4 else 1.0}

    monkeypatch.setattr(geometry, "au_proxies", proxies)
    lms = np.zeros((9, 468, 2))
    lms[:, :, 0] = np.arange(9)[:, None]
    found = np.ones(9, bool)
    assert clip_aus(lms, found, neutral) == {"AU25"}  # frames 2, 4, 6 read: AU1 is missing on frame 4
    found[4] = False  # 8 frames with a face: the 2nd, 4th and 6th of them (frames 2, 5, 7) are read
    assert clip_aus(lms, found, neutral) == {"AU1", "AU25"}


def test_score_talk_au_f1_against_a_reference_video_and_an_instruction(tmp_path):
    import json

    clip = tmp_path / "face.mp4"
    ffmpeg("-loop", "1", "-i", str(PORTRAIT), "-f", "lavfi", "-i", "sine=frequency=220", "-t", "0.4", "-r", "25",
           "-vf", "scale=256:256", "-pix_fmt", "yuv420p", "-shortest", str(clip))
    r = run_fxe("score", "--talk", str(clip), "--source", str(PORTRAIT), "--reference", str(clip), "--json")
    assert r.code == 0, r.stderr
    line = json.loads(r.out)
    # a still photo against itself: no AU moved from the photo's own neutral, none in the reference either
    assert line["aus"] == [] and line["reference_aus"] == [] and line["au_reference"] == "reference video"
    assert line["au_f1"] is None and line["au_recall"] is None
    r = run_fxe("score", "--talk", str(clip), "--source", str(PORTRAIT), "--text", "speak sadly", "--json")
    line = json.loads(r.out)
    assert line["au_reference"] == "instruction" and line["reference_aus"] == ["AU1", "AU15", "AU4"]
    assert line["au_recall"] == 0.0 and line["au_emo"] == 0.0
    r = run_fxe("score", "--talk", str(clip), "--reference", str(tmp_path / "none.mp4"))
    assert_one_error_line(r, 3, "none.mp4: no such file")
    r = run_fxe("score", "--images", str(PORTRAIT), "--reference", str(clip))
    assert_one_error_line(r, 2, "--reference goes with --tracks or --talk")


def test_score_talk_eye_shown_sees_open_and_closed_eyes(tmp_path):
    """`eye_shown` (with --source): the photo's own eyes on every frame -> 1; a clip whose second half closes
    them (the talking portrait's closed lid) -> its late mean and minimum fall far below."""
    import json

    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import find_face, load_image
    from fxcli.provenance import make_meta
    from fxcli.render.video_writer import encode_video
    from fxcli.talk.portrait import build_rig, fit_image, warp_frame
    from fxcli.tracks.channels import ARKIT52

    photo = fit_image(load_image(str(PORTRAIT)), (256, 256))
    rig = build_rig(photo, find_face(photo), EmbeddedEditor())
    shut = np.zeros(len(ARKIT52), np.float32)
    shut[[ARKIT52.index("eyeBlinkLeft"), ARKIT52.index("eyeBlinkRight")]] = 1.0
    closed = warp_frame(rig, shut, np.zeros(3))
    wav = tmp_path / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220", "-t", "0.4", str(wav))
    lines = {}
    for name, frames in (("open", [photo] * 10), ("closing", [photo] * 5 + [closed] * 5)):
        out = tmp_path / f"{name}.mp4"
        encode_video(frames, str(out), size=(256, 256), fps=25.0, meta=make_meta("test"))
        r = run_fxe("score", "--talk", str(out), "--audio", str(wav), "--source", str(PORTRAIT), "--json")
        assert r.code == 0, r.stderr
        lines[name] = json.loads(r.out)
    a, b = lines["open"], lines["closing"]
    assert a["eye_shown"] > 0.9 and a["eye_shown_late"] > 0.9 and a["eye_shown_min"] > 0.85, a
    assert b["eye_shown_late"] < 0.45 and b["eye_shown_min"] < 0.45, b
    assert b["eye_shown"] == pytest.approx((a["eye_shown"] * 5 + b["eye_shown_late"] * 5) / 10, abs=0.05)
