/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import io.ringraft.daemon.client.AdminChannel;

/** The production way to reach members' admin service. */
final class AdminChannels
{
    private AdminChannels()
    {
    }

    static AdminChannel open(final ClusterArgs.Targets targets, final ClusterArgs args)
    {
        throw new ClusterArgs.UsageException("the admin client is not available in this build yet");
    }
}
