"""The identity loss's pieces: the onnx ArcFace graph run as torch ops, and the differentiable face alignment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

onnx = pytest.importorskip("onnx")


def tiny_iresnet_onnx(rng: np.random.Generator):
    """An IResNet-shaped onnx graph (Conv, BatchNormalization, PRelu, Add, Flatten, Gemm) with random weights."""
    from onnx import TensorProto, helper, numpy_helper

    def init(name, array):
        return numpy_helper.from_array(np.asarray(array, np.float32), name)

    inits = [init("w1", rng.normal(0, 0.3, (4, 3, 3, 3))), init("b1", rng.normal(0, 0.1, 4)),
             init("g", rng.uniform(0.5, 1.5, 4)), init("beta", rng.normal(0, 0.1, 4)),
             init("mean", rng.normal(0, 0.1, 4)), init("var", rng.uniform(0.5, 1.5, 4)),
             init("slope", rng.uniform(0.1, 0.3, (4, 1, 1))), init("w2", rng.normal(0, 0.3, (4, 4, 3, 3))),
             init("fc", rng.normal(0, 0.1, (8, 4 * 7 * 7))), init("fcb", rng.normal(0, 0.1, 8))]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "g", "beta", "mean", "var"], ["n1"], epsilon=1e-5),
        helper.make_node("PRelu", ["n1", "slope"], ["p1"]),
        helper.make_node("Conv", ["p1", "w2"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "p1"], ["r"]),
        helper.make_node("Conv", ["r", "w2"], ["c3"], strides=[4, 4], pads=[0, 0, 1, 1]),  # asymmetric padding
        helper.make_node("Flatten", ["c3"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc", "fcb"], ["y"], transB=1),
    ]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 56, 56])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], inits)
    return helper.make_model(graph), {i.name: numpy_helper.to_array(i) for i in inits}


def reference(x: torch.Tensor, w: dict) -> torch.Tensor:
    import torch.nn.functional as F

    t = {k: torch.from_numpy(v.copy()) for k, v in w.items()}
    c1 = F.conv2d(x, t["w1"], t["b1"], stride=2, padding=1)
    n1 = (c1 - t["mean"].view(1, -1, 1, 1)) / torch.sqrt(t["var"].view(1, -1, 1, 1) + 1e-5) * t["g"].view(1, -1, 1, 1) \
        + t["beta"].view(1, -1, 1, 1)
    p1 = torch.where(n1 >= 0, n1, n1 * t["slope"].view(1, -1, 1, 1))
    r = F.conv2d(p1, t["w2"], padding=1) + p1
    c3 = F.conv2d(F.pad(r, (0, 1, 0, 1)), t["w2"], stride=4)
    return c3.flatten(1) @ t["fc"].T + t["fcb"]


def test_onnx_graph_runs_as_torch_ops_with_gradients():
    from fxcli.train.pixelsmile_arcface import OnnxGraphModule

    model, weights = tiny_iresnet_onnx(np.random.default_rng(0))
    net = OnnxGraphModule(model)
    x = torch.randn(1, 3, 56, 56, requires_grad=True)
    y = net(x)
    assert y.shape == (1, 8)
    assert torch.allclose(y, reference(x, weights), atol=1e-5)
    y.sum().backward()  # the identity loss needs this gradient
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
    assert all(not p.requires_grad for p in net.parameters())  # ArcFace stays frozen


def test_unsupported_operator_is_named():
    from onnx import TensorProto, helper

    from fxcli.errors import ModelMissingError
    from fxcli.train.pixelsmile_arcface import OnnxGraphModule

    graph = helper.make_graph([helper.make_node("Softmax", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    with pytest.raises(ModelMissingError, match="Softmax"):
        OnnxGraphModule(helper.make_model(graph))


def test_alignment_puts_the_five_points_on_the_arcface_template():
    import torch.nn.functional as F

    from fxcli.judges.arcface import TEMPLATE
    from fxcli.train.pixelsmile_encoders import ARCFACE_SIZE, arcface_affine

    size = 256
    # five points of a face: the template scaled by 1.7, rotated 10 degrees and shifted
    a = np.deg2rad(10)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    points = (TEMPLATE - 56) @ rot.T * 1.7 + np.array([130.0, 120.0])
    image = torch.zeros(1, 3, size, size)
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    for k, (px, py) in enumerate(points):  # a bright blob per point, one channel pattern each
        blob = torch.exp(-((xx - px) ** 2 + (yy - py) ** 2) / 8.0)
        image[0, k % 3] += blob * (1 + k // 3)
    affine = torch.from_numpy(arcface_affine(points, size))[None]
    grid = F.affine_grid(affine, [1, 3, ARCFACE_SIZE, ARCFACE_SIZE], align_corners=False)
    crop = F.grid_sample(image, grid, align_corners=False)[0]
    for k, (tx, ty) in enumerate(TEMPLATE):
        channel = crop[k % 3] * (1 if k < 3 else 0.5)
        ys, xs = torch.meshgrid(torch.arange(112.0), torch.arange(112.0), indexing="ij")
        near = ((xs - tx) ** 2 + (ys - ty) ** 2) < 36
        w = channel * near
        cx, cy = float((w * xs).sum() / w.sum()), float((w * ys).sum() / w.sum())
        assert abs(cx - tx) < 0.6 and abs(cy - ty) < 0.6, (k, cx, cy, tx, ty)
    # no face: the whole picture resized
    assert np.allclose(arcface_affine(None, size), [[1, 0, 0], [0, 1, 0]])
