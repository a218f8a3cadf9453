import FleetCore
import Glibc

/// Checks the operator's ssh configuration for a host against the runbook's "Remote
/// monitor & SSH trust" advice, from what `ssh -G` says ssh would actually use.
///
/// fleetctl reads status from every host and, with auto_stop, stops services there: a
/// host impersonated through a weak host-key policy receives those commands, and a key
/// shared with the operator's everyday identity widens what a leak opens. Settings that
/// fleetctl forces on its own connections anyway (BatchMode, agent forwarding) are not
/// reported.
public struct SSHHygiene: Sendable {
    public var sshProgram: String
    public var environment: [String: String]
    public var runner: any ProcessRunner
    /// Whether a host name resolves to an address (getaddrinfo); a test passes its own.
    public var resolves: @Sendable (String) -> Bool

    public init(
        sshProgram: String = "ssh",
        environment: [String: String] = ProcessRequest.currentEnvironment(),
        runner: any ProcessRunner = PosixProcessRunner(),
        resolves: @escaping @Sendable (String) -> Bool = SSHHygiene.nameResolves
    ) {
        self.sshProgram = sshProgram
        self.environment = environment
        self.runner = runner
        self.resolves = resolves
    }

    /// The file names ssh tries when no IdentityFile is configured.
    public static let defaultIdentityNames: Set<String> = [
        "id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa",
    ]

    /// Runs `ssh -G` for `host` (no connection is made) and judges its output.
    ///
    /// Throws when every connection would fail: the `ssh_config` file is missing, `ssh -G`
    /// rejects the configuration, or the destination is neither a `Host` alias with a `HostName`
    /// nor a name that resolves (and no ProxyJump/ProxyCommand would resolve it elsewhere).
    public func check(_ host: RemoteHost, timeout: Duration = .seconds(5)) throws(SSHSetupError) -> [SSHHygieneFinding]
    {
        if let file = host.options.configFile, access(file, R_OK) != 0 {
            let why = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw SSHSetupError(
                .sshConfig,
                "\(host.label): ssh_config = \(file): \(why), so every ssh call fails; fix ssh_config in the inventory (or create the file)"
            )
        }
        let arguments = try SSHCommandLine.configDumpArguments(for: host)
        let request = ProcessRequest(
            sshProgram, arguments: arguments, environment: environment, grouping: .newSession,
            deadline: .now + timeout, terminationGrace: .milliseconds(500))
        let output: ProcessOutput
        do {
            output = try runner.run(request)
        } catch {
            throw SSHSetupError(
                .sshConfig, "\(host.label): cannot run `ssh -G`: \((error as? ProcessError)?.message ?? "\(error)")")
        }
        guard output.exit.isSuccess, !output.timedOut else {
            let tail = StderrTail.lastLine(StderrTail.of(output.stderr))
            let why =
                output.timedOut
                ? "did not finish within \(timeout.shortText) (a slow Match exec in the ssh config?)"
                : "failed (\(output.exit)\(tail.isEmpty ? "" : ": " + tail))"
            throw SSHSetupError(
                .sshConfig,
                "\(host.label): `ssh \(arguments.joined(separator: " "))` \(why); fix the ssh config for \(host.target.destination)"
            )
        }
        let dump = SSHConfigDump(parsing: output.stdoutText)
        if let problem = Self.unreachableName(in: dump, for: host, resolves: resolves) {
            throw SSHSetupError(.sshConfig, problem)
        }
        return Self.findings(in: dump, for: host)
    }

    /// The error when ssh would connect to a name nothing can resolve: the destination is not a
    /// `Host` alias with a `HostName` (ssh -G then reports the alias itself as the host name), no
    /// proxy takes the connection, and the name does not resolve here (`no2`, a typo, an alias
    /// missing from the ssh config). nil when the name looks reachable.
    public static func unreachableName(
        in dump: SSHConfigDump, for host: RemoteHost, resolves: (String) -> Bool
    ) -> String? {
        let alias = hostPattern(host.target.destination)
        guard let hostName = dump.values("hostname").first, hostName.lowercased() == alias.lowercased() else {
            return nil
        }
        for keyword in ["proxyjump", "proxycommand"] {
            if let value = dump.setting(keyword), value != "none" { return nil }
        }
        guard !resolves(hostName) else { return nil }
        let file = host.options.configFile ?? "~/.ssh/config"
        return
            "\(host.label): no Host \(alias) in \(file), and '\(hostName)' does not resolve as a host name, so every poll would fail; add `Host \(alias)` with its `HostName` to \(file), or fix ssh = ... in the inventory"
    }

