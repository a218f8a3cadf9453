import FleetCore
import XCTest

@testable import AgentRunnerCore

final class ServiceModeDetectorTests: XCTestCase {
    func testDecisionTable() {
        typealias D = ServiceModeDetector
        XCTAssertEqual(
            D.mode(userUnitPresent: false, userUnitState: nil, servePidFileExists: true, serveAlive: false), .pidFile,
            "without a unit a serve.pid file means pid_file, alive or not")
        XCTAssertEqual(
            D.mode(userUnitPresent: false, userUnitState: nil, servePidFileExists: false, serveAlive: false), .none)
        for state in ["active", "activating", "reloading"] {
            XCTAssertEqual(
                D.mode(userUnitPresent: true, userUnitState: state, servePidFileExists: true, serveAlive: true),
                .systemdUser, state)
        }
        XCTAssertEqual(
            D.mode(userUnitPresent: true, userUnitState: "inactive", servePidFileExists: true, serveAlive: true),
            .pidFile)
        XCTAssertEqual(
            D.mode(userUnitPresent: true, userUnitState: nil, servePidFileExists: true, serveAlive: true), .pidFile,
            "no systemctl answer")
        XCTAssertEqual(
            D.mode(userUnitPresent: true, userUnitState: "failed", servePidFileExists: true, serveAlive: false),
            .systemdUser)
        XCTAssertEqual(
            D.mode(userUnitPresent: true, userUnitState: "inactive", servePidFileExists: false, serveAlive: false),
            .systemdUser)
    }

    func testStateJSONAndActivity() {
        let state = ServiceState(
            mode: .pidFile, servePID: 42, systemUnitPath: "/etc/systemd/system/agent-runner@demo.service")
        XCTAssertTrue(state.active)
        XCTAssertTrue(state.systemManaged)
        XCTAssertEqual(
            JSONWriter(style: .compact).string(state.json),
            #"{"mode":"pid_file","active":true,"pid":42,"unit_file":null,"system_managed":true}"#)
        XCTAssertFalse(ServiceState(mode: .systemdUser, userUnitPath: "/u", userUnitState: "failed").active)
        XCTAssertTrue(ServiceState(mode: .systemdUser, userUnitPath: "/u", userUnitState: "activating").active)
    }

    func testProjectNamesThatCannotNameAUnitAreRejected() {
        XCTAssertNoThrow(try ServicePaths.validateProjectName("my-proj_1.2", workDir: "/w/my-proj_1.2"))
        for bad in ["my proj", "a@b", "50%", "", "naïve"] {
            XCTAssertThrowsError(try ServicePaths.validateProjectName(bad, workDir: "/w/x"), bad) { error in
                XCTAssertEqual((error as? LifecycleError)?.exitCode, ExitCode.config)
            }
        }
    }

    func testInstallFlagsNameOneMode() throws {
        typealias Options = ServiceInstaller.Options
        XCTAssertEqual(
            try Options(monitor: false, user: true, system: false, force: false), Options(),
            "--user is the default mode, spelled out")
        XCTAssertEqual(
            try Options(monitor: true, user: false, system: false, force: true),
            Options(monitor: true, force: true))
        XCTAssertEqual(try Options(monitor: false, user: false, system: true, force: false), Options(system: true))
        XCTAssertThrowsError(try Options(monitor: false, user: true, system: true, force: false)) { error in
            XCTAssertEqual(
                error as? UsageError,
                UsageError(
                    "--user and --system exclude each other: --user (the default) installs a systemd user unit, "
                        + "--system a system unit (as root, through sudo -E)", verb: "install"))
        }
    }

    func testUserUnitDirectoryFollowsXDG() {
        XCTAssertEqual(
            ServicePaths.userUnitDirectory(environment: ["HOME": "/home/op"]), "/home/op/.config/systemd/user")
        XCTAssertEqual(
            ServicePaths.userUnitDirectory(environment: ["HOME": "/home/op", "XDG_CONFIG_HOME": "/cfg"]),
            "/cfg/systemd/user")
        XCTAssertEqual(
            ServicePaths.userUnitDirectory(environment: ["HOME": "/home/op", "XDG_CONFIG_HOME": "relative"]),
            "/home/op/.config/systemd/user")
    }
}

final class UnitFileTests: XCTestCase {
    func config(_ extra: String = "", runtime: String = "") throws -> AgentRunnerConfig {
        let text = """
            [agent]
            command = ["claude"]
            prompt_arg_template = ["-p", "{prompt}"]
            [runtime]
            work_dir = "."
            log_dir = "logs"
            \(runtime)
            [prompt]
            file = "prompts/main.md"
            \(extra)
            """
        return try AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/"), fileSystem: LocalFileSystem()
        )
        .parse(Array(text.utf8), configPath: "/home/op/work/demo/agent-runner.toml", displayPath: "agent-runner.toml")
    }

