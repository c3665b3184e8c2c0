package io.ringraft.daemon.session;

/**
 * One client session of a group: opened by the SessionOpen entry whose index is its {@link #id}, used by its
 * commands, gone when closed, expired or evicted. Also a link of the {@link SessionTable}'s least-recently-used list.
 */
final class Session
{
    final long id;
    /** Log time without a command after which the session expires, already clamped. */
    final long timeoutMs;
    final SavedResults saved = new SavedResults();
    /** Log time of the open or of the latest command. */
    long lastUsedLogTime;
    /** The client has the answer of every sequence up to here; only ever rises. */
    long respondedTo;
    Session older;
    Session newer;

    Session(final long id, final long timeoutMs, final long lastUsedLogTime)
    {
        this.id = id;
        this.timeoutMs = timeoutMs;
        this.lastUsedLogTime = lastUsedLogTime;
    }

    /** Whether log time has passed the session's last use by more than its timeout. */
    boolean expiredAt(final long logTime)
    {
        return logTime - lastUsedLogTime > timeoutMs;
    }

    /** Records that the client has the answers up to {@code respondedTo} and lets their saved results go. */
    void respondedTo(final long respondedTo)
    {
        if (respondedTo > this.respondedTo)
        {
            this.respondedTo = respondedTo;
            saved.dropUpTo(respondedTo);
        }
    }
}
