/**
 * Support for mpflow's own test suites: an extension that fails any test leaving a process behind. Tests that
 * start worker JVMs or commands use it, so that one faulty test cannot leak processes into the next.
 */
package dev.mpflow.testing;
