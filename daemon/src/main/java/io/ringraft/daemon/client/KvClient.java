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
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.CloseSessionEncoder;
import io.ringraft.codecs.sbe.CommandRequestEncoder;
import io.ringraft.codecs.sbe.CommandResponseDecoder;
import io.ringraft.codecs.sbe.ConnectEncoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.MessageHeaderEncoder;
import io.ringraft.codecs.sbe.ReadConsistency;
import io.ringraft.codecs.sbe.ReadRequestEncoder;
import io.ringraft.codecs.sbe.ReadResponseDecoder;
import io.ringraft.codecs.sbe.ResponseStatus;
import io.ringraft.codecs.sbe.SessionEventCode;
import io.ringraft.codecs.sbe.SessionEventDecoder;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.kv.KeyPartitioner;
import io.ringraft.daemon.kv.KvCommands;
import io.ringraft.daemon.kv.KvResults;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
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
 * A client of a ringraft KV cluster. A key belongs to group {@link #groupOf}; each request goes to the member
 * believed to lead that group, follows NOT_LEADER hints, moves on to another member when one does not answer within
 * the attempt timeout, and fails only when the request's whole budget is spent, with the last problem seen (which
 * member, which status).
 * <p>
 * Threads: every method is thread safe. One thread of the client's own runs everything Aeron and every request's
 * life (its embedded media driver, connecting to members, sending, retrying, completing futures), so the futures
 * complete on that thread: do not block in their callbacks.
 * <p>
 * Delivery: a request that timed out on one member is sent again to another, so a PUT or DELETE may apply twice
 * (harmless: both are idempotent) and a COMPARE_AND_SET whose first attempt applied may report a mismatch on the
 * second.
 */
public final class KvClient implements AutoCloseable
{
    private static final long RETRY_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long ELECTION_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final System.Logger LOG = System.getLogger(KvClient.class.getName());

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
    private String responseChannel;
    private ClientAgent agent;
    private AgentRunner runner;
    private volatile Thread agentThread;
    private volatile boolean closed;
    /** The last error the client's driver, Aeron client or thread reported: named when a request times out. */
    private volatile Throwable lastError;
    private volatile long lastErrorNs;

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

    public static KvClient connect(final ClusterConfig cluster)
    {
        return connect(new KvClientOptions(cluster));
    }

