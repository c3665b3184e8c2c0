/*
 * ringraft
 */
package io.ringraft.tools.perf;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.client.KvException;

import java.util.concurrent.CompletableFuture;

/**
 * One {@link KvClient} (its own media driver and thread) loaded through the public async API. A CAS expects the
 * value the load puts, so it succeeds on a key a PUT of this run wrote and reports a mismatch (not an error) else.
 */
public final class KvLoadTarget implements LoadTarget
{
    private final KvClient client;

    public KvLoadTarget(final KvClient client)
    {
        this.client = client;
    }

    @Override
    public CompletableFuture<?> send(final Operation op, final byte[] key, final byte[] value)
    {
        return switch (op)
        {
            case PUT -> client.putAsync(key, value);
            case GET -> client.getAsync(key);
            case DELETE -> client.deleteAsync(key);
            case CAS -> client.compareAndSetAsync(key, value, value);
        };
    }

    /** The status the deciding member answered (TIMEOUT when none did), else the exception's class. */
    @Override
    public String errorKind(final Throwable error)
    {
        if (error instanceof KvException kv && null != kv.status())
        {
            return kv.status();
        }
        return error.getClass().getSimpleName();
    }

    @Override
    public void close()
    {
        client.close();
    }
}
