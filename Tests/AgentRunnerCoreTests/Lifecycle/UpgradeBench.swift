import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// A host for upgrader tests: a temporary versions_dir, bin_link and user unit on disk, a
/// ``FakeClock``, a ``FakeUserManager`` for systemd, and builds that are text files the
/// scripted process runner reads: `agent-runner X.Y.Z` answers `--version`; `smoke=fail` fails
/// the project check; `serve=dies` makes the service exit a second after it starts.
final class UpgradeBench {
    let root: String
    let clock = FakeClock()
    let output = CapturedOutput()
    let manager: FakeUserManager
    let runner: ScriptedProcessRunner
    let config: AgentRunnerConfig
    let paths: ServicePaths
    let store: VersionStore

    var versionsDir: String { root + "/versions" }
    var binLink: String { root + "/bin/agent-runner" }
    var logDir: String { root + "/logs" }

    /// A host whose bin_link runs `installed` (the first one current) and whose user unit is
    /// `unitState`; the unit stops `stopDrain` after it is asked to.
    init(
        installed: [String] = ["1.0.0"], unitState: String = "active", stopDrain: Duration = .zero,
        obeysTERM: Bool = true
    ) throws {
        root = NSTemporaryDirectory() + "upgrader-" + UUID().uuidString
        for folder in ["/work", "/logs", "/units", "/system", "/tools", "/builds", "/versions"] {
            try FileManager.default.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
        }
        // SystemCommand resolves systemctl on PATH; the scripted runner answers in its place.
        try Self.write("", to: root + "/tools/systemctl", executable: true)
        manager = FakeUserManager(
            clock: clock, binLink: root + "/bin/agent-runner", activeState: unitState,
            stopDrain: stopDrain, obeysTERM: obeysTERM)
        runner = ScriptedProcessRunner(run: { [manager] request in Self.answer(request, manager: manager) })
        config = try Self.config(root: root)
        paths = ServicePaths(
            project: "demo", workDir: root + "/work", configPath: config.configPath,
            logDir: root + "/logs", userUnitDirectory: root + "/units",
            systemUnitDirectory: root + "/system")
        store = VersionStore(
            versionsDir: root + "/versions", binLink: root + "/bin/agent-runner", keepVersions: 3,
            fileSystem: LocalFileSystem())
        try Self.write(
            "[Service]\nExecStart=\(UnitFile.commandLine([binLink])) serve --config \(config.configPath)\n",
            to: paths.userUnitPath)
        var state = VersionStore.State()
        for version in installed {
            try store.install(staged: try store.stage(Array(build(version).utf8)), as: version)
            store.record(version, sha256: "", at: "2026-11-18T00:00:00.000Z", in: &state)
        }
        if let current = installed.first {
            try store.switchLink(to: current)
            state.current = current
        }
        try store.writeState(state)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: root)
    }

    var effects: Effects { .fake(clock: clock, processes: runner, fileSystem: LocalFileSystem()) }

    var controller: ServiceController {
        ServiceController(
            paths: paths, config: config, effects: effects, processes: UntouchableProcessTable(),
            environment: ["PATH": root + "/tools"], stderr: output, executable: root + "/unused")
    }

    /// The upgrader of this host; `release` stands for `[upgrade] source`.
    func upgrader(release: ReleaseSource? = nil) -> Upgrader {
        Upgrader(
            store: store, smoke: UpgradeSmoke(effects: effects, environment: [:], timeout: .seconds(30)),
            config: config, controller: controller,
            events: EventSink(logDir: logDir, clock: clock.wallClock, stderr: output), stderr: output,
            selfExecutable: root + "/unused", effects: effects,
            readStandardInput: { () throws(LifecycleError) in
                XCTFail("this test read standard input")
                throw LifecycleError("no standard input in this test")
            },
            release: release, noReleaseSource: "agent-runner.toml has no [upgrade] source")
    }

    /// The text of a stand-in build.
    func build(_ version: String, _ flags: [String] = []) -> String {
        (["agent-runner \(version)"] + flags).joined(separator: "\n") + "\n"
    }

    /// Writes a stand-in build to the builds folder; returns its path.
    func newBuild(_ version: String, _ flags: String...) throws -> String {
        let path = root + "/builds/agent-runner-\(version)"
        try Self.write(build(version, flags), to: path, executable: true)
        return path
    }

    /// Installs a stand-in build in versions_dir as if an earlier upgrade had (state.json untouched).
    func preinstall(_ version: String, _ flags: String...) throws {
        try store.install(staged: try store.stage(Array(build(version, flags).utf8)), as: version)
    }

    /// The request for `agent-runner upgrade --from PATH`.
    func install(_ path: String) -> Upgrader.Request {
        Upgrader.Request(.install(.file(path), sha256: nil, target: nil))
    }

    /// What the upgrader ran, one line each, with the random staging folder named `<staged>`.
    var processes: [String] {
        runner.requests.map { request in
            let line = ([request.executable] + request.arguments).joined(separator: " ")
            let path = line.split(separator: " ").first.map(String.init) ?? ""
            let named = path.contains("/.staging-") ? "<staged>" + line.dropFirst(path.count) : line
            return named.replacingOccurrences(of: root, with: "ROOT")
        }
    }

    /// Every event written, as `kind` and payload.
    func events() throws -> [(kind: String, payload: JSONObject)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: logDir)
            .filter { $0.hasPrefix("events-") }.sorted()
        return try files.flatMap { file in
            try String(contentsOfFile: logDir + "/" + file, encoding: .utf8).split(separator: "\n").compactMap { line in
                Event(line: Array(line.utf8)).map { (kind: $0.kind, payload: $0.payload) }
            }
        }
    }

    /// What the upgrader said, with the temporary root named `ROOT`.
    var said: String { output.text.replacingOccurrences(of: root, with: "ROOT") }

    var linkedVersion: String? { store.linkedVersion() }

    func stateFile() throws -> VersionStore.State { try store.readState() }

    // MARK: helpers

    static func write(_ text: String, to path: String, executable: Bool = false) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
    }

    static func config(root: String) throws -> AgentRunnerConfig {
        let text = """
            [agent]
            command = ["claude"]
            prompt_arg_template = ["-p", "{prompt}"]
            [runtime]
            work_dir = "\(root)/work"
            log_dir = "\(root)/logs"
            [prompt]
            file = "prompts/main.md"
            [upgrade]
            versions_dir = "\(root)/versions"
            bin_link = "\(root)/bin/agent-runner"
            """
        return try AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: root, currentDirectory: "/"),
            fileSystem: LocalFileSystem()
        )
        .parse(Array(text.utf8), configPath: root + "/work/agent-runner.toml", displayPath: "agent-runner.toml")
    }

    /// A stand-in build answering `--version` and the project check; systemctl from the manager.
    static func answer(_ request: ProcessRequest, manager: FakeUserManager) -> ProcessOutput {
        if request.executable.hasSuffix("/systemctl") { return manager.answer(request.arguments) }
        let text = FakeUserManager.buildText(at: request.executable)
        guard let version = text.split(separator: "\n").first else {
            return .finished(127, stderr: "\(request.executable): not found")
        }
        if request.arguments == ["--version"] { return .finished(0, stdout: version + "\n") }
        if request.arguments.contains("peek") && text.contains("smoke=fail") {
            return .finished(1, stderr: "boom: \(version) cannot read agent-runner.toml\n")
        }
        return .finished(0, stdout: "{}\n")
    }
}

/// A process table that fails the test when used: the systemd paths never signal a process.
struct UntouchableProcessTable: ProcessTable {
    func snapshot() -> [ProcessTree.Entry] {
        XCTFail("this test read the process table")
        return []
    }

    func entry(for pid: pid_t) -> ProcessTree.Entry? {
        XCTFail("this test looked up process \(pid)")
        return nil
    }

    func send(_ signal: Int32, to pid: pid_t) -> Int32 {
        XCTFail("this test sent signal \(signal) to \(pid)")
        return EPERM
    }
}
