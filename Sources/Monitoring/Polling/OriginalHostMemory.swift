import Detectors
import Synchronization

/// What the poller keeps between polls about hosts that run the original 0.3.x: its exact
/// version (`agent-runner --version`, asked once per connection: the original prints its version
/// nowhere else) and the verdicts on round transcripts already read, so a poll never fetches a
/// transcript twice. Shared by every copy of a ``PeekPoller`` (one watch, one status run).
public final class OriginalHostMemory: Sendable {
    /// Verdicts kept per host: several windows' worth.
    static let maxVerdicts = 64

    struct Entry: Sendable {
        /// nil until asked; then the version, or nil again with `versionAsked` when it could not be read.
        var version: String?
        var versionAsked = false
        var verdicts: [RoundLogVerdict] = []
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// The host's version as `--version` printed it, if it was read on this connection.
    public func version(of host: String) -> String? {
        entries.withLock { $0[host]?.version }
    }

    /// Whether `--version` was asked on this connection (answered or not).
    public func versionAsked(_ host: String) -> Bool {
        entries.withLock { $0[host]?.versionAsked ?? false }
    }

    func recordVersion(_ version: String?, for host: String) {
        entries.withLock {
            $0[host, default: Entry()].version = version
            $0[host, default: Entry()].versionAsked = true
        }
    }

    public func verdicts(of host: String) -> [RoundLogVerdict] {
        entries.withLock { $0[host]?.verdicts ?? [] }
    }

    func record(_ verdict: RoundLogVerdict, for host: String) {
        entries.withLock {
            var verdicts = $0[host]?.verdicts ?? []
            verdicts.removeAll { $0.roundNum == verdict.roundNum }
            verdicts.append(verdict)
            $0[host, default: Entry()].verdicts = Array(verdicts.suffix(Self.maxVerdicts))
        }
    }

    /// The host could not be reached: the next connection may find another installation, so
    /// its version is asked again. Verdicts stay: a transcript does not change.
    func connectionLost(_ host: String) {
        entries.withLock {
            $0[host]?.version = nil
            $0[host]?.versionAsked = false
        }
    }
}
