/// Why fleetctl refused to run ssh for a host, before any process was started: an unsafe
/// target or option value (which ssh could read as an option, or split into two), or a
/// control directory that is missing, foreign or too long for a unix socket.
///
/// The message names the host and the setting to fix, e.g.
/// `host pi: the ssh target '-oProxyCommand=sh' starts with '-', which ssh would read as an option; fix ssh = ... for this host in the inventory`.
public struct SSHSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of setting was refused; extensible without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The ssh destination (alias or user@host) is unsafe.
        public static let invalidTarget = Code("invalid_target")
        /// An option value (ssh_config path, timeout, control directory) is unsafe or out of range.
        public static let invalidOption = Code("invalid_option")
        /// The ControlPath directory cannot be created or is not safely ours.
        public static let controlDirectory = Code("control_directory")
        /// ssh cannot read its configuration for the host (`ssh -G` failed).
        public static let sshConfig = Code("ssh_config")
        /// The remote command is empty.
        public static let invalidCommand = Code("invalid_command")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
