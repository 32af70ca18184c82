#!/usr/bin/env bash
# The LoRA new-word demonstration of issue 7, end to end: teach the built-in amused-shapes model the colour word
# "pink" (which its text encoder and transformer never saw; its VQ did) from 50 images, then judge 100 pink
# prompts and the 200 held-out prompts of the acceptance run with the LoRA applied.
# The 50 pink images are trained together with 25 images of the old words (prior preservation): trained on pink
# alone, the LoRA shifted the old colour words too (old colours 77 % right with it, 97 % with the 25 added).
#   scripts/lora-demo.sh [WORK_DIR]     (default: /tmp/amused-lora-demo; prints the timings and both reports)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/amused-lora-demo}"
rm -rf "$work"
mkdir -p "$work"
amused() { "$root/amused" "$@"; }

amused dataset shapes --count 50 --seed 7 --shape-colour pink --output "$work/pink-data"
amused dataset shapes --count 25 --seed 8 --output "$work/old-words"
for image in "$work"/old-words/*.png; do cp "$image" "$work/pink-data/old-$(basename "$image")"; done
sed 's/"file_name":"/"file_name":"old-/' "$work/old-words/metadata.jsonl" >> "$work/pink-data/metadata.jsonl"
start=$(date +%s)
amused train --data "$work/pink-data" --use-lora --lora-rank 8 --lora-alpha 8 --lora-targets to_q,to_k,to_v,to_out.0 \
  --batch-size 8 --lr 2e-3 --lr-scheduler constant --lr-warmup-steps 0 --cond-dropout 0.1 --max-steps 400 \
  --checkpoint-every 0 --seed 0 --output "$work/pink-lora"
echo "LoRA training: $(( $(date +%s) - start )) s"
lora="$work/pink-lora/pytorch_lora_weights.safetensors"
echo "== the new word (100 pink prompts)"
amused shapes-eval --generate 100 --colour pink --lora "$lora" --save "$work/pink-images"
echo "== the old words (200 held-out prompts, LoRA applied)"
amused shapes-eval --generate 200 --lora "$lora"
