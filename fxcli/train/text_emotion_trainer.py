"""`fxe train text-emotion`: the text -> emotion classifier of the embedded text2flame.

Frozen MiniLM features (fxcli.train.text_emotion_data) -> standardise -> one hidden layer (GELU,
dropout) -> a basic head (7 families) and a fine head (GoEmotions' 28 categories). Targets are the gold
label sets as distributions (a line with two labels counts half for each); the loss is soft cross-entropy,
the fine head learns from GoEmotions lines only. Training uses the train splits only; the epoch with the
best dev macro F1 (basic) is kept, then one temperature per head is fitted on dev (NLL, grid search) so
the probabilities are calibrated. Test splits are never read here. Everything random comes from --seed.
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
                       max_train_lines: int | None = None, dry_run: bool = False, log=print) -> dict:
    """Train, calibrate on dev, write `{output}/text_emotion.safetensors` and `config.json` (settings, split
    digests, dev scores) plus train_log.jsonl and loss.png; return a record. `max_train_lines`: use only the
    first N lines of each corpus's train split (in file order). `dry_run`: one optimiser step, write nothing."""
    import torch
    from safetensors.numpy import save

    if "goemotions" not in corpora:
        raise InvalidInputError("the fine head needs GoEmotions", hint="--corpora goemotions[,xed]")
    cache_dir = cache or str(Path(output) / "cache")
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # a small MLP: one thread is as fast and does not fight a busy machine
    rng = np.random.default_rng(seed)

    feats, basic, fine, has_fine, digests = {}, {}, {}, {}, {}
    for split in ("train", "dev"):
        xs, bs, fs, hf = [], [], [], []
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
        feats[split], basic[split] = np.concatenate(xs), np.concatenate(bs)
        fine[split], has_fine[split] = np.concatenate(fs), np.concatenate(hf)
    mean = feats["train"].mean(0)
    std = feats["train"].std(0) + 1e-4
    x_train = torch.from_numpy((feats["train"] - mean) / std)
    x_dev = torch.from_numpy((feats["dev"] - mean) / std)
    yb, yf = torch.from_numpy(basic["train"]), torch.from_numpy(fine["train"])
    mf = torch.from_numpy(has_fine["train"].astype(np.float32))

    dim = x_train.shape[1]
    body = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(dim, hidden), torch.nn.GELU(),
                               torch.nn.Dropout(dropout))
    head_b, head_f = torch.nn.Linear(hidden, len(BASIC_LABELS)), torch.nn.Linear(hidden, len(GO_LABELS))
    params = [*body.parameters(), *head_b.parameters(), *head_f.parameters()]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    from fxcli.train.training_log import TrainingLog, dry_run_report

    train_log = TrainingLog(output, enabled=not dry_run)
    gold_dev = np.argmax(basic["dev"], 1)  # dev macro F1 on the first-listed gold label's family
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
                return dry_run_report("text-emotion", device="cpu",
                                      modules={"body": body, "basic_head": head_b, "fine_head": head_f},
                                      step={"loss": float(loss)}, train_lines=n, dev_lines=len(x_dev))
        sched.step()
        body.eval()
        with torch.no_grad():
            dev_logits = head_b(body(x_dev)).numpy()
        f1 = macro_f1(gold_dev, dev_logits.argmax(1), len(BASIC_LABELS))
        log(f"epoch {epoch + 1}/{epochs}: train loss {total / n:.4f}, dev macro F1 (basic) {f1:.4f}")
        train_log.epoch(step=(epoch + 1) * ((n + batch_size - 1) // batch_size), epoch=epoch + 1, loss=total / n,
                        terms={"dev_macro_f1": f1}, lr=sched.get_last_lr()[0], plot=False)
        if f1 > best[0]:
            state = {k: v.detach().clone() for k, v in
                     {**{f"body.{k}": v for k, v in body.state_dict().items()},
                      **{f"b.{k}": v for k, v in head_b.state_dict().items()},
                      **{f"f.{k}": v for k, v in head_f.state_dict().items()}}.items()}
            best = (f1, state, epoch + 1)
    train_log.close()
    f1, state, best_epoch = best
    w1, b1 = state["body.1.weight"].numpy().T, state["body.1.bias"].numpy()
    wb, bb = state["b.weight"].numpy().T, state["b.bias"].numpy()
    wf, bf = state["f.weight"].numpy().T, state["f.bias"].numpy()

    def numpy_logits(x):
        from fxcli.text.minilm_lean import _gelu

        h = _gelu(((x - mean) / std) @ w1 + b1)
        return h @ wb + bb, h @ wf + bf

    dev_b, dev_f = numpy_logits(feats["dev"])
    t_basic = fit_temperature(dev_b, basic["dev"])
    t_fine = fit_temperature(dev_f[has_fine["dev"]], fine["dev"][has_fine["dev"]])
    threshold = fit_multilabel_threshold(dev_b / t_basic, basic["dev"] > 0)
    config = {"format": "fxe.text-emotion/v1", "layers": list(layers), "hidden": hidden, "dropout": dropout,
              "t_basic": round(t_basic, 4), "t_fine": round(t_fine, 4),
              "multilabel_threshold": round(threshold, 3), "basic_labels": list(BASIC_LABELS),
              "fine_labels": list(GO_LABELS), "corpora": list(corpora), "seed": seed, "epochs": epochs,
              "best_epoch": best_epoch, "max_train_lines": max_train_lines, "lr": lr, "weight_decay": weight_decay, "batch_size": batch_size,
              "dev_macro_f1_basic": round(f1, 4), "encoder": "all-MiniLM-L6-v2 (frozen)", "splits": digests}
    tensors = {"mean": mean.astype(np.float32), "std": std.astype(np.float32),
               "w1": w1.astype(np.float16), "b1": b1.astype(np.float32), "wb": wb.astype(np.float32),
               "bb": bb.astype(np.float32), "wf": wf.astype(np.float32), "bf": bf.astype(np.float32)}
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
            ("best_epoch", "dev_macro_f1_basic", "t_basic", "t_fine", "corpora", "seed")}}
