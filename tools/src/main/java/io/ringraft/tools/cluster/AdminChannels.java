/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.codecs.FrameAuthenticator;
import io.ringraft.daemon.client.AdminChannel;
import io.ringraft.daemon.client.AdminClient;

/** The production way to reach members' admin service: an {@link AdminClient} (one media driver, one subscription). */
final class AdminChannels
{
    private AdminChannels()
    {
    }

    static AdminChannel open(final ClusterArgs.Targets targets, final ClusterArgs args)
    {
        if (targets.clusterId() < 0)
        {
            throw new ClusterArgs.UsageException("say which cluster: --cluster-id ID, $" + ClusterArgs.CLUSTER_ID_ENV +
                " or --config FILE (members refuse a client of another cluster)");
        }
        final String host = null != args.responseHost ? args.responseHost :
            null != targets.config() ? targets.config().responseHost() : null;
        final FrameAuthenticator key;
        final boolean insecure;
        if (null != args.keyFile)
        {
            key = loadKey(args.keyFile);
            insecure = false;
        }
        else if (null != targets.config() && (null != targets.config().clientAuthenticator() ||
            targets.config().insecure()))
        {
            key = targets.config().clientAuthenticator();
            insecure = targets.config().insecure();
        }
        else if (args.insecure)
        {
            key = null;
            insecure = true;
        }
        else
        {
            throw new ClusterArgs.UsageException("members check every client frame: give the client key " +
                "(--key-file FILE, or --config FILE with secret.file or client.key.file), or --insecure for members " +
                "that run with security = insecure");
        }
        try
        {
            return AdminClient.connect(targets.clusterId(), targets.endpoints(), host, args.timeout, key, insecure);
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            throw new ClusterArgs.UsageException(ex.getMessage());
        }
    }

    /** A client key file, else a cluster secret file (whose client key it is). */
    private static FrameAuthenticator loadKey(final java.nio.file.Path file)
    {
        try
        {
            return ClusterSecret.loadClientKey(file);
        }
        catch (final RuntimeException asClientKey)
        {
            try
            {
                return ClusterSecret.load(file).clientAuthenticator();
            }
            catch (final RuntimeException asSecret)
            {
                throw new ClusterArgs.UsageException("--key-file " + file + ": " + asClientKey.getMessage());
            }
        }
    }
}