    func testStopBudgetCoversTheLongestRoundAndItsTail() throws {
        let plain = StopBudget(config: try config())
        XCTAssertEqual(plain.roundTimeoutS, 1800)
        XCTAssertEqual(plain.agentGraceS, 10)
        XCTAssertEqual(plain.gitS, 60)
        XCTAssertEqual(plain.totalS, 1800 + 10 + 0 + 60 + 30)
        let phased = StopBudget(
            config: try config(
                """
                [agent.env]
                X = "1"
                [phases]
                list = ["a", "b"]
                [phases.a]
                round_timeout_s = 3600
                [phases.b.agent]
                sigterm_grace_s = 12
                [vcs]
                dirty_action = "auto_commit"
                [hooks]
                post_round = [{ name = "notify", command = ["./notify.sh"], timeout_s = 45 }]
                pre_round = [["./seed.sh"]]
                """))
        XCTAssertEqual(phased.roundTimeoutS, 3600)
        XCTAssertEqual(phased.agentGraceS, 12)
        XCTAssertEqual(phased.hooksS, 45 + 60)
        XCTAssertEqual(phased.gitS, 200)
        XCTAssertEqual(phased.totalS, 3600 + 12 + 105 + 200 + 30)
        XCTAssertEqual(
            phased.explanation,
            "round_timeout_s 3600 + agent stop grace 12 + round hooks 105 + git step 200 + margin 30")
    }

    func testUserServeUnit() throws {
        let unit = UnitFile(
            project: "demo", workDir: "/home/op/work/demo", configPath: "/home/op/work/demo/agent-runner.toml",
            executable: "/home/op/.local/bin/agent-runner", scope: .user, stopBudget: StopBudget(config: try config()))
        let body = unit.serveUnit.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") }
            .joined(separator: "\n")
        XCTAssertEqual(
            body,
            """
            [Unit]
            Description=Agent Runner Supervisor (demo)
            After=network.target
            StartLimitIntervalSec=300
            StartLimitBurst=5

            [Service]
            Type=simple
            WorkingDirectory=/home/op/work/demo
            ExecStart=/home/op/.local/bin/agent-runner serve --config /home/op/work/demo/agent-runner.toml
            Restart=on-failure
            RestartPreventExitStatus=78 75 70
            RestartSec=3
            KillMode=mixed
            KillSignal=SIGTERM
            TimeoutStopSec=1900

            [Install]
            WantedBy=default.target

            """)
        XCTAssertTrue(
            unit.serveUnit.contains(
                "#   round_timeout_s 1800 + agent stop grace 10 + round hooks 0 + git step 60 + margin 30 = 1900.\n"),
            unit.serveUnit)
    }

    func testSystemUnitsRunAsTheSudoUser() throws {
        let unit = UnitFile(
            project: "demo", workDir: "/srv/demo", configPath: "/srv/demo/agent-runner.toml",
            executable: "/usr/local/bin/agent-runner",
            scope: .system(user: "pi", group: "pi"), stopBudget: StopBudget(config: try config()))
        XCTAssertTrue(
            unit.serveUnit.contains("Type=simple\nUser=pi\nGroup=pi\nWorkingDirectory=/srv/demo\n"), unit.serveUnit)
        XCTAssertTrue(unit.serveUnit.hasSuffix("[Install]\nWantedBy=multi-user.target\n"))
        XCTAssertTrue(
            unit.monitorUnit.contains(
                """
                [Unit]
                Description=Agent Runner Monitor (demo)
                After=network.target agent-runner@demo.service

                [Service]
                Type=simple
                User=pi
                Group=pi
                WorkingDirectory=/srv/demo
                ExecStart=/usr/local/bin/agent-runner monitor --config /srv/demo/agent-runner.toml
                Restart=always
                RestartSec=10

                [Install]
                WantedBy=multi-user.target

                """), unit.monitorUnit)
        XCTAssertFalse(unit.monitorUnit.contains("TimeoutStopSec"))
    }

    func testPathsAreEscapedForSystemd() {
        XCTAssertEqual(
            UnitFile.commandLine(["/opt/my tools/agent-runner", "serve", "--config", "/w/100%/agent-runner.toml"]),
            #""/opt/my tools/agent-runner" serve --config /w/100%%/agent-runner.toml"#)
        XCTAssertEqual(UnitFile.commandLine(["/w/$HOME/a\"b"]), #""/w/$$HOME/a\"b""#)
        let unit = UnitFile(
            project: "x", workDir: "/w/100%", configPath: "/w/100%/agent-runner.toml", executable: "/bin/ar",
            scope: .user, stopBudget: StopBudget(roundTimeoutS: 1, agentGraceS: 1, hooksS: 0, gitS: 1, marginS: 1))
        XCTAssertTrue(unit.serveUnit.contains("WorkingDirectory=/w/100%%\n"))
        XCTAssertEqual(UnitFile.workingDirectory(ofUnit: unit.serveUnit), "/w/100%")
        XCTAssertNil(UnitFile.workingDirectory(ofUnit: "[Service]\nExecStart=/bin/true\n"))
    }
}
