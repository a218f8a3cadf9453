import FleetCore
import Foundation
import TestSupport
import XCTest

/// The supervisor under faults: killed at random points, a full disk, its log dir deleted.
/// Nothing may be lost or corrupted beyond a torn last event line, and it must always restart.
final class FaultTests: XCTestCase {
    func testKill9AtRandomPointsNeverCorruptsStateAndNumberingContinues() throws {
        let project = try AgentProject(self, modes: ["dirty"])
        let random = SeededRandom.fromEnvironment()
        print("FaultTests: kill points from \(random.replayHint)")
        for kill9 in 0..<8 {
            let serve = try project.startServe()
            usleep(UInt32(random.int(in: 50_000...400_000)))
            kill(serve.pid, SIGKILL)
            _ = serve.wait()
            try project.assertEventLogIntact()
            if let status = project.logFile("status.json") {
                XCTAssertNoThrow(
                    try JSONParser.strict.parse(status),
                    "status.json always parses (kill \(kill9), \(random.replayHint))")
            }
        }
        let before =
            try project.events().filter { $0.kind == "round_start" }.compactMap { $0.payload["round_num"]?.intValue }
            .max() ?? 0
        try project.setModes(["ok"])
        let result = try project.run(["serve", "--once"])
        XCTAssertEqual(result.code, 0, result.stderr)
        let after =
            try project.events().filter { $0.kind == "round_start" }.compactMap { $0.payload["round_num"]?.intValue }
            .max() ?? 0
        XCTAssertEqual(after, before + 1, "the next serve resumes with the next round number")
        XCTAssertEqual(try project.events().last?.kind, "serve_stopped")
    }

    func testLogDirDeletedUnderARunningServe() throws {
        let project = try AgentProject(self, modes: ["slow", "ok"], runtime: ["max_rounds = 2"])
        let serve = try project.startServe()
        try AgentProject.wait("the first round to start") { project.logFile("fake-runs") != nil }
        // The agent and serve write into the dir meanwhile, so one recursive delete can fail
        // part-way (seen once as EPERM under load); delete until it is gone.
        var removed = false
        for _ in 0..<20 where !removed {
            removed = (try? FileManager.default.removeItem(atPath: project.logDir)) != nil
            if !removed { usleep(20_000) }
        }
        XCTAssertTrue(removed, "could not delete \(project.logDir)")
        let status = serve.wait()
        XCTAssertEqual(status, .terminated(0), serve.collectOutput().stderrText)
        // The second round recreated the log dir and recorded itself.
        let kinds = try project.kinds()
        XCTAssertTrue(kinds.contains("round_start"), "\(kinds)")
        XCTAssertEqual(kinds.last, "serve_stopped")
        try project.assertEventLogIntact()
    }

    /// A log dir on a tiny tmpfs that fills up: serve reports it clearly, keeps state files
    /// whole, and never crashes.
    func testDiskFullGivesClearMessagesAndNoCorruptState() throws {
        guard getuid() == 0 else {
            XCTFail("this test mounts a tmpfs and must run as root (CI does); run it with sudo")
            return
        }
        let project = try AgentProject(self, modes: ["ok"], runtime: ["max_rounds = 3"])
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let mount = try PosixProcessRunner().run(
            // mode=0700: a tmpfs is 1777 by default, and serve refuses a log dir others can write in.
            ProcessRequest("mount", arguments: ["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", project.logDir]))
        XCTAssertEqual(mount.exit, .terminated(0), "mount tmpfs failed: \(mount.stderrText)")
        addTeardownBlock {
            _ = try? PosixProcessRunner().run(ProcessRequest("umount", arguments: ["-l", project.logDir]))
        }
        // Fill it: nothing fits any more.
        _ = try PosixProcessRunner().run(
            ProcessRequest("/bin/sh", arguments: ["-c", "head -c 1000000 /dev/zero > '\(project.logDir)/filler'"]))
        let serve = try project.startServe()
        var stderrText = ""
        // Several retries happen meanwhile; the failure must be reported once, and serve must stay up.
        sleep(3)
        XCTAssertNil(serve.poll(), "serve keeps running on a full disk")
        // Free the space: serve recovers by itself and completes its rounds.
        try FileManager.default.removeItem(atPath: project.logDir + "/filler")
        let status = serve.wait()
        stderrText = serve.collectOutput().stderrText
        XCTAssertEqual(status, .terminated(0), stderrText)
        XCTAssertTrue(stderrText.contains("No space left on device"), stderrText)
        XCTAssertEqual(
            stderrText.components(separatedBy: "STARTUP FAIL").count - 1, 1,
            "reported once, not per retry: \(stderrText)")
        XCTAssertTrue(stderrText.contains("startup checks pass again"), stderrText)
        XCTAssertEqual(try project.events().filter { $0.kind == "round_end" }.count, 3)
        if let status = project.logFile("status.json") {
            XCTAssertNoThrow(try JSONParser.strict.parse(status), "status.json is old or new, never torn")
        }
        try project.assertEventLogIntact()
        let leftovers = (try FileManager.default.contentsOfDirectory(atPath: project.logDir)).filter {
            $0.contains(".tmp")
        }
        XCTAssertEqual(leftovers, [], "no temp files left behind")
    }
}
