#!/usr/bin/env python3
"""Start-up timing for native binaries: process start -> first link, over N interleaved runs.

Each spec is LABEL=KIND:BINARY[:PATH]
  console  the binary prints "first-link-unix-ns <ns> <url>" once it holds a link; the time is that stamp minus the
           wall clock read just before the process was started.
  http     the binary is a web app; it is started with ASPNETCORE_URLS on a free loopback port and POST PATH is sent
           until an answer contains a link ("://"); the time is that answer's arrival minus the start. The session it
           created is deleted (DELETE /sessions/{id}) and the process stopped.
Runs are interleaved (a, b, c, a, b, c, ...) so that a drift in the machine's speed reaches every binary alike.
Prints one line per label (median, min, max in ms) and writes them as JSON to --json.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_console(binary):
    start = time.time_ns()
    done = subprocess.run([binary], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{binary} exited with {done.returncode}: {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith("first-link-unix-ns "):
            return (int(line.split()[1]) - start) / 1e6
    raise RuntimeError(f"{binary} printed no first-link line: {done.stdout.strip()}")


def run_http(binary, path):
    port = free_port()
    env = dict(os.environ, ASPNETCORE_URLS=f"http://127.0.0.1:{port}")
    start = time.time_ns()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{binary} exited with {process.returncode}: {process.stderr.read().decode().strip()}")
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST", data=b"")
                with urllib.request.urlopen(request, timeout=10) as response:
                    body = response.read().decode()
                arrived = time.time_ns()
                break
            except (ConnectionError, urllib.error.URLError) as error:
                if isinstance(error, urllib.error.HTTPError) or time.monotonic() > deadline:
                    raise
                time.sleep(0.0005)
        if "://" not in body:
            raise RuntimeError(f"{binary}: the answer holds no link: {body}")
        session_id = json.loads(body)["sessionId"]
        delete = urllib.request.Request(f"http://127.0.0.1:{port}/sessions/{session_id}", method="DELETE")
        with urllib.request.urlopen(delete, timeout=10):
            pass
        return (arrived - start) / 1e6
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", required=True)
    parser.add_argument("specs", nargs="+", help="LABEL=KIND:BINARY[:PATH]")
    args = parser.parse_args()

    specs = []
    for spec in args.specs:
        label, rest = spec.split("=", 1)
        kind, binary, *path = rest.split(":", 2)
        specs.append((label, kind, binary, path[0] if path else "/"))

    times = {label: [] for label, *_ in specs}
    for _ in range(args.runs):
        for label, kind, binary, path in specs:
            times[label].append(run_console(binary) if kind == "console" else run_http(binary, path))

    summary = {}
    for label, values in times.items():
        summary[label] = {"median_ms": round(statistics.median(values), 2), "min_ms": round(min(values), 2),
                          "max_ms": round(max(values), 2), "runs": len(values)}
        print(f"{label}: median {summary[label]['median_ms']} ms (min {summary[label]['min_ms']}, "
              f"max {summary[label]['max_ms']}, {len(values)} runs)")
    with open(args.json, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
