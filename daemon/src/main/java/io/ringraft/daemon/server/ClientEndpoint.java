package io.ringraft.daemon.server;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.CloseSessionDecoder;
import io.ringraft.codecs.sbe.CommandRequestDecoder;
import io.ringraft.codecs.sbe.CommandResponseEncoder;
import io.ringraft.codecs.sbe.ConnectDecoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.ReadRequestDecoder;
import io.ringraft.codecs.sbe.ReadResponseEncoder;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.codecs.sbe.SessionEventCode;
import io.ringraft.codecs.sbe.SessionEventEncoder;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommandView;
import io.ringraft.pipeline.RingraftNode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A member's client-facing endpoint: one subscription on its client endpoint, one publication per connected client.
 * The agent decodes Connect, CommandRequest, ReadRequest and CloseSession; proposes and reads on the node without
 * waiting; and sends the outcomes, which the pipeline hands back through the {@link ResponseQueue}, to each client's
 * response channel. Nothing here blocks on a request: adding a client's publication is asynchronous too.
 * <p>
 * Sessions are per member, not per group: any member accepts a Connect (SessionEvent OK), and leadership, which is
 * per group, is followed per request: a member that does not lead the request's group answers NOT_LEADER with the
 * leader it knows of. Every read is linearizable (ReadIndex) whatever consistency the request asks for.
 * <p>
 * A request whose session is unknown (the member restarted, or the session expired) cannot be answered: it has no
 * response channel. It is dropped and counted; the client's attempt times out and it connects again.
 * <p>
 * The endpoint has an Aeron client of its own, whose conductor it runs. When that client closes on its own (it timed
 * out: the process was paused or starved for longer than the driver timeout, or the driver went away), the driver's
 * memory it mapped is gone: the endpoint forgets the sessions without touching their publications, connects a new
 * client once a driver is active, and listens again; clients time out their attempts and connect again.
 */
final class ClientEndpoint implements Agent
{
    private static final System.Logger LOG = System.getLogger(ClientEndpoint.class.getName());
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A client whose response channel does not connect, or stays disconnected, this long is forgotten. */
    private static final long SESSION_LINGER_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int FRAGMENT_LIMIT = 64;
    private static final int RESPONSE_LIMIT = 256;
    private static final int MAX_REQUEST_LENGTH = 2 * 1024 * 1024;
    /** Between attempts to reconnect while no driver is active, or after an attempt failed; and between logs. */
    private static final long RECONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long RECONNECT_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** A reconnection whose subscription the driver has not confirmed by then is given up. */
    private static final long SUBSCRIPTION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final RingraftNode node;
    private final int clusterId;
    private final int memberId;
    private final String aeronDir;
    private final String channel;
    private final ErrorHandler errorHandler;
    private final ResponseQueue responses;
    private final Long2ObjectHashMap<ClientSession> sessions = new Long2ObjectHashMap<>();
    private final List<ClientSession> sweepScratch = new ArrayList<>();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectDecoder connectDecoder = new ConnectDecoder();
    private final CommandRequestDecoder commandDecoder = new CommandRequestDecoder();
    private final ReadRequestDecoder readDecoder = new ReadRequestDecoder();
    private final CloseSessionDecoder closeDecoder = new CloseSessionDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionEventEncoder sessionEventEncoder = new SessionEventEncoder();
    private final CommandResponseEncoder commandResponseEncoder = new CommandResponseEncoder();
    private final ReadResponseEncoder readResponseEncoder = new ReadResponseEncoder();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final KvCommandView commandView = new KvCommandView();
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
    private final byte[] memberDetail;

    private long nextSessionId;
    private long lastSweepNs;
    // The current Aeron client and its subscription; null while the endpoint reconnects.
    private Aeron aeron;
    private AgentInvoker conductor;
    private Subscription subscription;
    private long subscriptionRegistrationId;
    private long subscriptionDeadlineNs;
    private long nextReconnectNs;
    private long nextReconnectLogNs;
    private long lostAtNs;
    // Written by the agent's thread only, read by anyone (status, tests): volatile, incremented by that one writer.
    private volatile long badFrames;
    private volatile long unknownSessionRequests;
    private volatile long responsesNotSent;
    private volatile int sessionCount;

