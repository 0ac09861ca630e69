"""The scoring engine of `fxe score`: analyse each image once, score items, summarise per paper.

A per-item problem (unreadable image, no face) becomes an error record with its exit code; the other
items are still scored and the caller decides the process status.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fxcli.errors import FxeError, InvalidInputError, UsageError
from fxcli.metrics import ffe_bench, instructavatar
from fxcli.metrics.catalog import FULL_JUDGES
from fxcli.metrics.formulas import cosine, group_consistency, mean_or_none
from fxcli.metrics.gen_affect import expression_error, one_hot
from fxcli.metrics.score_inputs import ScoreItem


@dataclass
class Analysis:
    """Everything measured on one image, computed once however many items use it."""

    image: np.ndarray
    face: object
    probs: np.ndarray
    aus: dict[str, float]
    active: set[str]
    cache: dict = field(default_factory=dict)  # identity / full-judge embeddings, computed on demand


def parse_judges(specs: list[str]) -> dict[str, str | None]:
    """['clip', 'dino:/models/dinov2', 'arcface:buffalo_l'] -> {name: arg}; UsageError for unknown names."""
    out: dict[str, str | None] = {}
    for spec in specs:
        name, sep, arg = spec.partition(":")
        if name not in FULL_JUDGES:
            from fxcli.plugins import plugin_judges  # judges plugins add (contracts.Judge)

            if name not in plugin_judges():
                raise UsageError(f"unknown judge {name!r}",
                                 hint=f"choose from {', '.join([*FULL_JUDGES, *sorted(plugin_judges())])}")
        out[name] = arg if sep else None
    return out


class Scorer:
    """Loads the embedded judges, and the full judges named in `judges` (exit 4 if their weights are missing)."""

    def __init__(self, judges: dict[str, str | None] | None = None, *, face_index: int | None = None,
                 device: str = "cpu"):
        from fxcli.judges.expression import ExpressionJudge
        from fxcli.judges.identity import IdentityJudge

        self.face_index = face_index
        self.expression = ExpressionJudge()
        self.dlib = IdentityJudge()
        self.full: dict[str, object] = {}
        for name, arg in (judges or {}).items():
            self.full[name] = _load_full_judge(name, arg, device)
        self.identity_name = "arcface" if "arcface" in self.full else "dlib-face-recognition"
        self._analyses: dict[str, Analysis | FxeError] = {}
        self._texts: dict[str, np.ndarray] = {}

    # -- per image ---------------------------------------------------------------------------------
    def analyse(self, path: str) -> Analysis:
        cached = self._analyses.get(path)
        if cached is None:
            try:
                cached = self._analyse(path)
            except FxeError as exc:
                cached = exc
            self._analyses[path] = cached
        if isinstance(cached, FxeError):
            raise cached
        return cached

    def _analyse(self, path: str) -> Analysis:
        from fxcli.face import detect_faces, load_image, select_face
        from fxcli.judges.geometry import active_aus, au_proxies

        image = load_image(path)
        face = select_face(detect_faces(image), self.face_index, source=path)
        aus = au_proxies(face)
        return Analysis(image, face, self.expression.probs(image, face), aus, active_aus(aus))

    def identity(self, a: Analysis) -> np.ndarray:
        if "id" not in a.cache:
            judge = self.full.get("arcface", self.dlib)
            a.cache["id"] = judge.embed(a.image, a.face)
        return a.cache["id"]

    def image_embed(self, a: Analysis, judge: str) -> np.ndarray:
        if judge not in a.cache:
            a.cache[judge] = self.full[judge].image_embed(a.image)
        return a.cache[judge]

    def text_embed(self, text: str) -> np.ndarray:
        if text not in self._texts:
            self._texts[text] = self.full["clip"].text_embed(text)
        return self._texts[text]

    # -- per item ----------------------------------------------------------------------------------
    def score_item(self, item: ScoreItem) -> dict:
        """One output record; raises FxeError for a problem with this item's files."""
        if item.error:
            raise InvalidInputError(item.error)
        labels = self.expression.LABELS
        a = self.analyse(item.image)
        rec: dict = {"input": item.image, "status": "ok"}
        if item.source:
            rec["source"] = item.source
        rec["face"] = {"box": [round(float(v), 1) for v in a.face.box], "score": round(float(a.face.score), 4)}
        rec["expression"] = {"label": labels[int(np.argmax(a.probs))],
                             "probs": {lab: round(float(p), 4) for lab, p in zip(labels, a.probs, strict=True)}}
        rec["aus"] = {k: round(v, 4) for k, v in a.aus.items()}
        rec["active_aus"] = sorted(a.active, key=lambda s: int(s[2:]))
        if item.alpha is not None:
            rec["alpha"] = item.alpha
        if item.group:
            rec["group"] = item.group
        target = ffe_bench.canonical(item.expression) if item.expression else None
        if target:
            rec["target"] = target
            if target in labels:
                rec["target_score"] = round(float(a.probs[labels.index(target)]), 4)
                rec["correct"] = rec["expression"]["label"] == target
            emo = instructavatar.au_emo(a.active, target)
            if emo is not None:
                rec["au_emo"] = round(emo, 4)
        ref_probs = None
        if item.reference:
            r = self.analyse(item.reference)
            ref_probs = r.probs
            ref_aus = set(item.aus) if item.aus is not None else r.active
        else:
            ref_aus = set(item.aus) if item.aus is not None else None
            if target in labels:
                ref_probs = one_hot(target, labels)
        if ref_probs is not None:
            rec["expression_error"] = round(expression_error(a.probs, ref_probs), 4)
        if ref_aus is not None:
            tp, fp, fn = instructavatar.au_counts(a.active, ref_aus)
            rec["reference_aus"] = sorted(ref_aus)
            rec["au_counts"] = {"tp": tp, "fp": fp, "fn": fn}
        if item.source:
            s = self.analyse(item.source)
            rec["id_sim"] = round(cosine(self.identity(a), self.identity(s)), 4)
            if "arcface" not in self.full:
                d = self.dlib.distance(self.identity(a), self.identity(s))
                rec["id_distance"] = round(d, 4)
                rec["same_person"] = d < self.dlib.SAME_PERSON_DISTANCE
            if "target_score" in rec:
                rec["hes"] = round(ffe_bench.harmonic_mean(rec["target_score"], rec["id_sim"]), 4)
            for judge in ("dino", "clip"):
                if judge in self.full:
                    key = "dino" if judge == "dino" else "clip_i"
                    rec[key] = round(cosine(self.image_embed(a, judge), self.image_embed(s, judge)), 4)
            if "lpips" in self.full:
                rec["lpips"] = round(self.full["lpips"].distance(a.image, s.image), 4)
            for judge in (j for j in self.full if j not in FULL_JUDGES):  # plugin judges: embedding cosine
                rec[judge] = round(cosine(self.image_embed(a, judge), self.image_embed(s, judge)), 4)
        if item.text and "clip" in self.full:
            rec["text"] = item.text
            rec["clip"] = round(cosine(self.image_embed(a, "clip"), self.text_embed(item.text)), 4)
        return rec

    def score_all(self, items: list[ScoreItem], on_record: Callable[[dict], None] | None = None) -> list[dict]:
        records = []
        for item in items:
            try:
                rec = self.score_item(item)
            except FxeError as exc:
                rec = {"input": item.image or item.origin, "status": "error", "exit_code": exc.exit_code,
                       "error": str(exc)}
            records.append(rec)
            if on_record:
                on_record(rec)
        return records

    # -- summary -----------------------------------------------------------------------------------
    def summarize(self, items: list[ScoreItem], records: list[dict]) -> dict:
        ok = [(i, r) for i, r in zip(items, records, strict=True) if r["status"] == "ok"]
        labels = self.expression.LABELS
        tgt = [(r["target"], r["expression"]["label"]) for _, r in ok if "target" in r]
        targets, predicted = [t for t, _ in tgt], [p for _, p in tgt]
        sweeps = ffe_bench.group_sweeps([{**r, "source": i.source} for i, r in ok])
        skipped: dict[str, str] = {}

        def need(judge: str, metrics: list[str]) -> bool:
            if judge in self.full:
                return True
            for m in metrics:
                skipped[m] = f"needs --judge {judge}"
            return False

        acc6 = ffe_bench.accuracy(targets, predicted, ffe_bench.BASIC6, labels)
        acc12 = ffe_bench.accuracy(targets, predicted, ffe_bench.EXTENDED12, labels)
        ms = ffe_bench.mscr(targets, predicted)
        cls6 = ffe_bench.cls(sweeps, ffe_bench.BASIC6)
        cls12 = ffe_bench.cls(sweeps)
        id_sims = [r["id_sim"] for _, r in ok if "id_sim" in r]
        hes = ffe_bench.hes([r["target_score"] for _, r in ok if "hes" in r], [r["id_sim"] for _, r in ok if "hes" in r])
        ffe = {"acc_6": acc6["value"], "acc_6_n": acc6["n"], "acc_12": acc12["value"], "acc_12_n": acc12["n"],
               "acc_12_unjudged": acc12["unjudged"], "mscr": ms["value"], "bcr": ms["bcr"],
               "cls_6": cls6["value"], "cls_12": cls12["value"], "sweeps": cls12["sweeps"], "hes": hes,
               "id_sim": mean_or_none(id_sims)}

        # identity sets: items sharing a group (or a source); their own embeddings, not the source's
        sets: dict[str, list] = defaultdict(list)
        for i, _ in ok:
            key = i.group or i.source
            if key:
                sets[key].append(i.image)
        expr_err = mean_or_none([r.get("expression_error") for _, r in ok])
        id_cons = group_consistency({k: [self.identity(self.analyse(p)) for p in v] for k, v in sets.items()})
        gen_affect = {"expression_error": expr_err, "id": ffe["id_sim"], "id_consistency": id_cons}
        if need("clip", ["gen_affect.clip", "geneava.clip", "instructavatar.clip_s"]):
            gen_affect["clip"] = mean_or_none([r.get("clip") for _, r in ok])
        if need("dino", ["gen_affect.dino", "gen_affect.dino_consistency", "geneava.dino"]):
            gen_affect["dino"] = mean_or_none([r.get("dino") for _, r in ok])
            gen_affect["dino_consistency"] = group_consistency(
                {k: [self.image_embed(self.analyse(p), "dino") for p in v] for k, v in sets.items()})
        geneava = {"expression_error": expr_err}
        for key in ("clip", "dino"):
            if key in gen_affect:
                geneava[key] = gen_affect[key]
        if need("lpips", ["geneava.lpips"]):
            geneava["lpips"] = mean_or_none([r.get("lpips") for _, r in ok])

        au = instructavatar.au_prf([
            (set(r["active_aus"]), set(r["reference_aus"])) for _, r in ok if "reference_aus" in r])
        ia = {"au_precision": au["precision"], "au_recall": au["recall"], "au_f1": au["f1"], "au_n": au["n"],
              "au_emo": mean_or_none([r.get("au_emo") for _, r in ok])}
        if "clip" in self.full:
            clips: dict[str, list[float]] = defaultdict(list)
            for i, r in ok:
                if "clip" in r:
                    clips[i.group or i.text or ""].append(r["clip"])
            ia["clip_s"] = mean_or_none([instructavatar.clip_s(v) for v in clips.values()])
        failed = len(records) - len(ok)
        return {"summary": True, "items": len(records), "scored": len(ok), "failed": failed,
                "judges": {"expression": self.expression.name, "identity": self.identity_name,
                           "geometry": "facemesh-au-proxies", **{k: k for k in self.full if k != "arcface"}},
                "ffe_bench": _rounded(ffe), "gen_affect": _rounded(gen_affect), "geneava": _rounded(geneava),
                "instructavatar": _rounded(ia), "skipped": skipped}


def _rounded(d: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else _rounded(v) if isinstance(v, dict) else v)
            for k, v in d.items()}


def _load_full_judge(name: str, arg: str | None, device: str):
    if name not in FULL_JUDGES:  # a plugin's judge
        from fxcli.contracts import Judge, check
        from fxcli.plugins import load_judge

        return check(load_judge(name, arg, device=device), Judge, f"judge {name!r}")
    if name == "arcface":
        from fxcli.judges.arcface import ArcFaceJudge

        return ArcFaceJudge(arg, device=device)
    if name == "clip":
        from fxcli.judges.image_features import ClipJudge

        return ClipJudge(arg, device=device)
    if name == "dino":
        from fxcli.judges.image_features import DinoJudge

        return DinoJudge(arg, device=device)
    from fxcli.judges.lpips import LpipsJudge

    return LpipsJudge(arg, device=device)
