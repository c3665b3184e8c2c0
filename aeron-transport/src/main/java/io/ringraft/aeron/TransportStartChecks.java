package io.ringraft.aeron;

import io.aeron.driver.Configuration;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the host must give the UDP transport, checked once at start, each shortfall one line that names the setting
 * to change. None stops the member: a kernel that caps socket buffers below what was asked for, or a route whose MTU
 * is below Aeron's datagrams, still carries every frame, only with losses and resends under bursts (the capped
 * buffer overflows) or with IP fragmentation (one lost fragment loses the whole datagram). An operator who never
 * hears of it sees only slow appends and NAKs.
 * <ul>
 * <li>Socket buffers: Linux silently caps {@code SO_RCVBUF} / {@code SO_SNDBUF} at {@code net.core.rmem_max} /
 * {@code wmem_max}.</li>
 * <li>MTU: a publication's datagrams are {@code mtuLength} (Aeron's default when 0) plus the IP and UDP headers;
 * checked for the interface each peer's endpoint routes through (found by connecting a UDP socket, which sends
 * nothing), once per interface.</li>
 * </ul>
 */
final class TransportStartChecks
{
    static final Path RMEM_MAX = Path.of("/proc/sys/net/core/rmem_max");
    static final Path WMEM_MAX = Path.of("/proc/sys/net/core/wmem_max");
    static final int IPV4_UDP_HEADERS = 20 + 8;
    static final int IPV6_UDP_HEADERS = 40 + 8;

    private TransportStartChecks()
    {
    }

    /** The warnings for {@code context} (UDP mode; none for IPC) on this host; empty when it has what it needs. */
    static List<String> check(final AeronTransportContext context)
    {
        final List<String> warnings = new ArrayList<>();
        if (ChannelMode.UDP != context.channelMode())
        {
            return warnings;
        }
        final long rmemMax = readSysctl(RMEM_MAX);
        final long wmemMax = readSysctl(WMEM_MAX);
        warnings.addAll(socketBufferWarnings(context.socketBufferLength(), rmemMax, wmemMax));
        final int mtuLength = 0 == context.mtuLength() ? Configuration.MTU_LENGTH_DEFAULT : context.mtuLength();
        final Map<String, String> routes = new LinkedHashMap<>(); // interface name -> the warning (or null), once each
        for (final Map.Entry<Integer, String> member : context.memberEndpoints().entrySet())
        {
            if (member.getKey() == context.memberId())
            {
                continue;
            }
            final Route route = routeTo(member.getValue());
            if (null != route && !routes.containsKey(route.interfaceName))
            {
                final String warning = mtuWarning(mtuLength, 0 != context.mtuLength(), member.getKey(),
                    member.getValue(), route.interfaceName, route.interfaceMtu, route.ipv6);
                routes.put(route.interfaceName, warning);
                if (null != warning)
                {
                    warnings.add(warning);
                }
            }
        }
        return warnings;
    }

    /**
     * @param rmemMax {@code net.core.rmem_max}, or -1 when unknown (not Linux): no warning then.
     * @param wmemMax {@code net.core.wmem_max}, likewise.
     */
    static List<String> socketBufferWarnings(final int socketBufferLength, final long rmemMax, final long wmemMax)
    {
        final List<String> warnings = new ArrayList<>(2);
        if (rmemMax >= 0 && socketBufferLength > rmemMax)
        {
            warnings.add(socketBufferWarning("receive", "rmem_max", socketBufferLength, rmemMax));
        }
        if (wmemMax >= 0 && socketBufferLength > wmemMax)
        {
            warnings.add(socketBufferWarning("send", "wmem_max", socketBufferLength, wmemMax));
        }
        return warnings;
    }

    private static String socketBufferWarning(
        final String direction, final String sysctl, final int socketBufferLength, final long max)
    {
        return "UDP " + direction + " buffers are capped at net.core." + sysctl + " = " + max + " bytes, below the " +
            socketBufferLength + " the transport asks for (socketBufferLength): bursts of appends overflow them and " +
            "are resent; raise it with 'sysctl -w net.core." + sysctl + "=" + socketBufferLength + "' (and in " +
            "/etc/sysctl.d/ to keep it)";
    }

    /** The warning when datagrams of {@code mtuLength} do not fit the interface's MTU; null when they do. */
    static String mtuWarning(
        final int mtuLength, final boolean configured, final int peerId, final String endpoint,
        final String interfaceName, final int interfaceMtu, final boolean ipv6)
    {
        final int headers = ipv6 ? IPV6_UDP_HEADERS : IPV4_UDP_HEADERS;
        if (interfaceMtu <= 0 || mtuLength + headers <= interfaceMtu)
        {
            return null;
        }
        final int fitting = (interfaceMtu - headers) & ~31; // Aeron's MTU is a multiple of 32
        return "datagrams of " + mtuLength + " bytes (mtuLength" + (configured ? "" : ", Aeron's default") +
            ") plus " + headers + " bytes of IP and UDP headers exceed the MTU " + interfaceMtu + " of interface " +
            interfaceName + ", through which member " + peerId + " (" + endpoint + ") is reached: IP fragments " +
            "every datagram and one lost fragment loses it all; " + (fitting >= 1024 ?
            "set mtuLength to " + fitting + " or less, or " : "") + "raise the interface's MTU to at least " +
            (mtuLength + headers) + " ('ip link set dev " + interfaceName + " mtu " + (mtuLength + headers) + "')";
    }

    private record Route(String interfaceName, int interfaceMtu, boolean ipv6)
    {
    }

    /** The interface the kernel would send to {@code endpoint} (host:port) from; null when it cannot be told. */
    private static Route routeTo(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        String host = endpoint.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        try (DatagramChannel probe = DatagramChannel.open())
        {
            final InetAddress address = InetAddress.getByName(host);
            probe.connect(new InetSocketAddress(address, Integer.parseInt(endpoint.substring(colon + 1))));
            final InetAddress local = ((InetSocketAddress)probe.getLocalAddress()).getAddress();
            final NetworkInterface nic = NetworkInterface.getByInetAddress(local);
            return null == nic ? null : new Route(nic.getName(), nic.getMTU(), local instanceof Inet6Address);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null; // no route now (the peer may come up later): the start check has nothing to say of it
        }
    }

    /** The value of a one-number file under /proc/sys; -1 when it cannot be read (not Linux). */
    static long readSysctl(final Path file)
    {
        // Line by line: Files.readString trusts the size procfs reports, and returned "4" of "4194304".
        try (BufferedReader reader = Files.newBufferedReader(file))
        {
            final String line = reader.readLine();
            return null == line ? -1 : Long.parseLong(line.trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
