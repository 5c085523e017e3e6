/**
 * Support for mpflow's own test suites: an extension that fails any test leaving a process behind, and
 * {@link dev.mpflow.testing.ProcessTree} to look at, kill and await processes by id. Tests that start worker JVMs or
 * commands use them, so that one faulty test cannot leak processes into the next.
 *
 * <p>This module depends on nothing of mpflow's own: the core tests with it, so a dependency on the core would be a
 * cycle. Fault-injecting tasks, which need the core's types, live with the core's tests
 * ({@code dev.mpflow.fault.FaultyTasks}).
 */
package dev.mpflow.testing;
