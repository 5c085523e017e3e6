/**
 * Runnable examples of the mpflow library API. {@link dev.mpflow.examples.SleepAndTime} is the one to read first.
 */
package dev.mpflow.examples;
