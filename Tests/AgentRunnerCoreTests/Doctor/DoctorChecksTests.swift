import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The startup battery as doctor runs it (every profile, passing checks included), the container
/// checks, and doctor's own checks, on temporary projects and as values.
final class DoctorChecksTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory() + "doctor-" + UUID().uuidString).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root + "/project/prompts", withIntermediateDirectories: true)
        try String(repeating: "Work on the project carefully. ", count: 20)
            .write(toFile: root + "/project/prompts/main.md", atomically: true, encoding: .utf8)
        try "#!/bin/sh\n".write(toFile: root + "/project/agent", atomically: true, encoding: .utf8)
        chmod(root + "/project/agent", 0o755)
        addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
    }

    func config(
        agent: String = "command = [\"./agent\"]\nprompt_arg_template = [\"{prompt}\"]", logDir: String? = nil,
        _ tail: String = ""
    ) throws -> AgentRunnerConfig {
        let text = """
            schema_version = 1
            [agent]
            \(agent)
            [runtime]
            work_dir = "."
            log_dir = "\(logDir ?? root + "/logs")"
            [prompt]
            file = "prompts/main.md"

            """ + tail
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: root, currentDirectory: root + "/project"),
            fileSystem: LocalFileSystem())
        return try loader.parse(
            Array(text.utf8), configPath: root + "/project/agent-runner.toml", displayPath: "agent-runner.toml")
    }

    func names(_ checks: [StartupBattery.Check]) -> [String] { checks.map(\.name) }
    func failed(_ checks: [StartupBattery.Check]) -> [String] { checks.filter { !$0.ok }.map(\.name) }

    func testPreflightRunsTheOriginalsChecksInItsOrderForEveryProfile() throws {
        let battery = StartupBattery(
            config: try config(), environment: ["PATH": "/usr/bin:/bin"], fileSystem: LocalFileSystem())
        let base = battery.preflight(isGitWorkTree: true)
        XCTAssertEqual(
            names(base),
            [
                "log_dir_writable", "work_dir_is_git_repo", "prompt_file_exists", "prompt_smoke_passes",
                "phase_window_overlap",
                "agent_cli_in_path", "stdin_container_interactive", "control_plane_outside_container",
            ])
        XCTAssertEqual(failed(base), [])
        XCTAssertEqual(battery.run(phase: nil, isGitWorkTree: true), [], "the round's battery agrees")

        let phased = try config(
            """
            [phases]
            list = ["build", "review"]
            [phases.build.agent]
            command = ["missing-cli"]
            [phases.review.prompt]
            files = ["prompts/review.md"]

            """)
        let checks = StartupBattery(
            config: phased, environment: ["PATH": "/usr/bin:/bin"], fileSystem: LocalFileSystem()
        ).preflight(
            isGitWorkTree: false)
        XCTAssertEqual(
            Array(names(checks).dropFirst(8)),
            [
                "agent_cli_in_path:build", "stdin_container_interactive:build", "control_plane_outside_container:build",
                "prompt_file_exists:review",
            ], "the review phase's prompt file is missing, so its smoke check does not run")
        XCTAssertEqual(
            failed(checks), ["work_dir_is_git_repo", "agent_cli_in_path:build", "prompt_file_exists:review"])
        XCTAssertEqual(checks.first { $0.name == "agent_cli_in_path:build" }?.failure?.check, "agent_cli_in_path:build")
        let round = StartupBattery(config: phased, environment: [:], fileSystem: LocalFileSystem()).run(
            phase: "build", isGitWorkTree: true)
        XCTAssertEqual(round.map(\.check), ["agent_cli_in_path"], "a round names its checks without the phase")
    }

    func testAContainerNeedsInteractiveStdinAndALogDirOutsideTheMount() throws {
        let docker =
            "command = [\"claude\"]\nprompt_arg_template = [\"-p\"]\nprompt_delivery = \"stdin\"\n"
            + "exec_prefix = [\"/bin/sh\", \"docker\", \"run\"]"
        // exec_prefix[0] is a real executable so only the container checks can fail.
        let shWrapped = try config(agent: docker)
        XCTAssertEqual(
            failed(
                StartupBattery(config: shWrapped, environment: [:], fileSystem: LocalFileSystem()).preflight(
                    isGitWorkTree: true)), [],
            "sh is not a container runtime")

        let noStdin = try config(agent: docker.replacingOccurrences(of: "\"/bin/sh\", ", with: ""))
        let checks = StartupBattery(
            config: noStdin, environment: ["PATH": "/nonexistent"], fileSystem: LocalFileSystem()
        ).checks(
            phase: nil, isGitWorkTree: true)
        XCTAssertEqual(failed(checks), ["agent_cli_in_path", "stdin_container_interactive"])
        XCTAssertEqual(checks.first { $0.name == "stdin_container_interactive" }?.failure?.permanent, true)
        let interactive = try config(
            agent: docker.replacingOccurrences(of: "\"/bin/sh\", ", with: "")
                .replacingOccurrences(of: "\"run\"", with: "\"run\", \"-it\""))
        XCTAssertEqual(
            failed(
                StartupBattery(
                    config: interactive, environment: ["PATH": "/nonexistent"], fileSystem: LocalFileSystem()
                )
                .checks(phase: nil, isGitWorkTree: true)), ["agent_cli_in_path"])

        let inside = try config(
            agent: docker.replacingOccurrences(of: "\"/bin/sh\", ", with: "\"sudo\", "),
            logDir: root + "/project/logs")
        let insideChecks = StartupBattery(
            config: inside, environment: ["PATH": "/nonexistent"], fileSystem: LocalFileSystem()
        ).checks(
            phase: nil, isGitWorkTree: true)
        XCTAssertEqual(
            failed(insideChecks),
            ["agent_cli_in_path", "stdin_container_interactive", "control_plane_outside_container"])
        XCTAssertTrue(insideChecks.last?.failure?.reason.contains("runtime.log_dir is inside work_dir") == true)
        let plain = try config(logDir: root + "/project/logs")
        XCTAssertEqual(
            failed(
                StartupBattery(config: plain, environment: [:], fileSystem: LocalFileSystem()).checks(
                    phase: nil, isGitWorkTree: true)), [],
            "log_dir inside work_dir is fine without a container")
    }

    func testContainerCommandRecognition() {
        XCTAssertEqual(ContainerCommand.runIndex(["docker", "run", "img"]), 1)
        XCTAssertEqual(ContainerCommand.runIndex(["/usr/bin/podman", "--log-level", "debug", "run", "img"]), 3)
        XCTAssertEqual(
            ContainerCommand.runIndex(["sudo", "-u", "bob", "env", "A=1", "-i", "docker", "-H", "unix:///x", "run"]), 9)
        XCTAssertNil(ContainerCommand.runIndex(["docker", "build", "."]))
        XCTAssertNil(ContainerCommand.runIndex(["claude", "run"]))
        XCTAssertNil(ContainerCommand.runIndex(["docker"]))
        XCTAssertTrue(ContainerCommand.isInteractive(["docker", "run", "-i"]))
        XCTAssertTrue(ContainerCommand.isInteractive(["docker", "run", "-ti"]))
        XCTAssertTrue(ContainerCommand.isInteractive(["docker", "run", "--interactive=true"]))
        XCTAssertFalse(ContainerCommand.isInteractive(["docker", "run", "--init", "-e", "X=1"]))
        XCTAssertFalse(ContainerCommand.isInteractive(["docker", "run", "-v", "/a:/b"]))
    }

    func testEventLogCheck() throws {
        let logs = root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        XCTAssertTrue(Doctor.eventLogCheck(logDir: logs).ok, "no events yet")
        XCTAssertTrue(Doctor.eventLogCheck(logDir: root + "/absent").ok, "no log dir yet")
        let older = #"{"ts": "2026-11-30T10:00:00.000Z", "event": "round_start", "round_num": 1}"#
        try (older + "\n{\"ts\": \"2026-11-30T10:00:01.0").write(
            toFile: logs + "/events-2026-11.jsonl", atomically: true, encoding: .utf8)
        let file = logs + "/events-2026-12.jsonl"
        try (older + "\n" + older + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertTrue(Doctor.eventLogCheck(logDir: logs).ok, "a torn line in an older month is not reported")
        try (older + "\n{\"ts\": \"2026-12-01T").write(toFile: file, atomically: true, encoding: .utf8)
        let torn = Doctor.eventLogCheck(logDir: logs)
        XCTAssertEqual(
            torn.failure?.reason,
            "\(file) ends in a torn line: the last append was cut short (disk full, or a crash mid-write)")
        XCTAssertEqual(torn.failure?.permanent, false)
        try (older + "\nnot json\n").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            Doctor.eventLogCheck(logDir: logs).failure?.reason,
            "the last line of \(file) is not an event (a torn or foreign write)")
        try "x".write(toFile: root + "/file", atomically: true, encoding: .utf8)
        XCTAssertFalse(Doctor.eventLogCheck(logDir: root + "/file").ok, "a log dir that cannot be listed")
    }

    func testServiceCheck() {
        let unit = "/home/op/.config/systemd/user/agent-runner@demo.service"
        XCTAssertTrue(Doctor.serviceCheck(ServiceState(mode: .none), project: "demo").ok)
        XCTAssertTrue(Doctor.serviceCheck(ServiceState(mode: .pidFile, servePID: 42), project: "demo").ok)
        XCTAssertTrue(
            Doctor.serviceCheck(
                ServiceState(mode: .systemdUser, servePID: 42, userUnitPath: unit, userUnitState: "active"),
                project: "demo"
            ).ok)
        let outside = Doctor.serviceCheck(
            ServiceState(mode: .pidFile, servePID: 42, userUnitPath: unit, userUnitState: "failed"),
            project: "demo")
        XCTAssertEqual(outside.failure?.reason, "serve (pid 42) runs outside its installed user unit, which is failed")
        let both = Doctor.serviceCheck(
            ServiceState(mode: .systemdUser, userUnitPath: unit, systemUnitPath: "/etc/systemd/system/x"),
            project: "demo")
        XCTAssertTrue(both.failure?.reason.hasPrefix("both a user unit") == true)
    }

    func testConfigCheckListsEveryOldSpellingAndItsFix() throws {
        XCTAssertTrue(Doctor.configCheck([]).ok)
        let warnings = try config("[monitor.host_health]\nmem_avail_min_mb = 300\n[plugins]\ndisable = [\"x\"]\n")
            .warnings
        let check = Doctor.configCheck(warnings)
        XCTAssertEqual(
            check.failure?.reason,
            "2 old spellings or no-op values: monitor.host_health.mem_avail_min_mb (line 11), plugins.disable (line 13)"
        )
        XCTAssertEqual(check.failure?.howToFix, "run `agent-runner migrate`; fix the name or delete it")
    }

    func testReportTextAndJSON() {
        let report = DoctorReport(
            checks: [
                .init(name: "config_loaded"),
                .init(
                    name: "agent_cli_in_path",
                    failure: .init(
                        check: "agent_cli_in_path", reason: "\"x\" not found", howToFix: "install it",
                        permanent: true)),
            ],
            plan: [(1, "build"), (2, nil)], agent: "claude", sigtermGraceS: 7,
            cgroup: .init(path: "/user.slice", memoryMax: 1024, memoryHigh: nil, delegated: false, brake: "off"),
            service: ServiceState(mode: .none), stalePidFile: true)
        XCTAssertEqual(
            report.text,
            """
            checks:
              [ok] config_loaded
              [FAIL] agent_cli_in_path — "x" not found (fix: install it)
            phase plan:
              round 1: build
              round 2: base
            sigterm grace: 7 s (SIGTERM to the agent's process group, then SIGKILL; agent=claude)
            cgroup:
              cgroup_path: /user.slice
              memory_max: 1.0 KiB
              memory_high: –
              delegated: no
              brake: off
            service:
              mode: none
              serve: not running (serve.pid is left from a serve that was killed or a reboot)
              user unit: none
              system unit: none

            """)
        XCTAssertEqual(report.json["checks"]?[1]?["permanent"], .bool(true))
        XCTAssertEqual(report.json["plan"]?[0]?["phase"], .string("build"))
        XCTAssertEqual(report.json["service"]?["stale_pid_file"], .bool(true))
        XCTAssertEqual(report.json["sigterm_grace"]?["signal"], .string("SIGTERM"))
        XCTAssertEqual(report.failures.map(\.check), ["agent_cli_in_path"])
    }
}
