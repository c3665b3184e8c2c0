package io.ringraft.daemon.client;

import io.ringraft.daemon.config.ClusterConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseHostTest
{
    @Test
    void theRouteToALoopbackEndpointLeavesFromLoopback() throws Exception
    {
        assertThat(ResponseHost.localAddressTowards(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 21001)))
            .isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void allMembersOnLoopbackAnswerOnLoopback()
    {
        assertThat(ResponseHost.choose(cluster("127.0.0.1:21001", "localhost:21002"))).isEqualTo("127.0.0.1");
    }

    /** Not getLocalHost(): the address of the interface the member's endpoint is reached through. */
    @Test
    void aMemberOnThisHostsInterfaceIsAnsweredOnThatInterface() throws SocketException
    {
        final InetAddress own = NetworkInterface.networkInterfaces()
            .filter(nic -> isUp(nic))
            .flatMap(NetworkInterface::inetAddresses)
            .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress() &&
                !address.isLinkLocalAddress())
            .findFirst().orElse(null);
        Assumptions.assumeTrue(null != own, "no non-loopback IPv4 interface on this host");
        final String host = own.getHostAddress();
        assertThat(ResponseHost.choose(cluster(host + ":21001", "10.255.255.1:21002"))).isEqualTo(host);
    }

    private static boolean isUp(final NetworkInterface nic)
    {
        try
        {
            return nic.isUp();
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    private static ClusterConfig cluster(final String client1, final String client2)
    {
        return new ClusterConfig(1, Map.of(1, "127.0.0.1:20001", 2, "127.0.0.1:20002"),
            Map.of(1, client1, 2, client2), 1);
    }
}
