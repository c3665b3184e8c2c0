package io.ringraft.pipeline;

/**
 * Told once when a stage that stops on failure (persist: the disk's; apply: the state machine's or a snapshot's)
 * has stopped for good. The node then lives on without it: it loses leadership and can never apply or persist again,
 * so a process hosting it should end, and let its supervisor restart it once the cause is fixed, rather than linger
 * half-alive. Called on the stage's own thread, right after the failure: it must not block that thread for long nor
 * close the node from it.
 */
@FunctionalInterface
public interface StageStopListener
{
    /**
     * @param stage the stage's name, as in its log line ({@code "<member> persist"}, {@code "<member> apply"}).
     * @param cause what it failed on.
     */
    void onStageStopped(String stage, Throwable cause);
}
