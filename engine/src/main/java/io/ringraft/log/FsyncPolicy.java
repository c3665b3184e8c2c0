package io.ringraft.log;

/** When appended records reach the disk. */
public enum FsyncPolicy
{
    /**
     * Group commit: every {@link DurableLog#force()} fsyncs everything appended since the previous one
     * before it reports the entries durable. The only policy under which Raft's guarantees hold.
     */
    ALWAYS,

    /**
     * {@link DurableLog#force()} publishes entries as durable without any fsync: a power loss or kernel
     * crash loses acknowledged entries and can make a member vote twice in one term. For benchmarks only.
     */
    NEVER_UNSAFE_FOR_BENCHMARKS
}
