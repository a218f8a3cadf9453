import FleetCore
import Synchronization

/// Appends events for the supervisor without ever throwing: a full disk or a deleted log dir
/// must not kill the supervisor mid-round. The first failure of a streak is reported on stderr
/// (which systemd's journal keeps) with what to do; writing resumes when the cause goes away.
public final class EventSink: Sendable {
    public let writer: EventLogWriter
    private let stderr: any TextOutput
    private let failing = Atomic<Bool>(false)

    public init(logDir: String, clock: any WallClock, stderr: any TextOutput) {
        writer = EventLogWriter(directory: logDir, clock: clock)
        self.stderr = stderr
    }

    /// Appends `kind` with `payload`; returns whether the line was written.
    @discardableResult
    public func emit(_ kind: EventKind, _ payload: JSONObject = [:]) -> Bool {
        do {
            _ = try writer.append(kind, payload)
            if failing.exchange(false, ordering: .relaxed) {
                stderr.write("agent-runner: event log writable again in \(writer.directory)\n")
            }
            return true
        } catch {
            if !failing.exchange(true, ordering: .relaxed) {
                stderr.write(
                    "agent-runner: cannot write event \(kind.rawValue): \(error); free disk space or fix \(writer.directory)\n"
                )
            }
            return false
        }
    }

    /// Appends a typed event; returns whether the line was written.
    @discardableResult
    public func emit(_ event: some TypedEvent) -> Bool {
        emit(type(of: event).kind, event.payload)
    }
}
