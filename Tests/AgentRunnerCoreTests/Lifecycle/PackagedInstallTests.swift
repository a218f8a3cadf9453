import AgentRunnerCore
import FleetCore
import TestSupport
import XCTest

/// Which agent-runner is the Debian package's, as `dpkg-query --search` and `--show` answer.
final class PackagedInstallTests: XCTestCase {
    /// dpkg-query answering for an installed `agent-runner` 0.3.0-1 (arm64) that lists `listed`.
    func dpkg(listed: String = "/usr/bin/agent-runner", state: String = "installed") -> ScriptedProcessRunner {
        ScriptedProcessRunner { request in
            XCTAssertEqual(request.executable, "dpkg-query")
            switch request.arguments.first {
            case "--search" where request.arguments.last == listed:
                return ProcessOutput(exit: .terminated(0), stdout: Array("agent-runner: \(listed)\n".utf8))
            case "--search":
                return ProcessOutput(exit: .terminated(1), stderr: Array("dpkg-query: no path found\n".utf8))
            default:
                XCTAssertEqual(
                    request.arguments,
                    ["--show", "--showformat=${db:Status-Status} ${Version} ${Architecture}", "agent-runner"])
                return ProcessOutput(exit: .terminated(0), stdout: Array("\(state) 0.3.0-1 arm64".utf8))
            }
        }
    }

    func testTheListedBinaryIsPackagedWithItsVersionAndTheAptCommand() throws {
        let packaged = try XCTUnwrap(PackagedInstall.owning("/usr/bin/agent-runner", processes: dpkg()))
        XCTAssertEqual(
            packaged, PackagedInstall(path: "/usr/bin/agent-runner", version: "0.3.0-1", architecture: "arm64"))
        XCTAssertEqual(
            packaged.upgradeCommands,
            "sudo apt install ./agent-runner_VERSION_arm64.deb (or: sudo dpkg -i ./agent-runner_VERSION_arm64.deb), "
                + "then agent-runner restart")
        XCTAssertTrue(
            packaged.upgradeRefusal.hasPrefix(
                "/usr/bin/agent-runner is installed by the Debian package agent-runner 0.3.0-1: the package manager "
                    + "upgrades it, not agent-runner upgrade"), packaged.upgradeRefusal)
        // Merged /usr: dpkg lists /bin/agent-runner, the process runs as /usr/bin/agent-runner.
        XCTAssertEqual(
            PackagedInstall.owning("/usr/bin/agent-runner", processes: dpkg(listed: "/bin/agent-runner"))?.path,
            "/bin/agent-runner")
    }

    func testABinaryElsewhereAnotherPackagesFileOrARemovedPackageIsNotPackaged() {
        let untouched = ScriptedProcessRunner()
        XCTAssertNil(PackagedInstall.owning("/home/pi/.local/bin/agent-runner", processes: untouched))
        XCTAssertNil(PackagedInstall.owning("/usr/local/bin/agent-runner", processes: untouched))
        XCTAssertEqual(untouched.requests.count, 0, "no dpkg-query for a binary outside /usr/bin and /bin")
        XCTAssertNil(PackagedInstall.owning("/usr/bin/agent-runner", processes: dpkg(listed: "/usr/bin/other")))
        XCTAssertNil(PackagedInstall.owning("/usr/bin/agent-runner", processes: dpkg(state: "config-files")))
        let noDpkg = ScriptedProcessRunner { _ in throw ProcessError(.spawnFailed, "dpkg-query: not found") }
        XCTAssertNil(PackagedInstall.owning("/usr/bin/agent-runner", processes: noDpkg))
    }
}
