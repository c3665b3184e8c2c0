/** A KV cluster member: its media driver, Raft node and client endpoint, and {@code DaemonMain}. */
package io.ringraft.daemon.server;
