"""`fxe train text-emotion`: the text -> emotion classifier of the embedded text2flame.

Frozen MiniLM features (fxcli.train.text_emotion_data) -> standardise -> one hidden layer (GELU,
dropout) -> a basic head (7 families) and a fine head (GoEmotions' 28 categories). Targets are the gold
label sets as distributions (a line with two labels counts half for each); the loss is soft cross-entropy,
the fine head learns from GoEmotions lines only. Training uses the train splits only. `ensemble` such
MLPs are trained one after the other (each keeps its epoch with the best dev macro F1, basic) and merged
into one wider MLP that averages their logits. On dev then: the weight of the fine head's per-family
sums in the family decision (FINE_MIX_GRID, unless given; see fxcli.text.emotion_model.mix_fine); one
temperature per head (NLL, grid search) so the probabilities are calibrated; per-family decision offsets
on the basic logits (coordinate ascent for dev macro F1: without them the rare families, fear and
disgust, are under-predicted); per-family thresholds for the paper-style multi-label sets. A lexical head
joins the family decision: a multinomial logistic regression over hashed word unigrams + bigrams
(fxcli.text.ngrams, NGRAM_BUCKETS ids) trained on the same train lines and targets (full batch, L-BFGS,
from zero, so it draws nothing from the seed); its L2 strength (NGRAM_L2_GRID) and the weight of its
log-probabilities in the basic logits (NGRAM_WEIGHT_GRID) are chosen on dev together with the fine-head
weight, each choice with its own temperature and offsets. Test splits are never read here. Everything
random comes from --seed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.expressions.library import BASIC_LABELS
from fxcli.train.text_emotion_data import GO_LABELS, cached_features, load_corpus, split_digest

DEFAULT_LAYERS = (0, 1, 2, 3, 4, 5, 6)  # rows of the feature block: layers 1-6 mean-pooled + last [CLS]
FINE_MIX_GRID = (0.0, 0.3, 0.5, 0.7)  # fine-head weights in the family decision tried on dev
NGRAM_BUCKETS = 2**17  # hashed n-gram ids of the lexical head (float16 weights: 1.8 MB for 7 families)
NGRAM_L2_GRID = (1e-4, 3e-4)  # L2 strengths of the lexical head tried on dev (per weight, loss per line)
NGRAM_WEIGHT_GRID = (0.0, 0.5, 0.75, 1.0, 1.25)  # weights of its log-probabilities tried on dev


def macro_f1(gold: np.ndarray, pred: np.ndarray, n: int) -> float:
    scores = []
    for c in range(n):
        if not np.any(gold == c):
            continue  # a class the gold never has does not count
        tp = np.sum((pred == c) & (gold == c))
        fp = np.sum((pred == c) & (gold != c))
        fn = np.sum((pred != c) & (gold == c))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def fit_temperature(logits: np.ndarray, target: np.ndarray) -> float:
    """The temperature minimising the soft NLL of `target` (N, C distributions) on these logits."""
    best, best_t = np.inf, 1.0
    for t in np.exp(np.linspace(np.log(0.25), np.log(8.0), 141)):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        nll = -(target * logp).sum(1).mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def fit_multilabel_threshold(logits: np.ndarray, gold: np.ndarray) -> float:
    """The probability threshold (top family always in the set) maximising dev multi-label macro F1."""
    z = np.exp(logits - logits.max(1, keepdims=True))
    probs = z / z.sum(1, keepdims=True)
    best, best_t = -1.0, 0.5
    for t in np.arange(0.1, 0.61, 0.025):
        sets = probs >= t
        sets[np.arange(len(probs)), probs.argmax(1)] = True
        f1s = []
        for c in range(gold.shape[1]):
            tp = np.sum(sets[:, c] & gold[:, c])
            denom = 2 * tp + np.sum(sets[:, c] & ~gold[:, c]) + np.sum(~sets[:, c] & gold[:, c])
            f1s.append(0.0 if tp == 0 else 2 * tp / denom)
        if np.mean(f1s) > best:
            best, best_t = float(np.mean(f1s)), float(t)
    return best_t


def merge_members(members: list[dict]) -> dict:
    """MLPs over the same input (w1, b1, wb, bb, wf, bf each) as one wider MLP whose logits are the mean
    of the members' logits: hidden units side by side, head weights divided by the member count."""
    k = len(members)
    return {"w1": np.concatenate([m["w1"] for m in members], 1), "b1": np.concatenate([m["b1"] for m in members]),
            "wb": np.concatenate([m["wb"] for m in members], 0) / k, "bb": np.mean([m["bb"] for m in members], 0),
            "wf": np.concatenate([m["wf"] for m in members], 0) / k, "bf": np.mean([m["bf"] for m in members], 0)}


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def fit_decision_bias(logits: np.ndarray, gold: np.ndarray, sweeps: int = 3) -> np.ndarray:
    """Per-class offsets added to the logits, chosen by coordinate ascent (grid -1.5..1.5, step 0.1, the
    first class's offset held at 0) to maximise the macro F1 of the argmax on these (dev) lines."""
    n = logits.shape[1]
    bias = np.zeros(n)
    grid = np.round(np.arange(-1.5, 1.501, 0.1), 2)
    best = macro_f1(gold, logits.argmax(1), n)
    for _ in range(sweeps):
        changed = False
        for c in range(1, n):
            for v in grid:
                trial = bias.copy()
                trial[c] = v
                score = macro_f1(gold, (logits + trial).argmax(1), n)
                if score > best + 1e-9:
                    best, bias, changed = score, trial, True
        if not changed:
            break
    return bias


