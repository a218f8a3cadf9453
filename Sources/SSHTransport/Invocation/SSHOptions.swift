import FleetCore

/// How ssh connects to one host: the config file, timeouts, and whether connections are
/// reused through a ControlMaster. Turned into `-F`/`-o` arguments by ``SSHCommandLine``.
public struct SSHOptions: Sendable, Equatable {
    /// Whether calls share one authenticated connection per host.
    public enum ConnectionReuse: Sendable, Equatable {
        /// Every call connects and authenticates anew; any ControlMaster set up in the
        /// operator's own ssh config is bypassed too (`ControlPath=none`).
        case off
        /// The first call leaves a master connection running for `persistS` seconds after
        /// the last use, with its socket in `controlDirectory` (see ``ControlDirectory``);
        /// later calls skip TCP, key exchange and authentication. This is what keeps a
        /// 30 s poll of 50 hosts from costing 50 handshakes and 50 auth log lines each time.
        case on(controlDirectory: String, persistS: Int = 60)
    }

    /// Passed as `-F PATH`, replacing ~/.ssh/config (and /etc/ssh/ssh_config); nil reads those.
    public var configFile: String?
    /// TCP connect plus ssh banner exchange, in seconds (`ConnectTimeout`).
    public var connectTimeoutS: Int
    /// Keepalive probe interval on an established connection (`ServerAliveInterval`), so a
    /// master whose host vanished dies within `interval × countMax` seconds instead of
    /// hanging every later call that would reuse it.
    public var serverAliveIntervalS: Int
    /// Unanswered keepalives before ssh gives up (`ServerAliveCountMax`).
    public var serverAliveCountMax: Int
    public var connectionReuse: ConnectionReuse

    public init(
        configFile: String? = nil,
        connectTimeoutS: Int = 10,
        serverAliveIntervalS: Int = 5,
        serverAliveCountMax: Int = 3,
        connectionReuse: ConnectionReuse = .off
    ) {
        self.configFile = configFile
        self.connectTimeoutS = connectTimeoutS
        self.serverAliveIntervalS = serverAliveIntervalS
        self.serverAliveCountMax = serverAliveCountMax
        self.connectionReuse = connectionReuse
    }

    /// Why `path` cannot be ssh's `-F` value, or nil. It is passed as its own argument, never
    /// through ssh's config parser, so spaces are fine (`-F "/srv/fleet ops/ssh_config"` works);
    /// a leading `-` would be read as an option, and a control character is no file name
    /// anyone meant. The inventory loader applies the same rule, so `fleetctl check` accepts
    /// exactly the paths every poll uses.
    public static func configFileProblem(_ path: String) -> String? {
        if path.isEmpty { return "the ssh_config path is empty" }
        if path.hasPrefix("-") {
            return "the ssh_config path \(OperatorText.quoted(path)) starts with '-', which ssh would read as an option"
        }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "the ssh_config path \(OperatorText.quoted(path)) holds a control character"
        }
        return nil
    }

    /// The first unsafe or out-of-range value, as an operator-facing sentence, or nil.
    func problem() -> String? {
        if let configFile, let problem = Self.configFileProblem(configFile) {
            return problem + "; fix ssh_config = ... in the inventory"
        }
        if !(1...3600).contains(connectTimeoutS) {
            return
                "connect_timeout_s must be between 1 and 3600 seconds, got \(connectTimeoutS); fix it in the inventory"
        }
        if !(1...3600).contains(serverAliveIntervalS) {
            return "the ssh keepalive interval must be between 1 and 3600 seconds, got \(serverAliveIntervalS)"
        }
        if !(1...100).contains(serverAliveCountMax) {
            return "the ssh keepalive count must be between 1 and 100, got \(serverAliveCountMax)"
        }
        if case .on(let directory, let persist) = connectionReuse {
            if let problem = ControlDirectory.problem(withPath: directory) { return problem }
            if !(1...86_400).contains(persist) {
                return "the ControlPersist time must be between 1 and 86400 seconds, got \(persist)"
            }
        }
        return nil
    }
}
