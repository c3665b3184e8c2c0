/** The daemon's config file: the cluster's settings (shared with clients) and one member's own. */
package io.ringraft.daemon.config;
