package io.ringraft.daemon.client;

import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.codecs.FrameCheck;
import io.ringraft.codecs.Frames;
import io.ringraft.codecs.sbe.AdminAction;
import io.ringraft.codecs.sbe.AdminResponseDecoder;
import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.daemon.config.ClusterConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin protocol's client: asks members by their client endpoint, over a {@link KvClient}'s connections (one
 * media driver, one response subscription, the same Connect and answer path as KV requests). It may be kept open
 * across members' restarts: a restarted member forgot the client's connection and drops what comes on it, so a
 * request that gets no answer in time makes the next one to that member connect again.
 */
public final class AdminClient implements AdminChannel
{
    private final KvClient client;
    private final Map<String, Integer> linkOf = new LinkedHashMap<>();

    private AdminClient(final KvClient client, final Map<String, Integer> linkOf)
    {
        this.client = client;
        this.linkOf.putAll(linkOf);
    }

    /**
     * @param clusterId    the cluster's id: members refuse a connection of another cluster.
     * @param endpoints    the members' client endpoints, {@code host:port}.
     * @param responseHost this host's address the members answer to, or null to choose (see ResponseHost).
     * @param timeout      how long one request may wait for its answer.
     * @param key          the client key frames are signed with, or null when {@code insecure}.
     * @param insecure     the members run with {@code security = insecure}: frames are neither signed nor checked.
     */
    public static AdminClient connect(
        final int clusterId, final List<String> endpoints, final String responseHost, final Duration timeout,
        final FrameAuthenticator key, final boolean insecure)
    {
        final Map<Integer, String> byLink = new LinkedHashMap<>();
        final Map<String, Integer> linkOf = new LinkedHashMap<>();
        int link = 0;
        for (final String endpoint : endpoints)
        {
            if (!linkOf.containsKey(endpoint))
            {
                // Link ids only key the client's connections: the members' own ids come back in their answers.
                byLink.put(link, endpoint);
                linkOf.put(endpoint, link++);
            }
        }
        final ClusterConfig cluster = new ClusterConfig(clusterId, byLink, byLink, 1);
        final KvClientOptions options = new KvClientOptions(cluster).requestTimeout(timeout).attemptTimeout(timeout)
            .authenticator(key).insecure(insecure);
        if (null != responseHost)
        {
            options.responseHost(responseHost);
        }
        return new AdminClient(KvClient.connect(options), linkOf);
    }

    @Override
    public AdminReply request(
        final String clientEndpoint, final AdminAction action, final int groupId, final int memberId,
        final String peerEndpoint, final Duration timeout) throws UnreachableException
    {
        final Integer link = linkOf.get(clientEndpoint);
        if (null == link)
        {
            throw new IllegalArgumentException("endpoint " + clientEndpoint + " is not among " + linkOf.keySet());
        }
        final byte[] frame;
        try
        {
            frame = client.adminAsync(link, action, groupId, memberId, peerEndpoint)
                .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new UnreachableException(null == ex.getCause() ? ex.toString() : ex.getCause().getMessage());
        }
        catch (final TimeoutException ex)
        {
            throw new UnreachableException("the member at " + clientEndpoint + " gave no answer within " +
                timeout.toMillis() + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted");
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        if (FrameCheck.OK != Frames.validate(buffer, 0, frame.length) ||
            new MessageHeaderDecoder().wrap(buffer, 0).templateId() != AdminResponseDecoder.TEMPLATE_ID)
        {
            throw new UnreachableException("the member at " + clientEndpoint + " answered with something that is not " +
                "an AdminResponse: is it a member of this release?");
        }
        return AdminReply.decode(buffer, 0);
    }

    @Override
    public void close()
    {
        client.close();
    }
}
