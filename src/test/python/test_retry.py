"""The retry policy of the plugin's calls (hpcspawner.retry)."""

import asyncio

import pytest

from hpcspawner.client import ServiceError, parse_retry_after
from hpcspawner.retry import Retry


class Clock:
    def __init__(self):
        self.now = 0.0
        self.waits = []

    def __call__(self):
        return self.now

    async def sleep(self, seconds):
        self.waits.append(seconds)
        self.now += seconds


def failing(errors, result="ok"):
    """A call failing with each of ``errors`` in turn, then answering ``result``."""
    errors = list(errors)
    calls = []

    async def call():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return call, calls


def unavailable(retry_after=None):
    return ServiceError("down", status=503, code="scheduler_unavailable", retry_after=retry_after)


@pytest.mark.asyncio
async def test_transient_errors_are_retried_with_doubling_delays_up_to_the_cap():
    clock = Clock()
    retry = Retry(1.0, max_delay=3.0, jitter=0, sleep=clock.sleep, clock=clock)
    call, calls = failing([unavailable()] * 4)
    assert await retry.run(call) == "ok"
    assert clock.waits == [1.0, 2.0, 3.0, 3.0]
    assert len(calls) == 5


@pytest.mark.asyncio
async def test_other_errors_pass_through_at_once():
    clock = Clock()
    retry = Retry(1.0, sleep=clock.sleep, clock=clock)
    call, calls = failing([ServiceError("no", status=409, code="server_active")])
    with pytest.raises(ServiceError) as info:
        await retry.run(call)
    assert info.value.status == 409 and len(calls) == 1 and clock.waits == []


@pytest.mark.asyncio
async def test_attempts_bound_the_tries_and_the_last_error_is_raised():
    clock = Clock()
    retry = Retry(0.5, attempts=3, jitter=0, sleep=clock.sleep, clock=clock)
    last = ServiceError("unreachable", code="unreachable")
    call, calls = failing([unavailable(), unavailable(), last, unavailable()])
    with pytest.raises(ServiceError) as info:
        await retry.run(call)
    assert info.value is last and len(calls) == 3 and clock.waits == [0.5, 1.0]


@pytest.mark.asyncio
async def test_no_wait_goes_past_the_deadline():
    clock = Clock()
    retry = Retry(1.0, deadline=2.5, jitter=0, sleep=clock.sleep, clock=clock)
    call, calls = failing([unavailable()] * 5)
    with pytest.raises(ServiceError):
        await retry.run(call)
    assert clock.waits == [1.0] and len(calls) == 2  # the next wait (2 s) would end at 3 > 2.5
    retry = Retry(1.0, deadline=2.5, jitter=0, clock=clock)
    clock.now = 2.0
    assert retry.wait_within_deadline() == 0.5


@pytest.mark.asyncio
async def test_retry_after_lengthens_the_wait_up_to_its_cap():
    clock = Clock()
    retry = Retry(0.5, jitter=0, max_retry_after=10, sleep=clock.sleep, clock=clock)
    call, _ = failing([unavailable(retry_after=4), unavailable(retry_after=60), unavailable(retry_after=0.1)])
    await retry.run(call)
    assert clock.waits == [4.0, 10.0, 2.0]


def test_jitter_only_shortens_the_wait():
    for r in (0.0, 0.5, 0.999):
        retry = Retry(2.0, jitter=0.25, rng=lambda r=r: r)
        assert 1.5 <= retry.next_wait() <= 2.0
    assert Retry(2.0, jitter=0.25, rng=lambda: 1.0).next_wait() == 1.5


@pytest.mark.asyncio
async def test_cancellation_passes_through_untouched_while_calling_and_while_waiting():
    retry = Retry(10.0, jitter=0)
    started = asyncio.Event()

    async def hangs():
        started.set()
        await asyncio.sleep(60)

    task = asyncio.ensure_future(retry.run(hangs))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    calls = []

    async def fails():
        calls.append(1)
        raise unavailable()

    task = asyncio.ensure_future(Retry(10.0, jitter=0).run(fails))
    await asyncio.sleep(0.05)  # now in its 10 s wait
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(calls) == 1


def test_retry_after_header_in_seconds_or_as_a_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
