"""The avatar core: brows follow ICT's brow shapes, culled triangles hide nothing, colours cover their ranges."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fxcli.avatar.appearance import MONK_SCALE, sample_appearance, skin_from_tone
from fxcli.avatar.identity import load_identity_file, sample_identity, save_identity
from fxcli.errors import InvalidInputError
from fxcli.tracks.channels import ARKIT52


@pytest.fixture(scope="module")
def model():
    from fxcli.avatar.builder import AvatarModel

    return AvatarModel.load()


def _w(**channels) -> np.ndarray:
    w = np.zeros(52, np.float32)
    for k, v in channels.items():
        w[ARKIT52.index(k)] = v
    return w


def test_brows_ride_on_the_brow_shapes(model):
    ident = sample_identity(3, 0)
    avatar = model.build(ident.coefficients, ident.appearance)
    brow = avatar.extras.kind == 0
    n_ict = len(model.draw)
    v = avatar.vertices(np.stack([_w(), _w(browDownLeft=1, browDownRight=1), _w(browInnerUp=1),
                                  _w(browOuterUpLeft=1, browOuterUpRight=1)]))
    brows = v[:, n_ict:][:, brow]
    inner = np.abs(brows[0, :, 0]) < 2.5  # the brows' heads, near the midline
    outer = np.abs(brows[0, :, 0]) > 4.5
    down, inner_up, outer_up = (brows[k] - brows[0] for k in (1, 2, 3))
    assert down[:, 1].mean() < -0.15  # AU4 lowers the brows ...
    assert np.abs(brows[1, inner, 0]).mean() < np.abs(brows[0, inner, 0]).mean()  # ... and draws them together
    assert inner_up[inner, 1].mean() > 0.2 and inner_up[inner, 1].mean() > 1.4 * inner_up[outer, 1].mean()  # AU1
    assert outer_up[outer, 1].mean() > 0.3 and outer_up[outer, 1].mean() > 1.4 * outer_up[inner, 1].mean()  # AU2
    # an affine combination of skin vertices plus a lift along the normal: 1.2 mm off the skin at rest
    assert np.allclose(avatar.extras.weights.sum(1), 1, atol=1e-6)
    assert np.allclose(np.linalg.norm(avatar.extras.offset[brow], axis=1), 0.12, atol=1e-5)


def test_brow_pixels_move_down_in_the_picture(model):
    from fxcli.avatar.generate import AvatarPainter

    ident = sample_identity(3, 1)
    ident.appearance.brow = (0.0, 0.0, 1.0)  # pure blue brows: found by colour (the lashes are tinted too)
    ident.appearance.brow_scale = 1.0  # full brows: most of the blue pixels are brow, not lash
    painter = AvatarPainter((128, 128), "shaded", "software")
    a, b = (im.astype(int) for im in painter.images(ident, np.stack([_w(), _w(browDownLeft=1, browDownRight=1)]),
                                                    np.zeros((2, 3))))
    rows = [np.nonzero((im[..., 2] > im[..., 0] + 40) & (im[..., 2] > im[..., 1] + 40))[0] for im in (a, b)]
    assert len(rows[0]) > 30 and len(rows[1]) > 20
    assert rows[1].mean() - rows[0].mean() > 0.8  # rows grow downward


def test_culled_triangles_hide_nothing(model):
    """The visible-triangle subset draws the same picture as the whole head for an unseen identity."""
    from fxcli.avatar.builder import AvatarModel
    from fxcli.render import make_renderer
    from fxcli.rigs.mesh import Mesh

    assert len(model.triangles) < 0.8 * len(model.rig.triangles)
    rng = np.random.default_rng(1234)
    ident = sample_identity(99, 7, sigma=1.3)
    weights = np.clip(rng.random(52) * (rng.random(52) < 0.2), 0, 1).astype(np.float32)
    head = np.array([0.1, -0.25, 0.05], np.float32)
    full = AvatarModel.__new__(AvatarModel)
    full.__dict__.update(model.__dict__)
    tri = model.rig.triangles
    draw = np.unique(tri)
    need = np.union1d(draw, model.need)
    full.need = need
    full.need_pos = np.full(model.rig.n_vertices, -1, np.int64)
    full.need_pos[need] = np.arange(len(need))
    full.draw, full.draw_local = draw, full.need_pos[draw]
    dp = np.full(model.rig.n_vertices, -1)
    dp[draw] = np.arange(len(draw))
    full.triangles = dp[tri].astype(np.int32)
    cols = (need[:, None] * 3 + np.arange(3)).ravel()
    full.deltas = np.ascontiguousarray(model.rig.expression_deltas[:, cols])
    ren = make_renderer((192, 192), "auto", bg=(1, 1, 1), style="shaded")
    cam = model.camera((192, 192))
    pics = []
    for m in (model, full):
        avatar = m.build(ident.coefficients, ident.appearance)
        v = avatar.vertices(weights[None], head[None])[0]
        pics.append(ren.render(v, avatar.mesh, cam).astype(int))
        assert isinstance(avatar.mesh, Mesh)
    diff = np.abs(pics[0] - pics[1]).max(-1)
    assert (diff > 24).mean() < 0.002, (diff > 24).sum()


def test_skin_tones_cover_the_monk_scale_evenly():
    rng = np.random.default_rng(0)
    looks = [sample_appearance(rng) for _ in range(400)]
    tones = np.array([a.skin_tone for a in looks])
    counts = np.histogram(tones, bins=np.arange(1, 11, 1.0))[0]
    assert counts.min() >= 25  # every step of the scale is drawn (uniform: 44 expected per step)
    luma = np.array([np.dot(a.skin, [0.299, 0.587, 0.114]) for a in looks])
    step_luma = [luma[(tones >= t) & (tones < t + 1)].mean() for t in range(1, 10)]
    # darker along the scale: no step lighter than the one before (the two palest chips are nearly one
    # lightness; the darkest are lifted, not reordered)
    assert np.all(np.diff(step_luma) < 0.01) and step_luma[0] - step_luma[-1] > 0.5
    assert skin_from_tone(1) == pytest.approx([int(MONK_SCALE[0][i:i + 2], 16) / 255 for i in (0, 2, 4)])
    covers = sum(a.cover for a in looks)
    assert 30 < covers < 90  # about one in seven
    light_blue = sum(a.iris_name == "blue" for a in looks if a.skin_tone < 3)
    dark_blue = sum(a.iris_name == "blue" for a in looks if a.skin_tone > 7)
    assert light_blue > dark_blue


def test_identity_files_round_trip_and_are_checked(tmp_path):
    ident = sample_identity(11, 2)
    for suffix in (".json", ".npz"):
        path = tmp_path / f"i{suffix}"
        save_identity(ident, str(path))
        back = load_identity_file(str(path))
        assert np.array_equal(back.coefficients, ident.coefficients)
        assert back.appearance.to_dict() == ident.appearance.to_dict()
    bad = tmp_path / "bad.npz"
    np.savez(bad, coefficients=np.zeros((10, 10)))
    with pytest.raises(InvalidInputError, match=r"got shape \(10, 10\)"):
        load_identity_file(str(bad))
    wrong = tmp_path / "w.json"
    wrong.write_text(json.dumps({"coefficients": [0] * 100, "colors": {"skin": "pink"}}))
    with pytest.raises(InvalidInputError, match="skin"):
        load_identity_file(str(wrong))


def test_ink_outline_rings_the_silhouette():
    from fxcli.render.toon import ink_outline

    yy, xx = np.mgrid[:64, :64]
    disc = (yy - 32) ** 2 + (xx - 32) ** 2 <= 15 ** 2
    img = np.full((64, 64, 3), 255, np.uint8)
    img[disc] = (200, 150, 120)
    out = ink_outline(img.copy(), (255, 255, 255), width=1)
    ring = np.any(out != img, axis=-1)
    assert not (ring & disc).any()  # drawn outside the figure only
    # a 3x3 dilation's ring around a digital disc of radius r is a 4-connected curve: its pixel count is
    # the disc's L1 perimeter one pixel out, 8 (r + 1) = 128 (an 8-connected ring would be ~5.7 r = 91)
    assert abs(int(ring.sum()) - 8 * 16) <= 4


def test_every_cap_of_a_geneava_sized_set_is_whole(model):
    """98 identities (seed 0, the GenEAva-sized run): every cap vertex's anchor is among the posed vertices."""
    from fxcli.rigs.ict_extras import brow_extras, cap_extras

    for k in range(98):
        ident = sample_identity(0, k)
        base = model.rig.base(ident.coefficients)
        cap = cap_extras(base, model.rig.parts, model.rig.all_triangles, **model.cap_params(ident.appearance))
        brows = brow_extras(base, model.rig.all_triangles)
        assert (model.need_pos[cap.anchors] >= 0).all(), ident.name
        assert (model.need_pos[brows.anchors] >= 0).all(), ident.name


