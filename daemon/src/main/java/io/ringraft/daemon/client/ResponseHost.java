package io.ringraft.daemon.client;

import io.ringraft.daemon.config.ClientConfig;
import io.ringraft.daemon.config.ClusterConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The address a client asks members to send responses to when none is configured: the local address of the route to
 * a member's client endpoint, i.e. the address the member sees the client's requests come from. Not
 * {@code InetAddress.getLocalHost()}, which is what the host name resolves to: 127.0.0.1 or 127.0.1.1 on many hosts,
 * where members on other hosts would send responses to their own loopback.
 */
public final class ResponseHost
{
    private ResponseHost()
    {
    }

    /**
     * 127.0.0.1 when every client endpoint is on loopback; else the local address of the route to the first member
     * (by id) whose endpoint resolves and is routable.
     *
     * @throws IllegalStateException naming every endpoint tried and the config key or option that sets the address.
     */
    public static String choose(final ClusterConfig cluster)
    {
        final boolean loopback = cluster.clientEndpoints().values().stream()
            .allMatch(endpoint -> endpoint.startsWith("127.") || endpoint.startsWith("localhost:"));
        if (loopback)
        {
            return "127.0.0.1";
        }
        final List<String> problems = new ArrayList<>();
        for (final Map.Entry<Integer, String> member : cluster.clientEndpoints().entrySet())
        {
            final String endpoint = member.getValue();
            final int colon = endpoint.lastIndexOf(':');
            final String host = endpoint.substring(0, colon);
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            final InetSocketAddress address = new InetSocketAddress(
                host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
            if (address.isUnresolved())
            {
                problems.add("member " + member.getKey() + " " + endpoint + ": host does not resolve");
                continue;
            }
            try
            {
                return literal(localAddressTowards(address));
            }
            catch (final UncheckedIOException | IllegalStateException ex)
            {
                problems.add("member " + member.getKey() + " " + endpoint + ": " + ex.getMessage());
            }
        }
        throw new IllegalStateException("cannot tell which local address the members can send responses to (" +
            String.join("; ", problems) + "); set " + ClientConfig.RESPONSE_HOST + " in the config file or " +
            "--response-host");
    }

    /**
     * The local address this host would send a datagram to {@code endpoint} from. Connecting a UDP socket only picks
     * the route and the source address: no packet is sent.
     *
     * @throws IllegalStateException when there is no route.
     */
    public static InetAddress localAddressTowards(final InetSocketAddress endpoint)
    {
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.connect(endpoint);
            final InetAddress local = socket.getLocalAddress();
            if (null == local || local.isAnyLocalAddress())
            {
                throw new IllegalStateException("no route to " + endpoint.getAddress().getHostAddress());
            }
            return local;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no route: " + ex.getMessage(), ex);
        }
    }

    /** The address as an Aeron endpoint host: an IPv6 address in brackets, without a scope. */
    static String literal(final InetAddress address)
    {
        if (address instanceof Inet6Address)
        {
            final String text = address.getHostAddress();
            final int scope = text.indexOf('%');
            return "[" + (scope < 0 ? text : text.substring(0, scope)) + "]";
        }
        return address.getHostAddress();
    }
}
