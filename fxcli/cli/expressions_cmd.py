"""`fxe expressions`: the expression vocabulary (list, show, resolve)."""

from __future__ import annotations

import json

import click

from fxcli.cli.options import command_options


def _list(family: str | None, as_json: bool) -> None:
    from fxcli.errors import UsageError
    from fxcli.expressions.library import load_library

    lib = load_library()
    entries = lib.select(family)
    if not entries:
        raise UsageError(f"no expressions in family {family!r}",
                         hint=f"families: {', '.join(lib.families())}; basic classes and vocabularies work too")
    for e in entries:
        if as_json:
            click.echo(json.dumps(e.to_dict(), ensure_ascii=False))
        else:
            aus = " ".join(f"{k}:{v:g}" for k, v in e.aus.items()) or "-"
            click.echo(f"{e.name:<22} {e.family:<9} {e.basic:<8} {','.join(e.vocabularies):<26} {aus}")


@click.group("expressions", invoke_without_command=True)
@click.option("--family", default=None, metavar="NAME",
              help="Only this Shaver family (anger, fear, joy, love, sadness, surprise ...), basic class "
                   "(happy, sad ...) or vocabulary (emo135, pixelsmile, basic, compound).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per expression (JSON Lines).")
@command_options
@click.pass_context
def expressions(ctx: click.Context, family: str | None, as_json: bool) -> None:
    """List the expression library: name, family, basic class, vocabularies, AU recipe.

    The library holds Shaver's 135 emotion words (Emo135), PixelSmile's 12, the basic emotions with
    neutral and contempt, and the 21 compound expressions of Du et al. (2014), each as FACS Action
    Units with intensities, mapped to ARKit-52 weights (`fxe expressions show NAME`).

    \b
    Examples:
      fxe expressions --family sadness
      fxe expressions --family pixelsmile --json | jq -r .name
      fxe expressions show embarrassment
      fxe expressions resolve "a bitter half-smile"
    """
    if ctx.invoked_subcommand is None:
        _list(family, as_json)


@expressions.command("list")
@click.option("--family", default=None, metavar="NAME", help="Only this family, basic class or vocabulary.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per expression (JSON Lines).")
@command_options
def list_cmd(family: str | None, as_json: bool) -> None:
    """List the expressions (same as `fxe expressions`).

    \b
    Examples:
      fxe expressions list --family joy
      fxe expressions list --json | jq -r .name
    """
    _list(family, as_json)


@expressions.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as one JSON object.")
@command_options
def show(name: str, as_json: bool) -> None:
    """Print an expression's AUs, ARKit-52 weights and head pose. NAME: a name or a synonym.

    \b
    Examples:
      fxe expressions show contempt
      fxe expressions show ashamed --json
    """
    from fxcli.errors import UsageError
    from fxcli.expressions.au_arkit import AU_NAMES, parse_au_key
    from fxcli.expressions.library import load_library
    from fxcli.expressions.resolve import resolve_expression

    res = resolve_expression(name)
    if res.how == "semantic":
        near = ", ".join(n for n, _ in res.matches[:3])
        raise UsageError(f"no expression named {name!r}", hint=f"nearest: {near}")
    e = load_library().by_name[res.matches[0][0]]
    d = e.to_dict()
    if as_json:
        click.echo(json.dumps(d, ensure_ascii=False))
        return
    click.echo(f"{e.name}  (family {e.family}, cluster {e.cluster}, basic {e.basic}; {', '.join(e.vocabularies)})")
    if e.synonyms:
        click.echo(f"synonyms: {', '.join(e.synonyms)}")
    if e.note:
        click.echo(f"note: {e.note}")
    click.echo("action units:")
    for key, value in e.aus.items():
        number, side = parse_au_key(key)
        click.echo(f"  AU{key:<4} {value:4.2f}  {AU_NAMES.get(number, '')}{' (' + side.lower() + ' only)' if side else ''}")
    click.echo("arkit52 weights:")
    for channel, value in d["arkit52"].items():
        click.echo(f"  {channel:<20} {value:.3f}")
    if any(d["head_pose"]):
        click.echo(f"head pose (rad, x down / y left / z right tilt): {d['head_pose']}")


@expressions.command("resolve")
@click.argument("text")
@click.option("--top", type=click.IntRange(1, 50), default=5, show_default=True, help="How many matches to print.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@command_options
def resolve(text: str, top: int, as_json: bool) -> None:
    """Resolve TEXT (a name, synonym or description) to library entries, with similarity scores.

    This is what every --expression option does. Descriptions are compared with the MiniLM sentence
    encoder; the mixture line shows the weights --expression would use. Below a score of 0.5 the text
    is refused (exit 2) with the nearest names.

    \b
    Examples:
      fxe expressions resolve "a bitter half-smile"
      fxe expressions resolve mad --json
    """
    from fxcli.expressions.resolve import resolve_expression

    res = resolve_expression(text, top=top)
    mixture = res.mixture()
    if as_json:
        click.echo(json.dumps({"query": text, "how": res.how,
                               "matches": [{"name": n, "score": s} for n, s in res.matches],
                               "mixture": [{"name": n, "weight": w} for n, w in mixture]}, ensure_ascii=False))
        return
    click.echo(f"{text!r}: {res.how} match")
    for n, s in res.matches:
        click.echo(f"  {s:6.3f}  {n}")
    click.echo("mixture: " + ", ".join(f"{n} {w:.2f}" for n, w in mixture))
