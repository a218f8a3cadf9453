import FleetCore

/// The ways serve is asked to stop: SIGTERM or SIGINT (``StopRequest``), the operator's
/// `[runtime] stop_file`, and the agent's `log_dir/.agent-done` sentinel. They are checked
/// between rounds (a round in flight is never interrupted, so an agent is not killed
/// mid-commit), and the back-off sleeps wake for the first two within a tick.
struct StopTriggers {
    let stop: StopRequest
    let stopFile: String?
    let sentinelPath: String
    let fileSystem: any FileSystem
    let clock: any MonotonicClock

    /// How often a back-off sleep looks for a signal or the stop file.
    static let tick = Duration.milliseconds(200)

    /// What woke a sleep early.
    enum Wake: Sendable, Equatable {
        case signal
        case stopFile
    }

    var signalled: Bool { stop.isRequested }

    var stopFileExists: Bool {
        stopFile.map(fileSystem.exists) ?? false
    }

    /// The sentinel's content (first 200 characters), or nil when the agent has not written it.
    func sentinelReason() -> String? {
        guard fileSystem.exists(sentinelPath) else { return nil }
        return firstCharacters(of: sentinelPath)
    }

    /// A sentinel left by the previous serve's agent must not stop this one.
    func removeStaleSentinel() {
        fileSystem.removeFile(sentinelPath)
    }

    /// The stop file's first 200 characters (empty when unreadable): the operator's note.
    func stopFileContent() -> String {
        stopFile.map(firstCharacters) ?? ""
    }

    private func firstCharacters(of path: String) -> String {
        let bytes = (try? fileSystem.readFile(path, limit: 1 << 20)) ?? []
        return UTF8Clip.prefix(String(decoding: bytes, as: UTF8.self), maxScalars: 200, maxBytes: 800)
    }

    /// Sleeps `delay` on the clock in ticks; returns what woke it early, or nil when it slept
    /// the whole delay (a zero delay checks nothing: the loop's own checks come next).
    func sleep(for delay: Duration) -> Wake? {
        let deadline = clock.now + delay
        guard clock.now < deadline else { return nil }
        guard clock.sleep(until: deadline, tick: Self.tick, interrupted: { signalled || stopFileExists }) else {
            return nil
        }
        return signalled ? .signal : .stopFile
    }
}
