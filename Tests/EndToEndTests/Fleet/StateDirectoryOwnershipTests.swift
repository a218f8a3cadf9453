import FleetCore
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Another local user on the operator's machine (issue 23): a state or log directory they
/// made, or can write in, is refused with the reason and the fix; links they planted to their
/// victims' files are never followed (the victims stay byte for byte as they were), and a
/// `silences.json` they planted mutes nothing.
final class StateDirectoryOwnershipTests: XCTestCase {
    private var intruder: TestUser!
    private var root = ""

    override func setUpWithError() throws {
        intruder = try TestUser.ensure("intruder-e2e")
        root = try Harness.temporaryDirectory(self)
        chmod(root, 0o1777)  // like /tmp: the intruder may make their own things here
    }

    /// Runs `argv` as the intruder; fails the test when it fails.
    private func asIntruder(_ argv: [String]) throws {
        let command = try intruder.command(argv)
        let result = try PosixProcessRunner().run(
            ProcessRequest(
                command[0], arguments: Array(command.dropFirst()),
                environment: intruder.environment(ProcessRequest.currentEnvironment()), deadline: .now + .seconds(20)))
        XCTAssertTrue(result.exit.isSuccess, "\(argv) as \(intruder!): \(result.stderrText)")
    }

    private func fleetctl(_ arguments: [String], stateDir: String) throws -> Harness.Result {
        try Harness.write("[hosts.pi]\nssh = \"pi.invalid\"\n", to: root + "/inventory.toml")
        return try Harness.run(
            "fleetctl", arguments + ["--state-dir", stateDir, "-i", root + "/inventory.toml"], timeout: .seconds(30))
    }

    func testAStateDirectoryAnotherUserMadeOrCanWriteIsRefused() throws {
        // Theirs, however open or closed.
        for mode in ["0777", "0755", "0700", "1777"] {
            let theirs = root + "/theirs-\(mode)"
            try asIntruder(["mkdir", "-m", mode, theirs])
            for verb in [["watch", "--once"], ["silence", "pi", "--for", "1h", "--reason", "test"], ["silences"]] {
                let result = try fleetctl(verb, stateDir: theirs)
                XCTAssertEqual(result.code, ExitCode.failure, "\(verb) \(mode): \(result.stderr)")
                XCTAssertTrue(
                    result.stderr.contains("refusing the directory \(theirs): \(theirs) belongs to intruder-e2e"),
                    result.stderr)
                XCTAssertTrue(result.stderr.contains("chown root \(theirs)"), result.stderr)
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: theirs), [], "nothing written")
        }
        // Ours, but writable by others: with a sticky bit or not (they can still create names).
        for mode: mode_t in [0o777, 0o1777, 0o775, 0o757] {
            let shared = root + "/shared-\(String(mode, radix: 8))"
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
            chmod(shared, mode)
            let result = try fleetctl(["watch", "--once"], stateDir: shared)
            XCTAssertEqual(result.code, ExitCode.failure, result.stderr)
            XCTAssertTrue(result.stderr.contains("is writable by"), result.stderr)
            XCTAssertTrue(result.stderr.contains("chmod go-w \(shared)"), result.stderr)
        }
        // Ours, private, below a parent the intruder owns: they could swap it.
        try asIntruder(["mkdir", "-m", "0755", root + "/their-parent"])
        try asIntruder(["chmod", "0777", root + "/their-parent"])
        try FileManager.default.createDirectory(
            atPath: root + "/their-parent/state", withIntermediateDirectories: false)
        chmod(root + "/their-parent/state", 0o700)
        let below = try fleetctl(["silences"], stateDir: root + "/their-parent/state")
        XCTAssertEqual(below.code, ExitCode.failure, below.stderr)
        XCTAssertTrue(
            below.stderr.contains("a parent of \(root)/their-parent/state, belongs to intruder-e2e"), below.stderr)
    }

    func testLinksPlantedInTheStateDirectoryAreNeverFollowed() throws {
        let victim = intruder.home + "/victim-\(UUID().uuidString)"
        let precious = "precious data of \(intruder.name)\n"
        try asIntruder(["sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", precious, victim])
        let planted = intruder.home + "/planted-silences-\(UUID().uuidString).json"
        let mute = #"{"silences": [{"id": "evil0001", "selector": "all", "until": 4102444800, "reason": "x"}]}"#
        try asIntruder(["sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh", mute, planted])
        addTeardownBlock { [victim, planted] in
            unlink(victim)
            unlink(planted)
        }

        // The directory was open when they planted the links, and closed since.
        let state = root + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        chmod(state, 0o777)
        let month = DemoTests.month()
        for name in ["watch.lock", "fleet-events-\(month).jsonl", "watch-state.json", "silences.json.lock"] {
            try asIntruder(["ln", "-s", victim, state + "/" + name])
        }
        try asIntruder(["ln", "-s", planted, state + "/silences.json"])
        chmod(state, 0o700)

        let watch = try fleetctl(["watch", "--once"], stateDir: state)
        XCTAssertEqual(watch.code, ExitCode.failure, watch.stderr)
        XCTAssertTrue(watch.stderr.contains("watch.lock"), watch.stderr)
        let silences = try fleetctl(["silences"], stateDir: state)
        XCTAssertNotEqual(silences.code, ExitCode.success, silences.stdout + silences.stderr)
        XCTAssertFalse(silences.stdout.contains("evil0001"), "the planted silence is not read")
        XCTAssertTrue(silences.stderr.contains("symbolic link"), silences.stderr)
        let silence = try fleetctl(["silence", "pi", "--for", "1h", "--reason", "test"], stateDir: state)
        XCTAssertNotEqual(silence.code, ExitCode.success, silence.stderr)

        // With the lock link gone, the event log, the saved state and the silences are next.
        unlink(state + "/watch.lock")
        let again = try fleetctl(["watch", "--once"], stateDir: state)
        XCTAssertNotEqual(again.code, ExitCode.success, again.stderr)

        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), precious, "the victim's file is untouched")
        XCTAssertEqual(try String(contentsOfFile: planted, encoding: .utf8), mute)
        var info = stat()
        XCTAssertEqual(stat(victim, &info), 0)
        XCTAssertEqual(info.st_uid, intruder.uid, "still theirs")
    }

    func testALogDirAnotherUserCanWriteIsRefusedByServe() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        chmod(project.logDir, 0o777)
        let open = try project.run(["serve", "--once"], timeout: .seconds(30))
        XCTAssertEqual(open.code, ExitCode.config, open.stderr)
        XCTAssertTrue(open.stderr.contains("agent-runner: refusing log_dir \(project.logDir): "), open.stderr)
        XCTAssertTrue(open.stderr.contains("chmod go-w \(project.logDir)"), open.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: project.logDir), [], "nothing written")

        chmod(project.logDir, 0o700)
        try intruder.own(project.logDir)
        let theirs = try project.run(["serve", "--once"], timeout: .seconds(30))
        XCTAssertEqual(theirs.code, ExitCode.config, theirs.stderr)
        XCTAssertTrue(theirs.stderr.contains("belongs to intruder-e2e"), theirs.stderr)
        let doctor = try project.run(["doctor"], timeout: .seconds(30))
        XCTAssertTrue(
            (doctor.stdout + doctor.stderr).contains("belongs to intruder-e2e"), doctor.stdout + doctor.stderr)
    }
}
