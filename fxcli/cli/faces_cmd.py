"""`fxe faces PHOTO`: list every face (index, box, score) and optionally write a preview sheet."""

from __future__ import annotations

import json

import click

from fxcli.cli.options import command_options


@click.command("faces")
@click.argument("source", metavar="IMAGE")
@click.option("-o", "--output", metavar="SHEET.png", help="Write a preview sheet: the photo with numbered boxes "
              "and a crop of each face.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per face on stdout instead of a table.")
@command_options
def faces(source: str, output: str | None, as_json: bool) -> None:
    """List the faces in IMAGE: index (for `edit --face-index`), box, detector score.

    Faces are numbered largest first. A face marked "stray" (a detector score well below the best face's,
    or a box far smaller than the largest) does not make a photo with one clear face ambiguous for
    `fxe edit`; it can still be edited with --face-index.

    \b
    Examples:
      fxe faces group.jpg
      fxe faces group.jpg -o faces.png
      fxe faces group.jpg --json | jq .box
      fxe edit group.jpg -e happy --face-index 1 -o happy.png

    \b
    Exit status:
      0  faces listed (also when there are none: the list is empty)
      2  bad usage   3  unreadable image   1  the sheet could not be written
    """
    from fxcli.cli.console import console
    from fxcli.edit.faces_list import list_faces, preview_sheet
    from fxcli.face import load_image

    if output is not None:
        from fxcli.edit.output_names import check_name_length, check_suffix
        from fxcli.errors import UsageError

        if output == "-":
            raise UsageError("-o -: the preview sheet is an image file; stdout carries the face list",
                             hint="give a file name such as faces.png")
        check_name_length(output)
        check_suffix(output)
    image = load_image(source)
    _, rows = list_faces(image)
    if as_json:
        for r in rows:
            click.echo(json.dumps(r.as_dict()))
    else:
        click.echo("index  x0      y0      x1      y1      score  note")
        for r in rows:
            x0, y0, x1, y1 = r.box
            click.echo(f"{r.index:<6} {x0:<7.1f} {y0:<7.1f} {x1:<7.1f} {y1:<7.1f} {r.score:<6.3f} "
                       f"{'stray' if r.stray else ''}".rstrip())
    if not rows:
        console.info(f"no face found in {source}")
    if output:
        from fxcli.provenance import make_meta, save_image

        save_image(preview_sheet(image, rows), output, make_meta("faces", params={"source": source}))
        console.info(f"preview sheet {output}")
