"""Test HTTP service for the link gateway tests: python3 http_server.py PORT NAME.

GET /            a page titled NAME
GET /headers     the request headers as JSON
GET /big?n=N     N bytes of a repeating pattern
POST /upload     reads the body in chunks; answers {"length": n, "sha256": hex}
GET /sse         Server-Sent Events: sends "one", then waits until GET /release, then sends "two" and ends
GET /release     lets /sse go on
Prints READY once it listens.
"""
import hashlib
import http.server
import json
import sys
import threading

PORT = int(sys.argv[1])
NAME = sys.argv[2]
released = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/" or self.path.startswith("/?"):
            self.send_body(200, f"<html><head><title>{NAME}</title></head><body>{NAME} {self.path}</body></html>".encode(), "text/html")
        elif self.path.startswith("/headers"):
            self.send_body(200, json.dumps({k.lower(): v for k, v in self.headers.items()}).encode(), "application/json")
        elif self.path.startswith("/big"):
            n = int(self.path.split("n=")[1])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            block = bytes(range(256)) * 256
            while n > 0:
                chunk = block[: min(n, len(block))]
                self.wfile.write(chunk)
                n -= len(chunk)
        elif self.path == "/sse":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"data: one\n\n")
            self.wfile.flush()
            released.wait(60)
            self.wfile.write(b"data: two\n\n")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/release":
            released.set()
            self.send_body(200, b"released", "text/plain")
        else:
            self.send_body(404, b"no such path", "text/plain")

    def do_POST(self):
        remaining = int(self.headers.get("Content-Length", "0"))
        digest = hashlib.sha256()
        total = 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            digest.update(chunk)
            total += len(chunk)
            remaining -= len(chunk)
        self.send_body(200, json.dumps({"length": total, "sha256": digest.hexdigest(), "method": self.command, "path": self.path}).encode(), "application/json")

    do_PUT = do_POST
    do_PATCH = do_POST


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
print("READY", flush=True)
server.serve_forever()
