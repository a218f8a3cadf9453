import FleetCore

/// The systemd units `install` writes, rendered as text from values (no I/O), so tests compare
/// them byte for byte and feed them to `systemd-analyze verify`.
public struct UnitFile: Sendable, Equatable {
    /// Who runs the unit.
    public enum Scope: Sendable, Equatable {
        /// The invoking user's manager (`~/.config/systemd/user`), `WantedBy=default.target`.
        case user
        /// The system manager (`/etc/systemd/system`), running as this user and group,
        /// `WantedBy=multi-user.target`.
        case system(user: String, group: String)
    }

    public var project: String
    public var workDir: String
    public var configPath: String
    /// The agent-runner the unit starts: the upgrade symlink when there is one, so an
    /// `agent-runner upgrade` takes effect at the next restart without reinstalling.
    public var executable: String
    public var scope: Scope
    public var stopBudget: StopBudget

    public init(
        project: String, workDir: String, configPath: String, executable: String, scope: Scope, stopBudget: StopBudget
    ) {
        self.project = project
        self.workDir = workDir
        self.configPath = configPath
        self.executable = executable
        self.scope = scope
        self.stopBudget = stopBudget
    }

    /// Exit codes after which restarting cannot help: 78 config broken (fix the file), 75 crash
    /// loop (fix the cause), 70 an internal error. systemd must not respawn into them.
    public static let restartPreventExitStatus = [ExitCode.config, ExitCode.crashLoop, ExitCode.software]

    var wantedBy: String {
        if case .system = scope { return "multi-user.target" }
        return "default.target"
    }

    var identity: [String] {
        guard case .system(let user, let group) = scope else { return [] }
        return ["User=\(Self.escapeSpecifiers(user))", "Group=\(Self.escapeSpecifiers(group))"]
    }

    /// `agent-runner@<project>.service`: serve, restarted on failure.
    public var serveUnit: String {
        let budget = stopBudget
        return """
            # agent-runner@\(project).service: written by `agent-runner install` (agent-runner \(BuildInfo.version)).
            # Reinstall rather than edit: `agent-runner install --force` rewrites it from agent-runner.toml.
            #
            # Stopping: systemd sends SIGTERM to serve only (KillMode=mixed); serve lets the round in
            # flight finish, then exits 0. TimeoutStopSec is that round's worst case, in seconds:
            #   \(budget.explanation) = \(budget.totalS).
            # Only after it does systemd SIGKILL the whole cgroup, agent included.
            # Exits 78 (config broken), 75 (crash loop) and 70 (internal error) are final: no restart.
            [Unit]
            Description=Agent Runner Supervisor (\(Self.escapeSpecifiers(project)))
            After=network.target
            StartLimitIntervalSec=300
            StartLimitBurst=5

            [Service]
            Type=simple
            \(identity.map { $0 + "\n" }.joined())WorkingDirectory=\(Self.escapeSpecifiers(workDir))
            ExecStart=\(Self.commandLine([executable, "serve", "--config", configPath]))
            Restart=on-failure
            RestartPreventExitStatus=\(Self.restartPreventExitStatus.map(String.init).joined(separator: " "))
            RestartSec=3
            KillMode=mixed
            KillSignal=SIGTERM
            TimeoutStopSec=\(budget.totalS)

            [Install]
            WantedBy=\(wantedBy)

            """
    }

    /// `agent-runner-monitor@<project>.service`: the local monitor beside serve, always restarted.
    public var monitorUnit: String {
        """
        # agent-runner-monitor@\(project).service: written by `agent-runner install --monitor` (agent-runner \(BuildInfo.version)).
        [Unit]
        Description=Agent Runner Monitor (\(Self.escapeSpecifiers(project)))
        After=network.target agent-runner@\(project).service

        [Service]
        Type=simple
        \(identity.map { $0 + "\n" }.joined())WorkingDirectory=\(Self.escapeSpecifiers(workDir))
        ExecStart=\(Self.commandLine([executable, "monitor", "--config", configPath]))
        Restart=always
        RestartSec=10

        [Install]
        WantedBy=\(wantedBy)

        """
    }

    /// `%` starts a specifier in almost every unit setting: a path holding one must double it.
    static func escapeSpecifiers(_ text: String) -> String {
        text.replacingAll("%", with: "%%")
    }

    /// An ExecStart line: words with spaces, quotes or backslashes are double-quoted with C
    /// escapes, `%` is doubled and `$` doubled (both would otherwise be expanded by systemd).
    static func commandLine(_ words: [String]) -> String {
        words.map { word in
            var escaped = escapeSpecifiers(word).replacingAll("$", with: "$$")
            let needsQuotes =
                word.isEmpty
                || word.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "\\" || $0 == "'" || $0 == "\t" }
            if needsQuotes {
                escaped = "\"" + escaped.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
            }
            return escaped
        }.joined(separator: " ")
    }

    /// The project folder a unit manages: its `WorkingDirectory=` (specifiers unescaped), for the
    /// clobber guard. Nil when the text has none (a unit we did not write).
    public static func workingDirectory(ofUnit text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("WorkingDirectory=") {
            return String(line.dropFirst("WorkingDirectory=".count)).replacingAll("%%", with: "%")
        }
        return nil
    }
}
