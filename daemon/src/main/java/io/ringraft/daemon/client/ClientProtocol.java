package io.ringraft.daemon.client;

import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.codecs.sbe.SessionCommandEncoder;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.pipeline.Status;

/**
 * What a {@link KvClient} and a daemon's client endpoint agree on beyond the SBE client messages
 * (docs/CLIENT-PROTOCOL.md): stream ids, the protocol version, sizes, and how a response endpoint is named. A client
 * sends Connect, RequestBatch and CloseSession to a member's client endpoint ({@code aeron:udp?endpoint=<client
 * endpoint>}, {@link #REQUEST_STREAM_ID}); the member answers on {@link #responseChannel} of the host:port the
 * Connect named, {@link #RESPONSE_STREAM_ID}.
 */
public final class ClientProtocol
{
    public static final int REQUEST_STREAM_ID = 2108;
    public static final int RESPONSE_STREAM_ID = 2109;
    /**
     * Carried in Connect; a member refuses a client of another version with SessionEvent ERROR. Version 2: requests
     * in RequestBatch, answers in ResponseBatch, commands as session records, Connect naming only host:port.
     */
    public static final int CLIENT_VERSION = 2;
    /**
     * The largest KV command a member takes: the largest key with the largest value. A COMPARE_AND_SET whose key,
     * expected and new value together are longer is refused.
     */
    public static final int MAX_KV_COMMAND_LENGTH =
        KvCommands.HEADER_LENGTH + KvCommands.MAX_KEY_LENGTH + KvCommands.MAX_VALUE_LENGTH;
    /** What a SessionCommand adds around the KV command it carries. */
    public static final int SESSION_COMMAND_OVERHEAD = MessageHeaderEncoder.ENCODED_LENGTH +
        SessionCommandEncoder.BLOCK_LENGTH + SessionCommandEncoder.commandHeaderLength();
    /** The largest log payload (one Raft entry) a member takes: a SessionCommand of the largest KV command. */
    public static final int MAX_COMMAND_LENGTH = MAX_KV_COMMAND_LENGTH + SESSION_COMMAND_OVERHEAD;
    /**
     * Term length of a client's request publications and a member's response publications: Aeron carries a message
     * of at most a term / 8 (2 MiB here), which a request or response of {@link #MAX_COMMAND_LENGTH} fits. A member
     * sets it on every response channel itself.
     */
    public static final int TERM_LENGTH = 16 * 1024 * 1024;
    /** The rule a Connect's response endpoint follows. */
    public static final String ENDPOINT_RULE = "must be host:port only (an IPv6 address in brackets), port 1..65535; " +
        "the member chooses the channel's parameters";

    private ClientProtocol()
    {
    }

    public static String udpChannel(final String endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint;
    }

    /** The channel a member answers a client on: the client names the endpoint, the member everything else. */
    public static String responseChannel(final String endpoint)
    {
        return udpChannel(endpoint) + "|term-length=" + TERM_LENGTH;
    }

    /** @return null when {@code endpoint} is a host:port a Connect may name, else what is wrong, with the rule. */
    public static String endpointProblem(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0)
        {
            return "no port; " + ENDPOINT_RULE;
        }
        final String host = endpoint.substring(0, colon);
        final String port = endpoint.substring(colon + 1);
        if (!host.matches("[A-Za-z0-9.-]+") && !host.matches("\\[[0-9A-Fa-f:.]+]"))
        {
            return "not a host name or address; " + ENDPOINT_RULE;
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)
        {
            return "not a port; " + ENDPOINT_RULE;
        }
        return null;
    }

    /**
     * The endpoint inside a whole Aeron channel, as a client of version 1 named its response channel: where to tell
     * it that it is refused. Null when there is none that {@link #endpointProblem} accepts.
     */
    public static String endpointOfChannel(final String channel)
    {
        final String key = "endpoint=";
        final int at = channel.startsWith("aeron:udp?") ? channel.indexOf(key) : -1;
        if (at < 0)
        {
            return null;
        }
        final int end = channel.indexOf('|', at);
        final String endpoint = channel.substring(at + key.length(), end < 0 ? channel.length() : end);
        return null == endpointProblem(endpoint) ? endpoint : null;
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
