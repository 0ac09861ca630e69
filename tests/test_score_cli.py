"""`fxe score` as a user runs it: stdout, stderr and exit codes; batches keep going past bad items."""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from fxcli.metrics.formulas import harmonic_mean, pearson
from fxcli.tracks import Track, dumps_track
from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

SMILE = str(PORTRAITS / "interfaces-030.jpg")
OTHER = str(PORTRAITS / "interfaces-009.jpg")
NO_FACE = str(PORTRAITS / "interfaces-024.jpg")


def records(result) -> tuple[list[dict], dict]:
    lines = [json.loads(x) for x in result.out.splitlines()]
    assert lines and lines[-1]["summary"] is True
    return lines[:-1], lines[-1]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "truncated.jpg").write_bytes((PORTRAITS / "interfaces-001.jpg").read_bytes()[:20000])
    (d / "text.png").write_text("this is text\n")
    Image.new("RGB", (10, 10)).save(d / "tiny.png")
    return d


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """An edit-sweep folder: the smiling portrait mirrored at 'alpha' 0, 0.5, 1 with fading brightness of
    the mouth region (a real sweep's images come from fxe edit; here any images with a face do)."""
    d = tmp_path_factory.mktemp("sweep")
    img = np.asarray(Image.open(SMILE).convert("RGB"))[:, ::-1]
    items = []
    for alpha in (0.0, 0.5, 1.0):
        name = f"happy_{alpha:.2f}.png"
        Image.fromarray(np.ascontiguousarray(img)).resize((400 + int(alpha * 100),) * 2).save(d / name)
        items.append({"path": name, "alpha": alpha, "expression": "happy"})
    (d / "index.json").write_text(json.dumps({"format": "fxe.score-index/v1", "source": SMILE, "items": items}))
    return d


def test_list_shows_metrics_and_their_judges():
    r = run_fxe("score", "--list")
    assert r.code == 0 and r.stderr == ""
    rows = [json.loads(x) for x in r.out.splitlines()]
    by_name = {row["metric"]: row for row in rows if "metric" in row}
    assert by_name["ffe_bench.mscr"]["judges"] == ["expression"]
    assert by_name["ffe_bench.hes"]["judges"] == ["expression", "identity"]
    assert by_name["geneava.lpips"]["judges"] == ["lpips"]
    assert by_name["instructavatar.au_f1"]["judges"] == ["geometry"]
    assert {row["judge"] for row in rows if "judge" in row} >= {"expression", "identity", "arcface", "clip"}


def test_one_image(tmp_path):
    r = run_fxe("score", "--images", SMILE)
    assert r.code == 0 and r.stderr == ""
    recs, summary = records(r)
    assert len(recs) == 1 and recs[0]["expression"]["label"] == "happy"
    assert "AU12" in recs[0]["active_aus"] and summary["scored"] == 1


@pytest.mark.parametrize(("name", "code", "fragment"), [
    ("truncated.jpg", 3, "corrupt or truncated"),
    ("text.png", 3, "not an image file"),
    ("tiny.png", 3, "10x10 px, too small"),
    ("missing.png", 3, "no such file"),
])
def test_single_bad_image_exits_with_its_code(bad_files, name, code, fragment):
    r = run_fxe("score", "--images", str(bad_files / name))
    assert_one_error_line(r, code, fragment)
    assert r.stdout == b""


def test_photo_without_a_face_exits_5():
    r = run_fxe("score", "--images", NO_FACE)
    assert_one_error_line(r, 5, "no face found in", "interfaces-024.jpg")
    assert r.stdout == b""


def test_batch_scores_the_good_items_and_exits_1(bad_files, tmp_path):
    out = tmp_path / "scores.jsonl"
    r = run_fxe("score", "--images", SMILE, "--images", str(bad_files / "text.png"), "--images", NO_FACE,
                "--images", OTHER, "--expression", "happy", "-o", str(out))
    assert r.code == 1
    recs, summary = records(r)
    assert [x["status"] for x in recs] == ["ok", "error", "error", "ok"]
    assert recs[1]["exit_code"] == 3 and recs[2]["exit_code"] == 5
    assert summary["scored"] == 2 and summary["failed"] == 2
    assert summary["ffe_bench"]["acc_6"] == 1.0
    assert "not an image file" in r.stderr and "no face found" in r.stderr
    assert r.stderr.strip().splitlines()[-1] == "fxe: error: 2 of 4 items could not be scored (see stderr)"
    assert out.read_text() == r.out


