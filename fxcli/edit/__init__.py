"""Expression editing of portraits: alpha sweeps, blends, outputs, contact sheets, identity guard.

The editors themselves are backends (`fxcli.backends.edit_embedded`, `fxcli.backends.edit_pixelsmile`);
this package holds what every backend shares:

    alpha_spec     `0.7`, `0:1.5:0.25`, `0,0.5,1` and `happy:0.6` blend terms
    output_names   where each output of a sweep or blend goes (file, folder, or {i} {name} {alpha} pattern)
    contact_sheet  one image showing a sweep side by side, labelled with alpha and identity similarity
    sweep_index    the JSON index of a sweep that `fxe score` reads
    identity_guard identity similarity of an output to its source (dlib judge)
    run_edit       the edit and blend procedures the commands call
"""
