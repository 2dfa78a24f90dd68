package io.hpcspawner.spawn.model;

import java.util.List;
import java.util.Map;

/**
 * What the domain needs to know of one cluster, resolved once from the site's configuration (the
 * backend's own settings, such as its URL, credentials and fault handling, stay with the adapter).
 *
 * @param name the system's key in the configuration
 * @param usesUserLogins whether submits and cancels act with the user's own identity-provider tokens
 * @param serviceUser the Unix user whose identity lists all jobs
 * @param unixUser the Unix user a hub user's jobs run as; {@code {user}} is the hub user name
 * @param workingDirectory the job's working directory; {@code {user}} is the Unix user
 * @param outputPath where the job's output goes; {@code {workdir}}, {@code {user}} and {@code {job}} are replaced
 * @param outputReadable whether the service can read job output files directly
 * @param hostTemplate how the server's host name is built from the node name ({@code {node}})
 * @param bindAddress the address the single-user server binds to on the node
 * @param portLow the lowest port a server may use on the node
 * @param portHigh the highest port a server may use on the node
 * @param readySignal how the ready signal travels
 * @param environment the environment every job of this system gets
 * @param prelude shell lines the site runs before the server starts
 * @param singleuserCommand the command that runs the single-user server
 */
public record SystemSettings(String name, boolean usesUserLogins, String serviceUser, String unixUser,
        String workingDirectory, String outputPath, boolean outputReadable, String hostTemplate, String bindAddress,
        int portLow, int portHigh, ReadySignal readySignal, Map<String, String> environment, List<String> prelude,
        String singleuserCommand) {

    public SystemSettings {
        environment = Map.copyOf(environment);
        prelude = List.copyOf(prelude);
    }

    /** The port range as the configuration writes it, {@code low-high}. */
    public String portRange() {
        return portLow + "-" + portHigh;
    }
}