    /** Starts the client's media driver and thread; members are connected to on first use. */
    public static KvClient connect(final KvClientOptions options)
    {
        if (options.cluster().clientEndpoints().isEmpty())
        {
            throw new IllegalArgumentException("the cluster config names no client endpoints");
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
        driver = EmbeddedMediaDriver.launchInvoked(aeronDir, options.termBufferLength(), errors);
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .clientName("ringraft kv client")
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driver.sharedAgentInvoker())
            .errorHandler(errors));
        final String host = null != options.responseHost() ? options.responseHost() : defaultResponseHost(cluster);
        responses = aeron.addSubscription(ClientProtocol.udpChannel(host + ":0"), ClientProtocol.RESPONSE_STREAM_ID);
        final long deadline = System.nanoTime() + START_TIMEOUT_NS;
        String resolved = responses.resolvedEndpoint();
        while (null == resolved)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the client's response subscription on " + host + " got no port");
            }
            driver.sharedAgentInvoker().invoke();
            aeron.conductorAgentInvoker().invoke();
            resolved = responses.resolvedEndpoint();
        }
        responseChannel = ClientProtocol.udpChannel(resolved);
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
        if (command.length > ClientProtocol.MAX_COMMAND_LENGTH)
        {
            throw new IllegalArgumentException("COMPARE_AND_SET of a " + key.length + "-byte key, " +
                (null == expected ? 0 : expected.length) + "-byte expected and " + value.length + "-byte new value " +
                "is " + command.length + " bytes, over the " + ClientProtocol.MAX_COMMAND_LENGTH + " bytes a member " +
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
        final boolean read, final byte[] key, final byte[] payload, final int viaMember)
    {
        final Request request = new Request(read, groupOf(key), payload, viaMember,
            System.nanoTime() + options.requestTimeout().toNanos());
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

    /** Stops the client's thread, closes its sessions, its media driver, and deletes the driver's directory. */
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

    private static String defaultResponseHost(final ClusterConfig cluster)
    {
        return ResponseHost.choose(cluster);
    }

    // ------------------------------------------------------------------ the agent's state

    private enum SessionState
    {
        NONE, CONNECTING, CONNECTED, REFUSED
    }

    /** The client's view of one member: its request publication and the session it opened there. */
    private static final class MemberLink
    {
        final int memberId;
        final String endpoint;
        final ExclusivePublication publication;
        SessionState state = SessionState.NONE;
        long sessionId;
        long connectCorrelationId;
        long connectSentNs;
        String refusal;

        MemberLink(final int memberId, final String endpoint, final ExclusivePublication publication)
        {
            this.memberId = memberId;
            this.endpoint = endpoint;
            this.publication = publication;
        }
    }

    /** One KV request through all its attempts. */
    private static final class Request
    {
        final boolean read;
        final int group;
        final byte[] payload;
        final int viaMember;
        final long deadlineNs;
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        int target = -1;
        boolean inFlight;
        long correlationId;
        long attemptDeadlineNs;
        long sendAtNs;
        int attempts;
        String lastProblem = "no member answered";
        int lastMember = -1;
        String lastStatus = "TIMEOUT";

        Request(final boolean read, final int group, final byte[] payload, final int viaMember, final long deadlineNs)
        {
            this.read = read;
            this.group = group;
            this.payload = payload;
            this.viaMember = viaMember;
            this.deadlineNs = deadlineNs;
        }
    }

    /** Everything that happens on the client's thread. */
    private final class ClientAgent implements Agent
    {
        private final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
        private final AgentInvoker conductor = aeron.conductorAgentInvoker();
        private final List<Request> active = new ArrayList<>();
        private final Long2ObjectHashMap<Request> inFlight = new Long2ObjectHashMap<>();
        private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ClientProtocol.MAX_COMMAND_LENGTH + 4096));
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final ConnectEncoder connectEncoder = new ConnectEncoder();
        private final CommandRequestEncoder commandEncoder = new CommandRequestEncoder();
        private final ReadRequestEncoder readEncoder = new ReadRequestEncoder();
        private final CloseSessionEncoder closeEncoder = new CloseSessionEncoder();
        private final SessionEventDecoder sessionEventDecoder = new SessionEventDecoder();
        private final CommandResponseDecoder commandResponseDecoder = new CommandResponseDecoder();
        private final ReadResponseDecoder readResponseDecoder = new ReadResponseDecoder();
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
            Request submitted;
            while (null != (submitted = submissions.poll()))
            {
                final int leader = leaderOf.get(submitted.group);
                submitted.target = submitted.viaMember >= 0 ? indexOf(submitted.viaMember) :
                    leader >= 0 ? indexOf(leader) : submitted.group % members.length;
                active.add(submitted);
                trySend(submitted, System.nanoTime());
                work++;
            }
            work += responses.poll(assembler, 64);
            final long nowNs = System.nanoTime();
            if (!active.isEmpty() && nowNs - lastScanNs >= SCAN_INTERVAL_NS)
            {
                lastScanNs = nowNs;
                work += scan(nowNs);
            }
            return work;
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
                    // Only an error of the request's own lifetime: an older one would mislead.
                    final Throwable error = lastError;
                    final boolean recent = null != error &&
                        lastErrorNs - (request.deadlineNs - options.requestTimeout().toNanos()) >= 0;
                    request.future.completeExceptionally(new KvException(
                        "request to group " + request.group + " got no OK within " + options.requestTimeout() +
                        " (" + request.attempts + " attempts); last: " + request.lastProblem +
                        (recent ? "; the client's last transport error: " + error : ""),
                        request.lastMember, request.lastStatus));
                    work++;
                    continue;
                }
                if (request.inFlight && nowNs - request.attemptDeadlineNs > 0)
                {
                    final MemberLink link = members[request.target];
                    request.lastProblem = "member " + link.memberId + " did not answer within " +
                        options.attemptTimeout().toMillis() + " ms";
                    request.lastMember = link.memberId;
                    request.lastStatus = "TIMEOUT";
                    // Its session may be gone (a restart): connect again before the next request there.
                    link.state = SessionState.NONE;
                    retryElsewhere(request, nowNs, 0);
                    work++;
                }
                if (!request.inFlight && nowNs - request.sendAtNs >= 0)
                {
                    work += trySend(request, nowNs);
                }
            }
            return work;
        }

        private void removeAt(final int index)
        {
            final int last = active.size() - 1;
            active.set(index, active.get(last));
            active.remove(last);
        }

        private int trySend(final Request request, final long nowNs)
        {
            final MemberLink link = members[request.target];
            switch (link.state)
            {
                case REFUSED:
                    request.future.completeExceptionally(new KvException(
                        "member " + link.memberId + " refused the session: " + link.refusal, link.memberId,
                        "SESSION_ERROR"));
                    return 1;
                case NONE:
                    connect(link, request, nowNs);
                    return 1;
                case CONNECTING:
                    if (nowNs - link.connectSentNs - options.attemptTimeout().toNanos() > 0)
                    {
                        link.state = SessionState.NONE;
                        request.lastProblem = "member " + link.memberId + " did not answer Connect within " +
                            options.attemptTimeout().toMillis() + " ms";
                        request.lastMember = link.memberId;
                        request.lastStatus = "TIMEOUT";
                        retryElsewhere(request, nowNs, 0);
                    }
                    return 0;
                default:
                    break;
            }
            request.correlationId = nextCorrelationId++;
            final int length;
            if (request.read)
            {
                readEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .sessionId(link.sessionId)
                    .correlationId(request.correlationId)
                    .groupId(request.group)
                    .consistency(ReadConsistency.LINEARIZABLE)
                    .putQuery(request.payload, 0, request.payload.length);
                length = MessageHeaderEncoder.ENCODED_LENGTH + readEncoder.encodedLength();
            }
            else
            {
                commandEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .sessionId(link.sessionId)
                    .correlationId(request.correlationId)
                    .groupId(request.group)
                    .putPayload(request.payload, 0, request.payload.length);
                length = MessageHeaderEncoder.ENCODED_LENGTH + commandEncoder.encodedLength();
            }
            if (length > link.publication.maxMessageLength())
            {
                // No member could take it either: failing now beats spending the budget on every member.
                request.future.completeExceptionally(new KvException("the request is " + length + " bytes, more " +
                    "than the " + link.publication.maxMessageLength() + " bytes Aeron carries in one message on the " +
                    "client's publications (an eighth of their term length, " + link.publication.termBufferLength() +
                    "): raise KvClientOptions.termBufferLength", link.memberId, "TOO_LARGE"));
                return 1;
            }
            final long position;
            try
            {
                position = link.publication.offer(sendBuffer, 0, length);
            }
            catch (final RuntimeException ex)
            {
                request.future.completeExceptionally(new KvException("sending to member " + link.memberId + " at " +
                    link.endpoint + " failed: " + ex, link.memberId, "ERROR", ex));
                return 1;
            }
            if (position > 0)
            {
                request.inFlight = true;
                request.attempts++;
                request.attemptDeadlineNs = nowNs + options.attemptTimeout().toNanos();
                inFlight.put(request.correlationId, request);
                return 1;
            }
            return offerFailed(link, request, position, nowNs);
        }

        /**
         * Back pressure is waited out until the request's budget is spent, an unconnected member is passed over for
         * the next; a publication that can never send again fails the request at once. Each says so in the request's
         * last problem, which its failure names.
         */
        private int offerFailed(final MemberLink link, final Request request, final long position, final long nowNs)
        {
            if (Publication.BACK_PRESSURED == position || Publication.ADMIN_ACTION == position)
            {
                request.lastProblem = "the client's publication to member " + link.memberId + " at " + link.endpoint +
                    " is back pressured (the member takes no more, or the network is slow)";
                request.lastMember = link.memberId;
                request.lastStatus = "BACK_PRESSURED";
                request.sendAtNs = nowNs; // next scan
                return 0;
            }
            if (Publication.NOT_CONNECTED == position)
            {
                unreachable(link, request, nowNs);
                return 1;
            }
            final String why = Publication.CLOSED == position ? "is closed" :
                Publication.MAX_POSITION_EXCEEDED == position ? "reached its maximum position (connect a new client)" :
                "failed with code " + position;
            request.future.completeExceptionally(new KvException("the client's publication to member " +
                link.memberId + " at " + link.endpoint + " " + why, link.memberId, "ERROR"));
            return 1;
        }

        private void connect(final MemberLink link, final Request request, final long nowNs)
        {
            link.connectCorrelationId = nextCorrelationId++;
            connectEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .correlationId(link.connectCorrelationId)
                .clusterId(cluster.clusterId())
                .clientVersion(ClientProtocol.CLIENT_VERSION)
                .responseChannel(responseChannel);
            final long position;
            try
            {
                position = link.publication.offer(
                    sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength());
            }
            catch (final RuntimeException ex)
            {
                request.future.completeExceptionally(new KvException("connecting to member " + link.memberId +
                    " at " + link.endpoint + " failed: " + ex, link.memberId, "ERROR", ex));
                return;
            }
            if (position > 0)
            {
                link.state = SessionState.CONNECTING;
                link.connectSentNs = nowNs;
                request.sendAtNs = nowNs; // sent once the session is open
            }
            else
            {
                offerFailed(link, request, position, nowNs);
            }
        }

        private void unreachable(final MemberLink link, final Request request, final long nowNs)
        {
            link.state = SessionState.NONE;
            request.lastProblem = "member " + link.memberId + " at " + link.endpoint + " is not reachable";
            request.lastMember = link.memberId;
            request.lastStatus = "NOT_CONNECTED";
            retryElsewhere(request, nowNs, RETRY_BACKOFF_NS);
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

        // -------------------------------------------------------------- responses

        private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (FrameCheck.OK != Frames.validate(buffer, offset, length))
            {
                return;
            }
            headerDecoder.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            final long nowNs = System.nanoTime();
            switch (headerDecoder.templateId())
            {
                case SessionEventDecoder.TEMPLATE_ID:
                    onSessionEvent(sessionEventDecoder.wrap(buffer, body, blockLength, version));
                    break;
                case CommandResponseDecoder.TEMPLATE_ID:
                {
                    final CommandResponseDecoder response = commandResponseDecoder.wrap(buffer, body, blockLength, version);
                    final Request request = inFlight.remove(response.correlationId());
                    if (null != request && !request.read)
                    {
                        final byte[] result = new byte[response.resultLength()];
                        response.getResult(result, 0, result.length);
                        onOutcome(request, response.status(), response.leaderHint(), result, response.errorMessage(), nowNs);
                    }
                    break;
                }
                case ReadResponseDecoder.TEMPLATE_ID:
                {
                    final ReadResponseDecoder response = readResponseDecoder.wrap(buffer, body, blockLength, version);
                    final Request request = inFlight.remove(response.correlationId());
                    if (null != request && request.read)
                    {
                        final byte[] result = new byte[response.resultLength()];
                        response.getResult(result, 0, result.length);
                        onOutcome(request, response.status(), response.leaderHint(), result, response.errorMessage(), nowNs);
                    }
                    break;
                }
                default:
                    break;
            }
        }

        private void onSessionEvent(final SessionEventDecoder event)
        {
            for (final MemberLink link : members)
            {
                if (SessionState.CONNECTING == link.state && link.connectCorrelationId == event.correlationId())
                {
                    final SessionEventCode code = event.code();
                    final long sessionId = event.sessionId();
                    final String detail = event.detail();
                    if (SessionEventCode.OK == code)
                    {
                        link.state = SessionState.CONNECTED;
                        link.sessionId = sessionId;
                    }
                    else if (SessionEventCode.ERROR == code)
                    {
                        link.state = SessionState.REFUSED;
                        link.refusal = detail;
                    }
                    else
                    {
                        link.state = SessionState.NONE;
                    }
                    return;
                }
            }
        }

        private void onOutcome(
            final Request request, final ResponseStatus status, final int leaderHint, final byte[] result,
            final String errorMessage, final long nowNs)
        {
            request.inFlight = false;
            final MemberLink link = members[request.target];
            request.lastMember = link.memberId;
            request.lastStatus = String.valueOf(status);
            request.lastProblem = "member " + link.memberId + " answered " + status +
                (ResponseStatus.NOT_LEADER == status ? " (leader hint " + leaderHint + ")" : "") +
                (errorMessage.isEmpty() ? "" : ": " + errorMessage);
            switch (status)
            {
                case OK:
                    if (request.viaMember < 0) // else it may be a follower's answer, which names no leader
                    {
                        leaderOf.set(request.group, link.memberId);
                    }
                    request.future.complete(result);
                    return;
                case NOT_LEADER:
                {
                    final int hinted = leaderHint >= 0 ? indexOf(leaderHint) : -1;
                    if (hinted >= 0 && hinted != request.target && request.viaMember < 0)
                    {
                        leaderOf.set(request.group, leaderHint);
                        redirectsFollowed.incrementAndGet();
                        request.target = hinted;
                        request.sendAtNs = nowNs;
                        trySend(request, nowNs);
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
                    // The member may have lost leadership, or be shutting down: another may do better.
                    retryElsewhere(request, nowNs, RETRY_BACKOFF_NS);
                    return;
                default:
                    request.future.completeExceptionally(new KvException(
                        "group " + request.group + ": " + request.lastProblem, link.memberId, String.valueOf(status)));
            }
        }

        /** On the closing thread, after the agent's thread stopped. */
        void closeSessionsAndFailAll()
        {
            for (final MemberLink link : members)
            {
                if (SessionState.CONNECTED == link.state)
                {
                    closeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).sessionId(link.sessionId);
                    link.publication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + closeEncoder.encodedLength());
                }
            }
            // Let the driver put the CloseSessions on the wire before it goes.
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
