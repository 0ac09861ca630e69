"""Reading photos for the face tools: RGB uint8 arrays, with precise errors for bad files."""

from __future__ import annotations

import io

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.io.inputs import read_bytes

MIN_SIDE = 32  # below this no detector finds a face; say so instead of "no face"


def _as_rgb8(img) -> np.ndarray:
    """RGB uint8 of a Pillow image. Pillow's own conversion clips a 16-bit or 32-bit grey image (mode I;16, I)
    at 255 instead of scaling it, which left a 16-bit PNG nearly white (no face found); those are scaled
    from 0..65535 (from 0..255 when no value exceeds it: 8-bit values stored wide), and a floating-point one
    (mode F) from 0..1 when it stays within it, else 0..255."""
    if img.mode.startswith("I") or img.mode == "F":
        grey = np.asarray(img, dtype=np.float64)
        if not np.isfinite(grey).all():
            raise ValueError("non-finite pixel values")
        if img.mode == "F":
            top = 1.0 if grey.size and grey.min() >= 0.0 and grey.max() <= 1.0 else 255.0
        else:
            top = 65535.0 if grey.size and grey.max() > 255.0 else 255.0
        grey = np.clip(np.round(grey * (255.0 / top)), 0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def load_image(path: str) -> np.ndarray:
    """Read an image file (or '-' for stdin) as RGB uint8 H×W×3, honouring the EXIF orientation.

    Raises InvalidInputError (exit 3) for a missing or empty file, a file that is not an image (whatever
    its suffix says), a truncated or corrupt image, or one smaller than 32 px on a side.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = read_bytes(path)
    name = "stdin" if path == "-" else path
    import warnings

    try:
        with warnings.catch_warnings():
            # 89-179 Mpx photos (108 Mpx phone cameras) are fine; larger ones fail below as too large
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        with img:
            img.load()  # decodes everything now: a truncated file fails here, not later
            img = ImageOps.exif_transpose(img)
            rgb = _as_rgb8(img)
    except UnidentifiedImageError:
        raise InvalidInputError(f"{name}: not an image file (not a format Pillow can read)",
                                hint="give a PNG, JPEG, WebP or other photo") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInputError(f"{name}: corrupt or truncated image ({exc})") from None
    except Image.DecompressionBombError as exc:
        raise InvalidInputError(f"{name}: image too large ({exc})") from None
    h, w = rgb.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InvalidInputError(f"{name}: image is {w}x{h} px, too small for face analysis "
                                f"(at least {MIN_SIDE} px a side)")
    return np.ascontiguousarray(rgb)
