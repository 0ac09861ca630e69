"""The learned text -> emotion model: corpus readers and splits, training from a seed, calibration,
the shipped weights, the face following the predicted family, and emoji."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from fxcli.expressions.library import BASIC_LABELS, load_library
from fxcli.expressions.text_emotion import BASIC_ENTRY, FINE_ENTRY, analyse_text, family_mixture
from fxcli.train.text_emotion_data import EKMAN_OF, GO_LABELS, load_corpus, xed_split_of

ASSET = Path(__file__).parent.parent / "fxcli" / "assets" / "text_emotion"

TEMPLATES = {  # GoEmotions label id -> sentences (17 joy, 2 anger, 25 sadness, 27 neutral, 15 gratitude)
    17: ["I am so happy today", "This is wonderful news", "What a great day", "I am thrilled about it"],
    2: ["I am furious with you", "This makes me so angry", "Stop it, I hate this", "You idiot, get out"],
    25: ["I feel so sad and alone", "My heart is broken", "I miss him terribly", "I cried all night"],
    27: ["The meeting is at noon", "I bought bread today", "The bus leaves at five", "Put it on the table"],
    15: ["Thank you so much", "Thanks a lot for your help", "I really appreciate it", "Many thanks, friend"],
}


def make_corpus(folder: Path) -> Path:
    """A tiny corpus in the GoEmotions and XED file formats (fixed texts, no download)."""
    (folder / "goemotions").mkdir(parents=True)
    (folder / "xed").mkdir()
    for split, endings in (("train", [".", "!", "", " really.", ", ok.", "!!"]), ("dev", ["?", " honestly."]),
                           ("test", [" now."])):
        lines = [f"{t}{e}\t{label}\t{split}{i}_{k}" for label, ts in TEMPLATES.items() for i, t in enumerate(ts)
                 for k, e in enumerate(endings)]
        (folder / "goemotions" / f"original_{split}.tsv").write_text("\n".join(lines) + "\n")
    (folder / "xed" / "en-annotated.tsv").write_text("I am so happy\t5\nGet out!\t1, 8\nWe shall see\t2\n")
    (folder / "xed" / "neu_en.txt").write_text("9\tThe bus leaves at five\n")
    return folder


def test_ekman_mapping_and_library_entries_agree():
    lib = load_library()
    assert len(GO_LABELS) == 28 and set(EKMAN_OF) == set(GO_LABELS)
    for category, entry in FINE_ENTRY.items():
        assert lib.by_name[entry].basic == EKMAN_OF[category], (category, entry)
    for family, entry in BASIC_ENTRY.items():
        assert lib.by_name[entry].basic == family
    # the fine categories the issue names show as themselves or their nearest library entry
    assert {FINE_ENTRY[c] for c in ("pride", "relief", "embarrassment", "nervousness")} == {
        "pride", "relief", "embarrassment", "nervousness"}


def test_corpus_readers_and_fixed_xed_split(tmp_path):
    folder = make_corpus(tmp_path / "corpus")
    train = load_corpus(folder, "goemotions", "train")
    assert len(train.texts) == 5 * 4 * 6 and train.fine.shape == (120, 28)
    row = train.texts.index("Thank you so much.")
    assert train.raw_labels[row] == ("gratitude",) and BASIC_LABELS[int(train.basic[row].argmax())] == "happy"
    # XED: the split comes from the line's sha1 alone, so file order does not matter
    line_id, split = xed_split_of("I am so happy")
    assert line_id == hashlib.sha1(b"I am so happy").hexdigest()[:12] and split in ("train", "dev", "test")
    xed = [load_corpus(folder, "xed", s) for s in ("train", "dev", "test")]
    assert sum(len(c.texts) for c in xed) == 4
    both = {t: c.basic[i] for c in xed for i, t in enumerate(c.texts)}
    assert both["Get out!"].tolist() == [1, 0, 0, 0, 0, 0, 0]  # anger (+ trust, which has no family)
    assert not both["We shall see"].any()  # anticipation only: no Ekman family
    # the ~10 % test share on many lines
    buckets = [xed_split_of(f"line {i}")[1] for i in range(5000)]
    assert 0.08 < buckets.count("test") / 5000 < 0.12


def test_temperature_fit_recovers_a_known_temperature():
    from fxcli.train.text_emotion_trainer import fit_temperature

    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4000, 7))
    z = logits / 2.0
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    labels = np.array([rng.choice(7, p=row) for row in p])
    assert fit_temperature(logits, np.eye(7)[labels]) == pytest.approx(2.0, rel=0.1)


@pytest.mark.slow
def test_training_is_seeded_and_learns_the_tiny_corpus(tmp_path, fxe):
    folder = make_corpus(tmp_path / "corpus")
    cache = tmp_path / "cache"
    runs = []
    for name in ("a", "b"):
        r = fxe("--seed", "3", "train", "text-emotion", "--data", str(folder), "-o", str(tmp_path / name),
                "--cache", str(cache), "--epochs", "12", "--hidden", "32", "--ensemble", "2", "-q")
        assert r.code == 0, r.stderr
        runs.append(json.loads(r.stdout))
    assert runs[0]["sha256"] == runs[1]["sha256"]  # same seed, same bytes
    assert runs[0]["dev_macro_f1_basic"] >= 0.75  # 4 families (+ gratitude -> happy), separable sentences
    config = json.loads((tmp_path / "a" / "config.json").read_text())
    assert config["splits"]["goemotions/train"]["n"] == 120 and len(config["splits"]["goemotions/train"]["sha256"]) == 64
    assert (tmp_path / "a" / "train_log.jsonl").is_file()
    from fxcli.text.emotion_model import load_emotion_model_file
    from fxcli.text.minilm_lean import load_lean_minilm

    model = load_emotion_model_file(str(tmp_path / "a" / "text_emotion.safetensors"))
    assert model.w1.shape[1] == 64 and len(model.bias) == 7 and len(config["multilabel_thresholds"]) == 7
    texts = ["Thanks so much for your help!", "I am really furious with you."]
    feats, _ = load_lean_minilm().features(texts)
    basic, fine = model.predict(feats, texts)
    assert [BASIC_LABELS[i] for i in basic.argmax(1)] == ["happy", "angry"]
    assert GO_LABELS[int(fine[0].argmax())] == "gratitude"
    np.testing.assert_allclose(basic.sum(1), 1, atol=1e-5)
    # the lexical head: on this corpus the MLP alone is perfect on dev, so weight 0 wins the grid; forced in
    assert runs[0]["ngram_weight"] == 0 and model.ngram_w is None
    r = fxe("--seed", "3", "train", "text-emotion", "--data", str(folder), "-o", str(tmp_path / "n"), "--cache",
            str(cache), "--epochs", "12", "--hidden", "32", "--ensemble", "2", "--ngram-weight", "1", "-q")
    assert r.code == 0, r.stderr
    lexical = load_emotion_model_file(str(tmp_path / "n" / "text_emotion.safetensors"))
    assert lexical.meta["ngram"]["weight"] == 1.0 and lexical.meta["ngram"]["l2"] == 1e-4  # first of the grid
    assert lexical.ngram_w.shape == (2**17, 7) and lexical.ngram_w.dtype == np.float16
    lp = lexical.ngram_log_probs(["I am furious", "Thank you", "the bus"])
    assert [BASIC_LABELS[i] for i in lp.argmax(1)] == ["angry", "happy", "neutral"]
    np.testing.assert_allclose(lp[:, [0, 3, 4, 6]], [[-0.582, -0.998, -2.893, -4.083], [-3.261, -0.059, -4.861, -4.539],
                                                     [-4.372, -2.921, -4.369, -0.083]], atol=2e-3)  # golden (seed 3)
    basic_n, _ = lexical.predict(feats, texts)
    assert [BASIC_LABELS[i] for i in basic_n.argmax(1)] == ["happy", "angry"]
    r = fxe("train", "text-emotion", "--data", str(folder), "-o", str(tmp_path / "c"), "--cache", str(cache),
            "--dry-run")
    assert r.code == 0 and json.loads(r.stdout)["dry_run"] is True and not (tmp_path / "c" / "config.json").exists()


def test_training_refuses_a_missing_corpus(tmp_path, fxe):
    from tests.conftest import assert_one_error_line

    r = fxe("train", "text-emotion", "--data", str(tmp_path), "-o", str(tmp_path / "out"))
    assert_one_error_line(r, 3, "corpus file missing")


def test_lean_features_equal_the_batched_transformers_pass():
    from fxcli.text.minilm_lean import load_lean_minilm
    from fxcli.train.text_emotion_data import embed_features

    texts = ["Okay.", "How's that coffee comin', dear?", "I am SO happy to see you!!! 😊", "[NAME] lied to me again."]
    lean, emb = load_lean_minilm().features(texts)
    assert lean.shape == (4, 7, 384)
    np.testing.assert_allclose(lean, embed_features(texts), atol=1e-4)
    np.testing.assert_allclose(emb, load_lean_minilm().embed(texts), atol=1e-6)


def test_shipped_model_matches_registry_and_is_calibrated_on_dev():
    from fxcli import registry
    from fxcli.text.emotion_model import WEIGHTS_FILE, load_emotion_model

    spec = registry.get_spec("text-emotion")
    data = (ASSET / WEIGHTS_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == spec.files[0].sha256 and len(data) < 10_000_000  # 5 members + lexical head
    model = load_emotion_model()
    assert model.basic_labels == list(BASIC_LABELS) and model.fine_labels == list(GO_LABELS)
    assert 0.25 < model.t_basic < 8 and 0.25 < model.t_fine < 8
    splits = json.loads((ASSET / "splits.json").read_text())
    assert model.meta["splits"]["goemotions/dev"] == {k: splits["goemotions"]["dev"][k] for k in ("n", "sha256")}
    used = model.meta["splits"]["goemotions/train"]["n"]
    assert used == min(model.meta.get("max_train_lines") or 10**9, splits["goemotions"]["train"]["n"])


def test_face_follows_the_predicted_family():
    lib = load_library()
    fine = np.full(28, 1 / 28)
    for family in BASIC_LABELS:
        mixture, candidates, categories = family_mixture(family, fine)
        assert {lib.by_name[n].basic for n, _ in mixture + candidates} == {family}
        assert sum(w for _, w in mixture) == pytest.approx(1, abs=1e-3)
        assert all(EKMAN_OF[c] == family for c, _ in categories)
    # the filler "like" does not pull in "liking" (nor any other family's entry)
    for text in ("Like, I totally forgot my keys.", "So like, the bus is late.", "I like, don't know."):
        for clause in analyse_text(text):
            assert "liking" not in [n for n, _ in clause.candidates]
            assert {lib.by_name[n].basic for n, _ in clause.candidates} == {clause.family}


def test_fine_categories_reach_the_face():
    clause = analyse_text("Thank you so much for everything, I really appreciate it.")[0]
    assert clause.family == "happy"
    assert clause.categories[0][0] == "gratitude" and "gladness" in [n for n, _ in clause.mixture]
    clause = analyse_text("I'm so nervous about the interview tomorrow.")[0]
    assert clause.family == "fear" and "nervousness" in [n for n, _ in clause.mixture]


@pytest.mark.parametrize("text, family", [
    ("😡", "angry"), ("😢", "sad"), ("😂😂", "happy"), ("😱", "fear"), ("🤢", "disgust"),
    ("ok :)", "happy"), ("ok :(", "sad"), ("Fine. >:(", "angry"), ("The bus is here 😢", "sad"),
])
def test_emoji_and_emoticons_carry_emotion(text, family):
    clauses = analyse_text(text)
    assert clauses[-1].family == family


def test_emoticon_is_not_a_clause_break_and_times_are_not_emoticons():
    from fxcli.expressions.text_emotion import split_clauses
    from fxcli.text.emoji import emoji_votes

    assert len(split_clauses("see you soon :)")) == 1
    assert not emoji_votes("we meet at 10:30 (room 4)").any()
    doc = json.loads((Path(__file__).parent.parent / "fxcli/assets/emoji/emoji_emotion.json").read_text())
    assert "Unicode" in doc["source"] and len(doc["emoji"]) > 80
    import unicodedata

    for e in doc["emoji"]:  # the recorded names are the Unicode names
        assert unicodedata.name(e["char"]).lower() == e["unicode_name"]


def test_emoji_votes_move_a_share_of_the_mass_or_decide_alone_without_words():
    from fxcli.expressions.text_emotion import EMOJI_SHARE, with_emoji

    probs = np.array([0.1, 0.0, 0.0, 0.2, 0.0, 0.0, 0.7])
    votes = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0])  # two sad emoji
    w = 1.0 - (1.0 - EMOJI_SHARE) ** 2
    np.testing.assert_allclose(with_emoji(probs, votes), (1 - w) * probs + w * np.eye(7)[4])
    np.testing.assert_allclose(with_emoji(probs, votes, has_words=False), np.eye(7)[4])
    np.testing.assert_allclose(with_emoji(probs, np.zeros(7), has_words=False), probs)
