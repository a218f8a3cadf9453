import FleetCore
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// install / uninstall and the systemd_user verbs against a recording `systemctl` on PATH; every
/// generated unit is checked by the real `systemd-analyze verify`.
final class InstallTests: XCTestCase {
    /// Runs `systemd-analyze verify` on a unit file and requires it to say nothing.
    func verify(
        _ unit: String, user: Bool, host: LifecycleHost, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        guard
            let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            XCTFail(
                "systemd-analyze is missing; install it with: apt-get install -y systemd (scripts/test does)",
                file: file, line: line)
            return
        }
        // `verify --user` needs a runtime directory for the user manager it loads; none runs here.
        var env = ProcessRequest.currentEnvironment()
        env["XDG_RUNTIME_DIR"] = host.runtimeDir
        env["HOME"] = host.home
        env["SYSTEMD_LOG_COLOR"] = "0"
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                analyze, arguments: ["verify"] + (user ? ["--user"] : []) + [unit], environment: env,
                deadline: .now + .seconds(60)))
        XCTAssertEqual(output.exit, .terminated(0), "\(unit): \(output.stderrText)", file: file, line: line)
        XCTAssertEqual(
            output.stderrText + output.stdoutText, "", "systemd-analyze verify warns about \(unit)", file: file,
            line: line)
    }

    func binary() throws -> String {
        URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
    }

    func testUserInstallAndUninstall() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let result = try host.run(
            ["install", "--monitor", "--json"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(result.code, 0, result.stderr)
        let unit = host.userUnitDir + "/agent-runner@project.service"
        let monitor = host.userUnitDir + "/agent-runner-monitor@project.service"
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl --user is-system-running",
                "loginctl show-user tester --property=Linger --value",
                "systemctl --user daemon-reload",
                "systemctl --user enable agent-runner@project.service",
                "systemctl --user start agent-runner@project.service",
                "systemctl --user enable agent-runner-monitor@project.service",
                "systemctl --user start agent-runner-monitor@project.service",
            ])
        let json = try JSONParser.strict.parse(result.stdout)
        XCTAssertEqual(json["unit_path"], .string(unit))
        XCTAssertEqual(json["monitor_unit_path"], .string(monitor))
        XCTAssertEqual(json["started"], .bool(true))

        let text = try String(contentsOfFile: unit, encoding: .utf8)
        let exe = try binary()
        XCTAssertTrue(
            text.hasSuffix(
                """
                [Unit]
                Description=Agent Runner Supervisor (project)
                After=network.target
                StartLimitIntervalSec=300
                StartLimitBurst=5

                [Service]
                Type=simple
                WorkingDirectory=\(host.project)
                ExecStart=\(exe) serve --config \(host.project)/agent-runner.toml
                Restart=on-failure
                RestartPreventExitStatus=78 75 70
                RestartSec=3
                KillMode=mixed
                KillSignal=SIGTERM
                TimeoutStopSec=1900

                [Install]
                WantedBy=default.target

                """), text)
        XCTAssertTrue(
            text.contains(
                "round_timeout_s 1800 + agent stop grace 10 + round hooks 0 + git step 60 + margin 30 = 1900"), text)
        let monitorText = try String(contentsOfFile: monitor, encoding: .utf8)
        XCTAssertTrue(
            monitorText.contains(
                "ExecStart=\(exe) monitor --config \(host.project)/agent-runner.toml\nRestart=always\nRestartSec=10\n"),
            monitorText)
        try verify(unit, user: true, host: host)
        try verify(monitor, user: true, host: host)

        // With the unit installed and (per the fake) active, the verbs go through systemctl --user.
        let stop = try host.run(["stop"])
        XCTAssertEqual(stop.code, 0, stop.stderr)
        XCTAssertTrue(stop.stderr.hasPrefix("agent-runner: stopping service...\nagent-runner: stopped ("), stop.stderr)
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl --user is-active agent-runner@project.service",
                "systemctl --user --no-block stop agent-runner@project.service",
                "systemctl --user is-active agent-runner@project.service",
            ])
        let start = try host.run(["start"])
        XCTAssertEqual(start.code, 0, start.stderr)
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl --user is-active agent-runner@project.service",
                "systemctl --user start agent-runner@project.service",
                "systemctl --user is-active agent-runner@project.service",
                "systemctl --user is-active agent-runner@project.service",
            ])
        let kill = try host.run(["kill"])
        XCTAssertEqual(kill.code, 0, kill.stderr)
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl --user is-active agent-runner@project.service",
                "systemctl --user kill --signal=SIGTERM agent-runner@project.service",
                "systemctl --user is-active agent-runner@project.service",
            ])
        XCTAssertNil(host.servePID(), "no pid-file serve was started beside the unit")

        let removed = try host.run(["uninstall"])
        XCTAssertEqual(removed.code, 0, removed.stderr)
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl --user --no-block stop agent-runner@project.service",
                "systemctl --user is-active agent-runner@project.service",
                "systemctl --user disable agent-runner@project.service",
                "systemctl --user --no-block stop agent-runner-monitor@project.service",
                "systemctl --user is-active agent-runner-monitor@project.service",
                "systemctl --user disable agent-runner-monitor@project.service",
                "systemctl --user daemon-reload",
            ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: unit))
        XCTAssertFalse(FileManager.default.fileExists(atPath: monitor))
        let nothing = try host.run(["uninstall"])
        XCTAssertEqual(nothing.code, 0)
        XCTAssertEqual(nothing.stderr, "agent-runner: no unit installed for project\n")
        XCTAssertEqual(host.takeCalls(), [])
    }

    /// The runbook's "Going truly 24×7" line, as an operator pastes it.
    func testTheRunbookSpellingInstallUser() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let both = try host.run(
            ["install", "--user", "--system", "--config", host.project + "/agent-runner.toml"],
            environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(both.code, ExitCode.usage, both.stderr)
        XCTAssertTrue(both.stderr.hasPrefix("agent-runner: --user and --system exclude each other"), both.stderr)
        XCTAssertEqual(host.takeCalls(), [], "refused before anything was asked of systemd")

        let result = try host.run(
            ["install", "--user", "--config", host.project + "/agent-runner.toml"],
            environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.userUnitDir + "/agent-runner@project.service"))
        XCTAssertEqual(
            host.takeCalls().suffix(3),
            [
                "systemctl --user daemon-reload",
                "systemctl --user enable agent-runner@project.service",
                "systemctl --user start agent-runner@project.service",
            ])
        let help = try host.run(["help", "install"])
        XCTAssertTrue(help.stdout.contains("--user"), help.stdout)
        let completions = try host.run(["completions", "bash"])
        XCTAssertTrue(completions.stdout.contains("--user"), "completions come from the same verb spec")
    }

    func testUserInstallSaysWhatIsMissingBeforeWritingAnything() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let noSession = try host.run(["install"])
        XCTAssertEqual(noSession.code, 1)
        XCTAssertTrue(
            noSession.stderr.contains("user systemd unavailable (XDG_RUNTIME_DIR not set or missing)"), noSession.stderr
        )
        XCTAssertTrue(noSession.stderr.contains("`sudo loginctl enable-linger tester`"), noSession.stderr)
        XCTAssertTrue(noSession.stderr.contains("`sudo -E agent-runner install --system`"), noSession.stderr)
        XCTAssertTrue(noSession.stderr.contains("use `agent-runner start` instead"), noSession.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.userUnitDir))
        XCTAssertEqual(host.takeCalls(), [])

        let lingerOff = try host.run(
            ["install"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir, "FAKE_LINGER": "no"])
        XCTAssertEqual(lingerOff.code, 0, lingerOff.stderr)
        XCTAssertTrue(
            lingerOff.stderr.contains(
                "warning: lingering is off for tester: the service stops when you log out and does not start at boot; fix: sudo loginctl enable-linger tester"
            ),
            lingerOff.stderr)
    }

    func testClobberGuardProtectsAUnitOfAnotherProject() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let unit = host.userUnitDir + "/agent-runner@project.service"
        try Harness.write("[Service]\nWorkingDirectory=/srv/elsewhere/project\nExecStart=/bin/true\n", to: unit)
        let refused = try host.run(["install"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(
            refused.stderr.contains(
                "\(unit) already manages a different project at /srv/elsewhere/project (this is \(host.project)); pass --force to overwrite it"
            ), refused.stderr)
        XCTAssertTrue(try String(contentsOfFile: unit, encoding: .utf8).contains("/srv/elsewhere"))
        let forced = try host.run(["install", "--force"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(forced.code, 0, forced.stderr)
        XCTAssertTrue(try String(contentsOfFile: unit, encoding: .utf8).contains("WorkingDirectory=\(host.project)\n"))
    }

    func testSystemInstallRunsAsTheSudoUserAndIsNotStarted() throws {
        guard geteuid() == 0 else {
            throw MissingPrerequisite("install --system needs root: run the suite as root, as scripts/test does in CI")
        }
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let noSudo = try host.run(["install", "--system"])
        XCTAssertEqual(noSudo.code, 1)
        XCTAssertTrue(noSudo.stderr.contains("--system needs SUDO_USER"), noSudo.stderr)

        let nobody = try host.run(["install", "--system"], environment: ["SUDO_USER": "nobody"])
        XCTAssertEqual(nobody.code, 1)
        XCTAssertTrue(nobody.stderr.contains("Special user nobody configured, this is not safe!"), nobody.stderr)
        XCTAssertEqual(host.takeCalls(), [])

        // `daemon` (uid 1) exists on every Debian-family system; its group is `daemon`.
        let group = String(cString: getgrgid(getpwnam("daemon").pointee.pw_gid).pointee.gr_name)
        let result = try host.run(["install", "--system", "--monitor"], environment: ["SUDO_USER": "daemon"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl daemon-reload",
                "systemctl enable agent-runner@project.service",
                "systemctl enable agent-runner-monitor@project.service",
            ], "enabled, never started, no --user")
        XCTAssertTrue(
            result.stderr.contains(
                "next: sudo systemctl start agent-runner@project.service agent-runner-monitor@project.service"),
            result.stderr)
        let unit = host.systemUnitDir + "/agent-runner@project.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        XCTAssertTrue(
            text.contains("[Service]\nType=simple\nUser=daemon\nGroup=\(group)\nWorkingDirectory=\(host.project)\n"),
            text)
        XCTAssertTrue(text.hasSuffix("[Install]\nWantedBy=multi-user.target\n"), text)
        try verify(unit, user: false, host: host)
        try verify(host.systemUnitDir + "/agent-runner-monitor@project.service", user: false, host: host)

        // A user unit beside it would be a second supervisor.
        let user = try host.run(["install"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir])
        XCTAssertEqual(user.code, 1)
        XCTAssertTrue(user.stderr.contains("already has a system unit"), user.stderr)

        let removed = try host.run(["uninstall"])
        XCTAssertEqual(removed.code, 0, removed.stderr)
        XCTAssertEqual(
            host.takeCalls(),
            [
                "systemctl --no-block stop agent-runner@project.service",
                "systemctl is-active agent-runner@project.service",
                "systemctl disable agent-runner@project.service",
                "systemctl --no-block stop agent-runner-monitor@project.service",
                "systemctl is-active agent-runner-monitor@project.service",
                "systemctl disable agent-runner-monitor@project.service",
                "systemctl daemon-reload",
            ])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: host.systemUnitDir), [])
    }

    /// A host whose systemctl can only say "offline" (no systemd as PID 1, no /run/systemd/system):
    /// install leads with `agent-runner start`, writes nothing and never mentions lingering.
    func testInstallWithoutSystemdLeadsWithStart() throws {
        let host = try LifecycleHost(self)
        try host.initProject()
        try Harness.write(
            "#!/bin/sh\necho \"systemctl $*\" >> '\(host.callsFile)'\necho offline\nexit 1\n",
            to: host.root + "/fakebin/systemctl")
        chmod(host.root + "/fakebin/systemctl", 0o755)
        let environment = [
            "PATH": host.root + "/fakebin:" + (host.environment["PATH"] ?? ""),
            "AGENT_RUNNER_SYSTEMD_RUNTIME_DIR": host.root + "/no-such-dir", "XDG_RUNTIME_DIR": host.runtimeDir,
        ]
        for user in ["tester", "root"] {
            let result = try host.run(["install"], environment: environment.merging(["USER": user]) { $1 })
            XCTAssertEqual(result.code, 1, result.stderr)
            XCTAssertEqual(
                result.stderr,
                "agent-runner: this host does not run systemd (no /run/systemd/system, and systemctl says "
                    + "\"offline\"), so there is no unit to install. Run serve without it: agent-runner start (in the "
                    + "background, it survives logout; 'agent-runner status' shows it). To start it at boot, let the "
                    + "host's init run 'cd \(host.project) && agent-runner start' (OpenRC: a script in /etc/local.d "
                    + "ending in .start; or cron: @reboot)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: host.userUnitDir), "nothing written")
        }
        XCTAssertEqual(host.takeCalls(), ["systemctl is-system-running", "systemctl is-system-running"])
    }

    /// Root without a user manager is never told to `loginctl enable-linger root`.
    func testRootIsNotAdvisedToLingerAsRoot() throws {
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let root = try host.run(["install"], environment: ["USER": "root"])
        XCTAssertEqual(root.code, 1)
        XCTAssertTrue(root.stderr.contains("user systemd unavailable"), root.stderr)
        XCTAssertFalse(root.stderr.contains("enable-linger root"), root.stderr)
        XCTAssertTrue(
            root.stderr.contains("As root, install for the user who owns \(host.project) instead"), root.stderr)
        XCTAssertTrue(root.stderr.contains("`agent-runner start`, which needs no systemd"), root.stderr)
    }
}
