package io.ringraft.daemon.session;

/**
 * The first byte of every result of the session layer (docs/CLIENT-PROTOCOL.md, "Sessions: exactly once"): what
 * happened to the log payload, followed by what the outcome names. {@link SessionRecords#outcome} reads it.
 */
public final class SessionOutcome
{
    /** Applied now, for the first time; followed by the user state machine's result. */
    public static final byte APPLIED = 0;
    /** A retry, applied before and not again; followed by the saved result of the first application. */
    public static final byte REPLAYED = 1;
    /** No such session (never opened, expired, evicted or closed); not applied; nothing follows. */
    public static final byte SESSION_UNKNOWN = 2;
    /** Sequence at or below the session's respondedTo and its result no longer saved; not applied again. */
    public static final byte ANSWER_DISCARDED = 3;
    /** The session already saves its maximum number of results; not applied; nothing follows. */
    public static final byte TOO_MANY_PENDING = 4;
    /** The session is open (its id is the entry's index); followed by the i64 little-endian client nonce. */
    public static final byte OPENED = 5;
    /** The session is closed, or was not open; nothing follows. */
    public static final byte CLOSED = 6;
    /** Not a session record; not applied; followed by the reason in UTF-8. */
    public static final byte MALFORMED = 7;

    private SessionOutcome()
    {
    }

    /** @return the outcome's name, or "outcome N" for a byte that is none. */
    public static String name(final int outcome)
    {
        switch (outcome)
        {
            case APPLIED: return "APPLIED";
            case REPLAYED: return "REPLAYED";
            case SESSION_UNKNOWN: return "SESSION_UNKNOWN";
            case ANSWER_DISCARDED: return "ANSWER_DISCARDED";
            case TOO_MANY_PENDING: return "TOO_MANY_PENDING";
            case OPENED: return "OPENED";
            case CLOSED: return "CLOSED";
            case MALFORMED: return "MALFORMED";
            default: return "outcome " + outcome;
        }
    }
}
