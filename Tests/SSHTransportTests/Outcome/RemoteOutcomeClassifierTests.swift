import FleetCore
import XCTest

@testable import SSHTransport

final class RemoteOutcomeClassifierTests: XCTestCase {
    private func classify(
        _ output: ProcessOutput, argv: [String] = ["agent-runner", "peek", "--json"], target: String = "pi.lan"
    ) throws -> RemoteResult {
        let host = RemoteHost(name: "pi", target: try SSHTarget(target), options: SSHOptions(connectTimeoutS: 3))
        return RemoteOutcomeClassifier(host: host, argv: argv, outputLimit: 4 << 20, budget: .seconds(20)).classify(
            output)
    }

    private func ssh255(_ stderr: String) throws -> RemoteResult {
        try classify(ProcessOutput(exit: .terminated(255), stderr: Array(stderr.utf8)))
    }

    /// Messages as OpenSSH 9.2 prints them (LogLevel=ERROR).
    func testSSHFailureKindsFromRealMessages() throws {
        let samples: [(String, SSHFailureKind, String)] = [
            ("ssh: connect to host 10.0.0.7 port 22: Connection refused\r\n", .connectionRefused, "sshd runs"),
            ("ssh: connect to host 10.0.0.7 port 22: No route to host\r\n", .hostUnreachable, "ping"),
            ("ssh: connect to host 10.0.0.7 port 22: Network is unreachable\r\n", .hostUnreachable, "powered on"),
            ("ssh: Could not resolve hostname pi.lan: Name or service not known\r\n", .nameResolution, "HostName"),
            (
                "ssh: Could not resolve hostname pi.lan: Temporary failure in name resolution\r\n", .nameResolution,
                "DNS"
            ),
            ("ssh: connect to host 10.0.0.7 port 22: Connection timed out\r\n", .connectTimeout, "after 3 s"),
            (
                "Connection timed out during banner exchange\r\nConnection to 10.0.0.7 port 22 timed out\r\n",
                .connectTimeout, "connect_timeout_s"
            ),
            ("ops@10.0.0.7: Permission denied (publickey).\r\n", .authenticationFailed, "authorized_keys"),
            (
                "Received disconnect from 10.0.0.7 port 22:2: Too many authentication failures\r\n",
                .authenticationFailed, "IdentityFile"
            ),
            (
                "No ED25519 host key is known for pi.lan and you have requested strict checking.\r\nHost key verification failed.\r\n",
                .hostKeyUnknown, "never accepts unknown host keys"
            ),
            ("Host key verification failed.\r\n", .hostKeyUnknown, "ssh pi.lan"),
            (
                "kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 10.0.0.7 port 22\r\n",
                .connectionLost, "rebooting"
            ),
            ("client_loop: send disconnect: Broken pipe\r\n", .connectionLost, "dropped"),
            ("Timeout, server 10.0.0.7 not responding.\r\n", .connectionLost, "dropped"),
            (
                "/etc/fleet/ssh_config: line 3: Bad configuration option: idenityfile\r\n/etc/fleet/ssh_config: terminating, 1 bad configuration options\r\n",
                .configuration, "fix the ssh config"
            ),
            (
                "Can't open user config file /etc/fleet/ssh_config: No such file or directory\r\n", .configuration,
                "ssh config"
            ),
            ("", .other, "remote command itself exited 255"),
            (
                "agent-runner: stopping service...\n", .other,
                "the connection was cut while the command ran (the host rebooted or lost its network)"
            ),
            ("something unexpected\n", .other, "something unexpected"),
        ]
        for (stderr, kind, hint) in samples {
            let result = try ssh255(stderr)
            XCTAssertEqual(sshFailureKind(result.outcome), kind, stderr)
            let message = try XCTUnwrap(result.errorMessage)
            XCTAssertTrue(message.hasPrefix("pi (ssh pi.lan): "), message)
            XCTAssertTrue(message.contains(hint), "\(message) should contain \(hint)")
            XCTAssertFalse(message.contains("\r"), message)
            XCTAssertEqual(result.exit, .terminated(255))
        }
    }

