package io.hpcspawner.scheduler;

import io.hpcspawner.spawn.port.UserInfo;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.JobInfo;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;

/** Passes every call on to another scheduler; tests override the calls they watch or break. */
public class ForwardingScheduler implements Scheduler {

    private final Scheduler delegate;

    public ForwardingScheduler(Scheduler delegate) {
        this.delegate = delegate;
    }

    /**
     * A scheduler that fails every call of the port with {@link UnsupportedOperationException}: the
     * delegate of a double that overrides only the calls its test expects, so any other call shows.
     */
    public static Scheduler expectingNoCall() {
        return (Scheduler) Proxy.newProxyInstance(Scheduler.class.getClassLoader(), new Class<?>[] {Scheduler.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "toString" -> "a scheduler that expects no call";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("unexpected call: Scheduler." + method.getName());
                });
    }

    @Override
    public String submit(JobSubmission request) {
        return delegate.submit(request);
    }

    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        return delegate.jobs(jobIds, namePrefix);
    }

    @Override
    public java.util.Optional<JobInfo> job(String jobId) {
        return delegate.job(jobId);
    }

    @Override
    public void cancel(String jobId, String user) {
        delegate.cancel(jobId, user);
    }

    @Override
    public String tail(String path, String user, int lines) {
        return delegate.tail(path, user, lines);
    }

    @Override
    public String head(String path, String user, int lines) {
        return delegate.head(path, user, lines);
    }

    @Override
    public List<Partition> partitions() {
        return delegate.partitions();
    }

    @Override
    public List<Reservation> reservations() {
        return delegate.reservations();
    }

    @Override
    public UserInfo userInfo(String user) {
        return delegate.userInfo(user);
    }
}
