package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Names looked up in this host's name service (the one it shares with the cluster), for real. */
class PosixAccountsTest {

    final PosixAccounts accounts = new PosixAccounts();

    @Test
    void aKnownUserHasItsUidAndAnUnknownOneNone() {
        assertThat(accounts.uidOf("root")).isEqualTo(OptionalLong.of(0));
        assertThat(accounts.uidOf("hpcsp-no-such-user-4711")).isEmpty();
        assertThat(accounts.uidOf("root")).as("asked again: from the cache, same answer").isEqualTo(OptionalLong.of(0));
    }

    @Test
    void namesGetentWouldReadAsOptionsOrNumbersAreNotUsers() {
        assertThat(accounts.uidOf("-s")).isEmpty();
        assertThat(accounts.uidOf("--help")).isEmpty();
        assertThat(accounts.uidOf("a b")).isEmpty();
    }
}
