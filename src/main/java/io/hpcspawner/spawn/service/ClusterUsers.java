package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.UserNotAllowedException;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.model.UserRules;
import io.hpcspawner.spawn.model.Names;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Who a hub user is on the clusters, and whether they may run jobs there at all. The hub's user
 * names are chosen by the users (or their identity provider), and a backend such as slurmrestd
 * runs a job as whatever name it is given: without this check {@code root} or {@code slurm}
 * would be a valid server owner.
 */
@ApplicationScoped
public class ClusterUsers {

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");

    private final UserRules rules;
    private final SchedulerRegistry schedulers;

    public ClusterUsers(UserRules rules, SchedulerRegistry schedulers) {
        this.rules = rules;
        this.schedulers = schedulers;
    }

    /** The cluster user name of a hub user: the explicit mapping, else the name (lower-cased when configured). */
    public String clusterName(String hubUser) {
        String mapped = rules.names().get(hubUser);
        if (mapped != null) {
            return mapped;
        }
        return rules.lowercase() ? hubUser.toLowerCase(Locale.ROOT) : hubUser;
    }

    /**
     * Refuses a cluster user who may not run jobs on {@code system}, with the reason; asks the
     * scheduler for the user's uid when the backend runs jobs as any named user.
     *
     * @throws UserNotAllowedException with a message saying why and what an admin can change
     */
    public void requireAllowed(String hubUser, String system, String clusterUser) {
        if (!CLUSTER_NAME.matcher(clusterUser).matches()) {
            throw new UserNotAllowedException("hub user " + hubUser + " becomes cluster user \""
                    + Names.printable(clusterUser) + "\", which is not a valid user name on " + system
                    + "; map it with hpcspawner.users.names.\"" + hubUser + "\"=<cluster user>");
        }
        if (rules.denied().contains(clusterUser)) {
            throw new UserNotAllowedException("cluster user " + clusterUser + " may not run servers on " + system
                    + " (a system or service account: root, the scheduler's and the service's own users, and"
                    + " hpcspawner.users.denied never do)");
        }
        List<String> allowed = rules.allowed().orElse(null);
        if (allowed != null && !allowed.contains(clusterUser)) {
            throw new UserNotAllowedException("cluster user " + clusterUser + " is not on the list of users allowed to"
                    + " run servers on " + system + " (hpcspawner.users.allowed); ask the site's admins");
        }
        Scheduler scheduler = schedulers.forSystem(system);
        if (!scheduler.actsAsNamedUser()) {
            return; // the job runs as the owner of the user's own token, whatever name we give
        }
        OptionalLong uid = scheduler.uidOf(clusterUser);
        if (uid.isEmpty()) {
            throw new UserNotAllowedException("there is no user " + clusterUser + " on " + system
                    + "; the hub user " + hubUser + " needs an account on the cluster (or a mapping in"
                    + " hpcspawner.users.names)");
        }
        if (uid.getAsLong() < rules.minUid()) {
            throw new UserNotAllowedException("cluster user " + clusterUser + " has uid " + uid.getAsLong()
                    + ", below hpcspawner.users.min-uid=" + rules.minUid() + ": system accounts never run servers");
        }
    }
}
