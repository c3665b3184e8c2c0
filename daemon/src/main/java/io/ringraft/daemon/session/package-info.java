/**
 * The exactly-once session layer (docs/CLIENT-PROTOCOL.md, "Sessions: exactly once"): a state machine around the
 * user's that applies each client command at most once and answers a retry with the first attempt's result, and the
 * encoders of its log payloads and outcome codes that clients use.
 */
package io.ringraft.daemon.session;
