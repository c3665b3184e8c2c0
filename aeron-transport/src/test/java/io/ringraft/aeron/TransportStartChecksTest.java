package io.ringraft.aeron;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A start says, one line each, what the host lacks for the transport's settings and which setting to change. */
class TransportStartChecksTest
{
    private static final Map<Integer, String> MEMBERS = Map.of(1, "127.0.0.1:20001", 2, "127.0.0.1:20002");

    private static AeronTransportContext context()
    {
        return new AeronTransportContext().insecure(true).memberId(1).clusterId(9).memberEndpoints(MEMBERS);
    }

    @Test
    void aSocketBufferAboveThisHostsRmemMaxProducesOneLineNamingTheSysctl() throws Exception
    {
        Assumptions.assumeTrue(Files.isReadable(TransportStartChecks.RMEM_MAX), "no /proc/sys/net/core/rmem_max");
        final long rmemMax = TransportStartChecks.readSysctl(TransportStartChecks.RMEM_MAX);
        assertThat(rmemMax).as("read whole, not cut to what procfs reports as its size").isGreaterThan(4096);
        Assumptions.assumeTrue(rmemMax < Integer.MAX_VALUE / 2, "rmem_max " + rmemMax + " leaves no larger int");
        final int asked = (int)(2 * rmemMax + 65536);

        final List<String> warnings = TransportStartChecks.check(context().socketBufferLength(asked).conclude());

        assertThat(warnings).filteredOn(line -> line.contains("net.core.rmem_max")).singleElement().asString()
            .contains("net.core.rmem_max = " + rmemMax + " bytes, below the " + asked)
            .contains("sysctl -w net.core.rmem_max=" + asked)
            .doesNotContain("\n");
        assertThat(warnings).allSatisfy(line -> assertThat(line).doesNotContain("mtu"));
    }

    @Test
    void buffersWithinTheLimitsAndTheLoopbackMtuSayNothing()
    {
        assertThat(TransportStartChecks.socketBufferWarnings(2 << 20, 4 << 20, 4 << 20)).isEmpty();
        assertThat(TransportStartChecks.socketBufferWarnings(2 << 20, -1, -1)).as("limits unknown").isEmpty();
        assertThat(TransportStartChecks.check(context().socketBufferLength(64 * 1024).conclude())).as("loopback, " +
            "Aeron's default MTU, buffers of 64 KiB, which any Linux allows").isEmpty();
        assertThat(TransportStartChecks.check(context().insecure(true).channelMode(ChannelMode.IPC).conclude()))
            .as("IPC").isEmpty();
    }

    @Test
    void bothLimitsAreNamedWhenBothAreShort()
    {
        final List<String> warnings = TransportStartChecks.socketBufferWarnings(2 << 20, 212_992, 212_992);
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("UDP receive buffers are capped at net.core.rmem_max = 212992 bytes")
            .endsWith("raise it with 'sysctl -w net.core.rmem_max=2097152' (and in /etc/sysctl.d/ to keep it)");
        assertThat(warnings.get(1)).startsWith("UDP send buffers are capped at net.core.wmem_max = 212992 bytes");
    }

    @Test
    void datagramsLargerThanTheRoutesMtuProduceOneLineNamingMtuLengthAndTheInterface()
    {
        assertThat(TransportStartChecks.mtuWarning(1408, false, 2, "10.0.0.2:9000", "eth0", 1500, false)).isNull();
        assertThat(TransportStartChecks.mtuWarning(65504, true, 2, "127.0.0.1:9000", "lo", 65536, false)).isNull();

        assertThat(TransportStartChecks.mtuWarning(8192, true, 2, "10.0.0.2:9000", "eth0", 1500, false))
            .isEqualTo("datagrams of 8192 bytes (mtuLength) plus 28 bytes of IP and UDP headers exceed the MTU 1500 " +
                "of interface eth0, through which member 2 (10.0.0.2:9000) is reached: IP fragments every datagram " +
                "and one lost fragment loses it all; set mtuLength to 1472 or less, or raise the interface's MTU to " +
                "at least 8220 ('ip link set dev eth0 mtu 8220')");
        assertThat(TransportStartChecks.mtuWarning(1408, false, 3, "[fd00::3]:9000", "wg0", 1420, true))
            .as("a tunnel below Aeron's default, over IPv6")
            .startsWith("datagrams of 1408 bytes (mtuLength, Aeron's default) plus 48 bytes")
            .contains("MTU 1420 of interface wg0")
            .contains("set mtuLength to 1344 or less")
            .endsWith("('ip link set dev wg0 mtu 1456')");
        assertThat(TransportStartChecks.mtuWarning(1408, false, 2, "10.0.0.2:9000", "tun0", 1000, false))
            .as("no mtuLength Aeron accepts (1024 or more) fits: only the interface can change")
            .doesNotContain("set mtuLength").endsWith("('ip link set dev tun0 mtu 1436')");
    }
}
