package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void everyOccurrenceOfEverySecretIsMaskedTheLongestFirst() {
        Secrets s = Secrets.of("token", "token-2024", "pass");
        assertThat(s.mask("a token-2024 and a token, then pass and token")).isEqualTo(
                "a *** and a ***, then *** and ***");
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.toString()).isEqualTo("Secrets[3]").doesNotContain("token");
    }

    @Test
    void textWithoutSecretsIsReturnedItselfAndNoSecretsMaskNothing() {
        String text = "nothing here";
        assertThat(Secrets.of("token").mask(text)).isSameAs(text);
        assertThat(Secrets.NONE.mask("token")).isEqualTo("token");
        assertThat(Secrets.of(List.of())).isSameAs(Secrets.NONE);
        assertThat(Secrets.NONE.and(Secrets.NONE).isEmpty()).isTrue();
    }

    @Test
    void bytesAreMaskedByTheSecretsUtf8Bytes() {
        byte[] raw = {(byte) 0xff, 'k', 'e', 'y'};
        byte[] keyBytes = "ké-y".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[keyBytes.length * 2 + 1];
        System.arraycopy(keyBytes, 0, bytes, 0, keyBytes.length);
        bytes[keyBytes.length] = (byte) 0xfe;
        System.arraycopy(keyBytes, 0, bytes, keyBytes.length + 1, keyBytes.length);
        assertThat(Secrets.of("ké-y").mask(bytes)).containsExactly('*', '*', '*', (byte) 0xfe, '*', '*', '*');
        assertThat(Secrets.of("absent").mask(raw)).isSameAs(raw);
    }

    @Test
    void aSecretTooShortIsRefusedByItsLengthAlone() {
        assertThatThrownBy(() -> Secrets.of("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a secret must have at least 4 characters, this one has 3");
        assertThat(Secrets.of("abcd", "abcd").and(Secrets.of("wxyz")).size()).isEqualTo(2);
    }
}
