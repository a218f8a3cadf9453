import Detectors
import FleetCore
import Foundation
import SSHTransport
import Synchronization
import TestSupport
import XCTest

@testable import Monitoring

/// The event relay on a fake clock with a scripted stream: the reconnect schedule, the resume
/// point, the boundary event printed once, the give-up and how each way of ending maps to an exit.
final class EventRelayTests: XCTestCase {
    static let a = #"{"ts": "2026-11-25T10:00:00.000Z", "event": "round_end", "round_num": 41}"#
    static let b = #"{"ts": "2026-11-25T10:00:05.000Z", "event": "round_end", "round_num": 42}"#
    static let c = #"{"ts": "2026-11-25T10:00:09.000Z", "event": "round_start", "round_num": 43}"#
    static let dropped = RemoteStreamEnd.ended(
        RemoteFailure(returncode: 255, stderrTail: "Connection to 127.0.0.1 closed by remote host."))

    /// The spec's sample: a host that prints two events and drops, then replays the boundary one
    /// (`--since` is inclusive) and a new one. Printed once each; resumed from the newest ts; one
    /// blip per drop, each after a line, so each waits 1 s.
    func testReconnectsFromTheNewestTsAndPrintsTheReplayedBoundaryOnce() throws {
        let clock = FakeClock()
        let stream = ScriptedEventStream(
            clock: clock,
            [
                .init(lines: [Self.a, Self.b], end: Self.dropped),
                .init(lines: [Self.b, Self.c], end: Self.dropped),
                .init(lines: [], end: .interrupted(.stopRequested)),
            ])
        let run = try RelayRun(
            self, clock: clock, stream: stream, kinds: ["round_end", "round_start"],
            remoteConfig: "/srv/p/agent-runner.toml")
        XCTAssertEqual(run.relay.run { nil }, .interrupted(.stopRequested))
        XCTAssertEqual(
            run.stdout.text, [Self.a, Self.b, Self.c].map { compact($0) + "\n" }.joined(),
            "each event once, as a compact JSON Lines line whatever the host's spacing")
        let command = "agent-runner events --tail --kind round_end,round_start"
        XCTAssertEqual(
            stream.calls.map { $0.argv.joined(separator: " ") },
            [
                command + " --config /srv/p/agent-runner.toml",
                command + " --since 2026-11-25T10:00:05.000Z --config /srv/p/agent-runner.toml",
                command + " --since 2026-11-25T10:00:09.000Z --config /srv/p/agent-runner.toml",
            ])
        XCTAssertEqual(stream.calls.map(\.at), [0, 1, 2], "each drop after a line waits 1 s")
        let blips = try run.events().filter { $0["event"] == "monitor_remote_blip" }
        XCTAssertEqual(blips.map { $0["attempt"] }, [1, 1], "a line resets the failure clock")
        XCTAssertEqual(blips.map { $0["resume_since"] }, ["2026-11-25T10:00:05.000Z", "2026-11-25T10:00:09.000Z"])
        XCTAssertEqual(
            blips.first?.objectValue?.keys,
            [
                "ts", "event", "host", "returncode", "error", "attempt", "elapsed_s", "cap_s", "resume_since",
                "next_sleep_s",
            ])
        XCTAssertEqual(blips.first?["returncode"], 255)
        XCTAssertEqual(blips.first?["error"], "Connection to 127.0.0.1 closed by remote host.")
        XCTAssertEqual(blips.first?["next_sleep_s"], 1)
        XCTAssertTrue(
            run.stderr.text.contains(
                "agent-runner: relay to 'pi': ssh exited 255 (Connection to 127.0.0.1 closed by remote host.); "
                    + "reconnecting in 1s (attempt 1; gives up after 90s without a line)"), run.stderr.text)
    }

