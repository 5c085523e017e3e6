package dev.mpflow.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.protocol.Captured;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An attempt's captured output as text: what was kept, and the note of what was dropped on a line of its own. */
class CapturedTextTest {
    private static String text(String kept, long dropped) {
        return WorkerPool.text(new Captured(kept.getBytes(StandardCharsets.UTF_8), dropped));
    }

    @Test
    void theNoteOfWhatWasDroppedTakesALineOfItsOwnAndNothingMore() {
        assertThat(text("", 0)).isEmpty();
        assertThat(text("all\n", 0)).isEqualTo("all\n");
        assertThat(text("", 7)).isEqualTo("[mpflow: 7 more bytes not kept]");
        assertThat(text("part", 7)).isEqualTo("part\n[mpflow: 7 more bytes not kept]");
        assertThat(text("a line\n", 7)).isEqualTo("a line\n[mpflow: 7 more bytes not kept]");
    }
}
