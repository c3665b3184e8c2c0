package io.ringraft.pipeline;

import java.nio.charset.StandardCharsets;

/**
 * The answer to {@link RingraftNode#propose} or {@link RingraftNode#read}.
 *
 * @param status     what happened.
 * @param index      the log index of the entry (proposals) or the read index (reads); 0 when none.
 * @param leaderHint the member believed to lead the group when {@code status} is NOT_LEADER, -1 when unknown.
 * @param value      the state machine's result bytes (an explanation in ASCII for ERROR).
 */
public record Result(Status status, long index, int leaderHint, byte[] value)
{
    public boolean isOk()
    {
        return Status.OK == status;
    }

    public String valueAsString()
    {
        return new String(value, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString()
    {
        return "Result{" + status + " index=" + index + " leaderHint=" + leaderHint + " value=" + value.length + "B}";
    }
}
