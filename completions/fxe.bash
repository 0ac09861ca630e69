# bash completion for fxe (generated from the command tree; install: fxe completion bash > ~/.local/share/bash-completion/completions/fxe)
_fxe() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
  local path=fxe i w
  for ((i=1; i<cword; i++)); do w=${words[i]}
    case "$path $w" in
      "fxe text2flame") path="fxe text2flame";;
      "fxe render") path="fxe render";;
      "fxe edit") path="fxe edit";;
      "fxe faces") path="fxe faces";;
      "fxe blend") path="fxe blend";;
      "fxe score") path="fxe score";;
      "fxe gen-avatar") path="fxe gen-avatar";;
      "fxe stylize") path="fxe stylize";;
      "fxe train") path="fxe train";;
      "fxe expressions") path="fxe expressions";;
      "fxe track") path="fxe track";;
      "fxe models") path="fxe models";;
      "fxe env") path="fxe env";;
      "fxe inspect") path="fxe inspect";;
      "fxe plugins") path="fxe plugins";;
      "fxe talk") path="fxe talk";;
      "fxe completion") path="fxe completion";;
      "fxe plot") path="fxe plot";;
      "fxe report") path="fxe report";;
      "fxe train cteg") path="fxe train cteg";;
      "fxe train instructavatar") path="fxe train instructavatar";;
      "fxe train pixelsmile") path="fxe train pixelsmile";;
      "fxe train pixelsmile-prepare") path="fxe train pixelsmile-prepare";;
      "fxe train text-emotion") path="fxe train text-emotion";;
      "fxe train sdxl-expressions") path="fxe train sdxl-expressions";;
      "fxe expressions list") path="fxe expressions list";;
      "fxe expressions resolve") path="fxe expressions resolve";;
      "fxe expressions show") path="fxe expressions show";;
      "fxe track capture") path="fxe track capture";;
      "fxe track convert") path="fxe track convert";;
      "fxe track validate") path="fxe track validate";;
      "fxe models list") path="fxe models list";;
      "fxe models pull") path="fxe models pull";;
      "fxe models verify") path="fxe models verify";;
      "fxe models where") path="fxe models where";;
    esac
  done
  case "$path|$prev" in
    "fxe|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe blend|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe blend|--offload") COMPREPLY=($(compgen -W "none model sequential" -- "$cur")); return;;
    "fxe completion|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe edit|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe edit|--offload") COMPREPLY=($(compgen -W "none model sequential" -- "$cur")); return;;
    "fxe env|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe expressions|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe expressions list|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe expressions resolve|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe expressions show|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe faces|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe gen-avatar|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe gen-avatar|--renderer") COMPREPLY=($(compgen -W "auto egl software" -- "$cur")); return;;
    "fxe gen-avatar|--style") COMPREPLY=($(compgen -W "toon shaded" -- "$cur")); return;;
    "fxe inspect|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe models|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe models list|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe models pull|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe models verify|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe models where|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe plot|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe plot|--kind") COMPREPLY=($(compgen -W "auto track sweep train scores" -- "$cur")); return;;
    "fxe plugins|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe render|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe render|--renderer") COMPREPLY=($(compgen -W "auto egl software" -- "$cur")); return;;
    "fxe render|--rig") COMPREPLY=($(compgen -W "ict flame" -- "$cur")); return;;
    "fxe render|--stream-format") COMPREPLY=($(compgen -W "mkv ts" -- "$cur")); return;;
    "fxe render|--style") COMPREPLY=($(compgen -W "shaded toon wireframe" -- "$cur")); return;;
    "fxe report|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe score|--cppl-definition") COMPREPLY=($(compgen -W "exact corner" -- "$cur")); return;;
    "fxe score|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe stylize|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe talk|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe text2flame|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe track|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe track capture|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe track convert|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe track convert|--format") COMPREPLY=($(compgen -W "auto track llf-csv arkit-json glb" -- "$cur")); return;;
    "fxe track convert|--input-format") COMPREPLY=($(compgen -W "auto track llf-csv arkit-json" -- "$cur")); return;;
    "fxe track convert|--to") COMPREPLY=($(compgen -W "arkit52 flame" -- "$cur")); return;;
    "fxe track validate|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train cteg|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train cteg|--precision") COMPREPLY=($(compgen -W "fp32 bf16 fp16" -- "$cur")); return;;
    "fxe train cteg|--text-encoder") COMPREPLY=($(compgen -W "bert-base-cased minilm" -- "$cur")); return;;
    "fxe train instructavatar|--audio-features") COMPREPLY=($(compgen -W "logmel wav2vec2" -- "$cur")); return;;
    "fxe train instructavatar|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train instructavatar|--precision") COMPREPLY=($(compgen -W "fp32 bf16 fp16" -- "$cur")); return;;
    "fxe train instructavatar|--text-encoder") COMPREPLY=($(compgen -W "minilm clip-vit-large-patch14" -- "$cur")); return;;
    "fxe train pixelsmile|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train pixelsmile|--precision") COMPREPLY=($(compgen -W "fp32 bf16 fp16" -- "$cur")); return;;
    "fxe train pixelsmile-prepare|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train sdxl-expressions|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train sdxl-expressions|--precision") COMPREPLY=($(compgen -W "fp32 bf16 fp16" -- "$cur")); return;;
    "fxe train text-emotion|--corpora") COMPREPLY=($(compgen -W "goemotions goemotions,xed" -- "$cur")); return;;
    "fxe train text-emotion|--dtype") COMPREPLY=($(compgen -W "auto float32 float16 bfloat16" -- "$cur")); return;;
    "fxe train text-emotion|--precision") COMPREPLY=($(compgen -W "fp32 bf16 fp16" -- "$cur")); return;;
  esac
  case "$path" in
    "fxe") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --seed --traceback --verbose --version -h -q -v text2flame render edit faces blend score gen-avatar stylize train expressions track models env inspect plugins talk completion plot report" -- "$cur"));;
    "fxe text2flame") COMPREPLY=($(compgen -W "--alpha --device --dtype --expression --force --fps --help --jobs --lang --max-frames --model --output --quiet --recipe --seed --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe render") COMPREPLY=($(compgen -W "--audio --bg --crf --device --dtype --flame-model --force --frame --help --identity --identity-seed --jobs --output --preview --quiet --recipe --renderer --rig --seed --size --stream-format --style --traceback --verbose --view -h -o -q -v" -- "$cur"));;
    "fxe edit") COMPREPLY=($(compgen -W "--all-faces --alpha --device --dtype --expression --face-index --force --help --identity --jobs --min-id-sim --model --offload --output --quiet --recipe --seed --traceback --verbose -a -e -h -o -q -v" -- "$cur"));;
    "fxe faces") COMPREPLY=($(compgen -W "--device --dtype --force --help --json --output --quiet --recipe --seed --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe blend") COMPREPLY=($(compgen -W "--all-faces --device --dtype --face-index --force --help --identity --jobs --min-id-sim --model --offload --output --quiet --recipe --seed --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe score") COMPREPLY=($(compgen -W "--audio --cppl-definition --cteg-model --device --dtype --expression --face-index --force --help --images --index --json --judge --list --output --pairs --quiet --recipe --reference --seed --source --talk --text --traceback --tracks --verbose -h -o -q -v" -- "$cur"));;
    "fxe gen-avatar") COMPREPLY=($(compgen -W "--alpha --consistent --device --dtype --expressions --family --force --help --identities --identity --identity-from --jobs --lora --model --no-consistent --output --quiet --recipe --renderer --seed --sigma --size --steps --style --traceback --verbose --workers -a -e -h -n -o -q -v" -- "$cur"));;
    "fxe stylize") COMPREPLY=($(compgen -W "--colors --device --dtype --face-index --force --help --jobs --model --output --prompt --quiet --recipe --seed --size --strength --style --traceback --verbose -h -o -q -s -v" -- "$cur"));;
    "fxe train") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --recipe --seed --traceback --verbose -h -q -v cteg instructavatar pixelsmile pixelsmile-prepare text-emotion sdxl-expressions" -- "$cur"));;
    "fxe train cteg") COMPREPLY=($(compgen -W "--batch-size --d-model --data --dev-fraction --device --dropout --dry-run --dtype --epochs --ffn --force --heads --help --layers --lr-mul --max-len --metric-samples --output --precision --quiet --recipe --resume --seed --text-encoder --traceback --verbose --warmup -h -o -q -v" -- "$cur"));;
    "fxe train instructavatar") COMPREPLY=($(compgen -W "--audio-features --batch-size --d-model --data --device --dropout --dry-run --dtype --epochs --ffn --force --heads --help --kernel --layers --lr --max-len --output --precision --quiet --recipe --resume --sample-steps --seed --text-encoder --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe train pixelsmile") COMPREPLY=($(compgen -W "--arcface --base --batch-size --clip --data --device --dry-run --dtype --epochs --force --gradient-checkpointing --help --lambda-id --lambda-sc --lora-alpha --lr --offload --output --precision --quiet --rank --recipe --resume --seed --size --traceback --verbose --warmup -h -o -q -v" -- "$cur"));;
    "fxe train pixelsmile-prepare") COMPREPLY=($(compgen -W "--device --dtype --force --help --max-pairs --neutral --output --quiet --recipe --seed --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe train text-emotion") COMPREPLY=($(compgen -W "--batch-size --cache --corpora --data --device --dropout --dry-run --dtype --ensemble --epochs --fine-mix --force --help --hidden --lr --max-train-lines --ngram-weight --output --precision --quiet --recipe --resume --seed --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe train sdxl-expressions") COMPREPLY=($(compgen -W "--base --batch-size --data --device --dry-run --dtype --epochs --force --help --lr --output --precision --quiet --rank --recipe --resolution --resume --seed --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe expressions") COMPREPLY=($(compgen -W "--device --dtype --family --force --help --json --quiet --recipe --seed --traceback --verbose -h -q -v list resolve show" -- "$cur"));;
    "fxe expressions list") COMPREPLY=($(compgen -W "--device --dtype --family --force --help --json --quiet --recipe --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe expressions resolve") COMPREPLY=($(compgen -W "--device --dtype --force --help --json --quiet --recipe --seed --top --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe expressions show") COMPREPLY=($(compgen -W "--device --dtype --force --help --json --quiet --recipe --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe track") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --recipe --seed --traceback --verbose -h -q -v capture convert validate" -- "$cur"));;
    "fxe track capture") COMPREPLY=($(compgen -W "--device --dtype --force --help --identity --max-frames --neutral --output --quiet --recipe --save-identity --seed --smooth --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe track convert") COMPREPLY=($(compgen -W "--device --dtype --flame-expressions --flame-model --force --format --help --identity --input-format --jobs --output --quiet --recipe --seed --to --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe track validate") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --recipe --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe models") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --seed --traceback --verbose -h -q -v list pull verify where" -- "$cur"));;
    "fxe models list") COMPREPLY=($(compgen -W "--device --dtype --force --help --json --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe models pull") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe models verify") COMPREPLY=($(compgen -W "--device --dtype --force --help --path --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe models where") COMPREPLY=($(compgen -W "--device --dtype --force --help --path --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe env") COMPREPLY=($(compgen -W "--device --dtype --force --help --json --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe inspect") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe plugins") COMPREPLY=($(compgen -W "--device --dtype --force --help --json --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe talk") COMPREPLY=($(compgen -W "--alpha --audio --crf --device --dtype --force --fps --help --instruction --jobs --lang --model --output --quiet --recipe --seed --size --text --traceback --transcript --verbose --voice -h -i -o -q -v" -- "$cur"));;
    "fxe completion") COMPREPLY=($(compgen -W "--device --dtype --force --help --quiet --seed --traceback --verbose -h -q -v" -- "$cur"));;
    "fxe plot") COMPREPLY=($(compgen -W "--device --dtype --force --help --kind --output --quiet --recipe --seed --title --traceback --verbose -h -o -q -v" -- "$cur"));;
    "fxe report") COMPREPLY=($(compgen -W "--device --dtype --force --help --output --quiet --recipe --seed --title --traceback --verbose -h -o -q -v" -- "$cur"));;
  esac
  [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _fxe fxe
