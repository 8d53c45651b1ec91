"""An asyncio Budget Chat server, the Python peer of lesson 04 (Protohackers Budget Chat).

It is written the way asyncio tutorials teach a chat server: a dict of name to
StreamWriter, and a broadcast that writes to each recipient and then awaits
drain(). Because every await drain() waits for that one recipient, a client
that stops reading slows every sender down; lesson 05 fixes this in Go.

    python3 docs/asyncio/budget_chat.py --host 127.0.0.1 --port 7004
"""

import argparse
import asyncio
import re
import sys

MAX_LINE = 4096  # longest line we accept, not counting its "\n" or "\r\n"
NAME_RE = re.compile(r"[A-Za-z0-9]{1,32}")

# The server's fixed lines, as docs/protocol.md gives them for lesson 04.
WELCOME = b"Welcome to budgetchat! What shall I call you?\n"
BAD_NAME = b"* Sorry, names are 1 to 32 letters or digits.\n"
TOO_LONG = f"* Sorry, lines are at most {MAX_LINE} bytes.\n".encode()

# clients maps each joined member's name to its writer. No lock guards it: all
# handlers run on one event-loop thread, and code between two awaits runs
# without interruption.
clients: dict[str, asyncio.StreamWriter] = {}


class LineTooLong(Exception):
    """The client sent a line longer than MAX_LINE bytes."""


async def read_line(reader: asyncio.StreamReader) -> str | None:
    """Return the next line without its "\\n" (or "\\r\\n"), or None if the client is gone.

    Raises LineTooLong for a line longer than MAX_LINE bytes.
    """
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError:
        # No "\n" within the stream's limit (MAX_LINE + 1, room for a "\r").
        raise LineTooLong from None
    except (asyncio.IncompleteReadError, ConnectionError):
        # EOF before a full line (an unfinished last line is dropped), or a reset.
        return None
    line = raw[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    if len(line) > MAX_LINE:
        raise LineTooLong
    # surrogateescape keeps bytes that are not UTF-8, so chat text passes through unchanged.
    return line.decode("utf-8", errors="surrogateescape")


async def broadcast(message: str, sender: str) -> None:
    """Send message to every joined member except sender."""
    data = message.encode("utf-8", errors="surrogateescape")
    # Copy the items: the dict may change while we are suspended in drain().
    for name, writer in list(clients.items()):
        if name == sender or writer.is_closing():
            # Skip the sender, and anyone whose connection is already gone:
            # their own handler is about to remove them.
            continue
        writer.write(data)
        try:
            await writer.drain()
        except ConnectionError:
            # That member's own handler will see the error and clean up.
            pass


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Run one client's session: ask for a name, join, relay lines, leave."""
    name = None
    try:
        writer.write(WELCOME)
        await writer.drain()

        requested = await read_line(reader)
        if requested is None:
            return  # left before joining: nobody is told
        if not NAME_RE.fullmatch(requested):
            writer.write(BAD_NAME)
            return
        if requested in clients:
            writer.write(f"* Sorry, the name {requested} is taken.\n".encode())
            return

        # No await between the check above and the insert below, so no other
        # handler can take the same name in between.
        others = ", ".join(sorted(clients))
        clients[requested] = writer
        name = requested
        writer.write(f"* The room contains: {others}\n".encode())
        await broadcast(f"* {name} has entered the room\n", sender=name)
        await writer.drain()

        while (line := await read_line(reader)) is not None:
            if line:  # an empty line is ignored
                await broadcast(f"[{name}] {line}\n", sender=name)
    except LineTooLong:
        writer.write(TOO_LONG)  # sent before the close below; a member then leaves
    except ConnectionError:
        pass
    finally:
        if name is not None:
            del clients[name]
            await broadcast(f"* {name} has left the room\n", sender=name)
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def main(host: str, port: int) -> None:
    # The limit leaves room for a "\r" before the "\n"; read_line checks the rest.
    server = await asyncio.start_server(handle, host, port, limit=MAX_LINE + 1)
    print(f"budget_chat: listening on {host}:{port}", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="asyncio Budget Chat server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7004)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.host, args.port))
    except KeyboardInterrupt:
        pass