    /// The spec's observation with tolerance 5 and an ssh that always fails at once: blips at 0,
    /// 1 and 3 s sleeping 1, 2 and the 2 s left (a float then), the give-up at 5 s after 4
    /// attempts, exit 1 with the original's stderr line and what to do next.
    func testBacksOffThenGivesUpPastTheTolerance() throws {
        let clock = FakeClock()
        let failed = RemoteStreamEnd.ended(RemoteFailure(returncode: 127, stderrTail: "sh: 1: agent-runner: not found"))
        let stream = ScriptedEventStream(clock: clock, Array(repeating: .init(lines: [], end: failed), count: 4))
        let run = try RelayRun(self, clock: clock, stream: stream, toleranceS: 5)
        let end = run.relay.run { nil }
        guard case .gaveUp(let giveUp) = end else { return XCTFail("\(end)") }
        XCTAssertEqual(end.exitCode, 1)
        XCTAssertEqual(giveUp.totalAttempts, 4)
        XCTAssertEqual(stream.calls.map(\.at), [0, 1, 3, 5], "waits of 1, 2 and the 2 s left")
        let events = try run.events()
        XCTAssertEqual(
            events.compactMap { $0["event"]?.stringValue },
            ["monitor_remote_blip", "monitor_remote_blip", "monitor_remote_blip", "monitor_remote_giveup"])
        XCTAssertEqual(events.prefix(3).map { $0["elapsed_s"] }, [0.0, 1.0, 3.0])
        XCTAssertEqual(
            events.prefix(3).map { $0["next_sleep_s"] }, [1, 2, 2.0], "the last sleep is cut by the tolerance left")
        XCTAssertEqual(
            events.last?.objectValue?.keys,
            [
                "ts", "event", "host", "returncode", "total_attempts", "total_elapsed_s", "cap_s", "final_error",
                "resume_since",
            ])
        XCTAssertEqual(events.last?["final_error"], "sh: 1: agent-runner: not found")
        XCTAssertEqual(events.last?["resume_since"], .null)
        XCTAssertTrue(
            run.stderr.text.contains(
                "agent-runner: relay to 'pi' gave up after 5s / 4 attempts (ssh rc=127): "
                    + "sh: 1: agent-runner: not found\n"
                    + "agent-runner: next: the host's non-interactive shell did not find agent-runner"), run.stderr.text
        )
    }

    /// The whole default ladder: 1, 2, 4, 8, 16, 30, then the 29 s left of 90; give-up at 90 s.
    /// (The waits are slept in 200 ms ticks, so a stop request is seen at once.)
    func testTheDefaultLadderIsCappedByTheToleranceLeft() throws {
        let clock = FakeClock()
        let stream = ScriptedEventStream(clock: clock, Array(repeating: .init(lines: [], end: Self.dropped), count: 8))
        let run = try RelayRun(self, clock: clock, stream: stream)
        guard case .gaveUp(let giveUp) = run.relay.run(interrupted: { nil }) else { return XCTFail("no give-up") }
        XCTAssertEqual(stream.calls.map(\.at), [0, 1, 3, 7, 15, 31, 61, 90], "waits of 1, 2, 4, 8, 16, 30, then 29")
        XCTAssertEqual(giveUp.totalAttempts, 8)
        XCTAssertEqual(giveUp.totalElapsedS, 90)
    }

    /// Tolerance 0: the first drop gives up, without a blip.
    func testToleranceZeroGivesUpAtTheFirstDrop() throws {
        let clock = FakeClock()
        let stream = ScriptedEventStream(clock: clock, [.init(lines: [Self.a], end: Self.dropped)])
        let run = try RelayRun(self, clock: clock, stream: stream, toleranceS: 0)
        XCTAssertEqual(run.relay.run { nil }.exitCode, 1)
        XCTAssertEqual(try run.events().compactMap { $0["event"]?.stringValue }, ["monitor_remote_giveup"])
        XCTAssertEqual(try run.events().first?["resume_since"], "2026-11-25T10:00:00.000Z")
    }

