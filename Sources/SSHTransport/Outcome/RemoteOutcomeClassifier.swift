import FleetCore

/// Turns a finished ssh process into a ``RemoteResult``: exit 0 is success (unless stdout
/// overflowed), 255 is ssh's own failure (cause recognised from stderr), anything else is
/// the remote command's exit code, and a passed deadline is a timeout whatever the status.
/// Pure, so every message can be tested from canned process outputs.
struct RemoteOutcomeClassifier {
    var host: RemoteHost
    var argv: [String]
    var outputLimit: Int
    /// How long the call was allowed to take, for the timeout message.
    var budget: Duration

    func classify(_ output: ProcessOutput) -> RemoteResult {
        let tail = StderrTail.of(output.stderr)
        let (outcome, detail) = outcomeAndDetail(output, tail: tail)
        return RemoteResult(
            host: host.name, outcome: outcome, errorMessage: detail.map { "\(host.label): \($0)" },
            stderrTail: tail, exit: output.exit, duration: output.duration)
    }

    private func outcomeAndDetail(_ output: ProcessOutput, tail: String) -> (RemoteOutcome, String?) {
        if output.timedOut {
            let stderrNote = tail.isEmpty ? "" : " (last stderr: \(StderrTail.lastLine(tail)))"
            let detail =
                "no answer from \(commandText) within \(budget.shortText); ssh was stopped\(stderrNote). The host may be overloaded or unreachable mid-session, or the remote command hung (it may still be running there); raise poll_timeout_s if the host is just slow"
            return (.timeout(after: budget), detail)
        }
        switch output.exit {
        case .terminated(0):
            if output.stdoutTruncated {
                let reason =
                    "\(commandText) printed more than \(OperatorText.size(outputLimit)) on stdout, the most fleetctl accepts; check what the remote command prints (is it the right program?)"
                return (.badOutput(reason), reason)
            }
            return (.ok(output.stdout), nil)
        case .terminated(255):
            // ssh's own messages come last; 16 KiB holds the longest (the changed-key banner).
            let (kind, detail) = sshFailure(
                stderr: String(decoding: output.stderr.suffix(16 << 10), as: UTF8.self), tail: tail)
            return (.sshFailure(kind, detail), detail)
        case .terminated(let code) where code >= 0:
            return (.remoteFailure(exitCode: code, stderrTail: tail), remoteFailureDetail(code: code, tail: tail))
        case .terminated:
            let detail = "ssh's exit status was lost (\(output.exit)); fleetctl cannot tell what happened, retry"
            return (.sshFailure(.localFailure, detail), detail)
        case .signalled(let signal):
            let detail =
                "ssh was killed by \(ExitStatus.signalName(signal)) before it finished (not by fleetctl's deadline): was it stopped by hand, or by the out-of-memory killer on this machine?"
            return (.sshFailure(.localFailure, detail), detail)
        }
    }

    private var commandText: String {
        "`" + OperatorText.preview(argv.joined(separator: " "), limit: 80) + "`"
    }

    private var programName: String {
        OperatorText.preview(argv.first ?? "", limit: 80)
    }

    private func remoteFailureDetail(code: Int32, tail: String) -> String {
        let last = StderrTail.lastLine(tail)
        let evidence = last.isEmpty ? "exit \(code)" : "exit \(code): \(last)"
        switch code {
        case 127 where (argv.first ?? "").contains("/"):
            return
                "\(programName) does not exist on the remote host (\(evidence)); fix agent_runner = \"/full/path\" in the inventory for this host"
        case 127:
            return
                "\(programName) not found on the remote PATH (\(evidence)); set agent_runner = \"/full/path\" in the inventory for this host (ssh runs a non-interactive shell whose PATH often lacks ~/.local/bin)"
        case 126:
            return
                "\(programName) exists on the remote host but cannot be executed (\(evidence)); chmod +x it there, or check that its filesystem is not mounted noexec"
        default:
            return "\(commandText) failed on the remote host with \(evidence)"
        }
    }

    private func sshFailure(stderr: String, tail: String) -> (SSHFailureKind, String) {
        guard let recognition = SSHErrorRecognizer.recognise(stderr) else {
            let said = tail.isEmpty ? "no message" : StderrTail.lastLine(tail)
            // ssh reports every failure to connect or log in at LogLevel=ERROR; without such a
            // message the command had started: the connection went away under it (a host that
            // lost power kills sshd's session, and ssh says nothing at LogLevel=ERROR).
            return (
                .other,
                "ssh exited 255 (\(said)) without an error of its own: the connection was cut while the command ran (the host rebooted or lost its network), or the remote command itself exited 255. Check the host with `ssh \(sshHint) true`"
            )
        }
        let line = recognition.line
        let target = host.target.destination
        let detail: String
        switch recognition.kind {
        case .connectionRefused:
            detail =
                "ssh: connection refused (\(line)); the host is up but nothing accepts ssh on that port: check that sshd runs there (systemctl status ssh) and the Port for \(target) in the ssh config"
        case .hostUnreachable:
            detail =
                "ssh: host unreachable (\(line)); the host or its network is down: check that it is powered on and reachable (ping), and the HostName for \(target) in the ssh config"
        case .nameResolution:
            detail =
                "ssh: cannot resolve the host name (\(line)); check the HostName for \(target) in the ssh config (`ssh -G \(sshHint) | grep hostname`) and DNS"
        case .connectTimeout:
            detail =
                "ssh: connection timed out after \(host.options.connectTimeoutS) s (\(line)); the host is down, firewalled, or too loaded for sshd to answer: check that it is up; raise connect_timeout_s for slow links"
        case .authenticationFailed:
            detail =
                "ssh: the host refused our key (\(line)); check User and IdentityFile for \(target) (`ssh -G \(sshHint)`) and that the key's .pub is in ~/.ssh/authorized_keys of that user on the host"
        case .hostKeyChanged:
            let (fingerprint, removeCommand) = SSHErrorRecognizer.hostKeyDetails(stderr)
            let presented = fingerprint.map { " It now presents key \($0)." } ?? ""
            let remove = removeCommand ?? "ssh-keygen -R <the host's name or [address]:port>"
            detail =
                "ssh: the host key has CHANGED, and ssh refused to connect: the host was reinstalled, or someone is intercepting the connection (man in the middle).\(presented) Check the host: compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` run on its console; only if they match, remove the old key with `\(remove)` and connect once with `ssh \(sshHint)` to pin the new one"
        case .hostKeyUnknown:
            detail =
                "ssh: the host key is not trusted yet (\(line)); fleetctl never accepts unknown host keys: verify the key's fingerprint on the host's console, then connect once by hand with `ssh \(sshHint)` and accept it"
        case .connectionLost:
            detail =
                "ssh: the connection dropped (\(line)); the host may be rebooting, overloaded (sshd MaxStartups) or its network flapping"
        case .configuration:
            detail =
                "ssh rejected its configuration (\(line)); fix the ssh config file (\(host.options.configFile.map { "ssh_config = \($0)" } ?? "~/.ssh/config"))"
        case .localFailure, .other:
            detail = "ssh failed (\(line))"
        }
        return (recognition.kind, detail)
    }

    /// The ssh command an operator can paste to reproduce the connection by hand.
    private var sshHint: String {
        let config = host.options.configFile.map { "-F \(RemoteCommand.quote($0)) " } ?? ""
        return config + RemoteCommand.quote(host.target.destination)
    }
}
