/** Internal: the scalar reference provider. Not API. */
package dev.thimble.internal.scalar;
