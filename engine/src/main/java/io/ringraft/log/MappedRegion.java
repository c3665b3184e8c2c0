package io.ringraft.log;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/** A mapped region of a {@link DiskFile}: writes to {@link #buffer()} are the file's content, durable after a force. */
public interface MappedRegion
{
    /** The region, from offset 0; the same object for the region's whole life. */
    UnsafeBuffer buffer();

    /** The region as a new byte buffer (position 0, limit its length), e.g. to checksum it. */
    ByteBuffer byteBuffer();

    /**
     * Makes the bytes in {@code [offset, offset + length)} of the region durable: {@code msync}.
     *
     * @throws java.io.UncheckedIOException when the disk fails to write them.
     */
    void force(int offset, int length);

    /** Releases the mapping; nobody may touch {@link #buffer()} afterwards. */
    void unmap();
}
