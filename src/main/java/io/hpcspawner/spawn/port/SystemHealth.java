package io.hpcspawner.spawn.port;

/** What a scheduler API says about its cluster right now, in words an operator can act on. */
public record SystemHealth(State state, String detail) {

    /** Whether the cluster can take work. */
    public enum State { HEALTHY, UNHEALTHY, UNKNOWN }

    public static SystemHealth healthy(String detail) {
        return new SystemHealth(State.HEALTHY, detail);
    }

    public static SystemHealth unhealthy(String detail) {
        return new SystemHealth(State.UNHEALTHY, detail);
    }

    public static SystemHealth unknown(String detail) {
        return new SystemHealth(State.UNKNOWN, detail);
    }
}
