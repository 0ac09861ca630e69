#!/usr/bin/env python3
"""Render an fxe .glb in headless Chromium with three.js and save a screenshot (a check that the export
opens in a real glTF viewer: morph targets by name, the animation, the head rotation).

    python3 scripts/screenshot_glb.py TRACK.glb SHOT.png [--time SECONDS] [--size 800x800]

three.js comes from npm, installed once into /tmp/fxe-three (never into the repository); Chromium is
Debian's `chromium` (scripts/setup.sh). The page is served from a temporary folder on 127.0.0.1 (ES
modules do not load from file://); WebGL runs on SwiftShader. The page poses the animation at --time
(default: the middle of the track), renders one frame and writes, in the page title, the morph target
count, the animation's duration and the three strongest targets at that time; the script prints it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

THREE_DIR = Path("/tmp/fxe-three")
THREE_VERSION = "0.160.0"

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>loading</title>
<style>html,body{margin:0;background:#eef1f4;overflow:hidden}</style>
<script type="importmap">{"imports": {"three": "./three.module.js", "three/addons/": "./jsm/"}}</script>
</head><body><script type="module">
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
const W = __W__, H = __H__, T = __T__;
const renderer = new THREE.WebGLRenderer({antialias: true, preserveDrawingBuffer: true});
renderer.setSize(W, H); renderer.setPixelRatio(1);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene(); scene.background = new THREE.Color(0xeef1f4);
scene.add(new THREE.HemisphereLight(0xffffff, 0x667788, 1.6));
const key = new THREE.DirectionalLight(0xffffff, 2.2); key.position.set(0.4, 0.6, 1.0); scene.add(key);
new GLTFLoader().load('model.glb', (gltf) => {
  scene.add(gltf.scene);
  let mesh = null; gltf.scene.traverse((o) => { if (o.isMesh) mesh = o; });
  const clip = gltf.animations[0];
  const mixer = new THREE.AnimationMixer(gltf.scene);
  mixer.clipAction(clip).play();
  const t = T < 0 ? clip.duration / 2 : T;
  mixer.setTime(t);
  gltf.scene.updateMatrixWorld(true);
  const box = new THREE.Box3().setFromObject(mesh);
  const c = box.getCenter(new THREE.Vector3()), s = box.getSize(new THREE.Vector3());
  const camera = new THREE.PerspectiveCamera(22, W / H, 0.01, 10);
  camera.position.set(c.x, c.y + 0.02, c.z + 2.6 * Math.max(s.x, s.y));
  camera.lookAt(c.x, c.y + 0.02, c.z);
  renderer.render(scene, camera);
  const dict = mesh.morphTargetDictionary, inf = mesh.morphTargetInfluences;
  const names = Object.keys(dict).sort((a, b) => inf[dict[b]] - inf[dict[a]]).slice(0, 3);
  document.title = JSON.stringify({targets: Object.keys(dict).length, duration: clip.duration, time: t,
    tracks: clip.tracks.map((k) => k.name), top: names.map((n) => [n, +inf[dict[n]].toFixed(3)])});
}, undefined, (e) => { document.title = 'error ' + e; });
</script></body></html>
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the page's requests are not worth a line each
        pass


def ensure_three() -> Path:
    module = THREE_DIR / "node_modules" / "three"
    if not (module / "build" / "three.module.js").is_file():
        THREE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(THREE_DIR), f"three@{THREE_VERSION}"],
                       check=True)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("glb")
    ap.add_argument("shot")
    ap.add_argument("--time", type=float, default=-1.0)
    ap.add_argument("--size", default="800x800")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium, see scripts/setup.sh)")
    width, height = (int(x) for x in args.size.split("x"))
    three = ensure_three()
    with tempfile.TemporaryDirectory(prefix="fxe-glb-") as tmp:
        site = Path(tmp)
        shutil.copy(three / "build" / "three.module.js", site / "three.module.js")
        shutil.copytree(three / "examples" / "jsm", site / "jsm")
        shutil.copy(args.glb, site / "model.glb")
        page = PAGE.replace("__W__", str(width)).replace("__H__", str(height)).replace("__T__", str(args.time))
        (site / "view.html").write_text(page, encoding="utf-8")
        handler = functools.partial(QuietHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/view.html"
        try:
            done = subprocess.run([chromium, "--headless", "--no-sandbox", "--hide-scrollbars",
                                   "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                                   f"--window-size={width},{height}", "--virtual-time-budget=20000",
                                   f"--screenshot={Path(args.shot).resolve()}", "--dump-dom", url],
                                  capture_output=True, text=True, timeout=300)
        finally:
            server.shutdown()
    title = done.stdout.split("<title>", 1)[-1].split("</title>", 1)[0] if "<title>" in done.stdout else ""
    if not title.startswith("{"):
        sys.exit(f"the page did not render the model: title {title!r}; chromium: {done.stderr.strip()[-400:]}")
    info = json.loads(title.replace("&quot;", '"'))
    print(json.dumps({"screenshot": args.shot, **info}))


if __name__ == "__main__":
    main()
