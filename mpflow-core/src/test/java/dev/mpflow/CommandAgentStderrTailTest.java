package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The end of a failed program's standard error in its error message keeps within the attempt's capture limit. */
class CommandAgentStderrTailTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withinTheLimitTheWholeTextIsKeptWithoutANote() {
        byte[] err = utf8("first\nlast\n");
        assertThat(CommandAgent.tail(err, err.length, 1 << 20)).isEqualTo("first\nlast");
        assertThat(CommandAgent.tail(err, err.length, err.length)).isEqualTo("first\nlast");
        assertThat(CommandAgent.tail(new byte[0], 0, 0)).isEmpty();
    }

    @Test
    void aLimitOfZeroKeepsNoneAndSaysHowMuchWasLeftOut() {
        byte[] err = utf8("STDERR-TEXT\n");
        assertThat(CommandAgent.tail(err, err.length, 0)).isEqualTo("[mpflow: 12 more bytes not kept]");
    }

    @Test
    void pastTheLimitTheLastBytesAreKeptAfterTheNote() {
        byte[] err = utf8("x".repeat(2000) + "END\n");
        assertThat(CommandAgent.tail(err, err.length, 100))
                .isEqualTo("[mpflow: 1904 more bytes not kept] " + "x".repeat(97) + "END");
    }

    @Test
    void aCharacterCutByTheLimitIsLeftOutWhole() {
        // "é" is two bytes: the last 3 bytes start inside it.
        byte[] err = utf8("né!!");
        assertThat(CommandAgent.tail(err, err.length, 3)).isEqualTo("[mpflow: 3 more bytes not kept] !!");
    }

    @Test
    void bytesPrintedBeyondWhatWasReadAreCountedAsLeftOut() {
        byte[] end = utf8("the end");
        assertThat(CommandAgent.tail(end, 5_000_000, 3)).isEqualTo("[mpflow: 4999997 more bytes not kept] end");
    }

    @Test
    void aLimitThatDoesNotCutTheLastCharactersLeavesThemAsBefore() {
        byte[] err = utf8("x".repeat(5000) + "\nlast words\n");
        assertThat(CommandAgent.tail(err, 3_000_000, 1 << 20))
                .isEqualTo("..." + "x".repeat(1989) + "\nlast words");
        assertThat(CommandAgent.tail(utf8("the end"), 5_000_000, 1 << 20)).isEqualTo("the end");
    }
}
