"""`fxe completion bash|zsh|fish`: print a shell completion script to install.

The scripts are generated from the click command tree (commands, subcommands, options and the values
of choice options); scripts/gen_docs.py writes the same text into completions/.
"""

from __future__ import annotations

import click

from fxcli.cli.options import global_options

INSTALL = {
    "bash": 'fxe completion bash > "${BASH_COMPLETION_USER_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/bash-completion}'
            '/completions/fxe"',
    "zsh": 'fxe completion zsh > "${fpath[1]}/_fxe"   # or any folder on $fpath; then restart zsh',
    "fish": "fxe completion fish > ~/.config/fish/completions/fxe.fish",
}


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@global_options
def completion(shell: str) -> None:
    """Print the completion script for SHELL on stdout (commands, options, choice values, files).

    \b
    Examples:
      mkdir -p ~/.local/share/bash-completion/completions
      fxe completion bash > ~/.local/share/bash-completion/completions/fxe
      source <(fxe completion bash)     # this shell only
      fxe completion zsh > "${fpath[1]}/_fxe"                       # needs: zsh
      fxe completion fish > ~/.config/fish/completions/fxe.fish     # needs: fish

    \b
    Exit status:
      0  the script was printed
      2  SHELL is not bash, zsh or fish
    """
    from fxcli.cli.main import cli

    click.echo(SCRIPTS[shell](cli), nl=False)


def _walk(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1])
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from _walk(sub, path + [name])


def _tree(cli: click.Command):
    """{'fxe': opts, 'fxe text2flame': opts, ...}, {'fxe': subcommands, ...}, {(path, option): choices}."""
    opts, subs, choices = {}, {}, {}
    help_names = cli.context_settings.get("help_option_names")  # -h/--help on every command, as when run
    for path, command in _walk(cli, ["fxe"]):
        key = " ".join(path)
        ctx = click.Context(command, info_name=path[-1], help_option_names=help_names)
        opts[key] = sorted({o for p in command.get_params(ctx) if isinstance(p, click.Option)
                            for o in p.opts + p.secondary_opts})
        for p in command.get_params(ctx):
            if isinstance(p, click.Option) and isinstance(p.type, click.Choice):
                for o in p.opts:
                    choices[(key, o)] = list(p.type.choices)
        if isinstance(command, click.Group):
            subs[key] = [n for n in command.list_commands(ctx) if command.get_command(ctx, n) is not None]
    return opts, subs, choices


def bash_completion(cli: click.Command) -> str:
    opts, subs, choices = _tree(cli)
    lines = ["# bash completion for fxe (generated from the command tree; install: "
             "fxe completion bash > ~/.local/share/bash-completion/completions/fxe)", "_fxe() {",
             "  local cur prev words cword", "  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; "
             "prev=${COMP_WORDS[COMP_CWORD-1]}; words=(\"${COMP_WORDS[@]}\"); cword=$COMP_CWORD; }",
             "  local path=fxe i w", "  for ((i=1; i<cword; i++)); do w=${words[i]}",
             "    case \"$path $w\" in"]
    for key, names in subs.items():
        for n in names:
            lines.append(f'      "{key} {n}") path="{key} {n}";;')
    lines += ["    esac", "  done", '  case "$path|$prev" in']
    for (key, opt), values in sorted(choices.items()):
        lines.append(f'    "{key}|{opt}") COMPREPLY=($(compgen -W "{" ".join(values)}" -- "$cur")); return;;')
    lines += ["  esac", '  case "$path" in']
    for key in opts:
        words = opts[key] + subs.get(key, [])
        lines.append(f'    "{key}") COMPREPLY=($(compgen -W "{" ".join(words)}" -- "$cur"));;')
    lines += ["  esac", '  [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))', "}",
              "complete -o filenames -F _fxe fxe", ""]
    return "\n".join(lines)


def zsh_completion(cli: click.Command) -> str:
    opts, subs, _ = _tree(cli)
    lines = ["#compdef fxe", "# zsh completion for fxe (generated from the command tree; install: "
             'fxe completion zsh > "${fpath[1]}/_fxe")', "_fxe() {",
             "  local path=fxe i", "  for ((i=2; i<CURRENT; i++)); do", '    case "$path ${words[i]}" in']
    for key, names in subs.items():
        for n in names:
            lines.append(f'      "{key} {n}") path="{key} {n}";;')
    lines += ["    esac", "  done", "  local -a cands", '  case "$path" in']
    for key in opts:
        words = opts[key] + subs.get(key, [])
        lines.append(f'    "{key}") cands=({" ".join(words)});;')
    lines += ["  esac", "  compadd -a cands", "  _files", "}", 'compdef _fxe fxe', ""]
    return "\n".join(lines)


def fish_completion(cli: click.Command) -> str:
    opts, subs, choices = _tree(cli)
    lines = ["# fish completion for fxe (generated from the command tree; install: "
             "fxe completion fish > ~/.config/fish/completions/fxe.fish)"]
    for key, names in subs.items():
        depth = key.split()[1:]
        cond = "__fish_use_subcommand" if not depth else f"__fish_seen_subcommand_from {depth[-1]}"
        for n in names:
            lines.append(f"complete -c fxe -n '{cond}' -f -a {n}")
    for key, words in opts.items():
        depth = key.split()[1:]
        cond = "" if not depth else f" -n '__fish_seen_subcommand_from {depth[-1]}'"
        for o in words:
            flag = f"-l {o[2:]}" if o.startswith("--") else f"-s {o[1:]}"
            values = choices.get((key, o))
            extra = f" -x -a '{' '.join(values)}'" if values else ""
            lines.append(f"complete -c fxe{cond} {flag}{extra}")
    return "\n".join(lines) + "\n"


SCRIPTS = {"bash": bash_completion, "zsh": zsh_completion, "fish": fish_completion}
