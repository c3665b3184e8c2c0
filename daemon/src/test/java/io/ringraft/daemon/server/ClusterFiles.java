package io.ringraft.daemon.server;

import io.ringraft.aeron.LoopbackEndpoints;
import io.ringraft.codecs.ClusterSecret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Config files of a three-member cluster on free loopback ports, one per member, under a test's directory (with the
 * cluster's secret, so members run authenticated as deployed); each
 * member's Aeron directory under /dev/shm with a name unique to the test run, so a test can remove what a killed
 * member left.
 */
final class ClusterFiles
{
    static final int[] MEMBERS = {1, 2, 3};

    final int clusterId = ThreadLocalRandom.current().nextInt(1, 1_000_000);
    final String aeronPrefix = "/dev/shm/ringraft-daemon-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    final Path root;
    final int groups;
    final Map<Integer, String> raftEndpoints;
    final Map<Integer, String> clientEndpoints;

    ClusterFiles(final Path root, final int groups)
    {
        this.root = root;
        this.groups = groups;
        final Map<Integer, String> ports = LoopbackEndpoints.pick(1, 2, 3, 101, 102, 103);
        raftEndpoints = Map.of(1, ports.get(1), 2, ports.get(2), 3, ports.get(3));
        clientEndpoints = Map.of(1, ports.get(101), 2, ports.get(102), 3, ports.get(103));
    }

    Path configOf(final int memberId) throws IOException
    {
        final Path file = root.resolve("member-" + memberId + ".conf");
        if (!Files.exists(file))
        {
            Files.writeString(file, String.join("\n",
                "cluster.id = " + clusterId,
                "member.id = " + memberId,
                "members = " + list(raftEndpoints),
                "client.endpoints = " + list(clientEndpoints),
                "groups = " + groups,
                "data.dir = " + dataDirOf(memberId),
                "aeron.dir = " + aeronDirOf(memberId),
                "request.timeout.ms = 3000",
                "fsync = always",
                "secret.file = " + secretFile(),
                ""));
        }
        return file;
    }

    /** The cluster's key file, made on first use. */
    Path secretFile()
    {
        final Path file = root.resolve("cluster.key");
        if (!Files.exists(file))
        {
            ClusterSecret.generate().writeNew(file);
        }
        return file;
    }

    Path dataDirOf(final int memberId)
    {
        return root.resolve("data-" + memberId);
    }

    String aeronDirOf(final int memberId)
    {
        return aeronPrefix + "-m" + memberId;
    }

    private static String list(final Map<Integer, String> endpoints)
    {
        return endpoints.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}
