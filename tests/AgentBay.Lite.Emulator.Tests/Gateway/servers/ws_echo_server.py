"""Test WebSocket echo service: /usr/bin/python3 ws_echo_server.py PORT (needs Debian's python3-websockets).

Answers every text message with "echo: " + message and the path it was opened on. Prints READY once it listens.
"""
import asyncio
import sys

import websockets

PORT = int(sys.argv[1])


async def echo(websocket, path=None):
    # websockets 10 (Debian 12) has websocket.path; 13+ has websocket.request.path.
    path = path or getattr(websocket, "path", None) or getattr(getattr(websocket, "request", None), "path", "?")
    async for message in websocket:
        await websocket.send(f"echo: {message} @ {path}")


async def main():
    async with websockets.serve(echo, "127.0.0.1", PORT):
        print("READY", flush=True)
        await asyncio.Future()


asyncio.run(main())
