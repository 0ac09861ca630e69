#!/usr/bin/env python3
"""Text-emotion model on the corpora's held-out test splits (never used for training or tuning).

For each corpus (GoEmotions: its own test split; XED: the fixed sha1 split of fxcli.train.text_emotion_data)
and the 7 basic families (Ekman's six + neutral, the GoEmotions paper's mapping; XED's anticipation and
trust have no family and lines with only those are left out):
- single-label: lines whose gold labels fall in exactly one family: accuracy, macro and weighted F1,
  the confusion matrix (rows gold, columns predicted) and the share of neutral predictions vs gold;
- paper-style multi-label (as Demszky et al. report the 0.64 Ekman+neutral macro F1): every line, the
  predicted set is the top family plus any family whose probability reaches its threshold fitted on dev
  (stored in the model: one per family, or one for all in older models), per-family binary F1, macro-averaged;
- calibration: expected calibration error of the top probability (15 bins).
Also the accuracy of the whole text pipeline (clauses, negation, emoji) on tests/data/emotion_sentences.jsonl
(a sanity floor written alongside the old lexicon, not a measure), and, with --agreement N, the share of
N varied texts whose reported family and face mixture agree.

Usage: python3 benchmarks/eval_text_emotion.py CORPUS_DIR [--model FILE|DIR] [--cache DIR] [--agreement 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fxcli.expressions.library import BASIC_LABELS  # noqa: E402


def f1_scores(gold: np.ndarray, pred: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    f1, support = np.zeros(n), np.zeros(n)
    for c in range(n):
        tp = np.sum((pred == c) & (gold == c))
        fp = np.sum((pred == c) & (gold != c))
        fn = np.sum((pred != c) & (gold == c))
        f1[c] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
        support[c] = np.sum(gold == c)
    return f1, support


def multilabel_macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """gold, predicted: (N, C) 0/1. Per-class binary F1, macro-averaged over classes with gold support."""
    out = []
    for c in range(gold.shape[1]):
        tp = np.sum((predicted[:, c] == 1) & (gold[:, c] == 1))
        fp = np.sum((predicted[:, c] == 1) & (gold[:, c] == 0))
        fn = np.sum((predicted[:, c] == 0) & (gold[:, c] == 1))
        if gold[:, c].sum() > 0:
            out.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(out))


def predicted_sets(probs: np.ndarray, threshold: float) -> np.ndarray:
    sets = (probs >= threshold).astype(int)
    sets[np.arange(len(probs)), probs.argmax(1)] = 1
    return sets


def ece(probs: np.ndarray, gold: np.ndarray, bins: int = 15) -> float:
    conf, hit = probs.max(1), (probs.argmax(1) == gold)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        m = (conf > a) & (conf <= b)
        if m.any():
            total += m.mean() * abs(hit[m].mean() - conf[m].mean())
    return float(total)


def report(name: str, basic: np.ndarray, probs: np.ndarray, threshold) -> dict:
    n_cls = len(BASIC_LABELS)
    has = basic.sum(1) > 0
    single = basic.sum(1) == 1
    gold = basic[single].argmax(1)
    pred = probs[single].argmax(1)
    f1, support = f1_scores(gold, pred, n_cls)
    confusion = np.zeros((n_cls, n_cls), int)
    np.add.at(confusion, (gold, pred), 1)
    neutral = BASIC_LABELS.index("neutral")
    out = {
        "corpus": name, "lines": int(len(basic)), "lines_with_family": int(has.sum()), "single_label_lines": int(single.sum()),
        "accuracy": round(float((gold == pred).mean()), 4), "macro_f1": round(float(f1.mean()), 4),
        "weighted_f1": round(float((f1 * support).sum() / support.sum()), 4),
        "per_class_f1": {c: round(float(x), 4) for c, x in zip(BASIC_LABELS, f1, strict=True)},
        "neutral_share_pred": round(float((pred == neutral).mean()), 4),
        "neutral_share_gold": round(float((gold == neutral).mean()), 4),
        "multilabel_macro_f1": round(multilabel_macro_f1(basic[has], predicted_sets(probs[has], threshold)), 4),
        "multilabel_threshold": np.round(threshold, 3).tolist(),
        "ece_top1": round(ece(probs[single], gold), 4),
        "confusion": confusion.tolist(),
    }
    print(f"\n== {name} test: {out['lines']} lines, {out['single_label_lines']} with one family ==")
    print(f"accuracy {out['accuracy']:.3f}  macro F1 {out['macro_f1']:.3f}  weighted F1 {out['weighted_f1']:.3f}  "
          f"paper-style multi-label macro F1 {out['multilabel_macro_f1']:.3f} (thresholds {out['multilabel_threshold']})  "
          f"ECE {out['ece_top1']:.3f}")
    print(f"neutral predicted {out['neutral_share_pred']:.1%} vs gold {out['neutral_share_gold']:.1%}")
    print("per-class F1: " + ", ".join(f"{c} {x:.2f}" for c, x in out["per_class_f1"].items()))
    print("confusion (rows gold, columns predicted): " + " ".join(f"{c[:5]:>6}" for c in BASIC_LABELS))
    for c, row in zip(BASIC_LABELS, confusion, strict=True):
        print(f"  {c:>8} " + " ".join(f"{x:6d}" for x in row))
    return out


def varied_texts(n: int, seed: int = 0) -> list[str]:
    """n varied everyday texts: fillers ("like", "you know"), negation, contrast, emoji, questions."""
    rng = np.random.default_rng(seed)
    openers = ["", "Like, ", "So like, ", "Honestly, ", "Well, ", "You know, ", "Oh my god, ", "Hey, ", "Okay, "]
    cores = ["I like totally forgot my keys", "we won the game", "my dog died last night", "that smells like rotten eggs",
             "there's someone outside my window", "you did what?", "thank you so much for the flowers",
             "I'm so proud of you", "what a relief that it's over", "I'm not happy about this",
             "I am not scared of anything", "the meeting is at noon", "I love this song", "you lied to me again",
             "I feel so embarrassed", "I'm kind of nervous about tomorrow", "how does this even work",
             "I can't believe we lost", "this is like the best day ever", "stop touching my stuff",
             "I miss her so much", "it's fine", "that was unexpected", "I hate waiting in line", "hi",
             "okay", "yeah", "how's that coffee coming, dear", "I guess", "whatever you like"]
    endings = ["", ".", "!", "?", "...", " :)", " :(", " 😡", " 😢", " 😂", ", but it's fine.", ", and I'm scared."]
    return [f"{rng.choice(openers)}{rng.choice(cores)}{rng.choice(endings)}" for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus_dir", help="folder with goemotions/ and xed/")
    ap.add_argument("--model", default=None, help="text_emotion.safetensors or its folder (default: shipped)")
    ap.add_argument("--cache", default=None, help="feature cache folder (as in `fxe train text-emotion --cache`)")
    ap.add_argument("--corpora", default="goemotions,xed")
    ap.add_argument("--agreement", type=int, default=0, help="also check label/face agreement on N varied texts")
    ap.add_argument("--json", default=None, help="write all figures to this JSON file")
    args = ap.parse_args()

    from fxcli.text.emotion_model import load_emotion_model
    from fxcli.train.text_emotion_data import cached_features, load_corpus

    model = load_emotion_model(args.model)
    threshold = np.array(model.meta.get("multilabel_thresholds", model.meta.get("multilabel_threshold", 0.3)))
    print(f"model: corpora {model.meta.get('corpora')}, seed {model.meta.get('seed')}, best epoch "
          f"{model.meta.get('best_epoch')}, T basic {model.t_basic}, T fine {model.t_fine}, fine-head weight "
          f"{model.fine_mix}, lexical head {model.meta.get('ngram')}")
    results = {"model": {k: model.meta.get(k) for k in ("corpora", "seed", "best_epoch", "t_basic", "t_fine",
                                                         "max_train_lines", "dev_macro_f1_basic", "ensemble",
                                                         "decision_bias", "fine_mix", "ngram")}}
    for name in args.corpora.split(","):
        corpus = load_corpus(args.corpus_dir, name, "test")
        t0 = time.perf_counter()
        if args.cache:
            feats = cached_features(corpus, args.cache)
        else:
            from fxcli.text.minilm_lean import load_lean_minilm

            feats = load_lean_minilm().features(corpus.texts)[0]
        probs, _ = model.predict(feats, corpus.texts)
        results[name] = report(name, corpus.basic, probs, threshold)
        results[name]["seconds"] = round(time.perf_counter() - t0, 1)
        # the cues text2flame adds (lexicon words, negation, emoji), here on the whole line (no clause split)
        from fxcli.expressions import text_emotion as te
        from fxcli.text.emoji import emoji_votes

        cues = []
        for text in corpus.texts:
            plain, negation, _, _, _ = te._lexicon(text)
            cues.append(te.LEXICON_GAIN * plain + te.NEGATION_GAIN * negation)
        logits = np.log(np.maximum(probs, 1e-6)) + np.array(cues)
        with_cues = np.exp(logits - logits.max(1, keepdims=True))
        with_cues /= with_cues.sum(1, keepdims=True)
        with_cues = np.stack([te.with_emoji(p, emoji_votes(t)) for p, t in zip(with_cues, corpus.texts, strict=True)])
        results[name + "+cues"] = report(name + " (model + lexicon/negation/emoji cues)", corpus.basic, with_cues,
                                         threshold)

    from fxcli.expressions.text_emotion import analyse_text, text_family_probs

    rows = [json.loads(x) for x in (REPO / "tests/data/emotion_sentences.jsonl").read_text().splitlines()]
    got = [BASIC_LABELS[int(np.argmax(text_family_probs(analyse_text(r["text"]))))] for r in rows]
    acc = float(np.mean([g == r["label"] for g, r in zip(got, rows, strict=True)]))
    results["emotion_sentences_accuracy"] = round(acc, 4)
    print(f"\ntests/data/emotion_sentences.jsonl (sanity floor): accuracy {acc:.3f} on {len(rows)} sentences")

    if args.agreement:
        from fxcli.backends.text2flame_embedded import EmbeddedText2Flame
        from fxcli.expressions.library import load_library

        lib = load_library()
        texts = varied_texts(args.agreement)
        tracks = EmbeddedText2Flame(None).generate(texts, seed=0)
        track_ok = seg_ok = seg_total = 0
        for t in tracks:
            emo = t.meta["emotion"]
            fam = {}
            for n, w in zip(emo["names"], emo["weights"], strict=True):
                fam[lib.by_name[n].basic] = fam.get(lib.by_name[n].basic, 0.0) + w
            track_ok += max(fam, key=fam.get) == emo["dominant"]
            for s in emo["segments"]:
                seg_total += 1
                seg_ok += all(lib.by_name[n].basic == s["family"] for n, _ in s["mixture"])
        results["agreement"] = {"texts": len(texts), "track": round(track_ok / len(texts), 4),
                                "segments": round(seg_ok / seg_total, 4), "n_segments": seg_total}
        print(f"agreement on {len(texts)} varied texts: reported dominant family = the face mixture's family in "
              f"{track_ok / len(texts):.1%} of tracks; every mixture entry in its segment's family in "
              f"{seg_ok / seg_total:.1%} of {seg_total} segments")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
