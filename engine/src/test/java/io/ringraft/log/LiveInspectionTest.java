/*
 * ringraft
 */
package io.ringraft.log;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ringraft.log.LogFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inspector on a log that a member is writing: a scan can read one record's bytes before the writer's pwrite
 * reaches them and the next record's after, so it sees a zero frame followed by a valid record. That is not damage;
 * the same frame zero on every look is.
 */
class LiveInspectionTest
{
    @TempDir
    Path dir;

    @Test
    void aRecordCaughtBeforeItsWriteLandedIsNotReportedAsDamage() throws IOException
    {
        final int zeroedRecord = LogFixtures.logWithWatermarkBehind(config(dir), 2, 5);
        final List<Long> listed = new ArrayList<>();
        final LogInspector.Report report = LogInspector.inspect(new ZeroingDisk(zeroedRecord, 1),
            config(dir).conclude().groupDirectory(), 7, (buffer, position, index, term) -> listed.add(index));

        assertThat(report.defects()).as("%s", report.defects()).noneMatch(LogInspector.Defect::damage);
        assertThat(report.defects()).anySatisfy(defect -> assertThat(defect.problem())
            .startsWith("changed while being read"));
        assertThat(report.healthy()).isTrue();
        assertThat(listed).as("records listed from the first look, the one the writer had not reached skipped")
            .startsWith(1L, 2L).doesNotContain(3L);
    }

    @Test
    void aZeroFrameFollowedByAValidRecordOnEveryLookIsDamage() throws IOException
    {
        final int zeroedRecord = LogFixtures.logWithWatermarkBehind(config(dir), 2, 5);
        final LogInspector.Report report = LogInspector.inspect(new ZeroingDisk(zeroedRecord, Integer.MAX_VALUE),
            config(dir).conclude().groupDirectory(), 7, null);

        assertThat(report.defects()).anySatisfy(defect ->
        {
            assertThat(defect.damage()).isTrue();
            assertThat(defect.offset()).isEqualTo(zeroedRecord);
            assertThat(defect.problem()).contains("a valid record follows");
        });
    }

    /** The real files, except that the first {@code looks} maps of a segment read one record's first bytes as zero. */
    private static final class ZeroingDisk implements Disk
    {
        private final int offset;
        private final int looks;
        private final AtomicInteger maps = new AtomicInteger();

        ZeroingDisk(final int offset, final int looks)
        {
            this.offset = offset;
            this.looks = looks;
        }

        @Override
        public DiskFile open(final Path file, final OpenMode mode) throws IOException
        {
            final DiskFile real = FileDisk.INSTANCE.open(file, mode);
            return new DiskFile()
            {
                @Override
                public long size() throws IOException
                {
                    return real.size();
                }

                @Override
                public int read(final ByteBuffer dst, final long position) throws IOException
                {
                    return real.read(dst, position);
                }

                @Override
                public int write(final ByteBuffer src, final long position) throws IOException
                {
                    return real.write(src, position);
                }

                @Override
                public void setLength(final long length) throws IOException
                {
                    real.setLength(length);
                }

                @Override
                public void force(final boolean metadata) throws IOException
                {
                    real.force(metadata);
                }

                @Override
                public MappedRegion map(final boolean writable, final long at, final int length) throws IOException
                {
                    final MappedRegion mapped = real.map(writable, at, length);
                    if (writable || !file.getFileName().toString().endsWith(Segment.SUFFIX) || maps.getAndIncrement() >= looks)
                    {
                        return mapped;
                    }
                    final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
                    copy.putBytes(0, mapped.buffer(), 0, length);
                    mapped.unmap();
                    copy.setMemory(offset, Long.BYTES, (byte)0);
                    return new MappedRegion()
                    {
                        @Override
                        public UnsafeBuffer buffer()
                        {
                            return copy;
                        }

                        @Override
                        public ByteBuffer byteBuffer()
                        {
                            return copy.byteBuffer();
                        }

                        @Override
                        public void force(final int from, final int bytes)
                        {
                        }

                        @Override
                        public void unmap()
                        {
                        }
                    };
                }

                @Override
                public void close() throws IOException
                {
                    real.close();
                }
            };
        }

        @Override
        public boolean exists(final Path path)
        {
            return FileDisk.INSTANCE.exists(path);
        }

        @Override
        public boolean isDirectory(final Path path)
        {
            return FileDisk.INSTANCE.isDirectory(path);
        }

        @Override
        public boolean isRegularFile(final Path path)
        {
            return FileDisk.INSTANCE.isRegularFile(path);
        }

        @Override
        public long size(final Path file) throws IOException
        {
            return FileDisk.INSTANCE.size(file);
        }

        @Override
        public void createDirectories(final Path directory) throws IOException
        {
            FileDisk.INSTANCE.createDirectories(directory);
        }

        @Override
        public List<Path> list(final Path directory, final String glob) throws IOException
        {
            return FileDisk.INSTANCE.list(directory, glob);
        }

        @Override
        public void delete(final Path path) throws IOException
        {
            FileDisk.INSTANCE.delete(path);
        }

        @Override
        public boolean deleteIfExists(final Path path) throws IOException
        {
            return FileDisk.INSTANCE.deleteIfExists(path);
        }

        @Override
        public void moveAtomically(final Path source, final Path target) throws IOException
        {
            FileDisk.INSTANCE.moveAtomically(source, target);
        }

        @Override
        public void copy(final Path source, final Path target) throws IOException
        {
            FileDisk.INSTANCE.copy(source, target);
        }

        @Override
        public void fsyncDirectory(final Path directory) throws IOException
        {
            FileDisk.INSTANCE.fsyncDirectory(directory);
        }

        @Override
        public byte[] readAllBytes(final Path file) throws IOException
        {
            return FileDisk.INSTANCE.readAllBytes(file);
        }
    }
}
