package io.ringraft.daemon.server;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import io.ringraft.aeron.RateLimitedLogger;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.AdminRequestDecoder;
import io.ringraft.codecs.sbe.CloseSessionDecoder;
import io.ringraft.codecs.sbe.ConnectDecoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.RequestBatchDecoder;
import io.ringraft.codecs.sbe.RequestKind;
import io.ringraft.codecs.sbe.ResponseBatchEncoder;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.codecs.sbe.SessionCloseDecoder;
import io.ringraft.codecs.sbe.SessionCommandDecoder;
import io.ringraft.codecs.sbe.SessionEventCode;
import io.ringraft.codecs.sbe.SessionEventEncoder;
import io.ringraft.codecs.sbe.SessionOpenDecoder;
import io.ringraft.daemon.client.ClientProtocol;
import io.ringraft.daemon.config.ClientEndpointLimits;
import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommandView;
import io.ringraft.pipeline.RingraftNode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A member's client-facing endpoint: one subscription on its client endpoint, one publication per connected client.
 * The agent decodes Connect, RequestBatch and CloseSession (docs/CLIENT-PROTOCOL.md); proposes and reads on the node
 * without waiting; and sends the outcomes, which the pipeline hands back through the {@link ResponseQueue}, to each
 * client's response endpoint in ResponseBatches: every answer ready for a connection in one duty cycle goes out in
 * as few messages as fit. Nothing here blocks on a request: adding a client's publication is asynchronous too.
 * <p>
 * <b>No answer is dropped on back pressure.</b> Answers wait in their connection's queue until its publication takes
 * them; a connection whose queue passes {@link #MAX_PENDING_BYTES} (its client stopped reading) is closed and
 * counted, and its client connects again and retries, which the session layer answers without applying twice.
 * <p>
 * Connections are per member, not per group: any member accepts a Connect (SessionEvent OK), and leadership, which
 * is per group, is followed per request: a member that does not lead the request's group answers NOT_LEADER with the
 * leader it knows of. A Connect names only the client's host:port; the member builds the channel with its own term
 * length, so a client cannot make it allocate what it likes. {@link ClientEndpointLimits} bound how many connections
 * it holds, how fast it takes Connects, and how long an idle connection lives.
 * <p>
 * A request whose connection is unknown (the member restarted, or the connection expired) cannot be answered: it has
 * no response channel. It is dropped and counted; the client's attempt times out and it connects again.
 * <p>
 * The endpoint has an Aeron client of its own, whose conductor it runs. When that client closes on its own (it timed
 * out: the process was paused or starved for longer than the driver timeout, or the driver went away), the driver's
 * memory it mapped is gone: the endpoint forgets the connections without touching their publications, connects a
 * new client once a driver is active, and listens again; clients time out their attempts and connect again.
 */
final class ClientEndpoint implements Agent
{
    private static final System.Logger LOG = System.getLogger(ClientEndpoint.class.getName());
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A client whose response channel does not connect, or stays disconnected, this long is forgotten. */
    private static final long CONNECTION_LINGER_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int FRAGMENT_LIMIT = 64;
    /** Ring records moved to connections per duty cycle: enough that a cycle sends whole batches. */
    private static final int RESPONSE_LIMIT = 4096;
    private static final int MAX_REQUEST_LENGTH = 16 * 1024 * 1024;
    /** Answers a connection may hold back while its publication is back pressured; past it, it is closed. */
    static final int MAX_PENDING_BYTES = 64 * 1024 * 1024;
    private static final int RESPONSE_ENTRY_LENGTH = ResponseBatchEncoder.ResponsesEncoder.sbeBlockLength() +
        ResponseBatchEncoder.ResponsesEncoder.resultHeaderLength();
    private static final int RESPONSE_BATCH_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        ResponseBatchEncoder.BLOCK_LENGTH + ResponseBatchEncoder.ResponsesEncoder.HEADER_SIZE;
    /** Between attempts to reconnect while no driver is active, or after an attempt failed; and between logs. */
    private static final long RECONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long RECONNECT_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** A reconnection whose subscription the driver has not confirmed by then is given up. */
    private static final long SUBSCRIPTION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long DROP_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final RingraftNode node;
    private final int clusterId;
    private final int memberId;
    private final String aeronDir;
    private final String channel;
    private final ErrorHandler errorHandler;
    private final ResponseQueue responses;
    private final AdminService admin;
    private final AdminRequestDecoder adminDecoder = new AdminRequestDecoder();
    private final ClientEndpointLimits limits;
    private final long idleTimeoutNs;
    /** Checks every frame in and signs every frame out (client-purpose key); null when the member runs insecure. */
    private final FrameAuthenticator authenticator;
    private final int trailerLength;
    private final RateLimitedLogger unauthenticatedLog = new RateLimitedLogger(LOG, DROP_LOG_INTERVAL_NS);
    private final String unauthenticatedWhat;
    private final Long2ObjectHashMap<ClientConnection> connections = new Long2ObjectHashMap<>();
    /** Connections with answers to send; each at most once ({@link ClientConnection#queued}). */
    private final List<ClientConnection> queued = new ArrayList<>();
    private final List<ClientConnection> sweepScratch = new ArrayList<>();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectDecoder connectDecoder = new ConnectDecoder();
    private final RequestBatchDecoder batchDecoder = new RequestBatchDecoder();
    private final CloseSessionDecoder closeDecoder = new CloseSessionDecoder();
    private final SessionCommandDecoder sessionCommandDecoder = new SessionCommandDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionEventEncoder sessionEventEncoder = new SessionEventEncoder();
    private final ResponseBatchEncoder responseEncoder = new ResponseBatchEncoder();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer commandView = new UnsafeBuffer(0, 0);
    private final KvCommandView kvCommand = new KvCommandView();
    private final byte[] memberDetail;

    private long nextConnectionId;
    private long lastSweepNs;
    private double connectTokens;
    private long connectTokensNs;
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
    private volatile long unauthenticatedFrames;
    private volatile long unknownConnectionRequests;
    private volatile long responsesNotSent;
    private volatile long responsesDelayed;
    private volatile long connectsRefused;
    private volatile long connectsOverRate;
    private volatile long connectionsClosedBehind;
    private volatile long connectionsExpired;
    private volatile int connectionCount;

    /**
     * Connects its Aeron client to the driver in {@code aeronDir} and listens on {@code channel}.
     *
     * @param authenticator of client frames ({@code ClusterSecret.clientAuthenticator()}), owned by the endpoint from
     *                      now; null for a member that runs with {@code security = insecure}: it takes unsigned frames
     *                      only, and signs nothing.
     * @throws IllegalStateException when it cannot listen there.
     */
    ClientEndpoint(
        final RingraftNode node, final int clusterId, final String aeronDir, final String channel,
        final ResponseQueue responses, final ClientEndpointLimits limits, final ErrorHandler errorHandler,
        final FrameAuthenticator authenticator)
    {
        this(node, clusterId, aeronDir, channel, responses, limits, errorHandler, authenticator,
            new AdminService(node, java.util.Map.of(), AdminService.softwareVersion()));
    }

    /** @param admin answers the admin protocol's requests (AdminRequest) of this endpoint's connections. */
    ClientEndpoint(
        final RingraftNode node, final int clusterId, final String aeronDir, final String channel,
        final ResponseQueue responses, final ClientEndpointLimits limits, final ErrorHandler errorHandler,
        final FrameAuthenticator authenticator, final AdminService admin)
    {
        this.admin = admin;
        this.authenticator = authenticator;
        this.trailerLength = null == authenticator ? 0 : FrameAuthenticator.TRAILER_LENGTH;
        this.node = node;
        this.clusterId = clusterId;
        this.memberId = node.memberId();
        this.aeronDir = aeronDir;
        this.channel = channel;
        this.errorHandler = errorHandler;
        this.responses = responses;
        this.limits = limits;
        this.idleTimeoutNs = limits.idleTimeout().toNanos();
        this.connectTokens = limits.connectRate();
        this.connectTokensNs = System.nanoTime();
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(
            Math.max(ClientProtocol.TERM_LENGTH / 8, RESPONSE_BATCH_HEADER_LENGTH + RESPONSE_ENTRY_LENGTH +
            responses.maxResultLength() + FrameAuthenticator.TRAILER_LENGTH)));
        this.memberDetail = ("member " + memberId).getBytes(StandardCharsets.US_ASCII);
        this.unauthenticatedWhat = "member " + memberId + " dropped an unauthenticated client frame";
        // Random high bits: a restarted member never takes a request of a connection its previous run opened.
        nextConnectionId = (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_0000_0000L) + 1;

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
        // Outcomes for connections a lost client took along are dropped here, and counted.
        work += responses.drain(this::onResponse, RESPONSE_LIMIT);
        work += sendQueued();
        if (nowNs - lastSweepNs >= SWEEP_INTERVAL_NS)
        {
            lastSweepNs = nowNs;
            work += sweep(nowNs);
        }
        connectionCount = connections.size();
        return work;
    }

    @Override
    public void onClose()
    {
        connections.values().forEach(connection -> CloseHelper.quietClose(connection.publication));
        connections.clear();
        queued.clear();
        forgetClient();
    }

    // ------------------------------------------------------------------ the Aeron client

    /** The client closed on its own: its publications and subscription are unmapped, so nothing may touch them. */
    private void onClientLost()
    {
        lostAtNs = System.nanoTime();
        nextReconnectLogNs = lostAtNs;
        LOG.log(Level.WARNING, "member " + memberId + " client endpoint lost its Aeron client (it timed out: was " +
            "the process paused or starved, or is the driver gone?); its " + connections.size() + " client connections " +
            "are dropped (clients connect again) and it reconnects");
        connections.clear();
        queued.clear();
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

    private void onFragment(final DirectBuffer buffer, final int offset, final int frameLength, final Header header)
    {
        // The trailer first: nothing of a frame is read, and nothing is spent on it (no publication, no connect
        // token), unless it was signed with this cluster's client key.
        if (null != authenticator && !authenticator.verify(buffer, offset, frameLength))
        {
            unauthenticated("unsigned, or signed with another key: is the client's key (secret.file or " +
                "client.key.file) this cluster's, and is the client set to sign (not security = insecure)?");
            return;
        }
        final int length = frameLength - trailerLength;
        if (FrameCheck.OK != Frames.validate(buffer, offset, length, MAX_REQUEST_LENGTH))
        {
            if (null == authenticator && length > FrameAuthenticator.TRAILER_LENGTH &&
                FrameCheck.OK == Frames.validate(buffer, offset, length - FrameAuthenticator.TRAILER_LENGTH))
            {
                // A message and a trailer's worth after it: a client that signs, which an insecure member cannot check.
                unauthenticated("signed by its client, but this member runs with security = insecure and " +
                    "takes unsigned frames only: give the members the cluster's secret.file, or set the client to " +
                    "security = insecure too");
                return;
            }
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
            case RequestBatchDecoder.TEMPLATE_ID:
                onRequests(batchDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;
            case AdminRequestDecoder.TEMPLATE_ID:
                onAdmin(adminDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;
            case CloseSessionDecoder.TEMPLATE_ID:
                closeConnection(connections.remove(closeDecoder.wrap(buffer, bodyOffset, blockLength, version).sessionId()));
                break;
            default:
                badFrames = badFrames + 1;
        }
    }

    /** Counted, and logged at most once per interval: a flood of forged frames must not flood the log. */
    private void unauthenticated(final String why)
    {
        unauthenticatedFrames = unauthenticatedFrames + 1;
        unauthenticatedLog.log(Level.WARNING, unauthenticatedWhat, why, null);
    }

    private void onConnect(final ConnectDecoder connect)
    {
        final long nowNs = System.nanoTime();
        if (!takeConnectToken(nowNs))
        {
            // A flood: answering would cost a publication each, which is what the rate protects.
            connectsOverRate = connectsOverRate + 1;
            return;
        }
        final long correlationId = connect.correlationId();
        final int version = connect.clientVersion();
        final String named = connect.responseChannel();
        final String problem = ClientProtocol.endpointProblem(named);
        // Where to answer: the endpoint the Connect names, or the one inside an older client's whole channel.
        final String endpoint = null == problem ? named : ClientProtocol.endpointOfChannel(named);
        if (null == endpoint)
        {
            badFrames = badFrames + 1; // no usable response endpoint: nowhere to say so
            return;
        }
        final String refusal;
        if (connect.clusterId() != clusterId)
        {
            refusal = "member " + memberId + " belongs to cluster " + clusterId + ", not " + connect.clusterId();
        }
        else if (version != ClientProtocol.CLIENT_VERSION)
        {
            refusal = "member " + memberId + " speaks client protocol version " + ClientProtocol.CLIENT_VERSION +
                ", not " + version + ": use a client of this release";
        }
        else if (null != problem)
        {
            refusal = "member " + memberId + " refuses response channel '" + named + "': " + problem;
        }
        else
        {
            closeConnectionsOf(endpoint); // the same client again: it connects again after an attempt timed out
            refusal = connections.size() >= limits.maxConnections() ?
                "member " + memberId + " holds " + connections.size() + " client connections, its limit (" +
                ClientEndpointLimits.MAX_CONNECTIONS + "); try another member or later" : null;
        }
        final long registrationId;
        try
        {
            registrationId = aeron.asyncAddExclusivePublication(
                ClientProtocol.responseChannel(endpoint), ClientProtocol.RESPONSE_STREAM_ID);
        }
        catch (final AeronException | IllegalArgumentException ex)
        {
            badFrames = badFrames + 1; // the driver refused the endpoint: nowhere to answer
            return;
        }
        if (null != refusal)
        {
            connectsRefused = connectsRefused + 1;
        }
        final ClientConnection connection = new ClientConnection(
            nextConnectionId++, correlationId, registrationId, endpoint, refusal, responses, nowNs);
        connections.put(connection.connectionId, connection);
    }

    /**
     * An admin request of a connection (its {@code sessionId} is the connection id). The admin service answers through
     * a future, completed on the node's threads; the answer, an encoded AdminResponse frame, then takes the path of
     * every other answer (the response queue, the connection's ResponseBatches, kept on back pressure): an entry with
     * the request's correlation id, status OK (the admin status is inside), group -1.
     */
    private void onAdmin(final AdminRequestDecoder request)
    {
        final ClientConnection connection = connections.get(request.sessionId());
        if (null == connection || ClientConnection.State.OPEN != connection.state)
        {
            unknownConnectionRequests = unknownConnectionRequests + 1;
            return;
        }
        connection.lastRequestNs = System.nanoTime();
        final long connectionId = connection.connectionId;
        final long correlationId = request.correlationId();
        admin.handle(request).whenComplete((reply, error) ->
        {
            if (null != error)
            {
                final byte[] text = String.valueOf(error).getBytes(StandardCharsets.UTF_8);
                responses.offer(connectionId, correlationId, -1, ResponseStatus.ERROR, -1, -1,
                    new UnsafeBuffer(text), 0, text.length);
                return;
            }
            final org.agrona.ExpandableArrayBuffer frame = new org.agrona.ExpandableArrayBuffer(256);
            final int length = reply.encode(frame, 0, connectionId, correlationId);
            responses.offer(connectionId, correlationId, -1, ResponseStatus.OK, -1, reply.leaderHint(), frame, 0, length);
        });
    }

    private boolean takeConnectToken(final long nowNs)
    {
        final int rate = limits.connectRate();
        connectTokens = Math.min(rate, connectTokens + (nowNs - connectTokensNs) * 1e-9 * rate);
        connectTokensNs = nowNs;
        if (connectTokens < 1)
        {
            return false;
        }
        connectTokens -= 1;
        return true;
    }

    private void onRequests(final RequestBatchDecoder batch)
    {
        final ClientConnection connection = connections.get(batch.connectionId());
        final RequestBatchDecoder.RequestsDecoder requests = batch.requests();
        if (null == connection || ClientConnection.State.OPEN != connection.state)
        {
            unknownConnectionRequests = unknownConnectionRequests + requests.count();
            return;
        }
        connection.lastRequestNs = System.nanoTime();
        while (requests.hasNext())
        {
            requests.next();
            final long correlationId = requests.correlationId();
            final int groupId = requests.groupId();
            final RequestKind kind = requests.kind();
            requests.wrapPayload(payloadView);
            if (groupId < 0 || groupId >= node.groups())
            {
                answer(connection, correlationId, groupId, ResponseStatus.UNKNOWN_GROUP, "group " + groupId +
                    " does not exist: member " + memberId + " hosts groups 0.." + (node.groups() - 1));
                continue;
            }
            switch (kind)
            {
                case COMMAND:
                    if (checkLogPayload(connection, correlationId, groupId, payloadView))
                    {
                        node.propose(groupId, payloadView, 0, payloadView.capacity(), correlationId, connection);
                    }
                    break;
                case READ:
                case LEASE_READ:
                    // A LEASE_READ is answered on the leader's lease while it holds one (no heartbeat round), and
                    // otherwise, or through a follower, as a READ (ReadIndex).
                    if (checkKvCommand(connection, correlationId, groupId, payloadView, 0, payloadView.capacity()))
                    {
                        final byte[] query = new byte[payloadView.capacity()];
                        payloadView.getBytes(0, query);
                        node.read(groupId, query, RequestKind.LEASE_READ == kind)
                            .whenComplete(connection.readCompletion(correlationId, groupId));
                    }
                    break;
                default:
                    answer(connection, correlationId, groupId, ResponseStatus.INVALID_REQUEST, "unknown request kind");
            }
        }
    }

    /**
     * Refuses, before it costs a log entry, a payload that is not a well-formed SessionOpen, SessionCommand or
     * SessionClose, and a SessionCommand whose KV command is malformed or whose key belongs to another group.
     *
     * @return true when it may be proposed.
     */
    private boolean checkLogPayload(
        final ClientConnection connection, final long correlationId, final int groupId, final DirectBuffer payload)
    {
        final int length = payload.capacity();
        final int check = Frames.validate(payload, 0, length, ClientProtocol.MAX_COMMAND_LENGTH);
        if (FrameCheck.OK != check)
        {
            answer(connection, correlationId, groupId, ResponseStatus.INVALID_REQUEST, check == FrameCheck.FRAME_TOO_LONG ?
                "the command is " + length + " bytes, over the " + ClientProtocol.MAX_COMMAND_LENGTH + " a member " +
                "takes (the largest key with the largest value)" :
                "the payload is not a well-formed session record (frame check " + check + ")");
            return false;
        }
        headerDecoder.wrap(payload, 0);
        switch (headerDecoder.templateId())
        {
            case SessionOpenDecoder.TEMPLATE_ID:
            case SessionCloseDecoder.TEMPLATE_ID:
                return true;
            case SessionCommandDecoder.TEMPLATE_ID:
                sessionCommandDecoder.wrap(payload, MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
                    headerDecoder.version());
                sessionCommandDecoder.wrapCommand(commandView);
                return checkKvCommand(connection, correlationId, groupId, commandView, 0, commandView.capacity());
            default:
                answer(connection, correlationId, groupId, ResponseStatus.INVALID_REQUEST,
                    "a command's payload must be a SessionOpen, SessionCommand or SessionClose, not template " +
                    headerDecoder.templateId());
                return false;
        }
    }

    /**
     * Refuses a KV command that is malformed or whose key belongs to another group: a client routing with another
     * number of groups than the members would scatter keys where other clients never look.
     *
     * @return true when the command may go on.
     */
    private boolean checkKvCommand(
        final ClientConnection connection, final long correlationId, final int groupId, final DirectBuffer command,
        final int offset, final int length)
    {
        // The views handed in start at 0: keyOffset() is then an offset in the view.
        final String problem = kvCommand.wrap(command, offset, length);
        final String refusal;
        if (null != problem)
        {
            refusal = "malformed KV command: " + problem;
        }
        else if (length > ClientProtocol.MAX_KV_COMMAND_LENGTH)
        {
            refusal = "the command is " + length + " bytes, over the " + ClientProtocol.MAX_KV_COMMAND_LENGTH +
                " a member takes (the largest key with the largest value)";
        }
        else
        {
            final int keyGroup = KeyPartitioner.groupOf(
                command, kvCommand.keyOffset(), kvCommand.keyLength(), node.groups());
            if (keyGroup == groupId)
            {
                return true;
            }
            refusal = "the key belongs to group " + keyGroup + " of this cluster's " + node.groups() + ", not " +
                groupId + ": does the client's config say groups = " + node.groups() + "?";
        }
        answer(connection, correlationId, groupId, ResponseStatus.INVALID_REQUEST, refusal);
        return false;
    }

    /** An answer the endpoint gives itself (the request went nowhere): UTF-8 text as its result. */
    private void answer(
        final ClientConnection connection, final long correlationId, final int groupId, final ResponseStatus status,
        final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        connection.append(correlationId, groupId, status, -1, -1, new UnsafeBuffer(bytes), 0, bytes.length);
        queue(connection);
    }

    // ------------------------------------------------------------------ responses

    private void onResponse(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final ClientConnection connection = connections.get(buffer.getLong(index + ResponseQueue.CONNECTION_ID_OFFSET));
        if (null == connection || ClientConnection.State.OPEN != connection.state)
        {
            responsesNotSent = responsesNotSent + 1;
            return;
        }
        connection.append(
            buffer.getLong(index + ResponseQueue.CORRELATION_ID_OFFSET),
            buffer.getInt(index + ResponseQueue.GROUP_ID_OFFSET),
            ResponseStatus.get((short)buffer.getInt(index + ResponseQueue.STATUS_OFFSET)),
            buffer.getLong(index + ResponseQueue.INDEX_OFFSET),
            buffer.getInt(index + ResponseQueue.LEADER_HINT_OFFSET),
            buffer, index + ResponseQueue.RESULT_OFFSET, length - ResponseQueue.RESULT_OFFSET);
        queue(connection);
    }

    private void queue(final ClientConnection connection)
    {
        if (!connection.queued)
        {
            connection.queued = true;
            queued.add(connection);
        }
    }

    /** Offers every queued connection's answers; those its publication did not take stay queued for the next cycle. */
    private int sendQueued()
    {
        int work = 0;
        for (int i = queued.size() - 1; i >= 0; i--)
        {
            final ClientConnection connection = queued.get(i);
            if (ClientConnection.State.OPEN == connection.state && connections.get(connection.connectionId) == connection)
            {
                work += send(connection);
                if (connection.pendingBytes() > 0)
                {
                    responsesDelayed = responsesDelayed + 1;
                    if (connection.pendingBytes() <= MAX_PENDING_BYTES)
                    {
                        continue;
                    }
                    // Its client takes nothing: rather than hold the member's memory, let it connect again.
                    connectionsClosedBehind = connectionsClosedBehind + 1;
                    LOG.log(Level.WARNING, "member " + memberId + " closes the connection of client " +
                        connection.responseEndpoint + ": " + connection.pendingBytes() + " bytes of answers wait for " +
                        "it, over " + MAX_PENDING_BYTES + " (it reads too slowly); it connects again");
                    closeConnection(connections.remove(connection.connectionId));
                }
            }
            connection.queued = false;
            final int last = queued.size() - 1;
            queued.set(i, queued.get(last));
            queued.remove(last);
        }
        return work;
    }

    /** Sends a connection's waiting answers in as few ResponseBatches as fit, until its publication refuses one. */
    private int send(final ClientConnection connection)
    {
        final ExclusivePublication publication = connection.publication;
        // Room for the trailer: a signed frame must still be one message of the publication.
        final int maxLength = Math.min(publication.maxMessageLength(), sendBuffer.capacity()) - trailerLength;
        final MutableDirectBuffer pending = connection.pending;
        int work = 0;
        while (connection.pendingStart < connection.pendingEnd)
        {
            int end = connection.pendingStart;
            int length = RESPONSE_BATCH_HEADER_LENGTH;
            int count = 0;
            while (end < connection.pendingEnd && count < ResponseBatchEncoder.ResponsesEncoder.countMaxValue())
            {
                final int resultLength = pending.getInt(end + ClientConnection.RESULT_LENGTH_OFFSET);
                if (length + RESPONSE_ENTRY_LENGTH + resultLength > maxLength)
                {
                    break;
                }
                length += RESPONSE_ENTRY_LENGTH + resultLength;
                end += ClientConnection.RESULT_OFFSET + resultLength;
                count++;
            }
            if (0 == count)
            {
                // Cannot happen with the member's own term length (a message holds the largest result); never loop.
                responsesNotSent = responsesNotSent + 1;
                connection.pendingStart += ClientConnection.RESULT_OFFSET +
                    pending.getInt(connection.pendingStart + ClientConnection.RESULT_LENGTH_OFFSET);
                continue;
            }
            final ResponseBatchEncoder.ResponsesEncoder entries = responseEncoder
                .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .connectionId(connection.connectionId)
                .responsesCount(count);
            for (int at = connection.pendingStart; at < end; )
            {
                final int resultLength = pending.getInt(at + ClientConnection.RESULT_LENGTH_OFFSET);
                entries.next()
                    .correlationId(pending.getLong(at + ClientConnection.CORRELATION_ID_OFFSET))
                    .groupId(pending.getInt(at + ClientConnection.GROUP_ID_OFFSET))
                    .status(ResponseStatus.get((short)pending.getInt(at + ClientConnection.STATUS_OFFSET)))
                    .leaderHint(pending.getInt(at + ClientConnection.LEADER_HINT_OFFSET))
                    .index(pending.getLong(at + ClientConnection.INDEX_OFFSET))
                    .putResult(pending, at + ClientConnection.RESULT_OFFSET, resultLength);
                at += ClientConnection.RESULT_OFFSET + resultLength;
            }
            final long position = offer(
                publication, MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength());
            if (position > 0)
            {
                connection.pendingStart = end;
                work++;
                continue;
            }
            if (Publication.CLOSED == position || Publication.MAX_POSITION_EXCEEDED == position)
            {
                // The publication can never send again: the client connects again and retries.
                responsesNotSent = responsesNotSent + count;
                closeConnection(connections.remove(connection.connectionId));
            }
            break; // back pressured, or not connected (the sweep closes it if that lasts): kept for the next cycle
        }
        return work;
    }

    // ------------------------------------------------------------------ connections

    /**
     * Finishes opening connections whose response publication is ready, and forgets clients that went away or
     * stayed idle.
     */
    private int sweep(final long nowNs)
    {
        int work = 0;
        sweepScratch.clear();
        sweepScratch.addAll(connections.values());
        for (final ClientConnection connection : sweepScratch)
        {
            if (ClientConnection.State.OPEN == connection.state)
            {
                if (nowNs - connection.lastRequestNs > idleTimeoutNs && 0 == connection.pendingBytes())
                {
                    connectionsExpired = connectionsExpired + 1;
                    sendSessionEvent(connection, SessionEventCode.CLOSED, "member " + memberId + " closed the " +
                        "connection: no request for " + limits.idleTimeout().toMillis() + " ms");
                    closeConnection(connections.remove(connection.connectionId));
                    work++;
                }
                else if (connection.publication.isConnected())
                {
                    connection.lastConnectedNs = nowNs;
                }
                else if (nowNs - connection.lastConnectedNs > CONNECTION_LINGER_NS)
                {
                    closeConnection(connections.remove(connection.connectionId));
                    work++;
                }
                continue;
            }
            if (null == connection.publication)
            {
                try
                {
                    connection.publication = aeron.getExclusivePublication(connection.publicationRegistrationId);
                }
                catch (final AeronException ex)
                {
                    connections.remove(connection.connectionId); // the driver refused the channel: nowhere to answer
                    badFrames = badFrames + 1;
                    work++;
                    continue;
                }
            }
            final boolean refusing = ClientConnection.State.REFUSING == connection.state;
            if (null != connection.publication && connection.publication.isConnected() && sendSessionEvent(
                connection, refusing ? SessionEventCode.ERROR : SessionEventCode.OK, connection.refusal))
            {
                work++;
                if (refusing)
                {
                    closeConnection(connections.remove(connection.connectionId));
                }
                else
                {
                    connection.state = ClientConnection.State.OPEN;
                    connection.lastConnectedNs = nowNs;
                    connection.lastRequestNs = nowNs;
                }
            }
            else if (nowNs - connection.lastConnectedNs > CONNECTION_LINGER_NS)
            {
                closeConnection(connections.remove(connection.connectionId));
                work++;
            }
        }
        return work;
    }

    /** @param detail the refusal or closing reason; null for OK, which names the member. */
    private boolean sendSessionEvent(final ClientConnection connection, final SessionEventCode code, final String detail)
    {
        sessionEventEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(connection.connectCorrelationId)
            .sessionId(SessionEventCode.ERROR == code ? -1 : connection.connectionId)
            .code(code)
            .leaderMember(-1);
        if (null != detail)
        {
            sessionEventEncoder.detail(detail);
        }
        else
        {
            sessionEventEncoder.putDetail(memberDetail, 0, memberDetail.length);
        }
        return offer(connection.publication,
            MessageHeaderEncoder.ENCODED_LENGTH + sessionEventEncoder.encodedLength()) > 0;
    }

    /**
     * Every frame to a client leaves here: the message at the start of {@link #sendBuffer}, signed when the member
     * has a key, so the client knows the answer came from a member of its cluster.
     */
    private long offer(final ExclusivePublication publication, final int messageLength)
    {
        final int frameLength = null == authenticator ? messageLength :
            authenticator.sign(sendBuffer, 0, messageLength);
        return publication.offer(sendBuffer, 0, frameLength);
    }

    /**
     * A client has one response endpoint: a Connect from it replaces the connection it opened before (it connects
     * again when an attempt timed out), whose publication would otherwise stay connected to it, and never expire.
     */
    private void closeConnectionsOf(final String responseEndpoint)
    {
        sweepScratch.clear();
        sweepScratch.addAll(connections.values());
        for (final ClientConnection connection : sweepScratch)
        {
            if (connection.responseEndpoint.equals(responseEndpoint))
            {
                closeConnection(connections.remove(connection.connectionId));
            }
        }
    }

    private void closeConnection(final ClientConnection connection)
    {
        if (null == connection)
        {
            return;
        }
        if (null != connection.publication)
        {
            CloseHelper.quietClose(connection.publication);
        }
        else
        {
            aeron.asyncRemovePublication(connection.publicationRegistrationId);
        }
    }

    /** A snapshot of what an operator needs to see of the client endpoint; any thread. */
    ClientEndpointStats stats()
    {
        return new ClientEndpointStats(connectionCount, badFrames, unauthenticatedFrames, unknownConnectionRequests,
            responsesNotSent,
            responses.dropped(), responsesDelayed, connectsRefused, connectsOverRate, connectionsClosedBehind,
            connectionsExpired);
    }
}
