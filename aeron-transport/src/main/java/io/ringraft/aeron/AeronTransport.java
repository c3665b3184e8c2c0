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
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.AgentRunner;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link Transport} over Aeron. Each member listens on one subscription (its own UDP endpoint, or its own IPC
 * stream) and reaches each peer through one exclusive publication; all peers' publications feed the same
 * subscription as separate images. Frames are SBE peer messages, validated before they reach the handler (see
 * {@link PeerReceiver}); sends never wait (see {@link PeerSender}).
 * <p>
 * Resources, created by the constructor: the media driver (embedded unless the context names an external one), an
 * Aeron client, the counters ({@link TransportCounters}), the publications and the subscription. {@link #start}
 * starts the one thread that runs the {@link TransportDutyCycle}: the embedded driver (which has no thread of its
 * own), the client's conductor and the receiver. It idles by backing off to parking: nothing spins while the cluster
 * is quiet, and nothing moves before {@link #start}. A send ends its park, since with the embedded driver the message
 * leaves the publication for the network only on that thread.
 * <p>
 * The pipeline's raft and send stages run on that thread too ({@link #hostsPipelineDuty}): a peer's message is then
 * received, stepped and answered on one thread, and a proposal needs one wake-up (of this thread) to be on the network.
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

    private final AeronTransportContext context;
    private final Int2ObjectHashMap<ExclusivePublication> publications = new Int2ObjectHashMap<>();
    private MediaDriver driver;
    private Aeron aeron;
    private TransportCounters counters;
    private PeerSender sender;
    private Subscription subscription;
    private AgentRunner dutyCycleRunner;
    /** Unparked after each send, so the message leaves now rather than when the idle strategy's park ends. */
    private volatile Thread dutyCycleThread;
    private boolean sendsHosted;
    private boolean started;
    /**
     * With {@link #sending}, a handshake that lets {@link #close} run while the send stage is still sending (the
     * pipeline closes its transport before it drains its send ring): after close, publications and counters are
     * unmapped memory, so a send must either see {@code closed} or be waited for. Both are volatile, so the write of
     * one and the read of the other cannot be reordered on either side.
     */
    private volatile boolean closed;
    private volatile boolean sending;

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
        final String prefix = "ringraft c=" + context.clusterId() + " m=" + context.memberId();
        final Aeron.Context clientContext = new Aeron.Context()
            .aeronDirectoryName(context.aeronDirectoryName())
            .errorHandler(loggingErrorHandler(prefix + " Aeron client error"))
            .clientName(prefix)
            .useConductorAgentInvoker(true);
        if (context.embeddedDriver())
        {
            driver = EmbeddedMediaDriver.launchInvoked(
                context.aeronDirectoryName(),
                context.termBufferLength(),
                loggingErrorHandler(prefix + " media driver error"));
            // Until start() hands the duty cycle to its thread, the client drives the driver while it waits for it.
            clientContext.driverAgentInvoker(driver.sharedAgentInvoker());
        }
        aeron = Aeron.connect(clientContext);
        counters = new TransportCounters(aeron, context.clusterId(), context.memberId(), context.memberEndpoints());
        sender = new PeerSender(context, counters);

        for (final Map.Entry<Integer, String> member : context.memberEndpoints().entrySet())
        {
            final int peerId = member.getKey();
            if (peerId != context.memberId())
            {
                final ExclusivePublication publication = addPublication(peerId, member.getValue());
                publications.put(peerId, publication);
                if (publication.maxMessageLength() < context.maxMessageSize())
                {
                    throw new IllegalStateException("publication to member " + peerId + " carries at most " +
                        publication.maxMessageLength() + " bytes per message, less than maxMessageSize " +
                        context.maxMessageSize() + ": the driver did not apply term-length " +
                        context.termBufferLength());
                }
                sender.addPeer(peerId, publication);
            }
        }

        final String ownChannel = channel(context.memberEndpoints().get(context.memberId()), false);
        try
        {
            subscription = aeron.addSubscription(ownChannel, context.streamIdOf(context.memberId()));
        }
        catch (final RegistrationException ex)
        {
            throw new IllegalStateException("member " + context.memberId() + " cannot listen on " + ownChannel +
                " stream " + context.streamIdOf(context.memberId()) + ": " + ex.getMessage(), ex);
        }
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

    private static ErrorHandler loggingErrorHandler(final String what)
    {
        final RateLimitedLogger log = new RateLimitedLogger(LOGGER, ERROR_LOG_INTERVAL_NS);
        return (error) ->
        {
            synchronized (log)
            {
                log.log(Level.WARNING, what, null, error);
            }
        };
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
        final PeerReceiver receiver = new PeerReceiver(context, subscription, handler, counters);
        final TransportDutyCycle dutyCycle = new TransportDutyCycle(
            duty, null == driver ? null : driver.sharedAgentInvoker(), aeron.conductorAgentInvoker(), receiver);
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
     * @return false if dropped: unknown destination, too large, or refused by Aeron (each counted by reason); or
     * the transport is closed (not counted: the counters went with it).
     */
    @Override
    public boolean send(final Message message)
    {
        sending = true;
        try
        {
            if (closed || !sender.send(message))
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

    /** @return true when the publication to {@code peerId} has a connected subscriber (Aeron's view). */
    public boolean isConnected(final int peerId)
    {
        final ExclusivePublication publication = publications.get(peerId);
        return null != publication && publication.isConnected();
    }

    /** A send in progress takes microseconds (a 1 MiB append about a millisecond): a short bounded wait is enough. */
    private void awaitSendReturned()
    {
        final long deadlineNs = System.nanoTime() + 1_000_000_000L;
        while (sending && System.nanoTime() - deadlineNs < 0)
        {
            Thread.yield();
        }
    }

    /** Readable until {@link #close}, which releases them with the driver's memory. */
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
        awaitSendReturned();
        CloseHelper.quietClose(dutyCycleRunner);
        publications.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(subscription);
        CloseHelper.quietClose(counters);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
    }
}
