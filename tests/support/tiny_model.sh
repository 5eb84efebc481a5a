# Sourced by the CLI tests: make_tiny_model CLI DIR SEED writes a tiny Llama (hidden 32, 2 layers,
# 2 heads) with random weights into DIR, sharing the embedded default's SentencePiece tokenizer.
make_tiny_model() {
  local cli=$1 dir=$2 seed=$3
  local def
  def=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/resources/models/reinforge-arith-tiny
  mkdir -p "$dir"
  cp "$def/tokenizer.model" "$def/tokenizer_config.json" "$dir/"
  sed -e 's/"hidden_size": [0-9]*/"hidden_size": 32/' -e 's/"intermediate_size": [0-9]*/"intermediate_size": 64/' \
      -e 's/"num_hidden_layers": [0-9]*/"num_hidden_layers": 2/' -e 's/"head_dim": [0-9]*/"head_dim": 16/' \
      -e 's/"num_attention_heads": [0-9]*/"num_attention_heads": 2/' -e 's/"num_key_value_heads": [0-9]*/"num_key_value_heads": 1/' \
      "$def/config.json" > "$dir/config.json"
  "$cli" init-model "$dir" --seed "$seed" > /dev/null
}