def test_avatar_pose_is_the_library_mapping_with_per_au_gains():
    """Hand-worked: each AU's ARKit shapes get intensity x gain x the mapping's own gain; sums clip at 1.5."""
    from fxcli.avatar.targets import AU_GAIN, EXAGGERATION, HEAD_GAIN, MAX_WEIGHT, SIDED_GAIN, avatar_pose

    w, head = avatar_pose({"26": 0.2, "R14": 0.3, "9": 0.4, "56": 0.5})
    expect = _w(jawOpen=0.45 * 0.2 * AU_GAIN[26], mouthDimpleRight=0.3 * EXAGGERATION * SIDED_GAIN,
                noseSneerLeft=0.4 * EXAGGERATION, noseSneerRight=0.4 * EXAGGERATION)
    assert w == pytest.approx(expect, abs=1e-6)
    assert head == pytest.approx([0.0, 0.0, 0.25 * 0.5 * HEAD_GAIN], abs=1e-6)
    w, _ = avatar_pose({"12": 0.9, "25": 0.2})
    assert w[ARKIT52.index("mouthSmileLeft")] == MAX_WEIGHT  # 0.9 x 1.9 clipped
    assert w[ARKIT52.index("jawOpen")] == pytest.approx(0.12 * 0.2 * AU_GAIN[25], abs=1e-6)


