package io.hpcspawner.spawn.port;


/**
 * The scheduler would act as the user, but the user's login is over (or unknown): nothing was
 * sent, and only a new login helps. The message is written for the user.
 */
public final class LoginRequiredException extends SchedulerException {

    public LoginRequiredException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