def _multilabel_f1(sets: np.ndarray, gold: np.ndarray) -> np.ndarray:
    tp = (sets & gold).sum(0)
    denom = 2 * tp + (sets & ~gold).sum(0) + (~sets & gold).sum(0)
    return np.where(tp > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def fit_multilabel_thresholds(probs: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """One probability threshold per family (the top family always in the set), each chosen on these
    (dev) lines for that family's binary F1, as the paper-style multi-label evaluation counts it."""
    out = np.full(probs.shape[1], 0.5)
    top = np.zeros_like(gold)
    top[np.arange(len(probs)), probs.argmax(1)] = True
    for c in range(probs.shape[1]):
        best = -1.0
        for t in np.round(np.arange(0.05, 0.81, 0.025), 3):  # the values stored are the values tried
            f1 = _multilabel_f1((probs[:, c:c + 1] >= t) | top[:, c:c + 1], gold[:, c:c + 1])[0]
            if f1 > best + 1e-12:
                best, out[c] = f1, float(t)
    return out


def train_ngram_head(texts: list[str], target: np.ndarray, *, buckets: int, l2: float,
                     max_iter: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression over `texts`' hashed n-gram ids (presence features): weights
    (buckets, C) and bias (C,) minimising mean soft cross-entropy against `target` (N, C distributions)
    + l2/2 |weights|^2, full batch by L-BFGS from zero (deterministic: no random draws)."""
    import torch

    from fxcli.text.ngrams import hashed_batch

    ids, offsets = hashed_batch(texts, buckets)
    bag = torch.nn.EmbeddingBag(buckets, target.shape[1], mode="sum")
    torch.nn.init.zeros_(bag.weight)
    bias = torch.zeros(target.shape[1], requires_grad=True)
    ids_t, off_t, y = torch.from_numpy(ids), torch.from_numpy(offsets), torch.from_numpy(target.astype(np.float32))
    opt = torch.optim.LBFGS([bag.weight, bias], lr=1, max_iter=max_iter, history_size=20,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = bag(ids_t, off_t) + bias
        loss = -(y * torch.log_softmax(z, 1)).sum(1).mean() + 0.5 * l2 * (bag.weight ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return bag.weight.detach().numpy().copy(), bias.detach().numpy().copy()


def _train_member(x_train, x_dev, yb, yf, mf, gold_dev, *, rng, hidden, dropout, lr, weight_decay, batch_size,
                  epochs, dry_run, log, train_log, member):
    """One MLP (body + two heads); the epoch with the best dev macro F1 (basic) is kept, as numpy arrays."""
    import torch

    dim = x_train.shape[1]
    body = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(dim, hidden), torch.nn.GELU(),
                               torch.nn.Dropout(dropout))
    head_b, head_f = torch.nn.Linear(hidden, len(BASIC_LABELS)), torch.nn.Linear(hidden, len(GO_LABELS))
    params = [*body.parameters(), *head_b.parameters(), *head_f.parameters()]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    best = (-1.0, None, -1)
    n = len(x_train)
    for epoch in range(epochs):
        body.train()
        perm = torch.from_numpy(rng.permutation(n))
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            h = body(x_train[idx])
            lb = torch.log_softmax(head_b(h), 1)
            lf = torch.log_softmax(head_f(h), 1)
            loss = -(yb[idx] * lb).sum(1).mean()
            loss = loss - ((yf[idx] * lf).sum(1) * mf[idx]).sum() / mf[idx].sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
            if dry_run:
                return body, head_b, head_f, float(loss)
        sched.step()
        body.eval()
        with torch.no_grad():
            dev_logits = head_b(body(x_dev)).numpy()
        f1 = macro_f1(gold_dev, dev_logits.argmax(1), len(BASIC_LABELS))
        log(f"member {member + 1}, epoch {epoch + 1}/{epochs}: train loss {total / n:.4f}, dev macro F1 (basic) "
            f"{f1:.4f}")
        train_log.epoch(step=member * epochs + epoch + 1, epoch=epoch + 1, loss=total / n,
                        terms={"dev_macro_f1": f1, "member": member}, lr=sched.get_last_lr()[0], plot=False)
        if f1 > best[0]:
            best = (f1, {"w1": body[1].weight.detach().numpy().T.copy(), "b1": body[1].bias.detach().numpy().copy(),
                         "wb": head_b.weight.detach().numpy().T.copy(), "bb": head_b.bias.detach().numpy().copy(),
                         "wf": head_f.weight.detach().numpy().T.copy(), "bf": head_f.bias.detach().numpy().copy()},
                    epoch + 1)
    return {**best[1], "epoch": best[2], "dev_macro_f1": best[0]}


def _head(corpus, n: int):
    from dataclasses import replace

    return replace(corpus, texts=corpus.texts[:n], ids=corpus.ids[:n], basic=corpus.basic[:n],
                   fine=None if corpus.fine is None else corpus.fine[:n], raw_labels=corpus.raw_labels[:n])


def _distribution(multi_hot: np.ndarray) -> np.ndarray:
    s = multi_hot.sum(1, keepdims=True)
    return np.where(s > 0, multi_hot / np.maximum(s, 1), 0).astype(np.float32)


def train_text_emotion(data: str, output: str, *, corpora: tuple[str, ...] = ("goemotions",), seed: int = 0,
                       cache: str | None = None, epochs: int = 12, hidden: int = 256, dropout: float = 0.3,
                       lr: float = 1e-3, weight_decay: float = 1e-4, batch_size: int = 256,
                       layers: tuple[int, ...] = DEFAULT_LAYERS, encoder_path: str | None = None,
                       max_train_lines: int | None = None, ensemble: int = 3, decision_bias: bool = True,
                       fine_mix: float | None = None, ngram: bool = True, ngram_weight: float | None = None,
                       dry_run: bool = False, log=print) -> dict:
    """Train, calibrate on dev, write `{output}/text_emotion.safetensors` and `config.json` (settings, split
    digests, dev scores) plus train_log.jsonl and loss.png; return a record. `max_train_lines`: use only the
    first N lines of each corpus's train split (in file order). `fine_mix`: the fine head's weight in the
    family decision (None: the best of FINE_MIX_GRID on dev). `ngram`: train the lexical head; `ngram_weight`:
its weight (None: the best of NGRAM_WEIGHT_GRID on dev). `dry_run`: one optimiser step, write nothing."""
    import torch
    from safetensors.numpy import save

    if "goemotions" not in corpora:
        raise InvalidInputError("the fine head needs GoEmotions", hint="--corpora goemotions[,xed]")
    cache_dir = cache or str(Path(output) / "cache")
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # a small MLP: one thread is as fast and does not fight a busy machine
    rng = np.random.default_rng(seed)

    feats, basic, fine, has_fine, digests, texts = {}, {}, {}, {}, {}, {}
    for split in ("train", "dev"):
        xs, bs, fs, hf, ts = [], [], [], [], []
        for name in corpora:
            c = load_corpus(data, name, split)
            if split == "train" and max_train_lines is not None:
                c = _head(c, max_train_lines)
            digests[f"{name}/{split}"] = {"n": len(c.ids), "sha256": split_digest(c)}
            keep = c.has_basic()
            f = cached_features(c, cache_dir, encoder_path, log=lambda m, n=name, s=split: log(f"{n} {s}: {m}"))
            xs.append(f[keep][:, list(layers)].reshape(int(keep.sum()), -1))
            bs.append(_distribution(c.basic[keep]))
            fs.append(_distribution(c.fine[keep]) if c.fine is not None
                      else np.zeros((int(keep.sum()), len(GO_LABELS)), np.float32))
            hf.append(np.full(int(keep.sum()), c.fine is not None))
            ts += [t for t, k in zip(c.texts, keep, strict=True) if k]
        feats[split], basic[split] = np.concatenate(xs), np.concatenate(bs)
        fine[split], has_fine[split] = np.concatenate(fs), np.concatenate(hf)
        texts[split] = ts
    mean = feats["train"].mean(0)
    std = feats["train"].std(0) + 1e-4
    x_train = torch.from_numpy((feats["train"] - mean) / std)
    x_dev = torch.from_numpy((feats["dev"] - mean) / std)
    yb, yf = torch.from_numpy(basic["train"]), torch.from_numpy(fine["train"])
    mf = torch.from_numpy(has_fine["train"].astype(np.float32))

    from fxcli.train.training_log import TrainingLog, dry_run_report

    train_log = TrainingLog(output, enabled=not dry_run)
    gold_dev = np.argmax(basic["dev"], 1)  # dev macro F1 on the first-listed gold label's family
    members = []
    for member in range(ensemble):
        trained = _train_member(x_train, x_dev, yb, yf, mf, gold_dev, rng=rng, hidden=hidden, dropout=dropout,
                                lr=lr, weight_decay=weight_decay, batch_size=batch_size, epochs=epochs,
                                dry_run=dry_run, log=log, train_log=train_log, member=member)
        if dry_run:
            body, head_b, head_f, loss = trained
            return dry_run_report("text-emotion", device="cpu",
                                  modules={"body": body, "basic_head": head_b, "fine_head": head_f},
                                  step={"loss": loss}, train_lines=len(x_train), dev_lines=len(x_dev))
        members.append(trained)
    train_log.close()
    w1, b1, wb, bb, wf, bf = (merge_members(members)[k] for k in ("w1", "b1", "wb", "bb", "wf", "bf"))
    w1 = w1.astype(np.float16).astype(np.float32)  # shipped as float16: fit the rest to what ships

    def numpy_logits(x):
        from fxcli.text.minilm_lean import _gelu

        h = _gelu(((x - mean) / std) @ w1 + b1)
        return h @ wb + bb, h @ wf + bf

    from fxcli.text.emotion_model import log_softmax, mix_fine
    from fxcli.text.ngrams import bag_scores

    dev_head, dev_f = numpy_logits(feats["dev"])
    t_fine = fit_temperature(dev_f[has_fine["dev"]], fine["dev"][has_fine["dev"]])
    single = (basic["dev"] > 0).sum(1) == 1  # the offsets are fitted on lines with one gold family
    f1_plain = macro_f1(gold_dev, dev_head.argmax(1), len(BASIC_LABELS))
    heads = {None: None}  # L2 -> (weights as shipped (float16), bias, dev log-probabilities)
    if ngram:
        heads = {}
        for l2 in NGRAM_L2_GRID:
            nw, nb = train_ngram_head(texts["train"], basic["train"], buckets=NGRAM_BUCKETS, l2=l2)
            nw = nw.astype(np.float16)
            heads[l2] = (nw, nb, log_softmax(bag_scores(nw, nb, texts["dev"])))
            log(f"lexical head, L2 {l2:g}: dev macro F1 alone "
                f"{macro_f1(gold_dev, heads[l2][2].argmax(1), len(BASIC_LABELS)):.4f}")
    weights = (0.0,) if not ngram else NGRAM_WEIGHT_GRID if ngram_weight is None else (ngram_weight,)
    best = None
    for mix in (FINE_MIX_GRID if fine_mix is None else (fine_mix,)):
        mixed = mix_fine(dev_head, dev_f, mix, list(BASIC_LABELS), list(GO_LABELS))
        for l2, head in heads.items():
            for w in weights:
                if w == 0 and l2 != next(iter(heads)):
                    continue  # weight 0 is the same model for every L2
                dev_b = mixed if head is None or w == 0 else mixed + w * head[2]
                t_basic = fit_temperature(dev_b, basic["dev"])
                bias = fit_decision_bias(dev_b[single] / t_basic, gold_dev[single]) if decision_bias \
                    else np.zeros(len(BASIC_LABELS))
                f1 = macro_f1(gold_dev, (dev_b / t_basic + bias).argmax(1), len(BASIC_LABELS))
                log(f"fine-head weight {mix}, lexical head weight {w} (L2 {l2}): dev macro F1 {f1:.4f} "
                    f"(temperature {t_basic:.3f}, decision offsets)")
                if best is None or f1 > best[0] + 1e-9:
                    best = (f1, mix, l2, w, dev_b, t_basic, bias)
    f1, mix, l2, w, dev_b, t_basic, bias = best
    log(f"dev macro F1 (basic, every dev line by its first gold family): {f1_plain:.4f} ensemble of {len(members)}, "
        f"{f1:.4f} with fine-head weight {mix}, lexical head weight {w} (L2 {l2}) and the decision offsets")
    dev_probs = _softmax(dev_b / t_basic + bias)
    thresholds = fit_multilabel_thresholds(dev_probs, basic["dev"] > 0)
    threshold = fit_multilabel_threshold(dev_b / t_basic + bias, basic["dev"] > 0)
    best_epoch = [m["epoch"] for m in members]
    config = {"format": "fxe.text-emotion/v1", "layers": list(layers), "hidden": hidden, "dropout": dropout,
              "t_basic": round(t_basic, 4), "t_fine": round(t_fine, 4),
              "multilabel_threshold": round(threshold, 3), "basic_labels": list(BASIC_LABELS),
              "multilabel_thresholds": [round(float(x), 3) for x in thresholds],
              "decision_bias": [round(float(x), 2) for x in bias], "ensemble": ensemble, "fine_mix": mix,
              "fine_labels": list(GO_LABELS), **({"ngram": {"buckets": NGRAM_BUCKETS, "l2": l2, "weight": w,
                                                             "features": "word unigrams + bigrams, crc32"}}
                                                  if ngram and w > 0 else {}), "corpora": list(corpora), "seed": seed, "epochs": epochs,
              "best_epoch": best_epoch, "max_train_lines": max_train_lines, "lr": lr, "weight_decay": weight_decay, "batch_size": batch_size,
              "dev_macro_f1_basic": round(f1, 4), "dev_macro_f1_basic_without_bias": round(f1_plain, 4), "encoder": "all-MiniLM-L6-v2 (frozen)", "splits": digests}
    tensors = {"mean": mean.astype(np.float32), "std": std.astype(np.float32),
               "w1": w1.astype(np.float16), "b1": b1.astype(np.float32), "wb": wb.astype(np.float32),
               "bb": bb.astype(np.float32), "wf": wf.astype(np.float32), "bf": bf.astype(np.float32)}
    if ngram and w > 0:
        tensors.update(ngram_w=heads[l2][0], ngram_b=heads[l2][1].astype(np.float32))
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    from fxcli.io.atomic import write_bytes_atomic
    from fxcli.text.emotion_model import WEIGHTS_FILE

    blob = save({k: np.ascontiguousarray(v) for k, v in tensors.items()},
                metadata={"config": json.dumps(config, sort_keys=True)})
    write_bytes_atomic(out / WEIGHTS_FILE, blob)
    write_bytes_atomic(out / "config.json", (json.dumps(config, indent=1, sort_keys=True) + "\n").encode())
    sha = hashlib.sha256((out / WEIGHTS_FILE).read_bytes()).hexdigest()
    return {"output": str(out), "sha256": sha, **{k: config[k] for k in
            ("best_epoch", "dev_macro_f1_basic", "t_basic", "t_fine", "corpora", "seed", "fine_mix")},
            "ngram_weight": w}
