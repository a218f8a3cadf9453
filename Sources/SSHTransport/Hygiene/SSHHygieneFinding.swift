import FleetCore

/// One weakness in how ssh is configured for a host, with the line that fixes it.
public struct SSHHygieneFinding: Sendable, Equatable {
    public var severity: AlertSeverity
    /// Stable snake_case identifier, e.g. "host_key_checking_off".
    public var code: String
    /// What is wrong and why it matters for this host.
    public var message: String
    /// The ssh_config line to add, e.g. "StrictHostKeyChecking yes".
    public var configLine: String
    /// Where to add it: "under `Host pi` in ~/.ssh/config".
    public var location: String

    public init(severity: AlertSeverity, code: String, message: String, configLine: String, location: String) {
        self.severity = severity
        self.code = code
        self.message = message
        self.configLine = configLine
        self.location = location
    }

    /// "[WARN] pi: ...; add `IdentitiesOnly yes` under `Host pi` in ~/.ssh/config".
    public var text: String {
        "\(severity.tag) \(message); add `\(configLine)` \(location)"
    }
}
