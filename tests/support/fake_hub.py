#!/usr/bin/env python3
"""A loopback stand-in for the Hugging Face Hub, for the download tests (python3 stdlib only).

usage: fake_hub.py ROOT [--port N]     prints the port on stdout, then serves until killed (or
                                       until the process that started it ends)

ROOT/models/ORG/NAME/...  and  ROOT/datasets/ORG/NAME/...  are repos; their files are served at
revision "main" (also "HEAD") and at a commit sha computed from the file list. A repo folder may
hold `.hub.json` ({"token": "hf_..."}): the repo is then gated and answers 401 unless that token is
sent as `Authorization: Bearer`. Files named .hub* are not part of the repo.

"LFS" files (over 1 KB, or .safetensors/.parquet/.bin/.gguf) have the sha256 of their content as
etag; the others the git blob sha1 (sha1 of "blob <size>\\0" + content), sent as a weak ETag W/"..".
The Hub's protocol, as huggingface_hub and @huggingface/hub use it:
  GET  /api/{models|datasets}/ID/revision/REV      {"id", "sha", "siblings": [{rfilename, size, blobId, lfs?}]}
  GET  /api/{models|datasets}/ID/tree/REV?recursive=true     [{type, path, oid, size, lfs?}]
  POST /api/{models|datasets}/ID/paths-info/REV  {"paths": [...]}   the same entries, with lastCommit
  GET|HEAD /ID/resolve/REV/PATH  (/datasets/ID/resolve/...)   small files: 200 with ETag, X-Repo-Commit;
       LFS files: 302 to /cdn/<kind>/ID/<sha256> with X-Linked-Etag, X-Linked-Size, X-Repo-Commit
  GET|HEAD /cdn/...                                  the bytes; Range: bytes=A-[B] answers 206
Errors carry X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo).

Test hooks:
  GET /_log                   every request so far: [{method, path, range, auth, status}]
  GET /_log?clear=1           the same, then forgets them
  POST /_control  (JSON)      {"faults": [...], "cdn_host": "localhost"} replaces the settings; also
                              read at start from the environment variable FAKE_HUB_CONTROL.
  A fault: {"match": "substring of the path", "method": "GET" (optional), "times": 1, "mode": M}
  with M one of: "429", "500" (an error answer, then the fault is used up), "drop" (send "after"
  bytes of the body, then close the connection), "corrupt" (flip the byte at "after"),
  "ignore_range" (answer 200 with the whole file to a Range request), "slow" (send the body at
  "rate" bytes per second), "pad" (a repo-info answer padded with spaces to "bytes" bytes).
  "cdn_host" replaces the host name in the CDN redirects (e.g. "localhost" when the endpoint is
  http://127.0.0.1:PORT, so the CDN is another host, like the Hub's).
"""
import hashlib
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = ""
LOCK = threading.Lock()
LOG = []
CONTROL = {"faults": [], "cdn_host": None}
ETAGS = {}  # (path, size, mtime) -> etag
LFS_EXT = (".safetensors", ".parquet", ".bin", ".gguf")


def is_lfs(path, size):
    return size > 1024 or path.endswith(LFS_EXT)


def etag_of(full, rel):
    st = os.stat(full)
    key = (full, st.st_size, st.st_mtime_ns)
    with LOCK:
        if key in ETAGS:
            return ETAGS[key]
    h = hashlib.sha256() if is_lfs(rel, st.st_size) else hashlib.sha1(b"blob %d\0" % st.st_size)
    with open(full, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    with LOCK:
        ETAGS[key] = h.hexdigest()
    return ETAGS[key]


class Repo:
    def __init__(self, kind, repo_id):
        self.kind, self.id = kind, repo_id
        self.dir = os.path.join(ROOT, kind + "s", *repo_id.split("/"))
        self.exists = ".." not in repo_id and os.path.isdir(self.dir)
        self.token = None
        conf = os.path.join(self.dir, ".hub.json")
        if self.exists and os.path.exists(conf):
            with open(conf) as f:
                self.token = json.load(f).get("token")

    def files(self):  # [(rel path, full path, size, etag, lfs)]
        out = []
        for dirpath, dirnames, filenames in os.walk(self.dir):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(".hub"):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self.dir).replace(os.sep, "/")
                size = os.path.getsize(full)
                out.append((rel, full, size, etag_of(full, rel), is_lfs(rel, size)))
        return out

    def commit(self):
        h = hashlib.sha1()
        for rel, _, _, etag, _ in self.files():
            h.update(("%s\0%s\n" % (rel, etag)).encode())
        return h.hexdigest()

    def entry(self, f, commit):  # a tree / paths-info entry
        rel, full, size, etag, lfs = f
        e = {"type": "file", "path": rel, "size": size, "oid": hashlib.sha1(rel.encode()).hexdigest() if lfs else etag}
        if lfs:
            e["lfs"] = {"oid": etag, "size": size, "pointerSize": 134}
        e["lastCommit"] = {"id": commit, "title": "fake commit", "date": "2025-01-01T00:00:00.000Z"}
        return e


