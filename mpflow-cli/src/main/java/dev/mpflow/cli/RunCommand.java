package dev.mpflow.cli;

import ch.qos.logback.classic.Level;
import dev.mpflow.Agent;
import dev.mpflow.CommandAgent;
import dev.mpflow.MpflowException;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RetrySettings;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import dev.mpflow.cli.output.JsonLinesPrinter;
import dev.mpflow.cli.output.ProgressView;
import dev.mpflow.cli.output.ResultPrinter;
import dev.mpflow.cli.output.TablePrinter;
import dev.mpflow.cli.workflow.AgentSpec;
import dev.mpflow.cli.workflow.Durations;
import dev.mpflow.cli.workflow.Mode;
import dev.mpflow.cli.workflow.Programs;
import dev.mpflow.cli.workflow.TaskSpec;
import dev.mpflow.cli.workflow.WorkflowDefinition;
import dev.mpflow.cli.workflow.WorkflowFileException;
import dev.mpflow.cli.workflow.WorkflowFileLoader;
import dev.mpflow.event.RunSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mpflow run}: runs a workflow file, or one command per input line in the manner of xargs and GNU
 * parallel.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Runs a workflow file, or runs COMMAND once per input line (from stdin or --inputs) with {} replaced",
            "by the line; without {} the line is appended as the last argument, as xargs does.",
            "Flags override the workflow file's settings.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow run examples/checksums.yaml",
            "  mpflow run examples/checksums.yaml -j 8 --no-autosave --output table",
            "  ls *.txt | mpflow run -j 4 --retries 2 --timeout 30s -- wc -l {}",
            "",
            "Output: JSON lines on stdout when it is not a terminal (fields task, agent, input, status, result,",
            "attempts, error, durationMs, ...), a table otherwise; a progress bar and a summary on stderr.",
            "Exit codes: 0 all tasks succeeded, 1 some task failed, 2 bad usage or workflow file, 130 interrupted.",
        })
final class RunCommand implements Callable<Integer> {

