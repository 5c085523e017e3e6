package dev.mpflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.mpflow.Secrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class MaskedLoggingTest {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private ch.qos.logback.classic.Logger backend;
    private final Logger log = MaskedLogging.logger(MaskedLoggingTest.class);

    @BeforeEach
    void capture() {
        backend = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(MaskedLoggingTest.class);
        backend.setLevel(Level.DEBUG);
        backend.setAdditive(false);
        logged.start();
        backend.addAppender(logged);
    }

    @AfterEach
    void release() {
        backend.detachAppender(logged);
        backend.setAdditive(true);
        backend.setLevel(null);
    }

    private String line(int i) {
        ILoggingEvent e = logged.list.get(i);
        return e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy()));
    }

    @Test
    void argumentsPatternsAndExceptionsAreMaskedWhileTheWorkflowIsOpen() {
        Secrets secrets = Secrets.of("s3cr3t-value");
        MaskedLogging.register(secrets);
        try {
            log.warn("{}: no new task starts", "the token s3cr3t-value");
            log.error("failed with s3cr3t-value",
                    new IllegalStateException("outer s3cr3t-value", new RuntimeException("inner s3cr3t-value")));
            log.debug("{} and {}", 1, null);
        } finally {
            MaskedLogging.unregister(secrets);
        }
        log.info("after close: {}", "s3cr3t-value");

        assertThat(logged.list).hasSize(4);
        assertThat(line(0)).isEqualTo("the token ***: no new task starts");
        // The pattern and the logger's name stay, for filters that look for them.
        assertThat(logged.list.get(0).getMessage()).isEqualTo("{}: no new task starts");
        assertThat(logged.list.get(0).getLoggerName()).isEqualTo(MaskedLoggingTest.class.getName());
        assertThat(line(1)).startsWith("failed with ***").contains("java.lang.IllegalStateException: outer ***",
                "java.lang.RuntimeException: inner ***", "at dev.mpflow.internal.MaskedLoggingTest")
                .doesNotContain("s3cr3t-value");
        assertThat(line(2)).isEqualTo("1 and null");
        assertThat(line(3)).isEqualTo("after close: s3cr3t-value");
    }

    @Test
    void aSecretStaysMaskedWhileAnyWorkflowThatRegisteredItIsOpen() {
        Secrets first = Secrets.of("shared-secret");
        Secrets second = Secrets.of("shared-secret");
        MaskedLogging.register(first);
        MaskedLogging.register(second);
        MaskedLogging.unregister(first);
        log.info("{}", "shared-secret");
        MaskedLogging.unregister(second);
        log.info("{}", "shared-secret");
        assertThat(line(0)).isEqualTo("***");
        assertThat(line(1)).isEqualTo("shared-secret");
    }
}
