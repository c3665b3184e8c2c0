package io.ringraft.daemon.client;

/** A KV request that failed: the message says which member answered what, or that none answered in time. */
public final class KvException extends RuntimeException
{
    private final int memberId;
    private final String status;

    public KvException(final String message, final int memberId, final String status)
    {
        super(message);
        this.memberId = memberId;
        this.status = status;
    }

    /** @param cause what failed in the client, e.g. the Aeron call that could not send the request. */
    public KvException(final String message, final int memberId, final String status, final Throwable cause)
    {
        super(message, cause);
        this.memberId = memberId;
        this.status = status;
    }

    /** The member whose answer decided the failure, -1 when none answered. */
    public int memberId()
    {
        return memberId;
    }

    /** The status of that answer (a wire ResponseStatus, a KV result code, or TIMEOUT when nobody answered). */
    public String status()
    {
        return status;
    }
}
