/**
 * Typed events of a running workflow and the {@link dev.mpflow.event.WorkflowListener} that receives them. The
 * command line's progress bar, the result store and user code are all listeners; the core itself never prints.
 */
package dev.mpflow.event;
