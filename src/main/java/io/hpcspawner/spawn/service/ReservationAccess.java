package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.port.Reservation;
import java.util.List;
import java.util.Optional;

/**
 * Whether a user may run in a reservation, by Slurm's rule: the user is in its Users list, or one
 * of the user's accounts is in its Accounts list; a name written {@code -name} is excluded and
 * makes the list "everyone but"; both lists empty is open to all. Where the service cannot tell
 * (the API does not say who may use it, or it is for accounts and the user's accounts are
 * unknown) the reservation is offered: Slurm decides at submit and its refusal names it.
 */
final class ReservationAccess {

    private ReservationAccess() {
    }

    /** Whether {@code user}, charging one of {@code accounts} (when known), may use {@code r}. */
    static boolean allows(Reservation r, String user, Optional<List<String>> accounts) {
        if (r.users().isEmpty() || r.accounts().isEmpty()) {
            return true;
        }
        List<String> users = r.users().get();
        List<String> forAccounts = r.accounts().get();
        if (users.isEmpty() && forAccounts.isEmpty()) {
            return true;
        }
        if (users.contains("-" + user)) {
            return false;
        }
        if (admits(users, user)) {
            return true;
        }
        if (forAccounts.isEmpty()) {
            return false;
        }
        if (accounts.isEmpty()) {
            return true;
        }
        return accounts.get().stream().anyMatch(a -> admits(forAccounts, a));
    }

    /** Whether a Slurm name list lets {@code name} in: listed, or the list only excludes and not it. */
    private static boolean admits(List<String> list, String name) {
        if (list.isEmpty()) {
            return false;
        }
        boolean excluding = list.stream().allMatch(n -> n.startsWith("-"));
        return excluding ? !list.contains("-" + name) : list.contains(name);
    }
}
