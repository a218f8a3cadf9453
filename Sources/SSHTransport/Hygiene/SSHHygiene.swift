import FleetCore

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

    public init(
        sshProgram: String = "ssh",
        environment: [String: String] = ProcessRequest.currentEnvironment(),
        runner: any ProcessRunner = PosixProcessRunner()
    ) {
        self.sshProgram = sshProgram
        self.environment = environment
        self.runner = runner
    }

    /// The file names ssh tries when no IdentityFile is configured.
    public static let defaultIdentityNames: Set<String> = [
        "id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa",
    ]

    /// Runs `ssh -G` for `host` (no connection is made) and judges its output.
    public func check(_ host: RemoteHost, timeout: Duration = .seconds(5)) throws(SSHSetupError) -> [SSHHygieneFinding]
    {
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
        return Self.findings(in: SSHConfigDump(parsing: output.stdoutText), for: host)
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
