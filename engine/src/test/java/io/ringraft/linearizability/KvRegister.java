package io.ringraft.linearizability;

/**
 * The sequential specification of one key of the KV store: a register holding a value or absent (null), with the
 * semantics of {@code KvStateMachine} exactly. PUT sets; DELETE removes and answers whether the key existed; GET
 * answers the current value; CAS sets its new value iff the key holds the expected value, or, when it expects
 * "absent", iff the key is absent (a CAS on an absent key with an expected value fails, and an empty value is a
 * value, not absence).
 * <p>
 * An operation whose result is unknown (indeterminate) fits any state and has the effect the store would give it
 * there: an unanswered CAS sets its value only where it would have matched.
 */
final class KvRegister
{
    private KvRegister()
    {
    }

    /** Whether {@code op} may take effect when the register holds {@code state}, given the result it reported. */
    static boolean fits(final Operation op, final Bytes state)
    {
        if (op.indeterminate())
        {
            return true;
        }
        switch (op.kind())
        {
            case GET:
                return equal(op.read(), state);
            case DELETE:
                return null == op.flag() || op.flag() == (null != state);
            case CAS:
                return op.flag() == matches(op, state);
            default:
                return true;
        }
    }

    /** The register after {@code op} took effect on {@code state}; only for an op that {@link #fits}. */
    static Bytes after(final Operation op, final Bytes state)
    {
        switch (op.kind())
        {
            case PUT:
                return op.value();
            case DELETE:
                return null;
            case CAS:
                return matches(op, state) ? op.value() : state;
            default:
                return state;
        }
    }

    /** Why {@code op} does not fit {@code state}, for a report; only for an op that does not {@link #fits}. */
    static String misfit(final Operation op, final Bytes state)
    {
        switch (op.kind())
        {
            case GET:
                return "read " + Bytes.show(op.read()) + " but the key holds " + Bytes.show(state);
            case DELETE:
                return "reported the key " + (op.flag() ? "existed" : "absent") + " but it holds " + Bytes.show(state);
            case CAS:
                return (op.flag() ? "set the value" : "did not set the value") + " but the key holds " +
                    Bytes.show(state) + " and the CAS expected " + Bytes.show(op.expected());
            default:
                return "fits";
        }
    }

    private static boolean matches(final Operation op, final Bytes state)
    {
        return null == op.expected() ? null == state : op.expected().equals(state);
    }

    private static boolean equal(final Bytes a, final Bytes b)
    {
        return null == a ? null == b : a.equals(b);
    }
}
