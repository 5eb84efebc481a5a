#!/usr/bin/env python3
"""A loopback OpenAI-compatible judge for the CLI tests (python3 stdlib only).

usage: fake_judge.py        prints the port on stdout, then serves until killed (or until the
                            process that started it ends)

  POST /v1/chat/completions   {"choices": [{"message": {"content": "Score: N/10"}}]} with N from a
                              hash of the request's messages, so the same completion always gets
                              the same score (a resumed run can match an uninterrupted one)
  POST /_control  (JSON)      {"hang_after": N}: answer N more judge requests, then accept every
                              further one and never answer (-1: never hang); resets the count
  GET  /_count                {"requests": judge requests since the last /_control}
"""
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"hang_after": -1, "requests": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_count":
            with LOCK:
                return self.answer(200, {"requests": STATE["requests"]})
        self.answer(404, {"error": {"message": "no route for GET " + self.path}})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/_control":
            with LOCK:
                STATE["hang_after"] = json.loads(body or b"{}").get("hang_after", -1)
                STATE["requests"] = 0
            return self.answer(200, {})
        if not self.path.endswith("/chat/completions"):
            return self.answer(404, {"error": {"message": "no route for POST " + self.path}})
        with LOCK:
            STATE["requests"] += 1
            hang = 0 <= STATE["hang_after"] < STATE["requests"]
        if hang:  # accepted, read, never answered
            while True:
                time.sleep(3600)
        messages = json.loads(body).get("messages", [])
        digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).digest()
        content = "Score: %d/10" % (digest[0] % 11)
        self.answer(200, {"id": "fake", "object": "chat.completion",
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                       "finish_reason": "stop"}]})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    parent = os.getppid()

    def watch_parent():  # a test that crashed leaves no server behind
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
