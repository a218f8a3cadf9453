import Detectors
import FleetCore
import SSHTransport

/// `agent-runner monitor --host H --mode events`: the 0.3.14 event relay (detectors.md §7.1), for
/// a reader on another machine (a dashboard, a parity check, `jq`).
///
/// Runs the host's `events --tail` over ssh (``RelayCommand``) and prints its JSON Lines as they
/// come, unchanged. When ssh ends it records `monitor_remote_blip` and reconnects after 1, 2, 4, 8,
/// 16, 30 s (cut to the tolerance left) with `--since` = the newest `ts` relayed, printing the
/// replayed boundary line(s) only once (``RelayCursor``). Once it has failed for
/// `remote_failure_tolerance_s` with no line from the host in between (any line resets the clock)
/// it records `monitor_remote_giveup` and ends. A stop request, a hang-up or its own reader going
/// away end ssh's process group and the relay (the host's tail then ends too: its reader is gone).
///
/// Every effect is injected (the stream, the clock, the event log, the outputs), so the schedule
/// is a test on a fake clock with a scripted stream.
public struct EventRelay {
    /// What is relayed from where.
    public struct Target: Sendable {
        /// The host's name in events and messages (the ssh alias).
        public var name: String
        public var remote: RemoteHost
        public var command: RelayCommand
        /// `[monitor] remote_failure_tolerance_s`: 0 gives up at the first failure.
        public var toleranceS: Int

        public init(name: String, remote: RemoteHost, command: RelayCommand, toleranceS: Int = 90) {
            self.name = name
            self.remote = remote
            self.command = command
            self.toleranceS = toleranceS
        }
    }

    /// How the relay ended.
    public enum End: Sendable, Equatable {
        /// Stopped (exit 0), hung up (129) or its reader went away (141).
        case interrupted(StreamEnd)
        /// The host stayed unreachable past the tolerance (exit 1).
        case gaveUp(RemoteGiveUp)

        public var exitCode: Int32 {
            switch self {
            case .interrupted(let end): return end.exitCode
            case .gaveUp: return ExitCode.failure
            }
        }
    }

    public let target: Target
    let stream: any RemoteEventStream
    let clock: any MonotonicClock
    let events: EventLogWriter
    /// Where the host's lines go (stdout).
    let output: any TextOutput
    /// Where blips and the give-up are told (stderr).
    let notices: any TextOutput

    public init(
        target: Target, stream: any RemoteEventStream, clock: any MonotonicClock, events: EventLogWriter,
        output: any TextOutput, notices: any TextOutput
    ) {
        self.target = target
        self.stream = stream
        self.clock = clock
        self.events = events
        self.output = output
        self.notices = notices
    }

    /// Relays until interrupted or given up. `since` resumes from that time on the first connect.
    public func run(since: String? = nil, interrupted: () -> StreamEnd?) -> End {
        let origin = clock.now
        var tolerance = RemoteFailureTolerance(toleranceS: target.toleranceS, settleS: 0)
        var cursor = RelayCursor(since: since)
        while true {
            let argv = target.command.argv(since: cursor.since)
            let ended = stream.stream(
                host: target.remote, argv: argv,
                line: { line in
                    _ = tolerance.record(.success, at: (clock.now - origin).seconds)
                    if cursor.admit(line) {
                        output.write(Event(line: Array(line.utf8)).map { JSONLines.line($0.object) } ?? line + "\n")
                    }
                }, interrupted: interrupted)
            let failure: RemoteFailure
            switch ended {
            case .interrupted(let reason): return .interrupted(reason)
            case .ended(let value): failure = value
            }
            switch tolerance.record(.failure(failure), at: (clock.now - origin).seconds) {
            case .blip(let blip):
                record(MonitorRemoteBlip(host: target.name, blip: blip, resumeSince: cursor.since))
                notices.write(
                    "agent-runner: relay to '\(target.name)': \(Self.exitText(failure)); reconnecting in "
                        + "\(Self.seconds(blip.nextSleepS)) (attempt \(blip.attempt); gives up after "
                        + "\(target.toleranceS)s without a line)\n")
                var reason: StreamEnd?
                clock.sleep(until: clock.now + .seconds(blip.nextSleepS), tick: StreamWatch.tick) {
                    reason = interrupted()
                    return reason != nil
                }
                if let reason { return .interrupted(reason) }
            case .giveUp(let giveUp):
                record(MonitorRemoteGiveup(host: target.name, giveUp: giveUp, resumeSince: cursor.since))
                notices.write(giveUpText(giveUp) + "\n")
                return .gaveUp(giveUp)
            case .none, .stillDown, .reset, .recovered:
                continue  // Not the answer to a failure before the give-up; listed for exhaustiveness.
            }
        }
    }

    /// The original's give-up line, then what to do about it.
    func giveUpText(_ giveUp: RemoteGiveUp) -> String {
        let failure = giveUp.finalError
        let last = failure.stderrTail.split(separator: "\n").last.map(String.init) ?? ""
        let host = target.name
        let next: String
        switch failure.returncode {
        case 127:
            next =
                "the host's non-interactive shell did not find \(target.command.agentRunner) (~/.local/bin and ~/bin "
                + "are often not on its PATH): pass --agent-runner /full/path/to/agent-runner"
        case 255:
            next =
                "ssh could not reach \(host) or the link kept dropping: run `ssh \(host) true` by hand "
                + "and fix what it says"
        default:
            next =
                "run `ssh \(host) -- \(target.command.agentRunner) events --tail --kind round_end"
                + (target.command.remoteConfig.map { " --config \($0)" } ?? "") + "` by hand; "
                + "without --remote-config the host looks for agent-runner.toml in its login directory"
        }
        return "agent-runner: relay to '\(host)' gave up after \(Int(giveUp.totalElapsedS.rounded()))s / "
            + "\(giveUp.totalAttempts) attempts (ssh rc=\(failure.returncode)): \(last)\n"
            + "agent-runner: next: \(next)"
    }

    private func record(_ event: some TypedEvent) {
        do {
            _ = try events.append(event)
        } catch {
            notices.write("agent-runner: cannot record \(type(of: event).kind) in \(events.directory): \(error)\n")
        }
    }

    static func exitText(_ failure: RemoteFailure) -> String {
        let last = failure.stderrTail.split(separator: "\n").last.map { " (\($0))" } ?? ""
        return failure.returncode < 0
            ? "ssh was killed by signal \(-failure.returncode)\(last)"
            : "ssh exited \(failure.returncode)\(last)"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : Duration.seconds(value).shortText
    }
}
