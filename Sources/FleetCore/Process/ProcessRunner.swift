/// How FleetCore starts programs. agent-runner and fleetctl take a `ProcessRunner` rather
/// than spawning directly, so their tests can substitute a fake that returns canned
/// `ProcessOutput`s or errors. `PosixProcessRunner` is the real implementation.
public protocol ProcessRunner: Sendable {
    /// Runs to completion (or to `request.deadline`) and returns the exit status and
    /// captured output. Throws `ProcessError` if the child cannot be started.
    func run(_ request: ProcessRequest) throws -> ProcessOutput

    /// Starts the child and returns at once with a handle to it.
    /// Throws `ProcessError` if the child cannot be started.
    func spawn(_ request: ProcessRequest) throws -> RunningProcess
}
