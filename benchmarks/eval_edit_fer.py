"""What the FER judge and the identity judge say about the embedded editor's basic-expression edits.

    python3 benchmarks/eval_edit_fer.py                       # all six basic expressions, 8-portrait sweeps
    python3 benchmarks/eval_edit_fer.py -e angry -e fear --sweep-portraits 0
    python3 benchmarks/eval_edit_fer.py --sheet /tmp/edit_demo/sheet.png

For every shared portrait with a detectable face and every basic expression: how often the judge labels
the source and the alpha-1 edit as the target, the mean target probability of both, and the identity
similarity (dlib judge) of the edit to its source (mean and min). Then an alpha sweep 0..1.5 (step 0.25)
on the first N portraits per expression, scored with FFE-Bench's CLS (fxcli.metrics.ffe_bench.cls: mean
Pearson(alpha, target probability) over the sweeps), and the mean target probability at each alpha.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
PORTRAITS = REPO / "tests" / "data" / "portraits"
# edit name -> the judge's label
TARGETS = {"happy": "happy", "sad": "sad", "surprised": "surprise", "angry": "angry", "fear": "fear",
           "disgust": "disgust"}
SWEEP = tuple(np.round(np.arange(0.0, 1.5001, 0.25), 2))
# A sweep counts as rising monotonically when, along the alpha grid above, no judged target probability
# falls more than MONO_TOLERANCE below the highest one before it (the judge's noise on a 64x64 crop is
# about that) and the last one is above the first.
MONO_TOLERANCE = 0.05


def monotone(curve: list[float], tolerance: float = MONO_TOLERANCE) -> bool:
    """Non-decreasing within `tolerance` of the running maximum, ending higher than it starts."""
    p = np.asarray(curve, np.float64)
    return bool(len(p) > 1 and (p >= np.maximum.accumulate(p) - tolerance).all() and p[-1] > p[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-e", "--expression", action="append", choices=list(TARGETS), help="repeatable; default all six")
    ap.add_argument("--sweep-portraits", type=int, default=8, help="portraits swept per expression (0: no sweep)")
    ap.add_argument("--sheet", help="write a contact sheet (4 portraits x the expressions at alpha 1) here")
    args = ap.parse_args()
    exprs = args.expression or list(TARGETS)

    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import detect_faces, load_image
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.judges.identity import IdentityJudge, similarity
    from fxcli.metrics import ffe_bench

    editor, fer, ident = EmbeddedEditor(), ExpressionJudge(), IdentityJudge()
    sources = []
    for path in sorted(PORTRAITS.glob("*.jpg")):
        image = load_image(str(path))
        faces = detect_faces(image)
        if faces:
            sources.append((path.stem, image, faces[0]))

    def judge(image: np.ndarray):
        found = detect_faces(image)
        return (fer.probs(image, found[0]), found[0]) if found else (None, None)

    print(f"{len(sources)} portraits with a face; alpha 1 edits: labelled as target (source -> edit), "
          f"mean target probability, identity similarity to the source")
    sheet_rows: dict[str, list[np.ndarray]] = {}
    totals = {"hits": 0, "edits": 0, "src_hits": 0, "mono": 0, "mono_loose": 0, "sweeps": 0, "cls": []}
    for expr in exprs:
        k = fer.LABELS.index(TARGETS[expr])
        n_src = n_edit = 0
        p_src, p_edit, ids, labels = [], [], [], []
        sweeps: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for i, (name, image, face) in enumerate(sources):
            p0 = fer.probs(image, face)
            n_src += int(np.argmax(p0) == k)
            p_src.append(p0[k])
            out = editor.edit(image, [(expr, 1.0)], seed=0, face=face)
            if i < 4:
                sheet_rows.setdefault(name, [image]).append(out)
            p, of = judge(out)
            if p is None:
                labels.append("no face")
                continue
            n_edit += int(np.argmax(p) == k)
            labels.append(fer.LABELS[int(np.argmax(p))])
            p_edit.append(p[k])
            ids.append(similarity(ident.embed(image, face), ident.embed(out, of)))
            if i < args.sweep_portraits:
                curve = []
                for a in SWEEP:
                    pa = judge(editor.edit(image, [(expr, float(a))], seed=0, face=face))[0]
                    if pa is not None:
                        curve.append((float(a), float(pa[k])))
                sweeps[(name, TARGETS[expr])] = curve
        counts = {lab: labels.count(lab) for lab in sorted(set(labels), key=labels.count, reverse=True)}
        line = (f"  {expr:9s} {n_src:2d} -> {n_edit:2d} of {len(sources)}   p {np.mean(p_src):.3f} -> "
                f"{np.mean(p_edit):.3f}   id-sim mean {np.mean(ids):.3f} min {np.min(ids):.3f}   labels {counts}")
        if sweeps:
            cls = ffe_bench.cls(sweeps)
            by_alpha = {a: np.mean([s for c in sweeps.values() for b, s in c if b == a]) for a in SWEEP}
            steps = [np.diff([p for _, p in c]) for c in sweeps.values() if len(c) == len(SWEEP)]
            strict = sum(bool((d >= 0).all()) for d in steps)
            loose = sum(monotone([p for _, p in c]) for c in sweeps.values() if len(c) == len(SWEEP))
            line += (f"\n            CLS {cls['value']:.3f} over {cls['sweeps']} sweeps; rising monotonically "
                     f"(within {MONO_TOLERANCE}) on {loose}/{len(steps)} (strictly: {strict}); mean p(target) "
                     + " ".join(f"{a:g}:{v:.3f}" for a, v in by_alpha.items()))
            totals["mono"] += strict
            totals["mono_loose"] += loose
            totals["sweeps"] += len(steps)
            totals["cls"].append(cls["value"])
        print(line, flush=True)
        totals["hits"] += n_edit
        totals["src_hits"] += n_src
        totals["edits"] += len(sources)
    print(f"all: the judge names the target on {totals['hits']}/{totals['edits']} edits "
          f"({totals['hits'] / max(totals['edits'], 1):.1%}; sources already showing it: {totals['src_hits']})")
    if totals["sweeps"]:
        print(f"CLS-{len(exprs)} {np.mean(totals['cls']):.3f}; sweeps rising monotonically (within "
              f"{MONO_TOLERANCE}) {totals['mono_loose']}/{totals['sweeps']} "
              f"({totals['mono_loose'] / totals['sweeps']:.0%}; strictly {totals['mono']}/{totals['sweeps']})")
    if args.sheet:
        from fxcli.edit.contact_sheet import contact_sheet

        images = [im for row in sheet_rows.values() for im in row]
        captions = [f"{n} {lab}" for n in sheet_rows for lab in ["source"] + [f"{e} a=1" for e in exprs]]
        Path(args.sheet).parent.mkdir(parents=True, exist_ok=True)
        contact_sheet(images, captions, columns=len(exprs) + 1).save(args.sheet)
        print(f"contact sheet: {args.sheet}")


if __name__ == "__main__":
    main()
