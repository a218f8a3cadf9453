import Detectors
import FleetCore
import Foundation
import SSHTransport
import TestSupport
import XCTest

@testable import Monitoring

/// Issue 6's "done when" list, through the poller and the per-host monitor, against a real sshd
/// on loopback. The remote `agent-runner` here is a script (LoopbackSSHD.writeScript) on purpose:
/// these tests pin the poller against exact documents (Peek.document) and against remotes the
/// real binary never is (one that hangs, prints a banner or 10 MiB, records its argv). The real
/// remote `agent-runner` is polled end to end in EndToEndTests/Fleet.
final class PollerSSHTests: XCTestCase {
    var sshd: LoopbackSSHD!

    override func setUpWithError() throws {
        sshd = try LoopbackSSHD(aliases: ["pi"])
    }

    override func tearDown() {
        sshd?.shutdown()
    }

    func target(agentRunner: String, config: String? = nil, timeout: Double = 5, reuse: Bool = false) -> PollTarget {
        let settings = PollSettings(agentRunner: agentRunner, remoteConfig: config, pollTimeoutS: timeout)
        let options = SSHOptions(
            configFile: sshd.clientConfig, connectTimeoutS: 1,
            connectionReuse: reuse ? .on(controlDirectory: sshd.controlDirectory) : .off)
        return PollTarget(
            name: "pi", remote: RemoteHost(name: "pi", target: try! SSHTarget("pi"), options: options),
            settings: settings)
    }

    func peekScript(disk: Double = 40) throws -> String {
        let document = JSONWriter(style: .compact).string(Peek.document(at: 0, disk: disk))
        return try sshd.writeScript("agent-runner", "cat <<'JSON'\n\(document)\nJSON")
    }

    let poller = PeekPoller(executor: SSHExecutor())

    func testHealthyPollWithAndWithoutReuse() throws {
        let script = try peekScript(disk: 97)
        for reuse in [false, true, true] {
            let poll = poller.poll(target(agentRunner: script, reuse: reuse))
            XCTAssertNil(poll.error)
            XCTAssertEqual(poll.facts?.version, "0.9.0-test")
            XCTAssertEqual(poll.facts?.service, "running")
            XCTAssertEqual(poll.facts?.diskUsedPct, 97)
            XCTAssertEqual(HostRow(snapshot: poll, policy: DetectorPolicy()).alerts, ["disk_critical"])
        }
        XCTAssertEqual(sshd.acceptedLogins(), 2, "the third poll reused the second's connection")
    }

