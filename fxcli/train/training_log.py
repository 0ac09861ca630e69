"""The training log every `fxe train NAME` writes into its output folder, and the --dry-run report.

    train_log.jsonl   one JSON object per logged step (and one per epoch end, "kind": "epoch"):
                      {"kind": "step", "step": 12, "epoch": 1, "loss": 0.53, "lr": 0.0001, "seconds": 4.2,
                       "terms": {"fm": 0.41, "infonce": 1.1, ...}, "<term>": value ...}
                      Loss terms are also repeated at the top level under their names, so
                      `jq .fm train_log.jsonl` works without knowing the nesting.
    loss.png          the loss curve (total and each term against the step), redrawn after each epoch and at the end

Only the main process of a multi-process run writes. Resuming appends to the same file (the curve then
shows the whole history). matplotlib is imported only when the curve is drawn (Agg backend, no display).
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

LOG_NAME = "train_log.jsonl"
PLOT_NAME = "loss.png"
_RESERVED = {"kind", "step", "epoch", "loss", "lr", "seconds", "terms"}


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


class TrainingLog:
    """Append-only JSON Lines log of a training run plus its loss curve.

    `enabled=False` (non-main processes) makes every method a no-op, so callers need no branches.
    """

    def __init__(self, folder: str | Path, *, enabled: bool = True, resume: bool = False) -> None:
        self.folder = Path(folder)
        self.enabled = enabled
        self.path = self.folder / LOG_NAME
        self.plot_path = self.folder / PLOT_NAME
        self._t0 = time.monotonic()
        self._offset = 0.0  # seconds of the run(s) before a resume, so `seconds` keeps growing
        if not enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists():
            last = self.records()
            if last:
                self._offset = float(last[-1].get("seconds") or 0.0)
        elif self.path.exists():
            self.path.unlink()  # a fresh run starts a fresh log

    def _write(self, record: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")

    def _record(self, kind: str, step: int, epoch: int, loss: Any, terms: dict[str, Any] | None,
                lr: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        clean = {str(k): _number(v) for k, v in (terms or {}).items()}
        record: dict[str, Any] = {"kind": kind, "step": int(step), "epoch": int(epoch), "loss": _number(loss),
                                  "lr": _number(lr), "seconds": round(self._offset + time.monotonic() - self._t0, 3),
                                  "terms": clean}
        record.update({k: v for k, v in clean.items() if k not in _RESERVED})
        record.update({str(k): _number(v) for k, v in (extra or {}).items() if k not in _RESERVED})
        return record

    def step(self, *, step: int, epoch: int, loss: Any, terms: dict[str, Any] | None = None,
             lr: Any = None, extra: dict[str, Any] | None = None) -> None:
        """Log one optimiser step (epoch counts from 1); `extra`: other numbers (not loss terms, not plotted)."""
        if self.enabled:
            self._write(self._record("step", step, epoch, loss, terms, lr, extra))

    def epoch(self, *, step: int, epoch: int, loss: Any, terms: dict[str, Any] | None = None, lr: Any = None,
              plot: bool = True, extra: dict[str, Any] | None = None) -> None:
        """Log an epoch summary (mean losses, dev scores as terms) and redraw the curve."""
        if not self.enabled:
            return
        self._write(self._record("epoch", step, epoch, loss, terms, lr, extra))
        if plot:
            self.plot()

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash: skip it
        return out

    def plot(self) -> Path | None:
        """Draw loss.png from the step records (falls back to epoch records when no step was logged)."""
        if not self.enabled:
            return None
        records = self.records()
        rows = [r for r in records if r.get("kind") == "step"] or [r for r in records if r.get("kind") == "epoch"]
        if not rows:
            return None
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.figure import Figure

        from fxcli.io.atomic import atomic_path

        fig = Figure(figsize=(7, 4), dpi=100)
        ax = fig.add_subplot(1, 1, 1)
        steps = [r["step"] for r in rows]
        ax.plot(steps, [r.get("loss") for r in rows], label="loss", linewidth=2, color="black")
        names = sorted({k for r in rows for k in (r.get("terms") or {})})
        for name in names:
            values = [(r.get("terms") or {}).get(name) for r in rows]
            if any(v is not None for v in values):
                ax.plot(steps, values, label=name, linewidth=1)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_title(f"training loss ({self.folder.name})")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        with atomic_path(self.plot_path) as tmp:
            fig.savefig(tmp, format="png")
        return self.plot_path

    def close(self) -> None:
        self.plot()


def parameter_counts(**modules: Any) -> dict[str, dict[str, int]]:
    """{name: {"total": n, "trainable": n}} for torch modules (None entries are skipped)."""
    out = {}
    for name, module in modules.items():
        if module is None:
            continue
        params = list(module.parameters())
        out[name] = {"total": int(sum(p.numel() for p in params)),
                     "trainable": int(sum(p.numel() for p in params if p.requires_grad))}
    return out


def reset_peak_memory(device: Any) -> None:
    import torch

    if str(device).startswith("cuda") and torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory(device: Any) -> dict[str, Any]:
    """Peak memory of this process: torch.cuda.max_memory_allocated on CUDA, maxrss (RSS high-water mark) on CPU."""
    out: dict[str, Any] = {}
    if str(device).startswith("cuda"):
        import torch

        out["cuda_max_allocated_bytes"] = int(torch.cuda.max_memory_allocated(device))
        out["cuda_max_reserved_bytes"] = int(torch.cuda.max_memory_reserved(device))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["cpu_max_rss_bytes"] = int(rss if sys.platform == "darwin" else rss * 1024)  # Linux reports KiB
    out["device"] = str(device)
    return out


def dry_run_report(trainer: str, *, device: Any, modules: dict[str, Any], step: dict[str, Any],
                   **extra: Any) -> dict[str, Any]:
    """The JSON `--dry-run` prints: parameter counts per module, one step's losses, peak memory."""
    counts = parameter_counts(**modules)
    return {"trainer": trainer, "dry_run": True, "parameters": counts,
            "parameters_total": sum(c["total"] for c in counts.values()),
            "parameters_trainable": sum(c["trainable"] for c in counts.values()),
            "step": {k: _number(v) if not isinstance(v, str) else v for k, v in step.items()},
            "peak_memory": peak_memory(device), **extra}
