"""Reinforge's reward worker: runs a `reward_functions_file` written for mlx-lm-lora, unchanged, and
answers the engine (engine/rewards/python_worker.cpp) over its stdin/stdout, one JSON object per line.

    python3 reinforge_reward_worker.py FILE        (PYTHONPATH holds the mlx_lm_lora shim)

Protocol (version 1):
  worker -> engine, once:  {"ok": true, "protocol": 1, "registered": [names the file registered],
                            "available": [every registry name], "python": "3.11.2"}
                       or  {"ok": false, "error": "...", "traceback": "..."}   (then it exits)
  engine -> worker:        {"op": "score", "names": [...], "prompts": [...], "completions": [...],
                            "answers": [...], "types": [str | null, ...]}
  worker -> engine:        {"ok": true, "scores": {"name": [number | null, ...], ...}}
                       or  {"ok": false, "function": "name", "error": "...", "traceback": "..."}
The file's own print() output goes to stderr (the engine shows it), never into the protocol.
Each function is called as mlx-lm-lora calls it: fn(prompts=, completions=, answer=, types=).
"""
import importlib.machinery
import importlib.util
import json
import math
import os
import sys
import traceback

PROTOCOL = 1


def _die_with_parent():
    # Linux: get SIGKILL when the engine process goes away, even if a reward function never returns.
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except Exception:
        pass


def _clean(text):
    return str(text).encode("utf-8", "replace").decode("utf-8")


def _clip(text, limit, sep="\n"):
    # An error message or traceback quoted in a reply stays small, whatever the exception holds (a
    # message with a whole batch in it): its start and its end, with the count of what is left out.
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + f"{sep}... ({len(text) - 2 * half} characters left out) ...{sep}" + text[-half:]


def _one_line(exc):
    msg = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return _clip(_clean(msg.strip().splitlines()[0] if msg.strip() else msg), 2000, " ")


def _traceback():
    return _clip(_clean(traceback.format_exc()), 64000)


def _load_file(path):
    # As mlx-lm-lora's load_reward_functions_from_file (module name "custom_rewards"), with a loader
    # that accepts any file extension (the Studio also imports .txt files).
    loader = importlib.machinery.SourceFileLoader("custom_rewards", path)
    spec = importlib.util.spec_from_loader("custom_rewards", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_rewards"] = module
    loader.exec_module(module)


class BadReturn(Exception):
    pass


def _convert(raw, n):
    if raw is None:
        return [None] * n
    try:
        values = list(raw)
    except TypeError:
        raise BadReturn(f"returned {type(raw).__name__}, expected a list of {n} numbers") from None
    if len(values) != n:
        raise BadReturn(f"returned {len(values)} values for {n} completions (one per completion expected)")
    out = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise BadReturn(f"value {i} is {_clean(repr(v))[:80]}, not a number") from None
        if math.isnan(f):
            raise BadReturn(f"value {i} is NaN (return None for 'not applicable')")
        if math.isinf(f):
            raise BadReturn(f"value {i} is {f} (rewards must be finite)")
        out.append(f)
    return out


def main():
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)  # anything the file prints (even os.write(1, ...)) goes to stderr
    sys.stdout = sys.stderr
    proto_in = sys.stdin.buffer
    _die_with_parent()

    def send(obj):
        proto_out.write(json.dumps(obj, ensure_ascii=True, allow_nan=False) + "\n")
        proto_out.flush()

    if len(sys.argv) != 2:
        send({"ok": False, "error": "usage: reinforge_reward_worker.py FILE", "traceback": ""})
        return 2
    path = sys.argv[1]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        from mlx_lm_lora.trainer import grpo_reward_functions as registry
    except BaseException as exc:
        send({"ok": False, "error": "cannot import the mlx_lm_lora shim: " + _one_line(exc),
              "traceback": _traceback()})
        return 1
    before = dict(registry.REWARD_REGISTRY)
    try:
        _load_file(path)
    except BaseException as exc:
        send({"ok": False, "error": _one_line(exc), "traceback": _traceback()})
        return 1
    registered = [n for n, f in registry.REWARD_REGISTRY.items() if before.get(n) is not f]
    send({"ok": True, "protocol": PROTOCOL, "registered": registered,
          "available": list(registry.REWARD_REGISTRY.keys()), "python": sys.version.split()[0]})

    for line in proto_in:
        if not line.strip():
            continue
        try:
            req = json.loads(line.decode("utf-8", "replace"))
        except ValueError as exc:
            send({"ok": False, "function": "", "error": "bad request: " + _one_line(exc), "traceback": ""})
            continue
        if req.get("op") != "score":
            send({"ok": False, "function": "", "error": f"unknown op {req.get('op')!r}", "traceback": ""})
            continue
        prompts, completions = req["prompts"], req["completions"]
        answers, types = req["answers"], req["types"]
        scores, failure = {}, None
        for name in req["names"]:
            fn = registry.REWARD_REGISTRY.get(name)
            if fn is None:
                failure = {"ok": False, "function": name, "traceback": "",
                           "error": f"not registered (available: {list(registry.REWARD_REGISTRY.keys())})"}
                break
            try:
                raw = fn(prompts=list(prompts), completions=list(completions), answer=list(answers),
                         types=list(types))
            except BaseException as exc:
                failure = {"ok": False, "function": name, "error": "raised " + _one_line(exc),
                           "traceback": _traceback()}
                break
            try:
                scores[name] = _convert(raw, len(completions))
            except BadReturn as exc:
                failure = {"ok": False, "function": name, "error": _clean(exc), "traceback": ""}
                break
        send(failure if failure else {"ok": True, "scores": scores})
    return 0


if __name__ == "__main__":
    sys.exit(main())
