/**
 * Extension points of mpflow: where results are stored. Implementations are found with
 * {@link java.util.ServiceLoader}; the public API in {@code dev.mpflow} never names them.
 */
package dev.mpflow.spi;
