import FleetCore

/// One host as the transport sees it: the inventory name (for messages), where ssh
/// connects, and how.
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

    /// An inventory host with its effective settings. `controlDirectory` enables connection
    /// reuse where the host's `connection_reuse` allows it. Throws if its ssh target is unsafe.
    public init(_ host: Inventory.Host, controlDirectory: String?) throws(SSHSetupError) {
        let target: SSHTarget
        do {
            target = try SSHTarget(host.sshTarget)
        } catch {
            throw SSHSetupError(error.code, "host \(host.name): \(error.message)")
        }
        self.init(name: host.name, target: target, options: SSHOptions(host.settings, controlDirectory: controlDirectory))
    }

    /// "pi", or "pi (ssh pi.lan)" when the ssh target differs from the name.
    public var label: String {
        name == target.destination ? name : "\(name) (ssh \(target.destination))"
    }
}
