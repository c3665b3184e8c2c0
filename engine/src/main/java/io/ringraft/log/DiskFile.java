package io.ringraft.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** An open file of a {@link Disk}: positional reads and writes, length, force, and mapped regions. */
public interface DiskFile extends Closeable
{
    long size() throws IOException;

    /** Reads into {@code dst} from {@code position}, as {@code FileChannel.read}: -1 at the end of the file. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes {@code src} at {@code position}, as {@code FileChannel.write}: the number of bytes written. */
    int write(ByteBuffer src, long position) throws IOException;

    /** Cuts or extends (with zeros) the file to {@code length}. */
    void setLength(long length) throws IOException;

    /** Makes the file's content (and, with {@code metadata}, its metadata) durable: fsync or fdatasync. */
    void force(boolean metadata) throws IOException;

    /**
     * Maps {@code length} bytes from {@code offset}, extending the file if it is shorter and {@code writable}. The
     * region stays valid after the file is closed, until {@link MappedRegion#unmap}.
     */
    MappedRegion map(boolean writable, long offset, int length) throws IOException;
}
