package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.TaskKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommittedSuccessesTest {
    @Test
    void holdsManyKeysAndTellsThemFromOthers() {
        CommittedSuccesses.KeySet keys = new CommittedSuccesses.KeySet();
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String key = TaskKey.of("task-" + i, Optional.empty(), Integer.toString(i));
            in.add(key);
            keys.add(key);
        }
        keys.add(in.get(0));
        assertThat(keys.size()).isEqualTo(20_000);
        assertThat(in).allMatch(keys::contains);
        for (int i = 20_000; i < 40_000; i++) {
            assertThat(keys.contains(TaskKey.of("task-" + i, Optional.empty(), Integer.toString(i)))).isFalse();
        }
        // Only the exact text: upper case, shorter or longer keys are other keys.
        assertThat(keys.contains(in.get(1).toUpperCase())).isFalse();
        assertThat(keys.contains(in.get(1).substring(1))).isFalse();
        assertThat(keys.contains(in.get(1) + "0")).isFalse();
    }

    @Test
    void keysOfAnotherFormAreHeldToo() {
        CommittedSuccesses.KeySet keys = new CommittedSuccesses.KeySet();
        keys.add("not-a-hex-key");
        keys.add("ABCDEF0123456789ABCDEF0123456789");
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.contains("not-a-hex-key")).isTrue();
        assertThat(keys.contains("ABCDEF0123456789ABCDEF0123456789")).isTrue();
        assertThat(keys.contains("abcdef0123456789abcdef0123456789")).isFalse();
    }

    @Test
    void valuesComeFromTheReaderOrFromWhatWasHeld() {
        CommittedSuccesses.Builder builder = new CommittedSuccesses.Builder();
        String looked = TaskKey.of("a", Optional.empty(), "");
        String held = TaskKey.of("b", Optional.empty(), "");
        builder.add(looked);
        builder.addWithValue(held, Optional.of("held"));
        List<String> asked = new ArrayList<>();
        CommittedSuccesses done = builder.build(key -> {
            asked.add(key);
            return Optional.of("read");
        });
        assertThat(done.size()).isEqualTo(2);
        assertThat(done.valueText(looked)).contains("read");
        assertThat(done.valueText(held)).contains("held");
        assertThat(done.valueText(TaskKey.of("c", Optional.empty(), ""))).isEmpty();
        assertThat(asked).containsExactly(looked);
    }
}