def split_repo(parts):
    """parts after the kind prefix: ORG/NAME/<verb>/... or NAME/<verb>/... -> (id, verb, rest)."""
    for n in (2, 1):
        if len(parts) > n and parts[n] in ("revision", "tree", "paths-info", "resolve"):
            return "/".join(parts[:n]), parts[n], parts[n + 1:]
    return None, None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

    def log_message(self, *args):
        pass

    # -- plumbing --------------------------------------------------------------------------------
    def take_fault(self):
        with LOCK:
            for f in CONTROL["faults"]:
                if f.get("times", 1) <= 0 or f.get("match", "") not in self.path:
                    continue
                if f.get("method") and f["method"] != self.command:
                    continue
                f["times"] = f.get("times", 1) - 1
                return f
        return None

    def record(self, status):
        if self.path.startswith(("/_log", "/_control")):
            return
        with LOCK:
            LOG.append({"method": self.command, "path": self.path, "range": self.headers.get("Range"),
                        "auth": self.headers.get("Authorization"), "status": status})

    def answer(self, status, headers=None, body=b""):
        self.record(status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"error": message}).encode()
        self.answer(status, {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message}, body)

    def send_file(self, full, headers, fault):
        size = os.path.getsize(full)
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if rng and not (fault and fault["mode"] == "ignore_range"):
            a, _, b = rng.replace("bytes=", "").partition("-")
            start, end = int(a), int(b) if b else size - 1
            if start >= size:
                return self.answer(416, {"Content-Range": "bytes */%d" % size})
            end, status = min(end, size - 1), 206
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, size)
        count = end - start + 1
        self.record(status)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(count))
        self.end_headers()
        if self.command == "HEAD":
            return
        with open(full, "rb") as f:
            if fault and fault["mode"] == "drop":
                f.seek(start)
                self.wfile.write(f.read(min(count, fault.get("after", 1000))))
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
            elif fault and fault["mode"] == "slow":
                f.seek(start)
                left = count
                while left > 0:
                    chunk = f.read(min(left, 16384))
                    self.wfile.write(chunk)
                    left -= len(chunk)
                    time.sleep(len(chunk) / fault.get("rate", 65536))
            elif fault and fault["mode"] == "corrupt":
                f.seek(start)
                data = bytearray(f.read(count))
                data[min(fault.get("after", 0), len(data) - 1)] ^= 0xFF
                self.wfile.write(bytes(data))
            else:
                self.connection.sendfile(f, start, count)

    def check_auth(self, repo):
        if repo.token and self.headers.get("Authorization") != "Bearer " + repo.token:
            self.error(401, "GatedRepo", "Access to %s %s is restricted. You must have access to it and be authenticated to access it." % (repo.kind, repo.id))
            return False
        return True

    def find_repo(self, kind, repo_id, rev):
        """(repo, commit) or None after answering the error."""
        repo = Repo(kind, repo_id)
        if not repo.exists:
            self.error(404, "RepoNotFound", "Repository not found")
            return None
        if not self.check_auth(repo):
            return None
        commit = repo.commit()
        if rev not in ("main", "HEAD", commit):
            self.error(404, "RevisionNotFound", "Invalid rev id: " + rev)
            return None
        return repo, commit

    # -- routes ----------------------------------------------------------------------------------
    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            set_control(json.loads(body or b"{}"))
            return self.answer(200, {}, b"{}")
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
        if len(parts) > 2 and parts[0] == "api" and parts[1] in ("models", "datasets"):
            repo_id, verb, rest = split_repo(parts[2:])
            if verb == "paths-info" and rest:
                found = self.find_repo(parts[1][:-1], repo_id, rest[0])
                if not found:
                    return
                repo, commit = found
                wanted = set(json.loads(body or b"{}").get("paths", []))
                out = [repo.entry(f, commit) for f in repo.files() if f[0] in wanted]
                return self.answer(200, {"Content-Type": "application/json"}, json.dumps(out).encode())
        self.error(404, "NotFound", "no route for POST " + url.path)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/_log":
            with LOCK:
                body = json.dumps(LOG).encode()
                if "clear" in query:
                    LOG.clear()
            return self.answer(200, {"Content-Type": "application/json"}, body)
        fault = self.take_fault()
        if fault and fault["mode"] in ("429", "500"):
            return self.answer(int(fault["mode"]), {"Retry-After": "0"} if fault["mode"] == "429" else {}, b"injected fault")
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
        if len(parts) > 2 and parts[0] == "api" and parts[1] in ("models", "datasets"):
            return self.api(parts[1][:-1], parts[2:], fault)
        if parts and parts[0] == "cdn" and len(parts) > 3:
            return self.cdn(parts[1], "/".join(parts[2:-1]), parts[-1], fault)
        kind = "model"
        if parts and parts[0] == "datasets":
            kind, parts = "dataset", parts[1:]
        repo_id, verb, rest = split_repo(parts)
        if verb == "resolve" and len(rest) >= 2:
            return self.resolve(kind, repo_id, rest[0], "/".join(rest[1:]), fault)
        self.error(404, "NotFound", "no route for " + url.path)

    def api(self, kind, parts, fault=None):
        repo_id, verb, rest = split_repo(parts)
        if verb not in ("revision", "tree") or not rest:
            return self.error(404, "NotFound", "no such API")
        found = self.find_repo(kind, repo_id, rest[0])
        if not found:
            return
        repo, commit = found
        files = repo.files()
        if verb == "revision":
            siblings = []
            for rel, _, size, etag, lfs in files:
                s = {"rfilename": rel, "size": size, "blobId": etag}
                if lfs:
                    s["lfs"] = {"sha256": etag, "size": size, "pointerSize": 134}
                siblings.append(s)
            info = {"_id": "fake" + commit[:20], "id": repo_id, "sha": commit, "private": False, "gated": bool(repo.token),
                    "lastModified": "2025-01-01T00:00:00.000Z", "siblings": siblings}
            body = json.dumps(info).encode()
            if fault and fault["mode"] == "pad":  # still valid JSON, "bytes" long
                body = body[:-1] + b" " * max(0, fault.get("bytes", 0) - len(body)) + b"}"
            return self.answer(200, {"Content-Type": "application/json"}, body)
        dirs = sorted({"/".join(f[0].split("/")[:i]) for f in files for i in range(1, f[0].count("/") + 1)})
        out = [{"type": "directory", "path": d, "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0} for d in dirs]
        out += [repo.entry(f, commit) for f in files]
        return self.answer(200, {"Content-Type": "application/json"}, json.dumps(out).encode())

    def resolve(self, kind, repo_id, rev, path, fault):
        found = self.find_repo(kind, repo_id, rev)
        if not found:
            return
        repo, commit = found
        match = [f for f in repo.files() if f[0] == path]
        if not match:
            return self.error(404, "EntryNotFound", "%s does not exist on %s" % (path, rev))
        rel, full, size, etag, lfs = match[0]
        if lfs:
            host = CONTROL.get("cdn_host") or self.headers.get("Host", "127.0.0.1").split(":")[0]
            port = self.server.server_address[1]
            location = "http://%s:%d/cdn/%s/%s/%s?expires=never" % (host, port, kind, repo_id, etag)
            return self.answer(302, {"Location": location, "X-Repo-Commit": commit, "X-Linked-Etag": '"%s"' % etag,
                                     "X-Linked-Size": str(size), "ETag": '"%s"' % hashlib.sha1(rel.encode()).hexdigest()})
        self.send_file(full, {"ETag": 'W/"%s"' % etag, "X-Repo-Commit": commit, "Content-Type": "application/octet-stream"}, fault)

    def cdn(self, kind, repo_id, etag, fault):
        repo = Repo(kind, repo_id)
        match = [f for f in repo.files() if f[3] == etag] if repo.exists else []
        if not match:
            return self.error(404, "EntryNotFound", "no such blob")
        self.send_file(match[0][1], {"ETag": '"%s"' % etag, "Content-Type": "application/octet-stream"}, fault)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is part of the tests
            super().handle_error(request, client_address)


def set_control(c):
    with LOCK:
        CONTROL["faults"] = c.get("faults", [])
        CONTROL["cdn_host"] = c.get("cdn_host")


def main():
    global ROOT
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    ROOT = os.path.abspath(args[0])
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    if os.environ.get("FAKE_HUB_CONTROL"):
        set_control(json.loads(os.environ["FAKE_HUB_CONTROL"]))
    server = Server(("127.0.0.1", port), Handler)
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
    main()