    enum Output { jsonl, table }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-j", "--max-workers"}, paramLabel = "N",
            description = "Worker processes to run at once (default: the file's maxWorkers, else 5).")
    Integer maxWorkers;

    @Option(names = "--autosave", negatable = true,
            description = "Save every result to the store as it completes (default: on).")
    Boolean autosave;

    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    Path store;

    @Option(names = "--retries", paramLabel = "N",
            description = "Retries after a failed first attempt, so N+1 attempts at most (default: 2).")
    Integer retries;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Per-attempt timeout, such as 500ms, 30s or 5m; past it the worker is killed.")
    Duration timeout;

    @Option(names = "--inputs", paramLabel = "FILE",
            description = "Read inputs from FILE, one per line, instead of stdin (command mode).")
    Path inputs;

    @Option(names = "--output", paramLabel = "FORMAT",
            description = "jsonl or table (default: jsonl when stdout is not a terminal, else table).")
    Output output;

    @Option(names = {"-k", "--keep-order"},
            description = "Print results in input order rather than as they complete.")
    boolean keepOrder;

    @Option(names = {"-v", "--verbose"}, description = "Log settings, agents and every retry to stderr.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Log errors only; no progress bar.")
    boolean quiet;

    @Parameters(paramLabel = "WORKFLOW.yaml | COMMAND [ARG...]", arity = "0..*",
            description = "A workflow file, or after -- a command to run per input; {} is replaced by the input.")
    List<String> positional = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        setLogLevel();
        Plan plan = plan();
        return execute(plan, err);
    }

    /** Everything needed to run, validated before any worker starts. */
    private record Plan(String name, MultiProcessWorkflow.Builder builder, Iterable<Task> tasks, long total,
            MultiProcessWorkflow.AgentMode mode) {
    }

    private Plan plan() throws UsageException {
        if (maxWorkers != null && maxWorkers < 1) {
            throw new UsageException("-j/--max-workers: must be at least 1, was " + maxWorkers);
        }
        if (retries != null && retries < 0) {
            throw new UsageException("--retries: must be 0 or more, was " + retries);
        }
        boolean commandMode = dashDashGiven() || (!positional.isEmpty() && !looksLikeWorkflowFile(positional.get(0)));
        return commandMode ? commandPlan() : workflowPlan();
    }

    private boolean dashDashGiven() {
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        return original.contains("--");
    }

    private static boolean looksLikeWorkflowFile(String arg) {
        return arg.endsWith(".yaml") || arg.endsWith(".yml");
    }

    private Plan workflowPlan() throws UsageException {
        if (positional.isEmpty()) {
            throw new UsageException("run needs a workflow file, or -- and a command (see 'mpflow run --help')");
        }
        if (positional.size() > 1) {
            throw new UsageException("run takes one workflow file; to run a command per input, put -- before it: "
                    + "mpflow run -- " + String.join(" ", positional));
        }
        if (inputs != null) {
            throw new UsageException("--inputs: only for a command (mpflow run --inputs FILE -- COMMAND); "
                    + "a workflow file lists its inputs under tasks:");
        }
        WorkflowDefinition def;
        try {
            def = WorkflowFileLoader.load(Path.of(positional.get(0)));
        } catch (WorkflowFileException e) {
            throw new UsageException(e.getMessage());
        }
        MultiProcessWorkflow.Builder b = MultiProcessWorkflow.builder().name(def.name());
        b.maxWorkers(maxWorkers != null ? maxWorkers : def.maxWorkers().orElse(MultiProcessWorkflow.DEFAULT_MAX_WORKERS));
        b.autosave(autosave != null ? autosave : def.autosave().orElse(true));
        Optional<Path> storePath = Optional.ofNullable(store).or(def::store);
        storePath.ifPresent(b::store);
        RetrySettings retry = def.retry().orElse(RetrySettings.DEFAULT);
        if (retries != null) {
            retry = retry.toBuilder().maxAttempts(retries + 1).build();
        }
        b.retry(retry);
        Optional.ofNullable(timeout).or(def::timeout).ifPresent(b::timeout);
        List<Agent> agents = new ArrayList<>();
        for (AgentSpec a : def.agents()) {
            agents.add(CommandAgent.of(a.name(), a.command()));
        }
        b.agents(agents);
        MultiProcessWorkflow.AgentMode mode = def.mode() == Mode.FANOUT
                ? MultiProcessWorkflow.AgentMode.FAN_OUT : MultiProcessWorkflow.AgentMode.PIPELINE;
        Iterable<Task> tasks = () -> map(def.tasks().iterator(), RunCommand::toTask);
        long perTask = mode == MultiProcessWorkflow.AgentMode.FAN_OUT ? Math.max(1, agents.size()) : 1;
        long total;
        try {
            total = def.taskCount() * perTask;
        } catch (UncheckedIOException e) {
            throw new UsageException(positional.get(0) + ": cannot read the tasks: " + e.getCause().getMessage());
        }
        return new Plan(def.name(), b, tasks, total, mode);
    }

    private static Task toTask(TaskSpec spec) {
        Task.Builder t = Task.builder(spec.name()).input(spec.input()).priority(spec.priority());
        spec.timeout().ifPresent(t::timeout);
        return t.build();
    }

    private Plan commandPlan() throws UsageException {
        if (positional.isEmpty()) {
            throw new UsageException("no command after -- (see 'mpflow run --help')");
        }
        List<String> command = new ArrayList<>(positional);
        Optional<String> problem = Programs.system().problem(command.get(0));
        if (problem.isPresent()) {
            throw new UsageException("command: " + problem.get());
        }
        if (command.stream().noneMatch(a -> a.contains("{}"))) {
            command.add("{}");
        }
        String name = String.join(" ", command);
        MultiProcessWorkflow.Builder b = MultiProcessWorkflow.builder().name(name)
                .maxWorkers(maxWorkers != null ? maxWorkers : MultiProcessWorkflow.DEFAULT_MAX_WORKERS)
                .autosave(autosave == null || autosave)
                .retry(retries == null ? RetrySettings.DEFAULT : RetrySettings.retries(retries))
                .agents(List.of(CommandAgent.of(command.get(0).replace("/", "_").replaceAll("\\s", "_"), command)));
        if (store != null) {
            b.store(store);
        }
        if (timeout != null) {
            b.timeout(timeout);
        }
        long total = -1;
        Iterable<Task> tasks;
        if (inputs != null) {
            if (!Files.isRegularFile(inputs)) {
                throw new UsageException("--inputs: file not found: " + inputs);
            }
            if (!Files.isReadable(inputs)) {
                throw new UsageException("--inputs: file not readable: " + inputs);
            }
            Path file = inputs;
            tasks = () -> linesAsTasks(open(file));
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                total = r.lines().filter(l -> !l.isBlank()).count();
            } catch (IOException | UncheckedIOException e) {
                throw new UsageException("--inputs: cannot read " + inputs + ": " + e.getMessage());
            }
        } else {
            AtomicBoolean used = new AtomicBoolean();
            tasks = () -> {
                if (used.getAndSet(true)) {
                    throw new IllegalStateException("standard input can be read once");
                }
                return linesAsTasks(System.in);
            };
        }
        return new Plan(name, b, tasks, total, MultiProcessWorkflow.AgentMode.PIPELINE);
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One task per non-blank line, named by the line; read lazily, so inputs can stream in while tasks run. */
    private static Iterator<Task> linesAsTasks(InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Iterator<String> lines = new Iterator<>() {
            private String next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null) {
                        String line = reader.readLine();
                        if (line == null) {
                            return false;
                        }
                        if (!line.isBlank()) {
                            next = line;
                        }
                    }
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String line = next;
                next = null;
                return line;
            }
        };
        return map(lines, line -> Task.builder(line).input(line).build());
    }

    private static <A, B> Iterator<B> map(Iterator<A> source, java.util.function.Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public B next() {
                return f.apply(source.next());
            }
        };
    }

    private int execute(Plan plan, PrintStream err) throws UsageException {
        MultiProcessWorkflow workflow;
        try {
            workflow = plan.builder().build();
        } catch (MpflowException e) {
            throw new UsageException(e.getMessage());
        }
        boolean table = output != null ? output == Output.table : Terminal.stdoutIsTerminal();
        // UTF-8 whatever the locale says: results are data, and JSON is UTF-8.
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        ResultPrinter printer = table ? new TablePrinter(out, Terminal.width()) : new JsonLinesPrinter(out);
        ProgressView progress = !quiet && Terminal.stderrIsTerminal() ? new ProgressView(err, plan.total()) : null;
        AtomicBoolean finished = new AtomicBoolean();
        Thread onInterrupt = new Thread(() -> {
            if (finished.get()) {
                return;
            }
            // Ctrl-C or SIGTERM: stop the workers, let the store write what finished, report, exit 130.
            workflow.close();
            if (progress != null) {
                progress.close();
            }
            printer.close();
            err.println("mpflow: interrupted; " + summaryLine(workflow.summary()));
            err.flush();
            Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
        }, "mpflow-interrupt");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        RunSummary summary;
        try (workflow) {
            try {
                if (keepOrder) {
                    workflow.runAll(plan.tasks(), plan.mode()).forEach(r -> show(r, printer, progress));
                } else {
                    workflow.runAll(plan.tasks(), plan.mode(), r -> show(r, printer, progress));
                }
            } catch (UncheckedIOException e) {
                err.println("mpflow: cannot read the inputs: " + e.getCause().getMessage());
            }
            summary = workflow.summary();
        } finally {
            finished.set(true);
            if (progress != null) {
                progress.close();
            }
            printer.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook does the reporting.
        }
        err.println("mpflow: " + summaryLine(summary) + workflow.store().map(s -> "; run " + workflow.runId()
                + " saved in " + s).orElse(""));
        return summary.failed() > 0 ? ExitCode.TASKS_FAILED : ExitCode.OK;
    }

    private static void show(TaskResult r, ResultPrinter printer, ProgressView progress) {
        printer.print(r);
        if (progress != null) {
            progress.step();
        }
    }

    static String summaryLine(RunSummary s) {
        return s.succeeded() + " succeeded, " + s.failed() + " failed, " + s.retried() + " retried in "
                + String.format("%.1fs", s.wallTime().toMillis() / 1000.0);
    }

    private void setLogLevel() {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(quiet ? Level.ERROR : verbose ? Level.INFO : Level.WARN);
        }
    }

    /** Parses durations such as {@code 500ms}, {@code 30s}, {@code 5m}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
