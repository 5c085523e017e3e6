package dev.mpflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mpflow.Agent;
import dev.mpflow.CommandAgent;
import dev.mpflow.NotSerializableValueException;
import dev.mpflow.TaskFunction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkDefinitionsTest {
    private final List<WorkDefinition> dropped = new ArrayList<>();
    private final WorkDefinitions definitions = new WorkDefinitions(dropped::add);

    @Test
    void oneFunctionObjectIsSerializedOnceForEveryTaskThatUsesIt() throws Exception {
        TaskFunction square = in -> Integer.parseInt(in) * Integer.parseInt(in);
        WorkDefinition first = definitions.acquire(square, List.of(), "a");
        WorkDefinition second = definitions.acquire(square, List.of(), "b");
        assertThat(second).isSameAs(first);
        definitions.release(first);
        definitions.release(second);
        // Released, then used again: still the same, so a loop of one task at a time serializes it once.
        assertThat(definitions.acquire(square, List.of(), "c")).isSameAs(first);
    }

    @Test
    void differentFunctionsOrAgentsAreDifferentWork() throws Exception {
        TaskFunction f = in -> in;
        TaskFunction g = in -> in;
        Agent upper = CommandAgent.of("upper", "tr", "a-z", "A-Z");
        WorkDefinition withF = definitions.acquire(f, List.of(), "t");
        assertThat(definitions.acquire(g, List.of(), "t").id()).isNotEqualTo(withF.id());
        assertThat(definitions.acquire(f, List.of(upper), "t").id()).isNotEqualTo(withF.id());
        assertThat(definitions.acquire(null, List.of(upper), "t"))
                .isSameAs(definitions.acquire(null, List.of(upper), "u"));
    }

    @Test
    void unusedWorkBeyondTheKeptNumberIsDroppedOldestFirst() throws Exception {
        List<WorkDefinition> made = new ArrayList<>();
        for (int i = 0; i <= WorkDefinitions.KEPT_UNUSED; i++) {
            int n = i;
            TaskFunction f = in -> n;
            WorkDefinition d = definitions.acquire(f, List.of(), "t" + i);
            made.add(d);
            definitions.release(d);
        }
        assertThat(dropped).containsExactly(made.get(0));
        assertThat(definitions.size()).isEqualTo(WorkDefinitions.KEPT_UNUSED);
    }

    @Test
    void workStillHeldByAJobIsNeverDropped() throws Exception {
        TaskFunction held = in -> "held";
        WorkDefinition d = definitions.acquire(held, List.of(), "held");
        for (int i = 0; i < 2 * WorkDefinitions.KEPT_UNUSED; i++) {
            int n = i;
            TaskFunction f = in -> n;
            definitions.release(definitions.acquire(f, List.of(), "t" + i));
        }
        assertThat(dropped).doesNotContain(d);
        assertThat(definitions.acquire(held, List.of(), "again")).isSameAs(d);
    }

    @Test
    void aFunctionThatCannotBeSerializedNamesTheTaskAndTheClass() {
        Object notSerializable = new Object();
        TaskFunction f = in -> notSerializable.toString();
        assertThatThrownBy(() -> definitions.acquire(f, List.of(), "capturing"))
                .isInstanceOf(NotSerializableValueException.class)
                .hasMessage("task 'capturing' cannot be sent to a worker: class java.lang.Object is not serializable");
        assertThat(definitions.size()).isZero();
    }

    @Test
    void releasingWhatIsNotHeldIsABug() {
        assertThatThrownBy(() -> definitions.release(new WorkDefinition(99, new byte[0])))
                .isInstanceOf(IllegalStateException.class).hasMessage("work 99 (0 bytes) released but not held");
    }
}
