package io.hpcspawner.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies {@link BodyReadAhead} may hold at once. Bodies are read ahead on the
 * event loop, which has no bound on concurrent requests (the worker pool had one): without this
 * budget, anyone who reaches the port (a compute node's user can post to the ready callback) could
 * make the service hold a megabyte per open connection. A request that finds the budget spent is
 * not refused: it goes on unread, and its body is streamed to its worker thread as before.
 */
final class ReadAheadBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();

    ReadAheadBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes} when they fit in what is left; false (nothing reserved) otherwise. */
    boolean tryReserve(long bytes) {
        long now;
        do {
            now = held.get();
            if (bytes > limit - now) {
                return false;
            }
        } while (!held.compareAndSet(now, now + bytes));
        return true;
    }

    /** Gives back a reservation once its request has ended, answered or cut off. */
    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** The bytes reserved now. */
    long held() {
        return held.get();
    }
}
