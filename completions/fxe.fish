# fish completion for fxe (generated from the command tree; install: fxe completion fish > ~/.config/fish/completions/fxe.fish)
complete -c fxe -n '__fish_use_subcommand' -f -a text2flame
complete -c fxe -n '__fish_use_subcommand' -f -a render
complete -c fxe -n '__fish_use_subcommand' -f -a edit
complete -c fxe -n '__fish_use_subcommand' -f -a faces
complete -c fxe -n '__fish_use_subcommand' -f -a blend
complete -c fxe -n '__fish_use_subcommand' -f -a score
complete -c fxe -n '__fish_use_subcommand' -f -a gen-avatar
complete -c fxe -n '__fish_use_subcommand' -f -a stylize
complete -c fxe -n '__fish_use_subcommand' -f -a train
complete -c fxe -n '__fish_use_subcommand' -f -a expressions
complete -c fxe -n '__fish_use_subcommand' -f -a track
complete -c fxe -n '__fish_use_subcommand' -f -a models
complete -c fxe -n '__fish_use_subcommand' -f -a env
complete -c fxe -n '__fish_use_subcommand' -f -a inspect
complete -c fxe -n '__fish_use_subcommand' -f -a plugins
complete -c fxe -n '__fish_use_subcommand' -f -a talk
complete -c fxe -n '__fish_use_subcommand' -f -a completion
complete -c fxe -n '__fish_use_subcommand' -f -a plot
complete -c fxe -n '__fish_use_subcommand' -f -a report
complete -c fxe -n '__fish_seen_subcommand_from train' -f -a cteg
complete -c fxe -n '__fish_seen_subcommand_from train' -f -a instructavatar
complete -c fxe -n '__fish_seen_subcommand_from train' -f -a pixelsmile
complete -c fxe -n '__fish_seen_subcommand_from train' -f -a pixelsmile-prepare
complete -c fxe -n '__fish_seen_subcommand_from train' -f -a text-emotion
complete -c fxe -n '__fish_seen_subcommand_from train' -f -a sdxl-expressions
complete -c fxe -n '__fish_seen_subcommand_from expressions' -f -a list
complete -c fxe -n '__fish_seen_subcommand_from expressions' -f -a resolve
complete -c fxe -n '__fish_seen_subcommand_from expressions' -f -a show
complete -c fxe -n '__fish_seen_subcommand_from track' -f -a capture
complete -c fxe -n '__fish_seen_subcommand_from track' -f -a convert
complete -c fxe -n '__fish_seen_subcommand_from track' -f -a validate
complete -c fxe -n '__fish_seen_subcommand_from models' -f -a list
complete -c fxe -n '__fish_seen_subcommand_from models' -f -a pull
complete -c fxe -n '__fish_seen_subcommand_from models' -f -a verify
complete -c fxe -n '__fish_seen_subcommand_from models' -f -a where
complete -c fxe -l device
complete -c fxe -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -l force
complete -c fxe -l help
complete -c fxe -l quiet
complete -c fxe -l seed
complete -c fxe -l traceback
complete -c fxe -l verbose
complete -c fxe -l version
complete -c fxe -s h
complete -c fxe -s q
complete -c fxe -s v
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l alpha
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l device
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l expression
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l force
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l fps
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l help
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l lang
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l max-frames
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l model
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l output
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l seed
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -s h
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -s o
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -s q
complete -c fxe -n '__fish_seen_subcommand_from text2flame' -s v
complete -c fxe -n '__fish_seen_subcommand_from render' -l audio
complete -c fxe -n '__fish_seen_subcommand_from render' -l bg
complete -c fxe -n '__fish_seen_subcommand_from render' -l crf
complete -c fxe -n '__fish_seen_subcommand_from render' -l device
complete -c fxe -n '__fish_seen_subcommand_from render' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from render' -l flame-model
complete -c fxe -n '__fish_seen_subcommand_from render' -l force
complete -c fxe -n '__fish_seen_subcommand_from render' -l frame
complete -c fxe -n '__fish_seen_subcommand_from render' -l help
complete -c fxe -n '__fish_seen_subcommand_from render' -l identity
complete -c fxe -n '__fish_seen_subcommand_from render' -l identity-seed
complete -c fxe -n '__fish_seen_subcommand_from render' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from render' -l output
complete -c fxe -n '__fish_seen_subcommand_from render' -l preview
complete -c fxe -n '__fish_seen_subcommand_from render' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from render' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from render' -l renderer -x -a 'auto egl software'
complete -c fxe -n '__fish_seen_subcommand_from render' -l rig -x -a 'ict flame'
complete -c fxe -n '__fish_seen_subcommand_from render' -l seed
complete -c fxe -n '__fish_seen_subcommand_from render' -l size
complete -c fxe -n '__fish_seen_subcommand_from render' -l stream-format -x -a 'mkv ts'
complete -c fxe -n '__fish_seen_subcommand_from render' -l style -x -a 'shaded toon wireframe'
complete -c fxe -n '__fish_seen_subcommand_from render' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from render' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from render' -l view
complete -c fxe -n '__fish_seen_subcommand_from render' -s h
complete -c fxe -n '__fish_seen_subcommand_from render' -s o
complete -c fxe -n '__fish_seen_subcommand_from render' -s q
complete -c fxe -n '__fish_seen_subcommand_from render' -s v
complete -c fxe -n '__fish_seen_subcommand_from edit' -l all-faces
complete -c fxe -n '__fish_seen_subcommand_from edit' -l alpha
complete -c fxe -n '__fish_seen_subcommand_from edit' -l device
complete -c fxe -n '__fish_seen_subcommand_from edit' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from edit' -l expression
complete -c fxe -n '__fish_seen_subcommand_from edit' -l face-index
complete -c fxe -n '__fish_seen_subcommand_from edit' -l force
complete -c fxe -n '__fish_seen_subcommand_from edit' -l help
complete -c fxe -n '__fish_seen_subcommand_from edit' -l identity
complete -c fxe -n '__fish_seen_subcommand_from edit' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from edit' -l min-id-sim
complete -c fxe -n '__fish_seen_subcommand_from edit' -l model
complete -c fxe -n '__fish_seen_subcommand_from edit' -l offload -x -a 'none model sequential'
complete -c fxe -n '__fish_seen_subcommand_from edit' -l output
complete -c fxe -n '__fish_seen_subcommand_from edit' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from edit' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from edit' -l seed
complete -c fxe -n '__fish_seen_subcommand_from edit' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from edit' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from edit' -s a
complete -c fxe -n '__fish_seen_subcommand_from edit' -s e
complete -c fxe -n '__fish_seen_subcommand_from edit' -s h
complete -c fxe -n '__fish_seen_subcommand_from edit' -s o
complete -c fxe -n '__fish_seen_subcommand_from edit' -s q
complete -c fxe -n '__fish_seen_subcommand_from edit' -s v
complete -c fxe -n '__fish_seen_subcommand_from faces' -l device
complete -c fxe -n '__fish_seen_subcommand_from faces' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from faces' -l force
complete -c fxe -n '__fish_seen_subcommand_from faces' -l help
complete -c fxe -n '__fish_seen_subcommand_from faces' -l json
complete -c fxe -n '__fish_seen_subcommand_from faces' -l output
complete -c fxe -n '__fish_seen_subcommand_from faces' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from faces' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from faces' -l seed
complete -c fxe -n '__fish_seen_subcommand_from faces' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from faces' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from faces' -s h
complete -c fxe -n '__fish_seen_subcommand_from faces' -s o
complete -c fxe -n '__fish_seen_subcommand_from faces' -s q
complete -c fxe -n '__fish_seen_subcommand_from faces' -s v
complete -c fxe -n '__fish_seen_subcommand_from blend' -l all-faces
complete -c fxe -n '__fish_seen_subcommand_from blend' -l device
complete -c fxe -n '__fish_seen_subcommand_from blend' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from blend' -l face-index
complete -c fxe -n '__fish_seen_subcommand_from blend' -l force
complete -c fxe -n '__fish_seen_subcommand_from blend' -l help
complete -c fxe -n '__fish_seen_subcommand_from blend' -l identity
complete -c fxe -n '__fish_seen_subcommand_from blend' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from blend' -l min-id-sim
complete -c fxe -n '__fish_seen_subcommand_from blend' -l model
complete -c fxe -n '__fish_seen_subcommand_from blend' -l offload -x -a 'none model sequential'
complete -c fxe -n '__fish_seen_subcommand_from blend' -l output
complete -c fxe -n '__fish_seen_subcommand_from blend' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from blend' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from blend' -l seed
complete -c fxe -n '__fish_seen_subcommand_from blend' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from blend' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from blend' -s h
complete -c fxe -n '__fish_seen_subcommand_from blend' -s o
complete -c fxe -n '__fish_seen_subcommand_from blend' -s q
complete -c fxe -n '__fish_seen_subcommand_from blend' -s v
complete -c fxe -n '__fish_seen_subcommand_from score' -l audio
complete -c fxe -n '__fish_seen_subcommand_from score' -l cppl-definition -x -a 'exact corner'
complete -c fxe -n '__fish_seen_subcommand_from score' -l cteg-model
complete -c fxe -n '__fish_seen_subcommand_from score' -l device
complete -c fxe -n '__fish_seen_subcommand_from score' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from score' -l expression
complete -c fxe -n '__fish_seen_subcommand_from score' -l face-index
complete -c fxe -n '__fish_seen_subcommand_from score' -l force
complete -c fxe -n '__fish_seen_subcommand_from score' -l help
complete -c fxe -n '__fish_seen_subcommand_from score' -l images
complete -c fxe -n '__fish_seen_subcommand_from score' -l index
complete -c fxe -n '__fish_seen_subcommand_from score' -l json
complete -c fxe -n '__fish_seen_subcommand_from score' -l judge
complete -c fxe -n '__fish_seen_subcommand_from score' -l list
complete -c fxe -n '__fish_seen_subcommand_from score' -l output
complete -c fxe -n '__fish_seen_subcommand_from score' -l pairs
complete -c fxe -n '__fish_seen_subcommand_from score' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from score' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from score' -l reference
complete -c fxe -n '__fish_seen_subcommand_from score' -l seed
complete -c fxe -n '__fish_seen_subcommand_from score' -l source
complete -c fxe -n '__fish_seen_subcommand_from score' -l talk
complete -c fxe -n '__fish_seen_subcommand_from score' -l text
complete -c fxe -n '__fish_seen_subcommand_from score' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from score' -l tracks
complete -c fxe -n '__fish_seen_subcommand_from score' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from score' -s h
complete -c fxe -n '__fish_seen_subcommand_from score' -s o
complete -c fxe -n '__fish_seen_subcommand_from score' -s q
complete -c fxe -n '__fish_seen_subcommand_from score' -s v
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l alpha
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l consistent
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l device
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l expressions
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l family
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l force
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l help
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l identities
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l identity
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l identity-from
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l lora
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l model
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l no-consistent
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l output
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l renderer -x -a 'auto egl software'
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l seed
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l sigma
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l size
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l steps
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l style -x -a 'toon shaded'
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -l workers
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s a
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s e
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s h
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s n
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s o
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s q
complete -c fxe -n '__fish_seen_subcommand_from gen-avatar' -s v
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l colors
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l device
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l face-index
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l force
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l help
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l model
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l output
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l prompt
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l seed
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l size
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l strength
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l style
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from stylize' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from stylize' -s h
complete -c fxe -n '__fish_seen_subcommand_from stylize' -s o
complete -c fxe -n '__fish_seen_subcommand_from stylize' -s q
complete -c fxe -n '__fish_seen_subcommand_from stylize' -s s
complete -c fxe -n '__fish_seen_subcommand_from stylize' -s v
complete -c fxe -n '__fish_seen_subcommand_from train' -l device
complete -c fxe -n '__fish_seen_subcommand_from train' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from train' -l force
complete -c fxe -n '__fish_seen_subcommand_from train' -l help
complete -c fxe -n '__fish_seen_subcommand_from train' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from train' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from train' -l seed
complete -c fxe -n '__fish_seen_subcommand_from train' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from train' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from train' -s h
complete -c fxe -n '__fish_seen_subcommand_from train' -s q
complete -c fxe -n '__fish_seen_subcommand_from train' -s v
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l batch-size
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l d-model
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l data
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l dev-fraction
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l device
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l dropout
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l dry-run
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l epochs
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l ffn
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l force
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l heads
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l help
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l layers
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l lr-mul
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l max-len
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l metric-samples
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l output
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l precision -x -a 'fp32 bf16 fp16'
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l resume
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l seed
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l text-encoder -x -a 'bert-base-cased minilm'
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from cteg' -l warmup
complete -c fxe -n '__fish_seen_subcommand_from cteg' -s h
complete -c fxe -n '__fish_seen_subcommand_from cteg' -s o
complete -c fxe -n '__fish_seen_subcommand_from cteg' -s q
complete -c fxe -n '__fish_seen_subcommand_from cteg' -s v
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l audio-features -x -a 'logmel wav2vec2'
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l batch-size
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l d-model
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l data
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l device
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l dropout
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l dry-run
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l epochs
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l ffn
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l force
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l heads
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l help
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l kernel
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l layers
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l lr
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l max-len
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l output
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l precision -x -a 'fp32 bf16 fp16'
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l resume
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l sample-steps
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l seed
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l text-encoder -x -a 'minilm clip-vit-large-patch14'
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -s h
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -s o
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -s q
complete -c fxe -n '__fish_seen_subcommand_from instructavatar' -s v
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l arcface
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l base
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l batch-size
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l clip
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l data
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l device
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l dry-run
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l epochs
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l force
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l gradient-checkpointing
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l help
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l lambda-id
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l lambda-sc
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l lora-alpha
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l lr
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l offload
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l output
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l precision -x -a 'fp32 bf16 fp16'
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l rank
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l resume
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l seed
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l size
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -l warmup
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -s h
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -s o
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -s q
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile' -s v
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l device
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l force
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l help
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l max-pairs
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l neutral
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l output
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l seed
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -s h
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -s o
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -s q
complete -c fxe -n '__fish_seen_subcommand_from pixelsmile-prepare' -s v
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l batch-size
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l cache
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l corpora -x -a 'goemotions goemotions,xed'
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l data
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l device
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l dropout
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l dry-run
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l ensemble
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l epochs
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l fine-mix
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l force
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l help
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l hidden
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l lr
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l max-train-lines
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l ngram-weight
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l output
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l precision -x -a 'fp32 bf16 fp16'
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l resume
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l seed
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -s h
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -s o
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -s q
complete -c fxe -n '__fish_seen_subcommand_from text-emotion' -s v
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l base
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l batch-size
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l data
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l device
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l dry-run
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l epochs
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l force
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l help
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l lr
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l output
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l precision -x -a 'fp32 bf16 fp16'
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l rank
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l resolution
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l resume
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l seed
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -s h
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -s o
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -s q
complete -c fxe -n '__fish_seen_subcommand_from sdxl-expressions' -s v
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l device
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l family
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l force
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l help
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l json
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l seed
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from expressions' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from expressions' -s h
complete -c fxe -n '__fish_seen_subcommand_from expressions' -s q
complete -c fxe -n '__fish_seen_subcommand_from expressions' -s v
complete -c fxe -n '__fish_seen_subcommand_from list' -l device
complete -c fxe -n '__fish_seen_subcommand_from list' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from list' -l family
complete -c fxe -n '__fish_seen_subcommand_from list' -l force
complete -c fxe -n '__fish_seen_subcommand_from list' -l help
complete -c fxe -n '__fish_seen_subcommand_from list' -l json
complete -c fxe -n '__fish_seen_subcommand_from list' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from list' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from list' -l seed
complete -c fxe -n '__fish_seen_subcommand_from list' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from list' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from list' -s h
complete -c fxe -n '__fish_seen_subcommand_from list' -s q
complete -c fxe -n '__fish_seen_subcommand_from list' -s v
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l device
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l force
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l help
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l json
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l seed
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l top
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from resolve' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from resolve' -s h
complete -c fxe -n '__fish_seen_subcommand_from resolve' -s q
complete -c fxe -n '__fish_seen_subcommand_from resolve' -s v
complete -c fxe -n '__fish_seen_subcommand_from show' -l device
complete -c fxe -n '__fish_seen_subcommand_from show' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from show' -l force
complete -c fxe -n '__fish_seen_subcommand_from show' -l help
complete -c fxe -n '__fish_seen_subcommand_from show' -l json
complete -c fxe -n '__fish_seen_subcommand_from show' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from show' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from show' -l seed
complete -c fxe -n '__fish_seen_subcommand_from show' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from show' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from show' -s h
complete -c fxe -n '__fish_seen_subcommand_from show' -s q
complete -c fxe -n '__fish_seen_subcommand_from show' -s v
complete -c fxe -n '__fish_seen_subcommand_from track' -l device
complete -c fxe -n '__fish_seen_subcommand_from track' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from track' -l force
complete -c fxe -n '__fish_seen_subcommand_from track' -l help
complete -c fxe -n '__fish_seen_subcommand_from track' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from track' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from track' -l seed
complete -c fxe -n '__fish_seen_subcommand_from track' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from track' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from track' -s h
complete -c fxe -n '__fish_seen_subcommand_from track' -s q
complete -c fxe -n '__fish_seen_subcommand_from track' -s v
complete -c fxe -n '__fish_seen_subcommand_from capture' -l device
complete -c fxe -n '__fish_seen_subcommand_from capture' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from capture' -l force
complete -c fxe -n '__fish_seen_subcommand_from capture' -l help
complete -c fxe -n '__fish_seen_subcommand_from capture' -l identity
complete -c fxe -n '__fish_seen_subcommand_from capture' -l max-frames
complete -c fxe -n '__fish_seen_subcommand_from capture' -l neutral
complete -c fxe -n '__fish_seen_subcommand_from capture' -l output
complete -c fxe -n '__fish_seen_subcommand_from capture' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from capture' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from capture' -l save-identity
complete -c fxe -n '__fish_seen_subcommand_from capture' -l seed
complete -c fxe -n '__fish_seen_subcommand_from capture' -l smooth
complete -c fxe -n '__fish_seen_subcommand_from capture' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from capture' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from capture' -s h
complete -c fxe -n '__fish_seen_subcommand_from capture' -s o
complete -c fxe -n '__fish_seen_subcommand_from capture' -s q
complete -c fxe -n '__fish_seen_subcommand_from capture' -s v
complete -c fxe -n '__fish_seen_subcommand_from convert' -l device
complete -c fxe -n '__fish_seen_subcommand_from convert' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from convert' -l flame-expressions
complete -c fxe -n '__fish_seen_subcommand_from convert' -l flame-model
complete -c fxe -n '__fish_seen_subcommand_from convert' -l force
complete -c fxe -n '__fish_seen_subcommand_from convert' -l format -x -a 'auto track llf-csv arkit-json glb'
complete -c fxe -n '__fish_seen_subcommand_from convert' -l help
complete -c fxe -n '__fish_seen_subcommand_from convert' -l identity
complete -c fxe -n '__fish_seen_subcommand_from convert' -l input-format -x -a 'auto track llf-csv arkit-json'
complete -c fxe -n '__fish_seen_subcommand_from convert' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from convert' -l output
complete -c fxe -n '__fish_seen_subcommand_from convert' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from convert' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from convert' -l seed
complete -c fxe -n '__fish_seen_subcommand_from convert' -l to -x -a 'arkit52 flame'
complete -c fxe -n '__fish_seen_subcommand_from convert' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from convert' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from convert' -s h
complete -c fxe -n '__fish_seen_subcommand_from convert' -s o
complete -c fxe -n '__fish_seen_subcommand_from convert' -s q
complete -c fxe -n '__fish_seen_subcommand_from convert' -s v
complete -c fxe -n '__fish_seen_subcommand_from validate' -l device
complete -c fxe -n '__fish_seen_subcommand_from validate' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from validate' -l force
complete -c fxe -n '__fish_seen_subcommand_from validate' -l help
complete -c fxe -n '__fish_seen_subcommand_from validate' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from validate' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from validate' -l seed
complete -c fxe -n '__fish_seen_subcommand_from validate' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from validate' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from validate' -s h
complete -c fxe -n '__fish_seen_subcommand_from validate' -s q
complete -c fxe -n '__fish_seen_subcommand_from validate' -s v
complete -c fxe -n '__fish_seen_subcommand_from models' -l device
complete -c fxe -n '__fish_seen_subcommand_from models' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from models' -l force
complete -c fxe -n '__fish_seen_subcommand_from models' -l help
complete -c fxe -n '__fish_seen_subcommand_from models' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from models' -l seed
complete -c fxe -n '__fish_seen_subcommand_from models' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from models' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from models' -s h
complete -c fxe -n '__fish_seen_subcommand_from models' -s q
complete -c fxe -n '__fish_seen_subcommand_from models' -s v
complete -c fxe -n '__fish_seen_subcommand_from list' -l device
complete -c fxe -n '__fish_seen_subcommand_from list' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from list' -l force
complete -c fxe -n '__fish_seen_subcommand_from list' -l help
complete -c fxe -n '__fish_seen_subcommand_from list' -l json
complete -c fxe -n '__fish_seen_subcommand_from list' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from list' -l seed
complete -c fxe -n '__fish_seen_subcommand_from list' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from list' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from list' -s h
complete -c fxe -n '__fish_seen_subcommand_from list' -s q
complete -c fxe -n '__fish_seen_subcommand_from list' -s v
complete -c fxe -n '__fish_seen_subcommand_from pull' -l device
complete -c fxe -n '__fish_seen_subcommand_from pull' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from pull' -l force
complete -c fxe -n '__fish_seen_subcommand_from pull' -l help
complete -c fxe -n '__fish_seen_subcommand_from pull' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from pull' -l seed
complete -c fxe -n '__fish_seen_subcommand_from pull' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from pull' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from pull' -s h
complete -c fxe -n '__fish_seen_subcommand_from pull' -s q
complete -c fxe -n '__fish_seen_subcommand_from pull' -s v
complete -c fxe -n '__fish_seen_subcommand_from verify' -l device
complete -c fxe -n '__fish_seen_subcommand_from verify' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from verify' -l force
complete -c fxe -n '__fish_seen_subcommand_from verify' -l help
complete -c fxe -n '__fish_seen_subcommand_from verify' -l path
complete -c fxe -n '__fish_seen_subcommand_from verify' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from verify' -l seed
complete -c fxe -n '__fish_seen_subcommand_from verify' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from verify' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from verify' -s h
complete -c fxe -n '__fish_seen_subcommand_from verify' -s q
complete -c fxe -n '__fish_seen_subcommand_from verify' -s v
complete -c fxe -n '__fish_seen_subcommand_from where' -l device
complete -c fxe -n '__fish_seen_subcommand_from where' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from where' -l force
complete -c fxe -n '__fish_seen_subcommand_from where' -l help
complete -c fxe -n '__fish_seen_subcommand_from where' -l path
complete -c fxe -n '__fish_seen_subcommand_from where' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from where' -l seed
complete -c fxe -n '__fish_seen_subcommand_from where' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from where' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from where' -s h
complete -c fxe -n '__fish_seen_subcommand_from where' -s q
complete -c fxe -n '__fish_seen_subcommand_from where' -s v
complete -c fxe -n '__fish_seen_subcommand_from env' -l device
complete -c fxe -n '__fish_seen_subcommand_from env' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from env' -l force
complete -c fxe -n '__fish_seen_subcommand_from env' -l help
complete -c fxe -n '__fish_seen_subcommand_from env' -l json
complete -c fxe -n '__fish_seen_subcommand_from env' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from env' -l seed
complete -c fxe -n '__fish_seen_subcommand_from env' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from env' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from env' -s h
complete -c fxe -n '__fish_seen_subcommand_from env' -s q
complete -c fxe -n '__fish_seen_subcommand_from env' -s v
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l device
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l force
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l help
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l seed
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from inspect' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from inspect' -s h
complete -c fxe -n '__fish_seen_subcommand_from inspect' -s q
complete -c fxe -n '__fish_seen_subcommand_from inspect' -s v
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l device
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l force
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l help
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l json
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l seed
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from plugins' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from plugins' -s h
complete -c fxe -n '__fish_seen_subcommand_from plugins' -s q
complete -c fxe -n '__fish_seen_subcommand_from plugins' -s v
complete -c fxe -n '__fish_seen_subcommand_from talk' -l alpha
complete -c fxe -n '__fish_seen_subcommand_from talk' -l audio
complete -c fxe -n '__fish_seen_subcommand_from talk' -l crf
complete -c fxe -n '__fish_seen_subcommand_from talk' -l device
complete -c fxe -n '__fish_seen_subcommand_from talk' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from talk' -l force
complete -c fxe -n '__fish_seen_subcommand_from talk' -l fps
complete -c fxe -n '__fish_seen_subcommand_from talk' -l help
complete -c fxe -n '__fish_seen_subcommand_from talk' -l instruction
complete -c fxe -n '__fish_seen_subcommand_from talk' -l jobs
complete -c fxe -n '__fish_seen_subcommand_from talk' -l lang
complete -c fxe -n '__fish_seen_subcommand_from talk' -l model
complete -c fxe -n '__fish_seen_subcommand_from talk' -l output
complete -c fxe -n '__fish_seen_subcommand_from talk' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from talk' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from talk' -l seed
complete -c fxe -n '__fish_seen_subcommand_from talk' -l size
complete -c fxe -n '__fish_seen_subcommand_from talk' -l text
complete -c fxe -n '__fish_seen_subcommand_from talk' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from talk' -l transcript
complete -c fxe -n '__fish_seen_subcommand_from talk' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from talk' -l voice
complete -c fxe -n '__fish_seen_subcommand_from talk' -s h
complete -c fxe -n '__fish_seen_subcommand_from talk' -s i
complete -c fxe -n '__fish_seen_subcommand_from talk' -s o
complete -c fxe -n '__fish_seen_subcommand_from talk' -s q
complete -c fxe -n '__fish_seen_subcommand_from talk' -s v
complete -c fxe -n '__fish_seen_subcommand_from completion' -l device
complete -c fxe -n '__fish_seen_subcommand_from completion' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from completion' -l force
complete -c fxe -n '__fish_seen_subcommand_from completion' -l help
complete -c fxe -n '__fish_seen_subcommand_from completion' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from completion' -l seed
complete -c fxe -n '__fish_seen_subcommand_from completion' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from completion' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from completion' -s h
complete -c fxe -n '__fish_seen_subcommand_from completion' -s q
complete -c fxe -n '__fish_seen_subcommand_from completion' -s v
complete -c fxe -n '__fish_seen_subcommand_from plot' -l device
complete -c fxe -n '__fish_seen_subcommand_from plot' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from plot' -l force
complete -c fxe -n '__fish_seen_subcommand_from plot' -l help
complete -c fxe -n '__fish_seen_subcommand_from plot' -l kind -x -a 'auto track sweep train scores'
complete -c fxe -n '__fish_seen_subcommand_from plot' -l output
complete -c fxe -n '__fish_seen_subcommand_from plot' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from plot' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from plot' -l seed
complete -c fxe -n '__fish_seen_subcommand_from plot' -l title
complete -c fxe -n '__fish_seen_subcommand_from plot' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from plot' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from plot' -s h
complete -c fxe -n '__fish_seen_subcommand_from plot' -s o
complete -c fxe -n '__fish_seen_subcommand_from plot' -s q
complete -c fxe -n '__fish_seen_subcommand_from plot' -s v
complete -c fxe -n '__fish_seen_subcommand_from report' -l device
complete -c fxe -n '__fish_seen_subcommand_from report' -l dtype -x -a 'auto float32 float16 bfloat16'
complete -c fxe -n '__fish_seen_subcommand_from report' -l force
complete -c fxe -n '__fish_seen_subcommand_from report' -l help
complete -c fxe -n '__fish_seen_subcommand_from report' -l output
complete -c fxe -n '__fish_seen_subcommand_from report' -l quiet
complete -c fxe -n '__fish_seen_subcommand_from report' -l recipe
complete -c fxe -n '__fish_seen_subcommand_from report' -l seed
complete -c fxe -n '__fish_seen_subcommand_from report' -l title
complete -c fxe -n '__fish_seen_subcommand_from report' -l traceback
complete -c fxe -n '__fish_seen_subcommand_from report' -l verbose
complete -c fxe -n '__fish_seen_subcommand_from report' -s h
complete -c fxe -n '__fish_seen_subcommand_from report' -s o
complete -c fxe -n '__fish_seen_subcommand_from report' -s q
complete -c fxe -n '__fish_seen_subcommand_from report' -s v
