/*
 * ringraft
 */
package io.ringraft.tools.perf;

import java.util.concurrent.CompletableFuture;

/**
 * What a load is sent to: one client connection (ringraft's {@link KvLoadTarget}, or a baseline system's client in
 * the benchmarks module). {@link LoadRun} calls {@link #send} from one thread per target; the future may complete on
 * any thread, and must not be completed on the sending thread while {@link #send} blocks.
 */
public interface LoadTarget extends AutoCloseable
{
    /** Sends one request; the future completes when its answer arrives, exceptionally when it failed. */
    CompletableFuture<?> send(Operation op, byte[] key, byte[] value);

    /** A short name of the kind of failure {@code error} is, for the "errors by kind" count. */
    default String errorKind(final Throwable error)
    {
        return error.getClass().getSimpleName();
    }

    @Override
    void close();
}
