package io.ringraft.daemon.nemesis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Members on hosts of their own, as far as one machine allows: each member in a network namespace with one veth
 * link to a bridge in the test's namespace, its own address on a /24 of 10.x.y.0 (not 127.0.0.1), so members talk
 * to each other and to the test's clients over real interfaces. Partitions drop packets silently at the receiver:
 * {@code ip rule add from ADDRESS blackhole} in a member's namespace drops what arrives from that address, one way,
 * without the sender seeing an error (a down link would). Needs root and {@code ip} with netns support:
 * {@link #unavailable()} says what is missing. {@link #close} (and a shutdown hook) removes the namespaces, links and
 * bridge.
 */
public final class Network implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_S = 20;

    private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    private final String subnet;
    private final int members;
    private final List<String> namespaces = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::release, "nemesis-network-cleanup");
    private final boolean[][] blocked;

    public Network(final int members) throws IOException
    {
        this.members = members;
        this.blocked = new boolean[members + 1][members + 1];
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        subnet = "10." + (200 + random.nextInt(50)) + "." + random.nextInt(1, 250) + ".";
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            run("ip", "link", "add", bridge(), "type", "bridge");
            run("ip", "addr", "add", hostAddress() + "/24", "dev", bridge());
            run("ip", "link", "set", bridge(), "up");
            for (int m = 1; m <= members; m++)
            {
                final String ns = namespaceOf(m);
                run("ip", "netns", "add", ns);
                namespaces.add(ns);
                run("ip", "link", "add", "nv" + tag + m, "type", "veth", "peer", "name", "np" + tag + m);
                run("ip", "link", "set", "np" + tag + m, "netns", ns);
                run("ip", "link", "set", "nv" + tag + m, "master", bridge());
                run("ip", "link", "set", "nv" + tag + m, "up");
                run("ip", "netns", "exec", ns, "ip", "addr", "add", addressOf(m) + "/24", "dev", "np" + tag + m);
                run("ip", "netns", "exec", ns, "ip", "link", "set", "np" + tag + m, "up");
                run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                // The local table is looked up first (rule 0), which would deliver what a blackhole rule should
                // drop: look it up after the partition rules instead.
                run("ip", "netns", "exec", ns, "ip", "rule", "add", "pref", "1000", "lookup", "local");
                run("ip", "netns", "exec", ns, "ip", "rule", "del", "pref", "0", "lookup", "local");
            }
        }
        catch (final IOException ex)
        {
            release();
            throw ex;
        }
    }

    /** Null when members can run in network namespaces here, else why not. */
    public static String unavailable()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            return "network namespaces need Linux, this is " + System.getProperty("os.name");
        }
        try
        {
            final String uid = run("id", "-u").trim();
            if (!"0".equals(uid))
            {
                return "network namespaces need root, this runs as uid " + uid;
            }
            run("ip", "netns", "list");
            return null;
        }
        catch (final IOException ex)
        {
            return "no usable 'ip netns': " + ex.getMessage();
        }
    }

    public String addressOf(final int member)
    {
        return subnet + member;
    }

    /** The test's side of the bridge: where clients receive their answers. */
    String hostAddress()
    {
        return subnet + "254";
    }

    /** The command prefix that runs a process in the member's namespace ({@code ip netns exec} execs it). */
    public List<String> prefixOf(final int member)
    {
        return List.of("ip", "netns", "exec", namespaceOf(member));
    }

    /** Drops what {@code from} sends to {@code to} (one way); the client's traffic is not touched. */
    synchronized void block(final int from, final int to) throws IOException
    {
        if (!blocked[from][to])
        {
            run("ip", "netns", "exec", namespaceOf(to), "ip", "rule", "add", "from", addressOf(from) + "/32",
                "blackhole", "pref", Integer.toString(100 + from));
            blocked[from][to] = true;
        }
    }

    synchronized void healAll() throws IOException
    {
        for (int from = 1; from <= members; from++)
        {
            for (int to = 1; to <= members; to++)
            {
                if (blocked[from][to])
                {
                    run("ip", "netns", "exec", namespaceOf(to), "ip", "rule", "del", "from", addressOf(from) + "/32",
                        "blackhole", "pref", Integer.toString(100 + from));
                    blocked[from][to] = false;
                }
            }
        }
    }

    private String namespaceOf(final int member)
    {
        return "ringraft-nemesis-" + tag + "-m" + member;
    }

    private String bridge()
    {
        return "nb" + tag;
    }

    @Override
    public void close()
    {
        release();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is exiting: the hook runs release() too, which is harmless twice
        }
    }

    private synchronized void release()
    {
        for (final String ns : namespaces)
        {
            quietly("ip", "netns", "del", ns); // its veth end goes with it, and the peer with that
        }
        namespaces.clear();
        for (int m = 1; m <= members; m++)
        {
            quietly("ip", "link", "del", "nv" + tag + m);
        }
        quietly("ip", "link", "del", bridge());
    }

    private static void quietly(final String... command)
    {
        try
        {
            run(command);
        }
        catch (final IOException ex)
        {
            // already gone
        }
    }

    private static String run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_S + " s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (0 != process.exitValue())
        {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " +
                output.trim());
        }
        return output;
    }
}
