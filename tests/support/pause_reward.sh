# Sourced by the CLI tests that kill a run at a known step whatever the machine's speed.
# write_pause_reward FILE DIR writes a reward file whose function `pace` (reward 0) stops on the
# call whose number (counted within one process) is in DIR/pause_at, writes its pid to DIR/paused and
# waits there (25 s at most) to be killed. kill_when_paused PID DIR waits for that, kills the run and
# the worker with SIGKILL.
write_pause_reward() {
  local file=$1 dir=$2
  cat > "$file" <<PY
import os, time
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function
calls = 0
@register_reward_function()
def pace(prompts, completions, answer, types=None):
    global calls
    calls += 1
    if os.path.exists("$dir/pause_at") and int(open("$dir/pause_at").read()) == calls:
        os.remove("$dir/pause_at")
        open("$dir/paused.tmp", "w").write(str(os.getpid()))
        os.rename("$dir/paused.tmp", "$dir/paused")
        time.sleep(25)
    return [0.0 for _ in completions]
PY
}
kill_when_paused() {
  local pid=$1 dir=$2
  for _ in $(seq 1 6000); do [[ -f $dir/paused ]] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
  [[ -f $dir/paused ]] || { echo "FAIL: the run ended before it paused" >&2; return 1; }
  kill -9 "$pid" "$(cat "$dir/paused")" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$dir/paused"
}
