/**
 * Workflow files: loading a YAML description of a run (its settings, command agents and tasks) into a
 * {@link dev.mpflow.cli.workflow.WorkflowDefinition}, validating all of it before anything runs. Every problem is
 * reported as a {@link dev.mpflow.cli.workflow.WorkflowFileException} naming the file, the line and the field, so
 * that a mistake can be fixed without guessing. Tasks read from an inputs file or a glob are streamed each time
 * they are iterated rather than held in memory, so a workflow may describe millions of tasks.
 * {@link dev.mpflow.cli.workflow.Durations} and {@link dev.mpflow.cli.workflow.Sizes} parse the duration and size
 * syntax shared with the command-line flags, and {@link dev.mpflow.cli.workflow.LineReader} holds the one rule for
 * input lines (blank lines skipped, UTF-8 required, errors by line number) shared with standard input and
 * {@code --inputs}.
 */
package dev.mpflow.cli.workflow;
