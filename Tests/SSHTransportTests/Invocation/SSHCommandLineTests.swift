import XCTest

@testable import FleetCore
@testable import SSHTransport

final class SSHCommandLineTests: XCTestCase {
    private let common = [
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
        "-o", "LogLevel=ERROR", "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ClearAllForwardings=yes",
    ]

    func testArgumentsWithoutReuse() throws {
        let host = RemoteHost(name: "pi", target: try SSHTarget("pi"))
        XCTAssertEqual(
            try SSHCommandLine.arguments(for: host, remoteCommand: ["agent-runner", "peek", "--json"]),
            common + ["-o", "ControlMaster=no", "-o", "ControlPath=none", "-T", "--", "pi", "agent-runner peek --json"])
    }

    func testArgumentsWithConfigFileReuseAndQuotedCommand() throws {
        let options = SSHOptions(
            configFile: "/etc/fleet/ssh_config", connectTimeoutS: 4, serverAliveIntervalS: 2, serverAliveCountMax: 2,
            connectionReuse: .on(controlDirectory: "/run/user/1000/fleetctl-ssh", persistS: 90))
        let host = RemoteHost(name: "edge-1", target: try SSHTarget("ops@edge-1.example.net"), options: options)
        XCTAssertEqual(
            try SSHCommandLine.arguments(
                for: host,
                remoteCommand: ["agent-runner", "peek", "--json", "--config", "/srv/my app/agent-runner.toml"]),
            [
                "-F", "/etc/fleet/ssh_config",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=4", "-o", "ServerAliveInterval=2", "-o",
                "ServerAliveCountMax=2",
                "-o", "LogLevel=ERROR", "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ClearAllForwardings=yes",
                "-o", "ControlMaster=auto", "-o", "ControlPath=/run/user/1000/fleetctl-ssh/%C", "-o",
                "ControlPersist=90s",
                "-T", "--", "ops@edge-1.example.net",
                "agent-runner peek --json --config '/srv/my app/agent-runner.toml'",
            ])
    }

    func testNeverDisablesHostKeyChecking() throws {
        let host = RemoteHost(
            name: "pi", target: try SSHTarget("pi"),
            options: SSHOptions(connectionReuse: .on(controlDirectory: "/tmp/fleetctl-ssh-0")))
        let joined = try SSHCommandLine.arguments(for: host, remoteCommand: ["true"]).joined(separator: " ")
            .lowercased()
        XCTAssertFalse(joined.contains("stricthostkeychecking"))
        XCTAssertFalse(joined.contains("userknownhostsfile"))
    }

    func testControlAndConfigDumpArguments() throws {
        let host = RemoteHost(
            name: "pi", target: try SSHTarget("pi"),
            options: SSHOptions(configFile: "/cfg", connectionReuse: .on(controlDirectory: "/tmp/fleetctl-ssh-0/")))
        XCTAssertEqual(
            try SSHCommandLine.controlArguments(.check, for: host),
            [
                "-F", "/cfg", "-o", "BatchMode=yes", "-o", "ControlPath=/tmp/fleetctl-ssh-0/%C", "-O", "check", "--",
                "pi",
            ])
        XCTAssertEqual(try SSHCommandLine.controlArguments(.exit, for: host).suffix(4), ["-O", "exit", "--", "pi"])
        XCTAssertEqual(try SSHCommandLine.configDumpArguments(for: host), ["-G", "-F", "/cfg", "--", "pi"])

        let noReuse = RemoteHost(name: "pi", target: try SSHTarget("pi"))
        XCTAssertThrowsError(try SSHCommandLine.controlArguments(.check, for: noReuse))
    }

    // MARK: Refusals

    func testUnsafeTargetsAreRefused() {
        for target in [
            "-oProxyCommand=touch /tmp/pwned", "-p", "pi lan", "pi\tlan", "pi\nProxyCommand x", "", "pi\u{7F}",
            "a\u{85}b",
        ] {
            XCTAssertThrowsError(try SSHTarget(target), "accepted \(target.debugDescription)") { error in
                let error = error as? SSHSetupError
                XCTAssertEqual(error?.code, .invalidTarget)
                XCTAssertTrue(error?.message.contains("inventory") ?? false, error?.message ?? "")
            }
        }
        XCTAssertNoThrow(try SSHTarget("ops@pi.lan"))
        XCTAssertNoThrow(try SSHTarget("pi-2"))
    }

    /// `-F` takes the path as its own argument, never through ssh's config parser: spaces work.
    func testAConfigPathWithSpacesIsOneArgument() throws {
        let host = RemoteHost(
            name: "pi", target: try SSHTarget("pi"), options: SSHOptions(configFile: "/my configs/ssh"))
        let argv = try SSHCommandLine.arguments(for: host, remoteCommand: ["true"])
        XCTAssertEqual(Array(argv.prefix(2)), ["-F", "/my configs/ssh"])
    }

