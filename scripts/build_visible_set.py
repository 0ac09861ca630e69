"""Build fxcli/assets/ict_visible_set/visible_set.npz: the ICT triangles that can own a pixel inside RANGE.

For each sampled configuration (eye direction and distance, camera roll, sub-pixel shift, expression,
identity) the ICT head with its brows is drawn with triangle ids (fxcli.render.visible_set.TriangleIds,
the same rasteriser and depth test as the renderer) and every triangle that owns a pixel is kept. The
eye is placed around the head at rest, which shows the same surfaces as the head turned by the track's
pose in front of a fixed camera. The camera zooms in as it backs off so that the face always fills the
picture: sampling is at least as fine as any render up to RANGE.max_side pixels. The union then grows
by --rings rings of triangles that share an edge with it. This is done twice: for the mean head alone
(the default avatar of `fxe render` and `fxe talk`, which shows fewer triangles) and for any identity
within +-3 sd.

Sampled: eye yaw in +-RANGE.yaw_deg and pitch in +-RANGE.pitch_deg (a quarter of the samples exactly on
an edge or corner), distance 0.9 to 8 x the front framing distance, roll +-30 deg; expressions: 40 named
extremes (jawOpen 1, mouthFunnel, lips apart, eyes closed and wide, gaze extremes, every weight 1, ...)
and random sparse mixes with weights in [0, 1]; identities: the mean head, seeded N(0, 1) and N(0, 2)
heads clipped to +-3, +-3 sd along each of the first 8 modes and +-3 sd corners with random signs.
The printout says how many triangles the last tenth of the samples still added (convergence).

Run: python3 scripts/build_visible_set.py [--samples 100] [--size 1024] [--rings 1] [--seed 0] [--out FILE]
     python3 scripts/build_visible_set.py --merge A.npz B.npz ... --out FILE   (runs with other seeds joined)
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from fxcli.render.camera import FOV_Y_DEG, Camera, look_at, perspective
from fxcli.render.visible_set import (
    ASSET,
    RANGE,
    TriangleIds,
    direction,
    grow_rings,
    reference_distance,
    triangles_digest,
)
from fxcli.rigs.ict_extras import browed
from fxcli.rigs.ict_rig import IctRig
from fxcli.tracks.channels import ARKIT52

YAW_EDGES = (-45.0, -30.0, -15.0, 0.0, 15.0, 30.0, 45.0)  # cells of eye directions (degrees)
PITCH_EDGES = (-30.0, -20.0, -10.0, 0.0, 10.0, 20.0, 30.0)
IDENTITY_BOUNDS = (0.0, RANGE.max_identity)  # class 0: the mean head alone; class 1: any identity within +-3 sd
WHOLE_PARTS = ("head_neck",)
DISTANCES = (0.9, 1.0, 1.3, 2.0, 3.0, 8.0)  # x the front framing distance


def named_expressions() -> list[np.ndarray]:
    """Extreme and telling expressions, as arkit52 weight vectors."""
    index = {n: i for i, n in enumerate(ARKIT52)}
    both = lambda stem: [f"{stem}Left", f"{stem}Right"]  # noqa: E731
    recipes = [
        [], ["jawOpen"], ["jawOpen", *both("mouthStretch")], ["jawOpen", "mouthFunnel"], ["mouthFunnel"],
        ["mouthPucker"], ["jawOpen", "mouthPucker"], [*both("mouthSmile")], [*both("mouthSmile"), *both("mouthStretch")],
        [*both("mouthSmile"), "jawOpen"], [*both("mouthUpperUp"), *both("mouthLowerDown")],
        [*both("mouthUpperUp"), *both("mouthLowerDown"), *both("mouthSmile")],
        [*both("mouthUpperUp"), *both("mouthLowerDown"), "jawOpen"], ["mouthRollLower", "mouthRollUpper"],
        ["mouthRollLower", "mouthRollUpper", "jawOpen"], ["mouthShrugLower", "mouthShrugUpper"],
        [*both("mouthPress"), "mouthClose"], ["mouthClose", "jawOpen"], ["jawLeft", "jawOpen"],
        ["jawRight", "jawOpen"], ["jawForward", "jawOpen"], ["jawForward"], ["mouthLeft"], ["mouthRight"],
        ["mouthLeft", "jawOpen"], ["mouthRight", "jawOpen"], [*both("mouthFrown"), *both("mouthStretch")],
        [*both("mouthDimple"), *both("mouthLowerDown")], ["cheekPuff"], [*both("eyeBlink")],
        [*both("eyeWide"), "browInnerUp", *both("browOuterUp")], [*both("eyeSquint"), *both("cheekSquint")],
        [*both("browDown"), *both("noseSneer"), *both("eyeSquint")], ["eyeLookUpLeft", "eyeLookUpRight"],
        ["eyeLookDownLeft", "eyeLookDownRight"], ["eyeLookInLeft", "eyeLookOutRight"],
        ["eyeLookOutLeft", "eyeLookInRight"], ["eyeLookUpLeft", "eyeLookUpRight", *both("eyeWide")],
        ["eyeLookDownLeft", "eyeLookDownRight", *both("eyeBlink")], list(ARKIT52),
    ]
    out = []
    for names in recipes:
        w = np.zeros(len(ARKIT52), np.float32)
        w[[index[n] for n in names]] = 1.0
        out.append(w)
    return out


def random_expression(rng: np.random.Generator) -> np.ndarray:
    active = rng.random(len(ARKIT52)) < rng.uniform(0.1, 0.5)
    w = np.where(rng.random(len(ARKIT52)) < 0.3, 1.0, rng.random(len(ARKIT52))) * active
    return w.astype(np.float32)


def identities(rig: IctRig, rng: np.random.Generator, limit: float) -> list[np.ndarray | None]:
    out: list[np.ndarray | None] = [None]
    out += [np.clip(rng.standard_normal(100), -limit, limit) for _ in range(8)]
    out += [np.clip(2 * rng.standard_normal(100), -limit, limit) for _ in range(6)]
    for mode in range(8):
        for sign in (-1, 1):
            c = np.zeros(100)
            c[mode] = sign * limit
            out.append(c)
    out += [limit * rng.choice([-1.0, 1.0], 100) for _ in range(4)]
    return [None if c is None else c.astype(np.float32) for c in out]


def sample_camera(rng: np.random.Generator, yaws: tuple[float, float], pitches: tuple[float, float],
                  center: np.ndarray, radius: float, d0: float) -> Camera:
    """A camera whose eye lies in the cell yaws x pitches (a quarter of them on an edge or corner)."""
    yaw, pitch = rng.uniform(*yaws), rng.uniform(*pitches)
    if rng.random() < 0.25:
        if rng.random() < 0.7:
            yaw = yaws[rng.integers(2)]
        if rng.random() < 0.7:
            pitch = pitches[rng.integers(2)]
    factor = float(rng.choice(DISTANCES))
    distance = factor * d0
    eye = center + distance * direction(yaw, pitch)
    roll = math.radians(rng.uniform(-30, 30))
    view = look_at(eye, center, np.array([math.sin(roll), math.cos(roll), 0.0]))
    # zoom in as the camera backs off: the face keeps its size in the picture
    fov = 2 * math.degrees(math.atan(math.tan(math.radians(FOV_Y_DEG) / 2) / factor))
    near, far = max(distance - 3 * radius, distance * 0.05), distance + 3 * radius
    return Camera(view.astype(np.float32), perspective(fov, 1.0, near, far).astype(np.float32))


def whole_parts(rig: IctRig) -> np.ndarray:
    """Triangles kept in every cell: the neck (its open cut at the shoulders shows thin slivers of the
    inside along the silhouette that sampling finds only now and then)."""
    part = np.zeros(rig.n_vertices, bool)
    for name in WHOLE_PARTS:
        v0, v1 = rig.parts[name]
        part[v0:v1 + 1] = True
    return part[rig.mesh.triangles].all(1)


def merge(paths: list[str], out: str) -> None:
    parts = [dict(np.load(p, allow_pickle=False)) for p in paths]
    first = parts[0]
    for other in parts[1:]:
        for key in ("n_triangles", "identity_bounds", "yaw_edges", "pitch_edges", "triangles_sha256", "rings", "size"):
            if not np.array_equal(other[key], first[key]):
                raise SystemExit(f"cannot merge: {key} differs")
    packed = np.bitwise_or.reduce([p["packed"] for p in parts])
    rig = IctRig.load()
    packed |= np.packbits(np.broadcast_to(whole_parts(rig), np.unpackbits(packed, axis=-1)[..., :int(first["n_triangles"])].shape), axis=-1)
    np.savez_compressed(out, **{**first, "packed": packed, "samples_per_cell": np.array([p["samples_per_cell"] for p in parts]),
                               "seed": np.array([p["seed"] for p in parts])})
    n = int(first["n_triangles"])
    counts = np.unpackbits(packed, axis=-1)[..., :n].sum(-1)
    for kind, bound in enumerate(first["identity_bounds"]):
        print(f"identities within +-{bound:g} sd: {counts[kind].min()}..{counts[kind].max()} triangles per cell")
    print(f"seeds {[int(p['seed']) for p in parts]} -> {out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=100, help="per identity class and cell of eye directions")
    ap.add_argument("--size", type=int, default=RANGE.max_side)
    ap.add_argument("--rings", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ASSET))
    ap.add_argument("--merge", nargs="+", metavar="NPZ",
                    help="only join earlier outputs (other seeds) into --out: a triangle kept in any is kept")
    args = ap.parse_args()
    if args.merge:
        merge(args.merge, args.out)
        return

    rig = IctRig.load()
    extra = browed(rig)
    n_ict, n_all = len(rig.mesh.triangles), len(extra.mesh.triangles)
    box = rig.mesh.frame_box.astype(np.float64)
    center = (box[0] + box[1]) / 2
    radius = float(np.linalg.norm(box[1] - box[0])) / 2
    d0 = reference_distance(rig.mesh.frame_box)
    rng = np.random.default_rng(args.seed)
    classes = [[rig.neutral], [rig.base(c) for c in identities(rig, rng, RANGE.max_identity)]]  # IDENTITY_BOUNDS
    named = named_expressions()
    ids = TriangleIds((args.size, args.size), extra.mesh.triangles, extra.mesh.n_vertices)
    cells = [(y, p) for y in range(len(YAW_EDGES) - 1) for p in range(len(PITCH_EDGES) - 1)]
    seen = np.zeros((len(classes), len(YAW_EDGES) - 1, len(PITCH_EDGES) - 1, n_ict), bool)
    late = np.zeros_like(seen)  # what the last tenth of each cell's samples added
    t0, c0 = time.perf_counter(), time.process_time()
    total = args.samples * len(cells)
    for kind, bases in enumerate(classes):
        for k in range(total):
            y, p = cells[k % len(cells)]
            w = named[rng.integers(len(named))] if rng.random() < 0.5 else random_expression(rng)
            vertices = extra.extend(rig.vertices_ict(rig.arkit52_to_ict(w), bases[rng.integers(len(bases))]))
            camera = sample_camera(rng, YAW_EDGES[y:y + 2], PITCH_EDGES[p:p + 2], center, radius, d0)
            new = ids.seen(vertices, camera, tuple(rng.random(2)))[:n_ict] & ~seen[kind, y, p]
            seen[kind, y, p] |= new
            if k >= 0.9 * total:
                late[kind, y, p] |= new
            if (k + 1) % 500 == 0:
                print(f"class {kind}: {k + 1} samples ({time.perf_counter() - t0:.0f} s)", flush=True)
    ids.close()
    brows = np.ones(n_all - n_ict, bool)
    masks = np.zeros_like(seen)
    for index in np.ndindex(seen.shape[:3]):
        masks[index] = grow_rings(np.concatenate([seen[index], brows]), extra.mesh.triangles, args.rings)[:n_ict]
    masks[1] |= masks[0]  # a wider class holds the narrower one
    masks |= whole_parts(rig)
    np.savez_compressed(args.out, packed=np.packbits(masks, axis=-1), n_triangles=np.int64(n_ict),
                        identity_bounds=np.array(IDENTITY_BOUNDS, np.float64),
                        yaw_edges=np.array(YAW_EDGES, np.float64), pitch_edges=np.array(PITCH_EDGES, np.float64),
                        triangles_sha256=np.array(triangles_digest(rig.mesh.triangles)),
                        rings=np.int64(args.rings), samples_per_cell=np.int64(args.samples),
                        size=np.int64(args.size), seed=np.int64(args.seed))
    for kind in range(len(classes)):
        counts, grown, added = seen[kind].sum(-1), masks[kind].sum(-1), late[kind].sum(-1)
        print(f"identities within +-{IDENTITY_BOUNDS[kind]:g} sd: {len(cells)} cells x {args.samples} samples at "
              f"{args.size}x{args.size}: triangles owning a pixel per cell {counts.min()}..{counts.max()} of "
              f"{n_ict} (the last 10 % of samples added {added.max()} at most, {added.sum()} in all); with "
              f"{args.rings} ring(s) {grown.min()}..{grown.max()}")
        for y in range(seen.shape[1]):
            print(f"  yaw {YAW_EDGES[y]:+.0f}..{YAW_EDGES[y + 1]:+.0f}: " + " ".join(f"{g:5d}" for g in grown[y]))
    print(f"-> {args.out} ({time.perf_counter() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU)")


if __name__ == "__main__":
    main()
