package dev.thimble.fl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code thimble} command line: {@code bin/thimble <command> [options]}. */
@Command(name = "thimble", mixinStandardHelpOptions = true, versionProvider = ThimbleCli.Version.class,
        description = "Sparse-tensor kernels for memory-efficient federated learning.",
        subcommands = {DemoCommand.class, RunCommand.class, CompareCommand.class, ProfileCommand.class,
                CommandLine.HelpCommand.class})
public final class ThimbleCli {

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ThimbleCli());
        // a user mistake gets one line and the usage hint, never a stack trace
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof java.io.IOException) {
                cmd.getErr().println("thimble: " + ex.getMessage());
                cmd.getErr().flush();
                return 2;
            }
            throw ex;
        });
        // so do bad option values (a picocli parse error would otherwise print the whole usage)
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("thimble: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName()
                    + " --help')");
            cmd.getErr().flush();
            return 2;
        });
        return cl;
    }

    /** Reports the version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ThimbleCli.class.getPackage().getImplementationVersion();
            return new String[] {"thimble " + (v == null ? "development build" : v) + ", Java "
                    + Runtime.version()};
        }
    }
}