    func testShortOutagesAreBlipsLongOnesGiveUpThenRecover() throws {
        let target = target(agentRunner: try peekScript())
        var monitor = HostMonitor(host: "pi", policy: MonitorPolicy(toleranceS: 3, settleS: 0.5))
        var kinds: [EventKind] = []
        var notified: [String] = []
        // Real ssh outcomes against real sshd states, observed on a virtual clock: the monitor's
        // tolerance and settle windows are judged on the instants passed in, so the test sleeps
        // nowhere and its timing cannot drift on a loaded machine.
        let base = SystemClock().now().seconds
        var elapsedMS: Int64 = 0
        func poll(after ms: Int64) {
            elapsedMS += ms
            let result = poller.poll(target)
            let input: HostMonitor.Input
            switch result.outcome {
            case .measured: input = .measured(result.observation!)
            case .unreachable(let failure): input = .unreachable(failure)
            case .unreadable: input = .unreadable
            }
            let at = UTCInstant(seconds: base + elapsedMS / 1000, nanoseconds: (elapsedMS % 1000) * 1_000_000)
            let step = monitor.observe(input, at: at)
            kinds += step.events.map(\.eventKind)
            notified += step.notifications.map { "\($0.state.rawValue) \($0.alert.detector)" }
        }
        poll(after: 0)
        XCTAssertEqual(monitor.reachability, .reachable)

        // Refused (sshd stopped) for less than the tolerance: blips only.
        sshd.stop()
        poll(after: 300)
        XCTAssertEqual(monitor.reachability, .blip)
        poll(after: 300)
        try sshd.start()
        poll(after: 300)
        // Hung (SIGSTOP: the kernel accepts, no banner) for less than the tolerance: a connect timeout, a blip.
        try sshd.pause()
        let started = ContinuousClock.now
        poll(after: 1000)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4), "ConnectTimeout=1 ends the poll")
        sshd.resume()
        XCTAssertEqual(kinds, [.monitorRemoteBlip, .monitorRemoteBlip, .monitorRemoteBlip])
        XCTAssertEqual(notified, [])
        poll(after: 300)
        XCTAssertNotNil(monitor.tolerance.episode, "reachable for less than the settle time: still an episode")
        poll(after: 700)
        XCTAssertNil(monitor.tolerance.episode, "reachable for the settle time: the episode is over")

        // Down for longer than the tolerance (3.6 s of polls every 0.3 s): one give-up alert, then one recovery.
        sshd.stop()
        for _ in 0..<12 { poll(after: 300) }
        XCTAssertEqual(kinds.filter { $0 == .monitorRemoteGiveup }.count, 1)
        XCTAssertEqual(notified, ["firing monitor_remote_giveup"])
        XCTAssertEqual(monitor.reachability, .unreachable)
        try sshd.start()
        for _ in 0..<8 { poll(after: 200) }
        XCTAssertEqual(notified, ["firing monitor_remote_giveup", "resolved monitor_remote_giveup"])
    }

    func testHangingRemoteIsKilledAtTheDeadline() throws {
        let script = try sshd.writeScript("agent-runner", "sleep 30")
        let started = ContinuousClock.now
        let poll = poller.poll(target(agentRunner: script, timeout: 1))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        guard case .unreachable = poll.outcome else { return XCTFail("expected a timeout, got \(poll.outcome)") }
        XCTAssertTrue(poll.error?.contains("no answer from") ?? false, poll.error ?? "")
    }

    func testNonJSONAndHugeOutputsAreClearErrors() throws {
        let noisy = try sshd.writeScript("agent-runner", "echo 'Welcome to pi! Have a nice day'")
        let poll = poller.poll(target(agentRunner: noisy))
        guard case .unreadable = poll.outcome else { return XCTFail("expected unreadable, got \(poll.outcome)") }
        XCTAssertTrue(poll.error?.contains("did not print valid JSON") ?? false, poll.error ?? "")
        XCTAssertTrue(poll.error?.contains("Welcome to pi") ?? false, poll.error ?? "")

        let huge = try sshd.writeScript("agent-runner", "head -c 10485760 /dev/zero | tr '\\\\0' 'x'")
        let big = poller.poll(target(agentRunner: huge, timeout: 10))
        guard case .unreadable = big.outcome else { return XCTFail("expected unreadable, got \(big.outcome)") }
        XCTAssertTrue(big.error?.contains("printed more than") ?? false, big.error ?? "")
    }

    func testChangedHostKeyIsRefusedWithTheMessage() throws {
        let script = try peekScript()
        XCTAssertNil(poller.poll(target(agentRunner: script)).error)
        try sshd.regenerateHostKey()
        let poll = poller.poll(target(agentRunner: script))
        guard case .unreachable = poll.outcome else { return XCTFail("expected refusal, got \(poll.outcome)") }
        XCTAssertTrue(poll.error?.contains("host key has CHANGED") ?? false, poll.error ?? "")
    }

    func testHostileConfigPathArrivesLiterally() throws {
        let record = sshd.directory + "/argv.txt"
        let document = JSONWriter(style: .compact).string(Peek.document())
        let script = try sshd.writeScript(
            "agent-runner", "printf '%s\\n' \"$@\" > \(record)\ncat <<'JSON'\n\(document)\nJSON")
        let hostile = "/tmp/x'; touch /tmp/pwned; '/agent-runner.toml"
        try? FileManager.default.removeItem(atPath: "/tmp/pwned")
        let poll = poller.poll(target(agentRunner: script, config: hostile))
        XCTAssertNil(poll.error)
        let argv = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(argv, ["peek", "--json", "--events", "200", "--config", hostile])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/pwned"))
    }

    func testRemotePathTilde() {
        XCTAssertEqual(AgentRunnerCommand.remotePath("~/agent/agent-runner.toml"), "agent/agent-runner.toml")
        XCTAssertEqual(AgentRunnerCommand.remotePath("/srv/a.toml"), "/srv/a.toml")
        let settings = PollSettings(remoteConfig: "~/p/agent-runner.toml")
        XCTAssertEqual(
            AgentRunnerCommand.peek(settings),
            ["agent-runner", "peek", "--json", "--events", "200", "--config", "p/agent-runner.toml"])
    }
}
