/// Whether this host runs systemd, decided from facts the installer gathers: sd_booted()'s test
/// (`/run/systemd/system` exists), else what `systemctl is-system-running` says. A host without
/// it (Alpine/OpenRC, a container, WSL without systemd) often still has a `systemctl` binary that
/// can only answer `offline`; installing a unit there would only fail later, so `install` leads
/// with the way that works: `agent-runner start`.
public enum SystemdPresence: Sendable, Equatable {
    case running
    /// No systemd; `reason` says how that was seen.
    case absent(reason: String)

    /// The runtime directory systemd creates at boot.
    public static let runtimeDirectory = "/run/systemd/system"
    /// Replaces ``runtimeDirectory`` (tests, which must not depend on the machine's init).
    public static let runtimeDirectoryVariable = "AGENT_RUNNER_SYSTEMD_RUNTIME_DIR"

    /// - Parameters:
    ///   - runtimeDirectoryExists: `/run/systemd/system` is a directory.
    ///   - systemctlFound: a `systemctl` is on PATH.
    ///   - systemState: what `systemctl is-system-running` printed (stdout and stderr), or nil
    ///     when it was not asked.
    public static func decide(runtimeDirectoryExists: Bool, systemctlFound: Bool, systemState: String?) -> Self {
        guard systemctlFound else { return .absent(reason: "no systemctl on PATH") }
        if runtimeDirectoryExists { return .running }
        let said = (systemState ?? "").trimmingCharacters(in: " \n\t")
        if said.hasPrefix("offline") || said.contains("not been booted with systemd") {
            return .absent(
                reason: "no \(runtimeDirectory), and systemctl says \"\(said.split(separator: "\n").first ?? "")\"")
        }
        return .running
    }

    /// What `install` says on a host without systemd: the no-systemd path first.
    public static func installAdvice(reason: String, workDir: String) -> String {
        "this host does not run systemd (\(reason)), so there is no unit to install. Run serve without it: "
            + "agent-runner start (in the background, it survives logout; 'agent-runner status' shows it). To "
            + "start it at boot, let the host's init run 'cd \(workDir) && agent-runner start' "
            + "(OpenRC: a script in /etc/local.d ending in .start; or cron: @reboot)"
    }
}
