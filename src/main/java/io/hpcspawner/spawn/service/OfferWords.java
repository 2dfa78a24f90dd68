package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What the options form says about the cluster's live data, in words a user reads at a glance:
 * "debug — 3 of 10 nodes idle, up to 30 min", "course (Dec 3 09:00–17:00 UTC)".
 */
final class OfferWords {

    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private OfferWords() {
    }

    /** A partition with its load and limits; {@code name} is how the site calls it. */
    static String partition(String name, PartitionOffer p) {
        StringBuilder s = new StringBuilder(name).append(" — ");
        if (!p.up()) {
            s.append("down, takes no jobs now");
            return s.toString();
        }
        if (p.idleNodes() >= 0) {
            s.append(p.idleNodes()).append(" of ").append(p.totalNodes()).append(" nodes idle");
        } else {
            s.append(p.totalNodes()).append(p.totalNodes() == 1 ? " node" : " nodes");
        }
        if (p.maxTimeMinutes() > 0) {
            s.append(", up to ").append(minutes(p.maxTimeMinutes()));
        }
        return s.toString();
    }

    /** A reservation with its time (UTC) and partition. */
    static String reservation(ReservationOffer r) {
        String start = DAY_TIME.format(r.start());
        String end = DAY.format(r.start()).equals(DAY.format(r.end())) ? TIME.format(r.end()) : DAY_TIME.format(r.end());
        return r.name() + " (" + start + "–" + end + " UTC" + r.partition().map(p -> ", partition " + p).orElse("")
                + ")";
    }

    /** A wall time: "30 min", "2 h", "1 h 30 min". */
    static String minutes(long minutes) {
        if (minutes < 60) {
            return minutes + " min";
        }
        long h = minutes / 60;
        long m = minutes % 60;
        return h + " h" + (m == 0 ? "" : " " + m + " min");
    }
}
