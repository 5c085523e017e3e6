package dev.mpflow.cli.workflow;

import java.util.Iterator;
import java.util.List;

/** Where some of a workflow's tasks come from: one declared task, the lines of a file, or the files of a glob. */
sealed interface TaskSource permits TaskSource.Single, InputLines, GlobFiles {

    /** The tasks, read afresh from the start on each call. */
    Iterator<TaskSpec> iterator();

    /** How many tasks {@link #iterator()} gives, counted by reading them. */
    default long count() {
        long n = 0;
        for (Iterator<TaskSpec> it = iterator(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    /** A task declared with its name in the workflow file. */
    record Single(TaskSpec task) implements TaskSource {
        @Override
        public Iterator<TaskSpec> iterator() {
            return List.of(task).iterator();
        }

        @Override
        public long count() {
            return 1;
        }
    }
}
