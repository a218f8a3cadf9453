import FleetCore
import Monitoring
import SSHTransport
import TestSupport
import XCTest

@testable import FleetControl

/// The smaller defects of issue 23, each over generated inputs: every spelling of a shell
/// running a placeholder as code, `ssh_config` paths that `check` and polls judge alike,
/// `~/agent-runner` run from the home rather than looked up on the PATH.
final class InventoryHardeningTests: XCTestCase {
    private var generator = SystemRandomNumberGenerator()

    private func load(_ text: String) throws -> Inventory {
        try InventoryLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/ops"),
            fileSystem: UntouchableFileSystem()
        )
        .parse(Array(text.utf8), path: "/ops/inventory.toml", displayPath: "inventory.toml")
    }

    private func hookInventory(_ command: [String]) -> String {
        let words = command.map { word in
            "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "[hosts.pi]\n\n[[hooks]]\nname = \"h\"\ncommand = [" + words.joined(separator: ", ") + "]\n"
    }

    /// A shell and the words that make it run its next operand as code, in every spelling.
    private func shellSpellings() -> [[String]] {
        let shells = [
            "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "rbash",
        ]
        let directories = ["", "/bin/", "/usr/bin/", "/usr/local/bin/", "./"]
        let wrappers: [[String]] = [
            [], ["env"], ["/usr/bin/env"], ["env", "-i"], ["env", "FOO=1", "BAR=2"], ["env", "-u", "HOME", "--"],
            ["nice", "-n", "5"], ["nohup"], ["setsid"], ["timeout", "-k", "5", "30"], ["stdbuf", "-oL"],
            ["sudo", "-u", "ops"], ["busybox"], ["/bin/busybox"], ["env", "nice", "nohup"],
        ]
        let options: [[String]] = [
            ["-c"], ["-lc"], ["-ec"], ["-xc"], ["-cx"], ["-euxc"], ["-c", "--"], ["-e", "-c"], ["-o", "errexit", "-c"],
            ["--login", "-c"], ["--norc", "-c", "--"], ["+x", "-c"], ["-c", "-"], ["--rcfile", "/x", "-c"], [],
        ]
        var spellings: [[String]] = []
        for _ in 0..<400 {
            let shell = directories.randomElement(using: &generator)! + shells.randomElement(using: &generator)!
            spellings.append(
                wrappers.randomElement(using: &generator)! + [shell] + options.randomElement(using: &generator)!)
        }
        spellings.append(["env", "-S", "sh -c"])
        spellings.append(["env", "-Sbash -lc"])
        spellings.append(["/usr/bin/env", "--split-string=dash -ec"])
        return spellings
    }

    func testAPlaceholderIsNeverAShellsScriptHoweverSpelled() throws {
        for prefix in shellSpellings() {
            for placeholder in Inventory.AlertHook.placeholders {
                let command = prefix + [placeholder, "extra"]
                XCTAssertEqual(
                    HookShellScript.scriptPosition(command), prefix.count, "\(command)")
                XCTAssertThrowsError(try load(hookInventory(command)), "\(command)") { error in
                    XCTAssertTrue("\(error)".contains("would be run as a shell script"), "\(command): \(error)")
                }
                // After the script, the same placeholder is an argument ($0, $1): allowed.
                let safe = prefix + ["printf '%s\\n' \"$1\"", "hook", placeholder]
                XCTAssertNoThrow(try load(hookInventory(safe)), "\(safe)")
            }
        }
        for harmless in [["./notify.sh", "{host}"], ["logger", "-t", "sh", "{message}"], ["curl", "-c", "{host}"]] {
            XCTAssertNil(HookShellScript.scriptPosition(harmless).flatMap { harmless[$0].hasPrefix("{") ? $0 : nil })
        }
    }

    func testSSHConfigPathsAreJudgedAlikeByCheckAndByPolls() throws {
        let pieces = ["fleet", "ops dir", "ssh config", "a'b", "ünï", "x\ty", "x\u{1}y", "x\u{85}y", "-o", "z"]
        for _ in 0..<200 {
            let path =
                "/srv/"
                + (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                    pieces.randomElement(using: &generator)!
                }.joined(separator: "/")
            let escaped = path.unicodeScalars.map { scalar in
                guard scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) else { return String(scalar) }
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }.joined()
            let text = "[hosts.pi]\nssh_config = \"\(escaped)\"\n"
            let accepted: Inventory?
            do { accepted = try load(text) } catch { accepted = nil }
            let options = SSHOptions(configFile: path)
            let host = RemoteHost(name: "pi", target: try SSHTarget("pi"), options: options)
            let argv = try? SSHCommandLine.arguments(for: host, remoteCommand: ["true"])
            XCTAssertEqual(accepted != nil, argv != nil, "check and poll disagree on \(path.debugDescription)")
            if let argv {
                XCTAssertEqual(accepted?.hosts.first?.settings.sshConfig, path)
                let index = try XCTUnwrap(argv.firstIndex(of: "-F"))
                XCTAssertEqual(argv[index + 1], path, "the path is one argument, spaces and all")
            }
        }
    }

    func testAHomeRelativeProgramRunsFromTheHomeNotThePath() {
        XCTAssertEqual(AgentRunnerCommand.remotePath("~/agent-runner"), "./agent-runner")
        XCTAssertEqual(AgentRunnerCommand.remotePath("~//agent-runner"), "./agent-runner")
        XCTAssertEqual(AgentRunnerCommand.remotePath("~/.local/bin/agent-runner"), ".local/bin/agent-runner")
        XCTAssertEqual(AgentRunnerCommand.remotePath("~"), ".")
        XCTAssertEqual(AgentRunnerCommand.remotePath("agent-runner"), "agent-runner", "a bare name is a PATH lookup")
        let letters = Array("abcdefghijklmnopqrstuvwxyz-_.0123456789")
        for _ in 0..<200 {
            let name = String(
                (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                    letters.randomElement(using: &generator)!
                })
            let remote = AgentRunnerCommand.remotePath("~/" + name)
            XCTAssertTrue(remote.contains("/"), "\(name) → \(remote) would be looked up on the PATH")
            let settings = PollSettings(agentRunner: "~/" + name)
            XCTAssertEqual(AgentRunnerCommand.peek(settings).first, remote)
        }
    }
}