    /// getaddrinfo: whether `name` resolves to any address.
    @Sendable public static func nameResolves(_ name: String) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        defer { if let result { freeaddrinfo(result) } }
        return getaddrinfo(name, nil, &hints, &result) == 0 && result != nil
    }

    /// The weaknesses in `dump`, most severe first.
    public static func findings(in dump: SSHConfigDump, for host: RemoteHost) -> [SSHHygieneFinding] {
        let alias = hostPattern(host.target.destination)
        let file = host.options.configFile ?? "~/.ssh/config"
        let location = "under `Host \(alias)` in \(file)"
        var findings: [SSHHygieneFinding] = []
        func add(_ severity: AlertSeverity, _ code: String, _ message: String, _ line: String) {
            findings.append(
                SSHHygieneFinding(
                    severity: severity, code: code, message: "\(host.label): \(message)", configLine: line,
                    location: location))
        }

        switch dump.setting("stricthostkeychecking") {
        case "false", "no", "off":
            add(
                .critical, "host_key_checking_off",
                "ssh accepts any host key for \(alias) (StrictHostKeyChecking no): anyone on the network path can pose as the host, read its status and receive fleetctl's stop commands",
                "StrictHostKeyChecking yes")
        case "accept-new":
            add(
                .warning, "host_key_accept_new",
                "ssh silently trusts the key of \(alias) on first connect (StrictHostKeyChecking accept-new), so an impostor met first is pinned for good; verify the fingerprint on the host's console, add it to known_hosts, then pin it",
                "StrictHostKeyChecking yes")
        default:
            break
        }
        if dump.values("userknownhostsfile").flatMap({ $0.split(separator: " ") }).contains("/dev/null") {
            add(
                .critical, "known_hosts_discarded",
                "host keys for \(alias) are never remembered (UserKnownHostsFile /dev/null), so no key is ever pinned: every connection trusts whoever answers, or fails under StrictHostKeyChecking yes",
                "UserKnownHostsFile ~/.ssh/known_hosts")
        }
        let identities = dump.values("identityfile")
        if identities.allSatisfy(isDefaultIdentity) {
            let shown =
                identities.isEmpty
                ? "ssh's default keys"
                : identities.prefix(3).joined(separator: ", ") + (identities.count > 3 ? ", …" : "")
            add(
                .warning, "shared_default_identity",
                "fleetctl logs in to \(alias) with your default identity (\(shown)), the key your shell user uses everywhere; create a dedicated key (ssh-keygen -t ed25519 -f ~/.ssh/fleetctl_ed25519 -C fleetctl), install its .pub on the host, and restrict it there with command=\"...\" in authorized_keys",
                "IdentityFile ~/.ssh/fleetctl_ed25519")
        }
        if dump.setting("identitiesonly") != "yes" {
            add(
                .warning, "identities_only_off",
                "ssh offers \(alias) every key loaded in your ssh-agent, not only its IdentityFile (IdentitiesOnly no), so a key you did not mean for this host may be the one that logs in",
                "IdentitiesOnly yes")
        }
        // Most severe first, in check order within a severity.
        return findings.enumerated()
            .sorted { ($0.element.severity, $1.offset) > ($1.element.severity, $0.offset) }
            .map(\.element)
    }

    /// The `Host` pattern to edit: the destination without `user@`.
    static func hostPattern(_ destination: String) -> String {
        destination.lastIndex(of: "@").map { String(destination[destination.index(after: $0)...]) } ?? destination
    }

    /// `~/.ssh/id_ed25519`, `/home/me/.ssh/id_rsa`: one of ssh's default key files.
    static func isDefaultIdentity(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard let name = components.last, defaultIdentityNames.contains(String(name)) else { return false }
        return components.count >= 2 && components[components.count - 2] == ".ssh"
    }
}
