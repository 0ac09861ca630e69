"""Capture expression tracks from video: FaceMesh per frame, the ICT fit, temporal smoothing."""

from fxcli.capture.video_capture import CaptureResult, capture_video, read_video

__all__ = ["CaptureResult", "capture_video", "read_video"]
