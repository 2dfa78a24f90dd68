"""The Server-Sent Events parser and the event feed."""

import asyncio

import pytest

from hpcspawner.events import EventFeed, SSEParser, is_terminal


def parse(chunks):
    parser = SSEParser()
    events = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    return events, parser


def test_parser_handles_split_chunks_crlf_comments_and_multiline():
    raw = (
        ": keep-alive\r\n\r\n"
        "id: 1\r\ndata: {\"progress\": 10,\r\ndata:  \"message\": \"caf\xc3\xa9\"}\r\n\r\n"
        "event: custom\nid: 2\ndata: two\n\n"
        "data: no id\r\r"
    ).encode("latin-1")
    for size in (1, 2, 3, 7, len(raw)):
        events, parser = parse([raw[i:i + size] for i in range(0, len(raw), size)])
        assert [(e.id, e.event, e.data) for e in events] == [
            ("1", "message", '{"progress": 10,\n "message": "caf\u00e9"}'),
            ("2", "custom", "two"),
            ("2", "message", "no id"),  # the last event id persists
        ], size
        assert parser.last_event_id == "2"


def test_parser_keeps_incomplete_event_until_blank_line():
    parser = SSEParser(last_event_id="7")
    assert parser.feed(b"id: 8\ndata: x\n") == []
    (event,) = parser.feed(b"\n")
    assert (event.id, event.data) == ("8", "x")


def test_is_terminal():
    assert is_terminal({"ready": True, "url": "http://h:1"})
    assert is_terminal({"failed": True})
    assert is_terminal({"stopped": True})
    assert not is_terminal({"progress": 40, "state": "queued"})


@pytest.mark.asyncio
async def test_feed_replays_then_follows():
    feed = EventFeed()
    feed.push({"progress": 1})
    seen = []

    async def read():
        async for data in feed.follow():
            seen.append(data)

    reader = asyncio.ensure_future(read())
    await asyncio.sleep(0.01)
    feed.push({"progress": 2})
    feed.push({"ready": True, "url": "u"})
    await asyncio.wait_for(reader, 1)
    assert seen == [{"progress": 1}, {"progress": 2}, {"ready": True, "url": "u"}]
    closed = EventFeed()
    closed.close()
    assert [d async for d in closed.follow()] == []
