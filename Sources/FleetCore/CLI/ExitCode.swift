/// Process exit codes: part of the interface, documented in `docs/commands.md`.
///
/// The values follow sysexits(3) where one fits, so that systemd's `RestartPreventExitStatus=`
/// and operators' scripts can tell "fix the config" from "try again later".
public enum ExitCode {
    /// Success.
    public static let success: Int32 = 0
    /// A runtime failure the command could not recover from (ssh failed, a service did not stop...).
    public static let failure: Int32 = 1
    /// The command line is wrong (unknown verb or flag, bad value). EX_USAGE.
    public static let usage: Int32 = 64
    /// Input data is malformed (a remote host answered something that is not peek JSON). EX_DATAERR.
    public static let dataError: Int32 = 65
    /// An internal error: a bug in agent-runner or fleetctl. EX_SOFTWARE.
    public static let software: Int32 = 70
    /// The supervisor gave up after a crash loop; systemd must not respawn it. EX_TEMPFAIL.
    public static let crashLoop: Int32 = 75
    /// The environment is not usable right now (log dir not writable). EX_PROTOCOL, as the original.
    public static let environment: Int32 = 76
    /// The configuration is wrong: fix the file, then start again. EX_CONFIG.
    public static let config: Int32 = 78
    /// A streaming verb's terminal or `ssh -t` session hung up (128 + SIGHUP).
    public static let hangUp: Int32 = 129
    /// Interrupted by SIGINT before the command could finish cleanly (128 + SIGINT).
    public static let interrupted: Int32 = 130
    /// A streaming verb's stdout reader went away: closed pipe, dropped ssh session (128 + SIGPIPE,
    /// what a shell reports for a writer SIGPIPE killed).
    public static let readerGone: Int32 = 141
}
