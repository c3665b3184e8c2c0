/*
 * ringraft
 */
package io.ringraft.tools.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ringraft.pipeline.Status;
import io.ringraft.pipeline.testing.InProcessCluster;
import io.ringraft.tools.RingraftCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster-administration commands against three in-JVM members (2 groups) reached through their admin service:
 * what they print, their JSON, their exit codes.
 */
class ClusterCommandsTest
{
    private static final String ENDPOINTS = "127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103";

    private InProcessCluster cluster;
    private final Set<Integer> dead = InJvmAdminChannel.deadSet();

    @BeforeEach
    void start()
    {
        cluster = InProcessCluster.builder().members(3).groups(2)
            .contextCustomizer((member, ctx) -> ctx.requestTimeout(Duration.ofSeconds(3))).start();
    }

    @AfterEach
    void stop()
    {
        cluster.close();
    }

    record Run(int exit, String out, String err)
    {
    }

    private Run run(final String... args)
    {
        final CommandLine.IFactory factory = new CommandLine.IFactory()
        {
            @Override
            public <K> K create(final Class<K> cls) throws Exception
            {
                if (AdminCommandBase.class.isAssignableFrom(cls))
                {
                    final ClusterArgs.ChannelFactory channels = (targets, args) -> new InJvmAdminChannel(cluster, dead);
                    final var constructor = cls.getDeclaredConstructor(ClusterArgs.ChannelFactory.class);
                    constructor.setAccessible(true);
                    return constructor.newInstance(channels);
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
        final CommandLine commandLine = new CommandLine(new RingraftCli(), factory);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void statusShowsEachGroupsLeaderAndADeadMember()
    {
        final int[] leaders = cluster.awaitLeaders(Duration.ofSeconds(15));
        final Run table = run("cluster", "status", "--endpoints", ENDPOINTS);
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("MEMBER", "UP", "LEADER");

        final Run json = run("cluster", "status", "--endpoints", ENDPOINTS, "-o", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        final JsonObject root = JsonParser.parseString(json.out()).getAsJsonObject();
        assertThat(root.getAsJsonArray("members")).hasSize(3);
        for (final JsonElement member : root.getAsJsonArray("members"))
        {
            final JsonObject m = member.getAsJsonObject();
            assertThat(m.get("state").getAsString()).isEqualTo("UP");
            assertThat(m.get("pid").getAsLong()).isEqualTo(ProcessHandle.current().pid());
            for (final JsonElement group : m.getAsJsonArray("groups"))
            {
                final JsonObject g = group.getAsJsonObject();
                assertThat(g.get("leader").getAsInt()).isEqualTo(leaders[g.get("group").getAsInt()]);
            }
        }
        final JsonArray groups = root.getAsJsonArray("groups");
        for (int g = 0; g < 2; g++)
        {
            assertThat(groups.get(g).getAsJsonObject().get("leader").getAsInt()).isEqualTo(leaders[g]);
        }

        final int victim = leaders[0] % 3 + 1;
        dead.add(victim);
        final Run oneDead = run("cluster", "status", "--endpoints", ENDPOINTS, "-o", "json");
        assertThat(oneDead.exit()).isZero();
        final JsonObject deadMember = JsonParser.parseString(oneDead.out()).getAsJsonObject()
            .getAsJsonArray("members").get(victim - 1).getAsJsonObject();
        assertThat(deadMember.get("state").getAsString()).isEqualTo("DEAD");
        assertThat(run("cluster", "status", "--endpoints", ENDPOINTS).out()).contains("DEAD");

        dead.addAll(Set.of(1, 2, 3));
        final Run none = run("cluster", "status", "--endpoints", ENDPOINTS);
        assertThat(none.exit()).isEqualTo(ClusterExit.UNREACHABLE);
        assertThat(none.err()).startsWith("no member answered");
    }

    @Test
    void leaderTransferMovesTheGroupsLeadership() throws Exception
    {
        final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[1];
        final int target = leader % 3 + 1;
        final Run moved = run("leader", "transfer", "--group", "1", "--to", Integer.toString(target),
            "--endpoints", ENDPOINTS);
        assertThat(moved.exit()).as(moved.err()).isZero();
        assertThat(moved.out()).contains("leadership moved from member " + leader + " to member " + target);
        assertThat(cluster.node(target).groupStatus(1).get(5, TimeUnit.SECONDS).leader()).isEqualTo(target);

        final Run notVoter = run("leader", "transfer", "--group", "1", "--to", "9", "--endpoints", ENDPOINTS);
        assertThat(notVoter.exit()).isEqualTo(ClusterExit.FAILED);
        assertThat(notVoter.err()).contains("member 9 is not a voter");
    }

    @Test
    void snapshotOnEveryMember() throws Exception
    {
        final int leader = cluster.awaitLeaders(Duration.ofSeconds(15))[0];
        for (int i = 0; i < 10; i++)
        {
            assertThat(cluster.node(leader).propose(0, ("v" + i).getBytes(StandardCharsets.US_ASCII))
                .get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.OK);
        }
        for (int member = 1; member <= 3; member++)
        {
            final int m = member;
            await(() -> cluster.groupCounter(m, "applied-index", 0) >= 10, "member " + m + " applied the writes");
        }
        final Run snapshot = run("snapshot", "--group", "0", "--endpoints", ENDPOINTS, "-o", "json");
        assertThat(snapshot.exit()).as(snapshot.err()).isZero();
        final JsonArray taken = JsonParser.parseString(snapshot.out()).getAsJsonObject().getAsJsonArray("snapshots");
        assertThat(taken).hasSize(3);
        for (final JsonElement element : taken)
        {
            final JsonObject s = element.getAsJsonObject();
            final int member = s.get("member").getAsInt();
            final long index = s.get("index").getAsLong();
            assertThat(index).isGreaterThanOrEqualTo(10);
            await(() -> cluster.groupCounter(member, "snapshot-index", 0) >= index, "member " + member + " snapshot");
        }
    }

    @Test
    void memberListComesFromEachGroupsLeader()
    {
        cluster.awaitLeaders(Duration.ofSeconds(15));
        final Run list = run("member", "list", "--endpoints", ENDPOINTS, "-o", "json");
        assertThat(list.exit()).as(list.err()).isZero();
        final JsonArray groups = JsonParser.parseString(list.out()).getAsJsonObject().getAsJsonArray("groups");
        assertThat(groups).hasSize(2);
        for (final JsonElement group : groups)
        {
            final JsonArray members = group.getAsJsonObject().getAsJsonArray("members");
            assertThat(members).hasSize(3);
            assertThat(members.get(0).getAsJsonObject().get("endpoint").getAsString()).startsWith("127.0.0.1:900");
        }
        final Run table = run("member", "list", "--group", "1", "--endpoints", ENDPOINTS);
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).contains("LEADER", "FOLLOWER");
    }

    @Test
    void usageErrorsExitTwoWithOneLine()
    {
        final Run noTargets = run("cluster", "status");
        if (null == System.getenv(ClusterArgs.ENDPOINTS_ENV))
        {
            assertThat(noTargets.exit()).isEqualTo(ClusterExit.USAGE);
            assertThat(noTargets.err().trim()).isEqualTo(
                "say where the members are: --endpoints HOST:PORT,..., $RINGRAFT_ENDPOINTS or --config FILE");
        }
        final Run badEndpoint = run("cluster", "status", "--endpoints", "localhost");
        assertThat(badEndpoint.exit()).isEqualTo(ClusterExit.USAGE);
        assertThat(badEndpoint.err().trim()).isEqualTo("endpoint 'localhost' is not HOST:PORT");
        final Run badOutput = run("cluster", "status", "--endpoints", ENDPOINTS, "-o", "yaml");
        assertThat(badOutput.exit()).isEqualTo(ClusterExit.USAGE);
        final Run badPeer = run("member", "add", "4", "--peer-endpoint", "nohost", "--endpoints", ENDPOINTS);
        assertThat(badPeer.exit()).isEqualTo(ClusterExit.USAGE);
        assertThat(badPeer.err().trim()).isEqualTo("--peer-endpoint 'nohost' is not HOST:PORT");
        final Run help = run("member", "add", "--help");
        assertThat(help.out()).contains("Exit codes: 0 ok", "Examples:");
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
