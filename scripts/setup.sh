#!/usr/bin/env bash
# Installs everything fxe needs on a fresh Debian machine: system packages, CPU torch, the project.
set -euo pipefail
PY=${PYTHON:-python3}
cd "$(dirname "$0")/.."

# Mesa EGL for offscreen OpenGL rendering; espeak-ng for synthetic speech in tests and text-only talk;
# chromium (headless) for the HTML report test.
apt_pkgs=(libegl1 libgl1-mesa-dri libegl-mesa0 libgles2 espeak-ng chromium)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup: missing Debian packages ${missing[*]} and no root: install them, or rendering falls back to software" >&2
  else
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# torch first, pinned: an unpinned torch pulls the CUDA build (GBs). Never torchvision.
if ! $PY -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  $PY -m pip install -q --disable-pip-version-check torch==2.13.0
fi
$PY -m pip install -q --disable-pip-version-check -e ".[test]"
