package io.ringraft.transport.sim;

import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.FrameLayout;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.SchemaLayouts;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.codecs.sbe.PeerHeaderDecoder;
import io.ringraft.raft.Message;
import io.ringraft.transport.InboundFrameHandler;
import io.ringraft.wire.PeerMessageCodec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A network for the deterministic simulator: every member's {@link SimTransport} encodes a message with the real
 * wire codec, the network keeps a copy of the bytes with a delivery time in simulated nanoseconds, and the simulator,
 * which owns the clock, hands due frames to their destinations with {@link #deliverDue}. Each receiver validates a
 * frame with {@link Frames#validatePeer} before its handler sees it, as on Aeron.
 * <p>
 * Faults, switchable at any time by a nemesis: random drop, duplication, latency drawn uniformly from a base range
 * plus occasional long delays (so frames overtake each other), partitions (symmetric, one-way, bridge, isolation) and
 * corruption of a frame's bytes. A cut link is checked when a frame is sent and again when it is due, so a partition
 * also catches frames in flight. A frame already on the wire when its sender crashes is still delivered, as a UDP
 * datagram would be.
 * <p>
 * Everything follows from the {@link Random} and the order of calls: no wall clock, no thread, no hash iteration
 * order; frames due at the same time go in the order they were sent. The public methods are synchronized only so that
 * a test may also run real nodes on their own threads over this network; the simulator calls them from one thread.
 */
public final class SimNetwork
{
    /** Frames due at the same nanosecond leave in send order: the sequence breaks the tie. */
    private static final Comparator<Frame> DUE_ORDER =
        Comparator.<Frame>comparingLong(frame -> frame.dueNs).thenComparingLong(frame -> frame.sequence);

    private static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    private static final int DEFAULT_TRACE_CAPACITY = 256;

    private final Random random;
    private final TreeSet<Integer> members = new TreeSet<>();
    private final TreeMap<Integer, SimTransport> endpoints = new TreeMap<>();
    private final Set<Long> cutLinks = new HashSet<>();
    private final PriorityQueue<Frame> inFlight = new PriorityQueue<>(DUE_ORDER);
    private final PeerMessageCodec traceCodec = new PeerMessageCodec();
    private final Message traceMessage = new Message();
    private final StringBuilder traceLine = new StringBuilder(256);

    private long nowNs;
    private long sequence;

    private double dropRate;
    private double duplicateRate;
    private double corruptRate;
    private double longDelayRate;
    private long minLatencyNs = 100_000;
    private long maxLatencyNs = 1_000_000;
    private long longDelayMaxNs = 50_000_000;

    private long sent;
    private long dropped;
    private long duplicated;
    private long corrupted;
    private long rejected;
    private long delivered;

    private TraceEvent[] trace = newTrace(DEFAULT_TRACE_CAPACITY);
    private long traceCount;
    private Consumer<String> traceListener;

    /**
     * @param random    the simulator's seeded source; the network draws from it on every send.
     * @param memberIds the members at the start; {@link #transport} adds one that joins later.
     */
    public SimNetwork(final Random random, final int... memberIds)
    {
        this.random = random;
        for (final int memberId : memberIds)
        {
            members.add(memberId);
        }
    }

    // ---- endpoints

    /** {@link #transport(int, int)} for cluster id 0. */
    public SimTransport transport(final int memberId)
    {
        return transport(memberId, 0);
    }

    /**
     * A new endpoint for {@code memberId}, which replaces (and closes) the member's previous one: a restarted member
     * gets a new transport, and frames still in flight to it reach the new one once it is started.
     *
     * @param clusterId what the endpoint's receiver accepts.
     */
    public synchronized SimTransport transport(final int memberId, final int clusterId)
    {
        members.add(memberId);
        final SimTransport previous = endpoints.get(memberId);
        if (null != previous && previous.markClosed())
        {
            note("m" + memberId + " transport replaced (the old one is closed)");
        }
        final SimTransport transport = new SimTransport(this, memberId, clusterId);
        endpoints.put(memberId, transport);
        return transport;
    }

    synchronized void closed(final SimTransport transport)
    {
        if (transport.markClosed() && endpoints.get(transport.memberId()) == transport)
        {
            endpoints.remove(transport.memberId());
            note("m" + transport.memberId() + " transport closed");
        }
    }

    // ---- the clock

    public synchronized long nowNs()
    {
        return nowNs;
    }

    /** Moves the network's clock, from which a sent frame's delivery time is counted; it never goes back. */
    public synchronized void advanceTo(final long timeNs)
    {
        if (timeNs < nowNs)
        {
            throw new IllegalArgumentException("time goes back: " + timeNs + "ns < now " + nowNs + "ns");
        }
        nowNs = timeNs;
    }

    /** @return when the earliest frame in flight is due, or {@link Long#MAX_VALUE} when none is. */
    public synchronized long nextDeliveryTimeNs()
    {
        final Frame head = inFlight.peek();
        return null == head ? Long.MAX_VALUE : head.dueNs;
    }

    public synchronized int inFlight()
    {
        return inFlight.size();
    }

    /**
     * Advances the clock to {@code timeNs} and delivers, in order of due time then send order, every frame due by
     * then, including frames that handlers send during this call if they fall due by then.
     *
     * @return the frames handed to a handler (not those dropped or rejected).
     */
    public synchronized int deliverDue(final long timeNs)
    {
        advanceTo(timeNs);
        int count = 0;
        Frame frame;
        while (null != (frame = inFlight.peek()) && frame.dueNs <= timeNs)
        {
            inFlight.poll();
            if (deliver(frame))
            {
                count++;
            }
        }
        return count;
    }

    // ---- faults

    /** Each frame is lost with this probability when sent. */
    public synchronized SimNetwork dropRate(final double rate)
    {
        dropRate = probability("drop rate", rate);
        note("drop rate " + rate);
        return this;
    }

    /** Each frame that is not dropped arrives twice with this probability, the copy with its own delay. */
    public synchronized SimNetwork duplicateRate(final double rate)
    {
        duplicateRate = probability("duplicate rate", rate);
        note("duplicate rate " + rate);
        return this;
    }

    /**
     * Each frame is damaged with this probability so that validation must reject it: one bit of the schema id or
     * the cluster id flipped, or the frame cut short. Peer frames carry no checksum, so a flip elsewhere would reach
     * Raft as another, valid message, which no implementation without a checksum survives; these are the faults a
     * receiver must catch.
     */
    public synchronized SimNetwork corruptRate(final double rate)
    {
        corruptRate = probability("corrupt rate", rate);
        note("corrupt rate " + rate);
        return this;
    }

    /**
     * Base latency of every frame, uniform in {@code [minNs, maxNs]} (0.1..1 ms by default); at least 1 ns, so that a
     * reply is never due in the same instant as the frame it answers and {@link #deliverDue} always ends.
     */
    public synchronized SimNetwork latency(final long minNs, final long maxNs)
    {
        if (minNs < 1 || maxNs < minNs)
        {
            throw new IllegalArgumentException(
                "latency must satisfy 1 <= min <= max, got min=" + minNs + "ns max=" + maxNs + "ns");
        }
        minLatencyNs = minNs;
        maxLatencyNs = maxNs;
        note("latency " + minNs / 1000 + ".." + maxNs / 1000 + "us");
        return this;
    }

    /** With probability {@code rate} a frame is held for an extra delay uniform in {@code [0, maxExtraNs]}. */
    public synchronized SimNetwork longDelays(final double rate, final long maxExtraNs)
    {
        if (maxExtraNs < 0)
        {
            throw new IllegalArgumentException("long delay must be >= 0, got " + maxExtraNs + "ns");
        }
        longDelayRate = probability("long delay rate", rate);
        longDelayMaxNs = maxExtraNs;
        note("long delays rate " + rate + " up to " + maxExtraNs / 1000 + "us");
        return this;
    }

    /** Cuts both directions between {@code sideA} and every other member. */
    public synchronized void partition(final int... sideA)
    {
        final TreeSet<Integer> a = set(sideA);
        for (final int other : members)
        {
            if (!a.contains(other))
            {
                for (final int member : a)
                {
                    cut(member, other);
                    cut(other, member);
                }
            }
        }
        note("partition " + a + " | rest");
    }

    /** Cuts both directions between every member of {@code sideA} and every member of {@code sideB}. */
    public synchronized void partition(final int[] sideA, final int[] sideB)
    {
        cutBetween(sideA, sideB);
        note("partition " + set(sideA) + " | " + set(sideB));
    }

    /** Cuts {@code from -> to} only: {@code to} still reaches {@code from}. */
    public synchronized void cutOneWay(final int from, final int to)
    {
        cut(from, to);
        note("cut m" + from + " -> m" + to + " (one way)");
    }

    /**
     * Two halves that reach each other only through {@code bridgeMember}, which talks to both: every link between
     * {@code left} and {@code right} is cut both ways.
     */
    public synchronized void bridge(final int[] left, final int bridgeMember, final int[] right)
    {
        if (set(left).contains(bridgeMember) || set(right).contains(bridgeMember))
        {
            throw new IllegalArgumentException("bridge member " + bridgeMember + " must be in neither half");
        }
        cutBetween(left, right);
        note("bridge " + set(left) + " <-> m" + bridgeMember + " <-> " + set(right));
    }

    /** Cuts {@code memberId} off from every other member, both ways. */
    public synchronized void isolate(final int memberId)
    {
        for (final int other : members)
        {
            if (other != memberId)
            {
                cut(memberId, other);
                cut(other, memberId);
            }
        }
        note("isolate m" + memberId);
    }

    /** Restores every link; the other faults stay as they are. */
    public synchronized void heal()
    {
        cutLinks.clear();
        note("heal");
    }

    /**
     * For a liveness phase: heals every link and stops drops, duplicates, corruption and long delays; the base
     * latency stays. Frames already in flight still arrive (late ones included).
     */
    public synchronized void calm()
    {
        cutLinks.clear();
        dropRate = 0;
        duplicateRate = 0;
        corruptRate = 0;
        longDelayRate = 0;
        note("calm");
    }

    public synchronized boolean isCut(final int from, final int to)
    {
        return cutLinks.contains(link(from, to));
    }

    /** The current faults, for a failing seed's report. */
    public synchronized String describeFaults()
    {
        final StringBuilder sb = new StringBuilder()
            .append("latency=").append(minLatencyNs / 1000).append("..").append(maxLatencyNs / 1000).append("us")
            .append(" drop=").append(dropRate).append(" duplicate=").append(duplicateRate)
            .append(" corrupt=").append(corruptRate)
            .append(" longDelay=").append(longDelayRate).append(" up to ").append(longDelayMaxNs / 1000).append("us")
            .append(" cut=[");
        boolean first = true;
        for (final int from : members)
        {
            for (final int to : members)
            {
                if (cutLinks.contains(link(from, to)))
                {
                    sb.append(first ? "" : " ").append(from).append("->").append(to);
                    first = false;
                }
            }
        }
        return sb.append(']').toString();
    }

    // ---- counters (the whole network; each transport counts its own too)

    public synchronized long sent()
    {
        return sent;
    }

    public synchronized long dropped()
    {
        return dropped;
    }

    public synchronized long duplicated()
    {
        return duplicated;
    }

    public synchronized long corrupted()
    {
        return corrupted;
    }

    public synchronized long rejected()
    {
        return rejected;
    }

    public synchronized long delivered()
    {
        return delivered;
    }

    // ---- trace

    /** Keeps the last {@code capacity} events for {@link #recentEvents()} (256 by default); clears what was kept. */
    public synchronized SimNetwork traceCapacity(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("trace capacity must be >= 1, got " + capacity);
        }
        trace = newTrace(capacity);
        traceCount = 0;
        return this;
    }

    /** Also hands every event, formatted, to {@code listener} as it happens (null for none). */
    public synchronized SimNetwork traceListener(final Consumer<String> listener)
    {
        traceListener = listener;
        return this;
    }

    /**
     * The last events, oldest first, one line each, e.g.
     * {@code t=12.345ms m1->m2 APPEND{g=0 1->2 t=3 ...} dropped (partition, in flight)}.
     * Frames are decoded only here, so keeping the trace costs no formatting while the simulation runs.
     */
    public synchronized List<String> recentEvents()
    {
        final int kept = (int)Math.min(traceCount, trace.length);
        final List<String> lines = new ArrayList<>(kept);
        for (long i = traceCount - kept; i < traceCount; i++)
        {
            lines.add(format(trace[(int)(i % trace.length)]));
        }
        return lines;
    }

    // ---- sending and delivering

    /** @return false when the sender's transport is not started or already closed. */
    synchronized boolean send(final SimTransport sender, final Message message)
    {
        if (!sender.isOpen())
        {
            sender.dropped++;
            dropped++;
            note("m" + sender.memberId() + "->m" + message.to + " " + message.type + " refused: transport not open");
            return false;
        }
        final byte[] bytes = sender.encode(message);
        final int from = sender.memberId();
        final int to = message.to;
        sent++;
        sender.sent++;
        if (cutLinks.contains(link(from, to)))
        {
            drop(sender, from, to, bytes, "dropped (partition)");
            return true;
        }
        if (dropRate > 0 && random.nextDouble() < dropRate)
        {
            drop(sender, from, to, bytes, "dropped (random)");
            return true;
        }
        final Frame frame = schedule(from, to, corruptRate > 0 && random.nextDouble() < corruptRate ?
            corrupt(from, to, bytes) : bytes);
        record(Kind.SENT, from, to, bytes, frame.dueNs, null);
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate)
        {
            final Frame copy = schedule(from, to, frame.bytes);
            duplicated++;
            sender.duplicated++;
            record(Kind.DUPLICATED, from, to, bytes, copy.dueNs, null);
        }
        return true;
    }

    private Frame schedule(final int from, final int to, final byte[] bytes)
    {
        long delay = minLatencyNs + (maxLatencyNs > minLatencyNs ? random.nextLong(maxLatencyNs - minLatencyNs + 1) : 0);
        if (longDelayRate > 0 && random.nextDouble() < longDelayRate)
        {
            delay += random.nextLong(longDelayMaxNs + 1);
        }
        final Frame frame = new Frame(from, to, bytes, nowNs + delay, sequence++);
        inFlight.add(frame);
        return frame;
    }

    private byte[] corrupt(final int from, final int to, final byte[] original)
    {
        final byte[] bytes = original.clone();
        final String what;
        final int choice = random.nextInt(3);
        if (0 == choice)
        {
            final int bit = random.nextInt(16);
            bytes[SCHEMA_ID_OFFSET + bit / 8] ^= (byte)(1 << (bit % 8));
            what = "corrupted (bit " + bit + " of the schema id)";
        }
        else if (1 == choice)
        {
            final int templateId = Frames.templateId(new UnsafeBuffer(original), 0);
            final FrameLayout layout = SchemaLayouts.forTemplate(templateId);
            final int clusterIdOffset =
                Frames.HEADER_LENGTH + layout.peerHeaderOffset() + PeerHeaderDecoder.clusterIdEncodingOffset();
            final int bit = random.nextInt(32);
            bytes[clusterIdOffset + bit / 8] ^= (byte)(1 << (bit % 8));
            what = "corrupted (bit " + bit + " of the cluster id)";
        }
        else
        {
            final int cut = 1 + random.nextInt(bytes.length - 1);
            corrupted++;
            record(Kind.NOTE, from, to, original, 0, "corrupted (last " + cut + " bytes cut)");
            return Arrays.copyOf(bytes, bytes.length - cut);
        }
        corrupted++;
        record(Kind.NOTE, from, to, original, 0, what);
        return bytes;
    }

    private boolean deliver(final Frame frame)
    {
        final SimTransport sender = endpoints.get(frame.from);
        if (cutLinks.contains(link(frame.from, frame.to)))
        {
            drop(sender, frame.from, frame.to, frame.bytes, "dropped (partition, in flight)");
            return false;
        }
        final SimTransport target = endpoints.get(frame.to);
        final InboundFrameHandler handler = null == target ? null : target.handler();
        if (null == handler)
        {
            drop(sender, frame.from, frame.to, frame.bytes, "dropped (m" + frame.to + " down)");
            return false;
        }
        final UnsafeBuffer view = new UnsafeBuffer(frame.bytes);
        final int check = Frames.validatePeer(view, 0, frame.bytes.length, target.clusterId());
        if (FrameCheck.OK != check)
        {
            rejected++;
            target.rejected++;
            record(Kind.REJECTED, frame.from, frame.to, frame.bytes, 0, FrameCheck.describe(check));
            return false;
        }
        delivered++;
        target.delivered++;
        record(Kind.DELIVERED, frame.from, frame.to, frame.bytes, 0, null);
        handler.onFrame(view, 0, frame.bytes.length);
        return true;
    }

    private void drop(final SimTransport sender, final int from, final int to, final byte[] bytes, final String why)
    {
        dropped++;
        if (null != sender && sender.memberId() == from)
        {
            sender.dropped++;
        }
        record(Kind.DROPPED, from, to, bytes, 0, why);
    }

    private void cut(final int from, final int to)
    {
        cutLinks.add(link(from, to));
    }

    private void cutBetween(final int[] sideA, final int[] sideB)
    {
        for (final int a : sideA)
        {
            for (final int b : sideB)
            {
                cut(a, b);
                cut(b, a);
            }
        }
    }

    private static long link(final int from, final int to)
    {
        return ((long)from << 32) | (to & 0xFFFF_FFFFL);
    }

    private static TreeSet<Integer> set(final int[] ids)
    {
        final TreeSet<Integer> set = new TreeSet<>();
        for (final int id : ids)
        {
            set.add(id);
        }
        return set;
    }

    private static double probability(final String name, final double rate)
    {
        if (!(rate >= 0 && rate <= 1))
        {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + rate);
        }
        return rate;
    }

    private void note(final String text)
    {
        record(Kind.NOTE, 0, 0, null, 0, text);
    }

    private void record(
        final Kind kind, final int from, final int to, final byte[] bytes, final long dueNs, final String detail)
    {
        final TraceEvent event = trace[(int)(traceCount++ % trace.length)];
        event.kind = kind;
        event.timeNs = nowNs;
        event.from = from;
        event.to = to;
        event.bytes = bytes;
        event.dueNs = dueNs;
        event.detail = detail;
        if (null != traceListener)
        {
            traceListener.accept(format(event));
        }
    }

    private String format(final TraceEvent event)
    {
        final StringBuilder sb = traceLine;
        sb.setLength(0);
        sb.append("t=");
        appendMillis(sb, event.timeNs);
        if (null == event.bytes)
        {
            return sb.append(" network: ").append(event.detail).toString();
        }
        sb.append(" m").append(event.from).append("->m").append(event.to).append(' ');
        appendFrame(sb, event.bytes);
        switch (event.kind)
        {
            case SENT -> appendMillis(sb.append(" sent, due t="), event.dueNs);
            case DUPLICATED -> appendMillis(sb.append(" duplicated, copy due t="), event.dueNs);
            case DELIVERED -> sb.append(" delivered");
            case REJECTED -> sb.append(" rejected by m").append(event.to).append(": ").append(event.detail);
            default -> sb.append(' ').append(event.detail);
        }
        return sb.toString();
    }

    private void appendFrame(final StringBuilder sb, final byte[] bytes)
    {
        final DirectBuffer buffer = new UnsafeBuffer(bytes);
        final int check = Frames.validate(buffer, 0, bytes.length);
        if (FrameCheck.OK != check || !Frames.isPeerTemplate(Frames.templateId(buffer, 0)))
        {
            sb.append("<damaged frame, ").append(bytes.length).append(" bytes: ")
                .append(FrameCheck.OK == check ? "not a peer message" : FrameCheck.describe(check)).append('>');
            return;
        }
        traceMessage.reset();
        traceCodec.decode(buffer, 0, traceMessage);
        sb.append(traceMessage);
    }

    private static void appendMillis(final StringBuilder sb, final long ns)
    {
        final long micros = ns / 1000;
        sb.append(micros / 1000).append('.');
        final long fraction = micros % 1000;
        if (fraction < 100)
        {
            sb.append('0');
        }
        if (fraction < 10)
        {
            sb.append('0');
        }
        sb.append(fraction).append("ms");
    }

    private static TraceEvent[] newTrace(final int capacity)
    {
        final TraceEvent[] events = new TraceEvent[capacity];
        for (int i = 0; i < capacity; i++)
        {
            events[i] = new TraceEvent();
        }
        return events;
    }

    private enum Kind
    {
        SENT, DUPLICATED, DROPPED, REJECTED, DELIVERED, NOTE
    }

    private static final class TraceEvent
    {
        Kind kind;
        long timeNs;
        int from;
        int to;
        byte[] bytes;
        long dueNs;
        String detail;
    }

    private static final class Frame
    {
        final int from;
        final int to;
        final byte[] bytes;
        final long dueNs;
        final long sequence;

        Frame(final int from, final int to, final byte[] bytes, final long dueNs, final long sequence)
        {
            this.from = from;
            this.to = to;
            this.bytes = bytes;
            this.dueNs = dueNs;
            this.sequence = sequence;
        }
    }
}
