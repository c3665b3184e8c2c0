package io.ringraft.daemon.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import io.ringraft.aeron.AeronTransportContext;
import io.ringraft.aeron.EmbeddedMediaDriver;
import io.ringraft.aeron.RateLimitedErrorHandler;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.AdminRequestEncoder;
import io.ringraft.codecs.sbe.CloseSessionEncoder;
import io.ringraft.codecs.sbe.ConnectEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.RequestBatchEncoder;
import io.ringraft.codecs.sbe.RequestKind;
import io.ringraft.codecs.sbe.ResponseBatchDecoder;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.codecs.sbe.SessionEventCode;
import io.ringraft.codecs.sbe.SessionEventDecoder;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.SecurityConfig;
import io.ringraft.daemon.session.SessionOutcome;
import io.ringraft.daemon.session.SessionRecords;
import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvResults;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client of a ringraft KV cluster (docs/CLIENT-PROTOCOL.md). A key belongs to group {@link #groupOf}; each request
 * goes to the member believed to lead that group, follows NOT_LEADER hints, moves on to another member when one does
 * not answer within the attempt timeout, and fails only when the request's whole budget is spent, with the last
 * problem seen (which member, which status) and the client's last transport error as its cause.
 * <p>
 * Threads: every method is thread safe. One thread of the client's own runs everything Aeron and every request's
 * life (its embedded media driver, connecting to members, sending, retrying, completing futures), so the futures
 * complete on that thread: do not block in their callbacks.
 * <p>
 * Wire: one connection per member; every request ready in a duty cycle goes to its member in one RequestBatch (as
 * many as a message holds); a batch the publication does not take now is kept and offered again, never failed for
 * it.
 * <p>
 * Delivery: exactly once. The client opens a session in a group on its first write there (a SessionOpen through the
 * log; the session id is that entry's index), and every PUT, DELETE and COMPARE_AND_SET is a SessionCommand with the
 * session's next sequence; a retry (after an attempt timeout, a NOT_LEADER redirect or a reconnection) reuses its
 * sequence, so the session layer applies it once and answers a retry with the first application's result. When the
 * session expired (no write for {@link KvClientOptions#sessionTimeout} of log time, or evicted) a write no earlier
 * attempt of which can have applied is sent again in a new session; one that may have applied fails with a
 * {@link KvException} saying its outcome is unknown. Reads are linearizable (ReadIndex) and need no session.
 */
public final class KvClient implements AutoCloseable
{
    /** Not a position Aeron returns: an offer that threw (its link's outbox has been failed). */
    private static final long OFFER_THREW = Long.MIN_VALUE;
    private static final long RETRY_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long ELECTION_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int REQUEST_ENTRY_LENGTH = RequestBatchEncoder.RequestsEncoder.sbeBlockLength() +
        RequestBatchEncoder.RequestsEncoder.payloadHeaderLength();
    private static final int REQUEST_BATCH_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        RequestBatchEncoder.BLOCK_LENGTH + RequestBatchEncoder.RequestsEncoder.HEADER_SIZE;
    private static final int SESSION_OPEN_LENGTH = 32;
    private static final System.Logger LOG = System.getLogger(KvClient.class.getName());
    /** Why every member may stay silent: they drop what does not check with their key, unanswered. */
    private static final String KEY_HINT = "Members with a secret drop frames not signed with their cluster's " +
        "client key (" + SecurityConfig.SECRET_FILE + " or " + ClientConfig.CLIENT_KEY_FILE + "), and members that " +
        "run " + SecurityConfig.SECURITY + " = " + SecurityConfig.INSECURE + " drop signed ones; their counters " +
        "say so (unauthenticated client frames)";

    private final KvClientOptions options;
    private final ClusterConfig cluster;
    private final int groups;
    private final String aeronDir;
    private final AtomicIntegerArray leaderOf;
    private final AtomicLong redirectsFollowed = new AtomicLong();
    private final ManyToOneConcurrentLinkedQueue<Request> submissions = new ManyToOneConcurrentLinkedQueue<>();
    private MediaDriver driver;
    private Aeron aeron;
    private Subscription responses;
    private MemberLink[] members;
    private String responseEndpoint;
    private ClientAgent agent;
    private AgentRunner runner;
    private volatile Thread agentThread;
    private volatile boolean closed;
    /** The last error the client's driver, Aeron client or thread reported: the cause of a request that times out. */
    private volatile Throwable lastError;
    private volatile long lastErrorNs;
    // Written by the agent's thread only, read by anyone.
    private volatile long attemptTimeouts;
    private volatile long attemptsRepeated;
    private volatile long batchesDelayed;
    private volatile long sessionsOpened;
    private volatile long framesUnauthenticated;
    private volatile long framesAccepted;

    private KvClient(final KvClientOptions options)
    {
        this.options = options;
        this.cluster = options.cluster();
        this.groups = cluster.groups();
        this.leaderOf = new AtomicIntegerArray(groups);
        for (int g = 0; g < groups; g++)
        {
            leaderOf.set(g, -1);
        }
        this.aeronDir = null != options.aeronDir() ? options.aeronDir() : defaultAeronDir();
    }

    /** A client with the config's cluster, key (or {@code security = insecure}) and response host and port. */
    public static KvClient connect(final ClientConfig config)
    {
        return connect(new KvClientOptions(config));
    }

    /** Starts the client's media driver and thread; members are connected to on first use. */
    public static KvClient connect(final KvClientOptions options)
    {
        if (options.cluster().clientEndpoints().isEmpty())
        {
            throw new IllegalArgumentException("the cluster config names no client endpoints");
        }
        if (null == options.authenticator() && !options.insecure())
        {
            throw new IllegalArgumentException("the client has no key to sign its frames with, and members with a " +
                "secret take no unsigned frame: set " + SecurityConfig.SECRET_FILE + " or " +
                ClientConfig.CLIENT_KEY_FILE + " in the client's config (KvClientOptions.authenticator), or " +
                SecurityConfig.SECURITY + " = " + SecurityConfig.INSECURE + " for members that run insecure");
        }
        if (options.insecure())
        {
            LOG.log(Level.WARNING, "kv client runs with security = insecure: its frames are not signed and answers " +
                "are not checked; only members that run insecure take them");
        }
        final KvClient client = new KvClient(options);
        try
        {
            client.open();
        }
        catch (final RuntimeException | Error ex)
        {
            client.close();
            throw ex;
        }
        return client;
    }

    private void open()
    {
        // Logged, rate limited (a lost member fails every send to it), and remembered for the next timeout's message.
        final ErrorHandler errors = recording(new RateLimitedErrorHandler(LOG, "kv client error"));
        final MediaDriver.Context driverContext = EmbeddedMediaDriver.invokedContext(
            aeronDir, options.termBufferLength(), errors);
        if (null != options.driverContextCustomizer())
        {
            options.driverContextCustomizer().accept(driverContext);
        }
        driver = MediaDriver.launch(driverContext);
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .clientName("ringraft kv client")
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driver.sharedAgentInvoker())
            .errorHandler(errors));
        final String host = null != options.responseHost() ? options.responseHost() : ResponseHost.choose(cluster);
        final String listen = host + ":" + options.responsePort();
        try
        {
            responses = aeron.addSubscription(ClientProtocol.udpChannel(listen), ClientProtocol.RESPONSE_STREAM_ID);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("the client cannot listen for responses on " + listen + " (" +
                ex.getMessage() + "): is " + host + " an address of this host, and port " + options.responsePort() +
                " free? Set the response host and port (--response-host, --response-port, client.response.host, " +
                "client.response.port)", ex);
        }
        final long deadline = System.nanoTime() + START_TIMEOUT_NS;
        String resolved = responses.resolvedEndpoint();
        while (null == resolved)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the client's response subscription on " + listen + " got no port");
            }
            driver.sharedAgentInvoker().invoke();
            aeron.conductorAgentInvoker().invoke();
            resolved = responses.resolvedEndpoint();
        }
        // The address the members send to: the configured or chosen host (a wildcard bind resolves to 0.0.0.0).
        responseEndpoint = host + resolved.substring(resolved.lastIndexOf(':'));
        final List<MemberLink> links = new ArrayList<>();
        for (final Map.Entry<Integer, String> member : cluster.clientEndpoints().entrySet())
        {
            links.add(new MemberLink(member.getKey(), member.getValue(), aeron.addExclusivePublication(
                ClientProtocol.udpChannel(member.getValue()), ClientProtocol.REQUEST_STREAM_ID)));
        }
        members = links.toArray(new MemberLink[0]);
        agent = new ClientAgent();
        runner = new AgentRunner(AeronTransportContext.defaultIdleStrategy(), errors, null, agent);
        AgentRunner.startOnThread(runner, runnable ->
        {
            final Thread thread = new Thread(runnable, "ringraft-kv-client");
            thread.setDaemon(true);
            agentThread = thread;
            return thread;
        });
    }

    private ErrorHandler recording(final ErrorHandler log)
    {
        return (error) ->
        {
            lastErrorNs = System.nanoTime();
            lastError = error;
            log.onError(error);
        };
    }

    // ------------------------------------------------------------------ API

    /** The group a key belongs to: stable across processes and runs. */
    public static int groupOf(final byte[] key, final int groups)
    {
        return KeyPartitioner.groupOf(key, groups);
    }

    public int groupOf(final byte[] key)
    {
        return groupOf(key, groups);
    }

    /** The member that last answered a request of {@code group} with OK, -1 before any did. */
    public int leaderOf(final int group)
    {
        return leaderOf.get(group);
    }

    /** How many NOT_LEADER answers named a leader the request then went to. */
    public long redirectsFollowed()
    {
        return redirectsFollowed.get();
    }

    /** How many attempts got no answer within {@link KvClientOptions#attemptTimeout} and were sent again. */
    public long attemptTimeouts()
    {
        return attemptTimeouts;
    }

    /**
     * How many attempts were a request's second or later, for whatever reason: an attempt timeout, a redirect, back
     * pressure, a member lost. Zero while the cluster is healthy and keeps up.
     */
    public long attemptsRepeated()
    {
        return attemptsRepeated;
    }

    /**
     * How many frames from the response channel were dropped unread because their trailer did not check with the
     * client's key (or, for a client set to {@code security = insecure}, because they carried one).
     */
    public long framesUnauthenticated()
    {
        return framesUnauthenticated;
    }

    /** How many times a RequestBatch was back pressured and kept for the next try (never failed for it). */
    public long batchesDelayed()
    {
        return batchesDelayed;
    }

    /** How many sessions this client opened (one per group it writes to, more when one expired). */
    public long sessionsOpened()
    {
        return sessionsOpened;
    }

    public CompletableFuture<Void> putAsync(final byte[] key, final byte[] value)
    {
        return submit(false, key, KvCommands.put(key, value), -1)
            .thenAccept(result -> expect(result, "PUT", KvResults.OK));
    }

    /** Completes with the value, or null when the key is absent. */
    public CompletableFuture<byte[]> getAsync(final byte[] key)
    {
        return get(submit(true, key, KvCommands.get(key), -1));
    }

    /**
     * Reads through member {@code memberId}, whether it leads the key's group or not: a follower asks the leader for
     * a read index and answers from its own state machine once it has applied that far, so the read is as
     * linearizable as one the leader answers, and a client can spread reads over the members or read from the
     * nearest. Every attempt goes to that member: while it knows no leader, does not answer or restarts, the read is
     * retried there until its budget is spent.
     *
     * @throws IllegalArgumentException when the cluster config names no client endpoint for {@code memberId}.
     */
    public CompletableFuture<byte[]> getAsync(final byte[] key, final int memberId)
    {
        if (!cluster.clientEndpoints().containsKey(memberId))
        {
            throw new IllegalArgumentException("member " + memberId + " has no client endpoint in the cluster " +
                "config; members with one: " + cluster.clientEndpoints().keySet());
        }
        return get(submit(true, key, KvCommands.get(key), memberId));
    }

    /**
     * A read the group's leader answers on its lease (LEASE_READ) while it holds one: no heartbeat round with the
     * other members, so one network round trip. As linearizable as {@link #getAsync(byte[])} as long as the members'
     * clocks run at the same rate (Raft dissertation 6.4.1); a leader without a valid lease answers it as a READ.
     */
    public CompletableFuture<byte[]> leaseGetAsync(final byte[] key)
    {
        final Request request = new Request(Kind.READ, groupOf(key), KvCommands.get(key), -1,
            System.nanoTime() + options.requestTimeout().toNanos());
        request.lease = true;
        return get(enqueueSubmission(request));
    }

    private static CompletableFuture<byte[]> get(final CompletableFuture<byte[]> read)
    {
        return read.thenApply(result -> expect(result, "GET", KvResults.OK, KvResults.NOT_FOUND) &&
            KvResults.OK == KvResults.code(result) ? KvResults.value(result) : null);
    }

    /** Completes with true when the key existed. */
    public CompletableFuture<Boolean> deleteAsync(final byte[] key)
    {
        return submit(false, key, KvCommands.delete(key), -1)
            .thenApply(result -> expect(result, "DELETE", KvResults.OK, KvResults.NOT_FOUND) &&
                KvResults.OK == KvResults.code(result));
    }

    /** Sets {@code value} if the key holds {@code expected} (null: if absent); completes with whether it did. */
    public CompletableFuture<Boolean> compareAndSetAsync(final byte[] key, final byte[] expected, final byte[] value)
    {
        final byte[] command = KvCommands.compareAndSet(key, expected, value);
        if (command.length > ClientProtocol.MAX_KV_COMMAND_LENGTH)
        {
            throw new IllegalArgumentException("COMPARE_AND_SET of a " + key.length + "-byte key, " +
                (null == expected ? 0 : expected.length) + "-byte expected and " + value.length + "-byte new value " +
                "is " + command.length + " bytes, over the " + ClientProtocol.MAX_KV_COMMAND_LENGTH + " bytes a member " +
                "takes in one command (the largest key with the largest value): shorten the key or the values");
        }
        return submit(false, key, command, -1)
            .thenApply(result -> expect(result, "COMPARE_AND_SET", KvResults.OK, KvResults.CAS_MISMATCH) &&
                KvResults.OK == KvResults.code(result));
    }

    public void put(final byte[] key, final byte[] value)
    {
        await(putAsync(key, value));
    }

    public byte[] get(final byte[] key)
    {
        return await(getAsync(key));
    }

    /** {@link #leaseGetAsync(byte[])}, waiting for the outcome. */
    public byte[] leaseGet(final byte[] key)
    {
        return await(leaseGetAsync(key));
    }

    /** {@link #getAsync(byte[], int)}, waiting for the outcome. */
    public byte[] get(final byte[] key, final int memberId)
    {
        return await(getAsync(key, memberId));
    }

    public boolean delete(final byte[] key)
    {
        return await(deleteAsync(key));
    }

    public boolean compareAndSet(final byte[] key, final byte[] expected, final byte[] value)
    {
        return await(compareAndSetAsync(key, expected, value));
    }

    private <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            // The agent fails the request when its budget is spent; the margin only covers a stopped agent.
            return future.get(options.requestTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            throw new KvException(String.valueOf(ex.getCause()), -1, "ERROR");
        }
        catch (final TimeoutException ex)
        {
            throw new KvException("no outcome within " + options.requestTimeout() + " (client thread stalled?)", -1,
                "TIMEOUT");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted while waiting", -1, "ERROR");
        }
    }

    private static boolean expect(final byte[] result, final String op, final int... codes)
    {
        final int code = KvResults.code(result);
        for (final int ok : codes)
        {
            if (code == ok)
            {
                return true;
            }
        }
        throw new KvException(op + " failed: " + KvResults.describe(result), -1, KvResults.codeName(code));
    }

    /** {@code viaMember}: the only member the request goes to, or -1 for the group's leader. */
    private CompletableFuture<byte[]> submit(
        final boolean read, final byte[] key, final byte[] command, final int viaMember)
    {
        final Request request = new Request(read ? Kind.READ : Kind.WRITE, groupOf(key), command, viaMember,
            System.nanoTime() + options.requestTimeout().toNanos());
        return enqueueSubmission(request);
    }

    private CompletableFuture<byte[]> enqueueSubmission(final Request request)
    {
        if (closed)
        {
            request.future.completeExceptionally(new KvException("client closed", -1, "ERROR"));
            return request.future;
        }
        submissions.offer(request);
        final Thread thread = agentThread;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
        return request.future;
    }

    /**
     * Sends an admin request to one member (the admin protocol, see AdminService) over this client's connection to it,
     * and completes with that member's encoded {@code AdminResponse} frame (see AdminReply#decode). Not retried
     * elsewhere: the answer is about that member. Fails as any request does when it gets no answer in time.
     *
     * @param memberId     the member to ask (a key of the cluster's client endpoints).
     * @param groupId      the group, or -1 for every group.
     * @param targetMember the member the action is about, or -1.
     * @param peerEndpoint the peer endpoint of a member being added, else empty.
     */
    public CompletableFuture<byte[]> adminAsync(
        final int memberId, final AdminAction action, final int groupId, final int targetMember,
        final String peerEndpoint)
    {
        if (!cluster.clientEndpoints().containsKey(memberId))
        {
            throw new IllegalArgumentException("member " + memberId + " is not among the client endpoints " +
                cluster.clientEndpoints().keySet());
        }
        final Request request = new Request(Kind.ADMIN, groupId, null, memberId,
            System.nanoTime() + options.requestTimeout().toNanos());
        request.adminAction = action;
        request.adminMember = targetMember;
        request.adminEndpoint = null == peerEndpoint ? "" : peerEndpoint;
        return enqueueSubmission(request);
    }

    /**
     * Stops the client's thread, closes its sessions (best effort) and connections, its media driver, and deletes the
     * driver's directory.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(runner); // joins the agent's thread: from here on only this thread touches Aeron
        if (null != agent)
        {
            agent.closeSessionsAndFailAll();
        }
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
        final File dir = new File(aeronDir);
        if (dir.exists())
        {
            IoUtil.delete(dir, true);
        }
    }

    private static String defaultAeronDir()
    {
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return base + File.separator + "ringraft-kv-client-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    // ------------------------------------------------------------------ the agent's state

    private enum LinkState
    {
        NONE, CONNECTING, CONNECTED
    }

    private enum Kind
    {
        READ, WRITE, OPEN,
        /** An AdminRequest to one member, sent on its own (not in a RequestBatch); answered in a ResponseBatch. */
        ADMIN
    }

    /** The client's view of one member: its request publication, its connection there, and what waits to go. */
    private static final class MemberLink
    {
        final int memberId;
        final String endpoint;
        final ExclusivePublication publication;
        /** Requests to send in the next RequestBatch to this member, in order. */
        final List<Request> outbox = new ArrayList<>();
        LinkState state = LinkState.NONE;
        long connectionId;
        long connectCorrelationId;
        long connectSentNs;

        MemberLink(final int memberId, final String endpoint, final ExclusivePublication publication)
        {
            this.memberId = memberId;
            this.endpoint = endpoint;
            this.publication = publication;
        }
    }

    /** A session in one group, as the client keeps it; replaced by a new one when it expires. */
    private static final class GroupSession
    {
        final int group;
        final long nonce;
        final Request open;
        /** Writes that wait for the session to open. */
        final List<Request> waiting = new ArrayList<>();
        boolean isOpen;
        long sessionId;
        long nextSequence = 1;
        /** Every sequence up to here is done: answered, or given up (the client will never send it again). */
        long respondedTo;
        final LongHashSet doneAbove = new LongHashSet();

        GroupSession(final int group, final long nonce, final Request open)
        {
            this.group = group;
            this.nonce = nonce;
            this.open = open;
        }

        void done(final long sequence)
        {
            if (sequence <= respondedTo)
            {
                return;
            }
            doneAbove.add(sequence);
            while (doneAbove.remove(respondedTo + 1))
            {
                respondedTo++;
            }
        }
    }

    /** One KV request (or a session's SessionOpen) through all its attempts. */
    private static final class Request
    {
        final Kind kind;
        final int group;
        /** The KV command or query; null for an open. */
        final byte[] command;
        final int viaMember;
        final long deadlineNs;
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        /** A READ sent as a LEASE_READ. */
        boolean lease;
        /** A write's session and sequence, once assigned: every retry reuses them. */
        GroupSession session;
        long sequence;
        /** An earlier attempt of this write may have been applied (it got no answer, or an ambiguous one). */
        boolean mayHaveApplied;
        /** A write waiting for its group's session to open. */
        boolean parked;
        /** On its target's outbox. */
        boolean queued;
        int target = -1;
        boolean inFlight;
        long correlationId;
        long attemptDeadlineNs;
        long sendAtNs;
        int attempts;
        String lastProblem = "no member answered";
        int lastMember = -1;
        String lastStatus = "TIMEOUT";
        /** An ADMIN request's action, the member it acts on and that member's peer endpoint. */
        AdminAction adminAction;
        int adminMember = -1;
        String adminEndpoint = "";

        Request(final Kind kind, final int group, final byte[] command, final int viaMember, final long deadlineNs)
        {
            this.kind = kind;
            this.group = group;
            this.command = command;
            this.viaMember = viaMember;
            this.deadlineNs = deadlineNs;
        }

        int payloadLength()
        {
            switch (kind)
            {
                case READ: return command.length;
                case ADMIN: return 0;
                case WRITE: return ClientProtocol.SESSION_COMMAND_OVERHEAD + command.length;
                default: return SESSION_OPEN_LENGTH;
            }
        }
    }

    /** Everything that happens on the client's thread. */
    private final class ClientAgent implements Agent
    {
        private final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
        private final AgentInvoker conductor = aeron.conductorAgentInvoker();
        private final List<Request> active = new ArrayList<>();
        private final Long2ObjectHashMap<Request> inFlight = new Long2ObjectHashMap<>();
        private final GroupSession[] sessions = new GroupSession[groups];
        private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
        /** Checks every frame in and signs every frame out; null for a client set to security = insecure. */
        private final FrameAuthenticator authenticator =
            null == options.authenticator() ? null : options.authenticator().newInstance();
        private final int trailerLength = null == authenticator ? 0 : FrameAuthenticator.TRAILER_LENGTH;
        /** Of a message, the trailer kept out: a signed frame must still be one message of the publication. */
        private final int maxMessageLength = Math.min(members[0].publication.maxMessageLength(),
            ClientProtocol.TERM_LENGTH / 8) - trailerLength;
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(
            ByteBuffer.allocateDirect(maxMessageLength + trailerLength));
        private final UnsafeBuffer payloadBuffer = new UnsafeBuffer(
            ByteBuffer.allocateDirect(ClientProtocol.MAX_COMMAND_LENGTH + 64));
        private final UnsafeBuffer commandView = new UnsafeBuffer(0, 0);
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final ConnectEncoder connectEncoder = new ConnectEncoder();
        private final RequestBatchEncoder batchEncoder = new RequestBatchEncoder();
        private final CloseSessionEncoder closeEncoder = new CloseSessionEncoder();
        private final AdminRequestEncoder adminEncoder = new AdminRequestEncoder();
        private final SessionEventDecoder sessionEventDecoder = new SessionEventDecoder();
        private final ResponseBatchDecoder responseDecoder = new ResponseBatchDecoder();
        private final UnsafeBuffer resultView = new UnsafeBuffer(0, 0);
        private long nextCorrelationId = 1;
        private long lastScanNs;

        @Override
        public String roleName()
        {
            return "ringraft-kv-client";
        }

        @Override
        public int doWork()
        {
            int work = driverInvoker.invoke() + conductor.invoke();
            long nowNs = System.nanoTime();
            Request submitted;
            while (null != (submitted = submissions.poll()))
            {
                work++;
                if (REQUEST_BATCH_HEADER_LENGTH + REQUEST_ENTRY_LENGTH + submitted.payloadLength() > maxMessageLength)
                {
                    // No member could take it either: failing now beats spending the budget on every member.
                    fail(submitted, new KvException("the request is " + submitted.payloadLength() + " bytes, more " +
                        "than the " + (maxMessageLength + trailerLength) + " bytes Aeron carries in one message on " +
                        "the client's publications (an eighth of their term length" + (0 == trailerLength ? "" :
                        ", " + trailerLength + " of them the authentication trailer") + "): raise " +
                        "KvClientOptions.termBufferLength",
                        -1, "TOO_LARGE"));
                    continue;
                }
                final int leader = submitted.viaMember >= 0 ? -1 : leaderOf.get(submitted.group);
                submitted.target = submitted.viaMember >= 0 ? indexOf(submitted.viaMember) :
                    leader >= 0 ? indexOf(leader) : submitted.group % members.length;
                active.add(submitted);
                dispatch(submitted, nowNs);
            }
            work += responses.poll(assembler, 64);
            nowNs = System.nanoTime();
            if (!active.isEmpty() && nowNs - lastScanNs >= SCAN_INTERVAL_NS)
            {
                lastScanNs = nowNs;
                work += scan(nowNs);
            }
            for (final MemberLink link : members)
            {
                work += flush(link, nowNs);
            }
            return work;
        }

        // -------------------------------------------------------------- requests

        /** Sends a request now, or parks a write until its group's session is open. */
        private void dispatch(final Request request, final long nowNs)
        {
            if (Kind.WRITE == request.kind && null == request.session)
            {
                GroupSession session = sessions[request.group];
                if (null == session)
                {
                    session = openSession(request.group, nowNs);
                }
                if (!session.isOpen)
                {
                    request.parked = true;
                    session.waiting.add(request);
                    return;
                }
                request.session = session;
                request.sequence = session.nextSequence++;
            }
            request.parked = false;
            request.sendAtNs = nowNs;
            enqueue(request);
        }

        private GroupSession openSession(final int group, final long nowNs)
        {
            final Request open = new Request(Kind.OPEN, group, null, -1, nowNs + options.requestTimeout().toNanos());
            final int leader = leaderOf.get(group);
            open.target = leader >= 0 ? indexOf(leader) : group % members.length;
            final GroupSession session = new GroupSession(group, ThreadLocalRandom.current().nextLong(), open);
            open.session = session;
            sessions[group] = session;
            active.add(open);
            open.sendAtNs = nowNs;
            enqueue(open);
            return session;
        }

        private void enqueue(final Request request)
        {
            if (!request.queued)
            {
                request.queued = true;
                members[request.target].outbox.add(request);
            }
        }

        private int scan(final long nowNs)
        {
            int work = 0;
            for (int i = active.size() - 1; i >= 0; i--)
            {
                final Request request = active.get(i);
                if (request.future.isDone())
                {
                    removeAt(i);
                    continue;
                }
                if (nowNs - request.deadlineNs > 0)
                {
                    removeAt(i);
                    inFlight.remove(request.correlationId);
                    if (request.inFlight)
                    {
                        // As after an attempt timeout: the connection may be gone (the member restarted and forgot
                        // it, and drops what comes on it), so the next request there connects again. A request whose
                        // attempt timeout is its whole timeout (an admin request) never reaches the check below.
                        final MemberLink link = members[request.target];
                        request.lastProblem = "member " + link.memberId + " at " + link.endpoint +
                            " did not answer";
                        request.lastMember = link.memberId;
                        request.lastStatus = "TIMEOUT";
                        resetLink(link, nowNs);
                    }
                    else if (request.queued)
                    {
                        // Not sent after its caller has been told it failed (an admin action above all).
                        final MemberLink link = members[request.target];
                        link.outbox.remove(request);
                        request.queued = false;
                        if (LinkState.CONNECTING == link.state && request.lastMember < 0) // else a problem is known
                        {
                            request.lastProblem = "member " + link.memberId + " at " + link.endpoint +
                                " did not answer Connect" + (0 == framesAccepted ?
                                "; no member answered Connect at all: is the client key right? " + KEY_HINT : "");
                            request.lastMember = link.memberId;
                        }
                    }
                    // Only an error of the request's own lifetime: an older one would mislead.
                    final Throwable error = lastError;
                    final boolean recent = null != error &&
                        lastErrorNs - (request.deadlineNs - options.requestTimeout().toNanos()) >= 0;
                    fail(request, new KvException(
                        what(request) + " got no answer within " + options.requestTimeout() + " (" +
                        request.attempts + " attempts)" + (request.mayHaveApplied ? "; its outcome is unknown" : "") +
                        "; last: " + request.lastProblem +
                        (recent ? "; the client's last transport error: " + error : ""),
                        request.lastMember, request.lastStatus, recent ? error : null));
                    work++;
                    continue;
                }
                if (request.inFlight && nowNs - request.attemptDeadlineNs > 0)
                {
                    final MemberLink link = members[request.target];
                    attemptTimeouts = attemptTimeouts + 1;
                    request.lastProblem = "member " + link.memberId + " did not answer within " +
                        options.attemptTimeout().toMillis() + " ms";
                    request.lastMember = link.memberId;
                    request.lastStatus = "TIMEOUT";
                    request.mayHaveApplied |= Kind.READ != request.kind;
                    // Its connection may be gone (a restart, an expiry): connect again before the next request there.
                    resetLink(link, nowNs);
                    retryElsewhere(request, nowNs, 0);
                    work++;
                }
                if (!request.inFlight && !request.parked && !request.queued && nowNs - request.sendAtNs >= 0)
                {
                    enqueue(request);
                    work++;
                }
            }
            return work;
        }

        private String what(final Request request)
        {
            switch (request.kind)
            {
                case READ: return "read in group " + request.group;
                case ADMIN: return request.adminAction + " asked of member " + request.viaMember + " at " +
                    members[indexOf(request.viaMember)].endpoint;
                case OPEN: return "opening a session in group " + request.group;
                default: return "write in group " + request.group;
            }
        }

        private void removeAt(final int index)
        {
            final int last = active.size() - 1;
            active.set(index, active.get(last));
            active.remove(last);
        }

        /**
         * Forgets the connection to a member: the member drops what it would answer there. Whatever is in flight
         * there goes again once connected (a write with the same sequence, so at most once still).
         */
        private void resetLink(final MemberLink link, final long nowNs)
        {
            if (LinkState.CONNECTED != link.state)
            {
                link.state = LinkState.NONE;
                return;
            }
            link.state = LinkState.NONE;
            final int index = indexOf(link.memberId);
            for (final Request request : active)
            {
                if (request.inFlight && request.target == index)
                {
                    inFlight.remove(request.correlationId);
                    request.inFlight = false;
                    request.mayHaveApplied |= Kind.READ != request.kind;
                    request.sendAtNs = nowNs;
                }
            }
        }

        /** Sends what waits for a member: Connect first when there is no connection, then RequestBatches. */
        private int flush(final MemberLink link, final long nowNs)
        {
            final List<Request> outbox = link.outbox;
            if (outbox.isEmpty())
            {
                return 0;
            }
            switch (link.state)
            {
                case NONE:
                    return connect(link, nowNs);
                case CONNECTING:
                    if (nowNs - link.connectSentNs - options.attemptTimeout().toNanos() > 0)
                    {
                        link.state = LinkState.NONE;
                        giveUpOn(link, "member " + link.memberId + " did not answer Connect within " +
                            options.attemptTimeout().toMillis() + " ms" + (0 == framesAccepted ?
                            "; no member answered Connect at all: is the client key right? " + KEY_HINT : ""),
                            "TIMEOUT", nowNs, 0);
                        return 1;
                    }
                    return 0;
                default:
                    break;
            }
            int work = 0;
            while (!outbox.isEmpty() && Kind.ADMIN == outbox.get(0).kind)
            {
                final Request request = outbox.get(0);
                request.correlationId = nextCorrelationId++;
                adminEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .sessionId(link.connectionId)
                    .correlationId(request.correlationId)
                    .action(request.adminAction)
                    .groupId(request.group)
                    .memberId(request.adminMember)
                    .endpoint(request.adminEndpoint);
                final long position =
                    offerOrFailOutbox(link, MessageHeaderEncoder.ENCODED_LENGTH + adminEncoder.encodedLength());
                if (OFFER_THREW == position)
                {
                    return work + 1;
                }
                if (position < 0)
                {
                    return work + offerFailed(link, position, nowNs);
                }
                markSent(request, nowNs + options.attemptTimeout().toNanos());
                outbox.remove(0);
                work++;
            }
            while (!outbox.isEmpty())
            {
                if (Kind.ADMIN == outbox.get(0).kind)
                {
                    return work + flush(link, nowNs);
                }
                final int count = Math.min(outbox.size(), RequestBatchEncoder.RequestsEncoder.countMaxValue());
                final RequestBatchEncoder.RequestsEncoder entries = batchEncoder
                    .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .connectionId(link.connectionId)
                    .requestsCount(count);
                int length = REQUEST_BATCH_HEADER_LENGTH;
                int encoded = 0;
                while (encoded < count)
                {
                    final Request request = outbox.get(encoded);
                    if (Kind.ADMIN == request.kind)
                    {
                        break; // sent on its own, next round
                    }
                    final int payloadLength = request.payloadLength();
                    if (length + REQUEST_ENTRY_LENGTH + payloadLength > maxMessageLength)
                    {
                        break;
                    }
                    length += REQUEST_ENTRY_LENGTH + payloadLength;
                    request.correlationId = nextCorrelationId++;
                    entries.next()
                        .correlationId(request.correlationId)
                        .groupId(request.group)
                        .kind(Kind.READ != request.kind ? RequestKind.COMMAND :
                            request.lease ? RequestKind.LEASE_READ : RequestKind.READ);
                    putPayload(entries, request);
                    encoded++;
                }
                entries.resetCountToIndex();
                final long position =
                    offerOrFailOutbox(link, MessageHeaderEncoder.ENCODED_LENGTH + batchEncoder.encodedLength());
                if (OFFER_THREW == position)
                {
                    return work + 1;
                }
                if (position > 0)
                {
                    final long attemptDeadlineNs = nowNs + options.attemptTimeout().toNanos();
                    for (int i = 0; i < encoded; i++)
                    {
                        markSent(outbox.get(i), attemptDeadlineNs);
                    }
                    outbox.subList(0, encoded).clear();
                    work++;
                    continue;
                }
                return work + offerFailed(link, position, nowNs);
            }
            return work;
        }

        private void putPayload(final RequestBatchEncoder.RequestsEncoder entries, final Request request)
        {
            switch (request.kind)
            {
                case READ:
                    entries.putPayload(request.command, 0, request.command.length);
                    return;
                case OPEN:
                {
                    final int length = SessionRecords.encodeOpen(payloadBuffer, 0, request.session.nonce,
                        options.sessionTimeout().toMillis());
                    entries.putPayload(payloadBuffer, 0, length);
                    return;
                }
                default:
                {
                    commandView.wrap(request.command);
                    final GroupSession session = request.session;
                    final int length = SessionRecords.encodeCommand(payloadBuffer, 0, session.sessionId,
                        request.sequence, session.respondedTo, commandView, 0, request.command.length);
                    entries.putPayload(payloadBuffer, 0, length);
                }
            }
        }

        /**
         * Back pressure keeps the batch for the next cycle (counted); an unconnected member is passed over for the
         * next; a publication that can never send again fails what waits for it.
         */
        private int offerFailed(final MemberLink link, final long position, final long nowNs)
        {
            if (Publication.BACK_PRESSURED == position || Publication.ADMIN_ACTION == position)
            {
                batchesDelayed = batchesDelayed + 1;
                return 0;
            }
            if (Publication.NOT_CONNECTED == position)
            {
                link.state = LinkState.NONE;
                giveUpOn(link, "member " + link.memberId + " at " + link.endpoint + " is not reachable",
                    "NOT_CONNECTED", nowNs, RETRY_BACKOFF_NS);
                return 1;
            }
            final String why = Publication.CLOSED == position ? "is closed" :
                Publication.MAX_POSITION_EXCEEDED == position ? "reached its maximum position (connect a new client)" :
                "failed with code " + position;
            failOutbox(link, "the client's publication to member " + link.memberId + " at " + link.endpoint + " " + why,
                null);
            return 1;
        }

        private void failOutbox(final MemberLink link, final String problem, final Throwable cause)
        {
            for (final Request request : link.outbox)
            {
                request.queued = false;
                fail(request, new KvException(problem, link.memberId, "ERROR", cause));
            }
            link.outbox.clear();
        }

        /** Everything waiting for a member that cannot take it goes to the next member (a read through it stays). */
        private void giveUpOn(
            final MemberLink link, final String problem, final String status, final long nowNs, final long backoffNs)
        {
            final List<Request> waiting = new ArrayList<>(link.outbox);
            link.outbox.clear();
            for (final Request request : waiting)
            {
                request.queued = false;
                request.lastProblem = problem;
                request.lastMember = link.memberId;
                request.lastStatus = status;
                retryElsewhere(request, nowNs, backoffNs);
            }
        }

        private int connect(final MemberLink link, final long nowNs)
        {
            link.connectCorrelationId = nextCorrelationId++;
            connectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .correlationId(link.connectCorrelationId)
                .clusterId(cluster.clusterId())
                .clientVersion(ClientProtocol.CLIENT_VERSION)
                .responseChannel(responseEndpoint);
            final long position;
            try
            {
                position = offer(link, MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
            }
            catch (final RuntimeException ex)
            {
                failOutbox(link, "connecting to member " + link.memberId + " at " + link.endpoint + " failed: " + ex,
                    ex);
                return 1;
            }
            if (position > 0)
            {
                link.state = LinkState.CONNECTING;
                link.connectSentNs = nowNs;
                return 1;
            }
            return offerFailed(link, position, nowNs);
        }

        /** Every frame to a member leaves here: the message at the start of {@link #sendBuffer}, signed. */
        /** @return the offer's position, or {@link #OFFER_THREW} when it threw and the link's outbox was failed. */
        private long offerOrFailOutbox(final MemberLink link, final int messageLength)
        {
            try
            {
                return offer(link, messageLength);
            }
            catch (final RuntimeException ex)
            {
                failOutbox(link, "sending to member " + link.memberId + " at " + link.endpoint + " failed: " + ex, ex);
                return OFFER_THREW;
            }
        }

        /** The request left in a frame just offered: it waits for its answer until {@code attemptDeadlineNs}. */
        private void markSent(final Request request, final long attemptDeadlineNs)
        {
            request.queued = false;
            request.inFlight = true;
            if (++request.attempts > 1)
            {
                attemptsRepeated = attemptsRepeated + 1;
            }
            request.attemptDeadlineNs = attemptDeadlineNs;
            inFlight.put(request.correlationId, request);
        }

        private long offer(final MemberLink link, final int messageLength)
        {
            final int frameLength = null == authenticator ? messageLength :
                authenticator.sign(sendBuffer, 0, messageLength);
            return link.publication.offer(sendBuffer, 0, frameLength);
        }

        /** The next member in id order: without a hint, every member gets its turn. A read through a member stays. */
        private void retryElsewhere(final Request request, final long nowNs, final long backoffNs)
        {
            inFlight.remove(request.correlationId);
            request.inFlight = false;
            request.sendAtNs = nowNs + backoffNs;
            if (request.viaMember >= 0)
            {
                return;
            }
            if (leaderOf.get(request.group) == members[request.target].memberId)
            {
                leaderOf.set(request.group, -1);
            }
            request.target = (request.target + 1) % members.length;
        }

        private int indexOf(final int memberId)
        {
            for (int i = 0; i < members.length; i++)
            {
                if (members[i].memberId == memberId)
                {
                    return i;
                }
            }
            return -1;
        }

        // -------------------------------------------------------------- outcomes

        private void succeed(final Request request, final byte[] result)
        {
            release(request);
            request.future.complete(result);
        }

        private void fail(final Request request, final Throwable error)
        {
            release(request);
            request.future.completeExceptionally(error);
            if (Kind.OPEN == request.kind)
            {
                final GroupSession session = request.session;
                if (sessions[session.group] == session)
                {
                    sessions[session.group] = null; // the next write tries to open one again
                }
                for (final Request waiting : session.waiting)
                {
                    fail(waiting, new KvException(what(waiting) + " failed: " + error.getMessage(),
                        error instanceof KvException ? ((KvException)error).memberId() : -1,
                        error instanceof KvException ? ((KvException)error).status() : "ERROR", error));
                }
                session.waiting.clear();
            }
        }

        /** A write's sequence is done once its request is: the session layer may forget its result. */
        private void release(final Request request)
        {
            if (Kind.WRITE == request.kind && null != request.session && request.sequence > 0)
            {
                request.session.done(request.sequence);
            }
        }

        // -------------------------------------------------------------- responses

        private void onFragment(final DirectBuffer buffer, final int offset, final int frameLength, final Header header)
        {
            // The trailer first, before any field: an answer counts only if a member holding the key sent it.
            if (null != authenticator && !authenticator.verify(buffer, offset, frameLength))
            {
                framesUnauthenticated = framesUnauthenticated + 1;
                return;
            }
            final int length = frameLength - trailerLength;
            if (FrameCheck.OK != Frames.validate(buffer, offset, length))
            {
                if (null == authenticator && length > FrameAuthenticator.TRAILER_LENGTH && FrameCheck.OK ==
                    Frames.validate(buffer, offset, length - FrameAuthenticator.TRAILER_LENGTH))
                {
                    framesUnauthenticated = framesUnauthenticated + 1; // signed: an insecure client cannot check it
                }
                return;
            }
            framesAccepted = framesAccepted + 1;
            headerDecoder.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            final long nowNs = System.nanoTime();
            switch (headerDecoder.templateId())
            {
                case SessionEventDecoder.TEMPLATE_ID:
                    onSessionEvent(sessionEventDecoder.wrap(buffer, body, blockLength, version), nowNs);
                    break;
                case ResponseBatchDecoder.TEMPLATE_ID:
                {
                    final ResponseBatchDecoder.ResponsesDecoder entries =
                        responseDecoder.wrap(buffer, body, blockLength, version).responses();
                    while (entries.hasNext())
                    {
                        entries.next();
                        final Request request = inFlight.remove(entries.correlationId());
                        final ResponseStatus status = entries.status();
                        final int leaderHint = entries.leaderHint();
                        final long index = entries.index();
                        entries.wrapResult(resultView);
                        if (null != request) // else an answer to an attempt given up on
                        {
                            onOutcome(request, status, leaderHint, index, resultView, nowNs);
                        }
                    }
                    break;
                }
                default:
                    break;
            }
        }

        private void onSessionEvent(final SessionEventDecoder event, final long nowNs)
        {
            final long correlationId = event.correlationId();
            final long connectionId = event.sessionId();
            final SessionEventCode code = event.code();
            for (final MemberLink link : members)
            {
                if (LinkState.CONNECTING == link.state && link.connectCorrelationId == correlationId)
                {
                    if (SessionEventCode.OK == code)
                    {
                        link.state = LinkState.CONNECTED;
                        link.connectionId = connectionId;
                    }
                    else
                    {
                        link.state = LinkState.NONE;
                        final String detail = event.detail();
                        if (SessionEventCode.ERROR == code)
                        {
                            failOutbox(link, "member " + link.memberId + " refused the connection: " + detail, null);
                        }
                    }
                    return;
                }
                if (LinkState.CONNECTED == link.state && link.connectionId == connectionId &&
                    SessionEventCode.CLOSED == code)
                {
                    resetLink(link, nowNs); // it expired there: connect again with what was in flight
                    return;
                }
            }
        }

        private void onOutcome(
            final Request request, final ResponseStatus status, final int leaderHint, final long index,
            final DirectBuffer result, final long nowNs)
        {
            request.inFlight = false;
            final MemberLink link = members[request.target];
            request.lastMember = link.memberId;
            request.lastStatus = String.valueOf(status);
            final boolean isText = ResponseStatus.OK != status && result.capacity() > 0;
            request.lastProblem = "member " + link.memberId + " answered " + status +
                (ResponseStatus.NOT_LEADER == status ? " (leader hint " + leaderHint + ")" : "") +
                (isText ? ": " + result.getStringWithoutLengthUtf8(0, result.capacity()) : "");
            if (Kind.ADMIN == request.kind && ResponseStatus.OK != status)
            {
                // The member answered: its admin service failed (the answer's own status is inside an OK one).
                fail(request, new KvException(what(request) + ": " + request.lastProblem, link.memberId,
                    String.valueOf(status)));
                return;
            }
            switch (status)
            {
                case OK:
                    if (request.viaMember < 0 && request.group >= 0) // else it may be a follower's answer
                    {
                        leaderOf.set(request.group, link.memberId);
                    }
                    if (Kind.READ == request.kind || Kind.ADMIN == request.kind)
                    {
                        succeed(request, bytes(result, 0));
                    }
                    else
                    {
                        onSessionResult(request, index, result, nowNs);
                    }
                    return;
                case NOT_LEADER:
                {
                    // Not appended, or its entry replaced by another leader's: this attempt did not apply.
                    final int hinted = leaderHint >= 0 ? indexOf(leaderHint) : -1;
                    if (hinted >= 0 && hinted != request.target && request.viaMember < 0)
                    {
                        leaderOf.set(request.group, leaderHint);
                        redirectsFollowed.incrementAndGet();
                        request.target = hinted;
                        request.sendAtNs = nowNs;
                        enqueue(request);
                    }
                    else
                    {
                        retryElsewhere(request, nowNs, ELECTION_BACKOFF_NS); // an election is on: give it time
                    }
                    return;
                }
                case BACK_PRESSURED:
                    request.sendAtNs = nowNs + RETRY_BACKOFF_NS;
                    return;
                case TIMEOUT:
                case ERROR:
                    // The entry may still commit: the outcome of this attempt is unknown. Another member may do better.
                    request.mayHaveApplied |= Kind.READ != request.kind;
                    retryElsewhere(request, nowNs, RETRY_BACKOFF_NS);
                    return;
                default:
                    fail(request, new KvException(what(request) + ": " + request.lastProblem, link.memberId,
                        String.valueOf(status)));
            }
        }

        /** The session layer's answer to a SessionOpen or SessionCommand (docs/CLIENT-PROTOCOL.md, outcome table). */
        private void onSessionResult(final Request request, final long index, final DirectBuffer result, final long nowNs)
        {
            final int outcome = SessionRecords.outcome(result, 0, result.capacity());
            final GroupSession session = request.session;
            if (Kind.OPEN == request.kind)
            {
                if (SessionOutcome.OPENED == outcome && result.capacity() >= SessionRecords.OPENED_LENGTH &&
                    SessionRecords.openedNonce(result, 0) == session.nonce)
                {
                    session.isOpen = true;
                    session.sessionId = index;
                    sessionsOpened = sessionsOpened + 1;
                    succeed(request, null);
                    for (final Request waiting : session.waiting)
                    {
                        if (!waiting.future.isDone())
                        {
                            waiting.target = request.target;
                            dispatch(waiting, nowNs);
                        }
                    }
                    session.waiting.clear();
                    return;
                }
                fail(request, new KvException("member " + members[request.target].memberId + " answered " +
                    SessionOutcome.name(outcome) + " to a SessionOpen in group " + request.group +
                    " (does it run the session layer?)", members[request.target].memberId,
                    SessionOutcome.name(outcome)));
                return;
            }
            switch (outcome)
            {
                case SessionOutcome.APPLIED:
                case SessionOutcome.REPLAYED:
                    succeed(request, bytes(result, SessionRecords.RESULT_BODY_OFFSET));
                    return;
                case SessionOutcome.TOO_MANY_PENDING:
                    // Not applied: the session saves as many answers as it may; they go as earlier writes finish.
                    request.sendAtNs = nowNs + RETRY_BACKOFF_NS;
                    return;
                case SessionOutcome.SESSION_UNKNOWN:
                    if (sessions[request.group] == session)
                    {
                        sessions[request.group] = null; // expired or evicted: the next write opens a new one
                    }
                    if (request.mayHaveApplied)
                    {
                        fail(request, new KvException(what(request) + ": outcome unknown: its session " +
                            session.sessionId + " expired (or was evicted) after an earlier attempt that may have " +
                            "been applied", request.lastMember, "SESSION_EXPIRED"));
                        return;
                    }
                    // No attempt of it can have been applied: send it again in a new session, with a new sequence.
                    request.session = null;
                    request.sequence = 0;
                    dispatch(request, nowNs);
                    return;
                case SessionOutcome.ANSWER_DISCARDED:
                    fail(request, new KvException(what(request) + ": outcome unknown: the session no longer saves " +
                        "the answer of sequence " + request.sequence, request.lastMember, "ANSWER_DISCARDED"));
                    return;
                default:
                    fail(request, new KvException(what(request) + ": member " + request.lastMember + " answered " +
                        SessionOutcome.name(outcome) + (SessionOutcome.MALFORMED == outcome ? ": " +
                        result.getStringWithoutLengthUtf8(1, result.capacity() - 1) : ""), request.lastMember,
                        SessionOutcome.name(outcome)));
            }
        }

        private byte[] bytes(final DirectBuffer buffer, final int from)
        {
            final byte[] bytes = new byte[buffer.capacity() - from];
            buffer.getBytes(from, bytes);
            return bytes;
        }

        /** On the closing thread, after the agent's thread stopped: ends sessions and connections, fails the rest. */
        void closeSessionsAndFailAll()
        {
            for (final GroupSession session : sessions)
            {
                final int leader = null == session || !session.isOpen ? -1 : leaderOf.get(session.group);
                final MemberLink link = leader >= 0 ? members[indexOf(leader)] : null;
                if (null != link && LinkState.CONNECTED == link.state)
                {
                    final RequestBatchEncoder.RequestsEncoder entries = batchEncoder
                        .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                        .connectionId(link.connectionId)
                        .requestsCount(1);
                    final int length = SessionRecords.encodeClose(payloadBuffer, 0, session.sessionId);
                    entries.next().correlationId(nextCorrelationId++).groupId(session.group).kind(RequestKind.COMMAND)
                        .putPayload(payloadBuffer, 0, length);
                    offer(link, MessageHeaderEncoder.ENCODED_LENGTH + batchEncoder.encodedLength());
                }
            }
            for (final MemberLink link : members)
            {
                if (LinkState.CONNECTED == link.state)
                {
                    closeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).sessionId(link.connectionId);
                    offer(link, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
                }
            }
            // Let the driver put them on the wire before it goes.
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            while (System.nanoTime() - deadline < 0)
            {
                driverInvoker.invoke();
                conductor.invoke();
            }
            final KvException closedError = new KvException("client closed", -1, "ERROR");
            active.forEach(request -> request.future.completeExceptionally(closedError));
            Request request;
            while (null != (request = submissions.poll()))
            {
                request.future.completeExceptionally(closedError);
            }
        }
    }
}
