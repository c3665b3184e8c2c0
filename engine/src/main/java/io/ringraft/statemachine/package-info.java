/** The replicated state machine SPI: what a ringraft user implements, one instance per Raft group. */
package io.ringraft.statemachine;
