/** The KV client library: sessions per member, requests routed to each group's leader, retries within a budget. */
package io.ringraft.daemon.client;
