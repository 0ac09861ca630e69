"""`fxe talk` as a user runs it: videos with their audio, tracks that `fxe render` takes, bad input."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe
from tests.talk_audio_data import SENTENCE, espeak, lavfi

FACE = str(PORTRAITS / "interfaces-001.jpg")
NO_FACE = str(PORTRAITS / "interfaces-024.jpg")


def streams(path) -> dict:
    import imageio_ffmpeg

    info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", info).groups()
    return {"duration": int(h) * 3600 + int(m) * 60 + float(s), "audio": "Audio:" in info, "video": "Video:" in info}


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return espeak(tmp_path_factory.mktemp("talkcli") / "speech.wav")


@pytest.mark.slow
def test_portrait_video_has_the_audio_and_is_in_sync(tmp_path, speech):
    from fxcli.audio import load_audio
    from fxcli.metrics.talk_sync import score_talk

    out = tmp_path / "talk.mp4"
    r = run_fxe("talk", FACE, "--audio", str(speech), "--transcript", SENTENCE, "-i", "talk happily", "-o", str(out))
    assert r.code == 0, r.stderr
    summary = json.loads(r.out)
    info = streams(out)
    assert info["audio"] and info["video"]
    assert abs(info["duration"] - load_audio(str(speech)).duration) <= 1 / 25 + 1e-3
    assert summary["frames"] == round(load_audio(str(speech)).duration * 25)
    scores = score_talk(str(out), source=FACE)
    assert abs(scores["sync_lag"]) <= 1 and scores["sync_corr"] > 0.5 and scores["sync_conf"] > 0.3
    assert scores["identity"] > 0.9 and scores["face_frames"] == scores["frames"]


def test_no_face_is_exit_5_and_leaves_nothing(tmp_path, speech):
    out = tmp_path / "x.mp4"
    r = run_fxe("talk", NO_FACE, "--audio", str(speech), "-o", str(out))
    assert_one_error_line(r, 5, "no face found")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_audio_files_are_exit_3(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "list.wav"
    text.write_text("eggs, milk, bread\n" * 30)
    for bad, fragment in ((empty, "empty (0 bytes)"), (text, "not readable audio")):
        r = run_fxe("talk", "ict", "--audio", str(bad), "-o", str(tmp_path / "t.json"))
        assert_one_error_line(r, 3, fragment)
    # a portrait video: the same one line, and no partial video
    r = run_fxe("talk", FACE, "--audio", str(text), "-o", str(tmp_path / "p.mp4"))
    assert_one_error_line(r, 3, "not readable audio")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["empty.wav", "list.wav"]
    long = lavfi(tmp_path / "long.wav", "sine=frequency=200", 3.0, 8000, 1)
    r = run_fxe("talk", "ict", "--audio", str(long), "-o", str(tmp_path / "t.json"),
                env={"FXE_MAX_AUDIO_SECONDS": "2"})
    assert_one_error_line(r, 3, "over the 0:02 limit")
    assert not (tmp_path / "t.json").exists()


def test_usage_errors(tmp_path, speech):
    r = run_fxe("talk", "ict", "--audio", str(speech), "--text", "hi", "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 2, "not both")
    r = run_fxe("talk", "ict", "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 2, "nothing to say")
    r = run_fxe("talk", "ict", "--text", "hi", "--lang", "xx-none", "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 2, "espeak-ng could not speak")
    r = run_fxe("talk", "ict", "--text", "hi", "-o", str(tmp_path / "t.png"))
    assert_one_error_line(r, 2, "video")
    assert list(tmp_path.iterdir()) == []


def test_unknown_instruction_is_said_once_and_the_track_made(tmp_path, speech):
    out = tmp_path / "t.json"
    r = run_fxe("talk", "ict", "--audio", str(speech), "-i", "purple elephant", "-o", str(out))
    assert r.code == 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "names no emotion or motion" in lines[0], r.stderr
    track = json.loads(out.read_text())
    assert track["format"] == "fxe.track/v1" and track["audio"].endswith("speech.wav")
    assert (out.parent / track["audio"]).resolve() == speech.resolve()  # relative to the track's folder


@pytest.mark.slow
def test_text_to_track_then_render_and_avatar_video_with_96khz_six_channels(tmp_path):
    track = tmp_path / "t.json"
    r = run_fxe("talk", "ict", "--text", "Look over there.", "--voice", "f3", "-i", "turn your head to the left",
                "-o", str(track))
    assert r.code == 0, r.stderr
    data = json.loads(track.read_text())
    assert data["audio"] == "t.wav" and (tmp_path / "t.wav").is_file()
    assert np.asarray(data["pose"])[-5:, 1].mean() > 0.3
    video = tmp_path / "t.mp4"
    r = run_fxe("render", str(track), "-o", str(video))
    assert r.code == 0, r.stderr
    assert streams(video)["audio"]
    # a 3D avatar straight to video, from 96 kHz 6-channel audio
    multi = lavfi(tmp_path / "multi.wav", "sine=frequency=220:beep_factor=4", 2.0, 96000, 6)
    out = tmp_path / "avatar.mp4"
    r = run_fxe("talk", "ict", "--audio", str(multi), "-o", str(out))
    assert r.code == 0, r.stderr
    info = streams(out)
    assert info["audio"] and abs(info["duration"] - 2.0) <= 0.04 + 1e-3


def test_silence_and_noise_make_clips_and_jobs_run(tmp_path):
    silent = lavfi(tmp_path / "silent.wav", "anullsrc=r=16000:cl=mono", 1.0, 16000, 1)
    noise = lavfi(tmp_path / "noise.wav", "anoisesrc=a=0.2:seed=3", 1.0, 16000, 1)
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"source": "ict", "audio": str(silent), "output": str(tmp_path / "a.json"),
                                "instruction": "nod"}) + "\n"
                    + json.dumps({"source": "ict", "audio": str(noise), "output": str(tmp_path / "b.json")}) + "\n")
    r = run_fxe("talk", "--jobs", str(jobs))
    assert r.code == 0, r.stderr
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    jaw = a["channels"].index("jawOpen")
    assert max(f[jaw] for f in a["frames"]) < 1e-3 and max(p[0] for p in a["pose"]) > 0.1
    # steady noise is loud but holds no phones: the clip is made with the mouth nearly at rest
    assert len(b["frames"]) == 25 and max(f[jaw] for f in b["frames"]) < 0.3