def test_surprise_and_sadness_move_the_face_far_enough_to_read(model):
    """Landmark motion (cm) on the avatar: surprise drops the jaw, lifts the brows and the upper lids;
    sadness lifts the inner brows and pulls the mouth corners down."""
    from fxcli.avatar.targets import resolve_targets
    from fxcli.rigs.ict_extras import facemesh_vertices

    fm = facemesh_vertices()
    ident = sample_identity(5, 0)
    surprised, sad = resolve_targets("surprised,sad", None)
    weights = np.stack([_w(), surprised.at(1.0)[0], sad.at(1.0)[0]])
    ict = model.rig.base(ident.coefficients)[None] + (
        model.rig.arkit52_to_ict(weights) @ model.rig.expression_deltas).reshape(3, -1, 3)
    move = ict[:, fm] - ict[0, fm]  # (3, 468, 3)
    assert move[1, 152, 1] < -1.5  # chin (jaw drop)
    assert move[1, [105, 334], 1].mean() > 0.5  # brows up
    assert move[1, [159, 386], 1].mean() > 0.08  # upper lids up: white above the iris
    assert move[2, [107, 336], 1].mean() > 0.25  # inner brows up (AU1)
    assert move[2, [61, 291], 1].mean() < -0.15  # mouth corners down (AU15)


