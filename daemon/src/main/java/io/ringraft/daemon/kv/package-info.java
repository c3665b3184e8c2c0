/** The replicated KV state machine of one group, its command and result layouts, and how keys map to groups. */
package io.ringraft.daemon.kv;
