"""The `edit` and `blend` procedures: read the portrait, pick the face, run the editor, write and check outputs.

An editor (a backend) has `name`, `model_id`, `model_hash` and
    edit(image, terms: [(expression, weight)], *, seed, face) -> RGB uint8 image
    map_point(shape, xy) -> where a source pixel lands in the output (for finding the face again)

Sweeps resume, and cannot lie: every output records what made it (the source photo's contents, the
expression, alpha, face and seed, the model id and hash, the fxe version; fxcli.io.record). A rerun keeps an
output only when its record matches, so a sweep interrupted by Ctrl-C continues where it stopped, and one
rerun after the photo (or anything else) changed makes the outputs again and says why. `force` makes
everything again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.edit.alpha_spec import format_alpha, parse_alphas
from fxcli.edit.identity_guard import IdentityGuard, check_min_similarity
from fxcli.edit.output_names import plan_blend_output, plan_outputs
from fxcli.errors import NoFaceError
from fxcli.io import record

Report = Callable[[str], None]


@dataclass
class EditOutcome:
    paths: list[str] = field(default_factory=list)
    similarities: list[float | None] = field(default_factory=list)
    reused: int = 0
    sheet: str | None = None
    index: str | None = None


def choose_face(faces: list, face_index: int | None, source: str):
    """The face to edit: the only one, or number `face_index`; several faces without an index is ambiguous."""
    from fxcli.face import select_face
    from fxcli.face.detect import distinct_faces

    clear = distinct_faces(faces)
    if face_index is None and len(clear) > 1:
        raise NoFaceError(f"{len(clear)} faces found in {source}; which one to edit is ambiguous",
                          hint=f"choose one with --face-index 0..{len(faces) - 1} (0 = largest; `fxe faces` lists "
                               "them) or use --all-faces")
    return select_face(faces, face_index, source=source)


def _kept(path: str, made_from: dict[str, Any], force: bool) -> tuple[dict[str, Any] | None, str | None]:
    """(stored provenance of `path`, None) when it may be kept; else (None, why it is made again)."""
    from fxcli.provenance import read_provenance

    if path == "-":
        return None, None
    if force:
        return None, "--force" if Path(path).exists() else None
    why = record.why_redo_output(path, record.EDIT_KEY, made_from)
    if why is not None:
        return None, None if why == "missing" else why
    from fxcli.io.atomic import reading_outputs

    try:
        with reading_outputs():
            return read_provenance(path)[0], None
    except Exception:  # noqa: BLE001 - an unreadable old output is simply made again
        return None, "unreadable"


# zlib level of the PNG outputs: level 1 encodes a 500 x 500 edit ~3x faster than PIL's default 6 (0.03 s
# against 0.1 s of CPU, a fifth of a --jobs image) for a file ~4 % larger
PNG_COMPRESS_LEVEL = 1


def _save(image: np.ndarray, path: str, meta: dict[str, Any]) -> None:
    from PIL import Image

    from fxcli.provenance import png_info, save_image

    pil = Image.fromarray(image)
    if path == "-":
        import io

        buf = io.BytesIO()
        pil.save(buf, format="PNG", pnginfo=png_info(meta), compress_level=PNG_COMPRESS_LEVEL)
        sys.stdout.buffer.write(buf.getvalue())
        sys.stdout.flush()
        return
    if Path(path).suffix.lower() == ".png":  # as provenance.save_image, with the faster compression
        from fxcli.io.atomic import atomic_path

        with atomic_path(path) as tmp:
            pil.save(tmp, format="PNG", pnginfo=png_info(meta), compress_level=PNG_COMPRESS_LEVEL)
        return
    save_image(pil, path, meta)


class _Session:
    """One source portrait: the image, its face(s), and (when identity is checked) its identity descriptor."""

    def __init__(self, editor, source: str, face_index: int | None, *, all_faces: bool = False,
                 check_identity: bool = True):
        from fxcli.face import detect_faces, load_image
        from fxcli.face.detect import distinct_faces

        self.editor, self.source, self.face_index = editor, source, face_index
        self.image = load_image(source)
        found = detect_faces(self.image)
        self.face = choose_face(found, 0 if all_faces else face_index, source)
        self.faces = distinct_faces(found) if all_faces else [self.face]
        self.guard = IdentityGuard() if check_identity else None
        self.embedding = self.guard.embed(self.image, self.face) if self.guard else None
        centre = self.face.landmarks[:, :2].mean(0)
        self.centre_out = np.asarray(editor.map_point(self.image.shape, centre), np.float64)

    def make(self, terms: list[tuple[str, float]], path: str, meta: dict[str, Any], seed: int,
             min_id_sim: float | None, report: Report, label: str, force: bool = False) -> tuple[float | None, bool]:
        """Write one output (or keep one made the same way); (identity similarity, reused?)."""
        old, why = _kept(path, meta[record.EDIT_KEY], force)
        if old is not None:
            sim = old.get("identity_similarity")
            report(f"{label}: {path} made the same way, kept{_fmt(sim, '; ')}")
            record.count_output(kept=True)
            return sim, True
        if why:
            report(f"{label}: {path} made again ({why})")
        record.count_output(kept=False)
        out = self.image
        for face in self.faces:  # each face's warp stays inside its own ring: the edits do not interfere
            out = self.editor.edit(out, terms, seed=seed, face=face)
            note = getattr(self.editor, "last_note", None)
            if note:
                report(f"{label}: {note}")
        sim = None
        if self.guard is not None:
            sim = self.guard.similarity(self.embedding, out, self.centre_out)
            lost = sim is None
        else:
            from fxcli.face import detect_faces

            # the frame kept: FaceMesh's test where the face was first (cheap), a full search only if that fails
            kept = out.shape == self.image.shape and np.allclose(self.centre_out, self.face.landmarks[:, :2].mean(0))
            lost = not (kept and all(face_still_shown(out, face) for face in self.faces)) and not detect_faces(out)
        if lost:
            raise NoFaceError(f"{label}: the edited image of {self.source} no longer shows a face; not written",
                              hint="lower alpha, or check that nothing covers the face")
        if min_id_sim is not None and (sim is None or sim < min_id_sim):
            report(f"{label}: identity {'not measured' if sim is None else f'{sim:.3f}'} below --min-id-sim "
                   f"{min_id_sim:g}, not written")
            return sim, False
        _save(out, path, {**meta, "identity_similarity": sim})
        report(f"{label}: {path if path != '-' else 'stdout'}{_fmt(sim, ' ')}")
        return sim, False


def face_still_shown(image: np.ndarray, face) -> bool:
    """Whether FaceMesh still accepts a face where `face` was detected (the warp keeps the frame): the test
    detect_faces applies to each detection, without searching the whole image again."""
    from fxcli.face.detect import MIN_PRESENCE
    from fxcli.face.facemesh import fit_landmarks

    return fit_landmarks(image, face.box, face.keypoints)[1] >= MIN_PRESENCE


def _fmt(sim: float | None, lead: str) -> str:
    """' identity 0.973' after `lead`, or nothing when the identity was not measured (--identity off)."""
    return "" if sim is None else f"{lead}identity {sim:.3f}"


def _meta(command: str, editor, seed: int, params: dict[str, Any]) -> dict[str, Any]:
    """Provenance of one output, with the record its resume checks (source contents, options, model, version)."""
    from fxcli.provenance import make_meta

    model_hash = getattr(editor, "model_hash", None)
    made_from = record.make_record(inputs=[params["source"]], options={"command": command, "seed": seed, **params},
                                   model=editor.model_id, model_hash=model_hash)
    return make_meta(command, model=editor.model_id, model_hash=model_hash, seed=seed, params=params,
                     **{record.EDIT_KEY: made_from})


def _prepare(source: str, paths: list[str]) -> None:
    """Before any work: no output may be the source photo or a folder; parent folders are created."""
    from fxcli.io.atomic import note_input, prepare_outputs

    if source != "-":
        note_input(source)
    prepare_outputs(paths)


def run_edit(editor, *, source: str, expression: str, alpha: str, output: str | None, face_index: int | None = None,
             seed: int = 0, min_id_sim: float | None = None, report: Report = lambda _: None,
             force: bool = False, all_faces: bool = False, identity: bool = False) -> EditOutcome:
    """Edit `source` toward `expression` at every alpha of the `alpha` spec; write images, sheet and index."""
    alphas = parse_alphas(alpha)
    plan = plan_outputs(source, output, expression, alphas)
    _prepare(source, plan.all_paths())
    session = _Session(editor, source, face_index, all_faces=all_faces,
                       check_identity=identity or min_id_sim is not None)
    outcome = EditOutcome()
    results = []
    for a, path in zip(alphas, plan.files, strict=True):
        meta = _meta("edit", editor, seed, {"source": source, "expression": expression, "alpha": a,
                                            "face_index": face_index, **({"all_faces": True} if all_faces else {})})
        sim, reused = session.make([(expression, a)], path, meta, seed, min_id_sim, report,
                                   f"alpha {format_alpha(a)}", force)
        outcome.paths.append(path)
        outcome.similarities.append(sim)
        outcome.reused += reused
        results.append((f"alpha {format_alpha(a)}", sim))
    check_min_similarity(results, min_id_sim)
    if plan.sheet and plan.index:
        _write_sweep_extras(session, editor, expression, alphas, plan, outcome, seed, report)
    return outcome


def _write_sweep_extras(session: _Session, editor, expression: str, alphas: list[float], plan, outcome: EditOutcome,
                        seed: int, report: Report) -> None:
    from fxcli.edit.contact_sheet import contact_sheet
    from fxcli.edit.sweep_index import sweep_index, write_sweep_index
    from fxcli.face import load_image
    from fxcli.io.atomic import reading_outputs
    from fxcli.provenance import make_meta, save_image

    with reading_outputs():
        images = [session.image] + [load_image(p) for p in plan.files]
    labels = ["source"] + [f"a={format_alpha(a)}" + (f"  id {s:.3f}" if s is not None else "")
                           for a, s in zip(alphas, outcome.similarities, strict=True)]
    sheet = contact_sheet(images, labels)
    save_image(sheet, plan.sheet, make_meta("edit", model=editor.model_id, seed=seed,
                                            params={"source": session.source, "expression": expression,
                                                    "alphas": alphas, "contact_sheet": True}))
    items = [{"alpha": a, "path": p, "identity_similarity": s}
             for a, p, s in zip(alphas, plan.files, outcome.similarities, strict=True)]
    write_sweep_index(sweep_index(session.source, expression, editor.model_id, seed, session.face_index, items,
                                  plan.index), plan.index)
    outcome.sheet, outcome.index = plan.sheet, plan.index
    report(f"contact sheet {plan.sheet}; index {plan.index}")


def run_blend(editor, *, source: str, terms: list[tuple[str, float]], output: str | None,
              face_index: int | None = None, seed: int = 0, min_id_sim: float | None = None,
              report: Report = lambda _: None, force: bool = False, all_faces: bool = False,
              identity: bool = False) -> EditOutcome:
    """Edit `source` toward the sum of the terms' directions, each scaled by its weight; write one image."""
    path = plan_blend_output(source, output, terms)
    _prepare(source, [path])
    session = _Session(editor, source, face_index, all_faces=all_faces,
                       check_identity=identity or min_id_sim is not None)
    meta = _meta("blend", editor, seed, {"source": source, "terms": [[n, w] for n, w in terms],
                                         "face_index": face_index, **({"all_faces": True} if all_faces else {})})
    label = "blend " + " + ".join(f"{n}:{format_alpha(w)}" for n, w in terms)
    sim, reused = session.make(terms, path, meta, seed, min_id_sim, report, label, force)
    check_min_similarity([(label, sim)], min_id_sim)
    return EditOutcome([path], [sim], int(reused))
