import FleetCore
import Foundation
import TestSupport
import XCTest

/// The Debian packages end to end: `scripts/package-deb --debug` builds both (the release link,
/// debug configuration: the release build would add a quarter hour to the suite; the packaging
/// steps are the same), `lintian` finds no error, `dpkg -i` installs them on this machine, the
/// man pages render, the bash completions complete, the unit templates verify, `dpkg -r`/`-P`
/// leave nothing behind; and a packaged agent-runner leaves its upgrades to the package manager.
///
/// While installed, /usr/bin/agent-runner and /usr/bin/fleetctl exist system-wide: no other test
/// runs either through PATH (they run the build's own binaries by path), and every test here
/// purges the packages when it ends, however it ends.
final class DebianPackageTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    /// The packages, built once per test process.
    nonisolated(unsafe) static var built: (folder: String, agentRunner: String, fleetctl: String)?

    static func run(
        _ argv: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)
    ) throws -> ProcessOutput {
        var env = ProcessRequest.currentEnvironment()
        env.merge(environment) { _, new in new }
        return try PosixProcessRunner().run(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: env, workingDirectory: repository,
                deadline: .now + timeout))
    }

    static var debianArchitecture: String {
        get throws {
            try run(["dpkg", "--print-architecture"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    func packages() throws -> (folder: String, agentRunner: String, fleetctl: String) {
        if let built = Self.built { return built }
        for tool in ["dpkg-deb", "dpkg-shlibdeps", "lintian", "man"]
        where (try? Self.run(["which", tool]))?.exit != .terminated(0) {
            XCTFail(
                "\(tool) is missing; install it with: apt-get install -y dpkg-dev lintian man-db (scripts/test does)")
            throw MissingPrerequisite("\(tool) missing")
        }
        let folder = NSTemporaryDirectory() + "debian-packages-\(getpid())"
        let made = try Self.run(["./scripts/package-deb", "--debug", "--out", folder], timeout: .seconds(1500))
        guard made.exit == .terminated(0) else {
            XCTFail("scripts/package-deb --debug failed (\(made.exit)): \(made.stderrText.suffix(3000))")
            throw MissingPrerequisite("packages not built")
        }
        print(made.stdoutText)
        let arch = try Self.debianArchitecture
        let built = (
            folder, "\(folder)/agent-runner_\(BuildInfo.version)-1_\(arch).deb",
            "\(folder)/fleetctl_\(BuildInfo.version)-1_\(arch).deb"
        )
        Self.built = built
        return built
    }

    /// `dpkg ARGS`, waiting (up to two minutes) while another dpkg or apt holds its lock.
    @discardableResult
    func dpkg(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ProcessOutput {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let output = try Self.run(["dpkg"] + arguments)
            if output.exit != .terminated(0) && output.stderrText.contains("lock") && ContinuousClock.now < deadline {
                usleep(500_000)
                continue
            }
            XCTAssertEqual(
                output.exit, .terminated(0), "dpkg \(arguments): \(output.stderrText)", file: file, line: line)
            return output
        }
    }

    /// Installs both packages; they are purged when the test ends.
    func install(_ packages: [String]) throws {
        addTeardownBlock {
            _ = try? self.dpkg(["--purge", "agent-runner", "fleetctl"])
        }
        try dpkg(["--install"] + packages)
    }

    /// The paths a package holds, from `dpkg-deb -c` (`./usr/bin/x` → `/usr/bin/x`), directories with a trailing `/`.
    func contents(_ deb: String) throws -> [(path: String, line: String)] {
        try Self.run(["dpkg-deb", "--contents", deb]).stdoutText.split(separator: "\n").map { line in
            let path = String(line.split(separator: " ", omittingEmptySubsequences: true).last ?? "")
            return (String(path.dropFirst()), String(line))
        }
    }

    func testPackagesBuildPassLintianInstallWorkAndRemoveCleanly() throws {
        let (_, agentDeb, fleetDeb) = try packages()
        let arch = try Self.debianArchitecture

        for (deb, name) in [(agentDeb, "agent-runner"), (fleetDeb, "fleetctl")] {
            let fields = try Self.run(["dpkg-deb", "--field", deb]).stdoutText
            XCTAssertTrue(
                fields.contains("Package: \(name)\nVersion: \(BuildInfo.version)-1\nArchitecture: \(arch)\n"), fields)
            let depends = fields.split(separator: "\n").first { $0.hasPrefix("Depends: ") }.map(String.init)
            XCTAssertNotNil(
                depends?.range(of: #"^Depends: libc6 \(>= [0-9.]+\)$"#, options: .regularExpression),
                "libc only: \(depends ?? "no Depends")")
            // Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, and 1 per directory.
            let entries = try contents(deb)
            let kib = entries.reduce(0) { sum, entry in
                let words = entry.line.split(separator: " ", omittingEmptySubsequences: true)
                let size = Int(words[2]) ?? 0
                return sum + (entry.path.hasSuffix("/") ? 1 : (size + 1023) / 1024)
            }
            XCTAssertTrue(fields.contains("Installed-Size: \(kib)\n"), "Installed-Size \(kib): \(fields)")
            XCTAssertTrue(
                entries.allSatisfy { $0.line.contains(" root/root ") }, "owned by root: \(entries.map(\.line))")
            let control = try Self.run(["sh", "-c", "dpkg-deb --ctrl-tarfile '\(deb)' | tar -t | sort"]).stdoutText
            XCTAssertEqual(control, "./\n./control\n./md5sums\n", "no maintainer scripts: installing starts nothing")
        }
        let agentFiles = Set(try contents(agentDeb).map(\.path))
        for path in [
            "/usr/bin/agent-runner", "/usr/share/man/man1/agent-runner.1.gz",
            "/usr/share/bash-completion/completions/agent-runner", "/usr/share/zsh/vendor-completions/_agent-runner",
            "/usr/share/fish/vendor_completions.d/agent-runner.fish", "/usr/lib/systemd/user/agent-runner@.service",
            "/usr/lib/systemd/system/agent-runner@.service", "/usr/share/doc/agent-runner/copyright",
            "/usr/share/doc/agent-runner/changelog.Debian.gz",
        ] {
            XCTAssertTrue(agentFiles.contains(path), "agent-runner's package holds \(path)")
        }
        XCTAssertTrue(
            Set(try contents(fleetDeb).map(\.path)).contains("/usr/share/doc/fleetctl/inventory.example.toml"))

        // lintian: every tag listed here, no error.
        let lint = try Self.run(["lintian", "--pedantic", "--info", agentDeb, fleetDeb], timeout: .seconds(600))
        let tags = lint.stdoutText.split(separator: "\n").filter {
            $0.range(of: "^[EWIPXO]: ", options: .regularExpression) != nil
        }
        print("lintian tags (\(tags.count)):\n" + tags.joined(separator: "\n"))
        XCTAssertEqual(lint.exit, .terminated(0), lint.stdoutText + lint.stderrText)
        XCTAssertEqual(tags.filter { $0.hasPrefix("E: ") }, [], "lintian errors")

        let before = Set(
            agentFiles.union(try contents(fleetDeb).map(\.path)).filter {
                FileManager.default.fileExists(atPath: $0)
            })
        XCTAssertTrue(before.allSatisfy { $0.hasSuffix("/") }, "only directories exist before: \(before.sorted())")
        try install([agentDeb, fleetDeb])

        XCTAssertEqual(
            try Self.run(["/usr/bin/agent-runner", "--version"]).stdoutText, "agent-runner \(BuildInfo.version)\n")
        XCTAssertEqual(try Self.run(["/usr/bin/fleetctl", "--version"]).stdoutText, "fleetctl \(BuildInfo.version)\n")
        XCTAssertEqual(try dpkg(["-S", "/usr/bin/agent-runner"]).stdoutText, "agent-runner: /usr/bin/agent-runner\n")

        // man: found by name, rendered.
        for (name, title) in [("agent-runner", "runs an AI coding agent"), ("fleetctl", "")] {
            let path = try Self.run(["man", "-w", name])
            XCTAssertEqual(path.stdoutText, "/usr/share/man/man1/\(name).1.gz\n", path.stderrText)
            let page = try Self.run(
                ["man", name], environment: ["MANPAGER": "cat", "MANWIDTH": "100", "LANG": "C.UTF-8"])
            XCTAssertEqual(page.exit, .terminated(0), page.stderrText)
            XCTAssertTrue(
                page.stdoutText.contains("NAME\n       \(name) - \(title)"), page.stdoutText.prefix(600).description)
            XCTAssertTrue(page.stdoutText.contains("SYNOPSIS"), page.stdoutText.prefix(600).description)
            XCTAssertFalse(
                page.stdoutText.contains(".TH") || page.stdoutText.contains("\\fB"), "rendered, not raw roff")
        }

        // bash completion: the installed script, the function it defines, COMP_WORDS as bash sets them.
        func complete(_ name: String, _ words: [String]) throws -> [String] {
            let function = "_" + name.replacingOccurrences(of: "-", with: "_")
            let script = """
                source /usr/share/bash-completion/completions/\(name)
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
                \(function)
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let output = try Self.run(["bash", "--norc", "--noprofile", "-c", script])
            XCTAssertEqual(output.exit, .terminated(0), output.stderrText)
            return output.stdoutText.split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(try complete("agent-runner", ["agent-runner", "ins"]), ["install"])
        XCTAssertEqual(try complete("fleetctl", ["fleetctl", "upg"]), ["upgrade"])
        XCTAssertEqual(try complete("fleetctl", ["fleetctl", "upgrade", "--ye"]), ["--yes"])

        // The unit templates, as installed: systemd-analyze verify finds nothing to say (it checks
        // that ExecStart's binary and the Documentation= man page exist, now they do).
        let runtime = try Harness.temporaryDirectory(self)
        chmod(runtime, 0o700)
        for (unit, user) in [
            ("/usr/lib/systemd/system/agent-runner@.service", false),
            ("/usr/lib/systemd/user/agent-runner@.service", true),
        ] {
            let verify = try Self.run(
                ["systemd-analyze", "verify"] + (user ? ["--user"] : []) + [unit],
                environment: ["XDG_RUNTIME_DIR": runtime, "HOME": runtime, "SYSTEMD_LOG_COLOR": "0"])
            XCTAssertEqual(verify.exit, .terminated(0), "\(unit): \(verify.stderrText)")
            XCTAssertEqual(verify.stdoutText + verify.stderrText, "", "systemd-analyze verify \(unit)")
        }

        // dpkg -r removes every file; -P forgets the packages; directories they created go too.
        let installed = Set(
            try dpkg(["-L", "agent-runner", "fleetctl"]).stdoutText.split(separator: "\n").map(String.init))
        XCTAssertTrue(installed.contains("/usr/bin/fleetctl"))
        try dpkg(["--remove", "agent-runner", "fleetctl"])
        let files = installed.filter { path in
            var isDirectory: ObjCBool = false
            return !agentFiles.contains(path + "/") && !(before.contains(path + "/"))
                && !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
        XCTAssertFalse(files.isEmpty)
        for path in installed {
            let wasThere = before.contains(path + "/") || path == "/."
            XCTAssertEqual(
                FileManager.default.fileExists(atPath: path), wasThere,
                wasThere ? "\(path) existed before and stays" : "\(path) is removed")
        }
        try dpkg(["--purge", "agent-runner", "fleetctl"])
        let status = try Self.run(["dpkg-query", "--show", "--showformat=${db:Status-Status}\n", "agent-runner"])
        XCTAssertNotEqual(status.stdoutText, "installed\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/var/lib/dpkg/info/agent-runner.list"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/var/lib/dpkg/info/fleetctl.md5sums"))
    }

    func testAPackagedAgentRunnerLeavesItsUpgradesToThePackageManager() throws {
        let (_, agentDeb, _) = try packages()
        let arch = try Self.debianArchitecture
        try install([agentDeb])
        let host = try LifecycleHost(self, fakeSystemd: true)
        try host.initProject()
        let versions = host.root + "/versions"
        let link = host.root + "/links/agent-runner"
        try host.appendConfig("[upgrade]\nversions_dir = \"\(versions)\"\nbin_link = \"\(link)\"")
        let build = try Harness.binary("agent-runner")

        let refused = try host.run(["upgrade", "--from", build, "--json"], executable: "/usr/bin/agent-runner")
        XCTAssertEqual(refused.code, 1, refused.stderr)
        XCTAssertEqual(
            refused.stderr,
            "agent-runner: /usr/bin/agent-runner is installed by the Debian package agent-runner \(BuildInfo.version)-1: "
                + "the package manager upgrades it, not agent-runner upgrade (no bin_link is switched, nothing "
                + "changed). Build the new .deb with scripts/build-release --deb and run: sudo apt install "
                + "./agent-runner_VERSION_\(arch).deb (or: sudo dpkg -i ./agent-runner_VERSION_\(arch).deb), then "
                + "agent-runner restart\n")
        let report = try JSONParser.strict.parse(refused.stdout)
        XCTAssertEqual(report["outcome"], "packaged")
        XCTAssertEqual(report["package_version"], .string("\(BuildInfo.version)-1"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: link), "no bin_link was made")
        XCTAssertFalse(FileManager.default.fileExists(atPath: versions), "no build was stored")

        // The build's own binary (not the package's) upgrades through bin_link as before.
        let linked = try host.run(["upgrade", "--from", build])
        XCTAssertEqual(linked.code, 0, linked.stderr)
        XCTAssertNotNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link))

        // install from the package runs the package's binary, not bin_link, and says who upgrades it.
        let installed = try host.run(
            ["install"], environment: ["XDG_RUNTIME_DIR": host.runtimeDir], executable: "/usr/bin/agent-runner")
        XCTAssertEqual(installed.code, 0, installed.stderr)
        XCTAssertTrue(
            installed.stderr.contains(
                "agent-runner: the unit runs /usr/bin/agent-runner, from the Debian package agent-runner "
                    + "\(BuildInfo.version)-1: the package manager upgrades it, not agent-runner upgrade: sudo apt install"
            ),
            installed.stderr)
        let unit = try String(contentsOfFile: host.userUnitDir + "/agent-runner@project.service", encoding: .utf8)
        XCTAssertTrue(
            unit.contains("\nExecStart=/usr/bin/agent-runner serve --config \(host.project)/agent-runner.toml\n"), unit)
    }

    /// `fleetctl upgrade` to a host over real ssh (a loopback sshd, logged in as root, so dpkg runs
    /// without sudo): with `[upgrade] method = "deb"` the .deb is pushed and installed with dpkg -i;
    /// without it, a host whose agent-runner is the package's refuses the binary push, and the
    /// rollout stops with the reason and what to set.
    func testFleetctlPushesTheDebOnlyWithMethodDeb() throws {
        let (_, agentDeb, _) = try packages()
        addTeardownBlock { _ = try? self.dpkg(["--purge", "agent-runner", "fleetctl"]) }
        let sshd = try LoopbackSSHD(aliases: ["debhost"])
        addTeardownBlock { sshd.shutdown() }
        let host = try LifecycleHost(self)
        try host.initProject()
        let real = try Harness.binary("agent-runner")
        // Before the package: an agent-runner that reports 0.0.9 (and is the build otherwise).
        let old = host.root + "/agent-runner-0.0.9"
        try Harness.write(
            """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "agent-runner 0.0.9"; exit 0; fi
            case " $* " in
              *" peek "*)
                out=$('\(real)' "$@") || exit $?
                printf '%s\\n' "$out" | sed -e 's/"agent_runner_version" *: *"[^"]*"/"agent_runner_version": "0.0.9"/' -e 's/"version" *: *"[^"]*"/"version": "0.0.9"/'
                exit 0 ;;
            esac
            exec '\(real)' "$@"

            """, to: old)
        // ssh logs in with root's environment: the wrapper gives agent-runner the host's own, and
        // runs the package's agent-runner once there is one.
        let exports = host.environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'" }
        let wrapper = host.root + "/agent-runner-over-ssh"
        try Harness.write(
            "#!/bin/sh\n\(exports.joined(separator: "\n"))\ncd '\(host.project)'\n"
                + "[ -x /usr/bin/agent-runner ] && exec /usr/bin/agent-runner \"$@\"\nexec '\(old)' \"$@\"\n",
            to: wrapper)
        for script in [old, wrapper] { chmod(script, 0o755) }
        let root = try Harness.temporaryDirectory(self)
        let inventory = root + "/inventory.toml"
        func writeInventory(_ upgrade: String) throws {
            try Harness.write(
                """
                [defaults]
                ssh_config = "\(sshd.clientConfig)"
                state_dir = "\(root)/state"
                connection_reuse = false

                [hosts.debhost]
                agent_runner = "\(wrapper)"
                config = "\(host.project)/agent-runner.toml"

                [upgrade]
                bake = "1s"
                \(upgrade)

                """, to: inventory)
        }
        func fleetctl(_ arguments: [String]) throws -> Harness.Result {
            try Harness.run(
                "fleetctl", ["--inventory", inventory, "upgrade", "debhost", "--gate-interval", "0.5"] + arguments,
                environment: ["FLEETCTL_INVENTORY": ""], timeout: .seconds(180))
        }

        try writeInventory("method = \"deb\"")
        let pushed = try fleetctl(["--artifact", agentDeb])
        XCTAssertEqual(pushed.code, 0, pushed.stderr)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: agentDeb)))
        XCTAssertTrue(
            pushed.stderr.hasPrefix(
                "rollout to \(BuildInfo.version): 1 host in 1 stage\n  batch 1: debhost\n  build: agent-runner "
                    + "\(BuildInfo.version), sha256 \(SHA256.hex(of: bytes)) (\(agentDeb))\n"), pushed.stderr)
        XCTAssertTrue(
            pushed.stderr.contains("debhost: upgraded to \(BuildInfo.version) (deb_installed)"), pushed.stderr)
        let status = try Self.run([
            "dpkg-query", "--show", "--showformat=${db:Status-Status} ${Version}", "agent-runner",
        ])
        XCTAssertEqual(status.stdoutText, "installed \(BuildInfo.version)-1")
        XCTAssertEqual(
            try Self.run(["/usr/bin/agent-runner", "--version"]).stdoutText, "agent-runner \(BuildInfo.version)\n")

        // Without method = "deb": the binary push is refused by the packaged agent-runner there.
        try writeInventory("")
        let newer = root + "/agent-runner-9.9.9"
        try Harness.write(
            "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'agent-runner 9.9.9'; exit 0; }\nexec '\(real)' \"$@\"\n",
            to: newer)
        chmod(newer, 0o755)
        let refused = try fleetctl(["--artifact", newer])
        XCTAssertEqual(refused.code, 1, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains(
                "debhost: upgrade failed: its agent-runner is /usr/bin/agent-runner, from the Debian package "
                    + "agent-runner \(BuildInfo.version)-1, which agent-runner upgrade does not replace; nothing changed "
                    + "there. Push the .deb instead: set [upgrade] method = \"deb\" in the inventory"), refused.stderr)
        XCTAssertEqual(
            try Self.run(["dpkg-query", "--show", "--showformat=${Version}", "agent-runner"]).stdoutText,
            "\(BuildInfo.version)-1", "the package is as it was")
        XCTAssertEqual(
            try Self.run(["/usr/bin/agent-runner", "--version"]).stdoutText, "agent-runner \(BuildInfo.version)\n")

        // method = "deb" with a file that is not agent-runner's package: refused before any host.
        try writeInventory("method = \"deb\"")
        let notDeb = try fleetctl(["--artifact", newer])
        XCTAssertEqual(notDeb.code, 64, notDeb.stderr)
        XCTAssertTrue(notDeb.stderr.contains("is not agent-runner's Debian package"), notDeb.stderr)
    }
}
