import FleetCore

/// One host as the transport sees it: its name (for messages), where ssh connects, and how.
public struct RemoteHost: Sendable, Equatable {
    /// The inventory name, used in every message about this host.
    public var name: String
    public var target: SSHTarget
    public var options: SSHOptions

    public init(name: String, target: SSHTarget, options: SSHOptions = SSHOptions()) {
        self.name = name
        self.target = target
        self.options = options
    }

    /// "pi", or "pi (ssh pi.lan)" when the ssh target differs from the name.
    public var label: String {
        name == target.destination ? name : "\(name) (ssh \(target.destination))"
    }
}
