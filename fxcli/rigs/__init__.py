"""3D head rigs that turn expression frames into mesh vertices: the open ICT head and FLAME."""

from fxcli.rigs.mesh import Mesh

__all__ = ["Mesh"]