def test_index_sweep_metrics(sweep):
    r = run_fxe("score", "--index", str(sweep / "index.json"))
    assert r.code == 0, r.stderr
    recs, summary = records(r)
    assert [x["alpha"] for x in recs] == [0.0, 0.5, 1.0]
    assert all(x["same_person"] for x in recs)  # mirrored copies of the source
    ts, ids = [x["target_score"] for x in recs], [x["id_sim"] for x in recs]
    ffe = summary["ffe_bench"]
    expected_cls = pearson([0, 0.5, 1], ts)
    assert ffe["cls_6"] == (None if expected_cls is None else pytest.approx(expected_cls, abs=2e-4))
    assert ffe["hes"] == pytest.approx(np.mean([harmonic_mean(t, i) for t, i in zip(ts, ids, strict=True)]), abs=2e-4)
    assert ffe["id_sim"] == pytest.approx(np.mean(ids), abs=2e-4)
    assert ffe["acc_6"] == 1.0 and ffe["acc_6_n"] == 3
    assert summary["gen_affect"]["id_consistency"] > 0.9


def test_index_whose_paths_do_not_exist(tmp_path):
    index = tmp_path / "index.json"
    index.write_text(json.dumps({"source": "gone.jpg", "items": [{"path": "a.png", "alpha": 0.5},
                                                                 {"path": "b.png", "alpha": 1.0}]}))
    r = run_fxe("score", "--index", str(index))
    assert r.code == 1
    recs, summary = records(r)
    assert all(x["status"] == "error" and x["exit_code"] == 3 and "no such file" in x["error"] for x in recs)
    assert str(tmp_path / "a.png") in recs[0]["error"]  # relative to the index's folder
    assert summary["failed"] == 2


@pytest.mark.parametrize(("text", "fragment"), [
    ("{not json", "malformed JSON"),
    ('{"items": []}', "'items' must be a non-empty list"),
    ('{"source": "a.jpg", "items": [{"path": "b.png"}], "extra": 1}', "unknown key(s) extra"),
    ('{"format": "other/v2", "items": [{"path": "b.png"}]}', "unknown format"),
])
def test_bad_index_is_exit_3(tmp_path, text, fragment):
    index = tmp_path / "index.json"
    index.write_text(text)
    assert_one_error_line(run_fxe("score", "--index", str(index)), 3, fragment)


def test_pairs_with_bad_lines_still_score_the_good_ones(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join([
        json.dumps({"image": OTHER, "source": SMILE, "expression": "happy", "aus": ["AU12", "AU25"]}),
        "{broken",
        json.dumps({"image": OTHER, "colour": "red"}),
        "# a comment",
        json.dumps({"image": SMILE, "reference": OTHER, "expression": "surprised"}),
    ]) + "\n")
    r = run_fxe("score", "--pairs", str(pairs))
    assert r.code == 1
    recs, summary = records(r)
    assert [x["status"] for x in recs] == ["ok", "error", "error", "ok"]
    assert "malformed JSON" in recs[1]["error"] and "unknown key(s) colour" in recs[2]["error"]
    assert recs[0]["same_person"] is False and 0 < recs[0]["hes"] <= 1
    assert recs[3]["target"] == "surprise" and "expression_error" in recs[3]
    au = summary["instructavatar"]
    tp = sum(x["au_counts"]["tp"] for x in recs if "au_counts" in x)
    fp = sum(x["au_counts"]["fp"] for x in recs if "au_counts" in x)
    assert au["au_precision"] == pytest.approx(tp / (tp + fp), abs=1e-4)


