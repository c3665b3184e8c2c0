package io.ringraft.aeron;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LoopbackEndpointsTest
{
    @Test
    void picksDistinctFreeLoopbackPortsBelowTheEphemeralRange() throws Exception
    {
        final int ephemeralLow = Integer.parseInt(
            Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        final Map<Integer, String> endpoints = LoopbackEndpoints.pick(1, 2, 3, 4, 5);

        assertThat(endpoints).containsOnlyKeys(1, 2, 3, 4, 5);
        final Set<Integer> ports = new HashSet<>();
        for (final String endpoint : endpoints.values())
        {
            assertThat(endpoint).startsWith("127.0.0.1:");
            final int port = Integer.parseInt(endpoint.substring("127.0.0.1:".length()));
            assertThat(port).as(endpoint).isBetween(10_000, ephemeralLow - 1);
            ports.add(port);
            // Free: a member can bind it.
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
            {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
        assertThat(ports).hasSize(5);
    }

    @Test
    void rejectsRepeatedMemberIds()
    {
        assertThatIllegalArgumentException().isThrownBy(() -> LoopbackEndpoints.pick(1, 2, 1))
            .withMessageContaining("distinct");
    }
}
