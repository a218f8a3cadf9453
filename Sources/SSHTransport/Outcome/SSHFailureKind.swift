/// Why ssh itself failed (exit 255), recognised from its stderr, so that the operator gets
/// the next step for this cause and detectors can tell "host down" from "key rejected".
/// The raw values are stable snake_case names for JSON output and events.
public enum SSHFailureKind: String, Sendable, Equatable, CaseIterable {
    /// Nothing listens on the ssh port: the host is up, sshd is not.
    case connectionRefused = "connection_refused"
    /// No route to the host or its network ("No route to host", "Network is unreachable").
    case hostUnreachable = "host_unreachable"
    /// The host name does not resolve.
    case nameResolution = "name_resolution"
    /// No TCP connection or no ssh banner within ConnectTimeout.
    case connectTimeout = "connect_timeout"
    /// The server refused every key offered ("Permission denied (publickey)").
    case authenticationFailed = "authentication_failed"
    /// The host presented a key different from the one pinned in known_hosts: a reinstalled
    /// host, or a man in the middle.
    case hostKeyChanged = "host_key_changed"
    /// The host's key is not in known_hosts and ssh is not allowed to accept new keys.
    case hostKeyUnknown = "host_key_unknown"
    /// An established connection dropped or was closed before the command finished.
    case connectionLost = "connection_lost"
    /// ssh rejected its configuration, or fleetctl refused an unsafe target or option.
    case configuration = "configuration"
    /// ssh could not be started on this machine, or its control directory is unusable.
    case localFailure = "local_failure"
    /// Exit 255 with no recognisable ssh message (possibly the remote command's own 255).
    case other = "other"
}

extension SSHFailureKind {
    /// Whether ssh failed before the remote command could start, so the host is certainly
    /// unchanged: no connection, no session, or refused locally. A lost connection (and an
    /// unrecognised exit 255) may have cut a command that was already running.
    public var commandNeverRan: Bool {
        switch self {
        case .connectionRefused, .hostUnreachable, .nameResolution, .connectTimeout, .authenticationFailed,
            .hostKeyChanged, .hostKeyUnknown, .configuration, .localFailure:
            return true
        case .connectionLost, .other:
            return false
        }
    }
}
