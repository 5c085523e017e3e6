package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolatorTest {
    private final Interpolator interpolator = new Interpolator(
            Map.of("HOME", "/home/ada", "EMPTY", "")::get,
            Map.of("java.home", "/opt/jdk", "user.home", "/home/ada", "user.dir", "/work")::get);

    @Test
    void expandsEachKindOfVariable() {
        assertThat(interpolator.expand("${java.home}/bin/java")).isEqualTo("/opt/jdk/bin/java");
        assertThat(interpolator.expand("${user.home}:${user.dir}")).isEqualTo("/home/ada:/work");
        assertThat(interpolator.expand("at ${env.HOME}/x")).isEqualTo("at /home/ada/x");
        assertThat(interpolator.expand("[${env.EMPTY}]")).isEqualTo("[]");
    }

    @Test
    void remembersTheValuesItTookFromTheEnvironmentAndThoseAlone() {
        assertThat(interpolator.environmentValues()).isEmpty();
        interpolator.expand("${java.home} ${env.HOME} ${env.EMPTY} ${env.HOME}");
        assertThat(interpolator.environmentValues()).containsExactly("/home/ada", "");
    }

    @Test
    void leavesEverythingElseAlone() {
        assertThat(interpolator.expand("cat {} $HOME $ {x} $")).isEqualTo("cat {} $HOME $ {x} $");
    }

    @Test
    void doubledDollarIsALiteral() {
        assertThat(interpolator.expand("$${env.HOME} is ${env.HOME}")).isEqualTo("${env.HOME} is /home/ada");
    }

    @Test
    void unsetEnvironmentVariableIsNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> interpolator.expand("${env.NOPE}"))
                .withMessage("environment variable NOPE is not set");
    }

    @Test
    void unknownVariableIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> interpolator.expand("${os.name}"))
                .withMessage("unknown variable ${os.name}; use ${java.home}, ${user.home}, ${user.dir} or ${env.NAME}"
                        + " (write $${ for a literal ${)");
        assertThatIllegalArgumentException().isThrownBy(() -> interpolator.expand("${env.}"))
                .withMessageStartingWith("unknown variable ${env.};");
    }

    @Test
    void unclosedVariableIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> interpolator.expand("a ${env.HOME"))
                .withMessage("'${' without a closing '}' in \"a ${env.HOME\" (write $${ for a literal ${)");
    }

    @Test
    void systemInterpolatorReadsTheRunningJvm() {
        assertThat(Interpolator.system().expand("${java.home}")).isEqualTo(System.getProperty("java.home"));
    }
}
