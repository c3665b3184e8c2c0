package io.ringraft.log.sim;

import io.ringraft.log.Disk;
import io.ringraft.log.DiskFile;
import io.ringraft.log.MappedRegion;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A simulated {@link Disk} for deterministic simulation: no real files, paths are names only, every random choice
 * comes from the {@link Random} it is given, and it never blocks (a simulator models latency by when it runs the
 * stage that forces, using the {@link #bytesWritten()} and {@link #forces()} counters).
 * <p>
 * <b>Content.</b> Each file has volatile content (what reads and mapped regions see: a mapped region is an
 * {@link UnsafeBuffer} over the file's own byte array) and a durable image (what survives a crash). A force of the file
 * ({@link DiskFile#force}) or of a mapped range ({@link MappedRegion#force}) copies the 4 KiB pages it covers, and the
 * file's length, into the durable image.
 * <p>
 * <b>Names.</b> Creating, renaming and deleting a file or directory changes the volatile namespace at once; each such
 * operation becomes durable only with {@link #fsyncDirectory} of a directory it touched (a rename touches two), as
 * POSIX promises and no more: a crash before that may lose a just-created or just-renamed file, or bring back a
 * deleted one. A file whose directory did not survive is lost with it.
 * <p>
 * <b>{@link #crash()}</b>: synced content and names survive. Each operation on names not yet synced survives or not, at
 * random and independently. Of each file, each page whose volatile content differs from its durable image reaches the
 * disk or not, independently; then one of the pages that reached it may be torn: only its first k 512-byte sectors
 * (k in 1..7) are new, the rest old ({@link #tearAtAnyByte} tears at a random byte instead). The length is the
 * durable one or the volatile one. Handles and mappings made before a crash are detached from the disk: what they
 * write afterwards is lost. A new {@code DurableLog.open} on the same disk is the restarted member.
 * <p>
 * <b>Faults</b>: {@link #failNextForces} / {@link #forceFailureRate} make forces and directory fsyncs fail with an
 * {@link IOException} ({@link UncheckedIOException} from a mapped region, as {@code MappedByteBuffer.force} does). A
 * failed force behaves as Linux after a writeback error: the pages it failed to write are marked clean, so a later
 * force does not write them either unless they change again, and a crash keeps their old content. Damage to synced
 * bytes ({@link #flipBit}, {@link #zeroSector}, {@link #lose}, {@link #truncate}) changes the durable image and what
 * reads see alike, as a medium error found after the page cache was dropped.
 */
public final class SimDisk implements Disk
{
    public static final int PAGE = 4096;
    public static final int SECTOR = 512;

    private final Random random;
    private final TreeMap<Path, Object> live = new TreeMap<>();
    private final TreeMap<Path, Object> durable = new TreeMap<>();
    private final List<NameOp> pending = new ArrayList<>();
    private final PathMatcher all = FileSystems.getDefault().getPathMatcher("glob:*");
    private int failingForces;
    private double forceFailureRate;
    private boolean ignoringForces;
    private boolean tearAtAnyByte;
    private long bytesWritten;
    private long bytesForced;
    private long forces;
    private long failedForces;
    private long crashes;

    public SimDisk(final Random random)
    {
        this.random = random;
    }

    /** Seeds a {@link Random} with {@code seed} scrambled: the first draws of Randoms of nearby seeds are alike. */
    public SimDisk(final long seed)
    {
        this(new Random(scramble(seed)));
    }

    private static long scramble(final long seed)
    {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- faults and counters ----

    /** The next {@code count} forces or directory fsyncs fail. */
    public SimDisk failNextForces(final int count)
    {
        failingForces = count;
        return this;
    }

    /** Each force or directory fsync fails with this probability (drawn from the disk's random). */
    /**
     * Forces of mapped regions (the log's segments) succeed and make nothing durable; other files and directories
     * are forced as usual. A log on it acknowledges appends a crash then loses: the effect of acknowledging an
     * append before its fsync, for a simulator's planted bug.
     */
    public SimDisk ignoreForces(final boolean ignore)
    {
        ignoringForces = ignore;
        return this;
    }

    public SimDisk forceFailureRate(final double rate)
    {
        forceFailureRate = rate;
        return this;
    }

    /** A crash tears a page at a random byte rather than at a 512-byte sector boundary. */
    public SimDisk tearAtAnyByte(final boolean tearAtAnyByte)
    {
        this.tearAtAnyByte = tearAtAnyByte;
        return this;
    }

    /** Bytes written through file handles (mapped writes are not seen until forced: see {@link #bytesForced()}). */
    public long bytesWritten()
    {
        return bytesWritten;
    }

    /** Bytes of the pages forces copied to the durable image. */
    public long bytesForced()
    {
        return bytesForced;
    }

    /** Successful forces of files, mapped ranges and directories. */
    public long forces()
    {
        return forces;
    }

    public long failedForces()
    {
        return failedForces;
    }

    public long crashes()
    {
        return crashes;
    }

    /** The regular files now visible, in name order. */
    public List<Path> files()
    {
        final List<Path> files = new ArrayList<>();
        live.forEach((path, node) ->
        {
            if (node instanceof Inode)
            {
                files.add(path);
            }
        });
        return files;
    }

    /**
     * Creates {@code directory} and its parents durably at once, as an operator provisions a data directory before a
     * node runs.
     */
    public SimDisk createDirectoriesDurably(final Path directory) throws IOException
    {
        createDirectories(directory);
        for (Path path = directory; null != path && null != path.getParent(); path = path.getParent())
        {
            durable.put(path, live.get(path));
        }
        pending.removeIf(op -> op.node() instanceof Directory && null == op.from() && durable.containsKey(op.to()));
        return this;
    }

    /** A power loss: see the class comment. The disk stays usable, as it is found on restart. */
    public void crash()
    {
        crashes++;
        for (final NameOp op : pending)
        {
            if (random.nextBoolean())
            {
                op.apply(durable);
            }
        }
        pending.clear();
        // Drop what hangs below a directory that did not survive; parents sort before their children.
        durable.entrySet().removeIf(entry -> !parentExists(durable, entry.getKey()));
        final Map<Object, Object> renewed = new IdentityHashMap<>();
        for (final Map.Entry<Path, Object> entry : durable.entrySet())
        {
            entry.setValue(renewed.computeIfAbsent(entry.getValue(),
                node -> node instanceof Inode inode ? inode.afterCrash() : new Directory()));
        }
        live.clear();
        live.putAll(durable);
    }

    /** Flips one bit, {@code bit} counted from the file's start, in the durable image and in what reads see. */
    public void flipBit(final Path file, final long bit)
    {
        final Inode inode = inode(file);
        final int at = (int)(bit >>> 3);
        final byte mask = (byte)(1 << (bit & 7));
        inode.durableData[at] ^= mask;
        inode.data.putByte(at, (byte)(inode.data.getByte(at) ^ mask));
    }

    /** Flips a random bit of {@code file} (of its durable length), or of a random file when null. */
    public Path flipRandomBit(final Path file)
    {
        final Path target = null != file ? file : randomFile();
        final Inode inode = inode(target);
        if (inode.durableLength > 0)
        {
            flipBit(target, (long)(random.nextDouble() * inode.durableLength * 8L));
        }
        return target;
    }

    /** Zeroes 512-byte sector {@code sector} of the file, durably and in what reads see. */
    public void zeroSector(final Path file, final long sector)
    {
        final Inode inode = inode(file);
        final int from = (int)(sector * SECTOR);
        final int to = Math.min(from + SECTOR, inode.durableLength);
        if (from < to)
        {
            Arrays.fill(inode.durableData, from, to, (byte)0);
            inode.data.setMemory(from, to - from, (byte)0);
        }
    }

    /** Zeroes a random sector of {@code file}, or of a random file when null. */
    public Path zeroRandomSector(final Path file)
    {
        final Path target = null != file ? file : randomFile();
        final Inode inode = inode(target);
        final int sectors = (inode.durableLength + SECTOR - 1) / SECTOR;
        if (sectors > 0)
        {
            zeroSector(target, random.nextInt(sectors));
        }
        return target;
    }

    /** The file is gone, durably. */
    public void lose(final Path file)
    {
        inode(file);
        live.remove(file);
        durable.remove(file);
    }

    /** The file is cut to {@code length}, durably. */
    public void truncate(final Path file, final long length)
    {
        final Inode inode = inode(file);
        inode.resize((int)length);
        inode.durableLength = Math.min(inode.durableLength, (int)length);
        Arrays.fill(inode.durableData, inode.durableLength, inode.durableData.length, (byte)0);
    }

    /** A random regular file, or null when there is none. */
    public Path randomFile()
    {
        final List<Path> files = files();
        return files.isEmpty() ? null : files.get(random.nextInt(files.size()));
    }

    private Inode inode(final Path file)
    {
        if (live.get(file) instanceof Inode inode)
        {
            return inode;
        }
        throw new IllegalArgumentException("no file " + file + " on the simulated disk");
    }

    private void forceOrFail(final String what) throws IOException
    {
        if (failingForces > 0 || (forceFailureRate > 0 && random.nextDouble() < forceFailureRate))
        {
            if (failingForces > 0)
            {
                failingForces--;
            }
            failedForces++;
            throw new IOException("simulated I/O error forcing " + what);
        }
        forces++;
    }

    // ---- Disk ----

    @Override
    public boolean exists(final Path path)
    {
        return null == path.getParent() || live.containsKey(path);
    }

    @Override
    public boolean isDirectory(final Path path)
    {
        return null == path.getParent() || live.get(path) instanceof Directory;
    }

    @Override
    public boolean isRegularFile(final Path path)
    {
        return live.get(path) instanceof Inode;
    }

    @Override
    public long size(final Path file) throws IOException
    {
        return existing(file).length;
    }

    @Override
    public void createDirectories(final Path directory) throws IOException
    {
        if (null == directory.getParent())
        {
            return;
        }
        createDirectories(directory.getParent());
        final Object node = live.get(directory);
        if (node instanceof Inode)
        {
            throw new FileAlreadyExistsException(directory.toString());
        }
        if (null == node)
        {
            bind(directory, new Directory());
        }
    }

    @Override
    public List<Path> list(final Path directory, final String glob) throws IOException
    {
        if (!isDirectory(directory))
        {
            throw exists(directory) ? new NotDirectoryException(directory.toString()) :
                new NoSuchFileException(directory.toString());
        }
        final PathMatcher matcher = "*".equals(glob) ? all : FileSystems.getDefault().getPathMatcher("glob:" + glob);
        final List<Path> entries = new ArrayList<>();
        for (final Path path : live.keySet())
        {
            if (directory.equals(path.getParent()) && matcher.matches(path.getFileName()))
            {
                entries.add(path);
            }
        }
        return entries;
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        final Object node = live.get(path);
        if (null == node)
        {
            throw new NoSuchFileException(path.toString());
        }
        if (node instanceof Directory && !list(path, "*").isEmpty())
        {
            throw new DirectoryNotEmptyException(path.toString());
        }
        live.remove(path);
        pending.add(new NameOp(path, null, node));
    }

    @Override
    public boolean deleteIfExists(final Path path) throws IOException
    {
        if (!live.containsKey(path))
        {
            return false;
        }
        delete(path);
        return true;
    }

    @Override
    public void moveAtomically(final Path source, final Path target) throws IOException
    {
        final Object node = live.get(source);
        if (null == node)
        {
            throw new NoSuchFileException(source.toString());
        }
        checkParent(target);
        if (live.get(target) instanceof Directory)
        {
            throw new FileAlreadyExistsException(target.toString());
        }
        live.remove(source);
        live.put(target, node);
        pending.add(new NameOp(source, target, node));
    }

    @Override
    public void copy(final Path source, final Path target) throws IOException
    {
        final Inode from = existing(source);
        if (live.containsKey(target))
        {
            throw new FileAlreadyExistsException(target.toString());
        }
        checkParent(target);
        final Inode copy = new Inode();
        copy.resize(from.length);
        copy.data.putBytes(0, from.data, 0, from.length);
        bytesWritten += from.length;
        bind(target, copy);
    }

    @Override
    public void fsyncDirectory(final Path directory) throws IOException
    {
        if (!isDirectory(directory))
        {
            throw new NoSuchFileException(directory.toString());
        }
        forceOrFail(directory.toString());
        for (final Iterator<NameOp> ops = pending.iterator(); ops.hasNext(); )
        {
            final NameOp op = ops.next();
            if (op.touches(directory))
            {
                op.apply(durable);
                ops.remove();
            }
        }
    }

    @Override
    public DiskFile open(final Path file, final OpenMode mode) throws IOException
    {
        final Object node = live.get(file);
        if (node instanceof Directory)
        {
            throw new IOException(file + " is a directory");
        }
        Inode inode = (Inode)node;
        if (null == inode)
        {
            if (OpenMode.READ == mode || OpenMode.READ_WRITE == mode)
            {
                throw new NoSuchFileException(file.toString());
            }
            checkParent(file);
            inode = new Inode();
            bind(file, inode);
        }
        else if (OpenMode.CREATE_TRUNCATE == mode)
        {
            inode.resize(0);
        }
        return new Handle(file, inode, OpenMode.READ != mode);
    }

    @Override
    public byte[] readAllBytes(final Path file) throws IOException
    {
        final Inode inode = existing(file);
        final byte[] bytes = new byte[inode.length];
        inode.data.getBytes(0, bytes);
        return bytes;
    }

    @Override
    public String toString()
    {
        return "SimDisk{files=" + files().size() + ", unsyncedNameOps=" + pending.size() + ", forces=" + forces +
            ", crashes=" + crashes + '}';
    }

    private Inode existing(final Path file) throws IOException
    {
        final Object node = live.get(file);
        if (node instanceof Inode inode)
        {
            return inode;
        }
        throw null == node ? new NoSuchFileException(file.toString()) : new IOException(file + " is a directory");
    }

    private void checkParent(final Path path) throws IOException
    {
        if (!parentExists(live, path))
        {
            throw new NoSuchFileException(path.toString(), null, "no directory " + path.getParent());
        }
    }

    private static boolean parentExists(final Map<Path, Object> names, final Path path)
    {
        final Path parent = path.getParent();
        return null == parent || null == parent.getParent() || names.get(parent) instanceof Directory;
    }

    private void bind(final Path path, final Object node)
    {
        live.put(path, node);
        pending.add(new NameOp(null, path, node));
    }

    /** A change of names not yet durable: a create ({@code from} null), delete ({@code to} null) or rename. */
    private record NameOp(Path from, Path to, Object node)
    {
        boolean touches(final Path directory)
        {
            return (null != from && directory.equals(from.getParent())) ||
                (null != to && directory.equals(to.getParent()));
        }

        void apply(final Map<Path, Object> names)
        {
            if (null != from && names.get(from) == node)
            {
                names.remove(from);
            }
            if (null != to)
            {
                names.put(to, node);
            }
        }
    }

    private static final class Directory
    {
    }

    /** A file's content: volatile bytes, the durable image, and the mapped regions viewing the volatile bytes. */
    private final class Inode
    {
        /** Off-heap, as a mapping is: the log checksums records by address. */
        UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(0));
        int length;
        byte[] durableData = new byte[0];
        int durableLength;
        /** Pages a failed force left clean but unwritten, with the content they had then. */
        final Map<Integer, byte[]> abandoned = new TreeMap<>();
        final List<Region> regions = new ArrayList<>();

        void resize(final int newLength)
        {
            ensureCapacity(newLength);
            if (newLength < length)
            {
                data.setMemory(newLength, length - newLength, (byte)0);
            }
            length = newLength;
        }

        void ensureCapacity(final int capacity)
        {
            // Both arrays always have the same length; mapped regions follow the volatile one when it grows.
            if (capacity > data.capacity())
            {
                final UnsafeBuffer grown = new UnsafeBuffer(ByteBuffer.allocateDirect(
                    Math.max(capacity, Math.min(Integer.MAX_VALUE - 8, data.capacity() * 2))));
                grown.putBytes(0, data, 0, data.capacity());
                data = grown;
                durableData = Arrays.copyOf(durableData, data.capacity());
                for (final Region region : regions)
                {
                    region.buffer.wrap(data.byteBuffer(), region.offset, region.length);
                }
            }
        }

        void force(final long from, final long to, final String what) throws IOException
        {
            final int firstPage = (int)(from / PAGE);
            final int endPage = (int)Math.min((to + PAGE - 1) / PAGE, pages());
            try
            {
                forceOrFail(what);
            }
            catch (final IOException ex)
            {
                for (int page = firstPage; page < endPage; page++)
                {
                    if (dirty(page))
                    {
                        abandoned.put(page, volatilePage(page));
                    }
                }
                throw ex;
            }
            ensureCapacity(length);
            for (int page = firstPage; page < endPage; page++)
            {
                final byte[] lost = abandoned.get(page);
                if (null != lost && Arrays.equals(lost, volatilePage(page)))
                {
                    continue; // clean after the failed writeback: never written again
                }
                abandoned.remove(page);
                if (dirty(page))
                {
                    final int start = page * PAGE;
                    data.getBytes(start, durableData, start, Math.min(PAGE, data.capacity() - start));
                    bytesForced += PAGE;
                }
            }
            if (durableLength > length)
            {
                Arrays.fill(durableData, length, durableLength, (byte)0);
            }
            durableLength = length;
        }

        int pages()
        {
            return (Math.max(length, durableLength) + PAGE - 1) / PAGE;
        }

        boolean dirty(final int page)
        {
            final int start = page * PAGE;
            final int end = Math.min(start + PAGE, data.capacity());
            return !Arrays.equals(volatilePage(page), 0, end - start, durableData, start, end);
        }

        byte[] volatilePage(final int page)
        {
            final int start = page * PAGE;
            final byte[] bytes = new byte[Math.max(0, Math.min(PAGE, data.capacity() - start))];
            data.getBytes(start, bytes);
            return bytes;
        }

        /** What a crash leaves of this file, as a new file. */
        Inode afterCrash()
        {
            ensureCapacity(Math.max(length, durableLength));
            final Inode after = new Inode();
            final int newLength = length == durableLength || random.nextBoolean() ? durableLength : length;
            final byte[] image = durableData.clone();
            final List<Integer> reached = new ArrayList<>();
            for (int page = 0; page < pages(); page++)
            {
                final byte[] lost = abandoned.get(page);
                final boolean clean = null != lost && Arrays.equals(lost, volatilePage(page));
                if (!clean && dirty(page) && random.nextBoolean())
                {
                    final int start = page * PAGE;
                    data.getBytes(start, image, start, Math.min(PAGE, data.capacity() - start));
                    reached.add(page);
                }
            }
            if (!reached.isEmpty() && random.nextBoolean())
            {
                final int page = reached.get(random.nextInt(reached.size()));
                final int tornAt = tearAtAnyByte ? 1 + random.nextInt(PAGE - 1) : SECTOR * (1 + random.nextInt(7));
                final int from = page * PAGE + tornAt;
                final int to = Math.min(page * PAGE + PAGE, image.length);
                if (from < to)
                {
                    System.arraycopy(durableData, from, image, from, to - from);
                }
            }
            Arrays.fill(image, Math.min(newLength, image.length), image.length, (byte)0);
            after.ensureCapacity(image.length);
            after.data.putBytes(0, image);
            after.length = newLength;
            after.durableLength = newLength;
            after.durableData = image;
            return after;
        }
    }

    private final class Handle implements DiskFile
    {
        private final Path path;
        private final Inode inode;
        private final boolean writable;
        private boolean closed;

        Handle(final Path path, final Inode inode, final boolean writable)
        {
            this.path = path;
            this.inode = inode;
            this.writable = writable;
        }

        @Override
        public long size() throws IOException
        {
            checkOpen();
            return inode.length;
        }

        @Override
        public int read(final ByteBuffer dst, final long position) throws IOException
        {
            checkOpen();
            if (position >= inode.length)
            {
                return -1;
            }
            final int count = (int)Math.min(dst.remaining(), inode.length - position);
            inode.data.getBytes((int)position, dst, dst.position(), count);
            dst.position(dst.position() + count);
            return count;
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            checkWritable();
            final int count = src.remaining();
            final int end = Math.toIntExact(position + count);
            if (end > inode.length)
            {
                inode.resize(end);
            }
            inode.data.putBytes((int)position, src, src.position(), count);
            src.position(src.position() + count);
            bytesWritten += count;
            return count;
        }

        @Override
        public void setLength(final long length) throws IOException
        {
            checkWritable();
            inode.resize(Math.toIntExact(length));
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            checkOpen();
            inode.force(0, inode.length, path.toString());
        }

        @Override
        public MappedRegion map(final boolean writable, final long offset, final int length) throws IOException
        {
            checkOpen();
            if (writable && !this.writable)
            {
                throw new IOException(path + " is open read-only");
            }
            if (writable && offset + length > inode.length)
            {
                inode.resize(Math.toIntExact(offset + length));
            }
            inode.ensureCapacity(Math.toIntExact(offset + length));
            final Region region = new Region(inode, path, (int)offset, length);
            inode.regions.add(region);
            return region;
        }

        @Override
        public void close()
        {
            closed = true;
        }

        private void checkOpen() throws IOException
        {
            if (closed)
            {
                throw new IOException(path + " is closed");
            }
        }

        private void checkWritable() throws IOException
        {
            checkOpen();
            if (!writable)
            {
                throw new IOException(path + " is open read-only");
            }
        }
    }

    private final class Region implements MappedRegion
    {
        final Inode inode;
        final Path path;
        final int offset;
        final int length;
        final UnsafeBuffer buffer;

        Region(final Inode inode, final Path path, final int offset, final int length)
        {
            this.inode = inode;
            this.path = path;
            this.offset = offset;
            this.length = length;
            this.buffer = new UnsafeBuffer(inode.data.byteBuffer(), offset, length);
        }

        @Override
        public UnsafeBuffer buffer()
        {
            return buffer;
        }

        @Override
        public ByteBuffer byteBuffer()
        {
            return inode.data.byteBuffer().duplicate().limit(offset + length).position(offset).slice();
        }

        @Override
        public void force(final int from, final int count)
        {
            if (ignoringForces)
            {
                return;
            }
            try
            {
                inode.force(offset + (long)from, offset + (long)from + count, path.toString());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void unmap()
        {
            inode.regions.remove(this);
            buffer.wrap(ByteBuffer.allocateDirect(0));
        }
    }
}