@pytest.mark.parametrize(("args", "fragment"), [
    ((), "give exactly one of --images, --pairs, --index, --tracks or --talk"),
    (("--images", SMILE, "--reference", "r.json"), "--reference goes with --tracks"),
    (("--pairs", "p.jsonl", "--expression", "happy"), "--expression goes with --images"),
    (("--images", SMILE, "--judge", "sift"), "unknown judge 'sift'"),
])
def test_usage_errors(args, fragment):
    assert_one_error_line(run_fxe("score", *args), 2, fragment)


def _fake_module(monkeypatch, name: str, **attrs):
    mod = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(mod, k, v)
    monkeypatch.setitem(sys.modules, name, mod)


def test_tracks_are_scored_by_cteg_metrics(monkeypatch, tmp_path):
    from fxcli.cli.main import cli

    calls = []

    def score_tracks(tracks, reference=None):
        calls.append((len(tracks), None if reference is None else len(reference)))
        return {"Diversity": 1.25}

    def score_cppl(checkpoint, tracks, *, definition="exact", device="cpu"):
        calls.append((checkpoint, len(tracks), definition, device))
        return {"Cppl": 3.5}

    _fake_module(monkeypatch, "fxcli.metrics.cteg_metrics", score_tracks=score_tracks,
                 CTEG_METRICS={"Diversity": "spread of samples"})
    _fake_module(monkeypatch, "fxcli.metrics.cppl", score_cppl=score_cppl)
    gen, ref = tmp_path / "gen.jsonl", tmp_path / "ref.jsonl"
    gen.write_text(dumps_track(Track.zeros("arkit52", 4, 25)) + "\n" + dumps_track(Track.zeros("arkit52", 6, 25)) + "\n")
    ref.write_text(dumps_track(Track.zeros("arkit52", 5, 25)) + "\n")
    result = CliRunner().invoke(cli, ["score", "--tracks", str(gen), "--reference", str(ref), "--cteg-model", "ckpt",
                                      "--cppl-definition", "corner", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["frames"] for x in lines[:-1]] == [4, 6]
    assert lines[-1]["cteg"] == {"Diversity": 1.25}
    assert lines[-1]["cppl"] == {"Cppl": 3.5, "definition": "corner"}
    assert calls == [(2, 1), ("ckpt", 2, "corner", "cpu")]
    listed = CliRunner().invoke(cli, ["score", "--list"])
    assert '"metric": "cteg.Diversity"' in listed.stdout


def test_cppl_without_the_cteg_module_says_so(monkeypatch, tmp_path, capsys):
    from fxcli.cli.main import main

    _fake_module(monkeypatch, "fxcli.metrics.cteg_metrics", score_tracks=lambda t, r=None: {})
    monkeypatch.setitem(sys.modules, "fxcli.metrics.cppl", None)  # makes the import fail as if absent
    gen = tmp_path / "gen.jsonl"
    gen.write_text(dumps_track(Track.zeros("arkit52", 4, 25)) + "\n")
    with pytest.raises(SystemExit) as info:
        main(["score", "--tracks", str(gen), "--cteg-model", "ckpt"])
    assert info.value.code == 1
    assert "Cppl needs the CTEG module" in capsys.readouterr().err


def test_terminal_table_lists_items_and_metrics(capsys):
    from fxcli.cli.score_cmd import _print_table

    rec = {"input": "a.png", "status": "ok", "expression": {"label": "happy", "probs": {"happy": 0.9}},
           "target": "happy", "target_score": 0.9, "id_sim": 0.8, "active_aus": ["AU12"]}
    bad = {"input": "b.png", "status": "error", "exit_code": 5, "error": "no face found in b.png"}
    summary = {"summary": True, "items": 2, "scored": 1, "failed": 1, "judges": {}, "ffe_bench": {"acc_6": 1.0},
               "skipped": {"geneava.lpips": "needs --judge lpips"}}
    _print_table([rec, bad, summary])
    out = capsys.readouterr().out
    assert "a.png" in out and "no face found in b.png" in out and "ffe_bench.acc_6" in out
    assert "1 of 2" in out and "needs --judge lpips" in out
