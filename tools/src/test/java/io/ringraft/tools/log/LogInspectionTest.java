/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.MessageHeaderDecoder;
import io.ringraft.log.DurableLog;
import io.ringraft.log.LogFixtures;
import io.ringraft.log.LogInspector;
import io.ringraft.tools.CommandLineTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code log describe, dump, verify, stats, snapshot} on a member data directory written by the engine as the KV
 * daemon does ({@link KvMember}), on damaged copies of it, and on the checked-in directory of an older schema
 * version ({@link OldSchemaFixture}).
 */
class LogInspectionTest extends CommandLineTest
{
    private static final String SEGMENT = "00000000000000000001.seg";
    private static final String SNAPSHOT = "00000000000000000005-00000000000000000001.snap";

    @TempDir
    Path dataDir;

    @BeforeEach
    void writeMember() throws IOException
    {
        KvMember.write(dataDir);
    }

    @Test
    void describeExplainsTheWholeMemberDirectoryAndEachGroup()
    {
        final List<String> before = LogFixtures.fingerprint(dataDir);
        assertThat(execute("log", "describe", dataDir.toString())).as(out + "" + err).isEqualTo(0);
        final String text = out.toString();
        assertThat(text).startsWith("member data directory " + dataDir + ": cluster 42, member 1, data format 2; " +
            "2 group(s) [1, 2]\n");
        assertThat(text).contains(
            "group 1 (" + dataDir.resolve("1") + ")",
            "  schema: stored schema IR version(s) 4; this release's schema 21074 version 4",
            "  log: indexes 1..10 (10 entries), last term 2",
            "  hard state: term 2, vote member 1",
            "    commit 8: the durable commit hint, a lower bound of the commit index",
            "It is not the applied point",
            "    synced watermark: index 10 term 2",
            "  snapshots: 1",
            "    " + SNAPSHOT + "  index 5  term 1  data 50 B  membership voters=[1, 2, 3]  verified",
            "    " + SEGMENT + "  base 1  entries 1..10 (10)  terms 1,2  bytes 776/65536",
            "  verdict: HEALTHY: a start keeps every entry (last index 10)",
            "group 2 (" + dataDir.resolve("2") + ")",
            "  log: indexes 1..6 (6 entries), last term 3");

        assertThat(execute("log", "describe", dataDir.toString(), "--group", "2")).isEqualTo(0);
        assertThat(out.toString()).startsWith("group directory " + dataDir.resolve("2") + ": cluster 42, member 1")
            .contains("group 2 (").doesNotContain("group 1 (");
        assertThat(execute("log", "describe", dataDir.resolve("1").toString())).isEqualTo(0);
        assertThat(out.toString()).contains("group 1 (").doesNotContain("group 2 (");
        assertThat(LogFixtures.fingerprint(dataDir)).as("nothing written").isEqualTo(before);
    }

    @Test
    void dumpDecodesKvSessionAndConfigurationPayloads()
    {
        assertThat(execute("log", "dump", dataDir.toString())).as(err.toString()).isEqualTo(0);
        final List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(16);
        assertThat(lines.subList(0, 10)).containsExactly(
            line(1, 1, 1, "NORMAL", 24, "SessionOpen{clientNonce=77, timeoutMs=30000}"),
            line(1, 2, 1, "NORMAL", 69, "SessionCommand{sessionId=1, sequence=1, respondedTo=0, " +
                "command=PUT key=\"alpha\" value=\"hello world!\"(12 B)}"),
            line(1, 3, 1, "NORMAL", 21, "PUT key=\"beta\" value=\"x\"(1 B)"),
            line(1, 4, 1, "NORMAL", 36, "CAS key=\"alpha\" expected=\"hello world!\"(12 B) value=\"bye\"(3 B)"),
            line(1, 5, 1, "NORMAL", 22, "CAS key=\"gamma\" expected=(absent) value=\"g\"(1 B)"),
            line(1, 6, 1, "NORMAL", 20, "DELETE key=\"beta\""),
            line(1, 7, 1, "CONF_CHANGE", 35, "ConfChange{transition=AUTO, changes=[{changeType=ADD_VOTER, " +
                "memberId=4, endpoint=10.0.0.4:9000}]}"),
            line(1, 8, 2, "NO_OP", 0, "(no-op)"),
            line(1, 9, 2, "NORMAL", 16, "SessionClose{sessionId=1}"),
            line(1, 10, 2, "NORMAL", 3, "0x0102ff"));
        assertThat(lines.get(10)).startsWith(line(2, 1, 1, "NORMAL", 118, "PUT key=\"k1\" value=0x0000"))
            .endsWith("(100 B)");
        assertThat(err.toString()).contains("group 1: 10 entries listed; log holds indexes 1..10",
            "group 2: 6 entries listed", "HEALTHY");
    }