    /// A failure clock that has run 3 s restarts once a line arrives: the next drop is attempt 1 again.
    func testALineResetsTheFailureClock() throws {
        let clock = FakeClock()
        let stream = ScriptedEventStream(
            clock: clock,
            [
                .init(lines: [], end: Self.dropped), .init(lines: [], end: Self.dropped),
                .init(lines: [Self.a], end: Self.dropped), .init(lines: [], end: .interrupted(.stopRequested)),
            ])
        let run = try RelayRun(self, clock: clock, stream: stream)
        XCTAssertEqual(run.relay.run { nil }, .interrupted(.stopRequested))
        XCTAssertEqual(stream.calls.map(\.at), [0, 1, 3, 4], "waits of 1, 2, then 1 again")
        XCTAssertEqual(try run.events().map { $0["attempt"] }, [1, 2, 1])
    }

    /// A stop, a hang-up or a gone reader during the back-off ends the relay at the next tick.
    func testAnInterruptionDuringTheBackOffEndsTheRelay() throws {
        let clock = FakeClock()
        let stream = ScriptedEventStream(clock: clock, [.init(lines: [], end: Self.dropped)])
        let run = try RelayRun(self, clock: clock, stream: stream)
        let start = clock.now
        let end = run.relay.run { clock.now - start >= .milliseconds(500) ? .readerGone : nil }
        XCTAssertEqual(end, .interrupted(.readerGone))
        XCTAssertEqual(end.exitCode, 141)
        XCTAssertEqual(clock.sleeps, Array(repeating: .milliseconds(200), count: 3))
        XCTAssertEqual(EventRelay.End.interrupted(.stopRequested).exitCode, 0)
        XCTAssertEqual(EventRelay.End.interrupted(.hangUp).exitCode, 129)
    }

    // MARK: the command and the cursor, as data

    func testTheRemoteCommandAsData() {
        let defaults = RelayCommand()
        XCTAssertEqual(Array(defaults.argv(since: nil).prefix(4)), ["agent-runner", "events", "--tail", "--kind"])
        XCTAssertEqual(defaults.argv(since: nil).count, 5)
        let custom = RelayCommand(
            kinds: ["round_end", "serve_started"], remoteConfig: "~/p/agent-runner.toml",
            agentRunner: "~/.local/bin/agent-runner")
        XCTAssertEqual(
            custom.argv(since: "2026-11-25T10:00:05.000Z"),
            [
                ".local/bin/agent-runner", "events", "--tail", "--kind", "round_end,serve_started",
                "--since", "2026-11-25T10:00:05.000Z", "--config", "p/agent-runner.toml",
            ], "~ becomes the login directory (ssh runs commands there; a quoted ~ would not expand)")
    }

    /// The defaults are the original's 71 kinds, sorted, as its relay ran them (recorded argv),
    /// and every one of them is a kind this build knows.
    func testTheDefaultKindsAreTheOriginals71() throws {
        let recorded = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(
                "EndToEndTests/Fixtures/original/relay/ssh-argv-reconnect.log")
        let line = try XCTUnwrap(try String(contentsOf: recorded, encoding: .utf8).split(separator: "\n").first)
        let kinds = try XCTUnwrap(line.components(separatedBy: "[--kind] [").last?.split(separator: "]").first)
        XCTAssertEqual(RelayCommand.originalKinds.joined(separator: ","), String(kinds))
        XCTAssertEqual(RelayCommand.originalKinds.count, 71)
        XCTAssertEqual(RelayCommand.originalKinds, RelayCommand.originalKinds.sorted())
        XCTAssertEqual(RelayCommand.originalKinds.filter { EventKind(rawValue: $0) == nil }, [])
    }

