"""The one retry policy of the plugin's service calls.

:class:`Retry` decides which errors are tried again and how long to wait before the next try:
a doubling delay with jitter, at least the service's ``Retry-After`` (up to a cap), never past a
deadline or a number of tries. It never catches :class:`asyncio.CancelledError` (a
``BaseException``): a cancelled call ends as cancelled, which JupyterHub relies on when it
cancels a pending ``start()`` (see docs/hub-plugin.md).
"""

import asyncio
import random
import time


def is_transient(error):
    """Errors worth another try: those that say so (``ServiceError.transient``)."""
    return bool(getattr(error, "transient", False))


class Retry:
    """The tries of one call: create one per call, then :meth:`run` it or ask :meth:`next_wait`.

    ``first_delay`` doubles after each wait up to ``max_delay``; each wait is shortened by up to
    ``jitter`` (a fraction) at random, so many hubs do not retry in step; an error's
    ``retry_after`` (seconds) lengthens the wait, up to ``max_retry_after``. ``attempts`` bounds
    the tries (``None``: no bound), ``deadline`` (on ``clock``) the time. ``sleep`` waits
    (e.g. one that wakes early when the server is stopped).
    """

    def __init__(
        self,
        first_delay,
        *,
        max_delay=5.0,
        attempts=None,
        deadline=None,
        jitter=0.1,
        max_retry_after=30.0,
        retry_on=is_transient,
        sleep=asyncio.sleep,
        clock=time.monotonic,
        rng=random.random,
    ):
        self.first_delay = max(0.0, first_delay)
        self.max_delay = max_delay
        self.attempts = attempts
        self.deadline = deadline
        self.jitter = min(max(jitter, 0.0), 1.0)
        self.max_retry_after = max_retry_after
        self.retry_on = retry_on
        self.sleep = sleep
        self.clock = clock
        self._rng = rng
        self._delay = self.first_delay
        self.tries = 0

    def reset(self):
        """Start the delays afresh (after a call made progress)."""
        self._delay = self.first_delay

    def remaining(self):
        """Seconds left until the deadline (``None`` without one)."""
        return None if self.deadline is None else self.deadline - self.clock()

    def _wait(self, error):
        self.tries += 1
        base = self._delay
        self._delay = min(self._delay * 2, self.max_delay)
        wait = base * (1.0 - self.jitter * self._rng())
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, (int, float)) and retry_after > 0 and self.max_retry_after:
            wait = max(wait, min(float(retry_after), self.max_retry_after))
        return wait

    def next_wait(self, error=None):
        """The wait before the next try, or ``None`` when the tries or the time are used up."""
        wait = self._wait(error)
        if self.attempts is not None and self.tries >= self.attempts:
            return None
        if self.deadline is not None and self.clock() + wait >= self.deadline:
            return None
        return wait

    def wait_within_deadline(self, error=None):
        """The wait before the next try, cut short at the deadline (the caller checks the deadline)."""
        wait = self._wait(error)
        remaining = self.remaining()
        return wait if remaining is None else min(wait, max(0.0, remaining))

    async def run(self, call, on_retry=None):
        """Await ``call()`` until it succeeds or fails for good; re-raises its last error.

        ``on_retry(error, wait)`` is told of each retry (for logging). Only ``Exception`` is
        caught, so cancellation passes through untouched.
        """
        while True:
            try:
                return await call()
            except Exception as e:
                if not self.retry_on(e):
                    raise
                wait = self.next_wait(e)
                if wait is None:
                    raise
                if on_retry is not None:
                    on_retry(e, wait)
                await self.sleep(wait)