    /**
     * Connects its Aeron client to the driver in {@code aeronDir} and listens on {@code channel}.
     *
     * @throws IllegalStateException when it cannot listen there.
     */
    ClientEndpoint(
        final RingraftNode node, final int clusterId, final String aeronDir, final String channel,
        final ResponseQueue responses, final ErrorHandler errorHandler)
    {
        this.node = node;
        this.clusterId = clusterId;
        this.memberId = node.memberId();
        this.aeronDir = aeronDir;
        this.channel = channel;
        this.errorHandler = errorHandler;
        this.responses = responses;
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(responses.maxResultLength() + 4096));
        this.memberDetail = ("member " + memberId).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        // Random high bits: a restarted member never takes a request of a session its previous run opened.
        nextSessionId = (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_0000_0000L) + 1;

        aeron = Aeron.connect(clientContext());
        conductor = aeron.conductorAgentInvoker();
        try
        {
            subscription = aeron.addSubscription(channel, ClientProtocol.REQUEST_STREAM_ID);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw new IllegalStateException("member " + memberId + " cannot listen for clients on " + channel + ": " +
                ex.getMessage(), ex);
        }
    }

    private Aeron.Context clientContext()
    {
        return new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .clientName("ringraft c=" + clusterId + " m=" + memberId + " clients")
            .useConductorAgentInvoker(true)
            .errorHandler((error) ->
            {
                // A conductor that timed out reports its own end after the error that ended it, reported already.
                if (!(error instanceof AgentTerminationException))
                {
                    errorHandler.onError(error);
                }
            });
    }

    @Override
    public String roleName()
    {
        return "ringraft-" + memberId + "-clients";
    }

    @Override
    public int doWork()
    {
        int work = 0;
        if (null != aeron)
        {
            work += conductor.invoke();
            if (aeron.isClosed())
            {
                onClientLost();
                work++;
            }
        }
        final long nowNs = System.nanoTime();
        if (null == subscription)
        {
            work += reconnect(nowNs);
        }
        else
        {
            work += subscription.poll(assembler, FRAGMENT_LIMIT);
        }
        // Outcomes for sessions a lost client took along are dropped here, and counted.
        work += responses.drain(this::onResponse, RESPONSE_LIMIT);
        if (nowNs - lastSweepNs >= SWEEP_INTERVAL_NS)
        {
            lastSweepNs = nowNs;
            work += sweep(nowNs);
        }
        sessionCount = sessions.size();
        return work;
    }

    @Override
    public void onClose()
    {
        sessions.values().forEach(session -> CloseHelper.quietClose(session.publication));
        sessions.clear();
        forgetClient();
    }

    // ------------------------------------------------------------------ the Aeron client

    /** The client closed on its own: its publications and subscription are unmapped, so nothing may touch them. */
    private void onClientLost()
    {
        lostAtNs = System.nanoTime();
        nextReconnectLogNs = lostAtNs;
        LOG.log(Level.WARNING, "member " + memberId + " client endpoint lost its Aeron client (it timed out: was " +
            "the process paused or starved, or is the driver gone?); its " + sessions.size() + " client sessions " +
            "are dropped (clients connect again) and it reconnects");
        sessions.clear();
        forgetClient();
        nextReconnectNs = lostAtNs;
    }

    private void forgetClient()
    {
        subscription = null;
        CloseHelper.quietClose(aeron); // closes what it registered; nothing once it closed on its own
        aeron = null;
        conductor = null;
    }

    /** One step of reconnecting, never waiting on the driver: connect once a driver is active, then listen. */
    private int reconnect(final long nowNs)
    {
        try
        {
            if (null == aeron)
            {
                if (nowNs - nextReconnectNs < 0)
                {
                    return 0;
                }
                nextReconnectNs = nowNs + RECONNECT_RETRY_NS;
                if (!CommonContext.isDriverActive(new File(aeronDir), CommonContext.DRIVER_TIMEOUT_MS, (line) -> {}))
                {
                    logReconnect(nowNs, "waits for an active media driver in " + aeronDir, null);
                    return 1;
                }
                aeron = Aeron.connect(clientContext());
                conductor = aeron.conductorAgentInvoker();
                subscriptionRegistrationId = aeron.asyncAddSubscription(channel, ClientProtocol.REQUEST_STREAM_ID);
                subscriptionDeadlineNs = nowNs + SUBSCRIPTION_TIMEOUT_NS;
                return 1;
            }
            subscription = aeron.getSubscription(subscriptionRegistrationId);
            if (null != subscription)
            {
                LOG.log(Level.INFO, "member " + memberId + " client endpoint listens again on " + channel + ", " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - lostAtNs) + " ms after its Aeron client was lost");
                return 1;
            }
            if (nowNs - subscriptionDeadlineNs > 0)
            {
                throw new IllegalStateException("the driver did not confirm the subscription within " +
                    TimeUnit.NANOSECONDS.toMillis(SUBSCRIPTION_TIMEOUT_NS) + " ms");
            }
            return 0;
        }
        catch (final RuntimeException ex)
        {
            logReconnect(nowNs, "cannot reconnect its Aeron client yet", ex);
            forgetClient();
            nextReconnectNs = nowNs + RECONNECT_RETRY_NS;
            return 1;
        }
    }

    private void logReconnect(final long nowNs, final String what, final Throwable error)
    {
        if (nowNs - nextReconnectLogNs >= 0)
        {
            nextReconnectLogNs = nowNs + RECONNECT_LOG_INTERVAL_NS;
            LOG.log(Level.WARNING, "member " + memberId + " client endpoint " + what +
                (null == error ? "" : ": " + error));
        }
    }

    // ------------------------------------------------------------------ requests

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (FrameCheck.OK != Frames.validate(buffer, offset, length, MAX_REQUEST_LENGTH))
        {
            badFrames = badFrames + 1;
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case ConnectDecoder.TEMPLATE_ID:
                onConnect(connectDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;
            case CommandRequestDecoder.TEMPLATE_ID:
                onCommand(commandDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;
            case ReadRequestDecoder.TEMPLATE_ID:
                onRead(readDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;
            case CloseSessionDecoder.TEMPLATE_ID:
                closeSession(sessions.remove(closeDecoder.wrap(buffer, bodyOffset, blockLength, version).sessionId()));
                break;
            default:
                badFrames = badFrames + 1;
        }
    }

    private void onConnect(final ConnectDecoder connect)
    {
        final long correlationId = connect.correlationId();
        final String refusal;
        if (connect.clusterId() != clusterId)
        {
            refusal = "member " + memberId + " belongs to cluster " + clusterId + ", not " + connect.clusterId();
        }
        else if (connect.clientVersion() != ClientProtocol.CLIENT_VERSION)
        {
            refusal = "member " + memberId + " speaks client protocol version " + ClientProtocol.CLIENT_VERSION +
                ", not " + connect.clientVersion();
        }
        else
        {
            refusal = null;
        }
        final String channel = connect.responseChannel();
        closeSessionsOf(channel);
        final long registrationId;
        try
        {
            registrationId = aeron.asyncAddExclusivePublication(channel, ClientProtocol.RESPONSE_STREAM_ID);
        }
        catch (final AeronException | IllegalArgumentException ex)
        {
            badFrames = badFrames + 1; // no usable response channel: nowhere to say so
            return;
        }
        final ClientSession session = new ClientSession(
            nextSessionId++, correlationId, registrationId, channel, refusal, responses, System.nanoTime());
        sessions.put(session.sessionId, session);
    }

    /** The open session a request names, if its group exists; else null, and the client was answered if it can be. */
    private ClientSession admit(
        final long sessionId, final int responseType, final long correlationId, final int groupId)
    {
        final ClientSession session = openSession(sessionId);
        if (null != session && (groupId < 0 || groupId >= node.groups()))
        {
            sendUnknownGroup(session, responseType, correlationId, groupId);
            return null;
        }
        return session;
    }

    private void onCommand(final CommandRequestDecoder request)
    {
        final long correlationId = request.correlationId();
        final int groupId = request.groupId();
        final ClientSession session = admit(request.sessionId(), ResponseQueue.COMMAND, correlationId, groupId);
        if (null == session)
        {
            return;
        }
        request.wrapPayload(payloadView);
        if (!checkCommand(session, ResponseQueue.COMMAND, correlationId, groupId, payloadView))
        {
            return;
        }
        node.propose(groupId, payloadView, 0, payloadView.capacity(), correlationId, session);
    }

    private void onRead(final ReadRequestDecoder request)
    {
        final long correlationId = request.correlationId();
        final int groupId = request.groupId();
        final ClientSession session = admit(request.sessionId(), ResponseQueue.READ, correlationId, groupId);
        if (null == session)
        {
            return;
        }
        request.wrapQuery(payloadView);
        if (!checkCommand(session, ResponseQueue.READ, correlationId, groupId, payloadView))
        {
            return;
        }
        final byte[] query = new byte[payloadView.capacity()];
        payloadView.getBytes(0, query);
        node.read(groupId, query).whenComplete(session.readCompletion(correlationId, groupId));
    }

    private ClientSession openSession(final long sessionId)
    {
        final ClientSession session = sessions.get(sessionId);
        if (null == session || ClientSession.State.OPEN != session.state)
        {
            unknownSessionRequests = unknownSessionRequests + 1;
            return null;
        }
        return session;
    }

    /**
     * Refuses, before it costs a log entry, a command that is malformed or whose key belongs to another group: a
     * client routing with another number of groups than the members would scatter keys where other clients never
     * look.
     *
     * @return true when the command may go on.
     */
    private boolean checkCommand(
        final ClientSession session, final int type, final long correlationId, final int groupId, final DirectBuffer command)
    {
        final String problem = commandView.wrap(command, 0, command.capacity());
        final String refusal;
        if (null != problem)
        {
            refusal = "malformed KV command: " + problem;
        }
        else if (command.capacity() > ClientProtocol.MAX_COMMAND_LENGTH)
        {
            refusal = "the command is " + command.capacity() + " bytes, over the " + ClientProtocol.MAX_COMMAND_LENGTH +
                " a member takes (the largest key with the largest value)";
        }
        else
        {
            final int keyGroup = KeyPartitioner.groupOf(command, commandView.keyOffset(), commandView.keyLength(), node.groups());
            if (keyGroup == groupId)
            {
                return true;
            }
            refusal = "the key belongs to group " + keyGroup + " of this cluster's " + node.groups() + ", not " +
                groupId + ": does the client's config say groups = " + node.groups() + "?";
        }
        final byte[] text = refusal.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        send(session, type, correlationId, groupId, ResponseStatus.INVALID_REQUEST, -1, -1, new UnsafeBuffer(text), 0,
            text.length);
        return false;
    }

    private void sendUnknownGroup(final ClientSession session, final int type, final long correlationId, final int groupId)
    {
        final byte[] text = ("group " + groupId + " does not exist: member " + memberId + " hosts groups 0.." +
            (node.groups() - 1)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        send(session, type, correlationId, groupId, ResponseStatus.UNKNOWN_GROUP, -1, -1, new UnsafeBuffer(text), 0,
            text.length);
    }

    // ------------------------------------------------------------------ responses

    private void onResponse(final int type, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        final ClientSession session = sessions.get(buffer.getLong(index + ResponseQueue.SESSION_ID_OFFSET));
        if (null == session || ClientSession.State.OPEN != session.state)
        {
            responsesNotSent = responsesNotSent + 1;
            return;
        }
        send(session, type,
            buffer.getLong(index + ResponseQueue.CORRELATION_ID_OFFSET),
            buffer.getInt(index + ResponseQueue.GROUP_ID_OFFSET),
            ResponseStatus.get((short)buffer.getInt(index + ResponseQueue.STATUS_OFFSET)),
            buffer.getLong(index + ResponseQueue.INDEX_OFFSET),
            buffer.getInt(index + ResponseQueue.LEADER_HINT_OFFSET),
            buffer, index + ResponseQueue.RESULT_OFFSET, length - ResponseQueue.RESULT_OFFSET);
    }

    /** For ERROR, UNKNOWN_GROUP and INVALID_REQUEST the bytes are the error text; otherwise the state machine's result. */
    private void send(
        final ClientSession session, final int type, final long correlationId, final int groupId,
        final ResponseStatus status, final long index, final int leaderHint, final DirectBuffer bytes, final int offset,
        final int length)
    {
        final boolean isError = ResponseStatus.ERROR == status || ResponseStatus.UNKNOWN_GROUP == status ||
            ResponseStatus.INVALID_REQUEST == status;
        final int encodedLength;
        if (ResponseQueue.COMMAND == type)
        {
            commandResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(session.sessionId)
                .correlationId(correlationId)
                .groupId(groupId)
                .status(status)
                .leaderHint(leaderHint)
                .logIndex(ResponseStatus.OK == status ? index : -1)
                .putResult(isError ? empty : bytes, isError ? 0 : offset, isError ? 0 : length)
                .putErrorMessage(isError ? bytes : empty, isError ? offset : 0, isError ? length : 0);
            encodedLength = MessageHeaderEncoder.ENCODED_LENGTH + commandResponseEncoder.encodedLength();
        }
        else
        {
            readResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .sessionId(session.sessionId)
                .correlationId(correlationId)
                .groupId(groupId)
                .status(status)
                .leaderHint(leaderHint)
                .readIndex(index)
                .putResult(isError ? empty : bytes, isError ? 0 : offset, isError ? 0 : length)
                .putErrorMessage(isError ? bytes : empty, isError ? offset : 0, isError ? length : 0);
            encodedLength = MessageHeaderEncoder.ENCODED_LENGTH + readResponseEncoder.encodedLength();
        }
        if (encodedLength > session.publication.maxMessageLength())
        {
            // Only when the client named a response channel of small terms: tell it, rather than let it time out.
            responsesNotSent = responsesNotSent + 1;
            final byte[] text = ("the response is " + encodedLength + " bytes, more than the " +
                session.publication.maxMessageLength() + " bytes one message of the client's response channel " +
                "carries (term length / 8)").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            send(session, type, correlationId, groupId, ResponseStatus.INVALID_REQUEST, -1, leaderHint,
                new UnsafeBuffer(text), 0, text.length);
            return;
        }
        if (session.publication.offer(sendBuffer, 0, encodedLength) < 0)
        {
            responsesNotSent = responsesNotSent + 1; // the client's attempt times out and it retries
        }
    }

    // ------------------------------------------------------------------ sessions

    /** Finishes opening sessions whose response publication is ready, and forgets clients that went away. */
    private int sweep(final long nowNs)
    {
        int work = 0;
        sweepScratch.clear();
        sweepScratch.addAll(sessions.values());
        for (final ClientSession session : sweepScratch)
        {
            if (ClientSession.State.OPEN == session.state)
            {
                if (session.publication.isConnected())
                {
                    session.lastConnectedNs = nowNs;
                }
                else if (nowNs - session.lastConnectedNs > SESSION_LINGER_NS)
                {
                    closeSession(sessions.remove(session.sessionId));
                    work++;
                }
                continue;
            }
            if (null == session.publication)
            {
                try
                {
                    session.publication = aeron.getExclusivePublication(session.publicationRegistrationId);
                }
                catch (final AeronException ex)
                {
                    sessions.remove(session.sessionId); // the driver refused the channel: nowhere to answer
                    badFrames = badFrames + 1;
                    work++;
                    continue;
                }
            }
            if (null != session.publication && session.publication.isConnected() && sendSessionEvent(session))
            {
                work++;
                if (ClientSession.State.REFUSING == session.state)
                {
                    closeSession(sessions.remove(session.sessionId));
                }
                else
                {
                    session.state = ClientSession.State.OPEN;
                    session.lastConnectedNs = nowNs;
                }
            }
            else if (nowNs - session.lastConnectedNs > SESSION_LINGER_NS)
            {
                closeSession(sessions.remove(session.sessionId));
                work++;
            }
        }
        return work;
    }

    private boolean sendSessionEvent(final ClientSession session)
    {
        final boolean refused = ClientSession.State.REFUSING == session.state;
        sessionEventEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(session.connectCorrelationId)
            .sessionId(refused ? -1 : session.sessionId)
            .code(refused ? SessionEventCode.ERROR : SessionEventCode.OK)
            .leaderMember(-1);
        if (refused)
        {
            sessionEventEncoder.detail(session.refusal);
        }
        else
        {
            sessionEventEncoder.putDetail(memberDetail, 0, memberDetail.length);
        }
        return session.publication.offer(
            sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + sessionEventEncoder.encodedLength()) > 0;
    }

    /**
     * A client has one response channel: a Connect on it replaces the sessions it opened before (it connects again
     * when an attempt timed out), whose publications would otherwise stay connected to it, and never expire.
     */
    private void closeSessionsOf(final String responseChannel)
    {
        sweepScratch.clear();
        sweepScratch.addAll(sessions.values());
        for (final ClientSession session : sweepScratch)
        {
            if (session.responseChannel.equals(responseChannel))
            {
                closeSession(sessions.remove(session.sessionId));
            }
        }
    }

    private void closeSession(final ClientSession session)
    {
        if (null == session)
        {
            return;
        }
        if (null != session.publication)
        {
            CloseHelper.quietClose(session.publication);
        }
        else
        {
            aeron.asyncRemovePublication(session.publicationRegistrationId);
        }
    }

    /** A snapshot of what an operator needs to see of the client endpoint; any thread. */
    ClientEndpointStats stats()
    {
        return new ClientEndpointStats(sessionCount, badFrames, unknownSessionRequests, responsesNotSent,
            responses.dropped());
    }
}
