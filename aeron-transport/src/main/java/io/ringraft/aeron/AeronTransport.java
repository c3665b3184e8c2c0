package io.ringraft.aeron;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.RegistrationException;
import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.transport.PipelineDuty;
import io.ringraft.transport.Transport;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.io.File;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link Transport} over Aeron. Each member listens on one subscription (its own UDP endpoint, or its own IPC
 * stream) and reaches each peer through one exclusive publication; all peers' publications feed the same
 * subscription as separate images. Frames are SBE peer messages, validated before they reach the handler (see
 * {@link PeerReceiver}); sends never wait (see {@link PeerSender}).
 * <p>
 * Resources, created by the constructor: the counters ({@link TransportCounters}), the media driver (embedded unless
 * the context names an external one), an Aeron client, the publications and the subscription. {@link #start}
 * starts the one thread that runs the {@link TransportDutyCycle}: the embedded driver (which has no thread of its
 * own), the client's conductor and the receiver. It idles by backing off to parking: nothing spins while the cluster
 * is quiet, and nothing moves before {@link #start}. A send ends its park, since with the embedded driver the message
 * leaves the publication for the network only on that thread.
 * <p>
 * The pipeline's raft and send stages run on that thread too ({@link #hostsPipelineDuty}): a peer's message is then
 * received, stepped and answered on one thread, and a proposal needs one wake-up (of this thread) to be on the network.
 * <p>
 * <b>Losing the client.</b> An Aeron client closes itself when it times out: when its conductor did not run for
 * longer than the driver's client liveness timeout, or saw no driver heartbeat for longer than the driver timeout
 * (Aeron's defaults, 10 s each), as when the process was stopped (SIGSTOP, a frozen filesystem, a starved host); or
 * when the driver timed it out or stopped. It then unmaps the driver's memory: publications, subscription, counters.
 * So the counters live in memory of the transport's own, and publications and the subscription are touched only
 * while {@link #linked}, which the client's close handler clears (waiting for a send under way on another thread)
 * before Aeron unmaps anything. Sends are then dropped and counted, the pipeline runs on, and the duty cycle
 * reconnects without waiting on the driver: it launches the embedded driver again if that stopped, connects a new
 * client once a driver is active in the directory, registers the publications and the subscription, and puts them
 * to use once the driver confirmed them. Raft does the rest: the member hears from a leader (or of a newer term) and
 * catches up like any member that fell behind. The timeouts stay at 10 s: a member paused that long has lost any
 * leadership to an election long before, and reconnecting costs milliseconds, while a longer timeout would keep the
 * resources of a client that really died in the driver for longer.
 * <p>
 * Threads: {@link #send} from one thread only (the pipeline's send stage, or this transport's own thread when it
 * hosts the pipeline duty); {@link #start} and {@link #close} from
 * the owner. {@link #close} may race a send: the send either completes first or returns false. The handler runs on
 * the receiver thread.
 */
public final class AeronTransport implements Transport
{
    private static final System.Logger LOGGER = System.getLogger(AeronTransport.class.getName());
    private static final long ERROR_LOG_INTERVAL_NS = 1_000_000_000L;
    /** Between attempts to reconnect while no driver is active, or after an attempt failed. */
    private static final long RELINK_RETRY_NS = 250_000_000L;
    /** An attempt whose publications and subscription the driver has not confirmed by then is given up. */
    private static final long RELINK_REGISTRATION_TIMEOUT_NS = 10_000_000_000L;

    private final AeronTransportContext context;
    private final String clientName;
    private final ErrorHandler clientErrorHandler;
    private final ErrorHandler driverErrorHandler;
    /**
     * The peers' ids, and for each its endpoint, its counters and the current client's publication to it. Replaced
     * (by {@link #addPeer}/{@link #removePeer}'s work) on the duty-cycle thread only, which alone reads them once
     * started.
     */
    private int[] peerIds;
    private String[] peerEndpoints;
    private PeerCounters[] peerCounters;
    private ExclusivePublication[] publications;
    private long[] pendingPublicationIds;
    /** Peers added or removed at runtime, from any thread, for the duty cycle to carry out. */
    private final ManyToOneConcurrentLinkedQueue<PeerChange> peerChanges = new ManyToOneConcurrentLinkedQueue<>();
    /** Added peers whose publication the driver has not confirmed yet; duty-cycle thread only. */
    private final ArrayList<PeerChange> pendingPeers = new ArrayList<>();
    private final TransportCounters counters;
    private final PeerSender sender;
    private MediaDriver driver;
    private Aeron aeron;
    private Subscription subscription;
    private PeerReceiver receiver;
    private AgentRunner dutyCycleRunner;
    /** Unparked after each send, so the message leaves now rather than when the idle strategy's park ends. */
    private volatile Thread dutyCycleThread;
    private boolean sendsHosted;
    private boolean started;
    private volatile boolean closed;
    /**
     * True while the client's publications and subscription may be used. With {@link #sending}, a handshake that
     * lets the client close while a send is under way on another thread: by {@link #close} (the pipeline closes its
     * transport before it drains its send ring), or on its own when it times out. Then the publications become
     * unmapped memory, so a send must either see {@code linked} false or be waited for. Both are volatile, so the
     * write of one and the read of the other cannot be reordered on either side. Cleared by {@link #close} and by
     * the client's close handler, which Aeron runs before it unmaps anything; set again by the duty cycle once it has
     * reconnected.
     */
    private volatile boolean linked;
    private volatile boolean sending;
    // Reconnection, on the duty-cycle thread only.
    private long pendingSubscriptionId = Aeron.NULL_VALUE;
    private long registrationDeadlineNs;
    private long nextRelinkNs;
    private long lostAtNs;
    private final RateLimitedLogger relinkLog = new RateLimitedLogger(LOGGER, ERROR_LOG_INTERVAL_NS);

    /**
     * Launches (or connects to) the media driver and opens the publications and the subscription.
     *
     * @param context concluded here if it was not already.
     * @throws IllegalArgumentException for an invalid context.
     * @throws IllegalStateException    when the endpoint cannot be bound or the driver cannot be reached.
     */
    public AeronTransport(final AeronTransportContext context)
    {
        this.context = context.conclude();
        clientName = "ringraft c=" + context.clusterId() + " m=" + context.memberId();
        clientErrorHandler = loggingErrorHandler(clientName + " Aeron client error");
        driverErrorHandler = loggingErrorHandler(clientName + " media driver error");
        if (context.insecure())
        {
            LOGGER.log(Level.WARNING, clientName + " runs INSECURE (security = insecure): peer frames are neither " +
                "signed nor checked, so any process that can reach " + context.memberEndpoints().get(context.memberId()) +
                " can speak for any member; give every member the cluster's secret.file instead");
        }
        for (final String warning : TransportStartChecks.check(context))
        {
            LOGGER.log(Level.WARNING, clientName + " " + warning);
        }
        counters = new TransportCounters(context.clusterId(), context.memberId(), context.memberEndpoints());
        sender = new PeerSender(context, counters);
        peerIds = context.memberEndpoints().keySet().stream()
            .mapToInt(Integer::intValue).filter(id -> id != context.memberId()).toArray();
        peerEndpoints = new String[peerIds.length];
        peerCounters = new PeerCounters[peerIds.length];
        publications = new ExclusivePublication[peerIds.length];
        pendingPublicationIds = new long[peerIds.length];
        for (int i = 0; i < peerIds.length; i++)
        {
            peerEndpoints[i] = context.memberEndpoints().get(peerIds[i]);
            peerCounters[i] = counters.peer(peerIds[i]);
        }
        try
        {
            open();
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
    }

    private void open()
    {
        if (context.embeddedDriver())
        {
            deleteStaleDirectories();
            driver = launchDriver();
        }
        aeron = Aeron.connect(clientContext());
        for (int i = 0; i < peerIds.length; i++)
        {
            publications[i] = addPublication(peerIds[i], peerEndpoints[i]);
        }
        final String ownChannel = ownChannel();
        try
        {
            subscription = aeron.addSubscription(ownChannel, context.streamIdOf(context.memberId()));
        }
        catch (final RegistrationException ex)
        {
            throw new IllegalStateException("member " + context.memberId() + " cannot listen on " + ownChannel +
                " stream " + context.streamIdOf(context.memberId()) + ": " + ex.getMessage(), ex);
        }
        install();
    }

    private void deleteStaleDirectories()
    {
        for (final File stale : DriverDirectories.deleteStale(context.defaultDirectoryPrefix()))
        {
            LOGGER.log(Level.INFO, clientName + " deleted " + stale + ", left by a run of this member that is gone");
        }
    }

    private MediaDriver launchDriver()
    {
        return EmbeddedMediaDriver.launchInvoked(
            context.aeronDirectoryName(), context.termBufferLength(), driverErrorHandler);
    }

    /** A new client's settings: every client of this transport, the first and those that replace it, gets these. */
    private Aeron.Context clientContext()
    {
        final Aeron.Context clientContext = new Aeron.Context()
            .aeronDirectoryName(context.aeronDirectoryName())
            .errorHandler(this::onClientError)
            .closeHandler(this::onClientClose)
            .clientName(clientName)
            .useConductorAgentInvoker(true);
        if (null != driver)
        {
            // A client waiting for the driver (it connects, or registers something and awaits the answer) runs
            // the driver, which has no thread of its own.
            clientContext.driverAgentInvoker(driver.sharedAgentInvoker());
        }
        return clientContext;
    }

    private void checkMaxMessageLength(final int peerId, final ExclusivePublication publication)
    {
        if (publication.maxMessageLength() < context.maxMessageSize() + context.trailerLength())
        {
            throw new IllegalStateException("publication to member " + peerId + " carries at most " +
                publication.maxMessageLength() + " bytes per message, less than maxMessageSize " +
                context.maxMessageSize() + " + trailer " + context.trailerLength() + ": the driver did not apply term-length " + context.termBufferLength());
        }
    }

    /**
     * Puts the client's publications and subscription to use. No send is using earlier ones: {@link #linked} has
     * been false since they were lost (or there were none), and a send that started since saw it.
     */
    private void install()
    {
        for (int i = 0; i < peerIds.length; i++)
        {
            checkMaxMessageLength(peerIds[i], publications[i]);
            sender.addPeer(peerIds[i], publications[i]);
        }
        if (null != receiver)
        {
            receiver.subscription(subscription);
        }
        linked = true;
    }

    private ExclusivePublication addPublication(final int peerId, final String endpoint)
    {
        final String channel = channel(endpoint, true);
        try
        {
            return aeron.addExclusivePublication(channel, context.streamIdOf(peerId));
        }
        catch (final RegistrationException ex)
        {
            throw new IllegalStateException("member " + context.memberId() + " cannot publish to member " + peerId +
                " on " + channel + ": " + ex.getMessage(), ex);
        }
    }

    private String ownChannel()
    {
        return channel(context.memberEndpoints().get(context.memberId()), false);
    }

    private String channel(final String endpoint, final boolean publication)
    {
        final ChannelUriStringBuilder builder = new ChannelUriStringBuilder();
        if (ChannelMode.IPC == context.channelMode())
        {
            builder.media(CommonContext.IPC_MEDIA);
        }
        else
        {
            builder.media(CommonContext.UDP_MEDIA).endpoint(endpoint);
            if (publication)
            {
                builder.socketSndbufLength(context.socketBufferLength());
            }
            else
            {
                builder.socketRcvbufLength(context.socketBufferLength())
                    .receiverWindowLength(context.receiverWindowLength());
            }
        }
        if (publication)
        {
            builder.termLength(context.termBufferLength());
            if (0 != context.mtuLength())
            {
                builder.mtu(context.mtuLength());
            }
        }
        return builder.build();
    }

    /** One line per cause (a failed send names its peer) per interval, with the count of the repeats between. */
    private static ErrorHandler loggingErrorHandler(final String what)
    {
        return new RateLimitedErrorHandler(LOGGER, what);
    }

    /**
     * Starts the duty-cycle thread. {@code handler} runs on it, between the driver's and the client's duties: it must
     * not block (the pipeline's copies the frame into its ring, or drops it when the ring is full), or this member
     * stops sending as well as receiving.
     */
    @Override
    public void start(final InboundFrameHandler handler)
    {
        start(handler, null, false);
    }

    /** Always: the duty-cycle thread exists whatever the driver, and it can run the pipeline as well as anyone. */
    @Override
    public boolean hostsPipelineDuty()
    {
        return true;
    }

    /**
     * Starts the duty-cycle thread, which also runs {@code duty} in every cycle, after the receiver, so that what
     * arrived is stepped and what that sends leaves in the same cycle's driver work.
     *
     * @return ends the thread's idle park (unparks it; nothing when called on that thread, which is not parked, and
     * no system call when it is not parked).
     */
    @Override
    public Runnable start(final InboundFrameHandler handler, final PipelineDuty duty)
    {
        if (null == duty)
        {
            throw new IllegalArgumentException("duty must not be null");
        }
        start(handler, duty, true);
        return this::wakeDutyCycle;
    }

    private void start(final InboundFrameHandler handler, final PipelineDuty duty, final boolean hosted)
    {
        if (closed)
        {
            throw new IllegalStateException("transport of member " + context.memberId() + " is closed");
        }
        if (started)
        {
            throw new IllegalStateException("transport of member " + context.memberId() + " already started");
        }
        if (null == handler)
        {
            throw new IllegalArgumentException("handler must not be null");
        }
        started = true;
        sendsHosted = hosted;
        receiver = new PeerReceiver(context, subscription, handler, counters);
        final TransportDutyCycle dutyCycle = new TransportDutyCycle(duty, this, receiver);
        dutyCycleRunner = new AgentRunner(context.idleStrategySupplier().get(), receiver::onError, null, dutyCycle);
        AgentRunner.startOnThread(dutyCycleRunner, (runnable) ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            dutyCycleThread = thread;
            return thread;
        });
    }

    /**
     * Encodes {@code message} into the publication to {@code message.to}, stamped with this member's cluster id and
     * member id. Never blocks; the send stage's thread only.
     *
     * @return false if dropped: unknown destination, too large, or refused by Aeron (each counted by reason); while
     * the transport reconnects its Aeron client (counted); or once it is closed (not counted).
     */
    @Override
    public boolean send(final Message message)
    {
        sending = true;
        try
        {
            if (!linked)
            {
                if (!closed)
                {
                    counters.unlinkedSends.incrementRelease();
                }
                return false;
            }
            if (!sender.send(message))
            {
                return false;
            }
            if (!sendsHosted && null != driver)
            {
                unparkDutyCycle();
            }
            return true;
        }
        finally
        {
            sending = false;
        }
    }

    /** The duty cycle polls the subscription only while this is true. */
    boolean isLinked()
    {
        return linked;
    }

    /**
     * The duty cycle's Aeron work, after the receiver and the pipeline: runs the embedded driver and the client's
     * conductor, keeps the peers' connected gauges, and reconnects once the client was lost. Duty-cycle thread only.
     */
    int driveAeron()
    {
        int work = 0;
        if (null != driver)
        {
            work += driver.sharedAgentInvoker().invoke();
        }
        if (linked)
        {
            if (null != driver && driver.sharedAgentInvoker().isClosed())
            {
                // The driver stopped (its agent failed): the client would only notice after the driver timeout.
                LOGGER.log(Level.WARNING, clientName + " media driver stopped; closing its Aeron client");
                CloseHelper.quietClose(aeron);
            }
            else
            {
                work += aeron.conductorAgentInvoker().invoke();
            }
            if (linked)
            {
                for (int i = 0; i < publications.length; i++)
                {
                    peerCounters[i].connected.setRelease(publications[i].isConnected() ? 1 : 0);
                }
                if (!peerChanges.isEmpty() || !pendingPeers.isEmpty())
                {
                    work += changePeers();
                }
            }
            else
            {
                onLinkLost();
                work++;
            }
        }
        else
        {
            work += relink(System.nanoTime());
        }
        return work;
    }

    /** The client's errors, on whichever thread ran into them. */
    private void onClientError(final Throwable error)
    {
        // A conductor that timed out reports its own end after the error that ended it, which was reported already.
        if (!(error instanceof AgentTerminationException))
        {
            clientErrorHandler.onError(error);
        }
    }

    /**
     * The client's close handler, run when it closes, by {@link #close} or on its own (it timed out, or lost the
     * driver), before it unmaps the driver's memory: from here on no send touches a publication. The duty cycle
     * notices and reconnects.
     */
    private void onClientClose()
    {
        linked = false;
        if (!sendsHosted)
        {
            // Sends come from another thread; with a hosted pipeline they come from this one, so none is under way.
            awaitSendReturned(Long.MAX_VALUE);
        }
    }

    private void onLinkLost()
    {
        lostAtNs = System.nanoTime();
        nextRelinkNs = lostAtNs;
        counters.linksLost.incrementRelease();
        LOGGER.log(Level.WARNING, clientName + " lost its Aeron client (it timed out: was the process paused or " +
            "starved for longer than the driver timeout, or is the driver gone?); sends are dropped until it " +
            "reconnects");
        forgetClient();
    }

    /** Drops every reference into the client's memory (it is closed, or about to be). */
    private void forgetClient()
    {
        for (int i = 0; i < publications.length; i++)
        {
            publications[i] = null;
            peerCounters[i].connected.setRelease(0);
        }
        subscription = null;
        pendingSubscriptionId = Aeron.NULL_VALUE;
        for (final PeerChange pending : pendingPeers)
        {
            pending.registrationId = Aeron.NULL_VALUE; // registered again with the next client
        }
        CloseHelper.quietClose(aeron);
        aeron = null;
    }

    /**
     * One step of reconnecting, without waiting on the driver, so that a pipeline this thread hosts keeps running:
     * restart the embedded driver if it stopped; connect a new client once a driver is active in the directory;
     * register the publications and the subscription; install them once the driver confirmed them all.
     */
    private int relink(final long nowNs)
    {
        if (null != aeron)
        {
            return awaitRegistrations(nowNs);
        }
        if (nowNs - nextRelinkNs < 0)
        {
            return 0;
        }
        nextRelinkNs = nowNs + RELINK_RETRY_NS;
        try
        {
            if (null != driver && driver.sharedAgentInvoker().isClosed())
            {
                LOGGER.log(Level.WARNING, clientName + " launches its media driver again in " +
                    context.aeronDirectoryName());
                CloseHelper.quietClose(driver);
                driver = null;
                driver = launchDriver();
            }
            if (!CommonContext.isDriverActive(
                new File(context.aeronDirectoryName()), CommonContext.DRIVER_TIMEOUT_MS, (message) -> {}))
            {
                relinkLog.log(Level.WARNING, clientName + " waits for an active media driver in " +
                    context.aeronDirectoryName(), null, null);
                return 1;
            }
            aeron = Aeron.connect(clientContext());
            for (int i = 0; i < peerIds.length; i++)
            {
                pendingPublicationIds[i] = aeron.asyncAddExclusivePublication(
                    channel(peerEndpoints[i], true), context.streamIdOf(peerIds[i]));
            }
            pendingSubscriptionId = aeron.asyncAddSubscription(ownChannel(), context.streamIdOf(context.memberId()));
            registrationDeadlineNs = nowNs + RELINK_REGISTRATION_TIMEOUT_NS;
        }
        catch (final RuntimeException ex)
        {
            relinkLog.log(Level.WARNING, clientName + " cannot reconnect to its media driver yet", null, ex);
            forgetClient();
        }
        return 1;
    }

    private int awaitRegistrations(final long nowNs)
    {
        int work = aeron.conductorAgentInvoker().invoke();
        try
        {
            if (aeron.isClosed())
            {
                throw new IllegalStateException("the new Aeron client closed");
            }
            boolean registered = true;
            for (int i = 0; i < peerIds.length; i++)
            {
                if (null == publications[i])
                {
                    publications[i] = aeron.getExclusivePublication(pendingPublicationIds[i]);
                    registered &= null != publications[i];
                }
            }
            if (null == subscription)
            {
                subscription = aeron.getSubscription(pendingSubscriptionId);
                registered &= null != subscription;
            }
            if (registered)
            {
                install();
                counters.relinks.incrementRelease();
                LOGGER.log(Level.INFO, clientName + " reconnected: new Aeron client, publications and subscription " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - lostAtNs) + " ms after the old client was lost");
                return work + 1;
            }
            if (nowNs - registrationDeadlineNs > 0)
            {
                throw new IllegalStateException("the driver did not confirm the publications and the subscription " +
                    "within " + TimeUnit.NANOSECONDS.toMillis(RELINK_REGISTRATION_TIMEOUT_NS) + " ms");
            }
        }
        catch (final RuntimeException ex)
        {
            relinkLog.log(Level.WARNING, clientName + " cannot reconnect to its media driver yet", null, ex);
            forgetClient();
            nextRelinkNs = nowNs + RELINK_RETRY_NS;
            work++;
        }
        return work;
    }

    /** A peer added ({@code endpoint} non-null) or removed at runtime. */
    private static final class PeerChange
    {
        final int memberId;
        final String endpoint;
        long registrationId = Aeron.NULL_VALUE;

        PeerChange(final int memberId, final String endpoint)
        {
            this.memberId = memberId;
            this.endpoint = endpoint;
        }
    }

    /**
     * Queues the new peer for the duty-cycle thread, which registers a publication to its endpoint without waiting
     * for the driver and starts sending to it once the driver confirmed it; until then messages to it are dropped and
     * counted as to a non-member, which Raft retransmits. Any thread; never blocks.
     */
    @Override
    public boolean addPeer(final int memberId, final String endpoint)
    {
        if (memberId == context.memberId() || closed)
        {
            return true;
        }
        if (null == endpoint || endpoint.isBlank())
        {
            throw new IllegalArgumentException("member " + memberId + " needs an endpoint (host:port) to become a peer");
        }
        peerChanges.offer(new PeerChange(memberId, endpoint));
        unparkDutyCycle();
        return true;
    }

    /** Queues the removal: the duty-cycle thread closes the publication; frames from that member are dropped. */
    @Override
    public boolean removePeer(final int memberId)
    {
        if (memberId == context.memberId() || closed)
        {
            return true;
        }
        peerChanges.offer(new PeerChange(memberId, null));
        unparkDutyCycle();
        return true;
    }

    /** Carries out queued peer changes and installs the publications the driver confirmed. Duty-cycle thread only. */
    private int changePeers()
    {
        int work = 0;
        PeerChange change;
        while (null != (change = peerChanges.poll()))
        {
            work++;
            final int id = change.memberId;
            pendingPeers.removeIf(pending -> pending.memberId == id && closeWhenConfirmed(pending));
            final int index = peerIndex(id);
            if (null == change.endpoint)
            {
                if (index >= 0)
                {
                    dropPeer(index);
                    LOGGER.log(Level.INFO, clientName + " no longer sends to member " + id + " (removed)");
                }
                continue;
            }
            if (index >= 0 && peerEndpoints[index].equals(change.endpoint))
            {
                continue;
            }
            if (index >= 0)
            {
                dropPeer(index);
            }
            pendingPeers.add(change);
        }
        for (int i = pendingPeers.size() - 1; i >= 0; i--)
        {
            final PeerChange pending = pendingPeers.get(i);
            try
            {
                if (Aeron.NULL_VALUE == pending.registrationId)
                {
                    pending.registrationId = aeron.asyncAddExclusivePublication(
                        channel(pending.endpoint, true), context.streamIdOf(pending.memberId));
                    work++;
                    continue;
                }
                final ExclusivePublication publication = aeron.getExclusivePublication(pending.registrationId);
                if (null != publication)
                {
                    pendingPeers.remove(i);
                    installPeer(pending, publication);
                    work++;
                }
            }
            catch (final RuntimeException ex)
            {
                pendingPeers.remove(i);
                LOGGER.log(Level.WARNING, clientName + " cannot reach new member " + pending.memberId + " at " +
                    pending.endpoint + ": " + ex.getMessage());
            }
        }
        return work;
    }

    /** A pending addition superseded before the driver confirmed it: its publication is closed if it comes. */
    private boolean closeWhenConfirmed(final PeerChange pending)
    {
        if (Aeron.NULL_VALUE != pending.registrationId)
        {
            try
            {
                CloseHelper.quietClose(aeron.getExclusivePublication(pending.registrationId));
            }
            catch (final RuntimeException ex)
            {
                // not registered after all: nothing to close
            }
        }
        return true;
    }

    private void installPeer(final PeerChange added, final ExclusivePublication publication)
    {
        try
        {
            checkMaxMessageLength(added.memberId, publication);
        }
        catch (final IllegalStateException ex)
        {
            CloseHelper.quietClose(publication);
            throw ex;
        }
        final PeerCounters peerCounter = counters.addPeer(added.memberId);
        final int n = peerIds.length;
        peerIds = java.util.Arrays.copyOf(peerIds, n + 1);
        peerEndpoints = java.util.Arrays.copyOf(peerEndpoints, n + 1);
        peerCounters = java.util.Arrays.copyOf(peerCounters, n + 1);
        publications = java.util.Arrays.copyOf(publications, n + 1);
        pendingPublicationIds = java.util.Arrays.copyOf(pendingPublicationIds, n + 1);
        peerIds[n] = added.memberId;
        peerEndpoints[n] = added.endpoint;
        peerCounters[n] = peerCounter;
        publications[n] = publication;
        pendingPublicationIds[n] = Aeron.NULL_VALUE;
        sender.addPeer(added.memberId, publication);
        if (null != receiver)
        {
            receiver.addPeer(added.memberId);
        }
        LOGGER.log(Level.INFO, clientName + " sends to new member " + added.memberId + " at " + added.endpoint);
    }

    private void dropPeer(final int index)
    {
        final int id = peerIds[index];
        sender.removePeer(id);
        if (null != receiver)
        {
            receiver.removePeer(id);
        }
        CloseHelper.quietClose(publications[index]);
        peerCounters[index].connected.setRelease(0);
        peerIds = without(peerIds, index);
        peerEndpoints = without(peerEndpoints, index);
        peerCounters = without(peerCounters, index);
        publications = without(publications, index);
        final long[] ids = new long[pendingPublicationIds.length - 1];
        System.arraycopy(pendingPublicationIds, 0, ids, 0, index);
        System.arraycopy(pendingPublicationIds, index + 1, ids, index, ids.length - index);
        pendingPublicationIds = ids;
    }

    private int peerIndex(final int memberId)
    {
        for (int i = 0; i < peerIds.length; i++)
        {
            if (peerIds[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }

    private static int[] without(final int[] values, final int index)
    {
        final int[] result = new int[values.length - 1];
        System.arraycopy(values, 0, result, 0, index);
        System.arraycopy(values, index + 1, result, index, result.length - index);
        return result;
    }

    private static <T> T[] without(final T[] values, final int index)
    {
        final T[] result = java.util.Arrays.copyOf(values, values.length - 1);
        System.arraycopy(values, index + 1, result, index, result.length - index);
        return result;
    }

    /**
     * The hosted pipeline's wake-up. Its own thread queues work for itself (the receiver's frames, the raft stage's
     * messages) and runs it before it next idles: an unpark would only cost a lock and make that idle wait return at
     * once for nothing.
     */
    private void wakeDutyCycle()
    {
        if (Thread.currentThread() != dutyCycleThread)
        {
            unparkDutyCycle();
        }
    }

    /**
     * Ends the duty cycle's idle park: after a send from another thread, because the message is in the publication
     * but with the embedded driver reaches the network only when the duty cycle runs the driver's sender; or when
     * the pipeline queued work for the hosted duty. Cheap when the thread is not parked (no system call: the
     * park permit is set, and its next park returns at once).
     */
    private void unparkDutyCycle()
    {
        final Thread thread = dutyCycleThread;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * @return true when the publication to {@code peerId} has a connected subscriber, as the duty cycle last saw it
     * (it reads Aeron's view in every cycle); any thread.
     */
    public boolean isConnected(final int peerId)
    {
        final PeerCounters peer = counters.peer(peerId);
        return null != peer && 1 == peer.connected.get();
    }

    /**
     * A send in progress takes microseconds (a 1 MiB append about a millisecond): {@link #close} waits a short
     * while; a lost client, which is about to unmap what the send may be writing, waits as long as it takes.
     */
    private void awaitSendReturned(final long boundNs)
    {
        final long startNs = System.nanoTime();
        while (sending && System.nanoTime() - startNs < boundNs)
        {
            Thread.yield();
        }
    }

    /** Readable from any thread; they live in this transport's own memory, and count across reconnections. */
    public TransportCounters counters()
    {
        return counters;
    }

    public AeronTransportContext context()
    {
        return context;
    }

    /**
     * Releases everything in dependency order: first the duty-cycle thread, so that from then on only the closing
     * thread drives the client and the embedded driver; then publications (peers see us leave), subscription,
     * counters, Aeron client, and the embedded driver, which deletes its directory.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(dutyCycleRunner);
        final boolean wasLinked = linked;
        linked = false;
        awaitSendReturned(1_000_000_000L);
        if (wasLinked)
        {
            for (final ExclusivePublication publication : publications)
            {
                CloseHelper.quietClose(publication);
            }
            CloseHelper.quietClose(subscription);
        }
        for (final PeerCounters peer : peerCounters)
        {
            if (null != peer)
            {
                peer.connected.setRelease(0);
            }
        }
        CloseHelper.quietClose(counters);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
    }
}
