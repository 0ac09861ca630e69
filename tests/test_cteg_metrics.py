"""CTEG metrics (Appendix D) against values worked out by hand on tiny synthetic tracks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.metrics.cteg_metrics import CTEG_METRICS, dot, pair_distance, score_tracks
from fxcli.tracks import Track
from fxcli.tracks.track_io import dumps_track


def track(frames, text=None, channels=("jawOpen", "mouthClose")):
    return Track(space="arkit52", channels=list(channels), fps=25.0, frames=np.array(frames, np.float32), text=text)


def test_metric_names():
    assert set(CTEG_METRICS) == {"Diversity", "MModality", "Variation", "FgD", "DoT"}


def test_hand_worked_three_tracks():
    a = track([[0, 0], [0.3, 0.4]], text="x")  # one step of length 0.5
    b = track([[0, 0], [0, 0], [0.6, 0.8]], text="x")  # steps 0 and 1.0
    c = track([[1, 0]], text="y")  # one frame: no FgD contribution
    m = score_tracks([a, b, c])
    # Variation: a: var over time per channel (0.0225, 0.04) -> mean 0.03125;
    # b: channel means (0.2, 0.8/3): var 0.08, 0.1422.. -> mean (0.08 + 0.142222)/2; c: 0
    var_b = (np.var([0, 0, 0.6]) + np.var([0, 0, 0.8])) / 2
    assert m["Variation"] == pytest.approx((0.03125 + var_b + 0) / 3, abs=1e-6)
    # FgD: a 0.5, b (0 + 1)/2 = 0.5; c skipped
    assert m["FgD"] == pytest.approx(0.5, abs=1e-6)
    # distances with zero padding: a-b = frames (0,0),(0.3,0.4),(-0.6,-0.8) -> sqrt(0.25 + 1) ;
    # a-c = (-1,0),(0.3,0.4) -> sqrt(1 + 0.25); b-c = (-1,0),(0,0),(0.6,0.8) -> sqrt(2)
    ab, ac, bc = math.sqrt(1.25), math.sqrt(1.25), math.sqrt(2.0)
    assert m["DoT"] == pytest.approx((ab + ac + bc) / 3, abs=1e-6)
    # MModality: texts "x" has one pair (a, b)
    assert m["MModality"] == pytest.approx(ab, abs=1e-6)
    # Diversity: 3 // 2 = 1 random pair: one of the three distances
    assert any(m["Diversity"] == pytest.approx(d, abs=1e-6) for d in (ab, ac, bc))


def test_diversity_of_two_tracks_and_no_mmodality_without_repeated_text():
    a = track([[0, 0]], text="p")
    b = track([[0.6, 0.8]], text="q")
    m = score_tracks([a, b])
    assert m["Diversity"] == pytest.approx(1.0)
    assert m["DoT"] == pytest.approx(1.0)
    assert "MModality" not in m


def test_gram_dot_matches_direct_pairs_on_long_tracks():
    rng = np.random.default_rng(3)
    seqs = [rng.normal(size=(int(rng.integers(1, 200)), 5)) for _ in range(12)]
    direct = np.mean([pair_distance(seqs[i], seqs[j]) for i in range(12) for j in range(i + 1, 12)])
    assert dot(seqs) == pytest.approx(direct, rel=1e-9)


def test_reference_gaps():
    a = track([[0, 0], [0.3, 0.4]])
    ref = track([[0, 0], [0.6, 0.8]])
    m = score_tracks([a], reference=[ref])
    assert m["reference_FgD"] == pytest.approx(1.0)
    assert m["FgD_gap"] == pytest.approx(0.5)
    assert "DoT" not in m and "Diversity" not in m  # one track: no pairs


def test_mixed_channels_refused():
    a = track([[0, 0]])
    b = track([[0, 0]], channels=("jawOpen", "mouthFunnel"))
    with pytest.raises(InvalidInputError):
        score_tracks([a, b])


def test_score_tracks_round_trip_through_jsonl(tmp_path):
    from fxcli.tracks import read_tracks

    path = tmp_path / "t.jsonl"
    path.write_text(dumps_track(track([[0, 0], [0.3, 0.4]])) + "\n" + dumps_track(track([[1, 0]])) + "\n")
    m = score_tracks(read_tracks(str(path)))
    assert json.loads(json.dumps(m))["FgD"] == pytest.approx(0.5, abs=1e-6)
