"""Evaluation: `fxe stylize` on the CC0 test portraits, and the identity fit behind `--identity-from`.

    python3 benchmarks/eval_stylize.py [--portraits tests/data/portraits] [--limit 12] [--keep DIR]

For each portrait with a face and each embedded style: does FaceMesh find the face in the output, is the
FER judge's top-1 label the same as on the photo (expression preservation), and the dlib identity
cosine between photo and output (identity similarity; the embedded judge: a cartoon is far from the
photos it was trained on, so compare styles with each other rather than with the 0.6-distance rule).
Also the landmark fit residual (RMS px, and over the eye-corner distance) of the ICT fit.
Prints one JSON object per style and a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from fxcli.backends.stylize_embedded import EmbeddedStylizer
    from fxcli.face import detect_faces, load_image
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.judges.identity import IdentityJudge, similarity

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portraits", default=str(Path(__file__).resolve().parent.parent / "tests/data/portraits"))
    ap.add_argument("--limit", type=int, default=12)
    ap.add_argument("--keep", metavar="DIR", help="keep the stylized images here")
    args = ap.parse_args()
    keep = args.keep or tempfile.mkdtemp(prefix="fxe-eval-stylize-")
    os.makedirs(keep, exist_ok=True)
    fer, ident = ExpressionJudge(), IdentityJudge()
    st = EmbeddedStylizer()
    styles = list(st.styles)
    per = {s: {"found": 0, "same_fer": 0, "id_sims": []} for s in styles}
    fits, n = [], 0
    for path in sorted(Path(args.portraits).glob("*.jpg")):
        if n >= args.limit:
            break
        image = load_image(str(path))
        faces = detect_faces(image)
        if not faces:
            continue
        n += 1
        face = faces[0]
        label = fer.label(fer.probs(image, face))
        emb = ident.embed(image, face)
        for s in styles:
            out = st.stylize(image, s, face=face, seed=0, size=(image.shape[1], image.shape[0]), source=str(path))
            if s == "avatar":
                fits.append((st.last_info["fit_residual_px"], st.last_info["fit_residual_iod"]))
            from PIL import Image

            Image.fromarray(out).save(os.path.join(keep, f"{path.stem}_{s}.png"))
            got = detect_faces(out)
            if not got:
                continue
            per[s]["found"] += 1
            per[s]["same_fer"] += fer.label(fer.probs(out, got[0])) == label
            per[s]["id_sims"].append(similarity(emb, ident.embed(out, got[0])))
    for s in styles:
        p = per[s]
        print(json.dumps({"style": s, "portraits": n, "face_found": p["found"],
                          "fer_top1_preserved": round(p["same_fer"] / max(p["found"], 1), 3),
                          "fer_top1_preserved_of_all": round(p["same_fer"] / max(n, 1), 3),
                          "id_similarity_mean": round(float(np.mean(p["id_sims"])), 4) if p["id_sims"] else None,
                          "id_similarity_min": round(float(np.min(p["id_sims"])), 4) if p["id_sims"] else None}))
    px, iod = np.array(fits).T if fits else (np.zeros(0), np.zeros(0))
    print(json.dumps({"summary": True, "portraits": n, "images_kept_in": keep,
                      "fit_residual_px_median": round(float(np.median(px)), 3) if len(px) else None,
                      "fit_residual_px_max": round(float(np.max(px)), 3) if len(px) else None,
                      "fit_residual_iod_median": round(float(np.median(iod)), 4) if len(iod) else None,
                      "fit_residual_iod_max": round(float(np.max(iod)), 4) if len(iod) else None}))


if __name__ == "__main__":
    main()
