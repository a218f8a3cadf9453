import Glibc

/// How a child ended, as reported by `waitpid`.
///
/// Kept as the two cases the kernel can report (no "stopped": children are never waited
/// with `WUNTRACED`), so supervisors can tell "the agent exited 1" from "the agent was
/// killed by the OOM killer (SIGKILL)" and decide on a restart accordingly.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// The child called `exit` with this code (0...255).
    case terminated(Int32)
    /// The child was killed by this signal number.
    case signalled(Int32)

    /// Reported when the child's status was collected by someone else in this process
    /// (a `waitpid(-1)` elsewhere, or `SIGCHLD` set to `SIG_IGN`, which makes the kernel
    /// auto-reap). Real exit codes are 0...255, so -1 cannot be confused with one.
    public static let statusLost = ExitStatus.terminated(-1)

    /// Decodes a raw `waitpid` status word (`WIFEXITED`/`WTERMSIG` are C macros Swift does not import).
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .terminated((waitStatus >> 8) & 0xff) : .signalled(signal)
    }

    /// True only for `exit 0`.
    public var isSuccess: Bool { self == .terminated(0) }

    /// Operator-facing text: "exit 3", "killed by SIGKILL".
    public var description: String {
        switch self {
        case .statusLost:
            return "exit status lost (reaped elsewhere in this process; is SIGCHLD set to SIG_IGN?)"
        case .terminated(let code):
            return "exit \(code)"
        case .signalled(let signal):
            return "killed by \(ExitStatus.signalName(signal))"
        }
    }

    /// "SIGTERM" for 15, "SIGRTMIN+3" for real-time signals, "signal 99" for anything else.
    /// Built from the Glibc constants so the numbering is right on every Linux architecture.
    public static func signalName(_ signal: Int32) -> String {
        if let name = signalNames[signal] { return name }
        if signal >= SIGRTMIN_LINUX && signal < NSIG { return "SIGRTMIN+\(signal - SIGRTMIN_LINUX)" }
        return "signal \(signal)"
    }

    /// glibc reserves the first two kernel real-time signals, so its SIGRTMIN is 34; the
    /// macro is a function call Swift does not import, hence the kernel's fixed base here.
    private static let SIGRTMIN_LINUX: Int32 = 34

    private static let signalNames: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
        SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
        SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
        SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGSTKFLT: "SIGSTKFLT",
        SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP",
        SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU",
        SIGXFSZ: "SIGXFSZ", SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH",
        SIGIO: "SIGIO", SIGPWR: "SIGPWR", SIGSYS: "SIGSYS",
    ]
}
