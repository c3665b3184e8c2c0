package io.ringraft.daemon.server;

import io.ringraft.daemon.client.KvClient;
import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;
import io.ringraft.daemon.config.DaemonConfig;

import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three members of {@link ClusterFiles} as {@link KvDaemon}s in this JVM (UDP on loopback, a media driver each)
 * and a client of them; closing checks that every member deleted its driver directory.
 */
final class InJvmDaemons implements AutoCloseable
{
    final ClusterFiles files;
    /** By member id; a test may close and replace one to restart it. */
    final Map<Integer, KvDaemon> daemons = new HashMap<>();
    final KvClient client;

    private InJvmDaemons(final Path root, final int groups) throws Exception
    {
        files = new ClusterFiles(root, groups);
        for (final int member : ClusterFiles.MEMBERS)
        {
            daemons.put(member, KvDaemon.start(DaemonConfig.load(files.configOf(member))));
        }
        client = KvClient.connect(ClientConfig.load(files.configOf(1)));
    }

    static InJvmDaemons start(final Path root, final int groups) throws Exception
    {
        return new InJvmDaemons(root, groups);
    }

    @Override
    public void close()
    {
        client.close();
        daemons.values().forEach(KvDaemon::close);
        for (final int member : ClusterFiles.MEMBERS)
        {
            assertThat(new File(files.aeronDirOf(member))).doesNotExist();
        }
    }
}
