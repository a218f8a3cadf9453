import FleetCore
import Foundation
import TestSupport
import XCTest

/// The memory defenses with a real agent in a real memory-limited cgroup (v1, as on this
/// machine's hybrid hierarchy): serve runs inside a child of the memory controller limited to
/// 96 MiB of memory and swap, the agent fills 256 MiB, the kernel OOM-kills it. serve reports
/// the bound at boot, each kill as `round_oom_killed` (with `round_cgroup_memory`), stops with
/// `mem_loop` (exit 71) after five, and the third `mem_loop` in 2 h is `mem_loop_persistent`
/// (exit 70). (cgroup v2 is covered by the memory core's tests on recorded files.)
final class MemoryCgroupTests: XCTestCase {
    static let controller = "/sys/fs/cgroup/memory"

    /// A fresh child of the v1 memory controller limited to `limitMB` MiB (memory and, where
    /// the kernel accounts it, memory plus swap); removed when the test ends.
    func limitedCgroup(limitMB: Int) throws -> String {
        guard FileManager.default.isWritableFile(atPath: Self.controller) else {
            throw MissingPrerequisite(
                "needs root and cgroup v1's memory controller, writable, at \(Self.controller); run the suite as root on a "
                    + "host that mounts it (this machine does)")
        }
        let path = Self.controller + "/agent-runner-e2e-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        addTeardownBlock {
            let procs = (try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? ""
            for pid in procs.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            usleep(200_000)
            rmdir(path)
            Self.waitForHostPressureToSettle()
        }
        let bytes = String(limitMB << 20)
        try bytes.write(toFile: path + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)
        if FileManager.default.fileExists(atPath: path + "/memory.memsw.limit_in_bytes") {
            try bytes.write(toFile: path + "/memory.memsw.limit_in_bytes", atomically: false, encoding: .utf8)
        }
        return path
    }

    /// The kills stall the host briefly (PSI is host-wide): wait up to 30 s until `some avg10` is
    /// back under 1 %, so the tests after this one do not read this test's pressure as theirs.
    static func waitForHostPressureToSettle() {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: "/proc/pressure/memory", encoding: .utf8)) ?? ""
            let avg10 = text.split(separator: " ").first { $0.hasPrefix("avg10=") }.flatMap { Double($0.dropFirst(6)) }
            if (avg10 ?? 0) < 1 { return }
            usleep(500_000)
        }
    }

    /// `agent-runner serve` moved into `cgroup` before it starts (its agents are born there).
    func serveInside(_ cgroup: String, _ project: AgentProject) throws -> Harness.Result {
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                "/bin/sh",
                arguments: [
                    "-c", "echo $$ > '\(cgroup)/cgroup.procs' && exec \"$0\" serve", try Harness.binary("agent-runner"),
                ],
                workingDirectory: project.dir, standardInput: .null, deadline: .now + .seconds(120)))
        return Harness.Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    func testOOMKilledRoundsAreReportedAndTripTheMemLoopBreaker() throws {
        let cgroup = try limitedCgroup(limitMB: 96)
        let project = try AgentProject(self, modes: ["hog"])
        let started = ContinuousClock.now

        let first = try serveInside(cgroup, project)
        XCTAssertEqual(first.code, 71, "mem_loop: \(first.stderr)")
        XCTAssertTrue(first.stderr.contains("mem_loop: 5 rounds in a row ended for lack of memory"), first.stderr)
        let limit = try XCTUnwrap(project.first("host_cgroup_memory_limit"))
        XCTAssertEqual(limit.payload["memory_max"], .int(96 << 20))
        XCTAssertEqual(limit.payload["memory_swap_max"], 0)
        XCTAssertEqual(limit.payload["cgroup_path"], .string(cgroup))
        XCTAssertEqual(limit.payload["defer"], true, "the cgroup bounds memory and swap: the kernel confines rounds")
        let killed = try project.events().filter { $0.kind == "round_oom_killed" }
        XCTAssertEqual(killed.count, 5)
        XCTAssertEqual(killed.first?.payload["events_oom_kill_delta"], 1)
        XCTAssertEqual(killed.first?.payload["partial_log"], true)
        let exits = try project.events().filter { $0.kind == "agent_exit" }
        XCTAssertEqual(exits.first?.payload["exit_code"], -9, "the kernel's SIGKILL")
        let accounting = try XCTUnwrap(project.first("round_cgroup_memory"))
        XCTAssertEqual(accounting.payload["bounding_cgroup_path"], .string(cgroup))
        XCTAssertGreaterThan(accounting.payload["memory_current_peak"]?.intValue ?? 0, 64 << 20)
        XCTAssertGreaterThanOrEqual(accounting.payload["events_oom_kill_delta"]?.intValue ?? 0, 1)
        let loop = try XCTUnwrap(project.first("mem_loop"))
        XCTAssertEqual(loop.payload["consecutive"], 5)
        XCTAssertEqual(try project.events().filter { $0.kind == "crash_loop" }.count, 0)
        XCTAssertEqual(try project.events().last?.payload["reason"], "mem_loop")

        let peek = try project.run(["peek", "--json"])
        let document = try JSONParser.lenient.parse(Array(peek.stdout.utf8))
        XCTAssertEqual(document["memory"]?["recent_losses"]?.arrayValue?.last?["event"], "mem_loop")
        XCTAssertEqual(document["defenses"]?.arrayValue?.contains { $0["name"] == "mem_loop_breaker" }, true)

        XCTAssertEqual(try serveInside(cgroup, project).code, 71, "the second mem_loop within 2 h restarts")
        let third = try serveInside(cgroup, project)
        XCTAssertEqual(third.code, 70, "the third is persistent: \(third.stderr)")
        XCTAssertTrue(third.stderr.contains("mem_loop_persistent: 3 mem_loops within 2 h"), third.stderr)
        XCTAssertEqual(try project.events().filter { $0.kind == "mem_loop_persistent" }.count, 1)
        XCTAssertEqual(try project.events().filter { $0.kind == "round_oom_killed" }.count, 15)
        print("15 OOM-killed rounds in 3 serves: \(ContinuousClock.now - started)")
    }
}
