"""Every face in a photo: index, box, detector score, whether it counts (see fxcli.face.detect), preview sheet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREVIEW_MARGIN = 0.25  # of the box size, around each face's crop in the sheet


@dataclass
class FaceRow:
    index: int
    box: tuple[float, float, float, float]
    score: float
    stray: bool  # a low-score or tiny detection next to a clear face: it does not make the photo ambiguous

    def as_dict(self) -> dict:
        return {"index": self.index, "box": [round(v, 1) for v in self.box], "score": round(self.score, 3),
                "stray": self.stray}


def list_faces(image: np.ndarray) -> tuple[list, list[FaceRow]]:
    """(faces as detect_faces returns them, largest first; one row per face)."""
    from fxcli.face import detect_faces
    from fxcli.face.detect import distinct_faces

    faces = detect_faces(image)
    clear = {id(f) for f in distinct_faces(faces)}
    rows = [FaceRow(k, tuple(float(v) for v in f.box), float(f.score), id(f) not in clear)
            for k, f in enumerate(faces)]
    return faces, rows


def choose_face(faces: list, face_index: int | None, source: str, *, task: str = "use", hint: str | None = None):
    """The face to work on: the only clear one, or number `face_index`; several clear faces without an index is
    ambiguous (NoFaceError, exit 5). Strays (see fxcli.face.detect.distinct_faces) do not count.

    `task` names the work in the message ("edit", "stylize"); `hint` replaces the --face-index advice for a
    command without that option.
    """
    from fxcli.errors import NoFaceError
    from fxcli.face import select_face
    from fxcli.face.detect import distinct_faces

    clear = distinct_faces(faces)
    if face_index is None and len(clear) > 1:
        raise NoFaceError(f"{len(clear)} faces found in {source}; which one to {task} is ambiguous",
                          hint=hint or f"choose one with --face-index 0..{len(faces) - 1} (0 = largest; "
                                       "`fxe faces` lists them)")
    return select_face(faces, face_index, source=source)


def preview_sheet(image: np.ndarray, rows: list[FaceRow]):
    """A PIL image: the photo with numbered boxes, then a crop of each face labelled with index and score."""
    from PIL import Image, ImageDraw

    from fxcli.edit.contact_sheet import contact_sheet

    marked = Image.fromarray(image)
    draw = ImageDraw.Draw(marked)
    width = max(2, round(max(image.shape[:2]) / 250))
    for r in rows:
        colour = (160, 160, 160) if r.stray else (255, 40, 40)
        draw.rectangle(r.box, outline=colour, width=width)
        draw.text((r.box[0] + width + 1, r.box[1] + width + 1), str(r.index), fill=colour)
    images, labels = [np.asarray(marked)], [f"{len(rows)} face(s)"]
    h, w = image.shape[:2]
    for r in rows:
        x0, y0, x1, y1 = r.box
        mx, my = (x1 - x0) * PREVIEW_MARGIN, (y1 - y0) * PREVIEW_MARGIN
        cx0, cy0 = int(max(0, x0 - mx)), int(max(0, y0 - my))
        cx1, cy1 = int(min(w, x1 + mx)), int(min(h, y1 + my))
        crop = image[cy0:max(cy1, cy0 + 1), cx0:max(cx1, cx0 + 1)]
        images.append(crop)
        labels.append(f"#{r.index} score {r.score:.2f}" + (" stray" if r.stray else ""))
    return contact_sheet(images, labels)