    func testChangedHostKeySaysSoAndHowToFixIt() throws {
        let banner = """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r
            IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r
            Someone could be eavesdropping on you right now (man-in-the-middle attack)!\r
            It is also possible that a host key has just been changed.\r
            The fingerprint for the ED25519 key sent by the remote host is\r
            SHA256:J1yRQJdyYbzqkyOFG4ng/yqS2JFNZmpuAl8jBSf0DkI.\r
            Please contact your system administrator.\r
            Add correct host key in /root/.ssh/known_hosts to get rid of this message.\r
            Offending ED25519 key in /root/.ssh/known_hosts:1\r
              remove with:\r
              ssh-keygen -f "/root/.ssh/known_hosts" -R "pi.lan"\r
            Host key for pi.lan has changed and you have requested strict checking.\r
            Host key verification failed.\r

            """
        let result = try ssh255(banner)
        XCTAssertEqual(sshFailureKind(result.outcome), .hostKeyChanged)
        let message = try XCTUnwrap(result.errorMessage)
        XCTAssertTrue(message.contains("host key has CHANGED"), message)
        XCTAssertTrue(message.contains("man in the middle"), message)
        XCTAssertTrue(message.contains("SHA256:J1yRQJdyYbzqkyOFG4ng/yqS2JFNZmpuAl8jBSf0DkI"), message)
        XCTAssertTrue(message.contains(#"`ssh-keygen -f "/root/.ssh/known_hosts" -R "pi.lan"`"#), message)
        XCTAssertTrue(message.contains("Check the host"), message)
    }

    /// The `ssh ...` a failure asks the operator to paste names the target as one shell word:
    /// a target holding `;`, `$(...)`, quotes or globs (ssh aliases may) runs nothing when pasted.
    func testTheHintQuotesTheTargetForTheShell() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["pi", ";", "$(id)", "`id`", "'", "\"", "*", "&", "|", "#", "~", "\\", "é", "{a,b}", "<", ">"]
        for _ in 0..<300 {
            let target =
                "h"
                + (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                    pieces.randomElement(using: &generator)!
                }.joined()
            let stderr = "ssh: Could not resolve hostname x: Name or service not known\r\n"
            let result = try classify(ProcessOutput(exit: .terminated(255), stderr: Array(stderr.utf8)), target: target)
            let message = try XCTUnwrap(result.errorMessage)
            let quoted = RemoteCommand.quote(target)
            XCTAssertTrue(message.contains("`ssh -G \(quoted) | grep hostname`"), "\(target): \(message)")
            // Pasted into a shell, the quoted word is the target again, whole.
            let echoed = try PosixProcessRunner().run(
                ProcessRequest("/bin/sh", arguments: ["-c", "printf %s " + quoted], deadline: .now + .seconds(10)))
            XCTAssertEqual(echoed.stdout, Array(target.utf8), target)
        }
    }

    func testRemoteExitCodes() throws {
        let missing = try classify(
            ProcessOutput(exit: .terminated(127), stderr: Array("bash: line 1: agent-runner: command not found\n".utf8))
        )
        XCTAssertEqual(
            missing.outcome, .remoteFailure(exitCode: 127, stderrTail: "bash: line 1: agent-runner: command not found"))
        XCTAssertEqual(
            missing.errorMessage,
            #"pi (ssh pi.lan): agent-runner not found on the remote PATH (exit 127: bash: line 1: agent-runner: command not found); set agent_runner = "/full/path" in the inventory for this host (ssh runs a non-interactive shell whose PATH often lacks ~/.local/bin)"#
        )

        let missingPath = try classify(
            ProcessOutput(exit: .terminated(127), stderr: Array("bash: /opt/ar: No such file or directory\n".utf8)),
            argv: ["/opt/ar", "peek"])
        XCTAssertTrue(
            missingPath.errorMessage?.contains("/opt/ar does not exist on the remote host") ?? false,
            missingPath.errorMessage ?? "")

        let notExecutable = try classify(ProcessOutput(exit: .terminated(126)), argv: ["/opt/ar"])
        XCTAssertTrue(notExecutable.errorMessage?.contains("chmod +x") ?? false)

        let failed = try classify(
            ProcessOutput(exit: .terminated(3), stderr: Array("agent-runner: config error: x\n".utf8)))
        XCTAssertEqual(failed.outcome, .remoteFailure(exitCode: 3, stderrTail: "agent-runner: config error: x"))
        XCTAssertEqual(
            failed.errorMessage,
            "pi (ssh pi.lan): `agent-runner peek --json` failed on the remote host with exit 3: agent-runner: config error: x"
        )
    }

    func testTimeoutWinsOverTheExitStatus() throws {
        let result = try classify(ProcessOutput(exit: .signalled(SIGTERM), timedOut: true, duration: .seconds(21)))
        XCTAssertEqual(result.outcome, .timeout(after: .seconds(20)))
        XCTAssertTrue(result.errorMessage?.contains("within 20 s") ?? false, result.errorMessage ?? "")
        XCTAssertTrue(result.errorMessage?.contains("poll_timeout_s") ?? false)
    }

    func testOversizedOutputAndSignals() throws {
        let big = try classify(ProcessOutput(exit: .terminated(0), stdout: [1, 2], stdoutTruncated: true))
        XCTAssertEqual(big.outcome.category, "bad_output")
        XCTAssertTrue(big.errorMessage?.contains("more than 4 MiB") ?? false, big.errorMessage ?? "")

        let killed = try classify(ProcessOutput(exit: .signalled(SIGKILL)))
        XCTAssertEqual(sshFailureKind(killed.outcome), .localFailure)
        XCTAssertTrue(killed.errorMessage?.contains("SIGKILL") ?? false)
        XCTAssertEqual(sshFailureKind(try classify(ProcessOutput(exit: .statusLost)).outcome), .localFailure)
    }

    // MARK: Stderr tails

    func testStderrTailKeepsTheLastTwentyLinesSanitized() {
        let lines = (1...30).map { "line \($0)" }.joined(separator: "\r\n") + "\n\n"
        let tail = StderrTail.of(Array(lines.utf8))
        XCTAssertEqual(tail.split(separator: "\n").count, 20)
        XCTAssertTrue(tail.hasPrefix("line 11\n"))
        XCTAssertTrue(tail.hasSuffix("line 30"))

        let hostile = StderrTail.of(
            Array("ok\u{1B}[2J\u{1B}]0;pwned\u{07} \u{202E}txt.exe\tx\u{9B}\n".utf8) + [0xFF, 0x0A])
        XCTAssertEqual(hostile, "ok\\x1B[2J\\x1B]0;pwned\\x07 \\u{202E}txt.exe\\x09x\\x9B\n\u{FFFD}")
    }

    func testStderrTailIsCappedAt2KiBOnACharacterBoundary() {
        let long = String(repeating: "é", count: 5000)
        let tail = StderrTail.of(Array(long.utf8))
        XCTAssertLessThanOrEqual(tail.utf8.count, 2048)
        XCTAssertTrue(tail.hasPrefix("…é"))
        XCTAssertFalse(tail.contains("\u{FFFD}"))
    }

    // MARK: JSON

    private func jsonResult(_ stdout: String) throws -> RemoteJSONResult {
        let executor = CannedExecutor(
            result: RemoteResult(host: "pi", outcome: .ok(Array(stdout.utf8)), errorMessage: nil))
        return executor.runJSON(
            host: RemoteHost(name: "pi", target: try SSHTarget("pi")), argv: ["agent-runner", "peek", "--json"],
            deadline: .now + .seconds(1))
    }

    func testRunJSONParsesOrExplains() throws {
        let good = try jsonResult(#"{"state": "running", "round": 3}"# + "\n")
        XCTAssertEqual(good.document?["state"]?.stringValue, "running")
        XCTAssertTrue(good.result.outcome.isOK)

        let text = try jsonResult("Welcome to pi!\n{\"state\":1}")
        XCTAssertNil(text.document)
        guard case .badOutput(let reason) = text.result.outcome else { return XCTFail("\(text.result.outcome)") }
        XCTAssertTrue(reason.contains("did not print valid JSON (invalid JSON at byte 0"), reason)
        XCTAssertTrue(reason.contains(#"it printed: "Welcome to pi!\x0A{"state":1}""#), reason)
        XCTAssertTrue(reason.contains("~/.bashrc"), reason)
        XCTAssertEqual(text.result.errorMessage, "pi: " + reason)

        let empty = try jsonResult(" \n")
        XCTAssertTrue(empty.result.errorMessage?.contains("printed nothing") ?? false)

        let deep = try jsonResult(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
        XCTAssertEqual(deep.result.outcome.category, "bad_output")
        XCTAssertNotNil(try jsonResult(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).document)
    }

    func testRunJSONPassesFailuresThroughAndAsksForTheJSONLimit() throws {
        let failure = RemoteResult(host: "pi", outcome: .timeout(after: .seconds(2)), errorMessage: "pi: slow")
        let result = CannedExecutor(result: failure).runJSON(
            host: RemoteHost(name: "pi", target: try SSHTarget("pi")), argv: ["x"],
            deadline: .now + .seconds(1))
        XCTAssertEqual(result.result, failure)
        XCTAssertNil(result.document)

        let runner = RecordingRunner(reply: ProcessOutput(exit: .terminated(0), stdout: Array("{}".utf8)))
        let json = SSHExecutor(runner: runner).runJSON(
            host: RemoteHost(name: "pi", target: try SSHTarget("pi")), argv: ["x"],
            deadline: .now + .seconds(1))
        XCTAssertEqual(json.document, .object(JSONObject()))
        XCTAssertEqual(runner.requests.first?.standardOutput, .capture(limit: 4 << 20))
    }
}
