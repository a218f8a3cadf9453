#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A verb that changes the service finishes what it started even when whoever ran it goes
/// away: an ssh session killed at fleetctl's deadline, a dropped connection, `| head`.
///
/// Incident: `agent-runner restart` run over ssh waited for serve to finish its round; the
/// session was cut meanwhile, and the restart died of SIGPIPE writing "stopped" to it, before
/// it started serve again. The host stayed down although a restart had been asked for.
/// So SIGPIPE is ignored (writes to the closed session fail with EPIPE, which the text outputs
/// drop) and so is SIGHUP (the same loss with a terminal, `ssh -t`). SIGINT and SIGTERM keep
/// their meaning: someone who is still there can interrupt. Children (serve, systemctl) get
/// default dispositions back from the process runner.
public enum SessionLoss {
    public static func outlive() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
    }
}
