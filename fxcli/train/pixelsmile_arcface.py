"""ArcFace as a differentiable torch module, run from the user's InsightFace onnx file.

The identity loss needs gradients through ArcFace, which onnxruntime does not give. The recognition
networks of the antelopev2 and buffalo_l packs (IResNet-100/50) use a handful of onnx operators; this
module executes their graph with torch functional ops, so the weights stay the user's file and no
conversion tool is needed. An operator outside the supported set raises ModelMissingError naming it.
Needs the `onnx` package to read the file (`pip install onnx`).
"""

from __future__ import annotations

from typing import Any

from fxcli.errors import ModelMissingError

SUPPORTED = ("Conv", "BatchNormalization", "PRelu", "Relu", "Add", "Sub", "Mul", "Div", "Flatten", "Gemm", "MatMul",
             "Reshape", "Identity", "Dropout", "Transpose", "GlobalAveragePool", "Constant")


def _module_base():
    import torch

    return torch.nn.Module


class OnnxGraphModule(_module_base()):
    """Runs an onnx graph (the SUPPORTED operators) with torch ops; initializers become frozen parameters."""

    def __init__(self, model: Any):
        super().__init__()
        import torch
        from onnx import numpy_helper

        graph = model.graph
        self.input_name = graph.input[0].name
        self.output_name = graph.output[0].name
        self.nodes = [(n.op_type, list(n.input), list(n.output),
                       {a.name: _attr(a) for a in n.attribute}) for n in graph.node]
        unsupported = sorted({op for op, *_ in self.nodes if op not in SUPPORTED})
        if unsupported:
            raise ModelMissingError(f"the ArcFace onnx graph uses operators this runner lacks: {', '.join(unsupported)}",
                                    hint="use the antelopev2 (glintr100) or buffalo_l (w600k_r50) recognition file")
        self.weights = torch.nn.ParameterDict()
        self.names: dict[str, str] = {}
        for i, init in enumerate(graph.initializer):
            key = f"w{i}"
            self.names[init.name] = key
            self.weights[key] = torch.nn.Parameter(torch.from_numpy(numpy_helper.to_array(init).copy()),
                                                   requires_grad=False)

    def forward(self, x):
        import torch
        import torch.nn.functional as F

        env: dict[str, Any] = {self.input_name: x}

        def get(name):
            return env[name] if name in env else self.weights[self.names[name]]

        for op, ins, outs, at in self.nodes:
            a = [get(n) for n in ins if n]
            if op == "Conv":
                pads = at.get("pads", [0, 0, 0, 0])
                if pads[0] != pads[2] or pads[1] != pads[3]:
                    a[0] = F.pad(a[0], (pads[1], pads[3], pads[0], pads[2]))
                    pads = [0, 0]
                y = F.conv2d(a[0], a[1], a[2] if len(a) > 2 else None, stride=at.get("strides", [1, 1]),
                             padding=pads[:2], dilation=at.get("dilations", [1, 1]), groups=at.get("group", 1))
            elif op == "BatchNormalization":
                y = F.batch_norm(a[0], a[3], a[4], a[1], a[2], training=False, eps=at.get("epsilon", 1e-5))
            elif op == "PRelu":
                slope = a[1].reshape(-1)
                y = torch.where(a[0] >= 0, a[0], a[0] * slope.view(1, -1, *([1] * (a[0].dim() - 2))))
            elif op == "Relu":
                y = F.relu(a[0])
            elif op in ("Add", "Sub", "Mul", "Div"):
                y = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div}[op](a[0], a[1])
            elif op == "Flatten":
                y = torch.flatten(a[0], at.get("axis", 1))
            elif op == "Gemm":
                w = a[1].t() if at.get("transB", 0) else a[1]
                y = at.get("alpha", 1.0) * (a[0] @ w)
                if len(a) > 2:
                    y = y + at.get("beta", 1.0) * a[2]
            elif op == "MatMul":
                y = a[0] @ a[1]
            elif op == "Reshape":
                shape = [int(s) for s in a[1].tolist()]
                y = a[0].reshape([a[0].shape[i] if s == 0 else s for i, s in enumerate(shape)])
            elif op in ("Identity", "Dropout"):
                y = a[0]
            elif op == "Transpose":
                y = a[0].permute(at["perm"])
            elif op == "GlobalAveragePool":
                y = a[0].mean(dim=(2, 3), keepdim=True)
            else:  # Constant
                from onnx import numpy_helper

                y = torch.from_numpy(numpy_helper.to_array(at["value"]).copy()).to(x.device)
            env[outs[0]] = y
        return env[self.output_name]


def _attr(a: Any) -> Any:
    from onnx import helper

    return helper.get_attribute_value(a)


def load_arcface_torch(arg: str | None = None) -> OnnxGraphModule:
    """The ArcFace recognition network of the antelopev2 (default) or buffalo_l pack, or an onnx file path."""
    from pathlib import Path

    from fxcli import registry
    from fxcli.judges.arcface import PACKS

    if arg and Path(arg).expanduser().is_file():
        onnx_file = Path(arg).expanduser()
    else:
        model_name, filename = PACKS.get(arg or "antelopev2", PACKS["antelopev2"])
        onnx_file = registry.resolve(model_name, None if (arg in PACKS or arg is None) else arg).file(filename)
    try:
        import onnx
    except ImportError:
        raise ModelMissingError("the ArcFace identity loss reads the onnx file with the onnx package, which is "
                                "not installed", hint="pip install onnx") from None
    try:
        model = onnx.load(str(onnx_file))
    except (OSError, ValueError) as exc:
        raise ModelMissingError(f"{onnx_file}: not a readable onnx file ({exc})") from None
    return OnnxGraphModule(model)
