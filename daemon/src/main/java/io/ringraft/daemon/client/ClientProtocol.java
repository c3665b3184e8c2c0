package io.ringraft.daemon.client;

import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.pipeline.Status;

/**
 * What a {@link KvClient} and a daemon's client endpoint agree on beyond the SBE client messages: stream ids and the
 * protocol version. A client sends Connect, CommandRequest, ReadRequest and CloseSession to a member's client endpoint
 * ({@code aeron:udp?endpoint=<client endpoint>}, {@link #REQUEST_STREAM_ID}); the member answers on the response
 * channel the Connect named, {@link #RESPONSE_STREAM_ID}.
 */
public final class ClientProtocol
{
    public static final int REQUEST_STREAM_ID = 2108;
    public static final int RESPONSE_STREAM_ID = 2109;
    /** Carried in Connect; a member refuses a client of another version with SessionEvent ERROR. */
    public static final int CLIENT_VERSION = 1;
    /**
     * The largest KV command a member takes (one Raft entry): the largest key with the largest value. A
     * COMPARE_AND_SET whose key, expected and new value together are longer is refused.
     */
    public static final int MAX_COMMAND_LENGTH =
        KvCommands.HEADER_LENGTH + KvCommands.MAX_KEY_LENGTH + KvCommands.MAX_VALUE_LENGTH;
    /**
     * Term length of a client's request publications and a member's response publications: Aeron carries a message
     * of at most a term / 8 (2 MiB here), which a request or response of {@link #MAX_COMMAND_LENGTH} fits.
     */
    public static final int TERM_LENGTH = 16 * 1024 * 1024;

    private ClientProtocol()
    {
    }

    public static String udpChannel(final String endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint;
    }

    public static ResponseStatus toWire(final Status status)
    {
        switch (status)
        {
            case OK: return ResponseStatus.OK;
            case NOT_LEADER: return ResponseStatus.NOT_LEADER;
            case BACK_PRESSURED: return ResponseStatus.BACK_PRESSURED;
            case TIMEOUT: return ResponseStatus.TIMEOUT;
            default: return ResponseStatus.ERROR;
        }
    }
}
