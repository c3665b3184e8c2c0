/*
 * ringraft
 */
package io.ringraft.tools.log;

import io.ringraft.codecs.sbe.ConfChangeType;
import io.ringraft.codecs.sbe.EntryType;
import io.ringraft.log.DurableLog;
import io.ringraft.log.ForeignDirectoryException;
import io.ringraft.log.FsyncPolicy;
import io.ringraft.log.LogConfig;
import io.ringraft.log.LogFixtures;
import io.ringraft.log.LogInspector;
import io.ringraft.log.RecoveryVerdict;
import io.ringraft.raft.LogRepair;
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
        try (LogHistory history = new LogHistory(dataDir, FsyncPolicy.ALWAYS))
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
            .contains("directory header: cluster 42, member 1, format 2")
            .contains("hard state: term 3, vote 1, commit 2250")
            .contains("synced watermark: index " + (CONF_CHANGE_INDEX + 1) + " (term 3)")
            .containsPattern("00000000000000001000-00000000000000000001\\.snap  index 1000  term 1  data 16 bytes  " +
                "membership voters=\\[1, 2, 3\\]  verified")
            .containsPattern("truncation marker at offset \\d+: entries from 1900 on were replaced")
            .containsPattern("base 1900  entries 1900\\.\\.\\d+ \\(\\d+\\)  terms 2")
            .containsPattern("log: first index \\d+, last index " + (CONF_CHANGE_INDEX + 1))
            .endsWith("HEALTHY: a start keeps every entry (last index " + (CONF_CHANGE_INDEX + 1) + "); synced " +
                "watermark " + (CONF_CHANGE_INDEX + 1) + " (term 3)\n")
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
    void aFlippedByteInAMiddleRecordIsDamageNamingTheFileAndOffsetAndTheStartRepairsIt() throws IOException
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
        final String verdict = "DAMAGED at " + segment + ":" + position[0] + ": record of index " + victim;
        assertThat(out.toString()).contains(damage).contains(verdict).contains("REPAIR NEEDED: a start keeps " +
            "indexes up to " + (victim - 1)).doesNotContain("HEALTHY");
        assertThat(execute("log", "entries", group.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(damage, verdict);
        assertThat(entries(out.toString())).extracting(Listed::index)
            .as("the damaged record and the rest of its segment are not listed; later segments' entries are")
            .contains(victim - 1, middle.lastIndex() + 1)
            .doesNotContain(victim, middle.lastIndex());
        assertThat(execute("log", "verify", group.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("  PROBLEM " + damage.substring("DAMAGE: ".length()),
            "  verdict: " + verdict);

        // Inspecting changed nothing; what the inspector says is what a start does.
        assertThat(fingerprint(group)).as("files after inspecting").isEqualTo(filesBefore);
        assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        try (DurableLog log = DurableLog.open(config()))
        {
            assertThat(log.repair()).isEqualTo(new LogRepair(CONF_CHANGE_INDEX + 1, victim, false));
        }
    }

    private static LogConfig config(final Path dataDir)
    {
        return LogHistory.config(dataDir);
    }

    private LogConfig config()
    {
        return config(dataDir);
    }

    /**
     * Runs {@code log summary} and a start on the directory: the start reaches the verdict the summary printed last
     * (a refusal leaving every file as it was, a repair reporting what the verdict said is missing).
     *
     * @return the verdict.
     */
    private RecoveryVerdict assertStartDoesWhatTheInspectorSaid(final Path group, final RecoveryVerdict.Kind kind)
    {
        final List<String> before = fingerprint(group);
        final int exitCode = execute("log", "summary", group.toString());
        final List<String> lines = out.toString().lines().toList();
        final RecoveryVerdict verdict = LogInspector.inspect(group, -1, null).verdict();
        assertThat(verdict.kind()).as(out.toString()).isEqualTo(kind);
        assertThat(lines.get(lines.size() - 1)).isEqualTo(verdict.describe());
        assertThat(exitCode).isEqualTo(RecoveryVerdict.Kind.HEALTHY == kind ? 0 : 1);
        assertThat(fingerprint(group)).as("after the summary").isEqualTo(before);
        if (RecoveryVerdict.Kind.REFUSE == kind)
        {
            assertThatThrownBy(() -> DurableLog.open(config()))
                .hasMessage(verdict.refusal().getMessage())
                .hasMessageNotContaining("\n");
            assertThat(fingerprint(group)).as("after the refused start").isEqualTo(before);
        }
        else
        {
            try (DurableLog log = DurableLog.open(config()))
            {
                assertThat(log.repair()).isEqualTo(verdict.repair());
                assertThat(log.lastIndex()).isEqualTo(verdict.lastIndex());
                assertThat(log.hardState().commit()).isLessThanOrEqualTo(log.lastIndex());
            }
        }
        return verdict;
    }

    @Test
    void aTornTailPastTheWatermarkIsTheCutAStartMakes() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final Path hardState = group.resolve("hardstate");
        final byte[] watermark = Files.readAllBytes(hardState);
        // Written and synced but, as if the crash came before the watermark's sync, never acknowledged.
        try (LogHistory history = new LogHistory(dataDir, FsyncPolicy.ALWAYS))
        {
            history.append(CONF_CHANGE_INDEX + 2, CONF_CHANGE_INDEX + 3, 3);
        }
        Files.write(hardState, watermark);
        final LogInspector.Report before = LogInspector.inspect(group, -1, null);
        final LogInspector.SegmentReport last = before.segments().get(before.segments().size() - 1);
        final long[] position = {-1};
        LogInspector.inspect(group, -1, (buffer, at, index, term) ->
        {
            if (index == CONF_CHANGE_INDEX + 3)
            {
                position[0] = at;
            }
        });
        // A record a crash cut short: its frame is there, its bytes and checksum are not.
        LogFixtures.flipBits(last.file(), position[0] + 4, 0x01);

        assertThat(execute("log", "summary", group.toString())).as(out.toString()).isEqualTo(1);
        assertThat(out.toString())
            .contains("note: " + last.file() + " at offset " + position[0] + ": the records end here: the record " +
                "after index " + (CONF_CHANGE_INDEX + 2) + " is incomplete or damaged")
            .contains("WILL CUT TORN TAIL AT " + last.file() + ":" + position[0])
            .contains("past the synced watermark " + (CONF_CHANGE_INDEX + 1));
        assertThat(execute("log", "entries", group.toString())).isEqualTo(1);
        assertThat(entries(out.toString())).extracting(Listed::index).endsWith(CONF_CHANGE_INDEX + 2);
        assertThat(execute("log", "verify", group.toString())).as("a cut to come is not clean").isEqualTo(1);
        assertThat(out.toString()).contains("  note: " + last.file() + " at offset " + position[0] + ": the records " +
            "end here", "  verdict: WILL CUT TORN TAIL AT " + last.file() + ":" + position[0]);
        assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.CUT_TORN_TAIL);
        assertThat(execute("log", "summary", group.toString())).as("the cut is durable").isEqualTo(0);
    }

    @Test
    void anEmptyHardStateNextToALogIsALostHardStateNotANewMember() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        Files.write(group.resolve("hardstate"), new byte[0]);
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.describe()).startsWith("DAMAGED at " + group.resolve("hardstate") + ":0: the hard state " +
            "file is empty next to a log or snapshot, so this member's term and vote are unknown");
        assertThat(verdict.repair().hardStateLost()).isTrue();
    }

    @Test
    void aTruncatedHardStateIsLost() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        try (RandomAccessFile raf = new RandomAccessFile(group.resolve("hardstate").toFile(), "rw"))
        {
            raf.setLength(1000);
        }
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.describe()).contains("the hard state file is cut to 1000 bytes");
        assertThat(verdict.repair().hardStateLost()).isTrue();
    }

    @Test
    void oneDamagedHardStateSlotIsALostHardState() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final long sequence = LogInspector.inspect(group, -1, null).hardState().sequence();
        LogFixtures.flipBits(group.resolve("hardstate"), (sequence & 1) * 4096 + 20, 0x7F);
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.describe()).contains("one hard state slot is damaged and may have been the newer one");
        assertThat(verdict.repair().hardStateLost()).isTrue();
    }

    @Test
    void twoDamagedHardStateSlotsAreALostHardState() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        LogFixtures.flipBits(group.resolve("hardstate"), 20, 0x7F);
        LogFixtures.flipBits(group.resolve("hardstate"), 4096 + 20, 0x7F);
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.describe()).contains("both hard state slots are damaged");
        assertThat(verdict.repair().hardStateLost()).isTrue();
    }

    @Test
    void aMissingHardStateNextToALogIsLost() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        Files.delete(group.resolve("hardstate"));
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.describe()).contains("the hard state file is missing");
        assertThat(verdict.repair().hardStateLost()).isTrue();
    }

    @Test
    void aDeletedLastSegmentIsMissingSyncedRecords() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final List<Path> segments = segmentFiles();
        final Path last = segments.get(segments.size() - 1);
        Files.delete(last);
        assertThat(execute("log", "verify", dataDir.toString())).isEqualTo(1);
        final String verified = out.toString();
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verified).contains("  verdict: " + verdict.describe());
        assertThat(verdict.describe()).startsWith("DAMAGED at " + segments.get(segments.size() - 2) + ":")
            .contains("the log ends at index " + (baseIndex(last) - 1) + " but the synced watermark is " +
                (CONF_CHANGE_INDEX + 1));
        assertThat(verdict.repair()).isEqualTo(new LogRepair(CONF_CHANGE_INDEX + 1, baseIndex(last), false));
    }

    @Test
    void aFlippedChecksumOfTheLastRecordIsDamageNotATornTail() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final long[] position = {-1};
        LogInspector.inspect(group, -1, (buffer, at, index, term) ->
        {
            if (index == CONF_CHANGE_INDEX + 1)
            {
                position[0] = at;
            }
        });
        final Path last = segmentFiles().get(segmentFiles().size() - 1);
        LogFixtures.flipBits(last, position[0] + 4, 0x01);
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.describe()).startsWith("DAMAGED at " + last + ":" + position[0] + ": record of index " +
            (CONF_CHANGE_INDEX + 1) + " is damaged or incomplete (CRC32C mismatch)");
        assertThat(verdict.repair()).isEqualTo(new LogRepair(CONF_CHANGE_INDEX + 1, CONF_CHANGE_INDEX + 1, false));
    }

    @Test
    void theLast4KiBOfWrittenLogZeroedIsMissingSyncedRecords() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final LogInspector.SegmentReport last = LogInspector.inspect(group, -1, null).segments().get(2);
        final long[] firstDamaged = {-1};
        LogInspector.inspect(group, -1, (buffer, at, index, term) ->
        {
            if (firstDamaged[0] < 0 && index >= last.baseIndex() && at + 200 > last.bytesUsed() - 4096)
            {
                firstDamaged[0] = index; // the first record whose bytes reach into the zeroed range
            }
        });
        LogFixtures.zero(last.file(), last.bytesUsed() - 4096, 4096);
        final RecoveryVerdict verdict = assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REPAIR);
        assertThat(verdict.file()).isEqualTo(last.file());
        assertThat(verdict.repair().syncedThroughIndex()).isEqualTo(CONF_CHANGE_INDEX + 1);
        assertThat(verdict.repair().firstMissingIndex()).isBetween(firstDamaged[0], firstDamaged[0] + 1);
    }

    @Test
    void anotherMembersDirectoryIsRefusedAndLeftAsItWas() throws IOException
    {
        writeHistory();
        final Path group = groupDirectory(dataDir);
        final List<String> before = fingerprint(group);
        assertThatThrownBy(() -> DurableLog.open(config().memberId(2)))
            .isInstanceOf(ForeignDirectoryException.class)
            .hasMessageStartingWith(group.resolve("directory-header") + " at offset 0: expected cluster 42 member 2");
        assertThat(fingerprint(group)).isEqualTo(before);
        final Path stray = Files.write(group.resolve("log").resolve("core.12345"), new byte[]{ 7 });
        assertThat(assertStartDoesWhatTheInspectorSaid(group, RecoveryVerdict.Kind.REFUSE).describe())
            .startsWith("REFUSED: " + stray + " at offset 0: unexpected file in the log directory");
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
            .contains("DAMAGE: " + header + " at offset 0: expected a ringraft directory header")
            .contains("DAMAGE: " + segments.get(2) + " at offset 0: segment starts at index " +
                baseIndex(segments.get(2)) + " but the previous segment " + segments.get(0).getFileName() +
                " ends at index " + (baseIndex(segments.get(1)) - 1) + ", so the segment(s) holding indexes " +
                baseIndex(segments.get(1)) + ".." + (baseIndex(segments.get(2)) - 1) + " are missing")
            .contains(snapshot.getFileName() + "  NOT VERIFIED: data CRC32C mismatch")
            .contains("note: " + snapshot + " at offset 0: snapshot does not verify")
            .endsWith("REFUSED: " + header + " at offset 0: expected a ringraft directory header, found 21 bytes " +
                "with frame length out of range: the directory was not created by ringraft or the header is " +
                "damaged. Restore the header from a backup or, if this member's data is expendable, delete " + group +
                " so the member resyncs from its peers\n");
        assertThat(execute("log", "verify", group.toString())).isEqualTo(1);
        assertThat(out.toString()).contains(
            "  PROBLEM " + header + " at offset 0: expected a ringraft directory header",
            "  PROBLEM " + segments.get(2) + " at offset 0: segment starts at index " + baseIndex(segments.get(2)),
            "  PROBLEM " + snapshot + " at offset 0: snapshot does not verify (data CRC32C mismatch)",
            "  verdict: REFUSED: " + header);

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
            .contains("DAMAGED at " + segments.get(2) + ":0: its header is damaged (segment file of 10 bytes is too " +
                "short for its header)")
            .contains("REPAIR NEEDED");
    }

    private static long baseIndex(final Path segment)
    {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    /** Every file and directory under {@code root}: name, size, modification time and content checksum. */
    private static List<String> fingerprint(final Path root)
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
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        return entries;
    }

}
