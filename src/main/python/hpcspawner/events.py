"""Server-Sent Events parsing and the in-memory event feed shared by start() and progress()."""

import asyncio
import codecs
import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SSEEvent:
    """One dispatched Server-Sent Event: its ``id`` (last id seen), ``event`` type and ``data``."""

    __slots__ = ("id", "event", "data")

    def __init__(self, id, event, data):
        self.id = id
        self.event = event
        self.data = data

    def __repr__(self):
        return f"SSEEvent(id={self.id!r}, event={self.event!r}, data={self.data!r})"


class SSEParser:
    """Incremental ``text/event-stream`` parser (WHATWG rules): feed bytes, get whole events.

    Handles chunks split anywhere (inside UTF-8 sequences and CRLF pairs), comment lines
    (``: keep-alive``), multi-line ``data`` and the persistent last-event-id buffer.
    """

    def __init__(self, last_event_id=None):
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._pending_cr = False
        self._first = True
        self._data = []
        self._event = ""
        self.last_event_id = last_event_id

    def feed(self, chunk):
        """Parse a chunk of bytes and return the list of events it completed."""
        text = self._decoder.decode(chunk)
        if self._first and text:
            self._first = False
            if text.startswith("\ufeff"):
                text = text[1:]
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
        text = self._buffer + text
        if text.endswith("\r"):
            # a CR ends the line now; it may be the first half of a CRLF pair, so a LF
            # at the start of the next chunk is skipped
            self._pending_cr = True
            lines = _LINE_BREAK.split(text[:-1])
            self._buffer = ""
        else:
            lines = _LINE_BREAK.split(text)
            self._buffer = lines.pop()
        events = []
        for line in lines:
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _line(self, line):
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif field == "event":
            self._event = value
        # "retry" and unknown fields are ignored
        return None

    def _dispatch(self):
        if not self._data:
            self._event = ""
            return None
        event = SSEEvent(self.last_event_id, self._event or "message", "\n".join(self._data))
        self._data = []
        self._event = ""
        return event


TERMINAL_KEYS = ("ready", "failed", "stopped")


def is_terminal(data):
    """True for the last event of a start (``ready``, ``failed`` or ``stopped``)."""
    return isinstance(data, dict) and any(data.get(key) is True for key in TERMINAL_KEYS)


class EventFeed:
    """Append-only buffer of one start's service events that any number of readers can replay.

    ``start()`` pushes the events it reads from the service; ``progress()`` replays them from the
    beginning and then follows new ones until the feed is closed or a terminal event arrives.
    """

    def __init__(self, start_id=""):
        self.start_id = start_id
        self.events = []
        self.closed = False
        self._waiters = set()

    def push(self, data):
        if self.closed:
            return
        self.events.append(data)
        self._wake()

    def close(self):
        self.closed = True
        self._wake()

    def _wake(self):
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def follow(self, tick=None):
        """Yield every event so far, then new ones, ending after a terminal event or on close.

        With ``tick`` (seconds), ``None`` is yielded whenever that long passes without an event.
        """
        index = 0
        while True:
            while index < len(self.events):
                data = self.events[index]
                index += 1
                yield data
                if is_terminal(data):
                    return
            if self.closed:
                return
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            try:
                if tick is None:
                    await waiter
                else:
                    done, _ = await asyncio.wait({waiter}, timeout=tick)
                    if not done:
                        yield None
            finally:
                self._waiters.discard(waiter)
