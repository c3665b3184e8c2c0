/*
 * ringraft
 */
package io.ringraft.tools.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a {@link LoadShape} to one or more {@link LoadTarget}s, one sending thread each, and measures it.
 * <p>
 * Closed loop ({@code throughput} -1): each sender keeps {@code window} requests in flight and a request's latency
 * runs from its send to its answer. Open loop (a fixed rate): request i of a sender is due at start + i / rate, and
 * its latency runs from that due time, not from when it was actually sent: when the system stalls, the requests
 * that should have gone out meanwhile count the stall too, instead of being quietly sent late and measured as fast
 * (coordinated omission). The window still caps what is in flight, so a stall does not pile up unbounded requests.
 * <p>
 * Latencies go into an HdrHistogram {@link Recorder} from whichever thread completes a request; the caller's thread
 * takes an interval histogram every progress interval, hands it to {@code intervals} (e.g. a histogram log) and
 * reports progress.
 */
public final class LoadRun
{
    /** What has happened so far, reported every progress interval. */
    public record Progress(
        long elapsedNs, boolean warmingUp, long records, double recordsPerSecond, double megabytesPerSecond,
        Histogram latencyNsSoFar, Map<String, Long> errors, long warmupErrors)
    {
    }

    private static final long SPIN_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private final LoadShape shape;
    private final List<? extends LoadTarget> targets;
    private final Duration progressInterval;
    private final Duration drainTimeout;
    private final Consumer<Progress> progress;
    private final Consumer<Histogram> intervals;
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder warmupErrors = new LongAdder();
    private final LongAdder measured = new LongAdder();
    private final LongAdder completedAll = new LongAdder();
    private final AtomicLong lastCompletionNs = new AtomicLong(Long.MIN_VALUE);
    private final byte[][] keys;
    private final byte[] value;
    private volatile boolean abort;
    private long startNs;
    private long measureStartNs;
    private long measureEndNs;

    /**
     * @param drainTimeout how long the senders wait at the end for answers still outstanding (the request budget and
     *                     a margin); a request still unanswered then counts as an error "unanswered".
     * @param progress     called on the caller's thread every {@code progressInterval}.
     * @param intervals    each interval histogram (ns, with start and end time stamps), or null.
     */
    public LoadRun(
        final LoadShape shape, final List<? extends LoadTarget> targets, final Duration progressInterval,
        final Duration drainTimeout, final Consumer<Progress> progress, final Consumer<Histogram> intervals)
    {
        this.shape = shape;
        this.targets = targets;
        this.progressInterval = progressInterval;
        this.drainTimeout = drainTimeout;
        this.progress = progress;
        this.intervals = intervals;
        keys = new byte[shape.keys()][];
        for (int k = 0; k < keys.length; k++)
        {
            keys[k] = ("perf-" + k).getBytes(StandardCharsets.US_ASCII);
        }
        value = new byte[shape.recordSize()];
        new SplittableRandom(42).nextBytes(value);
    }

