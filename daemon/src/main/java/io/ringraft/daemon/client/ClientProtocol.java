package io.ringraft.daemon.client;

import io.ringraft.codecs.sbe.ResponseStatus;
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
