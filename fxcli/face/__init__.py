"""Faces in photos: loading images, BlazeFace detection, FaceMesh 468 landmarks, face choice, aligned crops.

    image = load_image("portrait.jpg")          # RGB uint8 H×W×3; InvalidInputError (exit 3) for bad files
    faces = detect_faces(image)                 # largest first
    face = select_face(faces, face_index=None)  # NoFaceError (exit 5) when there is none
    crop = align_crop(image, face, size=256)    # upright square, eye line horizontal

Models: MediaPipe's BlazeFace short-range and FaceMesh tflite files (Apache-2.0), vendored in
fxcli/assets/mediapipe_face and run with ai-edge-litert on the CPU.
"""

from fxcli.face.align import AlignedCrop, align_crop, face_roi
from fxcli.face.detect import Face, FaceList, detect_faces, find_face, select_face
from fxcli.face.image_io import load_image

__all__ = ["AlignedCrop", "Face", "FaceList", "align_crop", "detect_faces", "face_roi", "find_face", "load_image",
           "select_face"]
