"""An asyncio echo server, the Python peer of lesson 01 (Protohackers Smoke Test).

It sends back every byte it receives. When the client half-closes its side
(read returns b""), it finishes writing what is buffered and closes.

    python3 docs/asyncio/echo.py --host 127.0.0.1 --port 7001
"""

import argparse
import asyncio
import sys


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Echo one connection until the client sends EOF."""
    try:
        # read() returns whatever bytes have arrived, up to the limit; b"" means EOF.
        while data := await reader.read(65536):
            writer.write(data)
            # drain() waits while the send buffer is too full, so a client
            # that never reads cannot make us buffer without bound.
            await writer.drain()
    except ConnectionError:
        # The client reset the connection (ConnectionResetError) or went away
        # while we were writing (BrokenPipeError). Nothing to report.
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def main(host: str, port: int) -> None:
    server = await asyncio.start_server(handle, host, port)
    print(f"echo: listening on {host}:{port}", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="asyncio echo server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7001)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.host, args.port))
    except KeyboardInterrupt:
        pass