    func testTheCursorLetsEachLineOfTheNewestInstantThroughOnce() {
        var cursor = RelayCursor()
        XCTAssertNil(cursor.since)
        XCTAssertTrue(cursor.admit(Self.a))
        XCTAssertTrue(cursor.admit(Self.b))
        XCTAssertEqual(cursor.since, "2026-11-25T10:00:05.000Z")
        XCTAssertFalse(cursor.admit(Self.b), "the replayed boundary")
        let twin = #"{"ts": "2026-11-25T10:00:05.000Z", "event": "agent_usage_recorded", "round_num": 42}"#
        XCTAssertTrue(cursor.admit(twin), "another event of the same instant is new")
        XCTAssertFalse(cursor.admit(twin))
        XCTAssertTrue(cursor.admit(Self.a), "an older line is the host's business: printed")
        XCTAssertTrue(cursor.admit("not json"))
        XCTAssertEqual(cursor.since, "2026-11-25T10:00:05.000Z", "lines without a ts do not move it")
        XCTAssertTrue(cursor.admit(Self.c))
        XCTAssertTrue(cursor.admit(Self.b), "once past the boundary, it is an older line")

        var resumed = RelayCursor(since: "2026-11-25T10:00:05.000Z")
        XCTAssertEqual(resumed.since, "2026-11-25T10:00:05.000Z")
        XCTAssertTrue(resumed.admit(Self.b), "--since given by the operator: its events are not printed yet")
        XCTAssertFalse(resumed.admit(Self.b))
    }
}

/// One relay over the fakes, with its outputs and event log.
private struct RelayRun {
    let relay: EventRelay
    let stdout = CapturedOutput()
    let stderr = CapturedOutput()
    let logDir: String

    init(
        _ test: XCTestCase, clock: FakeClock, stream: ScriptedEventStream, kinds: [String] = RelayCommand.originalKinds,
        remoteConfig: String? = nil, toleranceS: Int = 90
    ) throws {
        logDir = NSTemporaryDirectory() + "relay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        test.addTeardownBlock { [logDir] in try? FileManager.default.removeItem(atPath: logDir) }
        let target = EventRelay.Target(
            name: "pi", remote: RemoteHost(name: "pi", target: try SSHTarget("pi")),
            command: RelayCommand(kinds: kinds, remoteConfig: remoteConfig), toleranceS: toleranceS)
        relay = EventRelay(
            target: target, stream: stream, clock: clock,
            events: EventLogWriter(directory: logDir, clock: clock.wallClock), output: stdout, notices: stderr)
    }

    func events() throws -> [JSONValue] {
        try EventLogReader(directory: logDir).tail(limit: 1000).reversed().map { try JSONParser.strict.parse($0.raw) }
    }
}

/// A remote event stream that plays connections from a script on the fake clock: each call is
/// recorded with its time and argv; a call past the script fails the test.
final class ScriptedEventStream: RemoteEventStream, Sendable {
    struct Connection: Sendable {
        var lines: [String]
        var end: RemoteStreamEnd
        /// How long the connection lasted (the clock moves on by this much).
        var lasts: Duration = .zero
    }

    struct Call: Sendable {
        var at: Double
        var argv: [String]
    }

    private let clock: FakeClock
    private let origin: ContinuousClock.Instant
    private let state: Mutex<(script: [Connection], calls: [Call])>

    init(clock: FakeClock, _ script: [Connection]) {
        self.clock = clock
        origin = clock.now
        state = Mutex((script, []))
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func stream(
        host: RemoteHost, argv: [String], line: (String) -> Void, interrupted: () -> StreamEnd?
    ) -> RemoteStreamEnd {
        let next: Connection? = state.withLock { state in
            state.calls.append(Call(at: (clock.now - origin).seconds, argv: argv))
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        guard let next else {
            XCTFail("the relay connected more often than scripted")
            return .interrupted(.stopRequested)
        }
        for text in next.lines {
            line(text)
            if let reason = interrupted() { return .interrupted(reason) }
        }
        clock.advance(by: next.lasts)
        return next.end
    }
}

/// `line` as the relay prints it: the same event, compact.
private func compact(_ line: String) -> String {
    line.replacingOccurrences(of: "\", \"", with: "\",\"").replacingOccurrences(of: "\": ", with: "\":")
}
