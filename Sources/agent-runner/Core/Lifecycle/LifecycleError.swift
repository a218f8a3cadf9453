import FleetCore

/// A lifecycle verb could not do what was asked. The message is the operator's next step
/// (`... is managed by a system unit; run: sudo systemctl start agent-runner@demo.service`);
/// the code is the verb's documented exit status.
public struct LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = ExitCode.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
