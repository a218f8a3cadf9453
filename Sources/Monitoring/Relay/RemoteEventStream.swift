import Detectors
import FleetCore
import SSHTransport

/// One connection's worth of the host's `events --tail`: run it, hand its stdout over line by
/// line, and say how it ended. The event relay takes this effect, so its schedule (reconnects,
/// back-off, give-up) is tested with a scripted stream on a fake clock; ``SSHEventStream`` is the
/// real one.
public protocol RemoteEventStream: Sendable {
    /// Runs `argv` on `host` until it ends by itself or `interrupted` (asked between reads, at
    /// least every 200 ms, and after each line) names a reason to stop; `line` gets each stdout
    /// line without its newline (a last unterminated line too).
    func stream(
        host: RemoteHost, argv: [String], line: (String) -> Void, interrupted: () -> StreamEnd?
    ) -> RemoteStreamEnd
}

/// How one connection ended.
public enum RemoteStreamEnd: Sendable, Equatable {
    /// ssh ended by itself (the link dropped, the remote command failed or exited): ssh's exit
    /// code (-N when a signal killed it, as Python reports it) and the tail of its stderr.
    case ended(RemoteFailure)
    /// The relay ended it, and ssh's process group with it, for this reason.
    case interrupted(StreamEnd)
}
