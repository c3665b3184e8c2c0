package io.ringraft.aeron;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Configuration of one member's {@link AeronTransport}, in the Aeron style: fluent setters, then
 * {@link #conclude()} fills in defaults and rejects anything inconsistent with a message naming the setting.
 * <p>
 * Defaults aim at a small footprint on a shared machine: an embedded media driver without a thread of its own (the
 * transport's one thread runs it) whose directory lives under /dev/shm and is deleted on start and on shutdown,
 * sparse term buffers, and an idle strategy that backs off to parking so that nothing spins while the cluster is
 * quiet.
 */
public final class AeronTransportContext
{
    /** Stream id shared by all members in UDP mode, the base of the per-member stream ids in IPC mode. */
    public static final int DEFAULT_STREAM_ID = 2107;

    /**
     * 16 MiB so that the largest message Raft sends with its defaults (an append of up to 1 MiB of payload, plus one
     * entry of up to 1 MiB) stays under Aeron's limit of a term / 8. The files are sparse: only pages that traffic
     * touches take memory.
     */
    public static final int DEFAULT_TERM_BUFFER_LENGTH = 16 * 1024 * 1024;

    /**
     * UDP socket send and receive buffers, and the receiver window: 2 MiB lets a 1 MiB append be in flight whole
     * instead of trickling out one 128 KiB window (Aeron's default) per status message round trip. The OS caps
     * socket buffers (net.core.rmem_max / wmem_max); Aeron reports a channel error when it cannot apply them.
     */
    public static final int DEFAULT_SOCKET_BUFFER_LENGTH = 2 * 1024 * 1024;
    public static final int DEFAULT_RECEIVER_WINDOW_LENGTH = 2 * 1024 * 1024;

    /** Fragments polled per duty cycle: bounds how long the receiver holds the handler before looking around. */
    public static final int DEFAULT_FRAGMENT_LIMIT = 64;

    /** Aeron caps one message at this, whatever the term length. */
    static final int AERON_MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;
    private static final int MIN_TERM_LENGTH = 64 * 1024;
    private static final int MAX_TERM_LENGTH = 1024 * 1024 * 1024;
    /** The largest fixed-size peer message plus header: anything smaller could not carry a vote. */
    private static final int MIN_MESSAGE_SIZE = 128;

    private int memberId = -1;
    private int clusterId;
    private Map<Integer, String> memberEndpoints;
    private ChannelMode channelMode = ChannelMode.UDP;
    private int streamId = DEFAULT_STREAM_ID;
    private boolean embeddedDriver = true;
    private String aeronDirectoryName;
    private Supplier<IdleStrategy> idleStrategySupplier;
    private int termBufferLength = DEFAULT_TERM_BUFFER_LENGTH;
    private int maxMessageSize;
    private int fragmentLimit = DEFAULT_FRAGMENT_LIMIT;
    private int socketBufferLength = DEFAULT_SOCKET_BUFFER_LENGTH;
    private int receiverWindowLength;
    private int mtuLength;
    private ClusterSecret secret;
    private boolean insecure;
    private boolean concluded;

    /**
     * Fills in defaults and validates.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first setting that is missing or wrong.
     */
    public AeronTransportContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(memberId >= 0, "memberId must be set to a value >= 0, was " + memberId);
        require(null != secret ^ insecure, null != secret ?
            "secret and insecure(true) are both set: choose one" :
            "set secret (every peer frame is then signed and checked) or, explicitly, insecure(true)");
        require(null != memberEndpoints && !memberEndpoints.isEmpty(),
            "memberEndpoints must list every member of the cluster, this one (" + memberId + ") included");
        for (final Integer id : memberEndpoints.keySet())
        {
            require(null != id && id >= 0, "memberEndpoints holds member id " + id + ": ids must be >= 0");
        }
        // Sorted, so that validation messages and the order of everything built from it are deterministic.
        memberEndpoints = new TreeMap<>(memberEndpoints);
        require(memberEndpoints.containsKey(memberId),
            "memberEndpoints " + memberEndpoints.keySet() + " does not contain this member's id " + memberId);
        require(null != channelMode, "channelMode must be UDP or IPC, was null");
        if (ChannelMode.UDP == channelMode)
        {
            validateUdpEndpoints();
        }
        else
        {
            final int maxId = memberEndpoints.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            require((long)streamId + maxId <= Integer.MAX_VALUE,
                "streamId (" + streamId + ") + largest member id (" + maxId + ") overflows an int; IPC mode listens " +
                "on streamId + memberId");
        }

        require(termBufferLength >= MIN_TERM_LENGTH && termBufferLength <= MAX_TERM_LENGTH &&
            Integer.bitCount(termBufferLength) == 1,
            "termBufferLength must be a power of two between " + MIN_TERM_LENGTH + " and " + MAX_TERM_LENGTH +
            ", was " + termBufferLength);
        // The trailer travels after the message, in the same Aeron message.
        final int largestAeronMessage = Math.min(termBufferLength / 8, AERON_MAX_MESSAGE_LENGTH) - trailerLength();
        if (0 == maxMessageSize)
        {
            maxMessageSize = largestAeronMessage;
        }
        require(maxMessageSize >= MIN_MESSAGE_SIZE && maxMessageSize <= largestAeronMessage,
            "maxMessageSize must be between " + MIN_MESSAGE_SIZE + " and min(termBufferLength / 8, 16 MiB)" +
            (insecure ? "" : " - " + FrameAuthenticator.TRAILER_LENGTH + " (the authentication trailer)") + " = " +
            largestAeronMessage + " (Aeron cannot publish a larger message), was " + maxMessageSize);
        require(fragmentLimit >= 1, "fragmentLimit must be >= 1, was " + fragmentLimit);
        require(socketBufferLength >= 64 * 1024, "socketBufferLength must be >= 65536, was " + socketBufferLength);
        if (0 == receiverWindowLength)
        {
            receiverWindowLength = Math.min(DEFAULT_RECEIVER_WINDOW_LENGTH, Math.min(socketBufferLength, termBufferLength / 2));
        }
        require(receiverWindowLength >= 32 * 1024 && receiverWindowLength <= socketBufferLength &&
            receiverWindowLength <= termBufferLength / 2,
            "receiverWindowLength must be between 32768 and min(socketBufferLength, termBufferLength / 2) = " +
            Math.min(socketBufferLength, termBufferLength / 2) + ", was " + receiverWindowLength);
        require(0 == mtuLength || (mtuLength >= 1024 && mtuLength <= 65504 && 0 == mtuLength % 32),
            "mtuLength must be 0 (Aeron's default) or a multiple of 32 between 1024 and 65504, was " + mtuLength);

        if (embeddedDriver)
        {
            if (null == aeronDirectoryName)
            {
                aeronDirectoryName = uniqueDirectoryName();
            }
        }
        else
        {
            require(null != aeronDirectoryName,
                "embeddedDriver=false needs aeronDirectoryName: the directory of the running media driver");
            require(new File(aeronDirectoryName).isDirectory(),
                "aeronDirectoryName '" + aeronDirectoryName + "' is not a directory: is the external media driver " +
                "running?");
        }
        if (null == idleStrategySupplier)
        {
            idleStrategySupplier = AeronTransportContext::defaultIdleStrategy;
        }
        concluded = true;
        return this;
    }

    /**
     * Parks from 1 us doubling up to 1 ms: a quiet member costs about 1,400 wake-ups and 2 % of a core a second, not
     * a core. A send ends the park at once (see {@link AeronTransport#send}, {@link AeronTransport#start(
     * io.ringraft.transport.InboundFrameHandler, io.ringraft.transport.PipelineDuty)}); only a datagram arriving from a
     * peer waits for the park to end, and Linux's default timer slack makes even the 1 us park about 50 us.
     * <p>
     * Neither spins nor yields first. With more runnable threads than cores (three members' pipelines on two cores)
     * each {@code Thread.yield} was a context switch that put this thread behind every other runnable one (Linux's
     * EEVDF scheduler pushes a yielding thread's deadline back a whole slice); and a spin is a whole duty cycle,
     * with a receive system call per socket, that on loopback never caught a reply (a round trip takes longer).
     * Measured in RingraftUdpClusterBenchmark at 10,000 1 KiB entries/s: with 10 yields 34-42 k involuntary switches/s
     * on the transport threads and p99 5.4-8.0 ms, without 15 k and 3.8-4.1 ms; dropping the 10 spins took the
     * transport threads from 87-93 % to 63-75 % of a core with p99s within the noise (1 KiB 2.0-4.2 ms against
     * 3.3 ms, 64 B 0.9-2.5 ms against 2.1-2.3 ms).
     */
    public static IdleStrategy defaultIdleStrategy()
    {
        return new BackoffIdleStrategy(0, 0, 1_000, 1_000_000);
    }

    private void validateUdpEndpoints()
    {
        final Map<String, Integer> seen = new TreeMap<>();
        for (final Map.Entry<Integer, String> member : memberEndpoints.entrySet())
        {
            final String endpoint = member.getValue();
            final String where = "memberEndpoints[" + member.getKey() + "] = '" + endpoint + "'";
            require(null != endpoint, where + ": UDP mode needs host:port for every member");
            final int colon = endpoint.lastIndexOf(':');
            require(colon > 0 && colon < endpoint.length() - 1, where + " is not host:port");
            final int port;
            try
            {
                port = Integer.parseInt(endpoint.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(where + ": port is not a number");
            }
            require(port >= 1 && port <= 65535, where + ": port must be between 1 and 65535");
            final Integer previous = seen.put(endpoint, member.getKey());
            require(null == previous,
                "members " + previous + " and " + member.getKey() + " share endpoint '" + endpoint + "'");
        }
    }

    private String uniqueDirectoryName()
    {
        return DriverDirectories.uniqueName(defaultDirectoryPrefix());
    }

    /** What the default directory names of this member's embedded drivers start with ({@link DriverDirectories}). */
    String defaultDirectoryPrefix()
    {
        return "ringraft-aeron-c" + clusterId + "-m" + memberId;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    private void checkNotConcluded()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded: set everything before conclude()");
        }
    }

    /**
     * The cluster's secret: every peer frame is signed with its peer key and every frame received is checked before
     * any field is read (a frame whose trailer is missing or wrong is dropped and counted). Required unless
     * {@link #insecure(boolean)}.
     */
    public AeronTransportContext secret(final ClusterSecret secret)
    {
        checkNotConcluded();
        this.secret = secret;
        return this;
    }

    /** Null when {@link #insecure()}. */
    public ClusterSecret secret()
    {
        return secret;
    }

    /**
     * True: frames are neither signed nor checked, so anyone who can reach a member's endpoint can speak for any
     * member. Only as an explicit choice (tests, a closed network); never a default.
     */
    public AeronTransportContext insecure(final boolean insecure)
    {
        checkNotConcluded();
        this.insecure = insecure;
        return this;
    }

    public boolean insecure()
    {
        return insecure;
    }

    /** Bytes every frame carries after its message: the authentication trailer, or none when insecure. */
    public int trailerLength()
    {
        return insecure ? 0 : FrameAuthenticator.TRAILER_LENGTH;
    }

    /** This member's id; must be a key of {@link #memberEndpoints}. */
    public AeronTransportContext memberId(final int memberId)
    {
        checkNotConcluded();
        this.memberId = memberId;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    /** Carried in every frame; a frame with another cluster id is dropped. */
    public AeronTransportContext clusterId(final int clusterId)
    {
        checkNotConcluded();
        this.clusterId = clusterId;
        return this;
    }

    public int clusterId()
    {
        return clusterId;
    }

    /**
     * Every member of the cluster, this one included: member id to {@code host:port} (UDP mode). In IPC mode only
     * the ids matter; the endpoints are ignored. Frames from a member not listed here are dropped.
     */
    public AeronTransportContext memberEndpoints(final Map<Integer, String> memberEndpoints)
    {
        checkNotConcluded();
        this.memberEndpoints = memberEndpoints;
        return this;
    }

    /** Sorted by member id once concluded. */
    public Map<Integer, String> memberEndpoints()
    {
        return memberEndpoints;
    }

    public AeronTransportContext channelMode(final ChannelMode channelMode)
    {
        checkNotConcluded();
        this.channelMode = channelMode;
        return this;
    }

    public ChannelMode channelMode()
    {
        return channelMode;
    }

    /** UDP: the stream every member listens on. IPC: member m listens on {@code streamId + m}. */
    public AeronTransportContext streamId(final int streamId)
    {
        checkNotConcluded();
        this.streamId = streamId;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    /** The stream member {@code memberId} listens on. */
    public int streamIdOf(final int memberId)
    {
        return ChannelMode.IPC == channelMode ? streamId + memberId : streamId;
    }

    /**
     * True (default): the transport launches and owns its media driver. False: it connects to the driver running
     * in {@link #aeronDirectoryName}, which the caller owns.
     */
    public AeronTransportContext embeddedDriver(final boolean embeddedDriver)
    {
        checkNotConcluded();
        this.embeddedDriver = embeddedDriver;
        return this;
    }

    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    /**
     * The media driver's directory. Embedded driver: defaults to a name under /dev/shm unique to this member and
     * process (the directory is deleted on start and on shutdown, and those that crashed runs of this member left
     * are deleted when the transport starts: {@link DriverDirectories}). External driver: required.
     */
    public AeronTransportContext aeronDirectoryName(final String aeronDirectoryName)
    {
        checkNotConcluded();
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Idle strategy of the transport's one thread, which runs the embedded driver, the Aeron client's conductor and
     * the receiver; default {@link #defaultIdleStrategy()}.
     */
    public AeronTransportContext idleStrategySupplier(final Supplier<IdleStrategy> supplier)
    {
        checkNotConcluded();
        this.idleStrategySupplier = supplier;
        return this;
    }

    public Supplier<IdleStrategy> idleStrategySupplier()
    {
        return idleStrategySupplier;
    }

    /** Term length of every publication this member creates (power of two); bounds {@link #maxMessageSize}. */
    public AeronTransportContext termBufferLength(final int termBufferLength)
    {
        checkNotConcluded();
        this.termBufferLength = termBufferLength;
        return this;
    }

    public int termBufferLength()
    {
        return termBufferLength;
    }

    /**
     * Largest encoded peer message sent or accepted (without the authentication trailer); larger ones are dropped and
     * counted. Default and upper bound: min(termBufferLength / 8, 16 MiB) less {@link #trailerLength()}. Raft's maxBytesPerAppend plus maxEntryBytes must fit, or a follower that
     * needs such an append can never get it.
     */
    public AeronTransportContext maxMessageSize(final int maxMessageSize)
    {
        checkNotConcluded();
        this.maxMessageSize = maxMessageSize;
        return this;
    }

    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    public AeronTransportContext fragmentLimit(final int fragmentLimit)
    {
        checkNotConcluded();
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /** UDP: so-sndbuf of publications and so-rcvbuf of the subscription. */
    public AeronTransportContext socketBufferLength(final int socketBufferLength)
    {
        checkNotConcluded();
        this.socketBufferLength = socketBufferLength;
        return this;
    }

    public int socketBufferLength()
    {
        return socketBufferLength;
    }

    /**
     * UDP: how many bytes a peer may send ahead of this member's consumption (Aeron's rcv-wnd). Default:
     * min({@link #DEFAULT_RECEIVER_WINDOW_LENGTH}, socketBufferLength, termBufferLength / 2).
     */
    public AeronTransportContext receiverWindowLength(final int receiverWindowLength)
    {
        checkNotConcluded();
        this.receiverWindowLength = receiverWindowLength;
        return this;
    }

    public int receiverWindowLength()
    {
        return receiverWindowLength;
    }

    /**
     * Largest datagram of a publication (0: Aeron's default, 1408, safe on any network). Loopback or a jumbo-frame
     * network can take more, which cuts the per-fragment cost of big appends.
     */
    public AeronTransportContext mtuLength(final int mtuLength)
    {
        checkNotConcluded();
        this.mtuLength = mtuLength;
        return this;
    }

    public int mtuLength()
    {
        return mtuLength;
    }

    @Override
    public String toString()
    {
        return "AeronTransportContext{memberId=" + memberId + ", clusterId=" + clusterId + ", members=" +
            memberEndpoints + ", mode=" + channelMode + ", streamId=" + streamId + ", embeddedDriver=" +
            embeddedDriver + ", dir=" + aeronDirectoryName + ", termBufferLength=" + termBufferLength +
            ", maxMessageSize=" + maxMessageSize + ", " + (insecure ? "insecure" : "authenticated") + "}";
    }
}
