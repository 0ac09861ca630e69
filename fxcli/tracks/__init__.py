"""The expression track format `fxe.track/v1`."""

from fxcli.tracks.track import FORMAT, Track
from fxcli.tracks.track_io import dumps_track, read_tracks, write_tracks

__all__ = ["FORMAT", "Track", "dumps_track", "read_tracks", "write_tracks"]
