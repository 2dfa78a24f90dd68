package io.hpcspawner.spawn.port;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Slurm reservation as the scheduler reports it. Who may use it is Slurm's {@code Users} and
 * {@code Accounts} lists; a name there with a leading {@code -} is excluded. An API that does not
 * say who may use its reservations (FirecREST v2) leaves both empty ({@code Optional.empty()}:
 * unknown), which is not "open to all" (both lists present and empty).
 *
 * @param name the reservation
 * @param partition its partition, empty when any
 * @param start when it starts
 * @param end when it ends
 * @param users the users it is for, when known
 * @param accounts the accounts it is for, when known
 */
public record Reservation(String name, Optional<String> partition, Instant start, Instant end,
        Optional<List<String>> users, Optional<List<String>> accounts) {

    public Reservation {
        users = users.map(List::copyOf);
        accounts = accounts.map(List::copyOf);
    }

    /** A comma list as Slurm writes it ({@code "alice,bob"}, {@code ""}, or null) as a list. */
    public static List<String> names(String commaList) {
        if (commaList == null || commaList.isBlank() || "(null)".equals(commaList)) {
            return List.of();
        }
        return java.util.Arrays.stream(commaList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
