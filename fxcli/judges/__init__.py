"""Judges that score faces: embedded (expression, identity, geometry) and full ones from local weights."""
