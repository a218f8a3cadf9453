/// Recognises why ssh failed from the messages OpenSSH prints on stderr.
///
/// Patterns are checked in priority order over all lines: a changed host key prints a long
/// banner that ends in the same "Host key verification failed." as an unknown key, and a
/// connection can time out after a name resolved, so the most specific cause wins.
enum SSHErrorRecognizer {
    struct Recognition: Equatable {
        var kind: SSHFailureKind
        /// The (sanitized) stderr line that matched.
        var line: String
    }

    private static let patterns: [(SSHFailureKind, [String])] = [
        (
            .hostKeyChanged,
            ["remote host identification has changed", "has changed and you have requested strict checking"]
        ),
        (.hostKeyUnknown, ["host key is known for", "host key verification failed"]),
        (
            .nameResolution,
            [
                "could not resolve hostname", "name or service not known", "temporary failure in name resolution",
                "nodename nor servname",
            ]
        ),
        (.connectionRefused, ["connection refused"]),
        (.hostUnreachable, ["no route to host", "network is unreachable", "host is unreachable"]),
        (.connectTimeout, ["connection timed out", "operation timed out", "timed out"]),
        (
            .authenticationFailed,
            [
                "are too open", "permission denied", "too many authentication failures", "no mutual signature",
                "authentication failed",
            ]
        ),
        (
            .connectionLost,
            [
                "connection closed by", "connection reset by", "closed by remote host", "broken pipe",
                "not responding", "kex_exchange_identification", "packet corrupt",
            ]
        ),
        (
            .configuration,
            [
                "bad configuration option", "can't open user config file", "unsupported option",
                "garbage at end of line", "bad owner or permissions on",
            ]
        ),
    ]

    /// The first matching cause, or nil for an unrecognised exit 255.
    static func recognise(_ stderr: String) -> Recognition? {
        let lines = stderr.split(whereSeparator: \.isNewline).map(String.init)
        let lowered = lines.map { $0.lowercased() }
        for (kind, needles) in patterns {
            for needle in needles {
                if let index = lowered.firstIndex(where: { $0.contains(needle) }) {
                    return Recognition(
                        kind: kind, line: OperatorText.preview(lines[index].trimmingSpaces(), limit: 200))
                }
            }
        }
        return nil
    }

    /// From a changed-host-key banner: the new key's fingerprint ("SHA256:…") and ssh's own
    /// suggested removal command (`ssh-keygen -f "…" -R "[host]:port"`).
    static func hostKeyDetails(_ stderr: String) -> (fingerprint: String?, removeCommand: String?) {
        var fingerprint: String?
        var removeCommand: String?
        for raw in stderr.split(whereSeparator: \.isNewline) {
            let line = String(raw).trimmingSpaces()
            if fingerprint == nil, line.hasPrefix("SHA256:") || line.hasPrefix("MD5:") {
                fingerprint = OperatorText.preview(line.hasSuffix(".") ? String(line.dropLast()) : line, limit: 100)
            }
            if removeCommand == nil, line.hasPrefix("ssh-keygen ") && line.contains(" -R ") {
                removeCommand = OperatorText.preview(line, limit: 300)
            }
        }
        return (fingerprint, removeCommand)
    }
}