def test_hair_styles_have_their_shapes(model):
    import dataclasses

    from fxcli.avatar.appearance import FACIAL_HAIR, HAIR_STYLES
    from fxcli.rigs.ict_extras import facemesh_vertices

    ident = sample_identity(0, 1)
    base = model.rig.base(ident.coefficients)
    chin = base[facemesh_vertices()[152], 1]
    top = base[model.rig.parts["head_neck"][0]:model.rig.parts["head_neck"][1] + 1, 1].max()
    shapes = {}
    for style in HAIR_STYLES:
        look = dataclasses.replace(ident.appearance, hair_style=style)
        avatar = model.build(ident.coefficients, look)
        v = avatar.vertices(_w()[None])[0][len(model.draw):]
        shapes[style] = v[avatar.extras.kind == 1]
    assert len(shapes["bald"]) == 0
    assert len(shapes["long"]) > len(shapes["short"])
    assert shapes["long"][:, 1].min() < chin  # falls past the jaw ...
    assert np.abs(shapes["long"][:, 0]).max() > np.abs(shapes["short"][:, 0]).max() + 0.5  # ... beside the face
    assert shapes["bun"][:, 1].max() > shapes["short"][:, 1].max() + 1.0 > top  # a bun on the crown
    assert shapes["volume"][:, 1].max() > shapes["short"][:, 1].max() + 0.5  # thicker than a short cap
    beard = dataclasses.replace(ident.appearance, hair_style="short", facial_hair="beard", hair=(0.0, 1.0, 0.0))
    colors = model.build(ident.coefficients, beard).mesh.colors
    plain = model.build(ident.coefficients, dataclasses.replace(beard, facial_hair="none")).mesh.colors
    greener = plain[:, 0] - colors[:, 0] > 0.3  # green hair: the beard takes the red out of the skin
    assert 200 < greener.sum() < 0.25 * len(model.draw)  # the jaw, not the face
    assert set(FACIAL_HAIR) >= {"none", "beard"}


def test_sampled_looks_are_varied_and_recorded(tmp_path):
    from fxcli.avatar.appearance import HAIR_STYLES

    looks = [sample_identity(0, k).appearance for k in range(200)]
    styles = {a.hair_style for a in looks}
    assert styles == set(HAIR_STYLES)
    assert 0.1 < np.mean([a.facial_hair != "none" for a in looks]) < 0.4
    pale = np.array([a.skin for a in looks if a.skin_tone < 2.5])
    r, g, b = pale.T
    hue = np.degrees(np.arctan2(np.sqrt(3) * (g - b), 2 * r - g - b))
    assert len(pale) > 10 and hue.max() < 26  # rosy (~20 degrees), not yellow cream (the chips: ~30 and more)
    ident = sample_identity(0, next(k for k, a in enumerate(looks) if a.hair_style == "long"))
    save_identity(ident, str(tmp_path / "i.json"))
    back = load_identity_file(str(tmp_path / "i.json")).appearance
    assert (back.hair_style, back.facial_hair, back.brow_scale, back.hair_length) == (
        ident.appearance.hair_style, ident.appearance.facial_hair, ident.appearance.brow_scale,
        ident.appearance.hair_length)
    doc = json.loads((tmp_path / "i.json").read_text())
    doc["colors"]["hair_style"] = "mohawk"
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(InvalidInputError, match="hair_style 'mohawk'"):
        load_identity_file(str(tmp_path / "bad.json"))


@pytest.mark.parametrize(("portrait", "style"), [("interfaces-001.jpg", "long"), ("interfaces-005.jpg", "long"),
                                                 ("interfaces-010.jpg", "short"), ("interfaces-014.jpg", "short")])
def test_photo_hair_length_matches_the_portrait(portrait, style):
    """Hand-labelled CC0 portraits: a bob and long hair past the jaw; two men with short hair."""
    from pathlib import Path

    from fxcli.avatar.from_photo import photo_colors
    from fxcli.face import detect_faces, load_image

    image = load_image(str(Path(__file__).parent / "data" / "portraits" / portrait))
    appearance, _ = photo_colors(image, detect_faces(image)[0].landmarks)
    assert appearance.hair_style == style
