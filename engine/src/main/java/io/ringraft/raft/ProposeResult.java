package io.ringraft.raft;

/**
 * Results of {@link RaftNode#propose}: a positive value is the log index the entry was given; these
 * negative codes say why it was refused. Refusals are immediate and never queue anything.
 */
public final class ProposeResult
{
    public static final long NOT_LEADER = -1;
    /** Too many uncommitted bytes: retry once commits catch up. */
    public static final long BACK_PRESSURED = -2;
    /** A leadership transfer is in progress. */
    public static final long TRANSFERRING = -3;
    /** Another membership change is still pending. */
    public static final long CONF_CHANGE_PENDING = -4;
    /** The payload is larger than the configured maximum entry size. */
    public static final long TOO_LARGE = -5;

    private ProposeResult()
    {
    }

    public static boolean isAccepted(final long result)
    {
        return result > 0;
    }

    public static String describe(final long result)
    {
        if (result > 0)
        {
            return "ACCEPTED(" + result + ")";
        }
        return switch ((int)result)
        {
            case -1 -> "NOT_LEADER";
            case -2 -> "BACK_PRESSURED";
            case -3 -> "TRANSFERRING";
            case -4 -> "CONF_CHANGE_PENDING";
            case -5 -> "TOO_LARGE";
            default -> "UNKNOWN(" + result + ")";
        };
    }
}
