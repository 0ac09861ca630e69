"""Avatar colours: skin, iris, lip, brow and hair (or head cover), drawn from realistic ranges.

Skin tones are drawn uniformly along the Monk Skin Tone scale (10 tones from lightest to darkest, Google,
CC-BY-4.0), interpolating between neighbouring tones, so a set of avatars covers the whole range evenly.
Iris colour, hair colour and how often hair is light depend on the skin tone the way their world
frequencies do (brown eyes and dark hair dominate; blue/green eyes and blond hair appear mostly with
the lighter tones). Lips are the skin tone pulled toward a red-brown; brows are the hair colour,
darkened. Light skin is drawn a little rosier than the scale's paint chips (lit skin has blood under
it; the chips' palest tones alone read as yellow cream) and the darkest a little lighter and warmer (as
a photo exposed for the face shows them; at chip value the features sink into near-black under toon shading).

Hair style (each identity, seeded): short (a cap over the scalp), long (a curtain falling past the
jaw), volume (a thick rounded shell, as afro-textured hair), bun (hair drawn back into a bun), bald, or a
plain head cover (about one in seven). Brows are thinner with long hair and buns; short, volume, bald
and covered heads may have facial hair (stubble, moustache or beard, as colour on the skin).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fxcli.errors import InvalidInputError

MONK_SCALE = ("f6ede4", "f3e7db", "f7ead0", "eadaba", "d7bd96", "a07e56", "825c43", "604134", "3a312a", "292420")
IRIS = {"dark brown": (0.20, 0.12, 0.07), "brown": (0.36, 0.22, 0.11), "hazel": (0.45, 0.36, 0.18),
        "amber": (0.55, 0.38, 0.14), "green": (0.30, 0.42, 0.25), "blue": (0.32, 0.47, 0.65),
        "grey": (0.48, 0.52, 0.56)}
HAIR = {"black": (0.06, 0.05, 0.05), "dark brown": (0.17, 0.11, 0.07), "brown": (0.32, 0.20, 0.11),
        "light brown": (0.52, 0.36, 0.21), "blond": (0.80, 0.66, 0.42), "auburn": (0.50, 0.20, 0.10),
        "grey": (0.62, 0.62, 0.62), "white": (0.88, 0.88, 0.86)}
COVERS = {"navy": (0.14, 0.20, 0.40), "maroon": (0.45, 0.12, 0.16), "olive": (0.36, 0.38, 0.18),
          "teal": (0.10, 0.42, 0.45), "sand": (0.76, 0.66, 0.48), "charcoal": (0.22, 0.22, 0.24)}
COVER_RATE = 1 / 7
COLOR_KEYS = ("skin", "iris", "lip", "brow", "hair")
HAIR_STYLES = ("short", "long", "volume", "bun", "bald", "cover")
FACIAL_HAIR = ("none", "stubble", "moustache", "beard")


def hex_rgb(h: str) -> tuple[float, float, float]:
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def rgb_hex(rgb) -> str:
    return "#" + "".join(f"{int(round(float(np.clip(c, 0, 1)) * 255)):02x}" for c in rgb)


@dataclass
class Appearance:
    skin: tuple[float, float, float]
    iris: tuple[float, float, float]
    lip: tuple[float, float, float]
    brow: tuple[float, float, float]
    hair: tuple[float, float, float]
    skin_tone: float  # position on the Monk scale, 1 (lightest) .. 10 (darkest)
    iris_name: str
    hair_name: str
    hair_style: str  # one of HAIR_STYLES
    hairline: float  # hairline height offset (cm, + higher forehead)
    facial_hair: str = "none"  # one of FACIAL_HAIR
    brow_scale: float = 1.0  # brow thickness (1 = the FaceMesh brow band)
    hair_length: float = -9.0  # long hair: height (cm) of its lower edge (the chin is at about -7.6)

    @property
    def cover(self) -> bool:
        return self.hair_style == "cover"

    def to_dict(self) -> dict:
        out = {k: rgb_hex(getattr(self, k)) for k in COLOR_KEYS}
        out.update({"skin_tone_monk": round(self.skin_tone, 3), "iris_name": self.iris_name,
                    "hair_name": self.hair_name, "hair_style": self.hair_style, "cover": self.cover,
                    "hairline_cm": round(self.hairline, 3), "facial_hair": self.facial_hair,
                    "brow_scale": round(self.brow_scale, 3)})
        if self.hair_style == "long":
            out["hair_length_cm"] = round(self.hair_length, 3)
        return out

    @classmethod
    def from_dict(cls, d: dict, where: str = "identity") -> Appearance:
        if not isinstance(d, dict):
            raise InvalidInputError(f"{where}: 'colors' must be an object with {', '.join(COLOR_KEYS)}")
        rgb = {}
        for k in COLOR_KEYS:
            value = d.get(k)
            if not (isinstance(value, str) and len(value) == 7 and value.startswith("#")):
                raise InvalidInputError(f"{where}: colour {k!r} must be '#rrggbb', got {value!r}")
            try:
                rgb[k] = hex_rgb(value[1:])
            except ValueError:
                raise InvalidInputError(f"{where}: colour {k!r} must be '#rrggbb', got {value!r}") from None
        numbers = {"skin_tone_monk": 5.0, "hairline_cm": 0.0, "brow_scale": 1.0, "hair_length_cm": -9.0}
        for name, default in numbers.items():
            v = numbers[name] = d.get(name, default)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
                raise InvalidInputError(f"{where}: {name!r} must be a finite number")
        style = d.get("hair_style", "cover" if d.get("cover") else "short")
        if style not in HAIR_STYLES:
            raise InvalidInputError(f"{where}: hair_style {style!r} is not one of {', '.join(HAIR_STYLES)}")
        facial = d.get("facial_hair", "none")
        if facial not in FACIAL_HAIR:
            raise InvalidInputError(f"{where}: facial_hair {facial!r} is not one of {', '.join(FACIAL_HAIR)}")
        return cls(skin=rgb["skin"], iris=rgb["iris"], lip=rgb["lip"], brow=rgb["brow"], hair=rgb["hair"],
                   skin_tone=float(numbers["skin_tone_monk"]), iris_name=str(d.get("iris_name", "custom")),
                   hair_name=str(d.get("hair_name", "custom")), hair_style=style,
                   hairline=float(np.clip(numbers["hairline_cm"], -2.0, 2.0)), facial_hair=facial,
                   brow_scale=float(np.clip(numbers["brow_scale"], 0.5, 1.5)),
                   hair_length=float(np.clip(numbers["hair_length_cm"], -16.0, -4.0)))


def skin_from_tone(tone: float) -> np.ndarray:
    """sRGB skin colour at a position 1..10 on the Monk scale (linear interpolation between tones)."""
    tones = np.array([hex_rgb(h) for h in MONK_SCALE])
    t = float(np.clip(tone, 1, 10)) - 1
    i = min(int(t), 8)
    return tones[i] * (1 - (t - i)) + tones[i + 1] * (t - i)


def lip_from_skin(skin: np.ndarray) -> np.ndarray:
    """Lips: the skin pulled toward a rose (light skin) or a lighter red-brown (dark skin)."""
    red = np.array([0.70, 0.36, 0.36])
    return np.clip(skin * 0.7 + red * 0.3 + np.array([0.04, -0.01, -0.01]), 0, 1)


def _pick(rng: np.random.Generator, table: dict, probs: list[float]) -> str:
    p = np.asarray(probs, np.float64)
    return list(table)[int(rng.choice(len(table), p=p / p.sum()))]


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """One avatar's colours (see the module docstring for the ranges)."""
    tone = float(rng.uniform(1.0, 10.0))
    light = float(np.clip((6.0 - tone) / 5.0, 0, 1))  # 1 for the lightest tones, 0 from the middle on
    # the scale's swatches are flat paint chips; lit skin reads warmer: less green and blue, and the
    # palest tones rosier still (pale skin shows the blood under it)
    skin = skin_from_tone(tone) * (np.array([1.0, 0.94, 0.88]) - light * np.array([0.0, 0.06, 0.035]))
    # the darkest chips (Monk 8-10) are lifted a little, as a photograph exposed for the face lifts them:
    # flat-lit at their chip value the face's features sink into near-black
    skin = skin * (1.0 + float(np.clip((tone - 6.5) / 3.5, 0, 1)) * np.array([0.55, 0.38, 0.22]))
    skin = skin * rng.uniform(0.96, 1.04) * rng.uniform(0.99, 1.01, 3)  # lighter or darker, hue kept
    # dark brown, brown, hazel, amber, green, blue, grey
    iris_name = _pick(rng, IRIS, [0.45 - 0.3 * light, 0.35 - 0.1 * light, 0.08 + 0.05 * light, 0.03,
                                  0.02 + 0.1 * light, 0.02 + 0.22 * light, 0.01 + 0.04 * light])
    # black, dark brown, brown, light brown, blond, auburn, grey, white
    hair_name = _pick(rng, HAIR, [0.5 - 0.4 * light, 0.25, 0.12 + 0.1 * light, 0.02 + 0.1 * light,
                                  0.005 + 0.15 * light, 0.005 + 0.05 * light, 0.06, 0.02])
    hair = np.asarray(HAIR[hair_name]) * rng.uniform(0.92, 1.08)
    cover = bool(rng.random() < COVER_RATE)
    brow = np.asarray(HAIR[hair_name]) * (0.75 if hair_name not in ("grey", "white") else 0.8)
    if hair_name == "blond":
        brow = np.asarray(HAIR["light brown"]) * 0.8
    darkness = float(np.clip((tone - 1) / 6, 0, 1))
    # short, long, volume, bun, bald (given no head cover)
    style = "cover" if cover else _pick(rng, dict.fromkeys(HAIR_STYLES[:5]),
                                        [0.34, 0.30, 0.06 + 0.14 * darkness, 0.14, 0.08])
    if hair_name in ("grey", "white") and style in ("short", "volume") and rng.random() < 0.3:
        style = "bald"
    if cover:
        hair_name = "cover " + _pick(rng, COVERS, [1.0] * len(COVERS))
        hair = np.asarray(COVERS[hair_name.split(" ", 1)[1]])
    iris = np.asarray(IRIS[iris_name]) * rng.uniform(0.92, 1.08)
    skin = np.clip(skin, 0, 1)
    lip = lip_from_skin(skin)
    facial, brow_scale = "none", float(rng.uniform(0.85, 1.1))
    if style in ("long", "bun"):  # finer brows, lips a touch deeper
        brow_scale = float(rng.uniform(0.6, 0.8))
        lip = np.clip(lip * 0.92 + np.array([0.08, 0.0, 0.02]), 0, 1)
    elif rng.random() < 0.4:
        facial = _pick(rng, dict.fromkeys(FACIAL_HAIR[1:]), [0.35, 0.25, 0.4])
    return Appearance(skin=quantise(skin), iris=quantise(iris), lip=quantise(lip), brow=quantise(brow),
                      hair=quantise(hair), skin_tone=round(tone, 3), iris_name=iris_name, hair_name=hair_name,
                      hair_style=style, hairline=round(float(rng.uniform(-0.8, 0.8)), 3), facial_hair=facial,
                      brow_scale=round(brow_scale, 3), hair_length=round(float(rng.uniform(-13.0, -7.5)), 3))


def quantise(rgb) -> tuple[float, float, float]:
    """A colour as its '#rrggbb' form reads back: what is saved is exactly what was drawn."""
    return hex_rgb(rgb_hex(rgb)[1:])
