/** Internal: provider discovery and selection. Not API. */
package dev.thimble.internal.provider;
