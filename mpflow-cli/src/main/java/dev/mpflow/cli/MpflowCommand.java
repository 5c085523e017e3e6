package dev.mpflow.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code mpflow} command: only subcommands. */
@Command(name = "mpflow",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        subcommands = {RunCommand.class, RunsCommand.class, ShowCommand.class, ExportCommand.class, GcCommand.class,
            CommandLine.HelpCommand.class},
        description = {
            "Runs tasks and agents concurrently in a pool of worker processes, retries what fails, kills what "
                    + "hangs and autosaves every result.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow run examples/checksums.yaml",
            "  find . -name '*.log' | mpflow run -j 4 --retries 2 --timeout 30s -- gzip -k {}",
            "  mpflow run --inputs urls.txt --output jsonl -- curl -fsS {} > results.jsonl",
            "  mpflow run examples/checksums.yaml --resume   (go on after Ctrl-C or a crash)",
            "  mpflow runs                                   (the saved runs, newest first)",
            "  mpflow show latest                            (every task of the latest run)",
            "  mpflow export latest --format csv > results.csv",
            "  mpflow gc --keep 10",
            "",
            "Exit codes: 0 all tasks succeeded; 1 some task failed or was cancelled, the run halted or stdout was "
                    + "closed; 2 bad usage, workflow file or inputs; 130 interrupted.",
        })
public final class MpflowCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required, such as 'run'");
    }

    /** Reads the version the build wrote into {@code mpflow-version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = MpflowCommand.class.getResourceAsStream("/mpflow-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"mpflow " + p.getProperty("version", "unknown"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