    func testUnsafeOptionValuesAreRefusedBeforeSpawning() throws {
        let target = try SSHTarget("pi")
        let bad: [(SSHOptions, String)] = [
            (SSHOptions(configFile: "-oProxyCommand=sh"), "starts with '-'"),
            (SSHOptions(configFile: "/my configs/ssh\n"), "control character"),
            (SSHOptions(configFile: "/cfg\u{1B}[2J"), "control character"),
            (SSHOptions(configFile: ""), "empty"),
            (SSHOptions(connectTimeoutS: 0), "connect_timeout_s"),
            (SSHOptions(serverAliveIntervalS: -1), "keepalive"),
            (SSHOptions(connectionReuse: .on(controlDirectory: "/tmp/a b")), "whitespace"),
            (SSHOptions(connectionReuse: .on(controlDirectory: "-x")), "starts with '-'"),
            (SSHOptions(connectionReuse: .on(controlDirectory: "relative/dir")), "absolute"),
            (SSHOptions(connectionReuse: .on(controlDirectory: "/tmp/%h")), "'%'"),
            (
                SSHOptions(connectionReuse: .on(controlDirectory: "/tmp/" + String(repeating: "d", count: 60))),
                "107-byte"
            ),
            (SSHOptions(connectionReuse: .on(controlDirectory: "/tmp/c", persistS: 0)), "ControlPersist"),
        ]
        for (options, expected) in bad {
            let host = RemoteHost(name: "pi", target: target, options: options)
            XCTAssertThrowsError(try SSHCommandLine.arguments(for: host, remoteCommand: ["true"])) { error in
                let message = (error as? SSHSetupError)?.message ?? ""
                XCTAssertTrue(message.hasPrefix("pi: "), message)
                XCTAssertTrue(message.contains(expected), "\(message) should mention \(expected)")
                XCTAssertFalse(message.contains("\u{1B}"), "the message must not carry raw escapes")
            }

            let runner = RecordingRunner()
            let result = SSHExecutor(runner: runner).run(host: host, argv: ["true"], deadline: .now + .seconds(5))
            XCTAssertEqual(runner.requests.count, 0, "ssh must not be spawned for \(options)")
            XCTAssertEqual(sshFailureKind(result.outcome), .configuration)
            XCTAssertNil(result.exit)
            XCTAssertTrue(result.errorMessage?.hasPrefix("pi: ") ?? false, result.errorMessage ?? "")
        }
        let host = RemoteHost(name: "pi", target: target)
        XCTAssertThrowsError(try SSHCommandLine.arguments(for: host, remoteCommand: []))
    }

    // MARK: The process request

    func testExecutorRequestUsesNewSessionNullStdinAndCaps() throws {
        let runner = RecordingRunner(reply: ProcessOutput(exit: .terminated(0), stdout: Array("hi\n".utf8)))
        let executor = SSHExecutor(sshProgram: "/usr/bin/ssh", environment: ["HOME": "/root"], runner: runner)
        let host = RemoteHost(name: "pi", target: try SSHTarget("pi"))
        let deadline = ContinuousClock.now + .seconds(20)

        let result = executor.run(
            host: host, argv: ["agent-runner", "peek"], stdin: nil, deadline: deadline, outputLimit: 1234)
        XCTAssertEqual(result.outcome, .ok(Array("hi\n".utf8)))
        XCTAssertNil(result.errorMessage)
        _ = executor.run(host: host, argv: ["agent-runner", "stop"], stdin: Array("x".utf8), deadline: deadline)

        let requests = runner.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0].executable, "/usr/bin/ssh")
        XCTAssertEqual(
            requests[0].arguments, try SSHCommandLine.arguments(for: host, remoteCommand: ["agent-runner", "peek"]))
        XCTAssertEqual(requests[0].environment, ["HOME": "/root"])
        XCTAssertEqual(requests[0].standardInput, .null)
        XCTAssertEqual(requests[0].standardOutput, .capture(limit: 1234))
        XCTAssertEqual(requests[0].grouping, .newSession)
        XCTAssertEqual(requests[0].deadline, deadline)
        XCTAssertEqual(requests[1].standardInput, .bytes(Array("x".utf8)))
        XCTAssertEqual(requests[1].standardOutput, .capture(limit: RemoteResult.defaultOutputLimit))
    }

    func testMissingSSHBinaryIsALocalFailure() throws {
        let executor = SSHExecutor(sshProgram: "ssh-does-not-exist", environment: ["PATH": "/nonexistent"])
        let result = executor.run(
            host: RemoteHost(name: "pi", target: try SSHTarget("pi")), argv: ["true"], deadline: .now + .seconds(5))
        XCTAssertEqual(sshFailureKind(result.outcome), .localFailure)
        XCTAssertTrue(
            result.errorMessage?.contains("apt-get install -y openssh-client") ?? false, result.errorMessage ?? "")
    }

    func testMasterPIDParsing() {
        XCTAssertEqual(SSHExecutor.masterPID(fromCheckOutput: "Master running (pid=13377)\r\n"), 13377)
        XCTAssertNil(SSHExecutor.masterPID(fromCheckOutput: "Control socket connect(/x): No such file or directory"))
    }
}
