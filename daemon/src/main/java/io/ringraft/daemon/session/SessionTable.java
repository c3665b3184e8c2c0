package io.ringraft.daemon.session;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The open sessions of one group, by id, in least-recently-used order. Bounded: opening one more than
 * {@code maxSessions} evicts the least recently used. The order is a function of the log alone (a session moves to
 * the newest end when its open or a command of it is applied), so every replica evicts the same session.
 * <p>
 * A lookup and a use allocate nothing (a primitive-keyed map and an intrusive list); an open allocates the session.
 */
final class SessionTable
{
    private final Long2ObjectHashMap<Session> byId = new Long2ObjectHashMap<>();
    private final int maxSessions;
    private Session oldest;
    private Session newest;

    SessionTable(final int maxSessions)
    {
        this.maxSessions = maxSessions;
    }

    int size()
    {
        return byId.size();
    }

    /** @return the session, or null when there is none of that id (whether or not it has expired). */
    Session get(final long id)
    {
        return byId.get(id);
    }

    /** The least recently used session, or null; {@link Session#newer} leads from it to the most recently used. */
    Session oldest()
    {
        return oldest;
    }

    /**
     * Opens session {@code id} at {@code logTime}. First removes the expired sessions at the old end of the list (up
     * to the first that has not expired: a short-timeout session behind a longer one expires when next used or
     * evicted), then evicts the least recently used while the table is full.
     */
    Session open(final long id, final long timeoutMs, final long logTime)
    {
        while (null != oldest && oldest.expiredAt(logTime))
        {
            remove(oldest);
        }
        while (null != oldest && byId.size() >= maxSessions)
        {
            remove(oldest);
        }
        final Session session = new Session(id, timeoutMs, logTime);
        add(session);
        return session;
    }

    /**
     * Adds a session as the most recently used without evicting (restoring a snapshot, oldest first): a table
     * restored larger than {@code maxSessions} (the bound was lowered) comes down to it as sessions open.
     */
    void add(final Session session)
    {
        byId.put(session.id, session);
        session.older = newest;
        session.newer = null;
        if (null == newest)
        {
            oldest = session;
        }
        else
        {
            newest.newer = session;
        }
        newest = session;
    }

    /** A command of the session was applied at {@code logTime}: it becomes the most recently used. */
    void touch(final Session session, final long logTime)
    {
        session.lastUsedLogTime = logTime;
        if (newest == session)
        {
            return;
        }
        unlink(session);
        session.older = newest;
        session.newer = null;
        newest.newer = session;
        newest = session;
    }

    void remove(final Session session)
    {
        byId.remove(session.id);
        unlink(session);
        session.older = null;
        session.newer = null;
    }

    private void unlink(final Session session)
    {
        if (null == session.older)
        {
            oldest = session.newer;
        }
        else
        {
            session.older.newer = session.newer;
        }
        if (null == session.newer)
        {
            newest = session.older;
        }
        else
        {
            session.newer.older = session.older;
        }
    }
}
