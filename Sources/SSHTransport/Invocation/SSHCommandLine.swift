/// The argument vectors fleetctl gives the system `ssh`, as plain values (everything after
/// argv[0]), so tests and `--dry-run` output can show exactly what would run.
///
/// Every call gets:
/// - `BatchMode=yes`: never prompt (a passphrase or "trust this host?" prompt would hang a
///   poll that nobody watches);
/// - `ConnectTimeout`, `ServerAliveInterval`, `ServerAliveCountMax`: a dead host fails the
///   connect quickly, and a dead connection (and a master reused later) is noticed;
/// - `LogLevel=ERROR`: ssh's own errors stay on stderr for classification even when the
///   operator's config says `QUIET`, and informational chatter does not;
/// - `ForwardAgent=no`, `ForwardX11=no`, `ClearAllForwardings=yes`: the remote host runs an
///   autonomous agent; it must not get the operator's ssh-agent, X display or tunnels,
///   whatever the operator's config says for interactive use;
/// - reuse on: `ControlMaster=auto`, `ControlPath=<dir>/%C`, `ControlPersist=<n>s`;
///   reuse off: `ControlMaster=no`, `ControlPath=none` (a master configured for
///   interactive use is not touched either);
/// - `-T` (no terminal), then `--` so the target can never be read as an option.
///
/// Host key checking is deliberately left to the operator's ssh config (never
/// `StrictHostKeyChecking=no`); ``SSHHygiene`` reports weak settings.
public enum SSHCommandLine {
    /// What `ssh -O` asks a running ControlMaster.
    public enum ControlOperation: String, Sendable {
        /// Is a master running? (exit 0 and "Master running (pid=N)" if so)
        case check
        /// Stop the master now instead of after ControlPersist.
        case exit
    }

    /// `ssh` arguments that run `remoteCommand` on `host`. The remote words are quoted into
    /// one string (``RemoteCommand``), because ssh joins its trailing arguments with spaces
    /// for the remote shell to split again.
    public static func arguments(for host: RemoteHost, remoteCommand: [String]) throws(SSHSetupError) -> [String] {
        try validate(host)
        guard !remoteCommand.isEmpty else {
            throw SSHSetupError(
                .invalidCommand,
                "\(host.label): no remote command to run (empty argv); this is a fleetctl bug, please report it")
        }
        let options = host.options
        var arguments = configArguments(options)
        arguments += [
            "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=\(options.connectTimeoutS)",
            "-o", "ServerAliveInterval=\(options.serverAliveIntervalS)",
            "-o", "ServerAliveCountMax=\(options.serverAliveCountMax)",
            "-o", "LogLevel=ERROR",
            "-o", "ForwardAgent=no",
            "-o", "ForwardX11=no",
            "-o", "ClearAllForwardings=yes",
        ]
        switch options.connectionReuse {
        case .off:
            arguments += ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        case .on(let directory, let persist):
            arguments += [
                "-o", "ControlMaster=auto", "-o", "ControlPath=\(controlPath(directory))", "-o",
                "ControlPersist=\(persist)s",
            ]
        }
        arguments += ["-T", "--", host.target.destination, RemoteCommand.commandLine(remoteCommand)]
        return arguments
    }

    /// `ssh -O check|exit` arguments for the host's ControlMaster. Throws when reuse is off.
    public static func controlArguments(
        _ operation: ControlOperation, for host: RemoteHost
    ) throws(SSHSetupError) -> [String] {
        try validate(host)
        guard case .on(let directory, _) = host.options.connectionReuse else {
            throw SSHSetupError(
                .invalidOption,
                "\(host.label): connection reuse is off, so there is no ControlMaster to \(operation.rawValue)")
        }
        return configArguments(host.options) + [
            "-o", "BatchMode=yes", "-o", "ControlPath=\(controlPath(directory))",
            "-O", operation.rawValue, "--", host.target.destination,
        ]
    }

    /// `ssh -G` arguments: print the effective configuration for the host without
    /// connecting, for ``SSHHygiene``.
    public static func configDumpArguments(for host: RemoteHost) throws(SSHSetupError) -> [String] {
        try validate(host)
        return ["-G"] + configArguments(host.options) + ["--", host.target.destination]
    }

    /// `<dir>/%C`: ssh replaces `%C` with a hash of local host, remote host, port and user,
    /// so the path length is fixed whatever the host name.
    static func controlPath(_ directory: String) -> String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/%C"
    }

    private static func configArguments(_ options: SSHOptions) -> [String] {
        options.configFile.map { ["-F", $0] } ?? []
    }

    private static func validate(_ host: RemoteHost) throws(SSHSetupError) {
        if let problem = host.options.problem() {
            throw SSHSetupError(.invalidOption, "\(host.label): \(problem)")
        }
    }
}
