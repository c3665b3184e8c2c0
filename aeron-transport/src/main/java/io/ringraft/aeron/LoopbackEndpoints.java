package io.ringraft.aeron;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free UDP ports on loopback for the members of a cluster started in one process: the demo, tests, benchmarks.
 * <p>
 * The ports are taken below the kernel's ephemeral range. A port the kernel hands out for "any free port" is an
 * ephemeral one, and it is free again the moment the probe closes it; the sockets Aeron binds for each publication's
 * control traffic also take ephemeral ports, so one of them could take a member's port between the probe and the
 * member's own bind ("Address already in use", seen once in a benchmark run). Below the range, only an explicit
 * bind can, which fails loudly.
 */
public final class LoopbackEndpoints
{
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default start of the ephemeral range, when the real one cannot be read. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final int LOWEST = 10_000;
    private static final int MAX_PROBES = 10_000;

    private LoopbackEndpoints()
    {
    }

    /**
     * @param ids member ids, at least one, distinct.
     * @return {@code "127.0.0.1:port"} per id, every port distinct and free when probed.
     */
    public static Map<Integer, String> pick(final int... ids)
    {
        final int ephemeralLow = ephemeralLow();
        // Room below the ephemeral range; on a host whose range starts very low, any port from LOWEST on.
        final int from = LOWEST;
        final int to = ephemeralLow - LOWEST >= 1_000 ? ephemeralLow : 65_536;
        final Map<Integer, String> endpoints = new TreeMap<>();
        final List<DatagramSocket> held = new ArrayList<>();
        try
        {
            int port = ThreadLocalRandom.current().nextInt(from, to);
            for (int probe = 0; probe < MAX_PROBES && endpoints.size() < ids.length; probe++)
            {
                port = port + 1 < to ? port + 1 : from;
                final DatagramSocket socket = tryBind(port);
                if (null != socket)
                {
                    held.add(socket); // held until all are found, so that no port is picked twice
                    if (null != endpoints.put(ids[endpoints.size()], "127.0.0.1:" + port))
                    {
                        throw new IllegalArgumentException("member ids must be distinct");
                    }
                }
            }
        }
        finally
        {
            held.forEach(DatagramSocket::close);
        }
        if (endpoints.size() < ids.length)
        {
            throw new IllegalStateException("found only " + endpoints.size() + " of " + ids.length +
                " free UDP ports on loopback in [" + from + ", " + to + ") after " + MAX_PROBES + " probes");
        }
        return endpoints;
    }

    private static DatagramSocket tryBind(final int port)
    {
        try
        {
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
        catch (final SocketException ex)
        {
            return null;
        }
    }

    private static int ephemeralLow()
    {
        try
        {
            // Not Files.readString: it trusts the size /proc reports for its files and read "3" of "32768 60999".
            final String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
