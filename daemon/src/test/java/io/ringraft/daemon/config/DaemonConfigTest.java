package io.ringraft.daemon.config;

import io.ringraft.codecs.ClusterSecret;
import io.ringraft.log.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonConfigTest
{
    private static final String VALID = String.join("\n",
        "security = insecure",
        "cluster.id = 7",
        "member.id = 2",
        "members = 1=127.0.0.1:20001, 2=127.0.0.1:20002, 3=127.0.0.1:20003",
        "client.endpoints = 1=127.0.0.1:21001, 2=127.0.0.1:21002, 3=127.0.0.1:21003",
        "groups = 4",
        "data.dir = /tmp/ringraft-m2",
        "tick.ms = 5",
        "heartbeat.ticks = 4",
        "election.ticks = 40",
        "fsync = never-unsafe-for-benchmarks",
        "");

    @Test
    void readsEverySetting(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("ringraft.conf");
        Files.writeString(file, VALID);
        final DaemonConfig config = DaemonConfig.load(file);
        assertThat(config.cluster().clusterId()).isEqualTo(7);
        assertThat(config.memberId()).isEqualTo(2);
        assertThat(config.cluster().members()).isEqualTo(
            Map.of(1, "127.0.0.1:20001", 2, "127.0.0.1:20002", 3, "127.0.0.1:20003"));
        assertThat(config.cluster().clientEndpoints()).containsEntry(3, "127.0.0.1:21003").hasSize(3);
        assertThat(config.cluster().groups()).isEqualTo(4);
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/ringraft-m2"));
        assertThat(config.aeronDir()).isNull();
        assertThat(config.tick()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.heartbeatTicks()).isEqualTo(4);
        assertThat(config.electionTicks()).isEqualTo(40);
        assertThat(config.fsyncPolicy()).isEqualTo(FsyncPolicy.NEVER_UNSAFE_FOR_BENCHMARKS);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(ClusterConfig.load(file).memberIds()).containsExactly(1, 2, 3);
    }

    @Test
    void defaultsTimingAndFsyncAlways()
    {
        final DaemonConfig config = parse(without(VALID, "tick.ms", "heartbeat.ticks", "election.ticks", "fsync", "groups"));
        assertThat(config.tick()).isEqualTo(Duration.ofMillis(10));
        assertThat(config.heartbeatTicks()).isEqualTo(5);
        assertThat(config.electionTicks()).isEqualTo(30);
        assertThat(config.fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(config.cluster().groups()).isEqualTo(1);
        assertThat(config.persistStall()).as("at least 2 s on any host").isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void persistStallFloorIsReadAndDefaultsToTheElectionTimeoutWhenLonger()
    {
        assertThat(parse(VALID + "persist.stall.ms = 750\n").persistStall()).isEqualTo(Duration.ofMillis(750));
        assertThat(parse(replace(VALID, "election.ticks", "600")).persistStall())
            .as("5 ms x 600 ticks").isEqualTo(Duration.ofMillis(3000));
    }

    @Test
    void countersDirIsReadAndAbsentByDefault(@TempDir final Path dir) throws Exception
    {
        assertThat(parse(VALID).countersDir()).as("the daemon picks one in memory").isNull();
        assertThat(parse(VALID + "counters.dir = /dev/shm/ringraft-m1-counters\n").countersDir())
            .isEqualTo(Path.of("/dev/shm/ringraft-m1-counters"));
        final Path file = Files.createFile(dir.resolve("a-file"));
        assertError(VALID + "counters.dir = " + file + "\n", "counters.dir = '" + file + "'",
            "is a file; must name a directory for the counters file");
    }

    @Test
    void snapshotEntriesIsReadAndDefaultsToTheEnginesHundredThousand()
    {
        assertThat(parse(VALID).snapshotEntries()).isEqualTo(100_000);
        assertThat(parse(VALID + "snapshot.entries = 500\n").snapshotEntries()).isEqualTo(500);
        assertError(VALID + "snapshot.entries = 0\n", "snapshot.entries = '0'", "between 1 and 2147483647");
        assertError(VALID + "snapshot.entries = often\n", "snapshot.entries = 'often'", "must be an integer");
    }

    @Test
    void metricsAreOffByDefaultAndBindToLoopback()
    {
        assertThat(parse(VALID).metricsPort()).as("off").isZero();
        final DaemonConfig on = parse(VALID + "metrics.port = 9400\n");
        assertThat(on.metricsPort()).isEqualTo(9400);
        assertThat(on.metricsBind()).isEqualTo("127.0.0.1");
        assertThat(parse(VALID + "metrics.port = 9400\nmetrics.bind = 0.0.0.0\n").metricsBind()).isEqualTo("0.0.0.0");
        assertError(VALID + "metrics.port = 0\n", "metrics.port = '0'", "between 1 and 65535");
        assertError(VALID + "metrics.port = prometheus\n", "metrics.port = 'prometheus'", "must be an integer");
        assertError(VALID + "metrics.bind = 0.0.0.0\n", "metrics.bind = '0.0.0.0'", "metrics.port is not");
        assertError(VALID + "metrics.port = 9400\nmetrics.bind = no.such.host.invalid\n",
            "metrics.bind = 'no.such.host.invalid'", "must be an address of this host");
    }

    @Test
    void bootstrapVotersDefaultToEveryMemberAndMustBeMembers()
    {
        assertThat(parse(VALID).bootstrapVoters()).containsExactly(parse(VALID).cluster().memberIds());
        assertThat(parse(VALID + "bootstrap.voters = 1, 2\n").bootstrapVoters()).containsExactly(1, 2);
        assertError(VALID + "bootstrap.voters = 1,9\n", "bootstrap.voters = '1,9'", "must list member ids from");
        assertError(VALID + "bootstrap.voters = one\n", "bootstrap.voters = 'one'", "must list member ids from");
    }

    @Test
    void dataDirThatIsAFileIsNamed(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.createFile(dir.resolve("a-file"));
        assertError(replace(VALID, "data.dir", file.toString()), "test.conf:7: data.dir = '" + file + "'",
            "is a file; must name a directory for this member's logs");
    }

    @Test
    void dataDirWhoseParentDoesNotExistIsNamed(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("no-such-disk").resolve("member-2");
        assertError(replace(VALID, "data.dir", missing.toString()), "data.dir = '" + missing + "'",
            "its parent directory " + missing.getParent() + " does not exist");
        assertThat(parse(replace(VALID, "data.dir", dir.resolve("member-2").toString())).dataDir())
            .as("a directory that does not exist yet, under one that does").isEqualTo(dir.resolve("member-2"));
    }

    @Test
    void persistStallOutOfRange()
    {
        assertError(VALID + "persist.stall.ms = 0\n", "persist.stall.ms = '0'", "between 1 and 3600000");
        assertError(VALID + "persist.stall.ms = soon\n", "persist.stall.ms = 'soon'", "must be an integer");
    }

    @Test
    void duplicateMemberIdIsNamed()
    {
        assertError(replace(VALID, "members", "1=127.0.0.1:20001, 2=127.0.0.1:20002, 2=127.0.0.1:20003"),
            "members = '1=127.0.0.1:20001, 2=127.0.0.1:20002, 2=127.0.0.1:20003'", "member id 2 appears twice");
    }

    @Test
    void memberIdNotInMembers()
    {
        assertError(replace(VALID, "member.id", "9"), "member.id = '9'", "must be one of the ids in members [1, 2, 3]");
    }

    @Test
    void portOutOfRange()
    {
        assertError(replace(VALID, "members", "1=127.0.0.1:20001, 2=127.0.0.1:70000, 3=127.0.0.1:20003"),
            "members = '1=127.0.0.1:20001, 2=127.0.0.1:70000, 3=127.0.0.1:20003'", "port 70000 is out of range 1..65535");
    }

    @Test
    void endpointWithoutPort()
    {
        assertError(replace(VALID, "client.endpoints", "1=a:1, 2=hostonly, 3=c:3"),
            "client.endpoints", "endpoint 'hostonly' is not host:port");
    }

    @Test
    void sharedEndpoint()
    {
        assertError(replace(VALID, "members", "1=127.0.0.1:20001, 2=127.0.0.1:20001, 3=127.0.0.1:20003"),
            "members", "members 1 and 2 share endpoint 127.0.0.1:20001");
    }

    @Test
    void clientEndpointsMustNameTheSameMembers()
    {
        assertError(replace(VALID, "client.endpoints", "1=127.0.0.1:21001, 2=127.0.0.1:21002"),
            "client.endpoints = '[1, 2]'", "must name exactly the member ids of members [1, 2, 3]");
    }

    @Test
    void clientEndpointMustNotBeARaftEndpoint()
    {
        assertError(replace(VALID, "client.endpoints", "1=127.0.0.1:20001, 2=127.0.0.1:21002, 3=127.0.0.1:21003"),
            "client.endpoints = '1=127.0.0.1:20001'", "also a member's Raft endpoint");
    }

    @Test
    void groupsBelowOne()
    {
        assertError(replace(VALID, "groups", "0"), "groups = '0'", "must be an integer between 1 and 4096");
    }

    @Test
    void notANumber()
    {
        assertError(replace(VALID, "cluster.id", "seven"), "cluster.id = 'seven'", "must be an integer between 0 and");
    }

    @Test
    void electionNotAboveHeartbeat()
    {
        assertError(replace(VALID, "election.ticks", "4"), "election.ticks = '4'", "must be greater than heartbeat.ticks (4)");
    }

    @Test
    void tickOutOfRange()
    {
        assertError(replace(VALID, "tick.ms", "0"), "tick.ms = '0'", "between 1 and 1000");
    }

    @Test
    void badFsyncPolicy()
    {
        assertError(replace(VALID, "fsync", "sometimes"), "fsync = 'sometimes'",
            "must be 'always' or 'never-unsafe-for-benchmarks'");
    }

    @Test
    void missingRequiredKeys()
    {
        assertError(without(VALID, "data.dir"), "data.dir is missing", "directory of this member's logs");
        assertError(without(VALID, "members"), "members is missing", "id=host:port");
        assertError(without(VALID, "member.id"), "member.id is missing", "integer between 0");
    }

    @Test
    void unknownKeyIsATypo()
    {
        assertError(VALID + "heartbeat.tick = 3\n", "heartbeat.tick = '3'", "unknown key");
    }

    @Test
    void repeatedKeyNamesBothLines()
    {
        assertError(VALID + "groups = 8\n", "test.conf:12", "key 'groups' repeats line 6");
    }

    @Test
    void lineWithoutEquals()
    {
        assertError(VALID + "just words\n", "test.conf:12", "'just words' is not 'key = value'");
    }

    @Test
    void clientResponseHostInAMembersFileIsReadByClientsOnly(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("ringraft.conf");
        Files.writeString(file, VALID + "client.response.host = 10.0.0.9\n");
        assertThat(DaemonConfig.load(file).memberId()).isEqualTo(2);
        final ClientConfig client = ClientConfig.load(file);
        assertThat(client.responseHost()).isEqualTo("10.0.0.9");
        assertThat(client.cluster().groups()).isEqualTo(4);
        Files.writeString(file, VALID);
        assertThat(ClientConfig.load(file).responseHost()).isNull();
        Files.writeString(file, VALID + "client.response.host = [fd00::9]\n");
        assertThat(ClientConfig.load(file).responseHost()).isEqualTo("[fd00::9]");
    }

    @Test
    void clientResponseHostWithAPortIsNamed(@TempDir final Path dir) throws Exception
    {
        assertError(VALID + "client.response.host = 10.0.0.9:4000\n", "test.conf:12",
            "client.response.host = '10.0.0.9:4000'", "has a port", "without a port");
        final Path file = dir.resolve("client.conf");
        Files.writeString(file, VALID + "client.response.host = two words\n");
        assertThatThrownBy(() -> ClientConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("client.response.host = 'two words': must be a host name or IP address");
    }

    @Test
    void secretFileOrExplicitlyInsecureAndNeitherIsAnErrorNamingBoth(@TempDir final Path dir) throws Exception
    {
        assertThat(parse(VALID).secret()).as("security = insecure").isNull();
        assertError(without(VALID, "security"), "secret.file is missing",
            "ringraft secret new FILE", "or set security = insecure to run without authentication");
        assertError(replace(VALID, "security", "off"), "security = 'off'", "must be 'insecure'");

        final Path key = dir.resolve("cluster.key");
        ClusterSecret.generate().writeNew(key);
        final String secured = without(VALID, "security") + "secret.file = " + key + "\n";
        final DaemonConfig config = parse(secured);
        assertThat(config.secret()).isNotNull();
        assertThat(config.toString()).contains("secret ClusterSecret{" + key + "}");
        assertError(VALID + "secret.file = " + key + "\n", "security = 'insecure'", "and secret.file are both set");

        final Path file = dir.resolve("client.conf");
        Files.writeString(file, secured);
        assertThat(ClientConfig.load(file).clientAuthenticator()).isNotNull();
        Files.writeString(file, without(VALID, "security"));
        assertThatThrownBy(() -> ClientConfig.load(file)).as("a client needs a key, as a member does")
            .hasMessageContaining("secret.file is missing").hasMessageContaining("client.key.file")
            .hasMessageContaining("security = insecure");
        Files.writeString(file, VALID);
        assertThat(ClientConfig.load(file).insecure()).as("security = insecure").isTrue();
        assertThat(ClientConfig.load(file).clientAuthenticator()).isNull();

        final Path clientKey = dir.resolve("client.key");
        ClusterSecret.load(key).writeClientKey(clientKey);
        Files.writeString(file, without(VALID, "security") + "client.key.file = " + clientKey + "\n");
        assertThat(ClientConfig.load(file).clientAuthenticator()).isNotNull();
        Files.writeString(file, secured + "client.key.file = " + clientKey + "\n");
        assertThatThrownBy(() -> ClientConfig.load(file)).hasMessageContaining("not more than one");

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertError(secured, "secret.file = '" + key + "'", "is accessible by group or others", "chmod 600 " + key);
        assertError(without(VALID, "security") + "secret.file = " + dir.resolve("absent.key") + "\n",
            "does not exist; make one with: ringraft secret new");
    }

    @Test
    void reportsEveryErrorAtOnce()
    {
        final String text = replace(replace(VALID, "groups", "-1"), "tick.ms", "x");
        assertThatThrownBy(() -> parse(text))
            .isInstanceOfSatisfying(ConfigException.class, ex -> assertThat(ex.errors()).hasSize(2));
    }

    private static DaemonConfig parse(final String text)
    {
        return DaemonConfig.from(ConfigFile.parse("test.conf", text));
    }

    private static void assertError(final String text, final String... fragments)
    {
        assertThatThrownBy(() -> parse(text))
            .isInstanceOf(ConfigException.class)
            .satisfies(ex -> assertThat(((ConfigException)ex).errors())
                .anySatisfy(error -> assertThat(error).contains(fragments)));
    }

    private static String replace(final String text, final String key, final String value)
    {
        final StringBuilder out = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            out.append(line.startsWith(key + " ") ? key + " = " + value : line).append('\n');
        }
        return out.toString();
    }

    private static String without(final String text, final String... keys)
    {
        final StringBuilder out = new StringBuilder();
        outer:
        for (final String line : text.split("\n"))
        {
            for (final String key : keys)
            {
                if (line.startsWith(key + " "))
                {
                    continue outer;
                }
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
