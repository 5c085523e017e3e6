package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ShellWordsTest {
    @Test
    void splitsOnWhiteSpace() {
        assertThat(ShellWords.split("sha256sum {}")).containsExactly("sha256sum", "{}");
        assertThat(ShellWords.split("  a \t b\n c  ")).containsExactly("a", "b", "c");
        assertThat(ShellWords.split("")).isEmpty();
        assertThat(ShellWords.split("   ")).isEmpty();
    }

    @Test
    void singleQuotesKeepEverything() {
        assertThat(ShellWords.split("sh -c 'echo \"$1\" | tr a-z A-Z' sh {}"))
                .containsExactly("sh", "-c", "echo \"$1\" | tr a-z A-Z", "sh", "{}");
        assertThat(ShellWords.split("'a\\b'")).containsExactly("a\\b");
    }

    @Test
    void doubleQuotesEscapeOnlyTheShellSpecialCharacters() {
        assertThat(ShellWords.split("echo \"a \\\"b\\\" \\$HOME \\\\ \\x 'c'\""))
                .containsExactly("echo", "a \"b\" $HOME \\ \\x 'c'");
    }

    @Test
    void backslashKeepsTheNextCharacter() {
        assertThat(ShellWords.split("a\\ b c\\'d \\\\")).containsExactly("a b", "c'd", "\\");
    }

    @Test
    void backslashNewlineJoinsLines() {
        assertThat(ShellWords.split("one \\\ntwo")).containsExactly("one", "two");
        assertThat(ShellWords.split("to\\\ngether")).containsExactly("together");
    }

    @Test
    void quotedPartsJoinTheirWord() {
        assertThat(ShellWords.split("a'b'\"c\"d e")).containsExactly("abcd", "e");
    }

    @Test
    void emptyQuotesAreAnEmptyWord() {
        assertThat(ShellWords.split("printf '' x \"\"")).containsExactly("printf", "", "x", "");
    }

    @Test
    void unterminatedQuotesAreErrors() {
        assertThatIllegalArgumentException().isThrownBy(() -> ShellWords.split("sh -c 'echo hi"))
                .withMessage("unterminated single quote at character 7");
        assertThatIllegalArgumentException().isThrownBy(() -> ShellWords.split("echo \"hi \\\""))
                .withMessage("unterminated double quote at character 6");
    }

    @Test
    void trailingBackslashIsAnError() {
        assertThatIllegalArgumentException().isThrownBy(() -> ShellWords.split("echo \\"))
                .withMessage("lone backslash at the end");
    }
}
