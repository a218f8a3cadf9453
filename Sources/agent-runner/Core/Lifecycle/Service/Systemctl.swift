import FleetCore

/// systemctl for one scope: `--user` (the invoking user's manager) or the system manager.
public struct Systemctl: Sendable {
    public enum Scope: Sendable, Equatable { case user, system }

    public let command: SystemCommand
    public let scope: Scope

    public init(_ command: SystemCommand, scope: Scope) {
        self.command = command
        self.scope = scope
    }

    /// The argv after `systemctl` for `arguments` in this scope.
    public func arguments(_ arguments: [String]) -> [String] {
        scope == .user ? ["--user"] + arguments : arguments
    }

    public func run(_ arguments: [String]) throws(LifecycleError) -> ProcessOutput {
        try command.run(self.arguments(arguments))
    }

    public func check(_ arguments: [String]) throws(LifecycleError) {
        try command.check(self.arguments(arguments))
    }

    /// `systemctl is-active UNIT`'s answer (`active`, `inactive`, `failed`, `activating`...), or
    /// nil when systemctl is missing or did not answer. Never throws: it is a probe.
    public func activeState(_ unit: String) -> String? {
        guard let output = try? run(["is-active", unit]) else { return nil }
        let state = output.stdoutText.trimmedLines
        return state.isEmpty ? nil : state
    }

    /// Whether a unit in `state` has stopped: only `inactive` and `failed` mean its processes
    /// are gone (`deactivating` is a stop still draining the round).
    public static func isStopped(_ state: String?) -> Bool {
        state == "inactive" || state == "failed"
    }
}
