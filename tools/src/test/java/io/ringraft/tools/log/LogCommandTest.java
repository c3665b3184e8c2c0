/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.CorruptLogException;
import io.ringraft.log.DurableLog;
import io.ringraft.log.LogConfig;
import io.ringraft.log.LogFixtures;
import io.ringraft.log.LogInspector;
import io.ringraft.raft.ConfChange;
import io.ringraft.raft.ConfChangeCodec;
import io.ringraft.raft.HardState;
import io.ringraft.tools.CommandLineTest;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static io.ringraft.tools.log.LogHistory.groupDirectory;
import static io.ringraft.tools.log.LogHistory.payloadHex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogCommandTest extends CommandLineTest
{
    private static final Pattern ENTRY = Pattern.compile(
        "index=(\\d+) term=(\\d+) type=(\\w+) timestamp=(\\S+) length=(\\d+)" +
        "(?: conf-change=(.*?))?(?: payload=([0-9a-f]*))?");
    private static final long CONF_CHANGE_INDEX = 2301;

    @TempDir
    Path dataDir;



    /**
     * Several segments; a snapshot and compactions, so that a later segment reuses a released file whose old
     * records stay behind its own; a truncation by a higher term (a truncation marker in the middle of the log);
     * a conf change and a no-op; a saved hard state.
     *
     * @return the log's history: index -> term.
     */
    private Map<Long, Long> writeHistory() throws IOException
    {
        final Map<Object, String> namesBefore = new HashMap<>();
        try (LogHistory history = new LogHistory(dataDir))
        {
            history.append(1, 1200, 1);
            inodes(namesBefore);
            history.snapshotAndCompact(500);
            history.append(1201, 1500, 1);
            inodes(namesBefore);
            history.snapshotAndCompact(1000);
            history.append(1501, 1700, 1);
            inodes(namesBefore);
            // Released files become reusable two retirements later (readers may still be in them until then).
            history.snapshotAndCompact(1400);
            history.append(1701, 2000, 1);      // rolls into a released file
            history.append(1900, 2300, 2);      // a new leader replaced 1900..2000
            final ExpandableArrayBuffer confChange = new ExpandableArrayBuffer();
            final int length = new ConfChangeCodec().encode(
                ConfChange.single(ConfChangeType.ADD_VOTER, 4, "10.0.0.4:9000"), confChange, 0);
            final byte[] bytes = new byte[length];
            confChange.getBytes(0, bytes);
            history.appendEntry(CONF_CHANGE_INDEX, 2, EntryType.CONF_CHANGE, bytes);
            history.appendEntry(CONF_CHANGE_INDEX + 1, 3, EntryType.NO_OP, new byte[0]);
            history.log.saveHardState(new HardState(3, 1, 2250));
            history.log.force();
            assertThat(reusedFiles(namesBefore)).as("segments that took over a file released by compaction")
                .isNotEmpty();
            return new HashMap<>(history.terms);
        }
    }

    private void inodes(final Map<Object, String> names) throws IOException
    {
        for (final Path file : segmentFiles())
        {
            names.putIfAbsent(Files.getAttribute(file, "unix:ino"), file.getFileName().toString());
        }
    }

    private List<Path> reusedFiles(final Map<Object, String> namesBefore) throws IOException
    {
        final List<Path> reused = new ArrayList<>();
        for (final Path file : segmentFiles())
        {
            final String before = namesBefore.get(Files.getAttribute(file, "unix:ino"));
            if (null != before && !before.equals(file.getFileName().toString()))
            {
                reused.add(file);
            }
        }
        return reused;
    }

    private List<Path> segmentFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(groupDirectory(dataDir).resolve("log")))
        {
            return files.filter(file -> file.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private record Listed(long index, long term, String type, String timestamp, int length, String confChange,
        String payload)
    {
    }

    private List<Listed> entries(final String output)
    {
        final List<Listed> listed = new ArrayList<>();
        for (final String line : output.split("\n"))
        {
            final Matcher matcher = ENTRY.matcher(line);
            assertThat(matcher.matches()).as("entry line %s", line).isTrue();
            listed.add(new Listed(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)), matcher.group(3),
                matcher.group(4), Integer.parseInt(matcher.group(5)), matcher.group(6), matcher.group(7)));
        }
        return listed;
    }

    @Test
    void entriesListExactlyTheLiveHistoryWithItsTermsAndPayloads() throws IOException
    {
        final Map<Long, Long> history = writeHistory();

        assertThat(execute("log", "entries", groupDirectory(dataDir).toString(), "--payload", "hex")).as(err.toString())
            .isEqualTo(0);
        final List<Listed> listed = entries(out.toString());
        assertThat(listed).isNotEmpty();
        final long first = listed.get(0).index();
        assertThat(first).as("first listed entry: the compacted log starts at or before the snapshot's next")
            .isLessThanOrEqualTo(1401);
        for (int i = 0; i < listed.size(); i++)
        {
            final Listed entry = listed.get(i);
            assertThat(entry.index()).as("consecutive, each once: no stale or replaced record").isEqualTo(first + i);
            assertThat(entry.term()).as("term of %d", entry.index()).isEqualTo(history.get(entry.index()));
            if (EntryType.NORMAL.name().equals(entry.type()))
            {
                assertThat(entry.payload()).as("payload of %d", entry.index())
                    .isEqualTo(payloadHex(entry.index(), entry.term()));
                assertThat(entry.length() * 2).isEqualTo(entry.payload().length());
            }
        }
        assertThat(listed.get(listed.size() - 1).index()).isEqualTo(CONF_CHANGE_INDEX + 1);
        assertThat(listed.stream().filter(entry -> entry.index() >= 1900 && entry.index() <= 2000))
            .as("the entries a truncation replaced are listed in their new term only").allMatch(e -> e.term() == 2);

        final Listed confChange = listed.get((int)(CONF_CHANGE_INDEX - first));
        assertThat(confChange.type()).isEqualTo("CONF_CHANGE");
        assertThat(confChange.confChange()).contains("ADD_VOTER", "4", "10.0.0.4:9000");
        final Listed noOp = listed.get(listed.size() - 1);
        assertThat(noOp.type()).isEqualTo("NO_OP");
        assertThat(noOp.term()).isEqualTo(3);
        assertThat(listed.get(0).timestamp()).isEqualTo(java.time.Instant.ofEpochMilli(first * 1000).toString());
        assertThat(err.toString()).contains(listed.size() + " entries listed", "HEALTHY");
    }

    @Test
    void entriesHonourFromToLimitAndPayloadFormat() throws IOException
    {
        writeHistory();
        final String group = groupDirectory(dataDir).toString();

        assertThat(execute("log", "entries", group, "--from", "1950", "--to", "1960", "--limit", "5")).isEqualTo(0);
        assertThat(out.toString().lines().toList()).hasSize(5)
            .allMatch(line -> line.matches("index=19(5[0-4]) term=2 type=NORMAL timestamp=\\S+ length=\\d+"));

        assertThat(execute("log", "entries", group, "--from", "1950", "--to", "1950", "--payload", "utf8"))
            .isEqualTo(0);
        assertThat(out.toString()).startsWith("index=1950 term=2 ").contains(" payload=\"");

        assertThat(execute("log", "entries", group, "--from", "9", "--to", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--from 9 is after --to 3");
        assertThat(execute("log", "entries", group, "--payload", "base64")).isEqualTo(2);
    }

    @Test
    void summaryDescribesEveryFileAndCallsTheLogHealthy() throws IOException
    {
        writeHistory();

        assertThat(execute("log", "summary", groupDirectory(dataDir).toString())).as(out + "\n" + err).isEqualTo(0);
        final String summary = out.toString();
        assertThat(summary)
            .contains("(group 7)")
            .contains("directory header: cluster 42, member 1, format 1")
            .contains("hard state: term 3, vote 1, commit 2250")
            .containsPattern("00000000000000001000-00000000000000000001\\.snap  index 1000  term 1  data 16 bytes  " +
                "membership voters=\\[1, 2, 3\\]  verified")
            .containsPattern("truncation marker at offset \\d+: entries from 1900 on were replaced")
            .containsPattern("base 1900  entries 1900\\.\\.\\d+ \\(\\d+\\)  terms 2")
            .containsPattern("log: first index \\d+, last index " + (CONF_CHANGE_INDEX + 1))
            .contains("HEALTHY")
            .doesNotContain("DAMAGE");
    }

    @Test
    void aNodeDataDirectoryWithGroupSelectsTheGroupDirectory() throws IOException
    {
        writeHistory();
        assertThat(execute("log", "summary", dataDir.toString(), "--group", "7")).isEqualTo(0);
        assertThat(out.toString()).contains("group directory " + groupDirectory(dataDir), "HEALTHY");

        assertThat(execute("log", "summary", dataDir.toString())).as("the only group").isEqualTo(0);

        assertThat(execute("log", "summary", dataDir.toString(), "--group", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("holds no ringraft group 3", "groups [7]");
    }

    @Test
    void aMissingOrForeignDirectoryIsAUsageError() throws IOException
    {
        final Path missing = dataDir.resolve("nowhere");
        assertThat(execute("log", "summary", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(missing + ": no such directory");

        assertThat(execute("log", "entries", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(missing + ": no such directory");

        final Path other = Files.createDirectories(dataDir.resolve("photos"));
        assertThat(execute("log", "summary", other.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(other + " is not a ringraft group directory");

        assertThat(execute("log", "summary")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'DIR'");
        assertThat(execute("log")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command");
    }

    @Test
    void aFlippedByteInAMiddleRecordIsDamageNamingTheFileAndOffset() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final LogInspector.Report healthy = LogInspector.inspect(group, -1, null);
        final LogInspector.SegmentReport middle = healthy.segments().get(1);
        final long victim = (middle.baseIndex() + middle.lastIndex()) / 2;
        final long[] position = {-1};
        LogInspector.inspect(group, -1, (buffer, at, index, term) ->
        {
            if (index == victim)
            {
                position[0] = at;
            }
        });
        final Path segment = middle.file();
        LogFixtures.flipBits(segment, position[0] + 40, 0x5A);
        final List<String> filesBefore = fingerprint(group);

        assertThat(execute("log", "summary", group.toString())).isEqualTo(1);
        final String damage = "DAMAGE: " + segment + " at offset " + position[0] + ": record of index " + victim +
            " is damaged (CRC32C mismatch)";
        assertThat(out.toString()).contains(damage, "DAMAGED: 1 problem(s)").doesNotContain("HEALTHY");
        assertThat(execute("log", "entries", group.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(damage);
        assertThat(entries(out.toString())).extracting(Listed::index)
            .as("the damaged record and the rest of its segment are not listed; later segments' entries are")
            .contains(victim - 1, middle.lastIndex() + 1)
            .doesNotContain(victim, middle.lastIndex());

        // What the inspector calls damage is what stops a node, at the same place; and inspecting changed nothing.
        assertThat(fingerprint(group)).as("files after inspecting").isEqualTo(filesBefore);
        assertThatThrownBy(() -> DurableLog.open(new LogConfig().dataDirectory(dataDir).clusterId(42).memberId(1)
            .groupId(7).segmentLength(LogConfig.MIN_SEGMENT_LENGTH)))
            .isInstanceOfSatisfying(CorruptLogException.class, ex ->
            {
                assertThat(ex.file()).isEqualTo(segment);
                assertThat(ex.offset()).isEqualTo(position[0]);
            });
    }

    @Test
    void aTornTailIsReportedAndTheLogStaysHealthy() throws IOException
    {
        final Map<Long, Long> history = writeHistory();
        final Path group = groupDirectory(dataDir);
        final LogInspector.Report before = LogInspector.inspect(group, -1, null);
        final LogInspector.SegmentReport last = before.segments().get(before.segments().size() - 1);
        // A record a crash cut short: its frame is there, its bytes and checksum are not.
        try (RandomAccessFile raf = new RandomAccessFile(last.file().toFile(), "rw"))
        {
            raf.seek(last.bytesUsed());
            raf.writeInt(Integer.reverseBytes(120));
            raf.writeInt(0x12345678);
            raf.writeLong(0x0102030405060708L);
        }

        assertThat(execute("log", "summary", group.toString())).as(out.toString()).isEqualTo(0);
        assertThat(out.toString())
            .contains("note: " + last.file() + " at offset " + last.bytesUsed() + ": torn tail: the record after " +
                "index " + (CONF_CHANGE_INDEX + 1) + " is incomplete")
            .contains("HEALTHY");
        assertThat(execute("log", "entries", group.toString())).isEqualTo(0);
        assertThat(entries(out.toString())).extracting(Listed::index).endsWith(CONF_CHANGE_INDEX + 1);
        assertThat(history).containsKey(CONF_CHANGE_INDEX + 1);
    }

    @Test
    void aGarbledHeaderAMissingSegmentAndAShortFileAreDamageNamingTheirFile() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final List<Path> segments = segmentFiles();
        assertThat(segments).hasSize(3);
        final Path header = group.resolve("directory-header");
        final byte[] goodHeader = Files.readAllBytes(header);
        Files.write(header, "not a ringraft header".getBytes());
        Files.delete(segments.get(1));
        final Path snapshot;
        try (Stream<Path> snapshots = Files.list(group.resolve("snapshots")))
        {
            snapshot = snapshots.sorted().toList().get(0);
        }
        LogFixtures.flipBits(snapshot, Files.size(snapshot) - 1, 0x5A);

        assertThat(execute("log", "summary", group.toString())).isEqualTo(1);
        assertThat(out.toString())
            .contains("directory header: missing or unreadable")
            .contains("DAMAGE: " + header + " at offset 0: " + header + ": expected a ringraft directory header")
            .contains("DAMAGE: " + segments.get(2) + " at offset 0: segment starts at index " +
                baseIndex(segments.get(2)) + " but the previous segment " + segments.get(0).getFileName() +
                " ends at index " + (baseIndex(segments.get(1)) - 1) + ", so the segment(s) holding indexes " +
                baseIndex(segments.get(1)) + ".." + (baseIndex(segments.get(2)) - 1) + " are missing")
            .contains(snapshot.getFileName() + "  NOT VERIFIED: data CRC32C mismatch")
            .contains("note: " + snapshot + " at offset 0: snapshot does not verify")
            .containsPattern("DAMAGED: 2 problem");

        Files.write(header, goodHeader);
        try (RandomAccessFile raf = new RandomAccessFile(segments.get(2).toFile(), "rw"))
        {
            raf.setLength(10);
        }
        assertThat(execute("log", "summary", group.toString())).isEqualTo(1);
        assertThat(out.toString())
            .contains("directory header: cluster 42")
            .contains("DAMAGE: " + segments.get(2) + " at offset 0: segment file of 10 bytes is too short for its " +
                "header")
            .containsPattern("log: first index 1324, last index 1762\n")
            .containsPattern("DAMAGED: 2 problem");
    }

    private static long baseIndex(final Path segment)
    {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    /** Every file and directory under {@code root}: name, size, modification time and content checksum. */
    private static List<String> fingerprint(final Path root) throws IOException
    {
        final List<String> entries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.sorted().toList())
            {
                final CRC32 crc = new CRC32();
                if (Files.isRegularFile(file))
                {
                    crc.update(Files.readAllBytes(file));
                }
                entries.add(root.relativize(file) + " " + Files.size(file) + " " + Files.getLastModifiedTime(file) +
                    " " + crc.getValue());
            }
        }
        return entries;
    }

}
