import FleetCore
import Foundation
import XCTest

/// A host that loses power in the middle of `agent-runner stop` or `agent-runner upgrade`: every
/// process of the host dies at once (``HostCrash``), then the host boots: the service starts as
/// its unit would (`bin_link serve`, here through `start` in pid-file mode), and the operator
/// runs the interrupted verb again. Real binaries, the fake agent, stand-in builds
/// (``UpgradeTests/Builds``).
final class HostRebootTests: XCTestCase {
    func events(_ host: LifecycleHost) throws -> [Event] { try host.events() }

    func roundNumbers(_ host: LifecycleHost) throws -> [Int64] {
        try host.events().filter { $0.kind == "round_start" }.compactMap { $0.payload["round_num"]?.intValue }
    }

    /// Every event line parses and status.json parses.
    func assertStateFilesParse(_ host: LifecycleHost, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: host.logDir).filter { $0.hasPrefix("events-") }
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: host.logDir + "/" + name))
            for raw in data.split(separator: UInt8(ascii: "\n")) {
                XCTAssertNotNil(
                    Event(line: Array(raw), parser: .strict),
                    "broken line in \(name): \(String(decoding: raw, as: UTF8.self))", file: file, line: line)
            }
        }
        if let status = try? String(contentsOfFile: host.logDir + "/status.json", encoding: .utf8) {
            XCTAssertNoThrow(try JSONParser.strict.parse(status), "status.json parses", file: file, line: line)
        }
    }

    /// Starts `agent-runner ARGS` (or `executable`) as the host, in the background, stderr to `log`.
    func spawn(
        _ host: LifecycleHost, _ arguments: [String], executable: String? = nil, log: String
    ) throws -> RunningProcess {
        try PosixProcessRunner().spawn(
            ProcessRequest(
                try executable ?? Harness.binary("agent-runner"), arguments: arguments,
                environment: host.mergedEnvironment(), workingDirectory: host.project,
                standardOutput: .discard, standardError: .appendToFile(log)))
    }

    func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    // MARK: stop

    /// `agent-runner stop` has asked serve to finish its round and waits; the power goes. After
    /// the boot the stale serve.pid and agent.pid name other processes (pids are reused after a
    /// reboot): the new serve starts anyway, kills nothing it does not own, continues the round
    /// numbering; the stop run again completes and leaves no process of the host.
    func testRebootInTheMiddleOfAStopThenTheServiceBootsCleanly() throws {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        try host.initProject()
        XCTAssertEqual(try host.run(["start"], environment: ["FAKE_MODE": "slow", "FAKE_SLEEP": "30"]).code, 0)
        let servePID = try XCTUnwrap(host.servePID())
        AgentProject.wait("a round in flight", timeout: 20) { host.agentPID() != nil }
        let agentPID = try XCTUnwrap(host.agentPID())
        let interruptedRound = try XCTUnwrap(try roundNumbers(host).max())

        let stopLog = host.root + "/stop.log"
        let stop = try spawn(host, ["stop"], log: stopLog)
        AgentProject.wait("stop to ask serve to finish its round") {
            self.text(stopLog).contains("stopping service...")
        }
        usleep(300_000)
        XCTAssertNil(stop.poll(), "stop waits for the round: \(text(stopLog))")
        XCTAssertTrue(ProcessTree.isAlive(servePID), "serve is finishing its round")

        let killed = HostCrash.powerOff(home: host.home, roots: [stop.pid]).map(\.pid)
        _ = stop.wait()
        for (what, pid) in [("serve", servePID), ("the agent", agentPID), ("agent-runner stop", stop.pid)] {
            XCTAssertTrue(killed.contains(pid), "\(what) (pid \(pid)) died in the power cut")
        }
        XCTAssertFalse(text(stopLog).contains("stopped ("), "the stop never completed: \(text(stopLog))")
        XCTAssertEqual(HostCrash.processes(home: host.home, roots: []), [], "nothing of the host survives")
        let staleServe = try XCTUnwrap(try PidFile(path: host.logDir + "/serve.pid").read(), "serve.pid is left behind")
        let staleAgent = try XCTUnwrap(try PidFile(path: host.logDir + "/agent.pid").read(), "agent.pid is left behind")

        // After the boot, both recorded pids belong to an unrelated process (same pid, another start time).
        let bystander = try PosixProcessRunner().spawn(
            ProcessRequest("sleep", arguments: ["300"], standardOutput: .discard, standardError: .discard))
        addTeardownBlock { _ = bystander.terminate(grace: .seconds(1)) }
        for (file, record) in [("serve.pid", staleServe), ("agent.pid", staleAgent)] {
            try Harness.write(
                "{\"pid\": \(bystander.pid), \"start_time\": \(record.startTime ?? 0)}\n", to: host.logDir + "/" + file)
        }

        let boot = try host.run(["start"], environment: ["FAKE_MODE": "ok"])
        XCTAssertEqual(boot.code, 0, boot.stderr)
        XCTAssertTrue(boot.stderr.contains("started serve (pid "), boot.stderr)
        XCTAssertFalse(boot.stderr.contains("already running"), boot.stderr)
        let bootedServe = try XCTUnwrap(host.servePID())
        XCTAssertNotEqual(bootedServe, bystander.pid)
        AgentProject.wait("the first round after the boot", timeout: 20) {
            ((try? self.roundNumbers(host)) ?? []).contains(interruptedRound + 1)
        }
        XCTAssertTrue(ProcessTree.isAlive(bystander.pid), "the process that now has the stale agent pid was not killed")
        XCTAssertNil(
            try events(host).first { $0.kind == "stale_agent_killed" }, "no stale agent to kill: it died with the host")
        XCTAssertEqual(
            try roundNumbers(host).filter { $0 > interruptedRound }.first, interruptedRound + 1,
            "the numbering continues after the interrupted round")
        try assertStateFilesParse(host)

        // The stop the operator wanted, again: it completes.
        let stopped = try host.run(["stop"])
        XCTAssertEqual(stopped.code, 0, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("agent-runner: stopped ("), stopped.stderr)
        XCTAssertFalse(ProcessTree.isAlive(bootedServe))
        XCTAssertEqual(
            HostCrash.processes(home: host.home, roots: []).filter { !$0.isZombie }, [],
            "no serve or agent of the host is left")
        XCTAssertEqual(try events(host).last?.kind, "serve_stopped")
        try assertStateFilesParse(host)
    }

    // MARK: upgrade

    /// A host on its first build (A, this agent-runner) with its service running from bin_link.
    func hostOnA() throws -> (LifecycleHost, UpgradeTests.Builds) {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        let builds = try UpgradeTests.Builds.prepare(host)
        let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
        XCTAssertEqual(try host.run(["upgrade", "--from", real]).code, 0)
        XCTAssertEqual(try host.run(["start"], executable: builds.link).code, 0)
        XCTAssertNotNil(host.servePID())
        return (host, builds)
    }

    /// After any crash, bin_link runs a whole build: its target's bytes are exactly those
    /// state.json recorded for that version, and it answers `--version`. Returns its version.
    @discardableResult
    func assertLinkRunsACompleteBuild(
        _ builds: UpgradeTests.Builds, file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let target = try XCTUnwrap(builds.linkTarget(), "bin_link exists", file: file, line: line)
        let version = URL(fileURLWithPath: target).deletingLastPathComponent().lastPathComponent
        let recorded = try builds.state()["versions"]?.arrayValue?.first { $0["version"]?.stringValue == version }?[
            "sha256"]?.stringValue
        XCTAssertEqual(
            SHA256.hex(of: try Array(Data(contentsOf: URL(fileURLWithPath: target)))), recorded,
            "\(target) is the build state.json recorded",
            file: file, line: line)
        let answer = try builds.host.run(["--version"], executable: builds.link)
        XCTAssertEqual(answer.stdout, "agent-runner \(version)\n", answer.stderr, file: file, line: line)
        return version
    }

    /// The boot: the service starts from bin_link, as its unit would.
    func boot(_ builds: UpgradeTests.Builds) throws -> Int32? {
        try builds.host.bootService(builds.link)
    }

    func recordPath(_ builds: UpgradeTests.Builds) -> String { builds.versions + "/upgrade-in-progress.json" }

    func upgradeEventKinds(_ host: LifecycleHost) throws -> [String] {
        try host.events().map(\.kind).filter { $0.contains("upgrade") }
    }

    /// Killed while the build is still arriving on stdin (fleetctl's push): nothing was changed,
    /// no record is written, and the upgrade run again completes.
    func testRebootWhileTheBuildIsArrivingChangesNothing() throws {
        let (host, builds) = try hostOnA()
        let old = BuildInfo.version
        let good = try builds.make("2.1.0")
        let arrived = host.root + "/half-arrived"
        let half =
            Int((try FileManager.default.attributesOfItem(atPath: good.path)[.size] as? NSNumber)?.intValue ?? 0) / 2
        let pipeline = try PosixProcessRunner().spawn(
            ProcessRequest(
                "/bin/sh",
                arguments: [
                    "-c",
                    "{ head -c \(half) '\(good.path)'; touch '\(arrived)'; sleep 60; } | '\(builds.link)' upgrade --from - --sha256 \(good.sha256)",
                ],
                environment: host.mergedEnvironment(), workingDirectory: host.project, standardOutput: .discard,
                standardError: .appendToFile(host.root + "/upgrade.log")))
        AgentProject.wait("half the build to arrive") { FileManager.default.fileExists(atPath: arrived) }
        usleep(200_000)
        let servePID = host.servePID()
        HostCrash.powerOff(home: host.home, roots: [pipeline.pid])
        _ = pipeline.wait()
        XCTAssertFalse(servePID.map(ProcessTree.isAlive) ?? false)

        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), old)
        XCTAssertFalse(FileManager.default.fileExists(atPath: recordPath(builds)), "nothing disruptive had started")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: builds.versions).filter { $0.hasPrefix(".staging") }, []
        )
        let booted = try XCTUnwrap(try boot(builds))
        XCTAssertNil(builds.launchedVersion(of: booted), "the service boots on the old build (not a stand-in)")

        let again = try host.run(["upgrade", "--from", good.path, "--sha256", good.sha256], executable: builds.link)
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertFalse(again.stderr.contains("interrupted"), again.stderr)
        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), "2.1.0")
        XCTAssertEqual(builds.launchedVersion(of: try XCTUnwrap(host.servePID())), "2.1.0")
        XCTAssertEqual(try upgradeEventKinds(host).last, "service_upgraded")
    }

    /// Killed after the service was stopped, while the smoke check ran: bin_link never moved.
    /// The boot starts the old build; the next upgrade says the interrupted one is undone (the
    /// service runs the old build), then upgrades properly.
    func testRebootDuringTheSmokeCheckThenTheRerunRestoresAndUpgrades() throws {
        let (host, builds) = try hostOnA()
        let old = BuildInfo.version
        let gate = host.root + "/smoke-gate"
        try Harness.write("hold", to: gate)
        let slow = try builds.make("2.2.0", smokeWaitsWhile: gate)
        let upgrade = try spawn(
            host, ["upgrade", "--from", slow.path], executable: builds.link, log: host.root + "/upgrade.log")
        AgentProject.wait("the smoke check to run", timeout: 30) {
            FileManager.default.fileExists(atPath: gate + ".reached")
        }
        XCTAssertNil(host.servePID(), "the upgrade stopped the service first")
        let record = try JSONParser.strict.parse(text(recordPath(builds)))
        XCTAssertEqual(record["step"], "started")
        XCTAssertEqual(record["to_version"], "2.2.0")
        XCTAssertEqual(
            (try FileManager.default.attributesOfItem(atPath: recordPath(builds))[.posixPermissions] as? NSNumber)?
                .intValue, 0o600)
        HostCrash.powerOff(home: host.home, roots: [upgrade.pid])
        _ = upgrade.wait()

        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), old, "the link never moved")
        let booted = try XCTUnwrap(try boot(builds))
        try FileManager.default.removeItem(atPath: gate)

        let again = try host.run(["upgrade", "--from", slow.path], executable: builds.link)
        XCTAssertEqual(again.code, 0, again.stderr)
        for expected in [
            "an upgrade \(old) → 2.2.0 was interrupted (pid \(upgrade.pid), started ",
            "at step 'started'; \(builds.link) runs \(old)); bringing it to an end first",
            "restored \(old): \(builds.link) → \(builds.versions)/\(old)/agent-runner; service running",
            "upgraded \(old) → 2.2.0 (",
        ] {
            XCTAssertTrue(again.stderr.contains(expected), "missing '\(expected)' in: \(again.stderr)")
        }
        XCTAssertFalse(ProcessTree.isAlive(booted), "the booted service was restarted by the upgrade")
        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), "2.2.0")
        XCTAssertEqual(builds.launchedVersion(of: try XCTUnwrap(host.servePID())), "2.2.0")
        XCTAssertEqual(try builds.state()["current"], "2.2.0")
        XCTAssertEqual(try builds.state()["previous"], .string(old))
        XCTAssertFalse(FileManager.default.fileExists(atPath: recordPath(builds)))
        let recovered = try XCTUnwrap(try host.events().last { $0.kind == "upgrade_recovered" })
        XCTAssertEqual(recovered.payload["action"], "restored")
        XCTAssertEqual(recovered.payload["step"], "started")
        XCTAssertEqual(try upgradeEventKinds(host).suffix(2), ["upgrade_recovered", "service_upgraded"])
    }

    /// Killed right after bin_link was switched, while the new build was starting: the boot
    /// starts the new build from bin_link; the next upgrade checks it again, confirms the
    /// service, commits it (state.json said the old one was current), and has nothing left to do.
    func testRebootAfterTheSwitchThenTheRerunFinishesTheUpgrade() throws {
        let (host, builds) = try hostOnA()
        let old = BuildInfo.version
        let good = try builds.make("2.3.0")
        let upgrade = try spawn(
            host, ["upgrade", "--from", good.path], executable: builds.link, log: host.root + "/upgrade.log")
        AgentProject.wait("bin_link to switch", timeout: 30) {
            builds.linkTarget() == builds.versions + "/2.3.0/agent-runner"
        }
        HostCrash.powerOff(home: host.home, roots: [upgrade.pid])
        _ = upgrade.wait()
        XCTAssertFalse(
            text(host.root + "/upgrade.log").contains("upgraded \(old) → 2.3.0"),
            "killed before it confirmed: \(text(host.root + "/upgrade.log"))")

        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), "2.3.0")
        XCTAssertEqual(try builds.state()["current"], .string(old), "not committed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: recordPath(builds)))
        let booted = try XCTUnwrap(try boot(builds))
        XCTAssertEqual(builds.launchedVersion(of: booted), "2.3.0", "the boot runs what bin_link points at")

        let again = try host.run(["upgrade", "--from", good.path, "--json"], executable: builds.link)
        XCTAssertEqual(again.code, 0, again.stderr)
        for expected in [
            "an upgrade \(old) → 2.3.0 was interrupted", "runs 2.3.0); bringing it to an end first",
            "finished the upgrade \(old) → 2.3.0 (smoke OK, service running on it); 2.3.0 is current",
            "already at 2.3.0",
        ] {
            XCTAssertTrue(again.stderr.contains(expected), "missing '\(expected)' in: \(again.stderr)")
        }
        XCTAssertEqual(try JSONParser.strict.parse(again.stdout)["outcome"], "unchanged")
        XCTAssertEqual(host.servePID(), booted, "the service the boot started was confirmed, not restarted")
        XCTAssertEqual(try builds.state()["current"], "2.3.0")
        XCTAssertEqual(
            try builds.state()["previous"], .string(old),
            "so --rollback goes back to the build before the interrupted upgrade")
        XCTAssertFalse(FileManager.default.fileExists(atPath: recordPath(builds)))
        XCTAssertEqual(try host.events().last { $0.kind == "upgrade_recovered" }?.payload["action"], "finished")

        let rollback = try host.run(["upgrade", "--rollback"], executable: builds.link)
        XCTAssertEqual(rollback.code, 0, rollback.stderr)
        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), old)
    }

    /// A build whose service dies at once: the upgrade rolls back, and the power goes during that
    /// rollback. The boot starts whatever bin_link points at; `upgrade --rollback` then finishes
    /// the rollback (old build linked and running, the bad build removed) and goes no further.
    func testRebootDuringTheRollbackThenRollbackFinishesIt() throws {
        let (host, builds) = try hostOnA()
        let old = BuildInfo.version
        let bad = try builds.make("2.4.0", serveDies: true)
        let upgrade = try spawn(
            host, ["upgrade", "--from", bad.path], executable: builds.link, log: host.root + "/upgrade.log")
        AgentProject.wait("the upgrade to roll back", timeout: 40) {
            (try? JSONParser.strict.parse(self.text(self.recordPath(builds))))?["step"] == "rolling_back"
        }
        HostCrash.powerOff(home: host.home, roots: [upgrade.pid])
        _ = upgrade.wait()
        XCTAssertFalse(
            text(host.root + "/upgrade.log").contains("restored \(old) (service running)"),
            text(host.root + "/upgrade.log"))

        let linked = try assertLinkRunsACompleteBuild(builds)
        XCTAssertTrue([old, "2.4.0"].contains(linked), linked)
        _ = try boot(builds)  // on 2.4.0 its serve dies at once

        let rollback = try host.run(["upgrade", "--rollback", "--json"], executable: builds.link)
        XCTAssertEqual(rollback.code, 0, rollback.stderr)
        for expected in [
            "an upgrade \(old) → 2.4.0 was interrupted", "at step 'rolling_back'", "restored \(old): \(builds.link) → ",
            "the interrupted upgrade is undone: \(builds.link) runs \(old); not rolling back further",
        ] {
            XCTAssertTrue(rollback.stderr.contains(expected), "missing '\(expected)' in: \(rollback.stderr)")
        }
        XCTAssertEqual(try JSONParser.strict.parse(rollback.stdout)["outcome"], "interrupted_upgrade_undone")
        XCTAssertEqual(try assertLinkRunsACompleteBuild(builds), old)
        let serve = try XCTUnwrap(host.servePID(), "the service runs again")
        XCTAssertNil(builds.launchedVersion(of: serve), "on the old build")
        XCTAssertEqual(try builds.state()["current"], .string(old))
        XCTAssertFalse(FileManager.default.fileExists(atPath: builds.versions + "/2.4.0"), "the bad build is removed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: recordPath(builds)))
        XCTAssertEqual(try host.events().last { $0.kind == "upgrade_recovered" }?.payload["action"], "restored")
    }
}
