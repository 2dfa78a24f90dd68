package io.hpcspawner.spawn.port;

import java.util.List;
import java.util.Optional;

/** A user as the scheduler knows them: their default account and the accounts they may use. */
public record UserInfo(String name, Optional<String> defaultAccount, List<String> accounts) {
}
