package io.ringraft.linearizability;

/**
 * One client operation on one key of the KV store, as a {@link History} recorded it: what was asked, when, and what
 * came back. Immutable: completing a call replaces the pending operation in the history with a completed copy, so
 * a checker may read a snapshot while clients are still recording.
 * <p>
 * Two clocks: {@link #invokedSeq}/{@link #completedSeq} are the history's own event order, which the checker uses
 * (strictly increasing, so no two events tie, and consistent with real time because a call is recorded before its
 * request leaves and completed after its reply arrives); {@link #invokedAt}/{@link #completedAt} are the
 * recorder's clock, for people reading a report next to a timeline.
 */
public final class Operation
{
    public enum Kind
    {
        PUT, GET, DELETE, CAS
    }

    public enum Outcome
    {
        /** Invoked, no reply recorded yet: checked like {@link #INDETERMINATE}. */
        PENDING,
        /** The reply arrived: the operation took effect, with the recorded result. */
        OK,
        /** Definitely did not take effect (refused before it was proposed); the checker drops it. */
        FAILED,
        /** Timed out or otherwise unknown: may take effect at any time after its invocation, or never. */
        INDETERMINATE
    }

    /** {@link #completedSeq} of an operation without a reply: it may take effect arbitrarily late. */
    public static final long NEVER = Long.MAX_VALUE;

    private final int id;
    private final int process;
    private final Kind kind;
    private final Bytes key;
    private final Bytes value;
    private final Bytes expected;
    private final long invokedSeq;
    private final long invokedAt;
    private final Outcome outcome;
    private final long completedSeq;
    private final long completedAt;
    private final Bytes read;
    private final Boolean flag;

    Operation(
        final int id, final int process, final Kind kind, final Bytes key, final Bytes value, final Bytes expected,
        final long invokedSeq, final long invokedAt)
    {
        this(id, process, kind, key, value, expected, invokedSeq, invokedAt, Outcome.PENDING, NEVER, 0, null, null);
    }

    private Operation(
        final int id, final int process, final Kind kind, final Bytes key, final Bytes value, final Bytes expected,
        final long invokedSeq, final long invokedAt, final Outcome outcome, final long completedSeq,
        final long completedAt, final Bytes read, final Boolean flag)
    {
        this.id = id;
        this.process = process;
        this.kind = kind;
        this.key = key;
        this.value = value;
        this.expected = expected;
        this.invokedSeq = invokedSeq;
        this.invokedAt = invokedAt;
        this.outcome = outcome;
        this.completedSeq = completedSeq;
        this.completedAt = completedAt;
        this.read = read;
        this.flag = flag;
    }

    Operation completed(
        final Outcome outcome, final long completedSeq, final long completedAt, final Bytes read, final Boolean flag)
    {
        // Only an answered operation has an upper bound on when it took effect.
        final long bound = Outcome.OK == outcome || Outcome.FAILED == outcome ? completedSeq : NEVER;
        return new Operation(
            id, process, kind, key, value, expected, invokedSeq, invokedAt, outcome, bound, completedAt, read, flag);
    }

    /** The history's number for this operation, in order of invocation; reports name it "#id". */
    public int id()
    {
        return id;
    }

    /** The client (or process) that issued it. */
    public int process()
    {
        return process;
    }

    public Kind kind()
    {
        return kind;
    }

    public Bytes key()
    {
        return key;
    }

    /** The value a PUT writes or a CAS sets; null for GET and DELETE. */
    public Bytes value()
    {
        return value;
    }

    /** The value a CAS expects; null when it expects the key to be absent (and for other kinds). */
    public Bytes expected()
    {
        return expected;
    }

    public long invokedSeq()
    {
        return invokedSeq;
    }

    /** The history's event number of the reply; {@link #NEVER} unless the outcome is OK or FAILED. */
    public long completedSeq()
    {
        return completedSeq;
    }

    public long invokedAt()
    {
        return invokedAt;
    }

    /** The recorder's time of the reply, failure or timeout; meaningless while PENDING. */
    public long completedAt()
    {
        return completedAt;
    }

    public Outcome outcome()
    {
        return outcome;
    }

    /** Whether it may take effect at any time after its invocation, or never. */
    public boolean indeterminate()
    {
        return Outcome.PENDING == outcome || Outcome.INDETERMINATE == outcome;
    }

    /** What an OK GET read; null when the key was absent. */
    public Bytes read()
    {
        return read;
    }

    /** OK CAS: whether it set the value. OK DELETE: whether the key existed, or null when not recorded. */
    public Boolean flag()
    {
        return flag;
    }

    /** One line: {@code #12 client 3 CAS "k" "a"->"b" = true  [invoked 105, completed 130]}. */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(96);
        text.append('#').append(id).append(" client ").append(process).append(' ').append(kind).append(' ').append(key);
        switch (kind)
        {
            case PUT:
                text.append(' ').append(value);
                break;
            case CAS:
                text.append(' ').append(Bytes.show(expected)).append("->").append(value);
                break;
            default:
                break;
        }
        text.append(" = ").append(result());
        text.append("  [invoked ").append(invokedAt);
        switch (outcome)
        {
            case PENDING:
                text.append(", no reply: may take effect any time after, or never]");
                break;
            case INDETERMINATE:
                text.append(", timed out ").append(completedAt).append(": may take effect any time after, or never]");
                break;
            default:
                text.append(", completed ").append(completedAt).append(']');
                break;
        }
        return text.toString();
    }

    private String result()
    {
        switch (outcome)
        {
            case PENDING:
                return "?";
            case FAILED:
                return "failed";
            case INDETERMINATE:
                return "unknown";
            default:
                break;
        }
        switch (kind)
        {
            case GET:
                return Bytes.show(read);
            case CAS:
                return String.valueOf(flag);
            case DELETE:
                return null == flag ? "ok" : flag ? "existed" : "was absent";
            default:
                return "ok";
        }
    }
}