    public LoadResult run() throws InterruptedException
    {
        startNs = System.nanoTime();
        measureStartNs = startNs + shape.warmup().toNanos();
        measureEndNs = shape.records() > 0 ? Long.MAX_VALUE : measureStartNs + shape.duration().toNanos();
        final int n = targets.size();
        final List<Thread> threads = new ArrayList<>();
        final List<Sender> senders = new ArrayList<>();
        for (int t = 0; t < n; t++)
        {
            final long share = shape.records() / n + (t < shape.records() % n ? 1 : 0);
            final Sender sender = new Sender(targets.get(t), share, shape.openLoop() ? 1e9 * n / shape.throughput() : 0,
                new SplittableRandom(1000L + t));
            senders.add(sender);
            final Thread thread = new Thread(sender, "perf-sender-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        final long intervalNs = progressInterval.toNanos();
        long nextProgressNs = startNs + intervalNs;
        long completedAtLastProgress = 0;
        long lastProgressNs = startNs;
        Histogram interval = null;
        try
        {
            for (final Thread thread : threads)
            {
                while (thread.isAlive())
                {
                    final long waitNs = nextProgressNs - System.nanoTime();
                    if (waitNs > 0)
                    {
                        TimeUnit.NANOSECONDS.timedJoin(thread, waitNs);
                        continue;
                    }
                    final long nowNs = System.nanoTime();
                    interval = takeInterval(interval);
                    final long completed = completedAll.sum();
                    final double rate = (completed - completedAtLastProgress) * 1e9 / (nowNs - lastProgressNs);
                    completedAtLastProgress = completed;
                    lastProgressNs = nowNs;
                    progress.accept(new Progress(nowNs - startNs, nowNs - measureStartNs < 0, measured.sum(), rate,
                        rate * shape.recordSize() / 1e6, total, errorsSoFar(), warmupErrors.sum()));
                    nextProgressNs += intervalNs * Math.max(1, (nowNs - nextProgressNs) / intervalNs + 1);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            abort = true;
            throw ex;
        }
        takeInterval(interval);
        for (final Sender sender : senders)
        {
            if (sender.unanswered > 0)
            {
                errors.computeIfAbsent("unanswered", k -> new LongAdder()).add(sender.unanswered);
                measured.add(sender.unanswered);
            }
        }
        final long last = lastCompletionNs.get();
        final long elapsedNs = Long.MIN_VALUE == last ? 0 : Math.max(0, last - measureStartNs);
        return new LoadResult(measured.sum(), errorsSoFar(), elapsedNs, total.copy(), shape.recordSize());
    }

    private Histogram takeInterval(final Histogram recycle)
    {
        final Histogram interval = recorder.getIntervalHistogram(recycle);
        total.add(interval);
        if (null != intervals)
        {
            intervals.accept(interval);
        }
        return interval;
    }

    private Map<String, Long> errorsSoFar()
    {
        final Map<String, Long> snapshot = new TreeMap<>();
        errors.forEach((kind, count) -> snapshot.put(kind, count.sum()));
        return snapshot;
    }

    private static Throwable unwrap(final Throwable error)
    {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) &&
            null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return cause;
    }

    /** One target's sending loop; its requests complete on the target's threads. */
    private final class Sender implements Runnable
    {
        private final LoadTarget target;
        private final long share;
        private final double periodNs;
        private final SplittableRandom random;
        private final Semaphore window = new Semaphore(shape.window());
        private long unanswered;

        Sender(final LoadTarget target, final long share, final double periodNs, final SplittableRandom random)
        {
            this.target = target;
            this.share = share;
            this.periodNs = periodNs;
            this.random = random;
        }

        @Override
        public void run()
        {
            final boolean open = periodNs > 0;
            long sent = 0;
            try
            {
                for (long i = 0; !abort; i++)
                {
                    final long intendedNs = open ? startNs + (long)(i * periodNs) : 0;
                    if (open && !awaitTime(intendedNs))
                    {
                        break;
                    }
                    if (open ? stop(intendedNs, sent) : stop(System.nanoTime(), sent))
                    {
                        break;
                    }
                    if (!acquire())
                    {
                        break;
                    }
                    final long sendNs = System.nanoTime();
                    final long startedNs = open ? intendedNs : sendNs;
                    final boolean counted = startedNs - measureStartNs >= 0;
                    if (counted)
                    {
                        if (stop(startedNs, sent))
                        {
                            window.release();
                            break;
                        }
                        sent++;
                    }
                    send(startedNs, counted);
                }
                drain();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private boolean stop(final long nowNs, final long sent)
        {
            return shape.records() > 0 ? sent >= share : nowNs - measureEndNs >= 0;
        }

        private void send(final long startedNs, final boolean counted)
        {
            final Operation op = shape.mix().pick(random);
            final byte[] key = keys[random.nextInt(keys.length)];
            final CompletableFuture<?> answer;
            try
            {
                answer = target.send(op, key, value);
            }
            catch (final RuntimeException ex)
            {
                complete(startedNs, counted, ex);
                return;
            }
            answer.whenComplete((result, error) -> complete(startedNs, counted, error));
        }

        private void complete(final long startedNs, final boolean counted, final Throwable error)
        {
            final long nowNs = System.nanoTime();
            if (!counted)
            {
                if (null != error)
                {
                    warmupErrors.increment();
                }
            }
            else
            {
                if (null != error)
                {
                    errors.computeIfAbsent(target.errorKind(unwrap(error)), k -> new LongAdder()).increment();
                }
                else
                {
                    recorder.recordValue(Math.max(1, nowNs - startedNs));
                }
                measured.increment();
                lastCompletionNs.accumulateAndGet(nowNs, Math::max);
            }
            completedAll.increment();
            window.release();
        }

        /** Parks, then spins, until {@code dueNs}; @return false when the run was aborted. */
        private boolean awaitTime(final long dueNs)
        {
            long remainingNs;
            while ((remainingNs = dueNs - System.nanoTime()) > 0)
            {
                if (abort)
                {
                    return false;
                }
                if (remainingNs > SPIN_NS)
                {
                    LockSupport.parkNanos(remainingNs - SPIN_NS);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            return !abort;
        }

        private boolean acquire() throws InterruptedException
        {
            while (!abort)
            {
                if (window.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    return true;
                }
            }
            return false;
        }

        /** Waits, bounded, for every request in flight to be answered; counts those that were not. */
        private void drain() throws InterruptedException
        {
            final int all = shape.window();
            if (!window.tryAcquire(all, drainTimeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                unanswered = all - window.availablePermits();
            }
            else
            {
                window.release(all);
            }
        }
    }
}