    private static String line(
        final int group, final long index, final long term, final String type, final int size, final String payload)
    {
        return "group=" + group + " index=" + index + " term=" + term + " type=" + type + " timestamp=" +
            java.time.Instant.ofEpochMilli(1_700_000_000_000L + index * 1000) + " size=" + size + " " + payload;
    }

    @Test
    void dumpSelectsByGroupIndexTermAndTypeAndShowsPayloadsAsAsked()
    {
        assertThat(execute("log", "dump", dataDir.toString(), "--group", "2", "--term", "2")).isEqualTo(0);
        assertThat(out.toString().lines().map(l -> l.substring(0, l.indexOf(" type")))).containsExactly(
            "group=2 index=3 term=2", "group=2 index=4 term=2");
        assertThat(execute("log", "dump", dataDir.toString(), "--type", "CONF_CHANGE")).isEqualTo(0);
        assertThat(out.toString().lines()).hasSize(1).allMatch(l -> l.startsWith("group=1 index=7 "));
        assertThat(execute("log", "dump", dataDir.toString(), "--group", "1", "--from", "9", "--to", "10",
            "--payload", "hex")).isEqualTo(0);
        assertThat(out.toString().lines()).containsExactly(
            line(1, 9, 2, "NORMAL", 16, "payload=").replace(" payload=", "") + " payload=" +
                java.util.HexFormat.of().formatHex(KvMember.sessionClose(1)),
            line(1, 10, 2, "NORMAL", 3, "payload=0102ff"));
        assertThat(execute("log", "dump", dataDir.toString(), "--group", "1", "--from", "3", "--to", "3",
            "--payload", "utf8")).isEqualTo(0);
        assertThat(out.toString()).contains(" payload=0x0101");
        assertThat(execute("log", "dump", dataDir.toString(), "--group", "1", "--to", "1", "--payload", "none"))
            .isEqualTo(0);
        assertThat(out.toString().strip()).isEqualTo(line(1, 1, 1, "NORMAL", 24, "").strip());

        assertThat(execute("log", "dump", dataDir.toString(), "--type", "BOGUS")).isEqualTo(2);
        assertThat(execute("log", "dump", dataDir.toString(), "--from", "9", "--to", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--from 9 is after --to 3").doesNotContain("Exception");
    }

    @Test
    @SuppressWarnings("unchecked")
    void dumpAsJsonWritesOneObjectPerLineWithStableFields()
    {
        assertThat(execute("log", "dump", dataDir.toString(), "-o", "json")).isEqualTo(0);
        final List<Map<String, Object>> objects = out.toString().lines().map(MiniJson::object).toList();
        assertThat(objects).hasSize(16);
        for (final Map<String, Object> object : objects)
        {
            assertThat(object.keySet()).containsExactly(
                "group", "index", "term", "type", "timestamp", "timestampMillis", "size", "payload");
        }
        final Map<String, Object> command = objects.get(1);
        assertThat(command).containsEntry("group", 1L).containsEntry("index", 2L).containsEntry("term", 1L)
            .containsEntry("type", "NORMAL").containsEntry("timestampMillis", 1_700_000_002_000L)
            .containsEntry("timestamp", "2023-11-14T22:13:22Z").containsEntry("size", 69L);
        final Map<String, Object> session = (Map<String, Object>)command.get("payload");
        assertThat(session).containsEntry("kind", "session-command").containsEntry("sessionId", 1L)
            .containsEntry("sequence", 1L).containsEntry("respondedTo", 0L);
        assertThat((Map<String, Object>)session.get("command")).isEqualTo(Map.of(
            "kind", "kv", "op", "PUT", "key", "alpha", "value", "hello world!", "valueLength", 12L));
        assertThat((Map<String, Object>)objects.get(4).get("payload")).containsEntry("op", "CAS")
            .containsEntry("expectedAbsent", true).containsEntry("value", "g");
        final Map<String, Object> confChange = (Map<String, Object>)objects.get(6).get("payload");
        assertThat(confChange).containsEntry("kind", "conf-change").containsEntry("transition", "AUTO");
        assertThat((List<Map<String, Object>>)confChange.get("changes")).containsExactly(Map.of(
            "changeType", "ADD_VOTER", "memberId", 4L, "endpoint", "10.0.0.4:9000"));
        assertThat((Map<String, Object>)objects.get(9).get("payload")).containsEntry("kind", "opaque")
            .containsEntry("previewHex", "0102ff");

        assertThat(execute("log", "dump", dataDir.toString(), "-o", "json", "--payload", "none", "--group", "2"))
            .isEqualTo(0);
        assertThat(out.toString().lines().map(MiniJson::object)).hasSize(6)
            .allMatch(object -> !object.containsKey("payload"));
    }

    @Test
    void verifyIsCleanOnAHealthyDirectoryAndNamesFileAndOffsetOfEachProblem() throws IOException
    {
        assertThat(execute("log", "verify", dataDir.toString())).as(out.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("group 1 (" + dataDir.resolve("1") + "): 10 record(s) in 1 segment(s)",
            "  verdict: HEALTHY", "OK: 2 group(s) verified, no problem").doesNotContain("PROBLEM");

        final Path group = dataDir.resolve("1");
        final long position = position(group, 3);
        final Path segment = group.resolve("log").resolve(SEGMENT);
        LogFixtures.flipBits(segment, position + 40, 0x5A);
        final Path snapshot = group.resolve("snapshots").resolve(SNAPSHOT);
        LogFixtures.flipBits(snapshot, Files.size(snapshot) - 1, 0x5A);
        final List<String> before = LogFixtures.fingerprint(dataDir);

        assertThat(execute("log", "verify", dataDir.toString())).as(out.toString()).isEqualTo(1);
        final String verdict = LogInspector.inspect(group, -1, null).verdict().describe();
        assertThat(out.toString()).contains(
            "  PROBLEM " + segment + " at offset " + position + ": record of index 3 is damaged (CRC32C mismatch)",
            "  PROBLEM " + snapshot + " at offset 0: snapshot does not verify (data CRC32C mismatch)",
            "  verdict: " + verdict,
            "PROBLEMS: 2 problem(s), 1 of 2 group(s) not HEALTHY");
        assertThat(verdict).startsWith("DAMAGED at " + segment + ":" + position);
        assertThat(execute("log", "describe", dataDir.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("  verdict: " + verdict, "NOT VERIFIED: data CRC32C mismatch");
        assertThat(execute("log", "dump", dataDir.toString(), "--group", "1")).isEqualTo(1);
        assertThat(out.toString().lines()).as("the records before the damage").hasSize(2);
        assertThat(LogFixtures.fingerprint(dataDir)).as("nothing written").isEqualTo(before);
    }

    @Test
    void unreadableInputIsOneLineAndExitCode2() throws IOException
    {
        for (final String command : List.of("describe", "dump", "verify", "stats"))
        {
            assertThat(execute("log", command, dataDir.resolve("nope").toString())).isEqualTo(2);
            assertThat(err.toString()).startsWith(dataDir.resolve("nope") + ": no such directory\n")
                .doesNotContain("Exception");
            final Path empty = Files.createDirectories(dataDir.resolve("empty"));
            assertThat(execute("log", command, empty.toString())).isEqualTo(2);
            assertThat(err.toString()).startsWith(empty + " is neither a ringraft group directory")
                .doesNotContain("Exception");
            assertThat(execute("log", command, dataDir.toString(), "--group", "9")).isEqualTo(2);
            assertThat(err.toString()).contains("holds no ringraft group 9", "groups [1, 2]");
        }
        assertThat(execute("log", "snapshot", dataDir.resolve("nope.snap").toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith(dataDir.resolve("nope.snap") + ": no such file");
    }

    @Test
    @SuppressWarnings("unchecked")
    void statsCountEntriesBytesTermsTypesKindsSizesAndSegmentFill()
    {
        assertThat(execute("log", "stats", dataDir.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains(
            "  entries: 10, payload bytes: 246, record bytes: 736 (mean payload 24 B)",
            "  per term: 1: 7, 2: 3",
            "  per type: CONF_CHANGE: 1, NORMAL: 8, NO_OP: 1",
            "  per payload kind: conf-change: 1, empty: 1, kv CAS: 2, kv DELETE: 1, kv PUT: 1, opaque: 1, " +
                "session-close: 1, session-command kv PUT: 1, session-open: 1",
            "  entry sizes (payload bytes, up to): 0: 1, 16: 2, 64: 6, 256: 1, 1024: 0",
            "    " + SEGMENT + "  10 entries  776/65536 B  1.2%",
            "  per term: 1: 2, 2: 2, 3: 2");

        assertThat(execute("log", "stats", dataDir.toString(), "-o", "json", "--group", "2")).isEqualTo(0);
        final Map<String, Object> stats = MiniJson.object(out.toString().strip());
        assertThat(stats).containsEntry("group", 2L).containsEntry("entries", 6L)
            .containsEntry("payloadBytes", 2208L);
        assertThat((Map<String, Object>)stats.get("terms")).isEqualTo(Map.of("1", 2L, "2", 2L, "3", 2L));
        assertThat((Map<String, Object>)stats.get("sizes")).containsEntry("256", 2L).containsEntry("1024", 4L);
        assertThat((List<Map<String, Object>>)stats.get("segments")).hasSize(1);
    }

    @Test
    void snapshotShowsMetadataAndTheKvKeys() throws IOException
    {
        final Path snapshot = dataDir.resolve("1/snapshots").resolve(SNAPSHOT);
        assertThat(execute("log", "snapshot", snapshot.toString())).as(out + "" + err).isEqualTo(0);
        assertThat(out.toString()).isEqualTo(snapshot + ": snapshot of group 1, verified (metadata and data " +
            "CRC32C)\n  index 5, term 1, data 50 B, membership voters=[1, 2, 3]\n  KV store: 2 key(s)\n" +
            "    \"alpha\"  (12 B)\n    \"beta\"  (1 B)\n");
        assertThat(execute("log", "snapshot", snapshot.toString(), "--keys", "1")).isEqualTo(0);
        assertThat(out.toString()).contains("\"alpha\"", "... 1 more (see --keys)").doesNotContain("\"beta\"");

        LogFixtures.flipBits(snapshot, Files.size(snapshot) - 1, 0x5A);
        assertThat(execute("log", "snapshot", snapshot.toString())).isEqualTo(1);
        assertThat(out.toString()).isEqualTo(snapshot + ": NOT VERIFIED: data CRC32C mismatch; a start skips this " +
            "snapshot\n");
        assertThat(execute("log", "snapshot", dataDir.resolve("1/log").resolve(SEGMENT).toString())).isEqualTo(1);
        assertThat(out.toString()).contains("NOT VERIFIED: metadata:");
    }

    @Test
    void aLogOfAnOlderSchemaVersionIsDecodedWithTheIrStoredBesideIt() throws Exception
    {
        final Path old = dataDir.resolve("old");
        copyFixture(old);
        assertThat(execute("log", "dump", old.toString())).as(err.toString()).isEqualTo(0);
        assertThat(out.toString().lines()).containsExactly(
            line(1, 1, 1, "NORMAL", 24, "SessionOpen{clientNonce=5, timeoutMs=60000}"),
            line(1, 2, 1, "NORMAL", 54, "SessionCommand{sessionId=1, sequence=1, command=PUT key=\"alpha\" " +
                "value=\"hello\"(5 B)}"),
            line(1, 3, 1, "NORMAL", 49, "SessionCommand{sessionId=1, sequence=2, command=DELETE key=\"alpha\"}"),
            line(1, 4, 2, "NORMAL", 21, "PUT key=\"bare\" value=\"v\"(1 B)"));
        assertThat(execute("log", "dump", old.toString(), "-o", "json", "--from", "2", "--to", "2")).isEqualTo(0);
        assertThat(MiniJson.object(out.toString().strip()).get("payload")).isEqualTo(Map.of(
            "kind", "session-command", "schemaVersion", 2L, "sessionId", 1L, "sequence", 1L,
            "command", Map.of("kind", "kv", "op", "PUT", "key", "alpha", "value", "hello", "valueLength", 5L)));
        assertThat(execute("log", "describe", old.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("  schema: stored schema IR version(s) 2; this release's schema 21074 " +
            "version 4");

        // A damaged stored IR is noted and today's schema used, which reads the older record's command bytes as
        // its respondedTo; so without the stored IR.
        Files.write(old.resolve("1/ringraft-schema-v2.sbeir.gz"), new byte[]{31, -117, 8, 0, 1, 2, 3});
        assertThat(execute("log", "describe", old.toString())).isEqualTo(0);
        assertThat(out.toString()).contains("  note: " + old.resolve("1/ringraft-schema-v2.sbeir.gz") +
            ": not a readable SBE IR").contains("  schema: no stored schema IR");
        assertThat(execute("log", "dump", old.toString(), "--from", "2", "--to", "2")).isEqualTo(0);
        assertThat(out.toString()).contains("(written by schema version 2, decoded with version 4: no stored IR of " +
            "2) SessionCommand{sessionId=1, sequence=1, respondedTo=");
        Files.delete(old.resolve("1/ringraft-schema-v2.sbeir.gz"));
        assertThat(execute("log", "dump", old.toString(), "--from", "2", "--to", "2")).isEqualTo(0);
        assertThat(out.toString()).contains("(written by schema version 2, decoded with version 4: no stored IR of " +
            "2) SessionCommand{sessionId=1, sequence=1, respondedTo=");
    }

    @Test
    void aLogEntryFieldAddedByANewerSchemaIsDecodedThroughTheStoredIr() throws Exception
    {
        // A release of the next schema version adds LogEntry.origin: its records have a longer block, and it stores its IR.
        final int today = MessageHeaderDecoder.SCHEMA_VERSION;
        final int newer = today + 1;
        LogFixtures.rewriteLastRecordWithAddedField(dataDir.resolve("1/log").resolve(SEGMENT), newer, 7);
        OldSchemaFixture.writeIr(OldSchemaFixture.editedSchemaIr(schema -> schema
                .replaceFirst("(<field name=\"timestamp\" id=\"4\" type=\"int64\"/>)",
                    "$1<field name=\"origin\" id=\"6\" type=\"int32\" sinceVersion=\"" + newer + "\"/>")
                .replaceFirst("version=\"" + today + "\"", "version=\"" + newer + "\""),
                edited -> edited.contains("name=\"origin\"") && edited.contains("version=\"" + newer + "\"")),
            dataDir.resolve("1/ringraft-schema-v" + newer + ".sbeir.gz"));

        assertThat(execute("log", "dump", dataDir.toString(), "--group", "1", "--from", "9")).as(err.toString())
            .isEqualTo(0);
        assertThat(out.toString().lines()).containsExactly(
            line(1, 9, 2, "NORMAL", 16, "SessionClose{sessionId=1}"),
            line(1, 10, 2, "NORMAL", 3, "origin=7 0x0102ff"));
        assertThat(execute("log", "dump", dataDir.toString(), "--group", "1", "--from", "10", "-o", "json"))
            .isEqualTo(0);
        final Map<String, Object> json = MiniJson.object(out.toString().strip());
        assertThat(json).containsEntry("index", 10L).containsEntry("origin", 7L).containsEntry("size", 3L);
        assertThat(execute("log", "verify", dataDir.toString(), "--group", "1")).as(out.toString()).isEqualTo(0);
    }

    @Test
    void theIrIsWrittenWithANewDirectoryAndBesideAnOlderOneWhenTheSchemaVersionChanges() throws Exception
    {
        final byte[] builtIn;
        try (InputStream in = getClass().getResourceAsStream(SchemaCatalog.BUILT_IN_RESOURCE))
        {
            builtIn = in.readAllBytes();
        }
        assertThat(gunzip(dataDir.resolve("1/ringraft-schema-v4.sbeir.gz"))).isEqualTo(builtIn);
        assertThat(gunzip(dataDir.resolve("2/ringraft-schema-v4.sbeir.gz"))).isEqualTo(builtIn);

        final Path old = dataDir.resolve("old");
        copyFixture(old);
        final byte[] oldIr = Files.readAllBytes(old.resolve("1/ringraft-schema-v2.sbeir.gz"));
        DurableLog.open(KvMember.config(old, 1)).close(); // this release, schema version 4, starts on it
        try (Stream<Path> files = Files.list(old.resolve("1")))
        {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".sbeir.gz")))
                .containsExactlyInAnyOrder("ringraft-schema-v2.sbeir.gz", "ringraft-schema-v4.sbeir.gz");
        }
        assertThat(Files.readAllBytes(old.resolve("1/ringraft-schema-v2.sbeir.gz"))).isEqualTo(oldIr);
        assertThat(gunzip(old.resolve("1/ringraft-schema-v4.sbeir.gz"))).isEqualTo(builtIn);
        assertThat(execute("log", "dump", old.toString(), "--from", "2", "--to", "2")).isEqualTo(0);
        assertThat(out.toString()).as("records keep their writer's schema")
            .contains("SessionCommand{sessionId=1, sequence=1, command=PUT");
    }

    private static byte[] gunzip(final Path file) throws IOException
    {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file)))
        {
            return in.readAllBytes();
        }
    }

    private static long position(final Path group, final long wanted)
    {
        final long[] position = {-1};
        LogInspector.inspect(group, -1, (buffer, at, index, term) ->
        {
            if (index == wanted)
            {
                position[0] = at;
            }
        });
        assertThat(position[0]).isPositive();
        return position[0];
    }

    static void copyFixture(final Path target) throws Exception
    {
        final Path source = Path.of(LogInspectionTest.class.getResource(OldSchemaFixture.RESOURCE).toURI());
        try (Stream<Path> files = Files.walk(source))
        {
            for (final Path file : files.toList())
            {
                final Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(copy);
                }
                else
                {
                    Files.copy(file, copy);
                }
            }
        }
    }
}
