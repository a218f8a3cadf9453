import FleetCore
import Foundation
import Glibc
import TestSupport
import XCTest

@testable import SSHTransport

/// The real `ssh` against a real `sshd` on 127.0.0.1 (see `LoopbackSSHD`). Remote
/// "agent-runner"s are shell scripts in the fixture directory, so each test decides what
/// the remote side does.
final class SSHExecutorEndToEndTests: XCTestCase {
    private let executor = SSHExecutor()

    func testFixtureFailsClearlyWithoutSSHD() {
        XCTAssertThrowsError(try LoopbackSSHD(sshdPath: "/nonexistent/sbin/sshd")) { error in
            XCTAssertEqual("\(error)", "sshd not found; install it with: apt-get install -y openssh-server")
        }
    }

    func testHealthyJSONPollAndStdin() throws {
        let sshd = try startSSHD()
        let peek = try sshd.writeScript("agent-runner", #"echo '{"state":"running","round":7}'"#)
        let host = try sshd.remoteHost()

        let json = executor.runJSON(host: host, argv: [peek, "peek", "--json"], deadline: .now + .seconds(15))
        XCTAssertNil(json.result.errorMessage)
        XCTAssertEqual(json.document?["state"]?.stringValue, "running")
        XCTAssertEqual(json.document?["round"]?.intValue, 7)
        XCTAssertEqual(json.result.exit, .terminated(0))

        let echo = try sshd.writeScript("echo-stdin", "cat")
        let sent = Array("stop requested\n".utf8)
        XCTAssertEqual(
            executor.run(host: host, argv: [echo], stdin: sent, deadline: .now + .seconds(15)).outcome, .ok(sent))
        XCTAssertEqual(
            executor.run(host: host, argv: [echo], deadline: .now + .seconds(15)).outcome, .ok([]),
            "stdin must be /dev/null when nothing is sent")
    }

    func testHostileArgumentReachesTheRemoteAsOneLiteralWord() throws {
        let sshd = try startSSHD()
        let recorded = sshd.directory + "/argv.bin"
        let standIn = try sshd.writeScript("agent-runner", "printf '%s\\0' \"$@\" > \(recorded)")
        let pwned = "/tmp/pwned"
        unlink(pwned)
        let hostile = "/srv/my project/'; touch /tmp/pwned; '$(id)`id`\"$HOME\" *\nnext\tline"
        let argv = [standIn, "peek", "--config", hostile, "*", "", "a'b"]

        let result = executor.run(host: try sshd.remoteHost(), argv: argv, deadline: .now + .seconds(15))
        XCTAssertNil(result.errorMessage)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: recorded))
        let words = bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
        XCTAssertEqual(words, Array(argv.dropFirst()))
        XCTAssertFalse(FileManager.default.fileExists(atPath: pwned), "the remote shell executed part of an argument")
    }

    func testStoppedServerIsConnectionRefused() throws {
        let sshd = try startSSHD()
        sshd.stop()
        let result = executor.run(host: try sshd.remoteHost(), argv: ["true"], deadline: .now + .seconds(15))
        XCTAssertEqual(sshFailureKind(result.outcome), .connectionRefused, result.errorMessage ?? "")
        XCTAssertTrue(
            result.errorMessage?.hasPrefix("fleettest1: ssh: connection refused") ?? false, result.errorMessage ?? "")
        XCTAssertTrue(result.errorMessage?.contains("port \(sshd.port)") ?? false, result.errorMessage ?? "")
    }

    func testFrozenServerIsAConnectTimeout() throws {
        let sshd = try startSSHD()
        try sshd.pause()
        defer { sshd.resume() }
        let started = ContinuousClock.now
        let result = executor.run(
            host: try sshd.remoteHost(connectTimeoutS: 1), argv: ["true"], deadline: .now + .seconds(15))
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(sshFailureKind(result.outcome), .connectTimeout, result.errorMessage ?? "")
        XCTAssertTrue(result.errorMessage?.contains("timed out after 1 s") ?? false, result.errorMessage ?? "")
        XCTAssertLessThan(elapsed, .seconds(5))
    }

    func testHangingCommandIsKilledAtTheDeadline() throws {
        let sshd = try startSSHD()
        // Not `exec sleep`: the script's command line names the fixture, so teardown finds its group.
        let hang = try sshd.writeScript("agent-runner", "sleep 30")
        let started = ContinuousClock.now
        let result = executor.run(
            host: try sshd.remoteHost(), argv: [hang, "peek"], deadline: .now + .milliseconds(1500))
        let elapsed = ContinuousClock.now - started

        XCTAssertEqual(result.outcome, .timeout(after: result.outcomeBudget))
        XCTAssertTrue(result.errorMessage?.contains("no answer from") ?? false, result.errorMessage ?? "")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(1400))
        XCTAssertLessThan(elapsed, .seconds(4), "the deadline was not enforced promptly")
        XCTAssertEqual(sshd.liveSSHProcesses(), [], "an ssh process survived the deadline")
    }

    func testNonJSONAndHugeOutputAreBadOutput() throws {
        let sshd = try startSSHD()
        let host = try sshd.remoteHost()
        let chatty = try sshd.writeScript("chatty", "echo 'Welcome to fleettest1'; echo '{}'")
        // 100 MB from a hostile host: refused at the cap, ssh killed, memory bounded.
        let huge = try sshd.writeScript("huge", "head -c 104857600 /dev/zero | tr '\\0' x")

        let text = executor.runJSON(host: host, argv: [chatty, "peek", "--json"], deadline: .now + .seconds(15))
        guard case .badOutput(let reason) = text.result.outcome else { return XCTFail("\(text.result.outcome)") }
        XCTAssertTrue(reason.contains("did not print valid JSON"), reason)
        XCTAssertTrue(reason.contains("Welcome to fleettest1"), reason)

        // Reset this process's high-water mark first: a peak left by an earlier test would
        // otherwise hide this one's (the delta would read 0 whatever happened here).
        let peakBefore = try Self.resetPeakRSS()
        let started = ContinuousClock.now
        let big = executor.runJSON(host: host, argv: [huge, "peek", "--json"], deadline: .now + .seconds(20))
        XCTAssertEqual(big.result.outcome.category, "bad_output")
        XCTAssertTrue(
            big.result.errorMessage?.contains("printed more than 4 MiB") ?? false, big.result.errorMessage ?? "")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))

        let plain = executor.run(host: host, argv: [huge], deadline: .now + .seconds(20))
        XCTAssertTrue(plain.errorMessage?.contains("more than 8 MiB") ?? false, plain.errorMessage ?? "")
        XCTAssertLessThan(
            Self.peakRSSKiB() - peakBefore, 48 * 1024, "reading stops at the cap: 100 MB never lands in memory")
    }

    /// This process's peak resident set (VmHWM), KiB.
    static func peakRSSKiB() -> Int {
        statusKiB("VmHWM:")
    }

    /// Resets the peak to the current resident set (`/proc/self/clear_refs` 5, Linux 4.0+) and
    /// returns it; fails when the kernel does not reset it, since the measurement would lie.
    static func resetPeakRSS() throws -> Int {
        try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let peak = peakRSSKiB()
        let resident = statusKiB("VmRSS:")
        XCTAssertLessThanOrEqual(peak, resident + 4096, "the kernel did not reset VmHWM (clear_refs 5)")
        return peak
    }

    private static func statusKiB(_ field: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func testChangedHostKeyIsRefusedAndExplained() throws {
        let sshd = try startSSHD()
        let host = try sshd.remoteHost()
        XCTAssertNil(executor.run(host: host, argv: ["true"], deadline: .now + .seconds(15)).errorMessage)

        try sshd.regenerateHostKey()
        let result = executor.run(host: host, argv: ["true"], deadline: .now + .seconds(15))
        XCTAssertEqual(sshFailureKind(result.outcome), .hostKeyChanged, result.errorMessage ?? "")
        let message = try XCTUnwrap(result.errorMessage)
        XCTAssertTrue(message.contains("the host key has CHANGED"), message)
        XCTAssertTrue(message.contains("ssh-keygen -f \"\(sshd.knownHosts)\" -R \"[127.0.0.1]:\(sshd.port)\""), message)
        XCTAssertTrue(message.contains("Check the host"), message)
    }

    func testRemoteProgramMissingFromPATH() throws {
        let sshd = try startSSHD()
        let result = executor.run(
            host: try sshd.remoteHost(), argv: ["agent-runner-not-installed", "peek", "--json"],
            deadline: .now + .seconds(15))
        guard case .remoteFailure(127, let tail) = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertTrue(tail.contains("agent-runner-not-installed"), tail)
        XCTAssertTrue(
            result.errorMessage?.contains(#"agent-runner-not-installed not found on the remote PATH"#) ?? false,
            result.errorMessage ?? "")
        XCTAssertTrue(result.errorMessage?.contains(#"set agent_runner = "/full/path" in the inventory"#) ?? false)
    }

    func testReuseKeepsOneMasterAndWarmCallsReturnPromptly() throws {
        let sshd = try startSSHD()
        let host = try sshd.remoteHost(reuse: true)
        let peek = try sshd.writeScript("agent-runner", #"echo '{"state":"running"}'; echo "warning: slow disk" >&2"#)

        let coldStart = ContinuousClock.now
        let cold = executor.runJSON(host: host, argv: [peek, "peek", "--json"], deadline: .now + .seconds(15))
        let coldTime = ContinuousClock.now - coldStart
        XCTAssertNil(cold.result.errorMessage)
        XCTAssertEqual(cold.result.stderrTail, "warning: slow disk")
        // ControlPersist is 60 s: returning well before proves the master does not hold our pipes.
        XCTAssertLessThan(coldTime, .seconds(5))

        let master = try XCTUnwrap(executor.controlMasterProcess(for: host), "no ControlMaster after the first call")
        XCTAssertTrue(ProcessTree.isAlive(master))
        XCTAssertTrue(sshd.liveSSHProcesses().contains { $0.pid == master }, "leftover detection must see the master")
        XCTAssertNotEqual(ProcessTree.entry(for: master)?.session, getsid(0), "the master must leave our session")
        for fd in 0...2 {
            XCTAssertEqual(
                try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(master)/fd/\(fd)"), "/dev/null",
                "the master must not hold the caller's descriptor \(fd)")
        }
        let sockets = try FileManager.default.contentsOfDirectory(atPath: sshd.controlDirectory)
        XCTAssertEqual(sockets.count, 1)
        var info = stat()
        XCTAssertEqual(lstat(sshd.controlDirectory, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
        XCTAssertEqual(lstat(sshd.controlDirectory + "/" + sockets[0], &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFSOCK)

        var warmTimes: [Duration] = []
        for _ in 0..<3 {
            let warmStart = ContinuousClock.now
            let warm = executor.runJSON(host: host, argv: [peek, "peek", "--json"], deadline: .now + .seconds(15))
            warmTimes.append(ContinuousClock.now - warmStart)
            XCTAssertEqual(warm.document?["state"]?.stringValue, "running")
        }
        XCTAssertLessThan(warmTimes.max() ?? .zero, .seconds(2))
        let failing = try sshd.writeScript("failing", "echo broken >&2; exit 3")
        XCTAssertEqual(
            executor.run(host: host, argv: [failing], deadline: .now + .seconds(15)).outcome,
            .remoteFailure(exitCode: 3, stderrTail: "broken"))

        XCTAssertEqual(
            sshd.acceptedLogins(), 1, "every call after the first should have reused the master:\n\(sshd.log())")
        XCTAssertEqual(executor.controlMasterProcess(for: host), master)
        print("timing: cold call \(coldTime), warm calls \(warmTimes)")

        XCTAssertTrue(executor.closeControlMaster(for: host))
        let gone = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < gone && ProcessTree.isAlive(master) { usleep(20_000) }
        XCTAssertFalse(ProcessTree.isAlive(master))
        XCTAssertNil(executor.controlMasterProcess(for: host))
    }

    /// `fleetctl watch` closes every host's master at exit, several at a time.
    func testClosingTheMastersOfSeveralHostsStopsEachOfThem() throws {
        let sshd = try startSSHD(aliases: ["fleettest1", "fleettest2", "fleettest3"])
        let hosts = try ["fleettest1", "fleettest2", "fleettest3"].map { try sshd.remoteHost($0, reuse: true) }
        let script = try sshd.writeScript("ok", "echo ok")
        var masters: [pid_t] = []
        for host in hosts {
            XCTAssertEqual(
                executor.run(host: host, argv: [script], deadline: .now + .seconds(15)).outcome, .ok(Array("ok\n".utf8))
            )
            masters.append(try XCTUnwrap(executor.controlMasterProcess(for: host), "\(host.name) has no master"))
        }
        let noReuse = try sshd.remoteHost("fleettest1")
        executor.closeControlMasters(for: hosts + [noReuse], parallel: 2)
        let gone = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < gone && masters.contains(where: ProcessTree.isAlive) { usleep(20_000) }
        XCTAssertEqual(masters.filter(ProcessTree.isAlive), [], "masters still running")
        for host in hosts { XCTAssertNil(executor.controlMasterProcess(for: host)) }
    }
}

extension RemoteResult {
    /// The budget a `.timeout` reported.
    fileprivate var outcomeBudget: Duration {
        if case .timeout(let after) = outcome { return after }
        return .zero
    }
}
