#!/usr/bin/env bash
# The main job on the embedded default: text -> expression track -> rendered video, then its provenance.
set -euo pipefail
OUT=${OUT:-demo-out}
mkdir -p "$OUT"
fxe text2flame "What a beautiful story." --seed 1 | fxe render -o "$OUT/story.mp4"
fxe inspect "$OUT/story.mp4"
echo "demo: wrote $OUT/story.mp4" >&2
