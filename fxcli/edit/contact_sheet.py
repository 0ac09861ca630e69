"""A contact sheet: the source and each output of a sweep side by side, labelled."""

from __future__ import annotations

import numpy as np

TILE = 256
LABEL_HEIGHT = 26
GAP = 4


def contact_sheet(images: list[np.ndarray], labels: list[str], *, tile: int = TILE, columns: int | None = None):
    """A PIL image: `images` (RGB uint8) as tiles `tile` px high, one label under each, on white."""
    from PIL import Image, ImageDraw, ImageFont

    if len(images) != len(labels) or not images:
        raise ValueError("contact_sheet needs one label per image and at least one image")
    tiles = []
    for img in images:
        h, w = img.shape[:2]
        tiles.append(Image.fromarray(img).resize((max(1, round(w * tile / h)), tile), Image.Resampling.LANCZOS))
    cell_w = max(t.width for t in tiles)
    columns = columns or min(len(tiles), 6)
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * (cell_w + GAP) + GAP, rows * (tile + LABEL_HEIGHT + GAP) + GAP), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=16)
    for k, (t, label) in enumerate(zip(tiles, labels, strict=True)):
        r, c = divmod(k, columns)
        x = GAP + c * (cell_w + GAP) + (cell_w - t.width) // 2
        y = GAP + r * (tile + LABEL_HEIGHT + GAP)
        sheet.paste(t, (x, y))
        width = draw.textlength(label, font=font)
        draw.text((GAP + c * (cell_w + GAP) + (cell_w - width) / 2, y + tile + 4), label, fill="black", font=font)
    return sheet
