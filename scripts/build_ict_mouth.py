"""Write fxcli/assets/ict_mouth/ict_mouth.npz: the ICT head's mouth socket, gums, tongue and teeth (see
fxcli/edit/mouth_geometry.py). Usage: python3 scripts/build_ict_mouth.py [OUT.npz]"""

import sys

from fxcli.edit.mouth_geometry import main

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
