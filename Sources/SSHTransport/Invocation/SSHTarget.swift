import FleetCore

/// The destination given to ssh: an alias from the ssh config, or `user@host`.
///
/// Only constructible from a safe value. ssh reads any argument starting with `-` as an
/// option (`-oProxyCommand=...` runs a local command), and ssh's config parser splits
/// values on whitespace, so such targets are refused here, before anything is spawned.
/// The argv also puts `--` before the target as a second line of defense.
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
    /// The alias or `user@host`, exactly as passed to ssh.
    public let destination: String

    /// Checks `destination` with the inventory's own rule (`SSHTargetCheck`).
    public init(_ destination: String) throws(SSHSetupError) {
        if let problem = SSHTargetCheck.problem(with: destination) {
            throw SSHSetupError(
                .invalidTarget,
                "\(problem); fix the host's ssh = ... in the inventory (an alias from ~/.ssh/config, or user@host)")
        }
        self.destination = destination
    }

    public var description: String { destination }
}
